package server

import (
	"strings"
	"time"

	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/protocol/resp"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/slowlog"
	"github.com/anaxdb/anax/txn"
)

// Open implements protocol.Handler.
func (s *Server) Open(c *protocol.Conn) {
	cl := &Client{conn: c, ID: c.ID, created: time.Now(), gauges: &s.clientGauges}
	cl.multiCount.Store(-1)
	cl.proto.Store(2)
	cl.authed = s.requirePass() == ""
	c.Unauthenticated = !cl.authed
	cl.lastInteraction.Store(time.Now().UnixMilli())
	c.Client = cl
	s.clients.add(cl)
}

// Close implements protocol.Handler.
func (s *Server) Close(c *protocol.Conn) {
	s.flushHops(c.Loop())
	if cl, ok := c.Client.(*Client); ok {
		s.cancelBlocked(cl)
		if cl.postponed.Load() {
			s.dropPostponed(c, cl, c.Loop())
		}
		s.dropPubSub(cl)
		cl.gone.Store(true)
		s.disableTracking(cl)
		s.stopMonitor(cl)
		s.unwatchAll(cl)
		s.clients.remove(cl)
	}
}

// lookupCommand finds a command by name, case-insensitively, without
// allocating. A map lookup hashes the name and cost a third of a GET in
// BenchmarkCommandGet; indexing by length and first letter leaves one to
// three names to compare.
func (s *Server) lookupCommand(name []byte) *command.Spec {
	var lower [maxCommandName]byte
	if len(name) == 0 || len(name) > len(lower) {
		return nil
	}
	for i, ch := range name {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		lower[i] = ch
	}
	first := lower[0] - 'a'
	if first >= 26 {
		return s.commands[string(lower[:len(name)])]
	}
	for _, c := range s.cmdIndex[len(name)][first] {
		if c.Name == string(lower[:len(name)]) {
			return c
		}
	}
	return nil
}

// Command implements protocol.Handler: check, route and run one command,
// then serve the clients blocked on keys it wrote (blocking.go).
func (s *Server) Command(c *protocol.Conn, args [][]byte) protocol.Result {
	if s.trk.clients.Load() != 0 {
		return s.commandTracked(c, args)
	}
	cl := c.Client.(*Client)
	cl.inCommand = true
	r := s.command(c, args)
	cl.inCommand = false
	if len(cl.heldPushes) != 0 {
		cl.releasePushes()
	}
	if s.router.Shard(c.Loop()).HasReady() {
		s.serveReady(c.Loop())
	}
	return r
}

