package txn

import (
	"slices"
	"sync/atomic"
)

// Tx is a transaction across one or more shards. Build it with
// Lock/LockAll, then Start it, then run one or more hops (HopThen), then
// Conclude. The coordinator is not a goroutine of its own: each step's
// continuation runs on the goroutine of the shard that finished the step
// last, so a step costs one wake-up of each shard involved and none for a
// coordinator. Continuations must not block. Schedule and Hop are blocking
// forms for callers that are not shard goroutines (tests).
type Tx struct {
	r      *Router
	global bool // locks whole shards (FLUSHALL, SWAPDB, KEYS...)
	mode   Mode // the whole-shard lock's mode when global
	parts  []*part
	spare  []*part // parts of the Tx's earlier uses, for reuse

	pending atomic.Int32
	refused atomic.Bool
	then    func() // the current step's continuation
	// on is the shard whose goroutine runs the current continuation (-1:
	// none): that shard's piece of the next step runs inline, not posted.
	on int

	// Start's attempt in progress: its id and what follows once every
	// shard accepted it. Written by the coordinator before it posts the
	// attempt; read by the shards it posts to.
	id        uint64
	next      func()
	startedFn func() // tx.started, bound once
	// The hop in progress (HopThen), likewise.
	hopFn       func(shard int)
	hopConclude bool

	// refs counts the coordinator's hold on the Tx and the conclusions
	// posted to shards and not yet run: the Tx goes back to its router's
	// pool when the last of them ends (Release).
	refs atomic.Int32
}

// NewTx starts building a transaction. A caller that calls Release once
// the transaction is over lets it be reused; one that does not leaves it
// to the collector.
func (r *Router) NewTx() *Tx {
	if tx, ok := r.txs.Get().(*Tx); ok {
		tx.refs.Store(1)
		return tx
	}
	tx := &Tx{r: r, on: -1}
	tx.startedFn = tx.started
	tx.refs.Store(1)
	return tx
}

// Release ends the coordinator's use of the transaction, which must be
// over (concluded everywhere, by its last hop or Conclude): nothing may
// touch it afterwards. It goes back to the router's pool once the
// conclusions still on their way to shards have run.
func (tx *Tx) Release() { tx.unref() }

func (tx *Tx) unref() {
	if tx.refs.Add(-1) != 0 {
		return
	}
	for _, p := range tx.parts {
		p.armed = nil
		p.queued, p.ooo = false, false
		if cap(p.locks) > maxKeptLocks {
			p.locks = nil
		}
		p.locks = p.locks[:0]
		tx.spare = append(tx.spare, p)
	}
	clear(tx.parts)
	tx.parts = tx.parts[:0]
	tx.global, tx.mode, tx.on = false, Shared, -1
	tx.then, tx.next, tx.hopFn, tx.hopConclude = nil, nil, nil, false
	tx.refused.Store(false)
	tx.r.txs.Put(tx)
}

// maxKeptLocks bounds the lock list a recycled part keeps.
const maxKeptLocks = 4096

// part returns the transaction's part on shard, adding it if needed.
func (tx *Tx) part(shard int) *part {
	for _, p := range tx.parts {
		if p.shard == shard {
			return p
		}
	}
	var p *part
	if n := len(tx.spare); n > 0 {
		p = tx.spare[n-1]
		tx.spare[n-1] = nil
		tx.spare = tx.spare[:n-1]
		p.shard = shard
	} else {
		p = &part{tx: tx, shard: shard}
		p.scheduleFn, p.hopFn, p.runFn, p.concludeFn = p.scheduleHere, p.hopHere, p.runHop, p.concludeHere
	}
	tx.parts = append(tx.parts, p)
	return p
}

// Lock asks for an intent lock on key fingerprint fp, which lives on shard.
func (tx *Tx) Lock(shard int, fp uint64, mode Mode) {
	p := tx.part(shard)
	p.locks = append(p.locks, Lock{FP: fp, Mode: mode})
}

// Include adds shard to the transaction without locking any key on it, for
// a step that must run there (a keyless command of an EXEC).
func (tx *Tx) Include(shard int) { tx.part(shard) }

// LockAll makes the transaction lock every shard whole, in mode.
func (tx *Tx) LockAll(mode Mode) {
	tx.global, tx.mode = true, mode
	for i := 0; i < tx.r.N(); i++ {
		tx.part(i)
	}
}

// Shards returns the shards the transaction involves, in the order they
// were added.
func (tx *Tx) Shards() []int {
	out := make([]int, len(tx.parts))
	for i, p := range tx.parts {
		out[i] = p.shard
	}
	return out
}

// arrive counts one shard's answer; the last one runs the continuation.
// The atomic counter orders every shard's work before it.
func (tx *Tx) arrive(on int) {
	if tx.pending.Add(-1) == 0 {
		next := tx.then
		tx.then = nil
		tx.on = on
		next()
	}
}

// StartOn is Start called from shard on's owner goroutine (the client's
// loop): the transaction is scheduled there inline.
func (tx *Tx) StartOn(on int, next func()) {
	tx.on = on
	tx.Start(next)
}

// Start takes an id and places the transaction in the queue of every shard
// it involves, retrying with a new id until every shard accepts, then calls
// next (on a shard goroutine).
func (tx *Tx) Start(next func()) {
	tx.next = next
	tx.attempt()
}

