package shard

import (
	"bytes"
	"sort"
	"unsafe"
)

// zorder is the order index of a big sorted set: (score, member cell)
// pairs ordered by score, ties by member bytes, with ranks. Its methods are
// those of container/zbtree's Tree (Store and Members are passed in, so the
// index holds no pointer to either); this stand-in keeps the pairs in one
// sorted slice: one Go object per sorted set, no pointer per element, but
// O(n) inserts and deletes. It is replaced by the order-statistics B+tree
// of container/zbtree once that exists.
type zorder struct {
	e []zentry
}

type zentry struct {
	score float64
	ref   uint64
}

// zStore is where an index keeps its nodes (the shard's arena).
type zStore interface {
	Alloc(n int) (h uint64, b []byte)
	Bytes(h uint64) []byte
	Free(h uint64)
}

// zMembers reads the member bytes of a ref.
type zMembers interface {
	Member(ref uint64) []byte
}

// zless orders (s1, m1) before (s2, m2).
func zless(s1 float64, m1 []byte, s2 float64, m2 []byte) bool {
	if s1 != s2 {
		return s1 < s2
	}
	return bytes.Compare(m1, m2) < 0
}

func (t *zorder) Len() int { return len(t.e) }

// lowerBound is the first index whose pair is not before (score, member).
func (t *zorder) lowerBound(m zMembers, score float64, member []byte) int {
	return sort.Search(len(t.e), func(i int) bool {
		e := t.e[i]
		return !zless(e.score, m.Member(e.ref), score, member)
	})
}

func (t *zorder) Insert(_ zStore, m zMembers, score float64, ref uint64) {
	i := t.lowerBound(m, score, m.Member(ref))
	t.e = append(t.e, zentry{})
	copy(t.e[i+1:], t.e[i:])
	t.e[i] = zentry{score, ref}
}

// AppendSorted adds a pair after every other (an ascending bulk load).
func (t *zorder) AppendSorted(_ zStore, score float64, ref uint64) {
	t.e = append(t.e, zentry{score, ref})
}

func (t *zorder) Delete(_ zStore, m zMembers, score float64, member []byte) (uint64, bool) {
	i := t.lowerBound(m, score, member)
	if i >= len(t.e) || t.e[i].score != score || !bytes.Equal(m.Member(t.e[i].ref), member) {
		return 0, false
	}
	ref := t.e[i].ref
	t.e = append(t.e[:i], t.e[i+1:]...)
	return ref, true
}

func (t *zorder) Rank(_ zStore, m zMembers, score float64, member []byte) (int, bool) {
	i := t.lowerBound(m, score, member)
	if i >= len(t.e) || t.e[i].score != score || !bytes.Equal(m.Member(t.e[i].ref), member) {
		return 0, false
	}
	return i, true
}

func (t *zorder) At(_ zStore, rank int) (float64, uint64) {
	e := t.e[rank]
	return e.score, e.ref
}

func (t *zorder) CountBelow(_ zStore, score float64, inclusive bool) int {
	return sort.Search(len(t.e), func(i int) bool {
		if inclusive {
			return t.e[i].score > score
		}
		return t.e[i].score >= score
	})
}

func (t *zorder) CountBelowLex(_ zStore, m zMembers, member []byte, inclusive bool) int {
	return sort.Search(len(t.e), func(i int) bool {
		c := bytes.Compare(m.Member(t.e[i].ref), member)
		if inclusive {
			return c > 0
		}
		return c >= 0
	})
}

// zorderIter walks the index by rank.
type zorderIter struct {
	t    *zorder
	rank int
}

func (t *zorder) SeekRank(_ zStore, rank int) zorderIter { return zorderIter{t, rank} }

func (it *zorderIter) Valid() bool    { return it.rank >= 0 && it.rank < len(it.t.e) }
func (it *zorderIter) Next(_ zStore)  { it.rank++ }
func (it *zorderIter) Prev(_ zStore)  { it.rank-- }
func (it *zorderIter) Score() float64 { return it.t.e[it.rank].score }
func (it *zorderIter) Ref() uint64    { return it.t.e[it.rank].ref }
func (it *zorderIter) Rank() int      { return it.rank }

// DeleteRange removes the pairs of ranks from to to (inclusive), calling fn
// with each first.
func (t *zorder) DeleteRange(_ zStore, from, to int, fn func(score float64, ref uint64)) {
	for _, e := range t.e[from : to+1] {
		fn(e.score, e.ref)
	}
	t.e = append(t.e[:from], t.e[to+1:]...)
}

// Release frees the index (it holds no cells of its own here).
func (t *zorder) Release(_ zStore, _ int) bool {
	t.e = nil
	return true
}

func (t *zorder) Memory() int { return cap(t.e) * int(unsafe.Sizeof(zentry{})) }

// Clone copies the index; the refs are the caller's to remap.
func (t *zorder) Clone(_ zStore) zorder { return zorder{e: append([]zentry(nil), t.e...)} }
