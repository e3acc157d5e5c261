package protocol

import (
	"errors"
	"net"
	"slices"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/anaxdb/anax/protocol/resp"
	"github.com/panjf2000/gnet/v2"
	"golang.org/x/sys/unix"
)

// Slot is one reply in a connection's FIFO.
type Slot struct {
	Buf  []byte // the reply bytes; written by whoever owns the slot
	done bool
}

// ClientClass is the client-output-buffer-limit class of a connection.
type ClientClass int

const (
	ClassNormal ClientClass = iota
	ClassPubSub
	ClassReplica
	classCount
)

// ClientLimits are the per-client limits CONFIG SET may change while
// clients are connected. The server publishes a new value on each change
// (Options.ClientLimits); a connection reads it with one atomic load per
// batch, not through a function per limit.
type ClientLimits struct {
	// QueryBufferMax is client-query-buffer-limit: a client whose unparsed
	// input grows past it is closed. <= 0: no limit.
	QueryBufferMax int
	// Output is client-output-buffer-limit per class.
	Output [classCount]OutputLimit
}

// OutputLimit is one class's client-output-buffer-limit: a client whose
// queued output exceeds Hard bytes, or stays above Soft bytes for
// SoftSeconds, is closed. 0 disables a limit.
type OutputLimit struct {
	Hard, Soft  int64
	SoftSeconds int64
}

// Output backpressure. A connection whose queued output (Anax's buffers and
// the event loop's) is over highWater after a command stops parsing its
// further commands until the output has drained to lowWater: a client that
// does not read its replies holds about highWater plus one reply, however
// many commands it sent. A single reply is never split. A configured
// client-output-buffer-limit moves the marks (see pauseMarks).
// KeptOutputBytes is the largest output buffer a connection keeps for its
// next replies once written; a bigger one goes back to the runtime. A
// buffer that replies are built in before they are handed over (the
// server's per-loop reply buffer) keeps as much: the two trade places.
const KeptOutputBytes = 1 << 20

// keptSlotBytes is the largest buffer a free reply slot keeps; a finished
// reply larger than that is handed to the output buffer when it can be
// (takeReady) rather than copied.
const keptSlotBytes = 64 << 10

const (
	highWater = 4 << 20
	lowWater  = 1 << 20
	// earlyWrite is the output a batch writes before its end: a pipeline
	// of large replies then reuses one output buffer, kept up to
	// KeptOutputBytes, where the whole batch's replies grew one past that by
	// doubling, to be dropped once written (16 LRANGEs of 100 KB each:
	// every batch copied and cleared some 4 MB for 1.6 MB of replies).
	earlyWrite = 256 << 10
	// initialWindow is how many replies a new connection may have pending
	// in its FIFO (replies computed on other shards, and those queued
	// behind them) before parsing waits for the FIFO to drain. The window
	// doubles at each drain of deferred replies while they are small, up
	// to MaxPending, and shrinks to highWater / (largest reply) when they
	// are large: replies computed in parallel for one client hold about
	// highWater, where a fixed window of 1,024 could hold 1,024 values.
	initialWindow = 4
)

