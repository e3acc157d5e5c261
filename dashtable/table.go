package dashtable

import (
	"math/bits"
	"sync/atomic"
	"unsafe"
)

// Matcher decides whether the entry behind handle is the key being looked up
// (the caller compares key bytes). Match must not mutate the table.
//
// Find, Update and Delete call m through the interface, so escape analysis
// treats m as escaping: a Matcher built per call (&keyMatcher{key}) is heap
// allocated each time. Keep one per owner (a field of the shard) and set its
// key before each call; then those methods do not allocate.
type Matcher interface{ Match(handle uint64) bool }

// Hasher recomputes the hash of the entry behind handle; used when a segment
// splits. It must return exactly the hash the entry was inserted with.
type Hasher interface{ Hash(handle uint64) uint64 }

// Table maps 64-bit key hashes to uint64 handles. It is not safe for
// concurrent use: one owner goroutine (the shard's) calls every method.
type Table struct {
	// dir[i] is the index in segs of the segment that owns hash prefix i
	// (the top depth bits of the hash). 2^depth entries.
	dir []uint32
	// segs holds every segment; an index never changes once given out.
	// The only pointers the GC sees: one per segment (~840 slots).
	segs  []*segment
	depth uint8 // global depth
	shift uint8 // 64 - depth, cached for the directory lookup
	count int
	// ovf holds entries that no split could place (only with degenerate
	// hashes, see Insert). Scanned linearly by segments whose ovf > 0.
	ovf    []ovfEntry
	hasher Hasher

	// The running snapshot (snapshot.go): the function buckets are handed
	// to (nil: none), and which buckets have been: bit b of handed[id] for
	// bucket b of segment id (len(handed) == len(segs) while a snapshot
	// runs), handedOvf for the overflow list.
	snapFn    SnapshotFunc
	handed    []uint64
	handedOvf bool

	// spare holds the segments of the last slab not given out yet
	// (newSegment); slabs counts the slabs allocated since Clear.
	spare []segment
	slabs int

	// shared is MemoryUsage for other goroutines, stored wherever the
	// memory grows or is dropped (publishMemory): the server compares the
	// tables' bytes with the Go heap's size, which counts them as soon as
	// they are made.
	shared atomic.Int64
}

type ovfEntry struct{ hash, handle uint64 }

// New returns an empty table with one segment. h recomputes hashes during
// splits.
func New(h Hasher) *Table {
	t := &Table{hasher: h}
	t.Clear()
	return t
}

// Clear removes every entry and shrinks the table to a single segment.
// Cursors handed out before Clear stay safe to use but give no guarantee.
func (t *Table) Clear() {
	t.dir = []uint32{0}
	t.segs = []*segment{new(segment)}
	t.spare, t.slabs = nil, 0
	t.depth, t.shift = 0, 64
	t.count = 0
	t.ovf = nil
	if t.snapFn != nil {
		t.handed = append(t.handed[:0], 0)
	}
	t.publishMemory()
}

// Len returns the number of entries.
func (t *Table) Len() int { return t.count }

// SegmentCount returns the number of segments.
func (t *Table) SegmentCount() int { return len(t.segs) }

// segmentAllocSize is what the Go allocator hands out for one segment
// allocated alone: its size rounded up to the runtime's size class
// (checked by TestLayout).
const segmentAllocSize = 9472

// A table's first slabSegments segments are allocated one by one; after
// that they come slabSegments at a time, in one allocation (a slab) of
// slabBytes. A segment alone lands in the 9472-byte size class, 1,152 bytes
// more than its size; in a slab it costs its size, a multiple of 128, so
// its buckets stay 128-byte aligned, and 64 of them fill whole 8 KB pages
// (TestLayout). At 1M keys, 2,048 segments, that is 2 MB less. A slab's
// segments not given out yet are at most half the table's, and pages the
// runtime has not touched.
const (
	slabSegments = 64
	slabBytes    = slabSegments * int(unsafe.Sizeof(segment{}))
)

// newSegment returns a zeroed segment (see slabSegments).
func (t *Table) newSegment() *segment {
	if len(t.segs) < slabSegments {
		return new(segment)
	}
	if len(t.spare) == 0 {
		t.spare = make([]segment, slabSegments)
		t.slabs++
	}
	s := &t.spare[0]
	t.spare = t.spare[1:]
	return s
}

// SharedMemoryUsage returns MemoryUsage as of the table's last growth, for
// any goroutine.
func (t *Table) SharedMemoryUsage() int { return int(t.shared.Load()) }

// publishMemory refreshes SharedMemoryUsage; called where MemoryUsage
// changes (a split, an overflow entry, a snapshot's marks, Clear).
func (t *Table) publishMemory() { t.shared.Store(int64(t.MemoryUsage())) }

