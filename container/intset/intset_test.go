package intset

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// model is the reference: a sorted slice of distinct values and the width
// the intset must have (it only ever grows).
type model struct {
	vals []int64
	w    int
}

func (m *model) add(v int64) bool {
	m.w = max(m.w, widthOf(v))
	i, ok := slices.BinarySearch(m.vals, v)
	if ok {
		return false
	}
	m.vals = slices.Insert(m.vals, i, v)
	return true
}

func (m *model) remove(v int64) bool {
	i, ok := slices.BinarySearch(m.vals, v)
	if ok {
		m.vals = slices.Delete(m.vals, i, i+1)
	}
	return ok
}

func check(t *testing.T, is []byte, m *model) {
	t.Helper()
	if err := Validate(is); err != nil {
		t.Fatalf("invalid intset %x", is)
	}
	if Width(is) != m.w || Len(is) != len(m.vals) {
		t.Fatalf("width %d len %d, want %d %d", Width(is), Len(is), m.w, len(m.vals))
	}
	for i, v := range m.vals {
		if Get(is, i) != v {
			t.Fatalf("element %d = %d, want %d", i, Get(is, i), v)
		}
	}
}

var edges = []int64{0, 1, -1, math.MaxInt16, math.MinInt16, math.MaxInt16 + 1, math.MinInt16 - 1,
	math.MaxInt32, math.MinInt32, math.MaxInt32 + 1, math.MinInt32 - 1, math.MaxInt64, math.MinInt64}

type source interface{ n(k int) int }

type randSource struct{ r *rand.Rand }

func (s randSource) n(k int) int { return s.r.IntN(k) }

type byteSource struct{ b []byte }

func (s *byteSource) n(k int) int {
	if len(s.b) == 0 {
		return 0
	}
	v := int(s.b[0])
	s.b = s.b[1:]
	return v % k
}

func value(s source) int64 {
	switch s.n(3) {
	case 0:
		return edges[s.n(len(edges))]
	case 1:
		return int64(s.n(64)) - 32
	}
	return int64(s.n(256)<<24|s.n(256)<<16|s.n(256)<<8|s.n(256)) * int64(s.n(3)-1)
}

func run(t *testing.T, s source, steps int) {
	is := New()
	m := &model{w: Enc16}
	for range steps {
		v := value(s)
		switch s.n(4) {
		case 0, 1:
			var added bool
			is, added = Add(is, v)
			if added != m.add(v) {
				t.Fatalf("Add(%d) added=%v", v, added)
			}
		case 2:
			var removed bool
			is, removed = Remove(is, v)
			if removed != m.remove(v) {
				t.Fatalf("Remove(%d) removed=%v", v, removed)
			}
		default:
			_, want := slices.BinarySearch(m.vals, v)
			if Find(is, v) != want {
				t.Fatalf("Find(%d) != %v", v, want)
			}
		}
		check(t, is, m)
	}
}

func TestModel(t *testing.T) {
	for seed := range uint64(50) {
		run(t, randSource{rand.New(rand.NewPCG(seed, 7))}, 400)
	}
}

func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Fuzz(func(t *testing.T, b []byte) { run(t, &byteSource{b}, len(b)/3) })
}

func FuzzValidate(f *testing.F) {
	is, _ := Add(New(), 5)
	is, _ = Add(is, -70000)
	f.Add(is)
	f.Add([]byte{2, 0, 0, 0, 1, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		if Validate(b) != nil {
			return
		}
		// Valid bytes take every edit without panicking and stay valid.
		for i := range Len(b) {
			v := Get(b, i)
			if !Find(b, v) {
				t.Fatalf("element %d not found", v)
			}
		}
		c := bytes.Clone(b)
		c, _ = Add(c, 12345678901)
		if Len(b) > 0 {
			c, _ = Remove(c, Get(b, 0))
		}
		if Validate(c) != nil {
			t.Fatalf("edit broke %x", b)
		}
	})
}

// TestRedisBytes pins the bytes Redis 7 holds for a few sets.
func TestRedisBytes(t *testing.T) {
	is := New()
	for _, v := range []int64{3, 1, 2} {
		is, _ = Add(is, v)
	}
	want := []byte{2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 2, 0, 3, 0}
	if !bytes.Equal(is, want) {
		t.Fatalf("got %x want %x", is, want)
	}
	is, _ = Add(is, -70000)
	if Width(is) != Enc32 || Get(is, 0) != -70000 || Get(is, 3) != 3 {
		t.Fatalf("upgrade: %x", is)
	}
}

func TestAddInPlaceDoesNotAllocate(t *testing.T) {
	buf := make([]byte, 0, 256)
	buf = AppendEmpty(buf)
	allocs := testing.AllocsPerRun(100, func() {
		is := buf
		for v := range int64(50) {
			is, _ = Add(is, v)
		}
		for v := range int64(50) {
			is, _ = Remove(is, v)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations", allocs)
	}
}
