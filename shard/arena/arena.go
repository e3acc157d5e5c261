// Package arena is a per-shard slab allocator that hands out integer handles
// instead of pointers.
//
// Why: a shard holds millions of entries. If each entry were its own Go
// object, every garbage-collection cycle would have to visit every one of
// them. Here entries live inside a few large pointer-free []byte chunks (the
// GC never scans their contents) and are named by a uint64 Handle that the
// dashtable stores.
//
// Model: sizes are rounded up to a size class; each class carves fixed-size
// cells out of chunks of up to ChunkSize bytes (a class's first chunks are
// smaller) and keeps freed cells on a list for reuse, threaded through the
// freed cells themselves. Allocations larger than MaxCellSize get a dedicated []byte, kept in a
// side table indexed by the handle (few objects, so few pointers).
//
// Invariants:
//  1. An Arena is owned by one goroutine (its shard's); it has no locks.
//  2. A Handle is valid from Alloc until Free; Bytes(h) of a freed handle is
//     a BUG (it may already name another cell).
//  3. Bytes(h) returns the whole cell: len == cap == the cell's size, which is
//     at least the size asked for, so callers may grow an entry in place up to
//     the cell size.
//  4. Used() is the sum of live cell sizes; Reserved() the bytes held in
//     chunks and big allocations. SharedReserved() is Reserved() for any
//     goroutine, current from the moment a chunk or big allocation is made
//     or dropped.
//  5. A freed cell's first 8 bytes hold the next freed handle of its class
//     (every cell has at least minCell bytes). Free writes them at once, so a
//     read after Free sees them changed; race-detector builds also fill the
//     rest of the cell with poisonByte, so such a read fails loudly in tests.
package arena

import (
	"encoding/binary"
	"slices"
	"sync/atomic"
)

// Handle names one allocation. Layout: class+1 (8 bits) | chunk (24 bits) |
// offset within the chunk (32 bits); the +1 keeps every handle non-zero. For big allocations class is bigClass
// and the low 32 bits index the big table.
type Handle uint64

// NoHandle is never returned by Alloc.
const NoHandle Handle = 0

const (
	// ChunkSize is the size of a slab chunk once its class holds a few;
	// every cell offset is below it.
	ChunkSize = 1 << 20
	// MaxCellSize is the largest size served from chunks.
	MaxCellSize = 64 << 10
	bigClass    = 0xff
	minCell     = 16
	// poisonByte fills freed cells in race-detector builds (invariant 5).
	poisonByte = 0xa5
)

// classSizes holds the cell size of each class, ascending, all multiples
// of 8: every multiple of 8 up to 512 bytes, so that a small entry (a key
// with a short value, a small hash, set or sorted set) wastes at most 7
// bytes of its cell; then steps of about 6.25%, so that a bigger cell wastes about 3% on
// average; plus the sizes that node-based values are built to fill
// exactly: the powers of two from 4 KiB (quicklist nodes) and 4088
// (container/zbtree's nodes).
var classSizes = func() []int {
	sizes := map[int]bool{4088: true}
	for size := minCell; size <= 512; size += 8 {
		sizes[size] = true
	}
	for size := 512; size < MaxCellSize; size = (size + size/16 + 7) &^ 7 {
		sizes[size] = true
	}
	for p := 4096; p <= MaxCellSize; p *= 2 {
		sizes[p] = true
	}
	s := make([]int, 0, len(sizes))
	for size := range sizes {
		s = append(s, size)
	}
	slices.Sort(s)
	return s
}()

// classIndex maps (size+7)/8 to the smallest class that fits, for sizes up to
// MaxCellSize.
var classIndex = func() []uint8 {
	idx := make([]uint8, MaxCellSize/8+1)
	c := 0
	for i := range idx {
		for classSizes[c] < i*8 {
			c++
		}
		idx[i] = uint8(c)
	}
	return idx
}()

type class struct {
	size     int
	chunks   [][]byte
	chunkLen int    // the length of the last chunk (0: none yet)
	next     int    // first never-used offset in the last chunk
	mapped   int    // the last chunk's bytes before this offset are prefaulted
	free     Handle // the last freed cell (NoHandle: none); it names the one before
}

// firstChunk is the size of a class's first chunk (or of its one cell, if
// larger): with some 170 classes, a shard that uses a class for a handful
// of cells should not hold a whole ChunkSize for it. Each next chunk is
// twice the last, up to ChunkSize.
const firstChunk = 64 << 10

// nextChunkLen returns the length of the chunk after one of last bytes, for
// cells of size bytes.
func nextChunkLen(last, size int) int {
	if last == 0 {
		return max(firstChunk, size)
	}
	return max(min(2*last, ChunkSize), size)
}

// Arena is a slab allocator; see the package comment.
type Arena struct {
	classes  []class
	big      [][]byte
	bigFree  []uint32
	used     int64
	reserved int64
	// shared mirrors reserved for other goroutines (invariant 4): the
	// server compares it with the Go heap's size, which counts a chunk as
	// soon as it is made, so a copy published only now and then makes the
	// rest of the process look that much bigger. Stored only where
	// reserved changes (a chunk or a big allocation), never per cell.
	shared atomic.Int64
}

// New returns an empty arena.
func New() *Arena {
	a := &Arena{classes: make([]class, len(classSizes))}
	for i := range a.classes {
		a.classes[i].size = classSizes[i]
	}
	// Big slot 0 is reserved so that no big handle equals NoHandle.
	a.big = append(a.big, nil)
	return a
}