// MemoryUsage returns bytes held by the directory, the segments and the
// overflow list (the caller's arena is not included).
func (t *Table) MemoryUsage() int {
	return int(unsafe.Sizeof(*t)) +
		cap(t.dir)*4 +
		cap(t.segs)*int(unsafe.Sizeof((*segment)(nil))) +
		min(len(t.segs), slabSegments)*segmentAllocSize + t.slabs*slabBytes +
		cap(t.handed)*8 +
		cap(t.ovf)*int(unsafe.Sizeof(ovfEntry{}))
}

// segmentFor returns the segment that owns hash.
func (t *Table) segmentFor(hash uint64) *segment {
	return t.segs[t.dir[hash>>t.shift]]
}

// Find returns the handle of the entry with this hash that m accepts.
func (t *Table) Find(hash uint64, m Matcher) (handle uint64, ok bool) {
	s := t.segmentFor(hash)
	if bi, i := s.find(hash, m); bi >= 0 {
		return s.buckets[bi].slots[i], true
	}
	if s.ovf != 0 {
		if k := t.findOvf(hash, m); k >= 0 {
			return t.ovf[k].handle, true
		}
	}
	return 0, false
}

// Update replaces the handle of the entry with this hash that m accepts and
// reports whether one was found. The entry keeps its slot.
func (t *Table) Update(hash uint64, m Matcher, newHandle uint64) bool {
	id := t.dir[hash>>t.shift]
	s := t.segs[id]
	if bi, i := s.find(hash, m); bi >= 0 {
		if t.snapFn != nil {
			t.guard(id, bi)
		}
		s.buckets[bi].slots[i] = newHandle
		return true
	}
	if s.ovf != 0 {
		if k := t.findOvf(hash, m); k >= 0 {
			if t.snapFn != nil {
				t.guardOvf()
			}
			t.ovf[k].handle = newHandle
			return true
		}
	}
	return false
}

// Delete removes the entry with this hash that m accepts and returns its
// handle.
func (t *Table) Delete(hash uint64, m Matcher) (handle uint64, ok bool) {
	id := t.dir[hash>>t.shift]
	s := t.segs[id]
	if bi, i := s.find(hash, m); bi >= 0 {
		if t.snapFn != nil {
			t.guard(id, bi)
		}
		handle = s.buckets[bi].slots[i]
		s.remove(bi, i, homeBucket(hash))
		t.count--
		return handle, true
	}
	if s.ovf != 0 {
		if k := t.findOvf(hash, m); k >= 0 {
			if t.snapFn != nil {
				t.guardOvf()
			}
			handle = t.ovf[k].handle
			last := len(t.ovf) - 1
			t.ovf[k] = t.ovf[last]
			t.ovf = t.ovf[:last]
			s.ovf--
			t.count--
			return handle, true
		}
	}
	return 0, false
}

// Insert adds an entry. The caller guarantees that no entry with the same
// key is present (Insert does not look).
//
// When the entry's home bucket, its neighbour and the stash are all full,
// the segment splits and the insert is retried; only that segment's entries
// move. If splitting cannot make room for this hash (every entry competing
// for those slots shares the hash's next prefix bit, which random hashes
// practically never do), or would double a directory that is already
// maxDirPerSegment times the segment count, the entry goes to a small
// overflow list instead: colliding hashes cannot blow up the directory.
func (t *Table) Insert(hash uint64, handle uint64) {
	for {
		id := t.dir[hash>>t.shift]
		s := t.segs[id]
		if t.snapFn != nil {
			t.guardInsert(id, hash)
		}
		if s.insert(hash, handle) {
			t.count++
			return
		}
		if t.directoryTooBig(s) || !t.splitHelps(s, hash) {
			if t.snapFn != nil {
				t.guardOvf()
			}
			t.ovf = append(t.ovf, ovfEntry{hash, handle})
			s.ovf++
			t.count++
			t.publishMemory()
			return
		}
		t.split(int(hash >> t.shift))
	}
}

// maxDirPerSegment bounds the directory at 2048 slots (8 KB) per segment,
// about a segment's own size. Random hashes keep the directory within a few
// times the segment count; only crafted hashes that pile up under one deep
// prefix get near the bound, and then the directory may at most about double
// the table's memory instead of growing by 2^32.
const maxDirPerSegment = 2048

// directoryTooBig reports whether splitting s would double a directory that
// has reached maxDirPerSegment.
func (t *Table) directoryTooBig(s *segment) bool {
	return s.depth == t.depth && len(t.dir) >= maxDirPerSegment*len(t.segs)
}

