package dashtable

import (
	"fmt"
	"math/bits"
)

// verify checks every invariant listed in doc.go and returns the first
// violation. It rehashes every entry, so it is O(n) Hasher calls.
func (t *Table) verify() error {
	// I1: directory shape.
	if len(t.dir) != 1<<t.depth || int(t.shift) != 64-int(t.depth) || t.depth > maxDepth {
		return fmt.Errorf("directory: len %d depth %d shift %d", len(t.dir), t.depth, t.shift)
	}
	// The size other goroutines read is the table's size.
	if got, want := t.SharedMemoryUsage(), t.MemoryUsage(); got != want {
		return fmt.Errorf("SharedMemoryUsage %d, MemoryUsage %d", got, want)
	}
	// A running snapshot has one word of handed-over bits per segment.
	if t.snapFn != nil && len(t.handed) != len(t.segs) {
		return fmt.Errorf("snapshot: %d words of handed-over bits for %d segments", len(t.handed), len(t.segs))
	}
	// I2: each segment owns one aligned run of 2^(global-local) slots.
	seen := make([]bool, len(t.segs))
	for di := 0; di < len(t.dir); {
		id := t.dir[di]
		if int(id) >= len(t.segs) || seen[id] {
			return fmt.Errorf("dir[%d]=%d: out of range or not contiguous", di, id)
		}
		seen[id] = true
		s := t.segs[id]
		if s.depth > t.depth {
			return fmt.Errorf("segment %d: local depth %d > global %d", id, s.depth, t.depth)
		}
		span := 1 << (t.depth - s.depth)
		if di%span != 0 {
			return fmt.Errorf("segment %d: run at %d not aligned to %d", id, di, span)
		}
		for j := di; j < di+span; j++ {
			if t.dir[j] != id {
				return fmt.Errorf("segment %d: dir[%d]=%d breaks its run", id, j, t.dir[j])
			}
		}
		di += span
	}
	for id, ok := range seen {
		if !ok {
			return fmt.Errorf("segment %d unreachable from the directory", id)
		}
	}
	// I6: counts.
	total := len(t.ovf)
	ovfPer := map[*segment]uint32{}
	for _, e := range t.ovf {
		ovfPer[t.segmentFor(e.hash)]++
	}
	for id, s := range t.segs {
		if err := t.verifySegment(s); err != nil {
			return fmt.Errorf("segment %d: %w", id, err)
		}
		if s.ovf != ovfPer[s] {
			return fmt.Errorf("segment %d: ovf %d, list has %d", id, s.ovf, ovfPer[s])
		}
		total += int(s.count)
	}
	if total != t.count {
		return fmt.Errorf("count %d, entries %d", t.count, total)
	}
	return nil
}

func (t *Table) verifySegment(s *segment) error {
	type hint struct {
		fp uint8
		sb int
	}
	stashed := make([]map[hint]int, RegularBuckets) // per home: (fp, stash) -> entries
	stashedN := make([]int, RegularBuckets)
	n := 0
	for bi := range s.buckets {
		bk := &s.buckets[bi]
		a := &s.aux[bi]
		busy := bk.busy()
		// I3: slot bitmaps and flags.
		if a.probe&^busy != 0 {
			return fmt.Errorf("bucket %d: busy %x probe %x", bi, busy, a.probe)
		}
		if bi >= RegularBuckets && (a.probe != 0 || a.hintValid != 0 || a.overflow != 0 || bk.meta[1]&(stashedBit|spilledBit) != 0) {
			return fmt.Errorf("stash bucket %d has probe bits, hints or flags", bi)
		}
		if bi < RegularBuckets && (bk.meta[1]&spilledBit != 0) != (s.aux[neighbour(bi)].probe != 0) {
			return fmt.Errorf("bucket %d: spilled flag %v, neighbour probe %x", bi, bk.meta[1]&spilledBit != 0, s.aux[neighbour(bi)].probe)
		}
		n += bits.OnesCount16(busy)
		for i := 0; i < SlotsPerBucket; i++ {
			pos := bi*SlotsPerBucket + i
			if busy&(1<<i) == 0 {
				if bk.fpAt(i) != 0 || bk.slots[i] != 0 {
					return fmt.Errorf("free slot %d not zeroed", pos)
				}
				continue
			}
			// I4: every entry sits where its hash says.
			h := t.hasher.Hash(bk.slots[i])
			if t.segmentFor(h) != s {
				return fmt.Errorf("slot %d: entry belongs to another segment", pos)
			}
			if fingerprint(h) != bk.fpAt(i) {
				return fmt.Errorf("slot %d: fingerprint %x, hash says %x", pos, bk.fpAt(i), fingerprint(h))
			}
			home := homeBucket(h)
			if s.homeOf(pos) != home {
				return fmt.Errorf("slot %d: home %d, hash says %d", pos, s.homeOf(pos), home)
			}
			if bi >= RegularBuckets {
				if stashed[home] == nil {
					stashed[home] = map[hint]int{}
				}
				stashed[home][hint{bk.fpAt(i), bi - RegularBuckets}]++
				stashedN[home]++
			}
		}
	}
	if n != int(s.count) {
		return fmt.Errorf("count %d, busy bits %d", s.count, n)
	}
	// I5: hints + overflow account for the stash exactly; the stashed flag
	// says whether there is anything to account for.
	for b := 0; b < RegularBuckets; b++ {
		a := &s.aux[b]
		if a.hintValid&^(1<<maxHints-1) != 0 {
			return fmt.Errorf("bucket %d: hintValid %x", b, a.hintValid)
		}
		hints := bits.OnesCount8(a.hintValid)
		if hints+int(a.overflow) != stashedN[b] {
			return fmt.Errorf("bucket %d: %d hints + %d overflow for %d stash entries", b, hints, a.overflow, stashedN[b])
		}
		if s.buckets[b].stashed() != (stashedN[b] > 0) {
			return fmt.Errorf("bucket %d: stashed flag %v with %d stash entries", b, s.buckets[b].stashed(), stashedN[b])
		}
		for v := a.hintValid; v != 0; v &= v - 1 {
			k := bits.TrailingZeros8(v)
			hk := hint{a.hintFP[k], int(a.hintStash >> (2 * k) & 3)}
			if stashed[b][hk] == 0 {
				return fmt.Errorf("bucket %d: hint %+v without an entry", b, hk)
			}
			stashed[b][hk]--
		}
	}
	return nil
}