// attempt is one try of Start. The part on the caller's own shard is
// scheduled last, inline, so that the continuation finds the others sent.
func (tx *Tx) attempt() {
	r := tx.r
	tx.id = r.nextID.Add(1)
	r.Stats.Transactions.Add(1)
	tx.refused.Store(false)
	tx.pending.Store(int32(len(tx.parts)))
	tx.then = tx.startedFn
	var own *part
	for _, p := range tx.parts {
		if p.shard == tx.on {
			own = p
			continue
		}
		r.shards[p.shard].Post(p.scheduleFn)
	}
	if own != nil {
		own.scheduleHere()
	}
}

// started is an attempt's continuation: on to Start's next, or, when a
// shard refused, a new attempt once the others cancelled this one.
func (tx *Tx) started() {
	if !tx.refused.Load() {
		tx.next()
		return
	}
	tx.r.Stats.Retries.Add(1)
	// Cancel where it was accepted. These posts precede the next attempt's
	// on every shard (one poster, FIFO inboxes).
	for _, p := range tx.parts {
		tx.concludeOn(p)
	}
	tx.attempt()
}

// HopThen runs fn(shard) on each of shards (all of them involved in the
// transaction) on its owner goroutine, as soon as the transaction may run
// there, then calls next (on a shard goroutine). With conclude, each shard
// releases the transaction right after fn, and the transaction's other
// shards release it too: the transaction is finished.
func (tx *Tx) HopThen(shards []int, fn func(shard int), conclude bool, next func()) {
	r := tx.r
	r.Stats.Hops.Add(int64(len(shards)))
	if conclude {
		for _, p := range tx.parts {
			if !slices.Contains(shards, p.shard) {
				tx.concludeOn(p)
			}
		}
	}
	if len(shards) == 0 {
		next()
		return
	}
	tx.pending.Store(int32(len(shards)))
	tx.then = next
	tx.hopFn, tx.hopConclude = fn, conclude
	// Inline pieces go last, after every post, so that their continuation
	// finds the others sent.
	var own *part
	for _, sh := range shards {
		p := tx.part(sh)
		if sh == tx.on {
			own = p
			continue
		}
		r.shards[sh].Post(p.hopFn)
	}
	if own != nil {
		own.hopHere()
	}
}

// Schedule is Start for a goroutine that may block: it returns once the
// transaction is scheduled everywhere.
func (tx *Tx) Schedule() {
	tx.on = -1
	done := make(chan struct{})
	tx.Start(func() { close(done) })
	<-done
}

// Hop is HopThen for a goroutine that may block.
func (tx *Tx) Hop(shards []int, fn func(shard int), conclude bool) {
	tx.on = -1
	done := make(chan struct{})
	tx.HopThen(shards, fn, conclude, func() { close(done) })
	<-done
}

// Conclude releases the transaction on every shard. It does not wait.
// Call it from the continuation (or, with On(-1), from any goroutine).
func (tx *Tx) Conclude() {
	for _, p := range tx.parts {
		tx.concludeOn(p)
	}
}

func (tx *Tx) concludeOn(p *part) {
	tx.refs.Add(1)
	if p.shard == tx.on {
		p.concludeHere()
		return
	}
	tx.r.shards[p.shard].Post(p.concludeFn)
}

// On tells the transaction that its continuation now runs on shard's owner
// goroutine (-1: on none), after it moved there by other means than a step.
func (tx *Tx) On(shard int) { tx.on = shard }

// Idle reports whether shard holds no intent lock at all, in which case any
// command may run on it at once. Owner goroutine of shard only.
func (r *Router) Idle(shard int) bool { return r.scheds[shard].locks.idle() }

// Free reports whether a command with these locks may run on shard now,
// out of order: no scheduled transaction holds a conflicting lock. A
// command with no keys conflicts only with a whole-shard exclusive lock.
// Owner goroutine of shard only.
func (r *Router) Free(shard int, locks []Lock) bool {
	return r.scheds[shard].locks.free(locks, false, Shared)
}

// RunQueued runs fn on shard behind every scheduled transaction whose locks
// conflict with locks: the path of a single-shard command that found its
// keys locked. It takes an id and queues on the spot. Owner goroutine of
// shard only; fn runs there too, now or later.
func (r *Router) RunQueued(shard int, locks []Lock, fn func()) {
	r.Stats.Queued.Add(1)
	sc := r.scheds[shard]
	tx := &Tx{r: r}
	p := &part{tx: tx, shard: shard, locks: locks}
	tx.parts = []*part{p}
	// Every id already queued or run here was taken before this one, so
	// the first attempt succeeds; the loop only guards that argument.
	for {
		r.Stats.Transactions.Add(1)
		if sc.schedule(p, r.nextID.Add(1)) {
			break
		}
	}
	sc.arm(p, func() {
		fn()
		sc.conclude(p)
	})
}

// RunWhenFree runs fn on shard now when no scheduled transaction holds a
// lock that conflicts with locks(), else behind the holders (RunQueued).
// locks is called only when the shard holds some lock. Owner goroutine of
// shard only.
func (r *Router) RunWhenFree(shard int, locks func() []Lock, fn func()) {
	if !r.Idle(shard) {
		if l := locks(); !r.Free(shard, l) {
			r.RunQueued(shard, l, fn)
			return
		}
	}
	fn()
}

// QueueLen returns shard's transaction queue length (a gauge).
func (r *Router) QueueLen(shard int) int64 { return r.scheds[shard].queueLen.Load() }