// splitHelps reports whether splitting s frees a slot that an insert of hash
// could use. The insert may use any slot of its home bucket, of the
// neighbour, or of the stash; a split keeps every entry in place in one of
// the two halves, so it helps exactly when one of those entries moves to the
// other half. Costs at most 84 Hash calls, only when a split is due.
func (t *Table) splitHelps(s *segment, hash uint64) bool {
	if s.depth >= maxDepth {
		return false
	}
	shift := 63 - uint(s.depth)
	want := hash >> shift & 1
	b := homeBucket(hash)
	for _, bi := range [...]int{b, neighbour(b)} {
		for c := s.buckets[bi].busy(); c != 0; c &= c - 1 {
			h := t.hasher.Hash(s.buckets[bi].slots[bits.TrailingZeros16(c)])
			if h>>shift&1 != want {
				return true
			}
		}
	}
	for bi := RegularBuckets; bi < BucketsPerSegment; bi++ {
		for c := s.buckets[bi].busy(); c != 0; c &= c - 1 {
			h := t.hasher.Hash(s.buckets[bi].slots[bits.TrailingZeros16(c)])
			if h>>shift&1 != want {
				return true
			}
		}
	}
	return false
}

// split divides the segment that directory slot di points at. Entries whose
// next prefix bit is 1 move to a new segment, each into the same physical
// position (so the move cannot fail); then both halves pull stash entries
// home where room appeared. The directory doubles only when the segment's
// local depth equals the global depth.
func (t *Table) split(di int) {
	id := t.dir[di]
	s := t.segs[id]
	d := uint(s.depth)
	if d >= maxDepth {
		panic("BUG: dashtable: split beyond maximum depth")
	}
	if t.snapFn != nil {
		t.guardSegment(id) // a split moves entries between buckets
	}
	if d == uint(t.depth) {
		t.doubleDirectory()
		di <<= 1
	}
	// s owns the 2^(depth-d) directory slots that share di's top d bits.
	span := 1 << (uint(t.depth) - d)
	start := di &^ (span - 1)
	ns := t.newSegment()
	nid := uint32(len(t.segs))
	t.segs = append(t.segs, ns)
	if t.snapFn != nil {
		// s was wholly handed over above; the entries that move keep that.
		t.handed = append(t.handed, t.handed[id])
	}
	s.depth = uint8(d + 1)
	ns.depth = uint8(d + 1)
	for j := start + span/2; j < start+span; j++ {
		t.dir[j] = nid
	}

	shift := 63 - d
	for bi := 0; bi < BucketsPerSegment; bi++ {
		for c := s.buckets[bi].busy(); c != 0; c &= c - 1 {
			i := bits.TrailingZeros16(c)
			pos := bi*SlotsPerBucket + i
			h := t.hasher.Hash(s.buckets[bi].slots[i])
			if fingerprint(h) != s.buckets[bi].fpAt(i) || homeBucket(h) != s.homeOf(pos) {
				panic("BUG: dashtable: Hasher returned a hash that differs from the inserted one")
			}
			if h>>shift&1 != 0 {
				s.moveTo(ns, pos)
			}
		}
	}
	s.drainStash()
	ns.drainStash()
	if len(t.ovf) != 0 {
		t.rehomeOverflow(s, ns)
	}
	t.publishMemory()
}

// doubleDirectory adds one bit of global depth: every slot is duplicated.
func (t *Table) doubleDirectory() {
	nd := make([]uint32, 2*len(t.dir))
	for i, id := range t.dir {
		nd[2*i] = id
		nd[2*i+1] = id
	}
	t.dir = nd
	t.depth++
	t.shift--
}

// rehomeOverflow moves overflow entries of the two halves of a split into
// their segment when they now fit, and recounts per-segment overflow.
func (t *Table) rehomeOverflow(a, b *segment) {
	a.ovf, b.ovf = 0, 0
	for k := 0; k < len(t.ovf); {
		e := t.ovf[k]
		s := t.segmentFor(e.hash)
		if s != a && s != b {
			k++
			continue
		}
		if s.insert(e.hash, e.handle) {
			last := len(t.ovf) - 1
			t.ovf[k] = t.ovf[last]
			t.ovf = t.ovf[:last]
			continue
		}
		s.ovf++
		k++
	}
}

// findOvf returns the index in t.ovf of the entry with this hash that m
// accepts, or -1.
func (t *Table) findOvf(hash uint64, m Matcher) int {
	for k := range t.ovf {
		if t.ovf[k].hash == hash && m.Match(t.ovf[k].handle) {
			return k
		}
	}
	return -1
}

// Reserve grows the table so that about n entries with well-mixed hashes fit
// without further splits: every segment is split down to a common depth
// (existing entries are rehashed with the Hasher). It never shrinks. It
// allocates 16-32 bytes per planned entry at once, so cap an n that
// comes from outside (an RDB RESIZEDB hint) by the memory budget.
func (t *Table) Reserve(n int) {
	// Plan for ~70% occupancy: the fill at which segments usually overflow
	// a bucket pair and the stash is well above that, but segments fill
	// unevenly.
	const perSegment = slotsPerSegment * 7 / 10
	want := uint(0)
	for segs := (n + perSegment - 1) / perSegment; 1<<want < segs && want < 24; {
		want++
	}
	for uint(t.depth) < want {
		t.doubleDirectory()
	}
	for di := 0; di < len(t.dir); di++ {
		for uint(t.segs[t.dir[di]].depth) < want {
			t.split(di)
		}
	}
}
