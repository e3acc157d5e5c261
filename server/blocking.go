package server

import (
	"sync/atomic"
	"time"

	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/txn"
)

// Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP), in Redis
// 7.2's model: a client that finds nothing waits on each of its keys, first
// come first served per key, and a write to one of them runs its command
// again, on that key's shard, where it pops or keeps waiting.
//
//   - The first attempt runs the command on its keys' shard when they
//     share one (behind any transaction holding them), else as a
//     transaction over their shards (command.Block documents what the
//     command does in each mode). Finding nothing, the client is registered on every key's
//     shard (shard.Block). A registration on a key that already holds a
//     value marks it ready at once, which closes the gap between the
//     attempt and the registration on another shard.
//   - The shard's write hook marks a key with waiters ready; after each
//     command run inline and each task a shard runs, serveReady takes the
//     ready keys and serves their waiters in order, once no scheduled
//     transaction holds the key's lock (a transaction never sees its keys
//     change between its hops).
//   - A waiter is claimed by compare-and-swap, so that serving, the
//     timeout, CLIENT UNBLOCK and a disconnect race safely: whoever claims
//     it answers. A waiter whose command needs another shard when served
//     (BLMOVE to a key elsewhere) is claimed and its first attempt runs
//     again; waiting again, it joins the end of each key's list, as a
//     Redis command that blocks again after being re-run.
//
// Known difference: a client blocked on keys of several shards is served
// by the first of its keys to be written, while Redis, re-running the
// command, pops the first non-empty key in argument order; the two differ
// only when two of its keys on different shards receive values at once.

// blockedCall is one blocking command from the time it first waits until
// it is answered.
type blockedCall struct {
	c     *protocol.Conn
	cl    *Client
	home  int
	cmd   *command.Spec
	args  [][]byte // a copy
	db    int
	proto int
	reply laterReply

	timer   *time.Timer
	cur     atomic.Pointer[waiter] // the current registration
	expired atomic.Bool            // the timeout (or CLIENT UNBLOCK) fired
	failErr atomic.Bool            // CLIENT UNBLOCK ... ERROR: answer the error
	waiting bool                   // counted in blocked_clients (attempt goroutine, then the claimer)
}

// Waiter states.
const (
	waiterWaiting int32 = iota
	waiterServing       // a shard is running the command for it now
	waiterDone          // claimed: served, expired, unblocked or gone
)

// waiter is one registration of a blockedCall on its keys: a command that
// waits again after a second attempt registers anew, so that stale entries
// in other shards' lists never look alive.
type waiter struct {
	b     *blockedCall
	state atomic.Int32
}

// Waiting implements shard.Waiter: a waiter being served elsewhere stays in
// every list, since it may go back to waiting.
func (w *waiter) Waiting() bool { return w.state.Load() != waiterDone }

// runBlocking dispatches a blocking command from its connection's loop.
// The connection holds (parses nothing more) until the command answers.
func (s *Server) runBlocking(c *protocol.Conn, cl *Client, cmd *command.Spec, args [][]byte, home int) protocol.Result {
	b := &blockedCall{
		c: c, cl: cl, home: home, cmd: cmd, args: copyArgs(args),
		db: int(cl.db.Load()), proto: int(cl.proto.Load()),
	}
	b.reply = reserveReply(c, cl)
	c.Hold()
	s.flushHops(home)
	s.attemptBlocking(b, home, s.batch[home].now)
	return protocol.Done
}

// blockExec returns a fresh Exec for b's command on shard sh.
func (s *Server) blockExec(b *blockedCall, sh int, now time.Time, blk *command.Block) *command.Exec {
	x := &command.Exec{Env: s}
	x.Reset(b.cmd, b.args, b.db, b.proto, b.cl.noTouch.Load(), now.UnixMilli())
	x.SetHome(s.router.Shard(sh))
	x.Block = blk
	return x
}

