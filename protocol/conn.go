package protocol

import (
	"errors"
	"net"
	"time"

	"github.com/anaxdb/anax/protocol/resp"
	"github.com/panjf2000/gnet/v2"
)

// Slot is one reply in a connection's FIFO.
type Slot struct {
	Buf  []byte // the reply bytes; written by whoever owns the slot
	done bool
}

// Conn is one client connection. All fields and methods are for the
// connection's loop goroutine only, except where noted.
type Conn struct {
	ID      int64
	Created time.Time
	// Client is the command layer's per-connection state.
	Client any

	srv  *Server
	gc   gnet.Conn
	loop *Loop
	lim  Limits
	// Addresses, taken at open: gnet clears its own when the connection
	// closes, and CLIENT LIST reads them from other loops.
	remote, local net.Addr

	parser resp.Parser
	argv   [][]byte
	out    []byte // replies ready to write, in order, before any slot

	fifo            []*Slot // pending and finished slots, oldest first
	freeSlot        []*Slot
	hold            bool // a command asked to stop parsing until the FIFO drains
	stalled         bool // parsing paused; wake when the FIFO drains
	closing         bool // close once the output is written
	closed          bool
	inBatch         bool // inside process(): writes are batched until it ends
	face            Face // nil: RESP
	sniffed         bool // the protocol of this connection is decided
	Unauthenticated bool
}

// Loop returns the index of the connection's loop (its home shard).
func (c *Conn) Loop() int { return c.loop.Index }

// RemoteAddr returns the peer address. Safe from any goroutine.
func (c *Conn) RemoteAddr() net.Addr { return c.remote }

// LocalAddr returns the local address. Safe from any goroutine.
func (c *Conn) LocalAddr() net.Addr { return c.local }

// Fd returns the socket's file descriptor.
func (c *Conn) Fd() int { return c.gc.Fd() }

// Pending returns the number of slots in the FIFO.
func (c *Conn) Pending() int { return len(c.fifo) }

// OutputBuffered returns the bytes waiting to be written.
func (c *Conn) OutputBuffered() int { return c.gc.OutboundBuffered() + len(c.out) }

// InputBuffered returns the bytes read but not consumed.
func (c *Conn) InputBuffered() int { return c.gc.InboundBuffered() }

// Begin returns the buffer the next immediate reply must be appended to;
// pass the grown buffer to End.
func (c *Conn) Begin() []byte {
	if len(c.fifo) == 0 {
		return c.out
	}
	s := c.newSlot()
	c.fifo = append(c.fifo, s)
	return s.Buf[:0]
}

// End stores the buffer returned by Begin after appending a reply.
func (c *Conn) End(b []byte) {
	if len(c.fifo) == 0 {
		c.out = b
		return
	}
	s := c.fifo[len(c.fifo)-1]
	s.Buf = b
	s.done = true
}

// Defer reserves a slot for a reply that will be produced later, on any
// goroutine; that goroutine fills Slot.Buf and arranges for Complete to run
// on this connection's loop.
func (c *Conn) Defer() *Slot {
	s := c.newSlot()
	c.fifo = append(c.fifo, s)
	return s
}

// Hold stops parsing after the current command until every reply so far
// has been written (used while a multi-shard command is in flight, so that
// the connection's next commands cannot overtake it).
func (c *Conn) Hold() { c.hold = true }

// CloseAfterReply closes the connection once its replies are written.
func (c *Conn) CloseAfterReply() { c.closing = true }

// Kill closes the connection now. Safe from any goroutine.
func (c *Conn) Kill() { _ = c.gc.Close() }

// Complete marks s finished and writes the finished prefix of the FIFO.
// Loop goroutine only.
func (c *Conn) Complete(s *Slot) {
	s.done = true
	if c.closed {
		return
	}
	if c.inBatch {
		return
	}
	c.flush()
}

func (c *Conn) newSlot() *Slot {
	if n := len(c.freeSlot); n > 0 {
		s := c.freeSlot[n-1]
		c.freeSlot = c.freeSlot[:n-1]
		s.Buf = s.Buf[:0]
		s.done = false
		return s
	}
	return &Slot{}
}

