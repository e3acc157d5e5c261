package quicklist

import (
	"fmt"
	"testing"
)

// sliceStore is the plainest Store: cells in a slice, handle = index + 1,
// freed handles reused.
type sliceStore struct {
	cells [][]byte
	free  []uint64
}

func (st *sliceStore) Alloc(n int) (uint64, []byte) {
	b := make([]byte, n)
	if k := len(st.free); k > 0 {
		h := st.free[k-1]
		st.free = st.free[:k-1]
		st.cells[h-1] = b
		return h, b
	}
	st.cells = append(st.cells, b)
	return uint64(len(st.cells)), b
}

func (st *sliceStore) Bytes(h uint64) []byte { return st.cells[h-1] }

func (st *sliceStore) Free(h uint64) {
	st.cells[h-1] = nil
	st.free = append(st.free, h)
}

// checkStore never reuses a handle, fails the test on any use of a freed or
// unknown handle, poisons freed cells so that a Value read after its node
// moved shows up as wrong bytes, hands out cells longer than asked for
// (as a slab arena does), and can report leaks.
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
	st.slack = (st.slack + 7) % 23 // some cells fit exactly, most have room
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

func (st *checkStore) live() int { return len(st.cells) }

func (st *checkStore) leaks() error {
	if n := st.live(); n != 0 {
		return fmt.Errorf("%d cells not freed", n)
	}
	return nil
}
