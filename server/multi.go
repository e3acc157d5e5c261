package server

import (
	"slices"
	"time"

	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/protocol/resp"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/debugcmd"
	"github.com/anaxdb/anax/server/servercmd"
	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/txn"
)

// MULTI, EXEC, DISCARD, WATCH and UNWATCH (Redis's multi.c).
//
// Between MULTI and EXEC the connection's commands are checked (name,
// arity, authentication) and queued with copies of their arguments. EXEC
// runs the queue atomically:
//
//   - when every key lives on one shard (hash tags make that easy) and no
//     command needs another shard, the whole body runs in one piece on that
//     shard: inline when it is the connection's own shard and no scheduled
//     transaction holds a conflicting lock, else in one hop (queued behind
//     such a transaction if there is one);
//   - otherwise one transaction is scheduled with the
//     locks of every queued command (every shard, if one of them needs the
//     whole keyspace) and runs the body in hops: consecutive commands that
//     each stay on one shard, or split into per-shard pieces (with keyspace
//     notifications off), are squashed into one hop per shard, the others
//     run as they would alone (txexec.go). A pipeline of commands spanning
//     shards runs this way too (squash.go).
//
// WATCH registers the client on each key's shard (shard.Watcher); any
// change to the key marks the watcher dirty, and EXEC checks the flag once
// its transaction holds the watched keys' shards, after a last check for
// watched keys that expired since (Redis's isWatchedKeyExpired).

// multiState is a connection's open MULTI.
type multiState struct {
	cmds    []queuedCommand
	aborted bool // a command was refused while queueing: EXEC answers EXECABORT
	denyOOM bool // a deny-oom command is queued: EXEC is refused over maxmemory
	bytes   int  // a squash's arguments (squash.go); MULTI counts in Conn.Queued
	// groups are a squash's EXEC bodies, in order (squash.go): the
	// commands whose replies form one EXEC's array.
	groups []execGroup
}

// execGroup is one EXEC body in a squash: commands [start, start+n), n > 0.
// A body that joined a squash has a reply slot of its own (own), reserved
// behind the replies written since the squash's earlier slot (its MULTI's
// +OK, its +QUEUED): its replies and those of the squash's commands after
// it, up to the next such body, fill it. at is where its replies began in
// the squash's output (execRun.beginReply).
type execGroup struct {
	start, n, at int
	own          bool
	reply        laterReply
}

// argvBytes is what a queued command adds to Redis's multi-mem: its
// arguments' bytes plus a pointer each.
func argvBytes(args [][]byte) int {
	n := 0
	for _, a := range args {
		n += len(a) + 8
	}
	return n
}

type queuedCommand struct {
	cmd  *command.Spec
	args [][]byte
	buf  []byte  // the bytes args point into
	plan keyPlan // where its keys live, planned when it was queued (with more than one shard)
}

// maxSpareBytes bounds what a buffer kept for reuse may hold on to (a
// recycled multiState's arguments, a pooled Exec's output), so one
// transaction with a large value does not pin it.
const maxSpareBytes = 64 << 10

// maxLoopReplyBytes bounds the reply buffer a loop's inline Exec keeps
// between batches, and the loop's EXEC reply scratch: as much as a
// connection keeps of its output buffer. A
// reply is built there and then swapped with the connection's output
// buffer (appendOrTake), so a bound below the replies a client keeps
// asking for dropped one of the two buffers on every command, and each
// reply grew a new one by doubling: LRANGE 0 99 of 1 KB elements at
// pipeline 1 spent 40% of the server's CPU copying and clearing those
// buffers and collecting them. One per loop.
const maxLoopReplyBytes = protocol.KeptOutputBytes

// maxSpareKeys bounds the key-position scratch a loop keeps for reuse.
const maxSpareKeys = 4096

// queue appends a command, copying its arguments into space the state
// keeps when it is recycled: the slot of an earlier transaction's command
// at the same position, when there is one.
func (m *multiState) queue(s *Server, cmd *command.Spec, args [][]byte) {
	n := len(m.cmds)
	if n < cap(m.cmds) {
		m.cmds = m.cmds[:n+1]
	} else {
		m.cmds = append(m.cmds, queuedCommand{})
	}
	q := &m.cmds[n]
	q.cmd = cmd
	if s.isDenyOOM(cmd, args) {
		m.denyOOM = true
	}
	q.args, q.buf = copyArgsInto(q.args[:0], q.buf, args)
	if cmd.Flags&(command.FlagLoop|command.FlagAllShards) == 0 && s.router.N() > 1 {
		s.planKeys(&q.plan, cmd, q.args)
	} else { // one shard runs every body whole (planExec): nothing to plan
		q.plan.idx, q.plan.owner, q.plan.fps, q.plan.shards = q.plan.idx[:0], q.plan.owner[:0], q.plan.fps[:0], q.plan.shards[:0]
	}
}