// flush writes c.out and the finished prefix of the FIFO, then wakes the
// connection if it was paused and the FIFO is now empty.
func (c *Conn) flush() {
	n := 0
	for n < len(c.fifo) && c.fifo[n].done {
		n++
	}
	if n > 0 {
		for _, s := range c.fifo[:n] {
			c.out = append(c.out, s.Buf...)
			if cap(s.Buf) > 64<<10 {
				s.Buf = nil
			}
			c.freeSlot = append(c.freeSlot, s)
		}
		copy(c.fifo, c.fifo[n:])
		for i := len(c.fifo) - n; i < len(c.fifo); i++ {
			c.fifo[i] = nil
		}
		c.fifo = c.fifo[:len(c.fifo)-n]
	}
	if len(c.out) > 0 {
		_, _ = c.gc.Write(c.out)
		if cap(c.out) > 1<<20 {
			c.out = nil
		} else {
			c.out = c.out[:0]
		}
	}
	if len(c.fifo) == 0 {
		if c.closing {
			_ = c.gc.Close()
			return
		}
		if c.stalled {
			c.stalled = false
			c.hold = false
			_ = c.gc.Wake(nil)
		}
	}
}

// processFace hands the buffered bytes to a non-RESP face.
func (c *Conn) processFace(buf []byte) gnet.Action {
	c.inBatch = true
	consumed, closeAfter := c.face.Traffic(c, buf)
	if consumed > 0 {
		_, _ = c.gc.Discard(consumed)
	}
	c.inBatch = false
	if closeAfter {
		c.closing = true
	}
	if c.hold {
		// The face asked to pause (Hold) until its replies are written:
		// flush wakes the connection when the FIFO drains.
		c.stalled = true
	}
	c.flush()
	return gnet.None
}

var errQueryBuffer = errors.New("query buffer limit")

// process parses and dispatches every complete command in the inbound
// buffer, then writes what is ready.
func (c *Conn) process() gnet.Action {
	if c.closing || c.stalled {
		return gnet.None
	}
	buffered := c.gc.InboundBuffered()
	if c.lim.QueryBufferMax > 0 && buffered > c.lim.QueryBufferMax {
		c.srv.opts.Logf("closing client %d: query buffer of %d bytes is over the limit", c.ID, buffered)
		return gnet.Close
	}
	if need := c.parser.Need(); need > 0 && buffered < need {
		return gnet.None
	}
	if fn, ok := c.face.(FaceNeeder); ok && buffered < fn.Need(c) {
		return gnet.None
	}
	buf, err := c.gc.Peek(buffered)
	if err != nil {
		return gnet.Close
	}
	if !c.sniffed {
		isHTTP, decided := sniffHTTP(buf)
		if !decided {
			return gnet.None
		}
		c.sniffed = true
		if isHTTP {
			// The connection was opened as a RESP client: hand it over.
			c.srv.Clients.Add(-1)
			c.srv.opts.Handler.Close(c)
			c.face = c.srv.opts.HTTP
			c.face.Open(c)
		}
	}
	if c.face != nil {
		return c.processFace(buf)
	}
	c.inBatch = true
	c.srv.opts.Handler.BeginBatch(c)
	consumed := 0
	lim := resp.DefaultLimits()
	if c.lim.MaxBulkLen > 0 {
		lim.MaxBulkLen = c.lim.MaxBulkLen
	}
	for consumed < len(buf) {
		if c.hold || len(c.fifo) >= c.lim.MaxPending {
			c.stalled = true
			break
		}
		lim.Unauthenticated = c.Unauthenticated
		args, n, err := c.parser.Parse(buf[consumed:], c.argv[:0], &lim)
		if err != nil {
			if errors.Is(err, resp.ErrIncomplete) {
				break
			}
			var pe *resp.ProtocolError
			if errors.As(err, &pe) {
				b := c.Begin()
				b = resp.AppendError(b, "ERR "+pe.Msg)
				c.End(b)
				c.closing = true
				break
			}
			return gnet.Close
		}
		c.argv = args[:0]
		if len(args) == 0 {
			consumed += n
			continue
		}
		if c.srv.opts.Handler.Command(c, args) == Retry {
			c.stalled = true
			break
		}
		consumed += n
		if c.closing {
			break
		}
	}
	c.inBatch = false
	// EndBatch runs before Discard: the batch's arguments are still valid
	// there (the slow log copies those of slow inline commands).
	c.srv.opts.Handler.EndBatch(c)
	if consumed > 0 {
		// Never Discard(0): gnet treats n <= 0 as "discard everything".
		_, _ = c.gc.Discard(consumed)
	}
	c.flush()
	if c.stalled && len(c.fifo) == 0 && !c.closing {
		// Everything finished while we were parsing: carry on at once.
		c.stalled = false
		c.hold = false
		_ = c.gc.Wake(nil)
	}
	return gnet.None
}
