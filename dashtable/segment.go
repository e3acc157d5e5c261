package dashtable

import (
	"encoding/binary"
	"math/bits"
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

// bucket is the metadata of one physical bucket: 32 bytes, so two adjacent
// buckets (home + neighbour) usually share a cache line. The handles live in
// segment.slots so that metadata scans stay dense.
type bucket struct {
	// fp[i] is the fingerprint of slot i (bytes 14 and 15 are always 0);
	// read as two little-endian words for SWAR matching.
	fp [16]uint8
	// busy has bit i set when slot i holds an entry.
	busy uint16
	// probe has bit i set when slot i (of a regular bucket) holds an entry
	// whose home is the previous bucket (it overflowed into this one).
	probe uint16
	// Stash hints for entries whose home is this bucket but which live in
	// the stash: hint k is valid when hintValid bit k is set; hintFP[k] is
	// the entry's fingerprint and bits 2k..2k+1 of hintStash its stash
	// bucket. Entries that found no free hint are counted in overflow.
	hintFP    [maxHints]uint8
	hintValid uint8
	hintStash uint8
	overflow  uint8
	_         [5]uint8 // pad to 32 bytes
}

// segment is a fixed-size, pointer-free block of buckets. Because it holds no
// pointers the runtime allocates it in a noscan span: the garbage collector
// marks the object but never reads its 840 slots.
type segment struct {
	buckets [BucketsPerSegment]bucket
	// slots[b*SlotsPerBucket+i] is the handle in slot i of bucket b.
	slots [slotsPerSegment]uint64
	// stashHome[s*SlotsPerBucket+i] is the home bucket of the entry in
	// slot i of stash bucket s (meaningless when the slot is free). Needed
	// to maintain hints on delete and to scan logical buckets without
	// rehashing.
	stashHome [stashSlots]uint8
	// version holds one stamp per physical bucket for fork-less snapshots.
	// Unused for now (see Table.BucketVersion).
	version [BucketsPerSegment]uint64
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
	t := ^((x&low7 + low7) | x | low7) // 0x80 in each zero byte
	// Gather bit 8k+7 into bit k: every partial product lands on a distinct
	// position, so no carries disturb the top byte.
	return uint16((t >> 7) * 0x0102040810204080 >> 56)
}

// match returns the busy slots of bk whose fingerprint equals f.
func (bk *bucket) match(f uint8) uint16 {
	pat := lsb * uint64(f)
	lo := zeroBytes(binary.LittleEndian.Uint64(bk.fp[0:8]) ^ pat)
	hi := zeroBytes(binary.LittleEndian.Uint64(bk.fp[8:16]) ^ pat)
	return (lo | hi<<8) & bk.busy
}

// freeSlot returns a free slot of bk, or -1 when it is full.
func (bk *bucket) freeSlot() int {
	free := ^bk.busy & slotMask
	if free == 0 {
		return -1
	}
	return bits.TrailingZeros16(free)
}

// addHint records that an entry with fingerprint f whose home is this bucket
// was placed in stash bucket s.
func (bk *bucket) addHint(f uint8, s int) {
	free := ^bk.hintValid & (1<<maxHints - 1)
	if free == 0 {
		bk.overflow++ // at most stashSlots, so it cannot wrap
		return
	}
	k := bits.TrailingZeros8(free)
	bk.hintFP[k] = f
	bk.hintValid |= 1 << k
	bk.hintStash = bk.hintStash&^(3<<(2*k)) | uint8(s)<<(2*k)
}

// removeHint undoes one addHint(f, s). Hints and the overflow counter form a
// multiset (invariant 5 in doc.go): any hint equal to (f, s) may go, and when
// none exists the entry must have been counted in overflow.
func (bk *bucket) removeHint(f uint8, s int) {
	for v := bk.hintValid; v != 0; v &= v - 1 {
		k := bits.TrailingZeros8(v)
		if bk.hintFP[k] == f && int(bk.hintStash>>(2*k)&3) == s {
			bk.hintValid &^= 1 << k
			return
		}
	}
	if bk.overflow == 0 {
		panic("BUG: dashtable: stash entry has neither hint nor overflow count")
	}
	bk.overflow--
}

// stashMask returns the stash buckets that may hold an entry with home bk and
// fingerprint f: those named by matching hints, or all of them while some
// entry of this home is counted in overflow.
func (bk *bucket) stashMask(f uint8) uint8 {
	if bk.overflow != 0 {
		return 1<<StashBuckets - 1
	}
	var m uint8
	for v := bk.hintValid; v != 0; v &= v - 1 {
		k := bits.TrailingZeros8(v)
		if bk.hintFP[k] == f {
			m |= 1 << (bk.hintStash >> (2 * k) & 3)
		}
	}
	return m
}

// setSlot fills free slot i of physical bucket bi.
func (s *segment) setSlot(bi, i int, f uint8, handle uint64, probe bool) {
	bk := &s.buckets[bi]
	bk.fp[i] = f
	bk.busy |= 1 << i
	if probe {
		bk.probe |= 1 << i
	}
	s.slots[bi*SlotsPerBucket+i] = handle
	s.count++
}

// clearSlot empties slot i of physical bucket bi. Stash hints are the
// caller's business.
func (s *segment) clearSlot(bi, i int) {
	bk := &s.buckets[bi]
	bk.fp[i] = 0
	bk.busy &^= 1 << i
	bk.probe &^= 1 << i
	s.slots[bi*SlotsPerBucket+i] = 0
	s.count--
}

// insert places an entry: home bucket, then its neighbour, then the first
// stash bucket with room. It reports false when all three are full; the
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
			s.putStash(sb, i, b, f, handle)
			return true
		}
	}
	return false
}

