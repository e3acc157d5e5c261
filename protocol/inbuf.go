package protocol

import (
	"fmt"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// inputBuffer holds a connection's input that could not be handled straight
// from the loop's read buffer.
//
// Memory follows what arrived, not what a request declared: the buffer
// grows geometrically as bytes come in, never past the length the parser
// says the command needs (a "$536870912" header costs nothing until the
// bytes arrive). A buffer that must grow past mapThreshold moves to an
// anonymous mapping, which grows with mremap (no copy, no garbage for the
// collector) and goes back to the OS at once when released, so a client
// that sends half of a 512 MB value and vanishes leaves nothing behind.
//
// Invariant: mem[off:len(mem)] is the unread input; mapped reports whether
// mem is a mapping of exactly cap(mem) bytes.
type inputBuffer struct {
	mem    []byte
	off    int
	mapped bool
	// spares is the loop's stash of heap buffers (nil: none), where a
	// buffer let go goes and a growing one looks first.
	spares *inputSpares
}

// inputSpares keeps a few heap input buffers that a loop's connections let
// go, for the next one of them that must grow. Why: a client pipelining
// commands bigger than a read (a queue pushing batches, a bulk load) keeps
// an incomplete command in its buffer for the whole burst, the buffer grows
// by doubling while the reads pile up behind it and is let go when the burst
// ends; without the stash every burst is garbage, tens of megabytes of it
// over a bulk load, which the collector lets the heap (and RSS) grow by.
// Bounded by maxSpareBuffers and maxSpareBytes per loop. Loop goroutine only.
type inputSpares struct {
	bufs  [][]byte
	bytes int
}

const (
	maxSpareBuffers = 8
	maxSpareBytes   = 2 << 20
)

// take removes and returns the smallest spare buffer that holds n bytes,
// empty, or nil.
func (s *inputSpares) take(n int) []byte {
	best := -1
	for i, b := range s.bufs {
		if cap(b) >= n && (best < 0 || cap(b) < cap(s.bufs[best])) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	b := s.bufs[best]
	last := len(s.bufs) - 1
	s.bufs[best] = s.bufs[last]
	s.bufs[last] = nil
	s.bufs = s.bufs[:last]
	s.bytes -= cap(b)
	return b[:0]
}

// give keeps b when there is room, dropping smaller spares to make it.
func (s *inputSpares) give(b []byte) {
	if cap(b) < minInputCap || cap(b) > maxSpareBytes {
		return
	}
	for len(s.bufs) > 0 && (len(s.bufs) >= maxSpareBuffers || s.bytes+cap(b) > maxSpareBytes) {
		small := 0
		for i := range s.bufs {
			if cap(s.bufs[i]) < cap(s.bufs[small]) {
				small = i
			}
		}
		if cap(s.bufs[small]) >= cap(b) {
			return // b is the smallest: the stash keeps the bigger ones
		}
		s.bytes -= cap(s.bufs[small])
		last := len(s.bufs) - 1
		s.bufs[small] = s.bufs[last]
		s.bufs[last] = nil
		s.bufs = s.bufs[:last]
	}
	s.bufs = append(s.bufs, b[:0])
	s.bytes += cap(b)
}

const (
	minInputCap  = 16 << 10
	mapThreshold = 1 << 20
	// keepInputCap is the largest heap buffer a connection keeps between
	// commands once it is empty.
	keepInputCap = 64 << 10
)

// mappedInput counts the bytes of every mapped input buffer, for
// used_memory (they are outside the Go heap).
var mappedInput atomic.Int64

// MappedInputBytes returns the bytes held in mapped input buffers by every
// connection. Safe from any goroutine.
func MappedInputBytes() int64 { return mappedInput.Load() }

// Len returns the unread bytes.
func (b *inputBuffer) Len() int { return len(b.mem) - b.off }

// Cap returns the bytes the buffer holds on to.
func (b *inputBuffer) Cap() int { return cap(b.mem) }

// Bytes returns the unread bytes; valid until the next Append, Consume,
// Shrink or Release.
func (b *inputBuffer) Bytes() []byte { return b.mem[b.off:] }

// Consume drops the first n unread bytes.
func (b *inputBuffer) Consume(n int) {
	b.off += n
	if b.off >= len(b.mem) {
		b.mem = b.mem[:0]
		b.off = 0
	}
}

// Append adds p after the unread bytes. want is how many unread bytes the
// current command needs in all (0: unknown): growth stops there.
func (b *inputBuffer) Append(p []byte, want int) error {
	need := b.Len() + len(p)
	if b.off > 0 && need > cap(b.mem)-b.off {
		// Move the unread bytes to the front before growing.
		n := copy(b.mem, b.mem[b.off:])
		b.mem = b.mem[:n]
		b.off = 0
	}
	if need > cap(b.mem) {
		if err := b.grow(newInputCap(cap(b.mem), need, want)); err != nil {
			return err
		}
	}
	b.mem = append(b.mem, p...)
	return nil
}

// newInputCap is the capacity to grow to from cur so that need bytes fit:
// double, but no further than want when want is known and larger than need.
func newInputCap(cur, need, want int) int {
	c := max(2*cur, minInputCap)
	if want > need && c > want {
		c = want
	}
	return max(c, need)
}

func (b *inputBuffer) grow(n int) error {
	if n < mapThreshold && !b.mapped {
		var nb []byte
		if b.spares != nil {
			nb = b.spares.take(n)
		}
		if nb == nil {
			nb = make([]byte, 0, n)
		}
		nb = nb[:copy(nb[:len(b.mem)], b.mem)]
		b.keepSpare()
		b.mem = nb
		return nil
	}
	old := cap(b.mem)
	if b.mapped {
		nb, err := unix.Mremap(b.mem[:old], n, unix.MREMAP_MAYMOVE)
		if err != nil {
			return fmt.Errorf("cannot grow an input buffer to %d bytes: %w", n, err)
		}
		b.mem = nb[:len(b.mem)]
		mappedInput.Add(int64(n - old))
		return nil
	}
	nb, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return fmt.Errorf("cannot map an input buffer of %d bytes: %w", n, err)
	}
	nb = nb[:copy(nb, b.mem)]
	b.keepSpare()
	b.mem, b.mapped = nb, true
	mappedInput.Add(int64(n))
	return nil
}

// Shrink releases a large buffer once it holds nothing unread, so one big
// command does not pin memory for the connection's lifetime. Call it only
// when no argument handed out from the buffer is in use any more.
func (b *inputBuffer) Shrink() {
	if b.Len() == 0 && (b.mapped || cap(b.mem) > keepInputCap) {
		b.Release()
	}
}

// Release frees the buffer, unread bytes included.
func (b *inputBuffer) Release() {
	if b.mapped {
		n := cap(b.mem)
		if err := unix.Munmap(b.mem[:n]); err != nil {
			panic(fmt.Sprintf("BUG: cannot unmap an input buffer: %v", err))
		}
		mappedInput.Add(-int64(n))
	} else {
		b.keepSpare()
	}
	b.mem, b.off, b.mapped = nil, 0, false
}

// keepSpare hands the heap buffer about to be dropped to the loop's stash.
func (b *inputBuffer) keepSpare() {
	if b.spares != nil && !b.mapped && b.mem != nil {
		b.spares.give(b.mem)
	}
}
