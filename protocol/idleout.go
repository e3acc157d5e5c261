package protocol

import "time"

// Output buffers of idle connections. A connection keeps its output buffer
// (up to KeptOutputBytes) and its free reply slots' buffers (up to
// keptSlotBytes each) for its next replies, so that a client asking again and again for
// large replies does not grow a new buffer each time. A client that got
// one large reply and then went quiet would hold that memory for as long
// as it stays connected: 1,000 clients that each read one 500 KB value held
// 486 MB where Redis, which frees its reply blocks once written, held
// 45 MB. So a connection whose buffers passed idleKeptBytes goes on its
// loop's list, and a check that runs every idleCheckEvery while the list
// is not empty lets go of the buffers of those that have not needed them
// since the check before the last.
type idleOutput struct {
	conns []*Conn
	armed bool
	epoch uint32 // checks run
}

const (
	// idleKeptBytes is what an idle connection keeps of each buffer: the
	// size of Redis's fixed reply buffer.
	idleKeptBytes  = 16 << 10
	idleCheckEvery = time.Second
)

// keptLarge notes that c kept a buffer over idleKeptBytes for its next
// replies. Loop goroutine only.
func (c *Conn) keptLarge() {
	l := c.loop
	c.largeEpoch = l.io.epoch
	if c.largeListed {
		return
	}
	c.largeListed = true
	l.io.conns = append(l.io.conns, c)
	l.armIdleCheck()
}

// armIdleCheck runs trimIdleOutput on the loop idleCheckEvery from now,
// unless it is due already.
func (l *Loop) armIdleCheck() {
	if l.io.armed {
		return
	}
	l.io.armed = true
	time.AfterFunc(idleCheckEvery, func() { l.Wake(l.trimIdleOutput) })
}

// trimIdleOutput lets go of the large buffers of the listed connections
// that kept none since the check before this one (1 to 2 checks ago), and
// forgets them and the closed ones. Loop goroutine only.
func (l *Loop) trimIdleOutput() {
	l.io.armed = false
	l.io.epoch++
	keep := l.io.conns[:0]
	for _, c := range l.io.conns {
		switch {
		case c.released || c.closed:
			c.largeListed = false
		case l.io.epoch-c.largeEpoch >= 2 && len(c.out) == 0:
			c.trimBuffers()
			c.largeListed = false
		default:
			keep = append(keep, c)
		}
	}
	clear(l.io.conns[len(keep):])
	l.io.conns = keep
	if len(keep) > 0 {
		l.armIdleCheck()
	}
}

// trimBuffers drops the output buffer and the free slots' buffers over
// idleKeptBytes. Loop goroutine only, with nothing in c.out.
func (c *Conn) trimBuffers() {
	freed := 0
	if cap(c.out) > idleKeptBytes {
		freed += cap(c.out)
		c.out = nil
	}
	for _, s := range c.freeSlot {
		if cap(s.Buf) > idleKeptBytes {
			freed += cap(s.Buf)
			s.Buf = nil
		}
	}
	if freed > 0 {
		c.srv.release.note(freed)
	}
}
