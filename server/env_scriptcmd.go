package server

import (
	"slices"
	"time"

	"github.com/anaxdb/anax/protocol"

	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/scriptcmd"
	"github.com/anaxdb/anax/txn"
)

// The server's side of scripting (server/scriptcmd): the Host the engine
// asks for commands, and the two ways a script's commands reach the
// keyspace (docs/scripting.md):
//
//   - the fast path, localCaller: the script runs as an ordinary command
//     on the shard of its declared keys (inline, after a hop, or queued
//     behind a transaction that holds them), and its commands run on that
//     shard, in the script's goroutine, one after another;
//   - over every shard, globalCaller: the script runs inside a transaction
//     that locks every shard whole (txRun.script), on a goroutine of its
//     own, and each command runs as a step of that transaction on the
//     shards of its keys, as a command of a distributed EXEC does.

var _ scriptcmd.Host = (*Server)(nil)

// scriptCommands makes the server's scripting engine and returns its
// commands (registry.go).
func (s *Server) scriptCommands(loops int) []*command.Spec {
	s.scripts = scriptcmd.New(loops)
	s.localCallers = make([]localCaller, loops)
	cmds := s.scripts.Commands()
	for _, c := range cmds {
		if scriptcmd.IsScript(c) {
			c.Conn = connFunc(connEval)
		}
	}
	return cmds
}

// ScriptLog implements scriptcmd.Host: redis.log's levels are Redis's
// debug, verbose, notice and warning.
func (s *Server) ScriptLog(level int, msg string) {
	switch level {
	case 0, 1:
		s.log.Debug(msg)
	case 2:
		s.log.Info(msg)
	default:
		s.log.Warn(msg)
	}
}

// WritesRefused implements scriptcmd.Host: writes are refused after a
// failed background save (-MISCONF) and during SHUTDOWN's final save.
func (s *Server) WritesRefused() string {
	switch r := s.persist.refuse.Load(); {
	case r&refuseShutdown != 0:
		return errShuttingDown
	case r&refuseMisconf != 0:
		return errMisconf
	}
	return ""
}

// ScriptOOM implements scriptcmd.Host: over maxmemory when deny-oom
// commands are refused server-wide (memGuard.refuse); and, for a script
// dispatched alone on its shard's fast path, when that shard is over its
// share and cannot evict, as makeRoom finds before a deny-oom command. A
// script in an EXEC body, or over every shard, evicts nothing (no command
// of a transaction does) and sees the server-wide state alone.
func (s *Server) ScriptOOM(x *command.Exec, local bool) int {
	if s.mem.refuse.Load() {
		return scriptcmd.OOMServer
	}
	// x.Result is set by connEval alone: a script outside EXEC.
	if local && x.Result != nil && x.Home.OverBudget() && s.router.Idle(x.Home.ID) && !x.Home.Evict(x.Now) {
		return scriptcmd.OOMShard
	}
	return scriptcmd.OOMNone
}

// LocalCaller implements scriptcmd.Host.
func (s *Server) LocalCaller(x *command.Exec, keys [][]byte) scriptcmd.Caller {
	if id := x.Home.ID; id < len(s.localCallers) {
		c := &s.localCallers[id]
		c.s, c.x = s, x
		return c
	}
	return &localCaller{s: s, x: x}
}

// errNonLocal answers a command of a script on the fast path that needs a
// key the script did not declare and that it cannot reach where it runs.
// The script is marked to run over every shard from then on.
const errNonLocal = "ERR Script attempted to access a key it did not declare, on another shard or held by a transaction, after writing; it runs over every shard from its next call on"

// localCaller runs a fast-path script's commands on its shard.
type localCaller struct {
	s *Server
	x *command.Exec // the EVAL
}

