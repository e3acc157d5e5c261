package shard

import (
	"slices"
	"unsafe"

	"github.com/anaxdb/anax/dashtable"
)

// memberIndexSmall is the most members a collection's index keeps in its
// sorted slice; one more moves them into a dash table. A dash table's first
// segment is about 9.5 KB whatever it holds, which for a hash or set turned
// to `hashtable` by one long value (a job hash with a 100-byte payload) was
// 17 times Redis's memory; 256 entries of the slice are 4 KB, and a lookup
// is a binary search of at most 8 steps.
const memberIndexSmall = 256

// hashHandle is one entry of a small index: a member's table hash and the
// handle of its cell.
type hashHandle struct{ hash, handle uint64 }

// memberIndex maps the table hashes of a big collection's members to their
// cell handles, with dashtable.Table's methods: a slice sorted by hash while
// it has at most memberIndexSmall entries, then a dash table for good
// (until Clear), as Redis never turns a hashtable back into a listpack.
// Neither form holds a Go pointer per member.
type memberIndex struct {
	t      *dashtable.Table // nil while small
	small  []hashHandle     // sorted by hash (equal hashes in any order)
	hasher dashtable.Hasher
}

func newMemberIndex(h dashtable.Hasher) memberIndex { return memberIndex{hasher: h} }

// at returns the index of the first small entry whose hash is at least hash.
func (x *memberIndex) at(hash uint64) int {
	lo, hi := 0, len(x.small)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if x.small[mid].hash < hash {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// find returns the index of the small entry of hash that m matches, or -1.
func (x *memberIndex) find(hash uint64, m dashtable.Matcher) int {
	for i := x.at(hash); i < len(x.small) && x.small[i].hash == hash; i++ {
		if m.Match(x.small[i].handle) {
			return i
		}
	}
	return -1
}

// Find returns the handle of the entry of hash that m matches.
func (x *memberIndex) Find(hash uint64, m dashtable.Matcher) (uint64, bool) {
	if x.t != nil {
		return x.t.Find(hash, m)
	}
	if i := x.find(hash, m); i >= 0 {
		return x.small[i].handle, true
	}
	return 0, false
}

// Update replaces the handle of the entry of hash that m matches.
func (x *memberIndex) Update(hash uint64, m dashtable.Matcher, handle uint64) bool {
	if x.t != nil {
		return x.t.Update(hash, m, handle)
	}
	if i := x.find(hash, m); i >= 0 {
		x.small[i].handle = handle
		return true
	}
	return false
}

// Delete removes the entry of hash that m matches and returns its handle.
func (x *memberIndex) Delete(hash uint64, m dashtable.Matcher) (uint64, bool) {
	if x.t != nil {
		return x.t.Delete(hash, m)
	}
	i := x.find(hash, m)
	if i < 0 {
		return 0, false
	}
	h := x.small[i].handle
	x.small = slices.Delete(x.small, i, i+1)
	if cap(x.small) > 32 && len(x.small) < cap(x.small)/4 {
		x.small = slices.Clip(slices.Clone(x.small))
	}
	return h, true
}

// Insert adds an entry (the caller knows the member is not there).
func (x *memberIndex) Insert(hash, handle uint64) {
	if x.t != nil {
		x.t.Insert(hash, handle)
		return
	}
	if len(x.small) == memberIndexSmall {
		x.grow(len(x.small) + 1)
		x.t.Insert(hash, handle)
		return
	}
	x.small = slices.Insert(x.small, x.at(hash), hashHandle{hash, handle})
}

// grow moves the small entries into a dash table sized for n entries.
func (x *memberIndex) grow(n int) {
	t := dashtable.New(x.hasher)
	t.Reserve(n)
	for _, e := range x.small {
		t.Insert(e.hash, e.handle)
	}
	x.t, x.small = t, nil
}

// Reserve makes room for n entries in all.
func (x *memberIndex) Reserve(n int) {
	switch {
	case x.t != nil:
		x.t.Reserve(n)
	case n > memberIndexSmall:
		x.grow(n)
	case n > cap(x.small):
		x.small = slices.Grow(x.small, n-len(x.small))
	}
}

// Len returns the number of entries.
func (x *memberIndex) Len() int {
	if x.t != nil {
		return x.t.Len()
	}
	return len(x.small)
}

// Clear removes every entry and goes back to the small form.
func (x *memberIndex) Clear() { x.t, x.small = nil, nil }

// MemoryUsage returns the bytes the index holds.
func (x *memberIndex) MemoryUsage() int {
	if x.t != nil {
		return x.t.MemoryUsage()
	}
	return cap(x.small) * int(unsafe.Sizeof(hashHandle{}))
}

// ForEach calls fn for every entry until it returns false; fn must not
// change the index.
func (x *memberIndex) ForEach(fn func(handle uint64) bool) {
	if x.t != nil {
		x.t.ForEach(fn)
		return
	}
	for _, e := range x.small {
		if !fn(e.handle) {
			return
		}
	}
}

// Scan visits one step of a traversal (dashtable.Table.Scan's contract).
// The small form visits everything in one step and returns 0, as Redis's
// SCAN of a listpack does; a cursor from before the index last changed
// form is then harmless: the traversal starts over.
func (x *memberIndex) Scan(cursor uint64, fn func(handle uint64)) uint64 {
	if x.t != nil {
		return x.t.Scan(cursor, fn)
	}
	for _, e := range x.small {
		fn(e.handle)
	}
	return 0
}

// Random returns a uniformly chosen entry, drawn with the bits of r.
func (x *memberIndex) Random(r uint64) (uint64, bool) {
	if x.t != nil {
		return x.t.Random(r)
	}
	if len(x.small) == 0 {
		return 0, false
	}
	return x.small[(r>>32)*uint64(len(x.small))>>32].handle, true
}