func (s *Server) command(c *protocol.Conn, args [][]byte) protocol.Result {
	cl := c.Client.(*Client)
	home := c.Loop()
	cmd := s.lookupCommand(args[0])
	if cl.squash != nil {
		if s.joins(cl, cmd, args, home) {
			s.joinSquash(c, cl, cmd, args, home)
			return protocol.Done
		}
		if !passesSquash(cl, cmd) {
			s.runSquash(c, cl, home)
			return protocol.Retry
		}
	}
	var caching trackCaching
	if cl.trkLoop != nil {
		caching = cl.trackCaching()
		cl.trackStart(cmd)
	}
	if cmd == nil {
		name := strings.ToLower(string(args[0]))
		if name == "post" || name == "host:" {
			// Nothing after this line runs: a browser's request body
			// would otherwise be executed as commands.
			s.log.Warnf("Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection aborted.")
			c.Abort()
			return protocol.Done
		}
		s.rejectCommand(c, cl, home, nil, unknownCommandError(args))
		return protocol.Done
	}
	if !cmd.ArityOK(len(args)) {
		s.rejectCommand(c, cl, home, cmd, "ERR wrong number of arguments for '"+cmd.Name+"' command")
		return protocol.Done
	}
	if !cl.authed && cmd.Flags&command.FlagNoAuth == 0 {
		s.rejectCommand(c, cl, home, cmd, "NOAUTH Authentication required.")
		return protocol.Done
	}
	if msg := subscribedOnly(cl, cmd, args); msg != "" {
		s.rejectCommand(c, cl, home, cmd, msg)
		return protocol.Done
	}
	cl.lastCmd.Store(cmd)
	if s.mem.refuse.Load() && s.deniedOOM(cl, cmd, args) {
		s.rejectCommand(c, cl, home, cmd, errOOM)
		return protocol.Done
	}
	if s.scripts.Running() && s.scriptBusy(c, cl, cmd, args, home) {
		return protocol.Done
	}
	if s.persistCheck(c, cl, cmd, args, home) {
		return protocol.Done
	}
	if kind := s.pause.kind.Load(); kind != pauseOff && s.pausedFor(kind, cl, cmd, args) {
		if cl.trkLoop != nil {
			cl.restoreCaching(caching) // the command runs again after the pause
		}
		return s.postpone(c, cl, home)
	}

	if cl.multi != nil && !txControl(cmd) {
		return s.queueMulti(c, cl, cmd, args, home)
	}
	if s.monitors.n.Load() != 0 {
		s.feedCommand(c, cl, cmd, args, home)
	}
	if cmd.Conn != nil {
		switch cmd.Name {
		case "multi", "exec", "discard", "watch", "unwatch":
		default: // SAVE, BGSAVE and SHUTDOWN count themselves
			return cmd.Conn.(connFunc)(s, c, cl, args, home)
		}
		// MULTI, EXEC, DISCARD, WATCH and UNWATCH count in commandstats
		// as Redis counts them (EXEC's commands count on their own); a
		// WATCH sent back to wait for earlier replies counts once, when it
		// runs.
		start, errs := time.Now(), cl.connErrors
		r := cmd.Conn.(connFunc)(s, c, cl, args, home)
		if r != protocol.Retry {
			s.noteConnCall(cmd, home, start, cl.connErrors != errs)
		}
		return r
	}
	if cmd.Flags&command.FlagBlocking != 0 && (cmd.Blocks == nil || cmd.Blocks(args)) {
		return s.runBlocking(c, cl, cmd, args, home)
	}
	if cmd.Flags&command.FlagLoop != 0 {
		return s.runLocal(c, cl, cmd, args)
	}
	// The inline path, the hot one, takes the command's four words as they
	// are; a path that leaves the loop takes it as one call (building that
	// first cost GET at P16 5% in BenchmarkServerCommand).
	plan := &s.batch[home].plan
	if cmd.Flags&command.FlagAllShards != 0 {
		if s.router.N() == 1 {
			return s.runLocal(c, cl, cmd, args)
		}
		k := s.newCall(c, cl, cmd, args, home)
		if cmd.Multi == command.MultiRouted {
			s.runScan(&k)
		} else {
			plan.idx, plan.owner, plan.fps, plan.shards = plan.idx[:0], plan.owner[:0], plan.fps[:0], plan.shards[:0]
			s.runTx(&k, plan)
		}
		return protocol.Done
	}
	s.planKeys(plan, cmd, args)
	if target := plan.single(); target != home && (len(plan.shards) > 0 || plan.global) {
		k := s.newCall(c, cl, cmd, args, home)
		switch {
		case target >= 0:
			s.runHop(&k, target)
		case s.squashable(cl, cmd, args, home):
			s.openSquash(c, cl, cmd, args)
		default:
			s.runTx(&k, plan)
		}
		return protocol.Done
	}
	if !s.router.Idle(home) {
		if locks := plan.locks(nil, cmd, args); !s.router.Free(home, locks) {
			k := s.newCall(c, cl, cmd, args, home)
			s.runQueued(&k, locks)
			return protocol.Done
		}
	}
	return s.runLocal(c, cl, cmd, args)
}

// newCall makes the call of a command that leaves the loop.
func (s *Server) newCall(c *protocol.Conn, cl *Client, cmd *command.Spec, args [][]byte, home int) call {
	return call{c: c, cl: cl, cmd: cmd, args: args, now: s.batch[home].now, home: home}
}