// Conn is one client connection. All fields and methods are for the
// connection's loop goroutine only, except where noted.
type Conn struct {
	ID      int64
	Created time.Time
	// Client is the command layer's per-connection state.
	Client any
	// Class is the connection's client-output-buffer-limit class; the
	// command layer sets it (pub/sub clients).
	Class ClientClass
	// Queued is the bytes the command layer holds for commands of this
	// connection not yet run (a MULTI's queue): they count towards
	// client-query-buffer-limit with the unparsed input, as Redis 7.4
	// counts them, so a transaction cannot queue without bound.
	Queued int

	srv  *Server
	gc   gnet.Conn
	loop *Loop
	// dirty: the connection is in loop.dirty, to be written when the
	// loop's turn ends.
	dirty bool
	// later: the connection is in loop.later (CompleteLater).
	later bool
	lim   Limits
	// Addresses, taken at open: gnet clears its own when the connection
	// closes, and CLIENT LIST reads them from other loops.
	remote, local net.Addr

	parser resp.Parser
	argv   [][]byte
	// in holds the input that could not be handled straight from the
	// loop's read buffer: an incomplete command, or the commands left
	// while parsing is paused. gnet's own inbound buffer is never used.
	in  inputBuffer
	out []byte // replies ready to write, in order, before any slot

	fifo      []*Slot // pending and finished slots, oldest first
	freeSlot  []*Slot
	slotBytes int // bytes of the finished slots in the FIFO
	begun     int // bytes the FIFO's last slot held when Begin returned it
	window    int // see initialWindow
	bigReply  int // largest slot since the FIFO last drained
	checkAt   int // outputCheckAt for the batch being processed
	deferred  int // slots deferred since the FIFO last drained

	hold       bool  // a command asked to stop parsing until the FIFO drains
	stalled    bool  // parsing paused; wake when the FIFO drains
	outStalled bool  // parsing paused until the output drains (outputWatch)
	watched    bool  // in the loop's outputWatch list
	softSince  int64 // Unix ms the output went over the soft limit; 0: under it
	closing    bool  // close once the output is written
	aborted    bool  // close now, dropping unwritten output
	closed     bool
	inBatch    bool // inside process(): writes are batched until it ends
	busy       bool // inside process(): its input must outlive a close (see OnClose)
	released   bool
	// largeListed: in the loop's idleOutput list; largeEpoch: the list's
	// check count when the connection last kept a large buffer.
	largeListed bool
	largeEpoch  uint32
	// orphan is a duplicate of the socket, kept when the connection closed
	// (the peer shut its side) with replies still pending on other shards:
	// they are written to it as they finish, as Redis would have written
	// them before it read the end of the input, and then it is closed
	// (writeOrphan). 0: none.
	orphan  int
	face    Face // nil: RESP
	sniffed bool // the protocol of this connection is decided

	Unauthenticated bool

	// Published for CLIENT LIST on other loops.
	pubOut, pubIn atomic.Int64
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

// OutputBuffered returns the bytes waiting to be written: finished
// replies not yet handed to the socket and the event loop's buffer.
func (c *Conn) OutputBuffered() int {
	if c.closed {
		return 0
	}
	return c.gc.OutboundBuffered() + len(c.out) + c.slotBytes
}

// InputBuffered returns the bytes read but not consumed.
func (c *Conn) InputBuffered() int { return c.in.Len() + c.gc.InboundBuffered() }

// PublishedOutput and PublishedInput return the output and input buffered
// as of the connection's last batch. Safe from any goroutine.
func (c *Conn) PublishedOutput() int64 { return c.pubOut.Load() }
func (c *Conn) PublishedInput() int64  { return c.pubIn.Load() }

// Begin returns the buffer the next immediate reply must be appended to;
// pass the grown buffer to End. Behind a pending reply that is the FIFO's
// last slot when that one is finished (its owner has let it go: the loop
// wrote it, or Complete gave it back), else a new slot: immediate replies
// in a row share one slot, so that a pipeline of MULTI, +QUEUED and EXEC
// behind a reply from another shard takes a slot per EXEC, not per reply,
// of the connection's window.
func (c *Conn) Begin() []byte {
	if len(c.fifo) == 0 {
		return c.out
	}
	if s := c.fifo[len(c.fifo)-1]; s.done {
		c.begun = len(s.Buf)
		return s.Buf
	}
	s := c.newSlot()
	c.fifo = append(c.fifo, s)
	c.begun = 0
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
	c.slotBytes += len(b) - c.begun
	c.bigReply = max(c.bigReply, len(b))
}

// Defer reserves a slot for a reply that will be produced later, on any
// goroutine; that goroutine fills Slot.Buf and arranges for Complete to run
// on this connection's loop.
func (c *Conn) Defer() *Slot {
	c.deferred++
	s := c.newSlot()
	c.fifo = append(c.fifo, s)
	return s
}

// DeferBefore reserves a slot placed just before s, a slot of the FIFO
// still waiting for its reply: for an out-of-band push to a client whose
// pending reply does not exist yet in Redis's terms (a blocked command's),
// which Redis writes at once. With s gone from the FIFO it is Defer. Loop
// goroutine only.
func (c *Conn) DeferBefore(s *Slot) *Slot {
	for i := len(c.fifo) - 1; i >= 0; i-- {
		if c.fifo[i] == s {
			c.deferred++
			n := c.newSlot()
			c.fifo = slices.Insert(c.fifo, i, n)
			return n
		}
	}
	return c.Defer()
}

// Hold stops parsing after the current command until every reply so far
// has been written (used while a multi-shard command is in flight, so that
// the connection's next commands cannot overtake it).
func (c *Conn) Hold() { c.hold = true }

// CloseAfterReply closes the connection once its replies are written.
func (c *Conn) CloseAfterReply() { c.closing = true }

// Abort closes the connection now: nothing more is parsed or executed, and
// output not yet written is dropped (a cross-protocol attack, a client over
// its output limit). Loop goroutine only.
func (c *Conn) Abort() {
	if c.aborted || c.closed {
		return
	}
	c.aborted = true
	c.closing = true
	c.out = c.out[:0]
	if !c.inBatch {
		_ = c.gc.Close()
	}
}

// Kill closes the connection now. Safe from any goroutine.
func (c *Conn) Kill() { _ = c.gc.Close() }

// Complete marks s finished and writes the finished prefix of the FIFO:
// at the end of the connection's batch when it is in one, else at the end
// of the loop's turn (see Loop.dirty), else now. Loop goroutine only.
func (c *Conn) Complete(s *Slot) {
	if !c.finish(s) {
		return
	}
	if c.loop.inTurn {
		if !c.dirty {
			c.dirty = true
			c.loop.dirty = append(c.loop.dirty, c)
		}
		return
	}
	c.flush()
}

// CompleteLater marks s finished, an out-of-band push (a Pub/Sub message),
// and writes it with whatever else the loop's current round adds: at the
// end of the connection's batch when it is in one, else after the round's
// I/O events (Loop.later). Loop goroutine only.
func (c *Conn) CompleteLater(s *Slot) {
	if !c.finish(s) {
		return
	}
	c.queueLater(true)
}

// flushAfterRound writes the connection (flush) once the loop has handled
// the I/O events of its current round, as Redis writes its clients just
// before it sleeps, rather than right after its own batch. A load
// generator or client with many connections then gets a round's replies
// in one burst: written one connection at a time, each reply woke the
// client's thread on its own (54 wake-ups per 1,000 ZPOPMIN at pipeline
// 16 on one core, Redis 9; this way 5), and each wake-up cost the server
// an inter-processor interrupt in its write. A connection that closes
// before then gets what is ready written by OnClose.
func (c *Conn) flushAfterRound() { c.queueLater(false) }

// queueLater puts the connection on the loop's list of connections to
// write once its round ends (Loop.later) and makes sure a flush is queued:
// for a push through gnet's task queue, which runs after every event of
// the round it is seen in, so that a subscriber gets the messages of more
// publishers in one write (100 subscribers at P1: 17% more server CPU per
// PUBLISH when pushes went through the waker, which the loop may handle
// first in its round); for a batch's replies through the loop's waker,
// which allocates nothing.
func (c *Conn) queueLater(push bool) {
	if c.loop.el == nil { // a test connection: no event loop behind it
		c.flush()
		return
	}
	if !c.later {
		c.later = true
		c.loop.later = append(c.loop.later, c)
	}
	if push {
		c.loop.queueFlushTask()
	} else {
		c.loop.queueFlushWaker()
	}
}

// finish marks s finished and reports whether it is for the caller to
// write: not when the connection is gone, nor in its own batch (which
// writes at its end).
func (c *Conn) finish(s *Slot) bool {
	s.done = true
	if c.orphan != 0 {
		c.writeOrphan()
		return false
	}
	if c.closed || c.aborted {
		return false
	}
	c.slotDone(s)
	return !c.inBatch
}

// pending reports whether a slot of the FIFO waits for its reply.
func (c *Conn) pending() bool {
	for _, s := range c.fifo {
		if !s.done {
			return true
		}
	}
	return false
}

// adopt keeps a duplicate of the closing connection's socket for the
// replies still pending (see orphan). OnClose calls it once what was
// ready has been handed to gnet, which writes it before closing.
func (c *Conn) adopt() {
	if c.aborted || !c.pending() {
		return
	}
	if fd, err := unix.FcntlInt(uintptr(c.gc.Fd()), unix.F_DUPFD_CLOEXEC, 3); err == nil {
		c.orphan = fd
	}
}

// writeOrphan writes the finished prefix of the FIFO to the orphaned
// socket and closes it once no reply is pending. A write that would block
// or fails gives the rest up: the client is not reading.
func (c *Conn) writeOrphan() {
	c.takeReady()
	for buf := c.out; len(buf) > 0; {
		w, err := unix.Write(c.orphan, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil || w <= 0 {
			c.fifo = nil
			break
		}
		buf = buf[w:]
	}
	c.out = nil // released with the connection
	if len(c.fifo) == 0 {
		_ = unix.Close(c.orphan)
		c.orphan = 0
		c.fifo, c.freeSlot, c.slotBytes = nil, nil, 0
	}
}

func (c *Conn) slotDone(s *Slot) {
	c.slotBytes += len(s.Buf)
	c.bigReply = max(c.bigReply, len(s.Buf))
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

// writeReady moves the finished prefix of the FIFO behind c.out and hands
// c.out to the event loop, which writes what the socket takes and buffers
// the rest.
func (c *Conn) writeReady() {
	c.takeReady()
	if len(c.out) > 0 {
		c.loop.netOut += int64(len(c.out))
		c.write(c.out)
		if cap(c.out) > KeptOutputBytes {
			c.srv.release.note(cap(c.out))
			c.out = nil
		} else {
			c.out = c.out[:0]
			if cap(c.out) > idleKeptBytes {
				c.keptLarge()
			}
		}
	}
}

// takeReady moves the finished prefix of the FIFO to c.out.
func (c *Conn) takeReady() {
	n := 0
	for n < len(c.fifo) && c.fifo[n].done {
		n++
	}
	if n > 0 {
		for _, s := range c.fifo[:n] {
			c.slotBytes -= len(s.Buf)
			if len(c.out) == 0 && len(s.Buf) > keptSlotBytes && cap(s.Buf) <= KeptOutputBytes {
				// A large reply from another shard becomes the output
				// buffer rather than being copied into it; the slot
				// keeps the old one under the bound below.
				c.out, s.Buf = s.Buf, c.out[:0]
			} else {
				c.out = append(c.out, s.Buf...)
			}
			if cap(s.Buf) > keptSlotBytes {
				c.srv.release.note(cap(s.Buf))
				s.Buf = nil
			} else if cap(s.Buf) > idleKeptBytes {
				c.keptLarge()
			}
			c.freeSlot = append(c.freeSlot, s)
		}
		copy(c.fifo, c.fifo[n:])
		for i := len(c.fifo) - n; i < len(c.fifo); i++ {
			c.fifo[i] = nil
		}
		c.fifo = c.fifo[:len(c.fifo)-n]
	}
}

// write hands b to the socket. While gnet holds nothing unsent for it, the
// bytes go straight to the non-blocking socket by a raw system call: it
// cannot block, and Go's bookkeeping around a scheduler-aware call
// (entersyscall, exitsyscall) was some 5% of a server's CPU at pipeline 1.
// The call is send(2) rather than write(2): a socket's send skips the file
// layer write goes through (the position lock, vfs_write, the iterator
// wrapper), 120-150 ns less per call on loopback TCP, about 1.3% of a
// pipeline-1 request; MSG_NOSIGNAL turns a write to a reset peer into
// EPIPE without raising SIGPIPE. Every connection here is a socket.
// What the socket does not take, and any error, goes through gnet, which
// buffers the rest until the socket drains or closes the connection.
func (c *Conn) write(b []byte) {
	if fd := c.gc.Fd(); fd > 0 && c.gc.OutboundBuffered() == 0 {
		n, _, errno := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)), unix.MSG_NOSIGNAL, 0, 0)
		if errno == 0 {
			if b = b[n:]; len(b) == 0 {
				return
			}
		}
	}
	_, _ = c.gc.Write(b)
}

