package server

import (
	"time"

	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/scriptcmd"
	"github.com/anaxdb/anax/server/slowlog"
	"github.com/anaxdb/anax/txn"
)

// Commands that span shards run as transactions of the VLL scheduler
// (package txn): the transaction takes the command's intent locks on every
// shard it touches, runs the command there in hops and releases the locks,
// each step continuing on the shard that finished the previous one last.
// A shard runs each hop on its own goroutine, so the command is cut into
// per-shard halves in one of three ways (command.Spec.Multi):
//
//   - split (split.go): each shard runs the command itself on its share of
//     the keys (or, for whole-keyspace commands, on its whole share of the
//     keyspace) and leaves Go values in its piece's Result; the coordinator
//     combines them (command.Merge): sum (DEL, EXISTS, DBSIZE), all OK
//     (MSET, FLUSHDB), values in key order (MGET), concatenation (KEYS), a
//     weighted pick (RANDOMKEY), or the command's own Merge (DEBUG);
//   - cross (cross.go): a command that cannot be split (RENAME, COPY,
//     MSETNX, LCS) reads what it needs on the shards of its keys, decides
//     on the coordinator, and writes on the shards of the keys it writes:
//     only that data moves;
//   - routed: SCAN runs on the one shard its cursor names (dispatch.go).
//
// A command whose keys share a shard never comes here: it runs on that
// shard in one piece (see dispatch.go), checking only that no scheduled
// transaction holds a conflicting lock.

// packedSplitMin is the number of keys above which runTx cuts a command into
// packed per-shard pieces at dispatch. A small command (MGET of 10 keys) is
// copied whole and split when it runs: planning pieces at dispatch costs it
// a third of its throughput, and its copy is small anyway.
const packedSplitMin = 256

// runTx runs a multi-shard command from the connection's loop: the reply
// slot is reserved now and filled when the transaction's last step ends.
// plan is where its keys live (none for a whole-keyspace command); it is
// the loop's scratch, copied here when the transaction needs it later.
//
// The connection's earlier commands need not have finished: those that
// went to other shards are posted first (flushHops), so each reaches its
// shard before this transaction's schedule does, and one queued behind a
// lock holds its lock with an older id, so the transaction queues behind
// it. Hold keeps later commands from overtaking the transaction.
func (s *Server) runTx(k *call, plan *keyPlan) {
	reply := reserveReply(k.c, k.cl)
	c, cl, cmd, args, home := k.c, k.cl, k.cmd, k.args, k.home
	s.flushHops(home)
	var x *command.Exec
	var pl *splitPlan
	tx := s.router.NewTx()
	plan.lockIn(tx, cmd, args, home)
	split := cmd.Splits() && len(plan.shards) > 1 && cmd.WellFormed(args)
	switch {
	case split && len(plan.idx) > packedSplitMin:
		// Cut the command into per-shard pieces now, copying each
		// argument once, into its piece, straight from the read buffer.
		// The coordinator keeps only what the slow log shows.
		head := *k
		head.args = args[:min(len(args), slowlog.MaxArgs)]
		x = s.newDetachedExec(&head)
		x.Argc = len(args)
		pl = s.planSplit(x, args, plan, true)
	case split:
		// Pieces over the coordinator's copy of the arguments.
		x = s.newDetachedExec(k)
		pl = s.planSplit(x, x.Args, plan, false)
	default:
		x = s.newDetachedExec(k)
	}
	var kp keyPlan // the plan outlives the loop's scratch, unless pl holds what it needs
	if pl == nil {
		kp = plan.clone()
	}
	c.Hold()
	t := &txRun{s: s, tx: tx, home: home, cl: cl, last: true}
	tx.StartOn(home, func() {
		t.exec(x, &kp, pl, home, func() {
			reply.take(&x.Out)
			reply.completeVia(s.router.Shard(home))
			tx.Release() // its last step concluded it (t.last)
		})
	})
}