// call is one command being dispatched from its connection's loop (home),
// with the batch's clock reading. Its arguments live in the loop's read
// buffer until the batch ends: a path that runs later copies them.
type call struct {
	c    *protocol.Conn
	cl   *Client
	cmd  *command.Spec
	args [][]byte
	now  time.Time
	home int
}

// connFunc is the Spec.Conn of the server's own connection commands (MULTI,
// EXEC, WATCH...): they run on the connection's loop with it at hand.
type connFunc = func(s *Server, c *protocol.Conn, cl *Client, args [][]byte, home int) protocol.Result

// runLocal runs a command on the connection's own loop and shard, inline.
func (s *Server) runLocal(c *protocol.Conn, cl *Client, cmd *command.Spec, args [][]byte) protocol.Result {
	home := c.Loop()
	x := s.loopExec[home]
	s.resetExec(x, cl, cmd, args, s.batch[home].now)
	x.SetHome(s.router.Shard(home))
	if s.trk.clients.Load() != 0 {
		return s.runLocalTracked(c, cl, x, home)
	}
	s.runInline(x, home)
	s.replyNow(c, cl, x)
	return protocol.Done
}

// replyNow writes x.Out as the connection's next reply (respecting CLIENT
// REPLY) and keeps the buffer for reuse.
func (s *Server) replyNow(c *protocol.Conn, cl *Client, x *command.Exec) {
	if cl.suppressReply() && !subscriptionPush(x) {
		x.Out = x.Out[:0]
		return
	}
	handOver(c, &x.Out)
	x.Out = x.Out[:0]
}

// handOver makes *out the connection's next reply: it trades places with
// the connection's empty output buffer when large (see appendOrTake), so
// *out may come back as another buffer.
func handOver(c *protocol.Conn, out *[]byte) {
	b := c.Begin()
	b = appendOrTake(b, out)
	c.End(b)
}

// subscriptionPush reports whether x answered a (un)subscribe with its
// confirmations: Redis sends those even under CLIENT REPLY OFF or SKIP, as
// it sends the messages (they are pushes, in RESP2 too); an error reply is
// suppressed as any other.
func subscriptionPush(x *command.Exec) bool {
	if len(x.Out) == 0 || x.Out[0] == '-' {
		return false
	}
	switch x.Cmd.Name {
	case "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe":
		return true
	}
	return false
}

// suppressReply applies CLIENT REPLY OFF/SKIP to the reply being sent.
// SKIP suppresses its own reply and the next command's.
func (cl *Client) suppressReply() bool {
	if cl.skipNext {
		cl.skipNext = false
		return true
	}
	if cl.replyMode == replySkip {
		cl.replyMode = replyOn
		cl.skipNext = true
		return true
	}
	return cl.replyMode == replyOff
}

// runScan runs SCAN on the shard its cursor names and, while the call has
// room left when a shard's table ends, on the next shards in turn. Each
// shard's part waits behind a whole-shard exclusive lock (FLUSHALL inside a
// transaction) like any keyless command.
func (s *Server) runScan(k *call) {
	cl, home := k.cl, k.home
	x := s.newDetachedExec(k)
	x.Continue = &command.Continuation{Next: -1}
	reply := reserveReply(k.c, cl)
	homeShard := s.router.Shard(home)
	var step func(sh int)
	step = func(sh int) {
		run := func() {
			x.SetHome(s.router.Shard(sh))
			s.runCommand(x, sh, cl)
			if next := x.Continue.Next; next >= 0 {
				s.router.Hop(next, func() { step(next) })
				return
			}
			reply.take(&x.Out)
			reply.completeVia(homeShard)
		}
		s.router.RunWhenFree(sh, noLocks, run)
	}
	first := k.cmd.Route(k.args, s.router.N())
	s.flushHops(home)
	s.router.Hop(first, func() { step(first) })
}

// noLocks is the lock set of a keyless command: it waits only for a
// whole-shard exclusive lock.
func noLocks() []txn.Lock { return nil }

