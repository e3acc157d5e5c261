package dashtable

import (
	"math/bits"
	"unsafe"
)

// Geometry. See doc.go ("Geometry") for why these numbers.
const (
	// SlotsPerBucket is the number of entries one bucket holds.
	SlotsPerBucket = 14
	// RegularBuckets is the number of home buckets in a segment.
	RegularBuckets = 56
	// StashBuckets is the number of overflow (stash) buckets in a segment.
	StashBuckets = 4
	// BucketsPerSegment counts physical buckets: regular first, then stash.
	BucketsPerSegment = RegularBuckets + StashBuckets

	slotsPerSegment = BucketsPerSegment * SlotsPerBucket // 840
	stashSlots      = StashBuckets * SlotsPerBucket      // 56
	maxHints        = 4

	// slotMask has one bit per slot of a bucket.
	slotMask = 1<<SlotsPerBucket - 1

	// Hash bit map (doc.go, "Hash bits"): fingerprint 0..7, bucket 8..31,
	// segment prefix 32..63.
	bucketShift = 8
	bucketBits  = 24
	prefixBits  = 32
	// maxDepth bounds local and global depth: the segment prefix has only
	// prefixBits bits that are independent of bucket and fingerprint.
	maxDepth = prefixBits
)

// fingerprint returns the 8 hash bits kept per slot to filter lookups.
func fingerprint(hash uint64) uint8 { return uint8(hash) }

// homeBucket maps hash bits 8..31 onto [0, RegularBuckets) with a
// multiply-shift (no division; uniform to 1 part in 2^24/56).
func homeBucket(hash uint64) int {
	return int((hash >> bucketShift & (1<<bucketBits - 1)) * RegularBuckets >> bucketBits)
}

// neighbour returns the bucket probed after b. The last bucket wraps to the
// first so that every home bucket has exactly one neighbour.
func neighbour(b int) int {
	if b == RegularBuckets-1 {
		return 0
	}
	return b + 1
}

// homeOfNeighbour is the inverse of neighbour: the home bucket of the probe
// entries in bucket nb.
func homeOfNeighbour(nb int) int {
	if nb == 0 {
		return RegularBuckets - 1
	}
	return nb - 1
}

// bucket is 128 bytes, two cache lines that the allocator aligns to 128
// (doc.go, "Geometry"): what a lookup reads, fingerprints, busy bits and
// handles, sits together, so a hit costs one line pair in the table. What
// only writers, Scan and stash lookups need lives in bucketAux.
type bucket struct {
	// meta[0] holds the fingerprints of slots 0..7, one per byte;
	// meta[1] bits 0..47 those of slots 8..13, bits 48..61 the busy bitmap
	// (bit 48+i set when slot i holds an entry), bit 62 stashedBit and bit
	// 63 spilledBit. Free slots have fingerprint 0.
	meta  [2]uint64
	slots [SlotsPerBucket]uint64 // handles
}

const (
	busyShift = 48
	// stashedBit is set in a regular bucket when some entry whose home it
	// is lives in the stash (it has a hint or is counted in overflow), so
	// lookups touch neither the stash nor bucketAux otherwise.
	stashedBit = 1 << 62
	// spilledBit is set in a regular bucket when some entry whose home it
	// is lives in its neighbour (the neighbour has probe bits); otherwise
	// lookups ignore the neighbour's candidates. It must be the top bit:
	// find turns it into a mask with a shift.
	spilledShift = 63
	spilledBit   = 1 << spilledShift
)

// bucketAux is the per-bucket metadata that lookups of home or neighbour
// entries never read.
type bucketAux struct {
	// probe has bit i set when slot i of this regular bucket holds an
	// entry whose home is the previous bucket (it overflowed into this
	// one). Lookups do not need it (the Matcher decides); Scan, splits and
	// invariant checks do.
	probe uint16
	// Stash hints for entries whose home is this bucket but which live in
	// the stash: hint k is valid when hintValid bit k is set; hintFP[k] is
	// the entry's fingerprint and bits 2k..2k+1 of hintStash its stash
	// bucket. Entries that found no free hint are counted in overflow.
	hintFP    [maxHints]uint8
	hintValid uint8
	hintStash uint8
	overflow  uint8
}