// putStash fills free slot i of stash bucket sb with an entry of home b.
func (s *segment) putStash(sb, i, b int, f uint8, handle uint64) {
	s.setSlot(RegularBuckets+sb, i, f, handle, false)
	s.stashHome[sb*SlotsPerBucket+i] = uint8(b)
	s.buckets[b].addHint(f, sb)
}

// find returns the slot index (bucket*SlotsPerBucket+slot) of the entry that
// m accepts among those that hash could have been stored under, or -1.
// Matcher is called only for slots whose fingerprint and home agree.
func (s *segment) find(hash uint64, m Matcher) int {
	f := fingerprint(hash)
	b := homeBucket(hash)
	bk := &s.buckets[b]
	for c := bk.match(f) &^ bk.probe; c != 0; c &= c - 1 {
		pos := b*SlotsPerBucket + bits.TrailingZeros16(c)
		if m.Match(s.slots[pos]) {
			return pos
		}
	}
	nb := neighbour(b)
	nbk := &s.buckets[nb]
	for c := nbk.match(f) & nbk.probe; c != 0; c &= c - 1 {
		pos := nb*SlotsPerBucket + bits.TrailingZeros16(c)
		if m.Match(s.slots[pos]) {
			return pos
		}
	}
	if bk.hintValid == 0 && bk.overflow == 0 {
		return -1 // the common case: nothing of this home is in the stash
	}
	return s.findStash(b, f, m)
}

// findStash searches the stash buckets that bk's hints point at.
func (s *segment) findStash(b int, f uint8, m Matcher) int {
	for sm := s.buckets[b].stashMask(f); sm != 0; sm &= sm - 1 {
		sb := bits.TrailingZeros8(sm)
		bi := RegularBuckets + sb
		for c := s.buckets[bi].match(f); c != 0; c &= c - 1 {
			i := bits.TrailingZeros16(c)
			if int(s.stashHome[sb*SlotsPerBucket+i]) != b {
				continue
			}
			pos := bi*SlotsPerBucket + i
			if m.Match(s.slots[pos]) {
				return pos
			}
		}
	}
	return -1
}

// remove deletes the entry at pos, keeping stash hints exact.
func (s *segment) remove(pos int) {
	bi, i := pos/SlotsPerBucket, pos%SlotsPerBucket
	if bi >= RegularBuckets {
		sb := bi - RegularBuckets
		home := int(s.stashHome[sb*SlotsPerBucket+i])
		s.buckets[home].removeHint(s.buckets[bi].fp[i], sb)
	}
	s.clearSlot(bi, i)
}

// homeOf returns the home bucket of the entry at pos.
func (s *segment) homeOf(pos int) int {
	bi, i := pos/SlotsPerBucket, pos%SlotsPerBucket
	switch {
	case bi >= RegularBuckets:
		return int(s.stashHome[(bi-RegularBuckets)*SlotsPerBucket+i])
	case s.buckets[bi].probe&(1<<i) != 0:
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
	bk := &s.buckets[bi]
	f := bk.fp[i]
	probe := bk.probe&(1<<i) != 0
	handle := s.slots[pos]
	if bi >= RegularBuckets {
		sb := bi - RegularBuckets
		home := int(s.stashHome[sb*SlotsPerBucket+i])
		s.buckets[home].removeHint(f, sb)
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
		for c := s.buckets[bi].busy; c != 0; c &= c - 1 {
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
			f := s.buckets[bi].fp[i]
			handle := s.slots[bi*SlotsPerBucket+i]
			s.buckets[home].removeHint(f, sb)
			s.clearSlot(bi, i)
			s.setSlot(dst, j, f, handle, probe)
		}
	}
}

// firstBusy returns the first occupied slot at or after pos, wrapping at the
// end of the segment, or -1 if the segment is empty.
func (s *segment) firstBusy(pos int) int {
	bi, i := pos/SlotsPerBucket, pos%SlotsPerBucket
	if c := s.buckets[bi].busy &^ (1<<i - 1); c != 0 {
		return bi*SlotsPerBucket + bits.TrailingZeros16(c)
	}
	for k := 1; k <= BucketsPerSegment; k++ {
		b := (bi + k) % BucketsPerSegment
		if c := s.buckets[b].busy; c != 0 {
			return b*SlotsPerBucket + bits.TrailingZeros16(c)
		}
	}
	return -1
}

// visitLogical calls fn for every entry whose home is bucket b, wherever it
// is stored: b itself, the neighbour's probe slots, or the stash.
func (s *segment) visitLogical(b int, fn func(handle uint64)) {
	bk := &s.buckets[b]
	for c := bk.busy &^ bk.probe; c != 0; c &= c - 1 {
		fn(s.slots[b*SlotsPerBucket+bits.TrailingZeros16(c)])
	}
	nb := neighbour(b)
	nbk := &s.buckets[nb]
	for c := nbk.busy & nbk.probe; c != 0; c &= c - 1 {
		fn(s.slots[nb*SlotsPerBucket+bits.TrailingZeros16(c)])
	}
	if bk.hintValid == 0 && bk.overflow == 0 {
		return
	}
	for sb := 0; sb < StashBuckets; sb++ {
		bi := RegularBuckets + sb
		for c := s.buckets[bi].busy; c != 0; c &= c - 1 {
			i := bits.TrailingZeros16(c)
			if int(s.stashHome[sb*SlotsPerBucket+i]) == b {
				fn(s.slots[bi*SlotsPerBucket+i])
			}
		}
	}
}
