package dashtable

import "testing"

// TestZeroAllocs asserts that the hot operations do not allocate once the
// table has room (a split allocates one segment; that is the only
// allocation Insert may make).
func TestZeroAllocs(t *testing.T) {
	const n = 100_000
	tb := New(hashFunc(mix))
	tb.Reserve(2 * n)
	for k := uint64(0); k < n; k++ {
		tb.Insert(mix(k), handleOf(k, 0))
	}
	segs := tb.SegmentCount()
	m := &keyMatcher{}
	var k uint64
	next := func() uint64 { k = (k + 7919) % n; m.key = k; return mix(k) }
	ops := []struct {
		name string
		fn   func()
	}{
		{"Find", func() {
			if _, ok := tb.Find(next(), m); !ok {
				t.Fatal("miss")
			}
		}},
		{"Bump", func() {
			if _, ok := tb.Bump(next(), m); !ok {
				t.Fatal("miss")
			}
		}},
		{"FindMiss", func() {
			m.key = n + k
			if _, ok := tb.Find(mix(n+k), m); ok {
				t.Fatal("hit")
			}
		}},
		{"Update", func() {
			if !tb.Update(next(), m, handleOf(k, 1)) {
				t.Fatal("miss")
			}
		}},
		{"Delete+Insert", func() {
			h := next()
			if _, ok := tb.Delete(h, m); !ok {
				t.Fatal("miss")
			}
			tb.Insert(h, handleOf(k, 0))
		}},
		{"InsertNew", func() {
			tb.Insert(mix(n+k), handleOf(n+k, 0))
			k++
		}},
	}
	for _, op := range ops {
		if a := testing.AllocsPerRun(5000, op.fn); a != 0 {
			t.Errorf("%s: %v allocs/op", op.name, a)
		}
	}
	if tb.SegmentCount() != segs {
		t.Fatalf("a presized table split: %d -> %d segments", segs, tb.SegmentCount())
	}
}