// newMulti returns one of the client's spare states, or a new one.
func (cl *Client) newMulti() *multiState {
	for i, m := range cl.spareMulti {
		if m != nil {
			cl.spareMulti[i] = nil
			return m
		}
	}
	return &multiState{}
}

// endMulti leaves MULTI and returns its state (nil outside one).
func (cl *Client) endMulti() *multiState {
	m := cl.multi
	cl.multi = nil
	if cl.conn != nil {
		cl.conn.Queued = 0
	}
	cl.multiCount.Store(-1)
	cl.multiMem.Store(0)
	return m
}

// recycleMulti keeps m for the client's next MULTI. Nothing may refer to
// m's commands or arguments any more: the EXEC that ran them has replied.
func (cl *Client) recycleMulti(m *multiState) {
	kept, all := 0, m.cmds[:cap(m.cmds)]
	for i := range all { // by index: a queuedCommand is 160 bytes to copy
		kept += cap(all[i].buf)
	}
	if kept > maxSpareBytes {
		return
	}
	m.cmds, m.groups = m.cmds[:0], m.groups[:0]
	m.aborted, m.denyOOM, m.bytes = false, false, 0
	if cl.spareMulti[0] == nil {
		cl.spareMulti[0] = m
	} else {
		cl.spareMulti[1] = m
	}
}

// watchedKey is one key a client watches.
type watchedKey struct {
	db    int
	key   []byte
	shard int
}

func (s *Server) multiCommands() []*command.Spec {
	tx := command.FlagLoop | command.FlagNoScript | command.FlagLoading | command.FlagStale | command.FlagFast
	return []*command.Spec{
		{Name: "multi", Arity: 1, Flags: tx, Conn: connMulti, Group: "transactions", Summary: "Starts a transaction.", Since: "1.2.0", Complexity: "O(1)"},
		{Name: "exec", Arity: 1, Flags: command.FlagLoop | command.FlagNoScript | command.FlagLoading | command.FlagStale, Conn: connExec, Group: "transactions", Summary: "Executes all commands in a transaction.", Since: "1.2.0", Complexity: "Depends on commands in the transaction"},
		{Name: "discard", Arity: 1, Flags: tx, Conn: connDiscard, Group: "transactions", Summary: "Discards a transaction.", Since: "2.0.0", Complexity: "O(N), when N is the number of queued commands"},
		{Name: "watch", Arity: -2, Flags: tx, FirstKey: 1, LastKey: -1, Step: 1, Conn: connWatch, Group: "transactions", Summary: "Monitors changes to keys to determine the execution of a transaction.", Since: "2.2.0", Complexity: "O(1) for every key."},
		{Name: "unwatch", Arity: 1, Flags: tx, Conn: connUnwatch, Run: func(x *command.Exec) { x.OK() }, Group: "transactions", Summary: "Forgets about watched keys of a transaction.", Since: "2.2.0", Complexity: "O(1)"},
	}
}

// txControl reports whether cmd acts on the transaction itself and so runs
// at once inside MULTI instead of being queued.
func txControl(c *command.Spec) bool {
	switch c.Name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return true
	}
	return false
}

// reply writes a complete reply for the connection, honouring CLIENT REPLY.
func (s *Server) reply(c *protocol.Conn, cl *Client, b []byte) {
	if cl.suppressReply() {
		return
	}
	out := c.Begin()
	out = append(out, b...)
	c.End(out)
}

func (s *Server) replyError(c *protocol.Conn, cl *Client, home int, msg string) {
	cl.connErrors++
	s.countErrorPrefix(home, msg)
	s.reply(c, cl, resp.AppendError(nil, msg))
}