// appendOrTake appends *src to dst. A large *src is handed over instead of
// copied when dst is empty (it becomes dst, and *src is left empty).
func appendOrTake(dst []byte, src *[]byte) []byte {
	if len(dst) == 0 && len(*src) > maxSpareBytes {
		dst, *src = *src, dst[:0]
		return dst
	}
	return append(dst, *src...)
}

// txRun is the coordinator's side of one scheduled transaction. Its steps
// run one after another, each on the goroutine of the shard that finished
// the previous step last (see txn.Tx).
type txRun struct {
	s    *Server
	tx   *txn.Tx
	home int
	cl   *Client // for the slow log only (read-only here)
	// last makes the command's final hop conclude the transaction (a
	// command alone, not one step of an EXEC): the locks go with the last
	// piece of work instead of in a separate post after it.
	last bool
}

// exec runs the command x inside the transaction (whose locks cover its
// keys, which plan places), leaves its reply in x.Out and calls next;
// statIdx is the loop slot its statistics go to. pl, when not nil, is x
// already cut into pieces.
func (t *txRun) exec(x *command.Exec, plan *keyPlan, pl *splitPlan, statIdx int, next func()) {
	s := t.s
	start := time.Now()
	cmd := x.Cmd
	done := func() {
		s.noteRun(x, statIdx, time.Since(start), t.cl)
		next()
	}
	switch {
	case pl != nil:
		t.split(x, pl, done)
	case cmd.Flags&command.FlagAllShards != 0 && s.router.N() == 1:
		t.runOn(x, 0, done)
	case cmd.Flags&command.FlagAllShards != 0 && cmd.Multi == command.MultiRouted:
		t.runOn(x, cmd.Route(x.Args, s.router.N()), done)
	case cmd.Flags&command.FlagAllShards != 0:
		t.split(x, s.planSplit(x, x.Args, nil, false), done)
	case plan.global && scriptcmd.IsScript(cmd):
		// A script that may touch any key (env_scriptcmd.go).
		t.script(x, done)
	case plan.global:
		// Keys its patterns name may be anywhere: every shard is
		// locked, and the Cross reads them where they are.
		t.cross(x, plan, done)
	case len(plan.shards) == 0:
		t.runOn(x, t.home, done)
	case len(plan.shards) == 1:
		t.runOn(x, plan.shards[0], done)
	case !cmd.WellFormed(x.Args):
		// Pieces or halves of a malformed command could each look valid:
		// the first key's shard answers the error.
		t.runOn(x, plan.shards[0], done)
	case cmd.Cross != nil:
		t.cross(x, plan, done)
	case !cmd.Splits():
		// Every multi-key command has a way across shards (a test checks
		// the table); this answers instead of running on part of the keys.
		x.Err("ERR '" + cmd.Name + "' cannot run across shards")
		t.tx.HopThen(nil, nil, t.last, done)
	default:
		t.split(x, s.planSplit(x, x.Args, plan, false), done)
	}
}

// noteRun records a command's statistics and feeds the slow log.
func (s *Server) noteRun(x *command.Exec, statIdx int, d time.Duration, cl *Client) {
	st := &x.Cmd.Stats[statIdx]
	st.Calls.Add(1)
	st.Nsec.Add(int64(d))
	s.noteLatencyShared(x.Cmd, statIdx, int64(d))
	if x.Failed {
		st.Failed.Add(1)
	}
	if s.mon.Notable(d) {
		s.noteSlow(x, d, cl)
	}
}

// runOn runs x whole on shard sh, which the transaction involves.
func (t *txRun) runOn(x *command.Exec, sh int, next func()) {
	t.tx.HopThen([]int{sh}, func(int) {
		x.SetHome(t.s.router.Shard(sh))
		tr := t.s.trackBegin(x.Home, t.cl)
		x.Cmd.Run(x)
		if tr {
			t.s.trackAfter(x, x.Track)
		}
	}, t.last, next)
}