// flush writes c.out and the finished prefix of the FIFO, then wakes the
// connection if it was paused and the FIFO is now empty.
func (c *Conn) flush() {
	if c.aborted || c.closed {
		return
	}
	c.writeReady()
	if !c.checkOutputLimits(c.gc.OutboundBuffered() + c.slotBytes) {
		return
	}
	if len(c.fifo) == 0 {
		c.drained()
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
	c.publish()
}

// drained adapts the window of pending replies when the FIFO empties.
func (c *Conn) drained() {
	if c.deferred == 0 {
		return
	}
	switch {
	case c.bigReply > 0 && c.bigReply*c.window > highWater:
		c.window = max(1, highWater/c.bigReply)
	case c.window < c.lim.MaxPending:
		c.window = min(2*c.window, c.lim.MaxPending)
	}
	c.bigReply, c.deferred = 0, 0
}

// WindowFull reports whether the FIFO holds as many replies as the
// connection may have pending (see initialWindow): a face stops taking
// requests, calls Hold, and is called again once the FIFO drains.
func (c *Conn) WindowFull() bool { return len(c.fifo) >= c.window }

// publish stores the buffer sizes CLIENT LIST reads from other loops.
func (c *Conn) publish() {
	out, in := int64(c.OutputBuffered()), int64(c.in.Len())
	if c.pubOut.Load() != out {
		c.pubOut.Store(out)
	}
	if c.pubIn.Load() != in {
		c.pubIn.Store(in)
	}
}

// outputLimit returns the connection's class limits.
func (c *Conn) outputLimit() OutputLimit {
	if l := c.srv.opts.ClientLimits; l != nil {
		return l.Load().Output[c.Class]
	}
	return OutputLimit{}
}

// checkOutputLimits applies client-output-buffer-limit to total queued
// output bytes: over the hard limit, or over the soft one for longer than
// its seconds, the connection is aborted. It reports whether the
// connection may go on.
func (c *Conn) checkOutputLimits(total int) bool {
	lim := c.outputLimit()
	if lim.Hard == 0 && lim.Soft == 0 {
		return true
	}
	over := lim.Hard > 0 && int64(total) > lim.Hard
	if !over && lim.Soft > 0 && int64(total) > lim.Soft {
		ms := time.Now().UnixMilli()
		if c.softSince == 0 {
			c.softSince = ms
		} else if ms-c.softSince >= lim.SoftSeconds*1000 {
			over = true
		}
	} else if !over {
		c.softSince = 0
	}
	if !over {
		return true
	}
	c.srv.OutputLimitDisconnections.Add(1)
	c.srv.opts.Warnf("Client id=%d addr=%v closed for overcoming of output buffer limits.", c.ID, c.remote)
	c.Abort()
	return false
}

// checkOutput runs after a command whose output pushed the queued bytes
// past outputCheckAt: it applies the limits, writes what is ready, and
// pauses parsing (outStalled) while the output stays over the pause mark.
// It reports whether parsing must stop.
func (c *Conn) checkOutput(total int) bool {
	if !c.checkOutputLimits(total) {
		return true
	}
	pause, _ := pauseMarks(c.outputLimit())
	if total <= pause {
		return false
	}
	c.writeReady()
	if c.OutputBuffered() <= pause {
		return false
	}
	c.outStalled = true
	c.loop.watchOutput(c)
	return true
}

// pauseMarks returns the queued output at which parsing pauses and the one
// at which it resumes. With a hard limit configured the client is treated
// as Redis treats it (its output may grow to the limit, then it is
// closed); with only a soft limit it pauses at the soft limit, where the
// soft timer runs; with no limit it pauses at highWater, where Redis would
// let the output grow without bound.
func pauseMarks(lim OutputLimit) (pause, resume int) {
	switch {
	case lim.Hard > 0:
		return int(lim.Hard), lowWater
	case lim.Soft > 0:
		return int(lim.Soft), min(lowWater, int(lim.Soft)/2)
	}
	return highWater, lowWater
}

// outputCheckAt is the queued output at which checkOutput must run: the
// pause mark, or the soft limit when that is lower (its timer starts there).
func (c *Conn) outputCheckAt() int {
	lim := c.outputLimit()
	at, _ := pauseMarks(lim)
	if lim.Soft > 0 && int(lim.Soft) < at {
		at = int(lim.Soft)
	}
	return at
}

// release frees the connection's buffers once it is closed (by OnClose, or
// by process when the close happened under it). It runs once.
func (c *Conn) release() {
	if c.released {
		return
	}
	c.released = true
	freed := cap(c.out) + c.slotBytes + c.gc.OutboundBuffered()
	if !c.in.mapped {
		freed += c.in.Cap() // a mapping is unmapped: nothing for the collector
	}
	c.in.Release()
	c.out = nil
	if c.orphan == 0 { // an orphan's FIFO still gets its pending replies
		for _, s := range c.fifo {
			if s.done {
				s.Buf = nil
			}
		}
		c.fifo, c.freeSlot = nil, nil
	}
	c.slotBytes = 0
	c.argv = nil
	c.parser = resp.Parser{}
	c.pubOut.Store(0)
	c.pubIn.Store(0)
	c.srv.release.note(freed)
}

// needHint is how many bytes the input must hold before the parser (or the
// face) can make progress; 0 when unknown.
func (c *Conn) needHint() int {
	if c.face != nil {
		if fn, ok := c.face.(FaceNeeder); ok {
			return fn.Need(c)
		}
		return 0
	}
	return c.parser.Need()
}

// keep moves what is left of buf into c.in: buf is the loop's read buffer
// when direct, and then is discarded from gnet; otherwise buf is c.in
// itself, minus the consumed bytes.
func (c *Conn) keep(buf []byte, direct bool, consumed int) error {
	if !direct {
		c.in.Consume(consumed)
		return nil
	}
	var err error
	if rest := buf[consumed:]; len(rest) > 0 {
		err = c.in.Append(rest, c.needHint())
	}
	if len(buf) > 0 {
		// Never Discard(0): gnet treats n <= 0 as "discard everything".
		_, _ = c.gc.Discard(len(buf))
	}
	return err
}

// input takes the bytes gnet holds for the connection. It returns the
// bytes to work on: the loop's read buffer itself (direct) when nothing
// was left from earlier reads, c.in otherwise.
func (c *Conn) input() (buf []byte, direct bool, err error) {
	fresh, _ := c.gc.Peek(-1)
	c.loop.netIn += int64(len(fresh))
	if c.in.Len() == 0 {
		return fresh, true, nil
	}
	if len(fresh) > 0 {
		err = c.in.Append(fresh, c.needHint())
		_, _ = c.gc.Discard(len(fresh))
	}
	return c.in.Bytes(), false, err
}

// queryLimit is client-query-buffer-limit, or 0.
func (c *Conn) queryLimit() int {
	if l := c.srv.opts.ClientLimits; l != nil {
		return l.Load().QueryBufferMax
	}
	return 0
}

// process parses and dispatches every complete command in the input, then
// writes what is ready.
//
// A write can close the connection under process (gnet closes on EPIPE
// inside Write, and OnClose runs there): the input being parsed must stay
// mapped until process returns, so OnClose leaves the release to it.
func (c *Conn) process() gnet.Action {
	c.busy = true
	act := c.processBusy()
	c.busy = false
	if c.closed {
		c.release()
	}
	return act
}

func (c *Conn) processBusy() gnet.Action {
	if c.aborted {
		return gnet.Close
	}
	buf, direct, err := c.input()
	if err != nil {
		return c.inputFailed(err)
	}
	if c.closing {
		// Nothing after the command that closes the connection runs.
		_ = c.keep(buf, direct, len(buf))
		return gnet.None
	}
	if max := c.queryLimit(); max > 0 && len(buf)+c.Queued > max {
		c.srv.QueryLimitDisconnections.Add(1)
		c.srv.opts.Warnf("Closing client id=%d addr=%v that reached max query buffer length (%d bytes, %d of them queued in MULTI; limit %d)",
			c.ID, c.remote, len(buf)+c.Queued, c.Queued, max)
		return gnet.Close
	}
	if c.outStalled {
		if c.OutputBuffered() > c.resumeMark() {
			return c.wait(buf, direct)
		}
		c.outStalled = false
	}
	if c.stalled || len(buf) == 0 || len(buf) < c.needHint() {
		return c.wait(buf, direct)
	}
	if !c.sniffed {
		isHTTP, decided := sniffHTTP(buf)
		if !decided {
			return c.wait(buf, direct)
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
		return c.processFace(buf, direct)
	}
	c.inBatch = true
	c.srv.opts.Handler.BeginBatch(c)
	consumed := 0
	lim := resp.DefaultLimits()
	if c.lim.MaxBulkLen > 0 {
		lim.MaxBulkLen = c.lim.MaxBulkLen
	}
	base := c.gc.OutboundBuffered()
	c.checkAt = c.outputCheckAt()
	commands := 0
	for consumed < len(buf) {
		if c.hold || len(c.fifo) >= c.window {
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
			c.aborted = true
			break
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
		commands++
		if c.closing || c.closed {
			break
		}
		if base+len(c.out)+c.slotBytes > c.checkAt {
			if c.checkOutput(base + len(c.out) + c.slotBytes) {
				break
			}
			base = c.gc.OutboundBuffered()
		} else if len(c.out) >= earlyWrite && len(c.fifo) == 0 {
			c.writeReady()
			base = c.gc.OutboundBuffered()
		}
	}
	c.inBatch = false
	// EndBatch runs before the input is discarded: the batch's arguments
	// are still valid there (the slow log copies those of slow inline
	// commands).
	c.srv.opts.Handler.EndBatch(c)
	if c.aborted {
		return gnet.Close
	}
	if c.closed {
		return gnet.None
	}
	if err := c.keep(buf, direct, consumed); err != nil {
		return c.inputFailed(err)
	}
	c.in.Shrink()
	if commands > 1 {
		c.flushAfterRound()
	} else {
		// One command: written now. The round-end write costs the loop's
		// waker a write and a read, which a pipeline pays once for many
		// replies but a lone command would pay for one (at pipeline 1
		// with the client as the limit, rounds are a few connections).
		c.flush()
	}
	if c.stalled && len(c.fifo) == 0 && !c.closing && !c.aborted {
		// Everything finished while we were parsing: carry on at once.
		c.stalled = false
		c.hold = false
		_ = c.gc.Wake(nil)
	}
	return gnet.None
}

// inputFailed closes a connection whose input could not be buffered (a
// mapping refused).
func (c *Conn) inputFailed(err error) gnet.Action {
	c.srv.opts.Warnf("Closing client id=%d addr=%v: cannot buffer its input: %v", c.ID, c.remote, err)
	return gnet.Close
}

// wait keeps the input for later and does nothing else.
func (c *Conn) wait(buf []byte, direct bool) gnet.Action {
	if err := c.keep(buf, direct, 0); err != nil {
		return c.inputFailed(err)
	}
	c.publish()
	return gnet.None
}

// processFace hands the buffered bytes to a non-RESP face.
func (c *Conn) processFace(buf []byte, direct bool) gnet.Action {
	c.checkAt = c.outputCheckAt()
	c.inBatch = true
	consumed, closeAfter := c.face.Traffic(c, buf)
	c.inBatch = false
	if c.aborted {
		return gnet.Close
	}
	if c.closed {
		return gnet.None
	}
	if closeAfter {
		c.closing = true
		consumed = len(buf) // nothing after the last request runs
	}
	if err := c.keep(buf, direct, consumed); err != nil {
		return c.inputFailed(err)
	}
	c.in.Shrink()
	if c.hold {
		// The face asked to pause (Hold) until its replies are written:
		// flush wakes the connection when the FIFO drains.
		c.stalled = true
	}
	if total := c.OutputBuffered(); total > c.checkAt && !c.outStalled {
		if c.checkOutput(total) && c.aborted {
			return gnet.Close
		}
	}
	c.flush()
	return gnet.None
}

// OutputBlocked reports whether a face must stop taking requests because
// the connection's output is over the high-water mark (or over its limit,
// in which case the connection is being aborted). A face that gets true
// returns from Traffic with what it consumed; Traffic is called again once
// the output has drained. Call it from Traffic only.
func (c *Conn) OutputBlocked() bool {
	if c.aborted {
		return true
	}
	if c.outStalled {
		return true
	}
	total := c.OutputBuffered()
	if total <= c.checkAt {
		return false
	}
	return c.checkOutput(total)
}