// queueMulti queues a command inside MULTI, after the checks Redis makes
// before queueing (each refusal aborts the transaction): commands not
// allowed in a transaction, unknown subcommands and their arity, DEBUG
// and MODULE LOAD, LOADEX and UNLOAD while their settings refuse them.
func (s *Server) queueMulti(c *protocol.Conn, cl *Client, cmd *command.Spec, args [][]byte, home int) protocol.Result {
	if cmd.Flags&command.FlagNoMulti != 0 {
		s.rejectCommand(c, cl, home, cmd, "ERR Command not allowed inside a transaction")
		return protocol.Done
	}
	if len(cmd.Subcommands) > 0 && len(args) > 1 {
		if sub, msg := s.checkSubcommand(cmd, args); msg != "" {
			charged := cmd
			if sub != nil {
				charged = sub
			}
			s.rejectCommand(c, cl, home, charged, msg)
			return protocol.Done
		}
	}
	if cmd.Name == "debug" && !s.debugAllowedFor(cl) {
		s.rejectCommand(c, cl, home, cmd, debugcmd.ErrNotAllowed)
		return protocol.Done
	}
	if cmd.Name == "module" && len(args) > 1 && servercmd.ModuleSubcommandProtected(args[1]) &&
		!command.ProtectedAllowed(s.cfg.String("enable-module-command"), s.clientIsLocal(cl)) {
		s.rejectCommand(c, cl, home, cmd, servercmd.ErrModuleNotAllowed)
		return protocol.Done
	}
	cl.multi.queue(s, cmd, args)
	// The queue's bytes count towards client-query-buffer-limit (c.Queued).
	c.Queued += argvBytes(args)
	cl.multiCount.Store(int32(len(cl.multi.cmds)))
	cl.multiMem.Store(int64(c.Queued))
	s.reply(c, cl, []byte("+QUEUED\r\n"))
	return protocol.Done
}

func connMulti(s *Server, c *protocol.Conn, cl *Client, args [][]byte, home int) protocol.Result {
	if cl.multi != nil {
		s.replyError(c, cl, home, "ERR MULTI calls can not be nested")
		return protocol.Done
	}
	cl.multi = cl.newMulti()
	cl.multiCount.Store(0)
	s.reply(c, cl, []byte("+OK\r\n"))
	return protocol.Done
}

func connDiscard(s *Server, c *protocol.Conn, cl *Client, args [][]byte, home int) protocol.Result {
	if cl.multi == nil {
		s.replyError(c, cl, home, "ERR DISCARD without MULTI")
		return protocol.Done
	}
	cl.recycleMulti(cl.endMulti())
	s.unwatchAll(cl)
	s.reply(c, cl, []byte("+OK\r\n"))
	return protocol.Done
}

func connUnwatch(s *Server, c *protocol.Conn, cl *Client, args [][]byte, home int) protocol.Result {
	s.unwatchAll(cl)
	s.reply(c, cl, []byte("+OK\r\n"))
	return protocol.Done
}

// connWatch registers the client on every key's shard and answers once all
// registrations are in place, so that any write ordered after the reply is
// seen.
func connWatch(s *Server, c *protocol.Conn, cl *Client, args [][]byte, home int) protocol.Result {
	if cl.multi != nil {
		s.replyError(c, cl, home, "ERR WATCH inside MULTI is not allowed")
		return protocol.Done
	}
	if c.Pending() > 0 {
		return protocol.Retry // earlier commands of this connection first
	}
	if cl.watcher == nil {
		cl.watcher = &shard.Watcher{}
		if cl.gauges != nil {
			cl.gauges.watching.Add(1)
		}
	}
	w := cl.watcher
	db := int(cl.db.Load())
	now := s.batch[home].now.UnixMilli()
	var remote []watchedKey
	for _, key := range args[1:] {
		if cl.watches(db, key) {
			continue
		}
		wk := watchedKey{db: db, key: append([]byte(nil), key...), shard: s.router.Route(key)}
		cl.watched = append(cl.watched, wk)
		if wk.shard == home {
			s.router.Shard(home).Watch(db, wk.key, w, now)
		} else {
			remote = append(remote, wk)
		}
	}
	cl.watchCount.Store(int32(len(cl.watched)))
	if len(remote) == 0 {
		s.reply(c, cl, []byte("+OK\r\n"))
		return protocol.Done
	}
	reply := reserveReply(c, cl)
	c.Hold()
	pending := len(remote)
	homeShard := s.router.Shard(home)
	for _, wk := range remote {
		wk := wk
		s.router.Hop(wk.shard, func() {
			s.router.Shard(wk.shard).Watch(wk.db, wk.key, w, now)
			homeShard.Post(func() {
				pending--
				if pending == 0 {
					reply.write([]byte("+OK\r\n"))
					reply.complete()
				}
			})
		})
	}
	return protocol.Done
}

func (cl *Client) watches(db int, key []byte) bool {
	for _, wk := range cl.watched {
		if wk.db == db && string(wk.key) == string(key) {
			return true
		}
	}
	return false
}

