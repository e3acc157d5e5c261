package zbtree

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"testing"
)

// checkStore never reuses a handle, fails the test on any use of a freed or
// unknown handle, poisons cells (fresh ones with 0xCC, freed ones with 0xDD)
// and hands out cells longer than asked for, as a slab arena does.
type checkStore struct {
	t     testing.TB
	cells map[uint64][]byte
	dead  map[uint64]bool
	next  uint64
	slack int
}

func newCheckStore(t testing.TB) *checkStore {
	return &checkStore{t: t, cells: map[uint64][]byte{}, dead: map[uint64]bool{}}
}

func (st *checkStore) Alloc(n int) (uint64, []byte) {
	st.next++
	st.slack = (st.slack + 7) % 23
	b := make([]byte, n+st.slack)
	for i := range b {
		b[i] = 0xCC
	}
	st.cells[st.next] = b
	return st.next, b
}

func (st *checkStore) get(h uint64, op string) []byte {
	b, ok := st.cells[h]
	if !ok {
		if st.dead[h] {
			st.t.Fatalf("%s of freed handle %d", op, h)
		}
		st.t.Fatalf("%s of unknown handle %d", op, h)
	}
	return b
}

func (st *checkStore) Bytes(h uint64) []byte { return st.get(h, "Bytes") }

func (st *checkStore) Free(h uint64) {
	b := st.get(h, "Free")
	for i := range b {
		b[i] = 0xDD
	}
	delete(st.cells, h)
	st.dead[h] = true
}

// sliceStore is a plain fast Store for benchmarks and allocation tests:
// cells in one slice, handle = index + 1, freed handles reused.
type sliceStore struct {
	cells [][]byte
	free  []uint64
	bytes int
}

func (st *sliceStore) Alloc(n int) (uint64, []byte) {
	st.bytes += n
	if k := len(st.free); k > 0 {
		h := st.free[k-1]
		st.free = st.free[:k-1]
		if cap(st.cells[h-1]) >= n {
			st.cells[h-1] = st.cells[h-1][:n]
		} else {
			st.cells[h-1] = make([]byte, n)
		}
		return h, st.cells[h-1]
	}
	st.cells = append(st.cells, make([]byte, n))
	return uint64(len(st.cells)), st.cells[len(st.cells)-1]
}

func (st *sliceStore) Bytes(h uint64) []byte { return st.cells[h-1] }

func (st *sliceStore) Free(h uint64) {
	st.bytes -= len(st.cells[h-1])
	st.free = append(st.free, h)
}

// memberTable is the Members of the tests: ref i (offset so that refs look
// like opaque handles) names members[i-refBase].
type memberTable struct {
	members [][]byte
}

const refBase = 1 << 40

func (mt *memberTable) add(b []byte) uint64 {
	mt.members = append(mt.members, b)
	return uint64(len(mt.members)-1) + refBase
}

func (mt *memberTable) Member(ref uint64) []byte { return mt.members[ref-refBase] }

// withLayout runs f with the node capacities shrunk (0 keeps the default).
func withLayout(t testing.TB, leafCap, innerCap int, f func()) {
	saved := layout
	defer func() { layout = saved }()
	if leafCap > 0 {
		layout = nodeLayout{
			size:     max(leafHeader+16*leafCap, innerHeader+32*innerCap),
			leafCap:  leafCap,
			innerCap: innerCap,
		}
	}
	f()
}

// elem is the model's element.
type elem struct {
	score  float64
	member string
	ref    uint64
}

func cmpModel(a, b elem) int {
	if a.score < b.score {
		return -1
	}
	if a.score > b.score {
		return 1
	}
	return cmp.Compare(a.member, b.member)
}

// model is a sorted slice, the tree's specification.
type model []elem

func (md model) find(score float64, member string) (int, bool) {
	return slices.BinarySearchFunc(md, elem{score: score, member: member}, cmpModel)
}

func (md model) countBelow(score float64, inclusive bool) int {
	n := 0
	for _, e := range md {
		if e.score < score || inclusive && e.score == score {
			n++
		}
	}
	return n
}

func (md model) countBelowLex(member []byte, inclusive bool) int {
	n := 0
	for _, e := range md {
		if c := bytes.Compare([]byte(e.member), member); c < 0 || inclusive && c == 0 {
			n++
		}
	}
	return n
}

var _ = math.Inf