// attemptBlocking runs b's command as a transaction over its keys, from
// shard on's goroutine: it answers, or registers b on every key.
func (s *Server) attemptBlocking(b *blockedCall, on int, now time.Time) {
	var plan keyPlan
	s.planKeys(&plan, b.cmd, b.args)
	x := s.blockExec(b, on, now, &command.Block{})
	if target := plan.single(); target >= 0 {
		// One shard holds every key: run there, behind any transaction
		// that holds them, and register there in the same task.
		locks := plan.locks(nil, b.cmd, b.args)
		s.router.Hop(target, func() {
			s.router.RunWhenFree(target, func() []txn.Lock { return locks }, func() {
				x.SetHome(s.router.Shard(target))
				start := time.Now()
				x.Cmd.Run(x)
				if !x.Block.Wait {
					s.noteRun(x, b.home, time.Since(start), b.cl)
					s.answerBlocked(b, x, false)
					return
				}
				s.waitBlocked(b, x.Block.Deadline, now, target)
			})
		})
		return
	}
	tx := s.router.NewTx()
	plan.lockIn(tx, b.cmd, b.args, on)
	t := &txRun{s: s, tx: tx, home: on, cl: nil, last: true}
	tx.StartOn(on, func() {
		t.exec(x, &plan, nil, b.home, func() {
			if !x.Block.Wait {
				s.answerBlocked(b, x, false) // exec noted the run
				return
			}
			s.waitBlocked(b, x.Block.Deadline, now, -1)
		})
	})
}

// waitBlocked registers b anew on every key (on each key's shard: at once
// for keys of shard on, the caller's) and, the first time, starts its
// timer.
func (s *Server) waitBlocked(b *blockedCall, deadline int64, now time.Time, on int) {
	w := &waiter{b: b}
	// b's counters and timer are set before w is published: whoever
	// claims w (any goroutine, after loading cur) reads them.
	if !b.waiting {
		b.waiting = true
		s.blockedClients.Add(1)
		b.cl.blocked.Store(b)
		if deadline > 0 {
			d := time.Duration(deadline-now.UnixMilli()) * time.Millisecond
			b.timer = time.AfterFunc(max(d, 0), func() { s.expireBlocked(b, false) })
		}
	}
	b.cur.Store(w)
	// The timer (or CLIENT UNBLOCK) may have fired while no registration
	// was current: it set expired before looking for one.
	if b.expired.Load() && w.state.CompareAndSwap(waiterWaiting, waiterDone) {
		s.answerExpired(b)
		return
	}
	for _, ki := range b.cmd.KeyIndexes(b.args, nil) {
		key := b.args[ki]
		sh := s.router.Route(key)
		if sh == on {
			s.router.Shard(sh).Block(b.db, key, w)
			continue
		}
		s.router.Hop(sh, func() { s.router.Shard(sh).Block(b.db, key, w) })
	}
}

// expireBlocked ends b's wait: its timeout fired, or CLIENT UNBLOCK (with
// fail: the ERROR form). Any goroutine: it touches b only once it has
// claimed the waiter. It reports whether it did (false: b was being
// served or already answered).
func (s *Server) expireBlocked(b *blockedCall, fail bool) bool {
	if fail {
		b.failErr.Store(true)
	}
	b.expired.Store(true)
	w := b.cur.Load()
	if w == nil || !w.state.CompareAndSwap(waiterWaiting, waiterDone) {
		return false
	}
	s.forgetWaiter(w, -1)
	s.answerExpired(b)
	return true
}

// answerExpired writes the timeout (or CLIENT UNBLOCK ERROR) reply.
func (s *Server) answerExpired(b *blockedCall) {
	x := s.blockExec(b, b.home, time.Now(), &command.Block{Expired: true})
	if b.failErr.Load() {
		x.Err("UNBLOCKED client unblocked via CLIENT UNBLOCK")
	} else {
		x.Cmd.Run(x)
	}
	s.answerBlocked(b, x, true)
}

// answerBlocked sends x's reply to b's client and ends b; with note, it
// records the run in the command's statistics.
func (s *Server) answerBlocked(b *blockedCall, x *command.Exec, note bool) {
	s.endBlocked(b)
	if note {
		s.noteRun(x, b.home, 0, b.cl)
	}
	b.reply.take(&x.Out)
	b.reply.completeVia(s.router.Shard(b.home))
}

// forgetWaiter removes w from its keys' lists: at once on shard on (the
// caller's goroutine; -1 for none), by a post on the others.
func (s *Server) forgetWaiter(w *waiter, on int) {
	b := w.b
	for _, ki := range b.cmd.KeyIndexes(b.args, nil) {
		key := b.args[ki]
		sh := s.router.Route(key)
		if sh == on {
			s.router.Shard(sh).Unblock(b.db, key, w)
			continue
		}
		s.router.Hop(sh, func() { s.router.Shard(sh).Unblock(b.db, key, w) })
	}
}