func (c *localCaller) Call(dst []byte, cmd *command.Spec, args [][]byte, db, proto int, undeclared bool) ([]byte, string) {
	s, sh := c.s, c.x.Home.ID
	if undeclared && s.router.N() > 1 {
		if cmd.Flags&command.FlagAllShards != 0 {
			return dst, errNonLocal
		}
		var plan keyPlan
		s.planKeys(&plan, cmd, args)
		if len(plan.shards) > 1 || plan.global || (len(plan.shards) == 1 && plan.shards[0] != sh) {
			return dst, errNonLocal
		}
		if !s.router.Idle(sh) {
			locks := plan.locks(nil, cmd, args)
			for i := range locks {
				locks[i].Mode = txn.Exclusive
			}
			if !s.router.Free(sh, locks) {
				return dst, errNonLocal
			}
		}
	}
	x := s.takeExec(sh)
	x.Reset(cmd, args, db, proto, c.x.NoTouch, c.x.Now)
	x.SetHome(c.x.Home)
	x.Client = nil
	if s.monitors.n.Load() != 0 {
		s.feedScript(sh, db, cmd, args)
	}
	start := time.Now()
	cmd.Run(x)
	if c.x.Track != 0 && cmd.Flags&command.FlagReadOnly != 0 {
		s.trackScript(c.x)
	}
	s.noteRun(x, sh, time.Since(start), nil)
	dst = append(dst, x.Out...)
	s.putExec(sh, x)
	return dst, ""
}

// script runs EVAL x over every shard: the transaction holds them all
// (its plan is global), the script runs on a goroutine of its own, and the
// transaction goes on (or ends, when the script was the whole command)
// from the client's shard.
func (t *txRun) script(x *command.Exec, next func()) {
	go func() {
		t.s.scripts.RunGlobal(x, &globalCaller{t: t, eval: x})
		t.tx.On(-1)
		t.tx.HopThen([]int{t.home}, func(int) {}, t.last, next)
	}()
}

// globalCaller runs the commands of a script over every shard, each as a
// step of the script's transaction.
type globalCaller struct {
	t       *txRun
	eval    *command.Exec
	plan    keyPlan
	tracked bool // the script's keys were remembered for its caller
}

// trackKeys remembers the script's keys for its caller on their shards,
// which the script's transaction holds (trackScript).
func (c *globalCaller) trackKeys() {
	s := c.t.s
	var plan keyPlan
	s.planKeys(&plan, c.eval.Cmd, c.eval.Args)
	if len(plan.shards) == 0 {
		return
	}
	done := make(chan struct{})
	c.t.tx.On(-1)
	c.t.tx.HopThen(plan.shards, func(sh int) {
		x := *c.eval
		x.SetHome(s.router.Shard(sh))
		s.trackScript(&x)
	}, false, func() { close(done) })
	<-done
}

func (c *globalCaller) Call(dst []byte, cmd *command.Spec, args [][]byte, db, proto int, undeclared bool) ([]byte, string) {
	s := c.t.s
	x := &command.Exec{Env: s}
	x.Reset(cmd, args, db, proto, c.eval.NoTouch, c.eval.Now)
	if c.eval.Track != 0 && !c.tracked && cmd.Flags&command.FlagReadOnly != 0 {
		c.tracked = true
		c.trackKeys()
	}
	if s.monitors.n.Load() != 0 {
		s.feedScript(-1, db, cmd, args)
	}
	c.plan = keyPlan{}
	if cmd.Flags&(command.FlagLoop|command.FlagAllShards) == 0 {
		s.planKeys(&c.plan, cmd, args)
	}
	sub := &txRun{s: s, tx: c.t.tx, home: c.t.home}
	done := make(chan struct{})
	c.t.tx.On(-1)
	sub.exec(x, &c.plan, nil, c.t.home, func() { close(done) })
	<-done
	return append(dst, x.Out...), ""
}

