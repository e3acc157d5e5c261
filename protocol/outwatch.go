package protocol

import (
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// outputWatch is a loop's list of connections paused because their output
// is over highWater. gnet says nothing when a socket's buffer drains, so
// the loop looks again after a short while: every minPoll at first, backing
// off to maxPoll while nothing drains (a client that never reads costs a
// few wake-ups a second).
type outputWatch struct {
	conns []*Conn
	armed bool
	poll  time.Duration
}

const (
	minOutputPoll = time.Millisecond
	maxOutputPoll = 50 * time.Millisecond
)

// watchOutput adds c to the loop's watch list. Loop goroutine only.
func (l *Loop) watchOutput(c *Conn) {
	if c.watched {
		return
	}
	c.watched = true
	l.ow.conns = append(l.ow.conns, c)
	l.ow.poll = minOutputPoll
	l.armOutputWatch()
}

func (l *Loop) armOutputWatch() {
	if l.ow.armed {
		return
	}
	l.ow.armed = true
	time.AfterFunc(l.ow.poll, func() { l.Wake(l.checkOutputs) })
}

func (c *Conn) resumeMark() int {
	_, resume := pauseMarks(c.outputLimit())
	return resume
}

// checkOutputs wakes the watched connections whose output has drained to
// lowWater, closes those over their soft limit for too long, and forgets
// the closed ones. Loop goroutine only.
func (l *Loop) checkOutputs() {
	l.ow.armed = false
	keep := l.ow.conns[:0]
	woke := false
	for _, c := range l.ow.conns {
		switch {
		case c.closed || c.aborted:
			c.watched = false
		case !c.checkOutputLimits(c.OutputBuffered()):
			c.watched = false
		case c.OutputBuffered() <= c.resumeMark():
			c.watched = false
			c.outStalled = false
			c.publish()
			_ = c.gc.Wake(nil)
			woke = true
		default:
			c.publish()
			keep = append(keep, c)
		}
	}
	for i := len(keep); i < len(l.ow.conns); i++ {
		l.ow.conns[i] = nil
	}
	l.ow.conns = keep
	if len(keep) == 0 {
		return
	}
	if woke {
		l.ow.poll = minOutputPoll
	} else {
		l.ow.poll = min(2*l.ow.poll, maxOutputPoll)
	}
	l.armOutputWatch()
}

// memoryReleaser hands memory back to the OS after large reply or input
// buffers are dropped (a big reply written, a client holding big buffers
// gone). The event loop's buffers go back to its pools and Anax's to the Go
// heap; without a push the runtime keeps both for minutes. At most one
// release runs per releaseEvery.
type memoryReleaser struct {
	freed atomic.Int64 // bytes freed since the last release
	kick  chan struct{}
	done  chan struct{}
	once  sync.Once
}

const (
	releaseAfter = 32 << 20 // freed bytes that justify a release
	releaseEvery = 2 * time.Second
)

func (r *memoryReleaser) start() {
	r.kick = make(chan struct{}, 1)
	r.done = make(chan struct{})
	go r.run()
}

func (r *memoryReleaser) stop() {
	if r.done != nil {
		r.once.Do(func() { close(r.done) })
	}
}

// note records n bytes of buffers dropped. Any goroutine.
func (r *memoryReleaser) note(n int) {
	if r.kick == nil || r.freed.Add(int64(n)) < releaseAfter {
		return
	}
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

func (r *memoryReleaser) run() {
	for {
		select {
		case <-r.done:
			return
		case <-r.kick:
		}
		r.freed.Store(0)
		// Two collections: buffers parked in sync.Pools survive the first
		// in the pools' victim cache.
		runtime.GC()
		debug.FreeOSMemory()
		select {
		case <-r.done:
			return
		case <-time.After(releaseEvery):
		}
	}
}