// segment is a fixed-size, pointer-free block of buckets. Because it holds no
// pointers the runtime allocates it in a noscan span: the garbage collector
// marks the object but never reads its 840 slots. It is padded to 8320
// bytes, a multiple of 128: alone the allocator serves it from the
// 9472-byte size class, whose objects all start on a multiple of 128; in a
// slab (Table.newSegment) the slab starts on a page. Either way every
// bucket is 128-byte aligned (TestLayout).
type segment struct {
	segmentFields
	_ [(128 - unsafe.Sizeof(segmentFields{})%128) % 128]byte
}

type segmentFields struct {
	buckets [BucketsPerSegment]bucket
	aux     [BucketsPerSegment]bucketAux
	// stashHome[s*SlotsPerBucket+i] is the home bucket of the entry in
	// slot i of stash bucket s (meaningless when the slot is free). Needed
	// to maintain hints on delete and to scan logical buckets without
	// rehashing.
	stashHome [stashSlots]uint8
	// ovf counts entries of the table's overflow list whose hash maps to
	// this segment (almost always 0).
	ovf   uint32
	count uint16 // entries stored in this segment's slots
	depth uint8  // local depth: the number of prefix bits shared by its hashes
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// zeroBytes returns a mask of the zero bytes of x, one bit per byte (bit k
// for byte k). The test is exact (no false positives from borrows).
func zeroBytes(x uint64) uint16 {
	const low7 = ^uint64(msb)
	// Adding 0x7f to the low 7 bits of a byte sets its top bit unless they
	// are all 0; OR-ing x adds the top bit itself. No carry leaves a byte.
	t := msb &^ (x&low7 + low7 | x) // 0x80 in each zero byte
	// Gather bit 8k+7 into bit k: every partial product lands on a distinct
	// position, so no carries disturb the top byte.
	return uint16((t >> 7) * 0x0102040810204080 >> 56)
}

// busy returns the occupied slots of bk.
func (bk *bucket) busy() uint16 { return uint16(bk.meta[1]>>busyShift) & slotMask }

// stashed reports whether stashedBit is set.
func (bk *bucket) stashed() bool { return bk.meta[1]&stashedBit != 0 }

// match returns the busy slots of bk whose fingerprint equals f. Bytes 6 and
// 7 of meta[1] are not fingerprints; their match bits (14, 15) are cleared
// by the busy mask.
func (bk *bucket) match(f uint8) uint16 {
	pat := lsb * uint64(f)
	w1 := bk.meta[1]
	return (zeroBytes(bk.meta[0]^pat) | zeroBytes(w1^pat)<<8) & uint16(w1>>busyShift) & slotMask
}

// fpAt returns the fingerprint of slot i.
func (bk *bucket) fpAt(i int) uint8 { return uint8(bk.meta[i>>3] >> (8 * (i & 7))) }

// freeSlot returns a free slot of bk, or -1 when it is full.
func (bk *bucket) freeSlot() int {
	free := ^bk.busy() & slotMask
	if free == 0 {
		return -1
	}
	return bits.TrailingZeros16(free)
}

// fill sets fingerprint f and the busy bit of free slot i.
func (bk *bucket) fill(i int, f uint8, handle uint64) {
	bk.meta[i>>3] |= uint64(f) << (8 * (i & 7))
	bk.meta[1] |= 1 << (busyShift + i)
	bk.slots[i] = handle
}

// empty zeroes fingerprint, busy bit and handle of slot i.
func (bk *bucket) empty(i int) {
	bk.meta[i>>3] &^= 0xff << (8 * (i & 7))
	bk.meta[1] &^= 1 << (busyShift + i)
	bk.slots[i] = 0
}

// handle returns the handle at pos (bucket*SlotsPerBucket+slot).
func (s *segment) handle(pos int) uint64 {
	return s.buckets[pos/SlotsPerBucket].slots[pos%SlotsPerBucket]
}

// addHint records that an entry with fingerprint f whose home is bucket b
// was placed in stash bucket sb.
func (s *segment) addHint(b int, f uint8, sb int) {
	a := &s.aux[b]
	s.buckets[b].meta[1] |= stashedBit
	free := ^a.hintValid & (1<<maxHints - 1)
	if free == 0 {
		a.overflow++ // at most stashSlots, so it cannot wrap
		return
	}
	k := bits.TrailingZeros8(free)
	a.hintFP[k] = f
	a.hintValid |= 1 << k
	a.hintStash = a.hintStash&^(3<<(2*k)) | uint8(sb)<<(2*k)
}

// removeHint undoes one addHint(b, f, sb). Hints and the overflow counter
// form a multiset (invariant 5 in doc.go): any hint equal to (f, sb) may go,
// and when none exists the entry must have been counted in overflow.
func (s *segment) removeHint(b int, f uint8, sb int) {
	a := &s.aux[b]
	found := false
	for v := a.hintValid; v != 0; v &= v - 1 {
		k := bits.TrailingZeros8(v)
		if a.hintFP[k] == f && int(a.hintStash>>(2*k)&3) == sb {
			a.hintValid &^= 1 << k
			found = true
			break
		}
	}
	if !found {
		if a.overflow == 0 {
			panic("BUG: dashtable: stash entry has neither hint nor overflow count")
		}
		a.overflow--
	}
	if a.hintValid == 0 && a.overflow == 0 {
		s.buckets[b].meta[1] &^= stashedBit
	}
}

// stashMask returns the stash buckets that may hold an entry with home b and
// fingerprint f: those named by matching hints, or all of them while some
// entry of this home is counted in overflow.
func (s *segment) stashMask(b int, f uint8) uint8 {
	a := &s.aux[b]
	if a.overflow != 0 {
		return 1<<StashBuckets - 1
	}
	var m uint8
	for v := a.hintValid; v != 0; v &= v - 1 {
		k := bits.TrailingZeros8(v)
		if a.hintFP[k] == f {
			m |= 1 << (a.hintStash >> (2 * k) & 3)
		}
	}
	return m
}

// setSlot fills free slot i of physical bucket bi; probe marks an entry
// whose home is the previous bucket.
func (s *segment) setSlot(bi, i int, f uint8, handle uint64, probe bool) {
	s.buckets[bi].fill(i, f, handle)
	if probe {
		s.aux[bi].probe |= 1 << i
		s.buckets[homeOfNeighbour(bi)].meta[1] |= spilledBit
	}
	s.count++
}

// clearSlot empties slot i of physical bucket bi. Stash hints are the
// caller's business.
func (s *segment) clearSlot(bi, i int) {
	s.clearSlotProbe(bi, i, s.aux[bi].probe&(1<<i) != 0)
}

// clearSlotProbe is clearSlot for a caller that knows whether the slot holds
// a probe entry; a plain entry's delete then never reads bucketAux.
func (s *segment) clearSlotProbe(bi, i int, probe bool) {
	s.buckets[bi].empty(i)
	if probe {
		a := &s.aux[bi]
		a.probe &^= 1 << i
		if a.probe == 0 {
			s.buckets[homeOfNeighbour(bi)].meta[1] &^= spilledBit
		}
	}
	s.count--
}

// insert places an entry: home bucket, then its neighbour, then the front
// of the first stash bucket with room. It reports false when all three are full; the
// caller then splits the segment.
func (s *segment) insert(hash, handle uint64) bool {
	f := fingerprint(hash)
	b := homeBucket(hash)
	if i := s.buckets[b].freeSlot(); i >= 0 {
		s.setSlot(b, i, f, handle, false)
		return true
	}
	nb := neighbour(b)
	if i := s.buckets[nb].freeSlot(); i >= 0 {
		s.setSlot(nb, i, f, handle, true)
		return true
	}
	for sb := 0; sb < StashBuckets; sb++ {
		if i := s.buckets[RegularBuckets+sb].freeSlot(); i >= 0 {
			// A stash bucket is a queue (cache mode's probation): the
			// newest entry at slot 0, the oldest in the highest slot.
			s.shiftStash(sb, i)
			s.putStash(sb, 0, b, f, handle)
			return true
		}
	}
	return false
}

// putStash fills free slot i of stash bucket sb with an entry of home b.
func (s *segment) putStash(sb, i, b int, f uint8, handle uint64) {
	s.setSlot(RegularBuckets+sb, i, f, handle, false)
	s.stashHome[sb*SlotsPerBucket+i] = uint8(b)
	s.addHint(b, f, sb)
}

// find returns the bucket and slot of the entry that m accepts among those
// that hash could have been stored under, or bi == -1.
//
// The neighbour's candidates count only when the home bucket's spilledBit
// says some entry of this home lives there, and the stash is searched only
// under stashedBit. Both metadata words of home and neighbour are loaded up
// front and the spilled test is a mask, not a branch: it is set in about
// half the buckets, so a branch would mispredict often, and the two loads
// overlap when both miss the cache.
//
// Candidates are not filtered by their probe bit: keys are unique, so a slot
// that m accepts is the entry wherever its home is, and skipping the filter
// keeps bucketAux off the lookup path. The price is a Matcher call for the
// 1-in-256 fingerprint collisions with the other home's entries.
func (s *segment) find(hash uint64, m Matcher) (bi, i int) {
	f := fingerprint(hash)
	b := homeBucket(hash)
	nb := neighbour(b)
	bk, nbk := &s.buckets[b], &s.buckets[nb]
	w0, w1 := bk.meta[0], bk.meta[1]
	n0, n1 := nbk.meta[0], nbk.meta[1]
	// bucket.match by hand: it is just over the inliner's budget.
	pat := lsb * uint64(f)
	c := (zeroBytes(w0^pat) | zeroBytes(w1^pat)<<8) & uint16(w1>>busyShift) & slotMask
	for ; c != 0; c &= c - 1 {
		i := bits.TrailingZeros16(c)
		if m.Match(bk.slots[i]) {
			return b, i
		}
	}
	spilled := -uint16(w1 >> spilledShift) // all ones iff spilledBit is set
	c = (zeroBytes(n0^pat) | zeroBytes(n1^pat)<<8) & uint16(n1>>busyShift) & slotMask & spilled
	for ; c != 0; c &= c - 1 {
		i := bits.TrailingZeros16(c)
		if m.Match(nbk.slots[i]) {
			return nb, i
		}
	}
	if w1&stashedBit == 0 {
		return -1, 0 // the common case: nothing of this home is in the stash
	}
	return s.findStash(b, f, m)
}

// findStash searches the stash buckets that the hints of home b point at.
func (s *segment) findStash(b int, f uint8, m Matcher) (bi, i int) {
	for sm := s.stashMask(b, f); sm != 0; sm &= sm - 1 {
		sb := bits.TrailingZeros8(sm)
		bk := &s.buckets[RegularBuckets+sb]
		for c := bk.match(f); c != 0; c &= c - 1 {
			i := bits.TrailingZeros16(c)
			if int(s.stashHome[sb*SlotsPerBucket+i]) != b {
				continue
			}
			if m.Match(bk.slots[i]) {
				return RegularBuckets + sb, i
			}
		}
	}
	return -1, 0
}

// remove deletes the entry in slot i of bucket bi, whose home is bucket
// home, keeping flags and stash hints exact. Knowing the home tells whether
// the slot is a probe slot without reading bucketAux.
func (s *segment) remove(bi, i, home int) {
	if bi >= RegularBuckets {
		sb := bi - RegularBuckets
		s.removeHint(home, s.buckets[bi].fpAt(i), sb)
	}
	s.clearSlotProbe(bi, i, bi != home && bi < RegularBuckets)
}

// homeOf returns the home bucket of the entry at pos.
func (s *segment) homeOf(pos int) int {
	bi, i := pos/SlotsPerBucket, pos%SlotsPerBucket
	switch {
	case bi >= RegularBuckets:
		return int(s.stashHome[(bi-RegularBuckets)*SlotsPerBucket+i])
	case s.aux[bi].probe&(1<<i) != 0:
		if bi == 0 {
			return RegularBuckets - 1
		}
		return bi - 1
	default:
		return bi
	}
}

// moveTo moves the entry at pos into the same physical position of dst
// (which must be free there). Keeping the position guarantees that a split
// never fails: dst receives a subset of the entries that fitted in s.
func (s *segment) moveTo(dst *segment, pos int) {
	bi, i := pos/SlotsPerBucket, pos%SlotsPerBucket
	f := s.buckets[bi].fpAt(i)
	probe := s.aux[bi].probe&(1<<i) != 0
	handle := s.buckets[bi].slots[i]
	if bi >= RegularBuckets {
		sb := bi - RegularBuckets
		home := int(s.stashHome[sb*SlotsPerBucket+i])
		s.removeHint(home, f, sb)
		dst.putStash(sb, i, home, f, handle)
	} else {
		dst.setSlot(bi, i, f, handle, probe)
	}
	s.clearSlot(bi, i)
}

// drainStash moves stash entries back into their home or neighbour bucket
// where a split freed room, so later lookups skip the stash. It never lowers
// the free space available to any one insert (a stash slot is given back for
// each regular slot taken), which Table.Insert relies on.
func (s *segment) drainStash() {
	for sb := 0; sb < StashBuckets; sb++ {
		bi := RegularBuckets + sb
		for c := s.buckets[bi].busy(); c != 0; c &= c - 1 {
			i := bits.TrailingZeros16(c)
			home := int(s.stashHome[sb*SlotsPerBucket+i])
			dst, probe := home, false
			j := s.buckets[home].freeSlot()
			if j < 0 {
				dst, probe = neighbour(home), true
				if j = s.buckets[dst].freeSlot(); j < 0 {
					continue
				}
			}
			f := s.buckets[bi].fpAt(i)
			handle := s.buckets[bi].slots[i]
			s.removeHint(home, f, sb)
			s.clearSlot(bi, i)
			s.setSlot(dst, j, f, handle, probe)
		}
	}
}

// firstBusy returns the first occupied slot at or after pos, wrapping at the
// end of the segment, or -1 if the segment is empty.
func (s *segment) firstBusy(pos int) int {
	bi, i := pos/SlotsPerBucket, pos%SlotsPerBucket
	if c := s.buckets[bi].busy() &^ (1<<i - 1); c != 0 {
		return bi*SlotsPerBucket + bits.TrailingZeros16(c)
	}
	for k := 1; k <= BucketsPerSegment; k++ {
		b := (bi + k) % BucketsPerSegment
		if c := s.buckets[b].busy(); c != 0 {
			return b*SlotsPerBucket + bits.TrailingZeros16(c)
		}
	}
	return -1
}

// visitLogical calls fn for every entry whose home is bucket b, wherever it
// is stored: b itself, the neighbour's probe slots, or the stash.
func (s *segment) visitLogical(b int, fn func(handle uint64)) {
	bk := &s.buckets[b]
	for c := bk.busy() &^ s.aux[b].probe; c != 0; c &= c - 1 {
		fn(bk.slots[bits.TrailingZeros16(c)])
	}
	if bk.meta[1]&spilledBit != 0 {
		nb := neighbour(b)
		for c := s.aux[nb].probe; c != 0; c &= c - 1 {
			fn(s.buckets[nb].slots[bits.TrailingZeros16(c)])
		}
	}
	if !bk.stashed() {
		return
	}
	for sb := 0; sb < StashBuckets; sb++ {
		sbk := &s.buckets[RegularBuckets+sb]
		for c := sbk.busy(); c != 0; c &= c - 1 {
			i := bits.TrailingZeros16(c)
			if int(s.stashHome[sb*SlotsPerBucket+i]) == b {
				fn(sbk.slots[i])
			}
		}
	}
}