// runQueued runs a command on the connection's own shard behind the
// scheduled transactions that hold conflicting locks.
func (s *Server) runQueued(k *call, locks []txn.Lock) {
	cl, home := k.cl, k.home
	x := s.newDetachedExec(k)
	x.SetHome(s.router.Shard(home))
	reply := reserveReply(k.c, cl)
	s.router.RunQueued(home, locks, func() {
		s.runCommand(x, home, cl)
		reply.take(&x.Out)
		reply.complete()
	})
}

// copyArgs copies arguments that live in a connection's read buffer into
// one allocation of their own.
func copyArgs(args [][]byte) [][]byte {
	cp, _ := copyArgsInto(make([][]byte, 0, len(args)), nil, args)
	return cp
}

// copyArgsInto copies args into buf, grown once if it is too small, and
// appends to dst one slice per argument over the copy; it returns both, so
// a caller that owns them can reuse their space for the next command.
func copyArgsInto(dst [][]byte, buf []byte, args [][]byte) ([][]byte, []byte) {
	total := 0
	for _, a := range args {
		total += len(a)
	}
	if cap(buf) < total {
		buf = make([]byte, 0, total)
	}
	buf = buf[:0]
	for _, a := range args {
		start := len(buf)
		buf = append(buf, a...)
		dst = append(dst, buf[start:len(buf):len(buf)])
	}
	return dst, buf
}

// newDetachedExec copies the arguments so the command can run after the
// read buffer is reused.
func (s *Server) newDetachedExec(k *call) *command.Exec {
	x := &command.Exec{Env: s}
	s.resetExec(x, k.cl, k.cmd, copyArgs(k.args), k.now)
	x.Client = nil
	return x
}

// resetExec readies x, an Exec of this server, to run cmd for client cl.
func (s *Server) resetExec(x *command.Exec, cl *Client, cmd *command.Spec, args [][]byte, now time.Time) {
	x.Client = cl
	x.Reset(cmd, args, int(cl.db.Load()), int(cl.proto.Load()), cl.noTouch.Load(), now.UnixMilli())
	x.Track = 0
	if cl.trkLoop != nil {
		x.Track = cl.trackFor(cmd)
	}
}

// runCommand runs x (after a hop, or queued behind a lock) and records its
// statistics on loop slot statIdx, timing it on its own; a slow one goes to
// the slow log with cl's address and name (cl is read-only here).
func (s *Server) runCommand(x *command.Exec, statIdx int, cl *Client) {
	start := time.Now()
	s.runUntimed(x, cl)
	s.noteRun(x, statIdx, time.Since(start), cl)
}

// runUntimed runs x on its home shard, the caller timing it.
func (s *Server) runUntimed(x *command.Exec, cl *Client) {
	tr := s.trackBegin(x.Home, cl)
	if x.Cmd.Flags&command.FlagDenyOOM == 0 || !x.Home.OverBudget() || s.makeRoom(x) {
		x.Cmd.Run(x)
	}
	if tr {
		s.trackAfter(x, x.Track)
	}
}

// runInline runs x on the connection's loop. Reading the clock costs as
// much as a small command on some virtual machines, so inline commands are
// not timed one by one: the batch they belong to is timed once and its
// duration shared among them (see EndBatch).
func (s *Server) runInline(x *command.Exec, loop int) {
	if x.Cmd.Flags&command.FlagDenyOOM == 0 || !x.Home.OverBudget() || s.makeRoom(x) {
		x.Cmd.Run(x)
	}
	st := &x.Cmd.Stats[loop]
	st.Calls.Add(1)
	if x.Failed {
		st.Failed.Add(1)
	}
	b := &s.batch[loop]
	if len(b.cmds) == 0 {
		b.args, b.argc = b.args[:0], b.argc[:0]
	}
	b.cmds = append(b.cmds, x.Cmd)
	// The arguments, for the slow log (see package slowlog): slices into the
	// read buffer, valid until EndBatch; only the first slowlog.MaxArgs, all
	// the slow log shows, so a command of a million arguments is not
	// listed again here.
	b.args = append(b.args, x.Args[:min(len(x.Args), slowlog.MaxArgs)]...)
	b.argc = append(b.argc, int32(len(x.Args)))
}