// unwatchAll forgets the client's watched keys. Runs on the client's loop.
func (s *Server) unwatchAll(cl *Client) {
	s.unregisterWatches(cl.takeWatches())
}

// takeWatches returns the client's watch session and keys and leaves it
// watching nothing; the caller unregisters them from the shards.
func (cl *Client) takeWatches() (*shard.Watcher, []watchedKey) {
	w, watched := cl.watcher, cl.watched
	if w == nil {
		return nil, nil
	}
	cl.watcher, cl.watched = nil, nil
	cl.watchCount.Store(0)
	if cl.gauges != nil {
		cl.gauges.watching.Add(-1)
	}
	return w, watched
}

func (s *Server) unregisterWatches(w *shard.Watcher, keys []watchedKey) {
	for _, wk := range keys {
		wk := wk
		s.router.Shard(wk.shard).Post(func() { s.router.Shard(wk.shard).Unwatch(wk.db, wk.key, w) })
	}
}

// planExec returns the shard an EXEC body can run on in one piece (every
// key and watched key on it; home when there are none), or false when the
// body needs a transaction across shards.
func (s *Server) planExec(cmds []queuedCommand, watched []watchedKey, home int) (int, bool) {
	if s.router.N() == 1 {
		return 0, true
	}
	target, loopCmds := -1, false
	for i := range cmds {
		q := &cmds[i]
		if q.cmd.Flags&command.FlagAllShards != 0 || q.plan.global {
			return 0, false
		}
		if q.cmd.Flags&command.FlagLoop != 0 {
			loopCmds = true
			continue
		}
		for _, sh := range q.plan.shards {
			if target >= 0 && sh != target {
				return 0, false
			}
			target = sh
		}
	}
	for _, wk := range watched {
		if target >= 0 && wk.shard != target {
			return 0, false
		}
		target = wk.shard
	}
	if target < 0 {
		target = home
	}
	if loopCmds && target != home {
		return 0, false // connection commands run on the home loop
	}
	return target, true
}

// execLocks returns the locks of a whole EXEC body on one shard.
func (s *Server) execLocks(cmds []queuedCommand, watched []watchedKey) []txn.Lock {
	var locks []txn.Lock
	for i := range cmds {
		locks = cmds[i].plan.locks(locks, cmds[i].cmd, cmds[i].args)
	}
	for _, wk := range watched {
		locks = append(locks, txn.Lock{FP: txn.Fingerprint(wk.key), Mode: txn.Shared})
	}
	return locks
}

func connExec(s *Server, c *protocol.Conn, cl *Client, args [][]byte, home int) protocol.Result {
	if cl.multi == nil {
		s.replyError(c, cl, home, "ERR EXEC without MULTI")
		return protocol.Done
	}
	if cl.squash != nil {
		// Pipelined transactions: this body joins the squash open before
		// it (squash.go), or runs once that has.
		bodyBytes, ok := s.execJoins(cl, cl.multi, cl.watcher != nil, home)
		if !ok {
			s.runSquash(c, cl, home)
			return protocol.Retry
		}
		m := cl.endMulti()
		if s.monitors.n.Load() != 0 {
			s.feedExec(cl, m.cmds, args[0], home)
		}
		s.joinExec(c, cl, m, bodyBytes)
		return protocol.Done
	}
	if c.Pending() > 0 {
		return protocol.Retry // earlier commands of this connection first
	}
	m := cl.endMulti()
	w, watched := cl.takeWatches()
	proto := int(cl.proto.Load())
	if m.aborted {
		s.unregisterWatches(w, watched)
		s.replyError(c, cl, home, "EXECABORT Transaction discarded because of previous errors.")
		if s.monitors.n.Load() != 0 {
			s.feedExec(cl, nil, args[0], home)
		}
		return protocol.Done
	}
	if w != nil && w.Dirty.Load() {
		s.unregisterWatches(w, watched)
		s.reply(c, cl, resp.AppendNullArray(nil, proto))
		if s.monitors.n.Load() != 0 {
			s.feedExec(cl, nil, args[0], home)
		}
		return protocol.Done
	}
	if s.monitors.n.Load() != 0 {
		s.feedExec(cl, m.cmds, args[0], home)
	}
	now := s.batch[home].now
	target, one := s.planExec(m.cmds, watched, home)
	var locks []txn.Lock
	if one && target == home {
		free := s.router.Idle(home)
		if !free {
			locks = s.execLocks(m.cmds, watched)
			free = s.router.Free(home, locks)
		}
		if free {
			// The common case, and the one that allocates nothing: the
			// reply is built in the loop's scratch, which then trades
			// places with the connection's output buffer (or is copied
			// behind what that holds), as a command's reply does in
			// replyNow; both are kept up to the same bound.
			out := s.execOnShard(s.batch[home].execOut[:0], cl, m.cmds, w, watched, home, now, proto, true)
			s.unregisterWatches(w, watched)
			if !cl.suppressReply() {
				handOver(c, &out)
			}
			if cap(out) <= maxLoopReplyBytes {
				s.batch[home].execOut = out[:0]
			} else {
				s.batch[home].execOut = nil
			}
			cl.recycleMulti(m)
			return protocol.Done
		}
	}
	if bodyBytes, ok := s.execJoins(cl, m, w != nil, home); ok {
		// The body leaves the loop (another shard, several, or behind a
		// lock): the transactions after it in the read batch may run with
		// it (squash.go).
		s.openExecSquash(c, cl, m, bodyBytes)
		return protocol.Done
	}
	s.runExec(c, cl, m, w, watched, target, one, locks, home, now, proto, reserveReply(c, cl))
	return protocol.Done
}

