package txn

import "sync/atomic"

// part is a transaction's presence on one shard. After Schedule posts it,
// only that shard's owner goroutine touches it.
type part struct {
	tx     *Tx
	id     uint64 // the id of the attempt that scheduled it (owner's copy)
	shard  int
	locks  []Lock
	ooo    bool   // locks were granted uncontended: may run before the queue head
	queued bool   // in the shard's queue (scheduled and not concluded)
	armed  func() // a hop waiting for the part to become runnable

	// Its steps on its shard, bound once per part (parts are reused with
	// their Tx): posted to the shard's inbox instead of a closure per post.
	scheduleFn, hopFn, runFn, concludeFn func()
}

// scheduleHere is the part's share of an attempt of Tx.Start, on its shard.
func (p *part) scheduleHere() {
	tx := p.tx
	if !tx.r.scheds[p.shard].schedule(p, tx.id) {
		tx.refused.Store(true)
	}
	tx.arrive(p.shard)
}

// hopHere is the part's share of a hop (Tx.HopThen), on its shard: it runs
// once the part may.
func (p *part) hopHere() { p.tx.r.scheds[p.shard].arm(p, p.runFn) }

func (p *part) runHop() {
	tx := p.tx
	tx.hopFn(p.shard)
	if tx.hopConclude {
		tx.r.scheds[p.shard].conclude(p)
	}
	tx.arrive(p.shard)
}

// concludeHere releases the part on its shard (Tx.concludeOn).
func (p *part) concludeHere() {
	tx := p.tx
	tx.r.scheds[p.shard].conclude(p)
	tx.unref()
}

// sched is one shard's scheduler: its intent locks and its queue of
// scheduled transactions ordered by id. Owner goroutine only, except the
// published gauges.
type sched struct {
	locks  lockTable
	queue  []*part // ascending tx id
	maxRun uint64  // largest id that has run a hop here

	polling, repoll bool

	queueLen atomic.Int64 // published len(queue), for INFO
}

func newSched() *sched { return &sched{locks: newLockTable()} }

// schedule places p in the queue and takes its locks, or refuses, in which
// case the coordinator cancels the transaction everywhere and retries with
// a new id. The rules keep every pair of conflicting transactions in id
// order on every shard they share:
//   - a transaction older than one that already ran here is refused (the
//     newer one may conflict with it and has been ordered first here);
//   - a contended transaction is refused unless it is the newest in the
//     queue, so it never slips in front of a queued transaction that it
//     conflicts with;
//   - an uncontended one is granted out of order: it conflicts with nothing
//     queued, and anything that later conflicts with it queues behind it.
func (s *sched) schedule(p *part, id uint64) bool {
	tx := p.tx
	p.id = id
	if id < s.maxRun {
		return false
	}
	granted := s.locks.free(p.locks, tx.global, tx.mode)
	if !granted && len(s.queue) > 0 && id < s.queue[len(s.queue)-1].id {
		return false
	}
	s.locks.acquire(p.locks, tx.global, tx.mode)
	p.ooo = granted
	p.queued = true
	i := len(s.queue)
	for i > 0 && s.queue[i-1].id > id {
		i--
	}
	s.queue = append(s.queue, nil)
	copy(s.queue[i+1:], s.queue[i:])
	s.queue[i] = p
	s.queueLen.Store(int64(len(s.queue)))
	return true
}

// runnable reports whether p may run a hop now.
func (s *sched) runnable(p *part) bool {
	return p.ooo || (len(s.queue) > 0 && s.queue[0] == p)
}

// arm runs hop now if p is runnable, or keeps it until p reaches the head
// of the queue.
func (s *sched) arm(p *part, hop func()) {
	if s.runnable(p) {
		s.run(p, hop)
		return
	}
	p.armed = hop
}

func (s *sched) run(p *part, hop func()) {
	if p.id > s.maxRun {
		s.maxRun = p.id
	}
	hop()
}

// conclude releases p's locks, leaves the queue and runs whatever that
// made runnable.
func (s *sched) conclude(p *part) {
	if !p.queued {
		return
	}
	p.queued = false
	s.locks.release(p.locks, p.tx.global, p.tx.mode)
	for i, q := range s.queue {
		if q == p {
			copy(s.queue[i:], s.queue[i+1:])
			s.queue[len(s.queue)-1] = nil
			s.queue = s.queue[:len(s.queue)-1]
			break
		}
	}
	s.queueLen.Store(int64(len(s.queue)))
	s.poll()
}

// poll runs the armed hop of the queue head, repeatedly, as heads conclude.
// A hop may conclude and so call poll again: the flag turns that nested
// call into another turn of this loop.
func (s *sched) poll() {
	if s.polling {
		s.repoll = true
		return
	}
	s.polling = true
	for {
		s.repoll = false
		if len(s.queue) > 0 && s.queue[0].armed != nil {
			p := s.queue[0]
			hop := p.armed
			p.armed = nil
			s.run(p, hop)
			continue
		}
		if !s.repoll {
			break
		}
	}
	s.polling = false
}