// cancelBlocked drops the blocked command of a client that is leaving.
func (s *Server) cancelBlocked(cl *Client) {
	b := cl.blocked.Load()
	if b == nil {
		return
	}
	b.expired.Store(true)
	if w := b.cur.Load(); w != nil && w.state.CompareAndSwap(waiterWaiting, waiterDone) {
		s.forgetWaiter(w, -1)
		s.endBlocked(b)
	}
}

// endBlocked ends b's wait once it is claimed, answered or not: its timer,
// its count in blocked_clients, its client's mark.
func (s *Server) endBlocked(b *blockedCall) {
	if b.timer != nil {
		b.timer.Stop()
	}
	if b.waiting {
		b.waiting = false
		s.blockedClients.Add(-1)
	}
	b.cl.blocked.CompareAndSwap(b, nil)
}

// serveReady serves the waiters of the keys written on shard sh. On sh's
// goroutine, between commands and tasks.
func (s *Server) serveReady(sh int) {
	shd := s.router.Shard(sh)
	for {
		db, key, ok := shd.NextReady(nil)
		if !ok {
			return
		}
		locks := func() []txn.Lock { return []txn.Lock{{FP: txn.Fingerprint(key), Mode: txn.Exclusive}} }
		s.router.RunWhenFree(sh, locks, func() { s.serveKey(sh, db, key) })
	}
}

// serveKey runs the commands waiting on key, oldest first, until one finds
// nothing to take.
func (s *Server) serveKey(sh, db int, key []byte) {
	shd := s.router.Shard(sh)
	waiters := append([]shard.Waiter(nil), shd.Waiters(db, key)...)
	now := time.Now()
	for _, sw := range waiters {
		if _, ok := shd.DB(db).Peek(key); !ok && b0(sw).cmd.Name != "xreadgroup" {
			// Nothing to serve from a key that is gone, but a blocked
			// XREADGROUP fails then, as in Redis.
			continue
		}
		w := sw.(*waiter)
		b := w.b
		if !w.state.CompareAndSwap(waiterWaiting, waiterServing) {
			continue
		}
		if !s.router.Idle(sh) && !s.router.Free(sh, s.localLocks(b, sh)) {
			// A transaction holds another of its keys here: what it read
			// there must not change under it. The first attempt, as a
			// transaction of its own, queues behind it.
			w.state.Store(waiterDone)
			s.forgetWaiter(w, sh)
			b.cur.Store(nil)
			s.attemptBlocking(b, sh, now)
			continue
		}
		x := s.blockExec(b, sh, now, &command.Block{Serving: true})
		x.Cmd.Run(x)
		switch {
		case x.Block.Elsewhere:
			w.state.Store(waiterDone)
			s.forgetWaiter(w, sh)
			b.cur.Store(nil)
			s.attemptBlocking(b, sh, now)
		case x.Block.Wait:
			w.state.Store(waiterWaiting)
			if b.expired.Load() && w.state.CompareAndSwap(waiterWaiting, waiterDone) {
				s.forgetWaiter(w, sh)
				s.answerExpired(b)
			}
			if !x.Block.Independent {
				return
			}
		default:
			w.state.Store(waiterDone)
			s.forgetWaiter(w, sh)
			s.answerBlocked(b, x, true)
		}
	}
}

// b0 is the blocked call of a shard's waiter.
func b0(sw shard.Waiter) *blockedCall { return sw.(*waiter).b }

// localLocks returns the locks of b's keys that live on shard sh.
func (s *Server) localLocks(b *blockedCall, sh int) []txn.Lock {
	var locks []txn.Lock
	for _, ki := range b.cmd.KeyIndexes(b.args, nil) {
		if s.router.Route(b.args[ki]) == sh {
			locks = append(locks, txn.Lock{FP: txn.Fingerprint(b.args[ki]), Mode: txn.Exclusive})
		}
	}
	return locks
}

// unblockClient is CLIENT UNBLOCK: it ends the wait of client id's blocked
// command (with fail, answering the UNBLOCKED error) and reports whether
// the client was blocked.
func (s *Server) unblockClient(cl *Client, fail bool) bool {
	b := cl.blocked.Load()
	return b != nil && s.expireBlocked(b, fail)
}
