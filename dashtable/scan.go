package dashtable

import "math/bits"

// Cursor layout (doc.go, "Cursors"): bits 0..7 the home bucket, bits 8..39
// the 32-bit hash prefix of the segment, left-aligned so that it does not
// depend on any depth.
const (
	cursorBucketBits = 8
	// CursorBits is the width of a cursor; callers may use the bits above.
	CursorBits = cursorBucketBits + prefixBits
)

// Scan visits every entry whose home bucket is the logical bucket named by
// cursor, wherever the entry is physically stored (home, neighbour or stash),
// calls fn for each, and returns the next cursor; 0 when the traversal is
// complete. Start with cursor 0.
//
// A cursor stays valid across any number of splits: every entry present for
// the whole traversal is visited at least once (an entry may be visited
// twice when its segment splits mid-traversal). fn must not mutate the table.
// A cursor wider than CursorBits ends the traversal (returns 0).
func (t *Table) Scan(cursor uint64, fn func(handle uint64)) (next uint64) {
	if cursor>>CursorBits != 0 {
		return 0
	}
	b := int(cursor & (1<<cursorBucketBits - 1))
	prefix := cursor >> cursorBucketBits
	di := prefix >> (prefixBits - uint(t.depth))
	s := t.segs[t.dir[di]]
	if b < RegularBuckets {
		s.visitLogical(b, fn)
		if s.ovf != 0 {
			t.visitOvf(s, b, fn)
		}
		if b+1 < RegularBuckets {
			return cursor + 1
		}
	}
	// Past the last bucket: move to the first prefix of the next segment.
	// Masking also realigns a prefix that is not a segment start (a cursor
	// from before Clear).
	span := uint64(1) << (prefixBits - uint(s.depth))
	prefix = prefix&^(span-1) + span
	if prefix >= 1<<prefixBits {
		return 0
	}
	return prefix << cursorBucketBits
}

// visitOvf calls fn for the overflow entries of segment s with home b.
func (t *Table) visitOvf(s *segment, b int, fn func(handle uint64)) {
	for _, e := range t.ovf {
		if t.segmentFor(e.hash) == s && homeBucket(e.hash) == b {
			fn(e.handle)
		}
	}
}

// ForEach calls fn once for every entry, in no particular order, until fn
// returns false. fn must not mutate the table.
func (t *Table) ForEach(fn func(handle uint64) bool) {
	for _, s := range t.segs {
		if s.count == 0 {
			continue
		}
		for bi := range s.buckets {
			for c := s.buckets[bi].busy(); c != 0; c &= c - 1 {
				if !fn(s.buckets[bi].slots[bits.TrailingZeros16(c)]) {
					return
				}
			}
		}
	}
	for _, e := range t.ovf {
		if !fn(e.handle) {
			return
		}
	}
}

// Random returns the handle of a pseudo-random entry chosen with the bits of
// r, which the caller supplies (for example from math/rand/v2), or ok=false
// when the table is empty.
//
// It probes up to randomTries slots chosen uniformly over all segment slots
// (r is stretched with a mixer for the later tries) and returns the first
// busy one, so the pick is exactly uniform whenever a probe hits; at the
// usual 50-95% occupancy that fails with probability under 1%. After that it
// falls back to the next entry after the last probe, which favours entries
// that follow free slots. Cost O(1) expected.
func (t *Table) Random(r uint64) (handle uint64, ok bool) {
	if t.count == 0 {
		return 0, false
	}
	if n := len(t.ovf); n != 0 {
		// Overflow entries get their fair share.
		if k := r % uint64(t.count); k < uint64(n) {
			return t.ovf[k].handle, true
		}
		if n == t.count {
			return t.ovf[r%uint64(n)].handle, true
		}
	}
	nseg := uint64(len(t.segs))
	var si uint64
	var pos int
	x := r
	for try := 0; try < randomTries; try++ {
		// Weyl step + finalizer (splitmix64): distinct probes even for r=0.
		x += 0x9e3779b97f4a7c15
		y := remix(x)
		// High 32 bits pick the segment, low 32 bits the slot.
		si = (y >> 32) * nseg >> 32
		pos = int((y & (1<<32 - 1)) * slotsPerSegment >> 32)
		s := t.segs[si]
		if s.buckets[pos/SlotsPerBucket].busy()&(1<<(pos%SlotsPerBucket)) != 0 {
			return s.handle(pos), true
		}
	}
	for k := uint64(0); k < nseg; k++ {
		if p := t.segs[(si+k)%nseg].firstBusy(pos); p >= 0 {
			return t.segs[(si+k)%nseg].handle(p), true
		}
		pos = 0
	}
	panic("BUG: dashtable: count > 0 but no entry found")
}

// randomTries bounds the uniform probes of Random.
const randomTries = 8

// remix is a 64-bit finalizer (murmur3's fmix64) used to stretch the
// caller's randomness.
func remix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	return x ^ x>>33
}