// batchState is per loop: the clock read once per batch of commands.
type batchState struct {
	now        time.Time
	hops       [][]*hopCall    // per target shard: hops queued in this batch
	hopTargets []int           // shards with queued hops, in first-use order
	hopFree    hopPool         // hop records for reuse (hop.go)
	cmds       []*command.Spec // run inline in this batch, for timing
	args       [][]byte        // their first arguments (slowlog.MaxArgs at most each), end to end
	argc       []int32         // each one's number of arguments
	execOut    []byte          // scratch for the reply of an EXEC run inline
	plan       keyPlan         // scratch for the key plan of the command being dispatched
	evalResult command.Result  // scratch for a script run inline (env_scriptcmd.go)
	postponed  []postponedCmd  // commands a CLIENT PAUSE holds (pause.go)
	_          [32]byte
}

// BeginBatch implements protocol.Handler: one clock read for the commands
// parsed from one read.
func (s *Server) BeginBatch(c *protocol.Conn) {
	b := &s.batch[c.Loop()]
	b.now = time.Now()
	b.cmds, b.args, b.argc = b.cmds[:0], b.args[:0], b.argc[:0]
	if cl, ok := c.Client.(*Client); ok {
		cl.lastInteraction.Store(b.now.UnixMilli())
	}
}

// EndBatch implements protocol.Handler: share the batch's duration among
// the commands that ran inline.
func (s *Server) EndBatch(c *protocol.Conn) {
	if cl, ok := c.Client.(*Client); ok && cl.squash != nil {
		s.runSquash(c, cl, c.Loop())
	}
	s.flushHops(c.Loop())
	// A command with many keys or a large reply does not pin the loop's
	// scratch.
	b := &s.batch[c.Loop()]
	if cap(b.plan.idx) > maxSpareKeys {
		b.plan = keyPlan{}
	}
	if x := s.loopExec[c.Loop()]; cap(x.Out) > maxLoopReplyBytes {
		x.Out = nil
	}
	if len(b.cmds) == 0 {
		return
	}
	total := time.Since(b.now)
	each := int64(total) / int64(len(b.cmds))
	loop := c.Loop()
	for _, cmd := range b.cmds {
		cmd.Stats[loop].Nsec.Add(each)
		s.noteLatency(cmd, loop, each)
	}
	if s.mon.Notable(total) {
		s.noteBatch(c, b, total)
	}
	clear(b.cmds)
	clear(b.args)
	b.cmds, b.args, b.argc = b.cmds[:0], b.args[:0], b.argc[:0]
}

// rejectCommand answers a command refused before it ran.
func (s *Server) rejectCommand(c *protocol.Conn, cl *Client, home int, cmd *command.Spec, msg string) {
	if cmd != nil {
		cmd.Stats[home].Rejected.Add(1)
	}
	if cl.multi != nil {
		cl.multi.aborted = true // EXEC answers EXECABORT
	}
	if cmd != nil && cmd.Name == "exec" {
		// Redis's execCommandAbort: EXEC refused before it ran discards the
		// transaction and the watches, and says why.
		msg = "EXECABORT Transaction discarded because of: " + strings.TrimPrefix(msg, "ERR ")
		cl.endMulti()
		s.unwatchAll(cl)
	}
	s.countErrorPrefix(home, msg)
	if cl.suppressReply() {
		return
	}
	b := c.Begin()
	b = resp.AppendError(b, msg)
	c.End(b)
}

// unknownCommandError words the error as Redis 7 does.
func unknownCommandError(args [][]byte) string {
	var sb strings.Builder
	for i := 1; i < len(args) && sb.Len() < 128; i++ {
		a := args[i]
		room := 128 - sb.Len()
		if len(a) > room {
			a = a[:room]
		}
		sb.WriteString("'")
		sb.Write(a)
		sb.WriteString("' ")
	}
	name := args[0]
	if len(name) > 128 {
		name = name[:128]
	}
	return command.SanitizeError("ERR unknown command '" + string(name) + "', with args beginning with: " + sb.String())
}
