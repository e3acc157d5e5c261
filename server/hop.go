package server

import (
	"time"

	"github.com/anaxdb/anax/server/command"
)

// A command whose keys live on another shard hops there: runHop copies
// its arguments out of the read buffer into a hopCall, queueHop adds it to
// the batch's hops for that shard, and at the end of the batch flushHops
// sends each shard its hops in one hopBatch (a pipeline's commands travel
// together). The target runs them in order and sends the batch back; on
// the home loop each reply completes and the records go back to the home
// loop's hopPool. Both kinds of record are taken and given back on the
// home loop only, and hand-offs between the loops go through the shards'
// inboxes (a mutex), so they need no lock of their own. In the steady
// state a hop allocates only gnet's two task-queue objects per post.

// hopCall is one command that runs on another shard.
type hopCall struct {
	x      command.Exec
	argv   [][]byte // x.Args: the arguments, copied into argBuf
	argBuf []byte
	reply  laterReply
	cl     *Client // read-only away from the home loop (slow log)
	home   int
	target int
	// completeFn and queuedFn are complete and runQueued bound once (a
	// method value allocates).
	completeFn, queuedFn func()
	s                    *Server
}

// hopBatch carries the hopCalls of one batch bound for one shard there,
// and those that ran back.
type hopBatch struct {
	s      *Server
	home   int
	target int
	calls  []*hopCall
	done   []*hopCall
	// runFn and backFn are run and back bound once.
	runFn, backFn func()
}

// hopPool is a loop's records for reuse. The records are few (the hops in
// flight) and small; the buffers they keep are bounded in all by
// maxHopPoolBytes, so a burst of large commands does not stay pinned.
type hopPool struct {
	calls     []*hopCall
	batches   []*hopBatch
	keptBytes int // the buffers of the records in calls
}

const (
	// maxHopPoolBytes bounds the argument and reply buffers a loop's free
	// hop records keep.
	maxHopPoolBytes = 1 << 20
	// maxHopCallBytes bounds what one free record keeps of each buffer.
	maxHopCallBytes = 16 << 10
	// maxHopRecords bounds the free records of each kind a loop keeps.
	maxHopRecords = 4096
	// maxHopBatchCalls bounds the call lists a free batch keeps.
	maxHopBatchCalls = 1024
)

func (p *hopPool) takeCall(s *Server, home int) *hopCall {
	if n := len(p.calls); n > 0 {
		h := p.calls[n-1]
		p.calls[n-1] = nil
		p.calls = p.calls[:n-1]
		p.keptBytes -= cap(h.argBuf) + cap(h.x.Out)
		return h
	}
	h := &hopCall{s: s, home: home}
	h.x.Env = s
	h.completeFn, h.queuedFn = h.complete, h.runQueued
	return h
}

// putCall takes back h, whose reply has completed.
func (p *hopPool) putCall(h *hopCall) {
	clear(h.argv)
	h.argv = h.argv[:0]
	h.x.Client, h.x.Cmd, h.x.Args, h.x.Home = nil, nil, nil, nil
	h.reply, h.cl = laterReply{}, nil
	if len(p.calls) >= maxHopRecords {
		return
	}
	if cap(h.argBuf) > maxHopCallBytes || p.keptBytes+cap(h.argBuf) > maxHopPoolBytes {
		h.argBuf = nil
	}
	if cap(h.x.Out) > maxHopCallBytes || p.keptBytes+cap(h.argBuf)+cap(h.x.Out) > maxHopPoolBytes {
		h.x.Out = nil
	}
	if cap(h.argv) > maxHopBatchCalls {
		h.argv = nil
	}
	p.keptBytes += cap(h.argBuf) + cap(h.x.Out)
	p.calls = append(p.calls, h)
}

func (p *hopPool) takeBatch(s *Server, home int) *hopBatch {
	if n := len(p.batches); n > 0 {
		hb := p.batches[n-1]
		p.batches[n-1] = nil
		p.batches = p.batches[:n-1]
		return hb
	}
	hb := &hopBatch{s: s, home: home}
	hb.runFn, hb.backFn = hb.run, hb.back
	return hb
}

func (p *hopPool) putBatch(hb *hopBatch) {
	if len(p.batches) >= maxHopRecords {
		return
	}
	if cap(hb.calls) > maxHopBatchCalls {
		hb.calls = nil
	}
	if cap(hb.done) > maxHopBatchCalls {
		hb.done = nil
	}
	p.batches = append(p.batches, hb)
}