// runExec runs the body of cl's MULTI m where it cannot run inline: on
// target in one piece when one is set (behind the lock holders of locks, on
// the client's own loop), else as a transaction across shards. The reply
// fills reply, and the connection is held until it is written.
func (s *Server) runExec(c *protocol.Conn, cl *Client, m *multiState, w *shard.Watcher, watched []watchedKey, target int, one bool, locks []txn.Lock, home int, now time.Time, proto int, reply laterReply) {
	run := func(inline bool) []byte {
		out := s.execOnShard(nil, cl, m.cmds, w, watched, target, now, proto, inline)
		s.unregisterWatches(w, watched)
		return out
	}
	c.Hold()
	homeShard := s.router.Shard(home)
	deliver := func(out *[]byte) {
		reply.take(out)
		homeShard.Post(func() {
			reply.complete()
			// The body has run and its reply is copied: its space serves
			// the client's next MULTI (the connection was held, so none
			// has begun).
			cl.recycleMulti(m)
		})
	}
	switch {
	case one && target == home:
		// Behind a lock holder, on the client's own loop: connection
		// commands may run.
		s.router.RunQueued(home, locks, func() { out := run(true); deliver(&out) })
	case one:
		s.router.Hop(target, func() {
			s.router.RunWhenFree(target, func() []txn.Lock { return s.execLocks(m.cmds, watched) },
				func() { out := run(false); deliver(&out) })
		})
	default:
		s.execDistributed(c, cl, m.cmds, nil, w, watched, home, now, proto, true, func(out *[]byte) {
			s.unregisterWatches(w, watched)
			deliver(out)
		})
	}
}

// execOnShard runs a whole EXEC body on shard sh's goroutine (which, when
// inline, is also the client's loop) and appends the reply to dst.
func (s *Server) execOnShard(dst []byte, cl *Client, cmds []queuedCommand, w *shard.Watcher, watched []watchedKey, sh int, now time.Time, proto int, inline bool) []byte {
	owner := s.router.Shard(sh)
	for _, wk := range watched {
		owner.CheckWatchExpired(wk.db, wk.key, w, now.UnixMilli())
	}
	if w != nil && w.Dirty.Load() {
		return resp.AppendNullArray(dst, proto)
	}
	out := resp.AppendArrayLen(dst, len(cmds))
	x := s.takeExec(sh)
	// Each command appends its reply to the EXEC's own, which x.Out is
	// while it runs (no command reads its reply from the buffer's start:
	// those that go back over theirs keep offsets from where they began);
	// x keeps its buffer for the pool.
	own := x.Out
	// One clock reading per command: each one's end starts the next.
	start := time.Now()
	for _, q := range cmds {
		s.resetExec(x, cl, q.cmd, q.args, now)
		x.Out = out
		x.SetHome(owner)
		if !inline {
			x.Client = nil
		}
		tr := s.trackBegin(owner, cl)
		q.cmd.Run(x)
		if tr {
			s.trackAfter(x, x.Track)
		}
		end := time.Now()
		s.noteRun(x, sh, end.Sub(start), cl)
		start = end
		out = x.Out
	}
	x.Out = own[:0]
	s.putExec(sh, x)
	if len(cmds) > 1 { // they ran without a hop of their own
		s.router.Stats.Squashed.Add(int64(len(cmds)))
	}
	return out
}

