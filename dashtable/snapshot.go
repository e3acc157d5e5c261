package dashtable

import "math/bits"

// Fork-less snapshots: while a snapshot runs, every physical bucket is
// handed to the snapshot's function exactly once, holding exactly the
// entries it held when the snapshot began.
//
// While a snapshot runs the table keeps one word per segment whose bit b
// says that physical bucket b has been handed over (handed); a bucket whose
// bit is clear has not. The snapshot's walker hands over bucket after bucket
// (SnapshotBucket); and every path that changes a bucket's entries hands
// that bucket over first: Insert (the buckets the entry may land in, and
// before a split every bucket of the segment, since a split moves entries
// between buckets and segments), Delete and Update (the entry's bucket),
// and the caller's changes to an entry's value in place (SnapshotEntry).
// Handing over sets the bucket's bit before calling the function, so each
// bucket goes once. A segment made by a split copies the word of the one
// it split from, which was wholly handed over first, so its buckets are
// never handed over again. The overflow list is one more bucket, numbered
// (-1, 0). The words cost 8 bytes per segment and only while a snapshot
// runs; a stamp per bucket kept in the segment cost 480 bytes each, always.
//
// Clear is not guarded: the caller hands every bucket over before (Walk).

// SnapshotFunc receives a bucket that is about to change or that the
// walker reached: segment seg (-1: the overflow list) and physical bucket
// b. It reads the bucket's entries with VisitBucket and must not change
// the table.
type SnapshotFunc func(seg, b int)

// StartSnapshot makes fn receive every bucket, each once, before it
// changes (or when the walker reaches it). One snapshot runs at a time.
func (t *Table) StartSnapshot(fn SnapshotFunc) {
	t.handed = append(t.handed[:0], make([]uint64, len(t.segs))...)
	t.handedOvf = false
	t.snapFn = fn
	t.publishMemory()
}

// EndSnapshot stops the hooks of StartSnapshot.
func (t *Table) EndSnapshot() { t.snapFn = nil }

// Snapshotting reports whether a snapshot is running.
func (t *Table) Snapshotting() bool { return t.snapFn != nil }

// SnapshotBucket hands bucket b of segment seg (-1: the overflow list) to
// the snapshot unless it was handed over already, and reports whether it
// did.
func (t *Table) SnapshotBucket(seg, b int) bool {
	if t.snapFn == nil {
		return false
	}
	if seg < 0 {
		return t.guardOvf()
	}
	return t.guard(uint32(seg), b)
}

// SnapshotEntry hands over the bucket of the entry with this hash that m
// accepts, if there is one: call it before changing the entry's value in
// place.
func (t *Table) SnapshotEntry(hash uint64, m Matcher) {
	if t.snapFn == nil {
		return
	}
	id := t.dir[hash>>t.shift]
	if bi, _ := t.segs[id].find(hash, m); bi >= 0 {
		t.guard(id, bi)
		return
	}
	if t.segs[id].ovf != 0 && t.findOvf(hash, m) >= 0 {
		t.guardOvf()
	}
}

// VisitBucket calls fn with every entry stored in physical bucket b of
// segment seg (-1: every entry of the overflow list).
func (t *Table) VisitBucket(seg, b int, fn func(handle uint64)) {
	if seg < 0 {
		for _, e := range t.ovf {
			fn(e.handle)
		}
		return
	}
	bk := &t.segs[seg].buckets[b]
	for c := bk.busy(); c != 0; c &= c - 1 {
		fn(bk.slots[bits.TrailingZeros16(c)])
	}
}

// guard hands bucket b of segment id over unless it was already.
func (t *Table) guard(id uint32, b int) bool {
	bit := uint64(1) << b
	if t.handed[id]&bit != 0 {
		return false
	}
	t.handed[id] |= bit
	t.snapFn(int(id), b)
	return true
}

func (t *Table) guardOvf() bool {
	if t.handedOvf {
		return false
	}
	t.handedOvf = true
	t.snapFn(-1, 0)
	return true
}

// guardInsert hands over every bucket of segment id that an insert of
// hash may put the entry in: home, neighbour and stash.
func (t *Table) guardInsert(id uint32, hash uint64) {
	b := homeBucket(hash)
	t.guard(id, b)
	t.guard(id, neighbour(b))
	for sb := RegularBuckets; sb < BucketsPerSegment; sb++ {
		t.guard(id, sb)
	}
}

// guardSegment hands over every bucket of segment id, and the overflow
// list when it is not empty (a split may move its entries in).
func (t *Table) guardSegment(id uint32) {
	for b := 0; b < BucketsPerSegment; b++ {
		t.guard(id, b)
	}
	if len(t.ovf) != 0 {
		t.guardOvf()
	}
}