// runHop runs a single-shard command on another shard. There it runs at
// once unless a scheduled transaction holds a conflicting lock, in which
// case it queues behind that transaction.
func (s *Server) runHop(k *call, target int) {
	b := &s.batch[k.home]
	h := b.hopFree.takeCall(s, k.home)
	h.argv, h.argBuf = copyArgsInto(h.argv[:0], h.argBuf, k.args)
	s.resetExec(&h.x, k.cl, k.cmd, h.argv, k.now)
	h.x.Client = nil
	h.x.SetHome(s.router.Shard(target))
	h.reply = reserveReply(k.c, k.cl)
	h.cl, h.target = k.cl, target
	if b.hops == nil {
		b.hops = make([][]*hopCall, s.router.N())
	}
	if len(b.hops[target]) == 0 {
		b.hopTargets = append(b.hopTargets, target)
	}
	b.hops[target] = append(b.hops[target], h)
}

// flushHops posts the hops queued on loop home. It runs at the end of each
// batch, and before anything else of the loop posts to a shard, so that a
// connection's commands reach each shard in the order sent.
func (s *Server) flushHops(home int) {
	b := &s.batch[home]
	if len(b.hopTargets) == 0 {
		return
	}
	for _, target := range b.hopTargets {
		hb := b.hopFree.takeBatch(s, home)
		hb.target = target
		hb.calls, b.hops[target] = b.hops[target], hb.calls[:0]
		if len(hb.calls) > 1 {
			s.router.Stats.Squashed.Add(int64(len(hb.calls)))
		}
		s.router.Hop(target, hb.runFn)
	}
	b.hopTargets = b.hopTargets[:0]
}

// run runs the batch's commands on the target shard, in order, and sends
// the batch home. A command whose keys a scheduled transaction holds
// queues behind it and completes on its own.
func (hb *hopBatch) run() {
	s, target := hb.s, hb.target
	start := time.Now()
	for i, h := range hb.calls {
		hb.calls[i] = nil
		if !s.router.Idle(target) {
			// A transaction holds locks here: this command's keys are
			// planned again, rarely, rather than copied on every hop.
			var plan keyPlan
			s.planKeys(&plan, h.x.Cmd, h.x.Args)
			if locks := plan.locks(nil, h.x.Cmd, h.x.Args); !s.router.Free(target, locks) {
				s.router.RunQueued(target, locks, h.queuedFn)
				continue
			}
		}
		s.runUntimed(&h.x, h.cl)
		h.reply.take(&h.x.Out)
		hb.done = append(hb.done, h)
	}
	hb.calls = hb.calls[:0]
	if len(hb.done) > 0 {
		hb.noteRuns(time.Since(start))
	}
	// Clients blocked on keys these commands wrote are served before the
	// replies go back, so that a client's next command finds what serving
	// them did (a BLMOVE's push) in place.
	if s.router.Shard(target).HasReady() {
		s.serveReady(target)
	}
	// Sent back even with nothing done, to go back to its pool.
	s.router.Shard(hb.home).Post(hb.backFn)
}

// noteRuns records the statistics of the commands the batch ran, which
// took total together: timed once, as the inline commands of a read batch
// are (EndBatch), rather than with two clock readings per command. The
// time is shared as the slow log shares an inline batch's (package
// slowlog): evenly, or among the commands not flagged fast when there are
// any. The commands queued behind a transaction are timed on their own.
func (hb *hopBatch) noteRuns(total time.Duration) {
	slow := 0
	for _, h := range hb.done {
		if h.x.Cmd.Flags&command.FlagFast == 0 {
			slow++
		}
	}
	share := total / time.Duration(len(hb.done))
	if slow > 0 {
		share = total / time.Duration(slow)
	}
	for _, h := range hb.done {
		d := share
		if slow > 0 && h.x.Cmd.Flags&command.FlagFast != 0 {
			d = 0 // a fast command beside slow ones
		}
		hb.s.noteRun(&h.x, hb.target, d, h.cl)
	}
}

// back completes the replies of the batch's commands that ran, on the
// home loop, and gives the records back.
func (hb *hopBatch) back() {
	pool := &hb.s.batch[hb.home].hopFree
	for i, h := range hb.done {
		hb.done[i] = nil
		h.complete()
	}
	hb.done = hb.done[:0]
	pool.putBatch(hb)
}

// runQueued runs the command queued behind a transaction, timed on its
// own, and sends it home.
func (h *hopCall) runQueued() {
	h.s.runCommand(&h.x, h.target, h.cl)
	h.reply.take(&h.x.Out)
	h.s.router.Shard(h.home).Post(h.completeFn)
}

// complete hands the reply to the connection, on the home loop, and gives
// the record back.
func (h *hopCall) complete() {
	h.reply.complete()
	h.s.batch[h.home].hopFree.putCall(h)
}