// takeExec returns an Exec for a command run by shard sh's goroutine, the
// only caller, outside the loop's own Exec (which the command that led here
// may be using). A stack rather than one Exec: a body may, in principle,
// start another.
func (s *Server) takeExec(sh int) *command.Exec {
	free := s.execFree[sh]
	if n := len(free); n > 0 {
		x := free[n-1]
		s.execFree[sh] = free[:n-1]
		return x
	}
	return &command.Exec{Env: s}
}

// putExec gives x back to shard sh's stack, without what it referred to.
func (s *Server) putExec(sh int, x *command.Exec) {
	x.Client, x.Cmd, x.Args = nil, nil, nil
	if cap(x.Out) > maxSpareBytes {
		x.Out = nil
	}
	s.execFree[sh] = append(s.execFree[sh], x)
}

// execDistributed runs an EXEC body whose commands span shards as one
// transaction and passes the reply to done: EXEC's array of the commands'
// replies, or with !header the replies alone (a squash), each of groups
// (a squash's EXEC bodies) framed as an array. done may take the
// buffer (leaving another in its place) or copy from it. The steps run one
// after another, each on the goroutine of the shard that ended the
// previous one (or on the client's loop for connection commands).
func (s *Server) execDistributed(c *protocol.Conn, cl *Client, cmds []queuedCommand, groups []execGroup, w *shard.Watcher, watched []watchedKey, home int, now time.Time, proto int, header bool, done func(out *[]byte)) {
	tx := s.router.NewTx()
	global, globalMode := false, txn.Shared
	for _, q := range cmds {
		if q.cmd.Flags&command.FlagAllShards != 0 || q.plan.global {
			global = true
			if lockMode(q.cmd) == txn.Exclusive {
				globalMode = txn.Exclusive
			}
		}
	}
	if global {
		tx.LockAll(globalMode)
	} else {
		for i := range cmds {
			if q := &cmds[i]; q.cmd.Flags&command.FlagLoop == 0 {
				q.plan.lockIn(tx, q.cmd, q.args, home)
			}
		}
		for _, wk := range watched {
			tx.Lock(wk.shard, txn.Fingerprint(wk.key), txn.Shared)
		}
	}
	e := s.takeExecRun()
	e.c, e.cl, e.cmds, e.groups, e.home, e.now, e.done = c, cl, cmds, groups, home, now, done
	e.group = 0
	e.t = txRun{s: s, tx: tx, home: home, cl: cl}
	e.i, e.concluded = 0, false
	e.out = e.out[:0]
	if header {
		e.out = resp.AppendArrayLen(e.out, len(cmds))
	}
	if len(watched) == 0 {
		tx.StartOn(home, e.stepFn)
		return
	}
	tx.StartOn(home, func() {
		var shards []int
		for _, wk := range watched {
			if !slices.Contains(shards, wk.shard) {
				shards = append(shards, wk.shard)
			}
		}
		tx.HopThen(shards, func(sh int) {
			for _, wk := range watched {
				if wk.shard == sh {
					s.router.Shard(sh).CheckWatchExpired(wk.db, wk.key, w, now.UnixMilli())
				}
			}
		}, false, func() {
			if w.Dirty.Load() {
				e.out = resp.AppendNullArray(e.out[:0], proto)
				e.finish()
				return
			}
			e.step()
		})
	})
}

// execRun is a distributed EXEC in progress: commands before i have run,
// and their replies are in out (after EXEC's array header, if any). Runs
// are reused (takeExecRun): the EXEC of a pipeline squashed at every read
// batch would otherwise allocate its contexts, its replies and its
// closures each time.
type execRun struct {
	s    *Server
	c    *protocol.Conn
	cl   *Client
	cmds []queuedCommand
	// groups are the EXEC bodies among cmds (a squash's), whose replies
	// are framed as arrays; group is the next one to begin.
	groups []execGroup
	group  int
	home   int
	now    time.Time
	t      txRun
	i      int
	out    []byte
	done   func(out *[]byte)
	// concluded is set when the last step released the transaction's locks
	// in its own hop.
	concluded bool

	// The run of commands [i, j) in progress (step): their contexts (by
	// k-i), their split plans (nil for a single-shard command), each
	// shard's commands among them (by shard index), the shards in the
	// order first met, the held keyspace events and when the run began.
	execs    []command.Exec
	splits   []*splitPlan
	byShard  [][]int
	shards   []int
	j        int
	held     []*heldNotes
	runStart time.Time

	// The run's hop and continuation, and step, bound once per execRun.
	runFn   func(sh int)
	afterFn func()
	stepFn  func()
}