// connEval dispatches EVAL and its kin outside MULTI. A script whose keys
// share a shard and that is known to touch only them runs there, as any
// command would; if it then reaches for a key it cannot touch there before
// it has written anything, it is stopped (nothing of it is visible) and
// run again over every shard (evalGlobal). A script that may touch any
// key runs over every shard at once.
func connEval(s *Server, c *protocol.Conn, cl *Client, args [][]byte, home int) protocol.Result {
	cmd := s.lookupCommand(args[0])
	plan := &s.batch[home].plan
	s.planKeys(plan, cmd, args)
	if plan.global {
		k := s.newCall(c, cl, cmd, args, home)
		s.runTx(&k, plan)
		return protocol.Done
	}
	target := home
	if sh := plan.single(); sh >= 0 {
		target = sh
	}
	if target == home && (s.router.Idle(home) || s.router.Free(home, plan.locks(nil, cmd, args))) {
		x := s.loopExec[home]
		s.resetExec(x, cl, cmd, args, s.batch[home].now)
		x.SetHome(s.router.Shard(home))
		res := &s.batch[home].evalResult
		*res = command.Result{}
		x.Result = res
		s.runInline(x, home)
		x.Result = nil
		if res.Value == nil {
			s.replyNow(c, cl, x)
			return protocol.Done
		}
		x.Out = x.Out[:0]
		cmd.Stats[home].Calls.Add(-1) // counted once, by the run that answers
		plan.global = true
		k := s.newCall(c, cl, cmd, args, home)
		s.runTx(&k, plan)
		return protocol.Done
	}
	k := s.newCall(c, cl, cmd, args, home)
	x := s.newDetachedExec(&k)
	x.Result = &command.Result{}
	kp := plan.clone()
	reply := reserveReply(c, cl)
	c.Hold()
	homeShard := s.router.Shard(home)
	run := func() {
		x.SetHome(s.router.Shard(target))
		s.runCommand(x, target, cl)
		if x.Result.Value == nil {
			reply.take(&x.Out)
			reply.completeVia(homeShard)
			return
		}
		cmd.Stats[target].Calls.Add(-1) // counted once, by the run that answers
		homeShard.Post(func() { s.evalGlobal(x, &kp, cl, home, reply) })
	}
	s.flushHops(home)
	locks := func() []txn.Lock { return kp.locks(nil, cmd, x.Args) }
	if target == home {
		s.router.RunQueued(home, locks(), run)
		return protocol.Done
	}
	s.router.Hop(target, func() { s.router.RunWhenFree(target, locks, run) })
	return protocol.Done
}

// evalGlobal runs again, over every shard, a script stopped on the fast
// path; on the client's loop, whose connection holds.
func (s *Server) evalGlobal(x *command.Exec, plan *keyPlan, cl *Client, home int, reply laterReply) {
	x.Out, x.Failed, x.Result = x.Out[:0], false, nil
	plan.global = true
	tx := s.router.NewTx()
	plan.lockIn(tx, x.Cmd, x.Args, home)
	t := &txRun{s: s, tx: tx, home: home, cl: cl, last: true}
	tx.StartOn(home, func() {
		t.exec(x, plan, nil, home, func() {
			reply.take(&x.Out)
			reply.completeVia(s.router.Shard(home))
		})
	})
}

// scriptBusy answers BUSY, as Redis does, to a command that would wait for
// a shard held by a script that has run past busy-reply-threshold (a
// script over every shard holds them all), unless the command is allowed
// then (SCRIPT KILL, SHUTDOWN...). Commands of the connection's loop and
// commands for other shards run as usual: only the script's shards are
// held. Called only while some script runs.
func (s *Server) scriptBusy(c *protocol.Conn, cl *Client, cmd *command.Spec, args [][]byte, home int) bool {
	meta := cmd.Meta
	if len(cmd.Subcommands) > 0 && len(args) > 1 {
		if sub := cmd.Subcommand(args[1]); sub != nil {
			meta = sub.Meta
		}
	}
	execTx := cmd.Name == "exec" && cl.multi != nil
	if (meta != nil && slices.Contains(meta.Flags, "allow_busy")) || (cmd.Flags&command.FlagLoop != 0 && !execTx) {
		return false
	}
	threshold := time.Duration(s.cfg.Int("busy-reply-threshold")) * time.Millisecond
	var shards []int
	switch {
	case cmd.Flags&command.FlagAllShards != 0:
		for i := 0; i < s.router.N(); i++ {
			shards = append(shards, i)
		}
	case execTx:
		// EXEC waits for the shards of what it queued: refused there, it
		// answers EXECABORT with the BUSY reason (rejectCommand), as
		// Redis's execCommandAbort does.
		for i := range cl.multi.cmds {
			q := &cl.multi.cmds[i]
			if q.cmd.Flags&command.FlagAllShards != 0 {
				for sh := 0; sh < s.router.N(); sh++ {
					shards = append(shards, sh)
				}
				continue
			}
			var plan keyPlan
			s.planKeys(&plan, q.cmd, q.args)
			shards = append(shards, plan.shards...)
		}
		if len(shards) == 0 {
			shards = append(shards, home)
		}
	default:
		var plan keyPlan
		s.planKeys(&plan, cmd, args)
		shards = plan.shards
		if len(shards) == 0 || plan.global {
			shards = append(shards, home)
		}
	}
	for _, sh := range shards {
		if s.scripts.Busy(sh, threshold) {
			s.rejectCommand(c, cl, home, cmd, scriptcmd.BusyError)
			return true
		}
	}
	return false
}
