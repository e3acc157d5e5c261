package setcmd

import (
	"slices"

	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// The set algebra's Go values: members end to end in chunks of one
// buffer, found again through an open-addressing table of indexes, so that
// a result of millions of members is a few slices and no Go object or
// pointer per member, and grows without copying what it holds (a copy
// that doubles would leave as much garbage as it keeps).

// chunkSize is the most a members chunk holds; a longer member has a
// chunk of its own.
const chunkSize = 64 << 10

// members is a list of members, with a hash index built when first needed
// (has, add).
type members struct {
	chunks [][]byte
	ends   []uint64 // member i's chunk << 32 | its end in the chunk
	size   int      // the members' bytes in all
	slots  []uint32 // member index + 1; 0 is empty; a power of two long
}

func (s *members) len() int { return len(s.ends) }

func (s *members) at(i int) []byte {
	e := s.ends[i]
	c, end := int(e>>32), uint32(e)
	start := uint32(0)
	if i > 0 && int(s.ends[i-1]>>32) == c {
		start = uint32(s.ends[i-1])
	}
	return s.chunks[c][start:end:end]
}

// appendMember puts m at the end, with no look at the index.
func (s *members) appendMember(m []byte) {
	n := len(s.chunks)
	if n == 0 || len(m) > cap(s.chunks[n-1])-len(s.chunks[n-1]) {
		// Chunks double from 256 bytes up to chunkSize, so that a few
		// members take little room.
		size := 256
		if n > 0 {
			size = min(chunkSize, 2*cap(s.chunks[n-1]))
		}
		s.chunks = append(s.chunks, make([]byte, 0, max(size, len(m))))
		n++
	}
	c := append(s.chunks[n-1], m...)
	s.chunks[n-1] = c
	s.ends = append(s.ends, uint64(n-1)<<32|uint64(len(c)))
	s.size += len(m)
}

// push appends m without looking for it.
func (s *members) push(m []byte) {
	if s.slots != nil {
		s.fit(s.len() + 1)
	}
	s.appendMember(m)
	if s.slots != nil {
		s.place(s.len()-1, shard.Hash(m))
	}
}

// reserve makes room for n more members.
func (s *members) reserve(n int) { s.ends = slices.Grow(s.ends, n) }

// fit makes the index hold n members at most half full, building or
// rebuilding it as needed.
func (s *members) fit(n int) {
	if s.slots != nil && 2*n <= len(s.slots) {
		return
	}
	size := 16
	for size < 2*n {
		size *= 2
	}
	s.slots = make([]uint32, size)
	for i := range s.len() {
		s.place(i, shard.Hash(s.at(i)))
	}
}

func (s *members) place(i int, h uint64) {
	mask := uint64(len(s.slots) - 1)
	for j := h & mask; ; j = (j + 1) & mask {
		if s.slots[j] == 0 {
			s.slots[j] = uint32(i + 1)
			return
		}
	}
}

// find returns the index of m (whose hash is h), or -1.
func (s *members) find(m []byte, h uint64) int {
	mask := uint64(len(s.slots) - 1)
	for j := h & mask; ; j = (j + 1) & mask {
		k := s.slots[j]
		if k == 0 {
			return -1
		}
		if string(s.at(int(k-1))) == string(m) {
			return int(k - 1)
		}
	}
}

// has reports whether m is one of the members.
func (s *members) has(m []byte) bool {
	s.fit(s.len())
	return s.find(m, shard.Hash(m)) >= 0
}

// add appends m unless it is there already, and reports whether it was
// new.
func (s *members) add(m []byte) bool {
	s.fit(s.len() + 1)
	h := shard.Hash(m)
	if s.find(m, h) >= 0 {
		return false
	}
	s.appendMember(m)
	s.place(s.len()-1, h)
	return true
}

// encTrack follows the encoding of the set Redis builds for a set
// operation's result as distinct members are added to it (setTypeAddAux's
// conversions), which decides the reply's order and the stored set's
// encoding, without building the set.
type encTrack struct {
	lim     shard.SetLimits
	enc     byte
	n       int
	lo, hi  int64 // the intset's extremes
	allInts bool
	// sorted is how many members come out first, ascending: those of the
	// intset that became a listpack (all of them while an intset).
	sorted int
}

func newTrack(enc byte, lim shard.SetLimits) encTrack {
	return encTrack{lim: lim, enc: enc, allInts: true}
}

func digits(v int64) int {
	var b [24]byte
	return len(appendInt(b[:0], v))
}

// add counts the new member m.
func (t *encTrack) add(m []byte) {
	v, isInt := listpack.ParseInt(m)
	if !isInt {
		t.allInts = false
	}
	switch t.enc {
	case shard.EncIntset:
		if isInt {
			if t.n == 0 || v < t.lo {
				t.lo = v
			}
			if t.n == 0 || v > t.hi {
				t.hi = v
			}
			t.n++
			if int64(t.n) > min(t.lim.IntsetEntries, 1<<30) {
				t.enc = shard.EncHashtable
			}
			return
		}
		maxLen := 0
		if t.n > 0 {
			maxLen = max(digits(t.lo), digits(t.hi))
		}
		if int64(t.n) < t.lim.ListpackEntries && int64(len(m)) <= t.lim.ListpackValue && int64(maxLen) <= t.lim.ListpackValue {
			t.enc = shard.EncListpack
			t.sorted = t.n // the intset's members come out ascending
		} else {
			t.enc = shard.EncHashtable
		}
	case shard.EncListpack:
		if int64(t.n) >= t.lim.ListpackEntries || int64(len(m)) > t.lim.ListpackValue {
			t.enc = shard.EncHashtable
		}
	}
	t.n++
}

// result is a set operation's result as Redis's result set would hold it:
// its members in insertion order and the encoding they took it to. It may
// be a chain's candidates as they are, those kept (keep) being the result.
type result struct {
	t      encTrack
	m      members
	keep   []bool // nil: every member is in
	n      int
	sorted int // members that come out first, ascending (t.sorted unless set)
}

// newResult starts an empty result of encoding enc, as Redis's
// createIntsetObject (or SINTERSTORE's first choice).
func newResult(enc byte, lim shard.SetLimits) *result {
	return &result{t: newTrack(enc, lim), sorted: -1}
}

// add adds m (copied) unless it is there, and reports whether it was new.
func (r *result) add(m []byte) bool {
	if !r.m.add(m) {
		return false
	}
	r.t.add(m)
	r.n++
	return true
}

// push adds m, which the caller knows is new.
func (r *result) push(m []byte) {
	r.m.push(m)
	r.t.add(m)
	r.n++
}

func (r *result) len() int { return r.n }

// head returns, ascending, the integers of the members that come out
// first (those of the intset the result was when it became a listpack; all
// of them when it is one), and where the others start among r.m.
func (r *result) head() (ints []int64, rest int) {
	k := r.sorted
	if k < 0 {
		k = r.t.sorted
	}
	if r.t.enc == shard.EncIntset {
		k = r.n
	}
	if k <= 0 {
		return nil, 0
	}
	ints = make([]int64, 0, k)
	for ; len(ints) < k; rest++ {
		if r.keep == nil || r.keep[rest] {
			v, _ := listpack.ParseInt(r.m.at(rest))
			ints = append(ints, v)
		}
	}
	slices.Sort(ints)
	return ints, rest
}

// cursor returns member(i), the members in the order Redis iterates the
// result for i = 0, 1, 2... asked in that order.
func (r *result) cursor() func(i int) []byte {
	ints, pos := r.head()
	var b [24]byte
	return func(i int) []byte {
		if i < len(ints) {
			return appendInt(b[:0], ints[i])
		}
		for r.keep != nil && !r.keep[pos] {
			pos++
		}
		pos++
		return r.m.at(pos - 1)
	}
}

func (r *result) reply(x *command.Exec) {
	x.Set(r.n)
	member := r.cursor()
	for i := range r.n {
		x.Bulk(member(i))
	}
}

// store puts r under dst on db (an empty r deletes dst).
func (r *result) store(x *command.Exec, db *shard.DB, dst []byte) {
	if r == nil || r.n == 0 {
		deleteKey(x, db, dst)
		return
	}
	db.StoreSet(dst, r.t.enc, r.n, r.cursor(), x.Now)
}

// deleteKey deletes key and reports whether it was there.
func deleteKey(x *command.Exec, db *shard.DB, key []byte) bool {
	if _, found := db.Lookup(key, x.Now, writeLookup|shard.NoTouch); found {
		db.Delete(key)
		return true
	}
	return false
}

// each calls fn with the members in order until it returns false.
func (s *members) each(fn func(m []byte) bool) {
	for i := range s.len() {
		if !fn(s.at(i)) {
			return
		}
	}
}
