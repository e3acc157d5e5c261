package dashtable

import "math/bits"

// Cache mode (doc.go, "Cache mode"): the table's own slot order ranks
// entries for eviction, so entries carry no recency metadata.

// SegmentBytes is what one segment costs the allocator: the memory a split
// adds to the table.
const SegmentBytes = segmentAllocSize

// Capacity returns the number of slots of all segments.
func (t *Table) Capacity() int { return len(t.segs) * slotsPerSegment }

// Bump finds the entry with this hash that m accepts, as Find does, and
// moves it one step towards the front of the table's order: in a regular
// bucket it swaps places with the entry in the previous slot; in the stash
// it moves to a free slot of its home bucket or neighbour, or else swaps
// with the last entry of its home bucket, which takes its place in the
// stash. The entry's handle does not change.
func (t *Table) Bump(hash uint64, m Matcher) (handle uint64, ok bool) {
	id := t.dir[hash>>t.shift]
	s := t.segs[id]
	bi, i := s.find(hash, m)
	if bi < 0 {
		if s.ovf != 0 {
			if k := t.findOvf(hash, m); k >= 0 {
				return t.ovf[k].handle, true
			}
		}
		return 0, false
	}
	handle = s.buckets[bi].slots[i]
	if bi < RegularBuckets {
		if i > 0 {
			s.swapSlots(bi, i-1, i) // the bucket keeps the same entries
		}
		return handle, true
	}
	b := homeBucket(hash)
	if t.snapFn != nil {
		t.guard(id, bi)
		t.guard(id, b)
		t.guard(id, neighbour(b))
	}
	s.promote(bi-RegularBuckets, i, b)
	return handle, true
}

// swapSlots exchanges slots a and c of physical bucket bi, busy or free,
// with their probe bits and stash homes.
func (s *segment) swapSlots(bi, a, c int) {
	bk := &s.buckets[bi]
	fa, fc := bk.fpAt(a), bk.fpAt(c)
	ha, hc := bk.slots[a], bk.slots[c]
	busy := bk.busy()
	bk.empty(a)
	bk.empty(c)
	if busy&(1<<c) != 0 {
		bk.fill(a, fc, hc)
	}
	if busy&(1<<a) != 0 {
		bk.fill(c, fa, ha)
	}
	ax := &s.aux[bi]
	pa, pc := ax.probe>>a&1, ax.probe>>c&1
	ax.probe = ax.probe&^(1<<a|1<<c) | pc<<a | pa<<c
	if bi >= RegularBuckets {
		base := (bi - RegularBuckets) * SlotsPerBucket
		s.stashHome[base+a], s.stashHome[base+c] = s.stashHome[base+c], s.stashHome[base+a]
	}
}

// promote moves the entry in slot i of stash bucket sb, whose home is b,
// out of the stash: to a free slot of b or of its neighbour, or else into
// the last slot of b, whose entry goes to the stash slot it leaves.
func (s *segment) promote(sb, i, b int) {
	bi := RegularBuckets + sb
	f, h := s.buckets[bi].fpAt(i), s.buckets[bi].slots[i]
	dst, probe := b, false
	j := s.buckets[b].freeSlot()
	if j < 0 {
		dst, probe = neighbour(b), true
		j = s.buckets[dst].freeSlot()
	}
	if j >= 0 {
		s.removeHint(b, f, sb)
		s.clearSlot(bi, i)
		s.setSlot(dst, j, f, h, probe)
		return
	}
	const last = SlotsPerBucket - 1
	vf, vh := s.buckets[b].fpAt(last), s.buckets[b].slots[last]
	vprobe := s.aux[b].probe&(1<<last) != 0
	vhome := b
	if vprobe {
		vhome = homeOfNeighbour(b)
	}
	s.removeHint(b, f, sb)
	s.clearSlot(bi, i)
	s.clearSlotProbe(b, last, vprobe)
	s.setSlot(b, last, f, h, false)
	s.putStash(sb, i, vhome, vf, vh)
}

// shiftStash frees slot 0 of stash bucket sb by moving the entries of
// slots 0..j-1 one slot right; slot j must be free.
func (s *segment) shiftStash(sb, j int) {
	bk := &s.buckets[RegularBuckets+sb]
	base := sb * SlotsPerBucket
	for k := j; k > 0; k-- {
		f, h := bk.fpAt(k-1), bk.slots[k-1]
		bk.empty(k - 1)
		bk.fill(k, f, h)
		s.stashHome[base+k] = s.stashHome[base+k-1]
	}
}

// InsertNoGrow is Insert for a cache that must not grow: when the entry's
// home bucket, its neighbour and the stash are all full, the segment does
// not split; instead the last entry of one stash bucket (the bucket is
// chosen by the hash), the oldest of its queue, leaves the segment for the
// overflow list, and the new entry takes the front of that bucket. It
// reports whether an entry was moved out so. The moved entry stays in the
// table (lookups find it) until the caller deletes it, as its eviction,
// at a point where no command holds its handle (Overflow).
func (t *Table) InsertNoGrow(hash, handle uint64) (evicted bool) {
	id := t.dir[hash>>t.shift]
	s := t.segs[id]
	if t.snapFn != nil {
		t.guardInsert(id, hash)
	}
	if s.insert(hash, handle) {
		t.count++
		return false
	}
	sb := int(hash>>6) & (StashBuckets - 1) // fingerprint bits: uniform
	bi := RegularBuckets + sb
	const last = SlotsPerBucket - 1
	vf, vh := s.buckets[bi].fpAt(last), s.buckets[bi].slots[last]
	vhome := int(s.stashHome[sb*SlotsPerBucket+last])
	vhash := t.hasher.Hash(vh)
	if t.snapFn != nil {
		t.guardOvf()
	}
	s.removeHint(vhome, vf, sb)
	s.clearSlot(bi, last)
	t.ovf = append(t.ovf, ovfEntry{vhash, vh})
	s.ovf++
	t.publishMemory()
	if !s.insert(hash, handle) {
		panic("BUG: dashtable: no room after evicting from the stash")
	}
	t.count++
	return true
}

// Overflow returns an entry of the overflow list (the last one), where
// InsertNoGrow puts the entries it evicts from their segment (and where
// entries with degenerate hashes live), or false when the list is empty.
// The caller deletes it to complete the eviction.
func (t *Table) Overflow() (handle uint64, ok bool) {
	if len(t.ovf) == 0 {
		return 0, false
	}
	return t.ovf[len(t.ovf)-1].handle, true
}

// Coldest returns the entry that cache mode evicts first from segment seg
// (0 <= seg < SegmentCount()), or false when the segment is empty: the
// stash entry in the highest slot (the oldest of its bucket's queue), or
// when the stash is empty the regular entry in the highest slot (hits move
// entries towards slot 0); among equal slots the last bucket's.
func (t *Table) Coldest(seg int) (handle uint64, ok bool) {
	s := t.segs[seg]
	if s.count == 0 {
		return 0, false
	}
	best, bestSlot := -1, -1
	for _, span := range [2][2]int{{RegularBuckets, BucketsPerSegment}, {0, RegularBuckets}} {
		for bi := span[0]; bi < span[1]; bi++ {
			if busy := s.buckets[bi].busy(); busy != 0 {
				if hi := 15 - bits.LeadingZeros16(busy); hi >= bestSlot {
					best, bestSlot = bi, hi
				}
			}
		}
		if best >= 0 {
			return s.buckets[best].slots[bestSlot], true
		}
	}
	panic("BUG: dashtable: segment count > 0 but no entry found")
}