// CellSize returns the size of the cell Alloc(n) would return.
func CellSize(n int) int {
	if n > MaxCellSize {
		return n
	}
	if n < 1 {
		n = 1
	}
	return classSizes[classIndex[(n+7)/8]]
}

// Alloc returns a handle and the cell's bytes (len n, cap = cell size). The
// content is not zeroed.
func (a *Arena) Alloc(n int) (Handle, []byte) {
	if n > MaxCellSize {
		return a.allocBig(n)
	}
	if n < 1 {
		n = 1
	}
	ci := classIndex[(n+7)/8]
	c := &a.classes[ci]
	a.used += int64(c.size)
	if h := c.free; h != NoHandle {
		b := a.cell(h)
		c.free = Handle(binary.LittleEndian.Uint64(b))
		return h, b[:n]
	}
	if c.next+c.size > c.chunkLen {
		c.chunkLen = nextChunkLen(c.chunkLen, c.size)
		c.chunks = append(c.chunks, make([]byte, c.chunkLen))
		a.reserved += int64(c.chunkLen)
		a.shared.Store(a.reserved)
		c.next, c.mapped = 0, 0
	}
	if c.next+c.size > c.mapped {
		c.prefaultNext()
	}
	h := Handle(uint64(ci+1)<<56 | uint64(len(c.chunks)-1)<<32 | uint64(c.next))
	c.next += c.size
	return h, a.cell(h)[:n]
}

// prefaultWindow is how much of a chunk prefaultNext maps in at a time.
// Small enough that a class holds at most this much resident and unused
// (a whole chunk mapped in at once cost up to a megabyte per class per
// shard); large enough that one system call replaces 16 page faults. In a
// class's first chunk the window starts at a page and doubles, so that a
// class used for a few cells keeps no more resident than they touch.
const (
	prefaultWindow = 64 << 10
	pageSize       = 4 << 10
)

// prefaultNext maps in the pages of the last chunk's next window, which
// the cell about to be carved at c.next reaches: cells are carved from a
// chunk's start to its end, so the window is about to be written anyway.
// A chunk is at least firstChunk bytes, and Go places an allocation that
// large at a page boundary.
func (c *class) prefaultNext() {
	chunk := c.chunks[len(c.chunks)-1]
	w := prefaultWindow
	if len(c.chunks) == 1 {
		w = min(w, max(pageSize, c.mapped))
	}
	end := min(c.mapped+w, len(chunk))
	for end < c.next+c.size {
		end = min(end+w, len(chunk))
	}
	prefault(chunk[c.mapped:end])
	c.mapped = end
}

func (a *Arena) allocBig(n int) (Handle, []byte) {
	b := make([]byte, n)
	var idx uint32
	if k := len(a.bigFree); k > 0 {
		idx = a.bigFree[k-1]
		a.bigFree = a.bigFree[:k-1]
		a.big[idx] = b
	} else {
		idx = uint32(len(a.big))
		a.big = append(a.big, b)
	}
	a.used += int64(n)
	a.reserved += int64(n)
	a.shared.Store(a.reserved)
	return Handle(uint64(bigClass)<<56 | uint64(idx)), b
}

func (a *Arena) cell(h Handle) []byte {
	c := &a.classes[h>>56-1]
	chunk := c.chunks[(h>>32)&0xffffff]
	off := int(uint32(h))
	return chunk[off : off+c.size : off+c.size]
}

// Bytes returns the whole cell named by h (see invariant 3).
func (a *Arena) Bytes(h Handle) []byte {
	if h>>56 == bigClass {
		return a.big[uint32(h)]
	}
	return a.cell(h)
}

// Size returns the cell size of h.
func (a *Arena) Size(h Handle) int {
	if h>>56 == bigClass {
		return len(a.big[uint32(h)])
	}
	return a.classes[h>>56-1].size
}

// Free releases h.
func (a *Arena) Free(h Handle) {
	if h>>56 == bigClass {
		idx := uint32(h)
		n := int64(len(a.big[idx]))
		a.used -= n
		a.reserved -= n
		a.shared.Store(a.reserved)
		a.big[idx] = nil
		a.bigFree = append(a.bigFree, idx)
		return
	}
	c := &a.classes[h>>56-1]
	a.used -= int64(c.size)
	// The list lives in the cells it links: freeing needs no memory of its
	// own (a slice of handles grew by doubling, into fresh pages, while a
	// big sorted set was popped).
	b := a.cell(h)
	if poisonFreed {
		for i := range b {
			b[i] = poisonByte
		}
	}
	binary.LittleEndian.PutUint64(b, uint64(c.free))
	c.free = h
}

// Used returns the bytes in live cells.
func (a *Arena) Used() int64 { return a.used }

// Reserved returns the bytes held in chunks and big allocations.
func (a *Arena) Reserved() int64 { return a.reserved }

// SharedReserved returns Reserved for any goroutine (invariant 4).
func (a *Arena) SharedReserved() int64 { return a.shared.Load() }

// Reset drops every allocation; all handles become invalid.
func (a *Arena) Reset() {
	fresh := New()
	a.classes, a.big, a.bigFree = fresh.classes, fresh.big, fresh.bigFree
	a.used, a.reserved = 0, 0
	a.shared.Store(0)
}