// takeExecRun returns an idle execRun.
func (s *Server) takeExecRun() *execRun {
	if e, ok := s.execRuns.Get().(*execRun); ok {
		return e
	}
	e := &execRun{s: s, byShard: make([][]int, s.router.N())}
	e.runFn, e.afterFn, e.stepFn = e.runOnShard, e.afterRun, e.step
	return e
}

// finish concludes the transaction (unless its last hop did), hands the
// reply to done and gives e and the transaction back.
func (e *execRun) finish() {
	tx := e.t.tx
	if !e.concluded {
		tx.Conclude()
	}
	e.done(&e.out)
	e.release()
	tx.Release()
}

// maxKeptExecs bounds the contexts a released execRun keeps: a MULTI body
// of many commands does not pin one each in the pool.
const maxKeptExecs = 1024

// release gives e back. Its next use sets what it refers to (execDistributed,
// step, exec), so only its buffers are bounded here, each to maxSpareBytes;
// what it still points to lives at most until the pool is emptied at a
// collection.
func (e *execRun) release() {
	if cap(e.execs) > maxKeptExecs {
		e.execs = nil
	}
	for k := range e.execs {
		if x := &e.execs[k]; cap(x.Out) > maxSpareBytes {
			x.Out = nil
		}
	}
	if cap(e.out) > maxSpareBytes {
		e.out = nil
	}
	e.s.execRuns.Put(e)
}

// singleShard returns the one shard a queued command's keys are on, or -1
// when it needs more (or none, or the client's loop).
func (e *execRun) singleShard(q *queuedCommand) int {
	if q.cmd.Flags&(command.FlagLoop|command.FlagAllShards) != 0 {
		return -1
	}
	return q.plan.single()
}

// useExecs readies e.execs for n contexts; pointers into it stay valid
// until the next call.
func (e *execRun) useExecs(n int) {
	if cap(e.execs) < n {
		e.execs = append(e.execs[:cap(e.execs)], make([]command.Exec, n-cap(e.execs))...)
	}
	e.execs = e.execs[:n]
}

// exec readies context slot of the run for queued command k.
func (e *execRun) exec(slot, k int) *command.Exec {
	x := &e.execs[slot]
	x.Env = e.s
	x.Home, x.Result, x.Continue, x.Block = nil, nil, nil, nil
	e.s.resetExec(x, e.cl, e.cmds[k].cmd, e.cmds[k].args, e.now)
	return x
}

// step runs the next command, or the next run of commands squashed into
// one hop per shard (those on one shard, and those split into pieces),
// and continues with the rest.
func (e *execRun) step() {
	s, cmds := e.s, e.cmds
	if e.i >= len(cmds) {
		e.finish()
		return
	}
	i := e.i
	q := &cmds[i]
	if q.cmd.Flags&command.FlagLoop != 0 {
		// A connection command: on the client's loop, where the client may
		// be touched (SELECT changes the database of what follows).
		s.router.Shard(e.home).Post(func() {
			e.t.tx.On(e.home)
			e.useExecs(1)
			x := e.exec(0, i)
			x.SetHome(s.router.Shard(e.home))
			start := time.Now()
			q.cmd.Run(x)
			s.noteRun(x, e.home, time.Since(start), e.cl)
			e.beginReply(i)
			e.out = append(e.out, x.Out...)
			e.i++
			e.step()
		})
		return
	}
	notes := s.notify.mask.Load() != 0
	if e.singleShard(q) < 0 && (notes || !e.splitsWhole(q)) {
		e.useExecs(1)
		x := e.exec(0, i)
		x.Client = nil
		// The body's last command concludes the transaction in its last
		// hop, as a command alone does.
		e.t.last = i == len(cmds)-1
		e.concluded = e.t.last
		e.t.exec(x, &q.plan, nil, e.home, func() {
			e.beginReply(i)
			e.out = append(e.out, x.Out...)
			e.i++
			e.step()
		})
		return
	}
	// Squash the run of commands from i that each stay on one shard, or
	// split into per-shard pieces merged afterwards (MGET, MSET, DEL over
	// keys of several shards): one hop per shard, each shard running its
	// commands and pieces in their order. Split commands join a run only
	// with keyspace notifications off, whose order their pieces would
	// need kept by key (split.go).
	e.held = nil
	if notes {
		e.held = s.holdNotes() // keyspace events, published in command order (notify.go)
	}
	for _, sh := range e.shards {
		e.byShard[sh] = e.byShard[sh][:0]
	}
	e.shards = e.shards[:0]
	e.splits = e.splits[:0]
	e.useExecs(len(cmds) - i)
	addTo := func(sh, k int) {
		if len(e.byShard[sh]) == 0 {
			e.shards = append(e.shards, sh)
		}
		e.byShard[sh] = append(e.byShard[sh], k)
	}
	j := i
	for ; j < len(cmds); j++ {
		q := &cmds[j]
		if sh := e.singleShard(q); sh >= 0 {
			x := e.exec(j-i, j)
			x.Client = nil
			e.splits = append(e.splits, nil)
			addTo(sh, j)
			continue
		}
		if notes || !e.splitsWhole(q) {
			break
		}
		x := e.exec(j-i, j)
		x.Client = nil
		pl := s.planSplit(x, x.Args, &q.plan, false)
		e.splits = append(e.splits, pl)
		for _, sh := range pl.shards {
			addTo(sh, j)
		}
	}
	e.j = j
	e.runStart = time.Now()
	// The body's last run releases the locks in its own hop, unless held
	// events must be published while they are held.
	last := j == len(cmds) && e.held == nil
	e.concluded = last
	e.t.tx.HopThen(e.shards, e.runFn, last, e.afterFn)
}

// runOnShard is a run's hop on shard sh: its commands there, in order.
func (e *execRun) runOnShard(sh int) {
	s := e.s
	owner := s.router.Shard(sh)
	if e.held != nil {
		s.holding(sh, e.held[sh])
		defer s.holding(sh, nil)
	}
	// One clock reading per command: each one's end starts the next (a
	// piece, timed with its merge, restarts the clock).
	var start time.Time
	for _, k := range e.byShard[sh] {
		x := &e.execs[k-e.i]
		if pl := e.splits[k-e.i]; pl != nil {
			p := pl.parts[sh]
			p.SetHome(owner)
			tr := s.trackBegin(owner, e.cl)
			p.Cmd.Run(p)
			if tr {
				s.trackAfter(p, x.Track)
			}
			start = time.Time{}
			continue
		}
		if e.held != nil {
			e.held[sh].order = k
		}
		x.SetHome(owner)
		if start.IsZero() {
			start = time.Now()
		}
		tr := s.trackBegin(owner, e.cl)
		x.Cmd.Run(x)
		if tr {
			s.trackAfter(x, x.Track)
		}
		end := time.Now()
		s.noteRun(x, sh, end.Sub(start), e.cl)
		start = end
	}
}

// afterRun is a run's continuation: the split commands merged, the replies
// appended in command order, then the next step.
func (e *execRun) afterRun() {
	s, i, j := e.s, e.i, e.j
	if e.held != nil {
		s.publishHeld(e.held)
		e.held = nil
	}
	if j-i > 1 {
		s.router.Stats.Squashed.Add(int64(j - i))
	}
	for k := i; k < j; k++ {
		x := &e.execs[k-i]
		e.beginReply(k)
		if pl := e.splits[k-i]; pl != nil {
			// The merge appends to the body's reply directly.
			own := x.Out
			x.Out = e.out
			command.Merge(x, pl.parts, pl.owner)
			e.out, x.Out = x.Out, own[:0]
			s.releaseSplitPlan(pl)
			e.splits[k-i] = nil
			s.noteRun(x, e.home, time.Since(e.runStart), e.cl)
			continue
		}
		e.out = append(e.out, x.Out...)
	}
	e.i = j
	e.step()
}

// beginReply frames the replies of the EXEC body that begins with command
// k, if one does: its array header goes before the command's reply.
func (e *execRun) beginReply(k int) {
	if e.group < len(e.groups) && e.groups[e.group].start == k {
		g := &e.groups[e.group]
		g.at = len(e.out)
		e.out = resp.AppendArrayLen(e.out, g.n)
		e.group++
	}
}

// splitsWhole reports whether a queued command that needs more than one
// shard runs as pieces, one per shard, whose results merge (the last case
// of txRun.exec), rather than as a Cross, a script or on one shard.
func (e *execRun) splitsWhole(q *queuedCommand) bool {
	cmd := q.cmd
	return cmd.Flags&(command.FlagLoop|command.FlagAllShards) == 0 && !q.plan.global &&
		len(q.plan.shards) > 1 && cmd.Cross == nil && cmd.Splits() && cmd.WellFormed(q.args)
}
