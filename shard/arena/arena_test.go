package arena

import (
	"math/rand"
	"testing"
)

func TestClassesCoverAllSizes(t *testing.T) {
	for n := 1; n <= MaxCellSize; n++ {
		if c := CellSize(n); c < n {
			t.Fatalf("CellSize(%d) = %d", n, c)
		}
	}
	if len(classSizes) > 255 {
		t.Fatalf("too many classes: %d", len(classSizes))
	}
}

// TestModel allocates, writes, frees at random and checks that every live
// cell keeps its own content.
func TestModel(t *testing.T) {
	a := New()
	rng := rand.New(rand.NewSource(1))
	live := map[Handle][]byte{}
	for i := 0; i < 200000; i++ {
		if rng.Intn(3) > 0 || len(live) == 0 {
			n := 1 + rng.Intn(300)
			if rng.Intn(500) == 0 {
				n = MaxCellSize + rng.Intn(1000)
			}
			h, b := a.Alloc(n)
			if h == NoHandle {
				t.Fatal("NoHandle returned")
			}
			if _, dup := live[h]; dup {
				t.Fatalf("handle %x handed out twice", h)
			}
			for j := range b {
				b[j] = byte(rng.Intn(256))
			}
			live[h] = append([]byte(nil), b...)
		} else {
			for h := range live {
				a.Free(h)
				delete(live, h)
				break
			}
		}
	}
	var used int64
	for h, want := range live {
		got := a.Bytes(h)[:len(want)]
		if string(got) != string(want) {
			t.Fatalf("handle %x content changed", h)
		}
		used += int64(a.Size(h))
	}
	if used != a.Used() {
		t.Fatalf("Used() = %d, want %d", a.Used(), used)
	}
	if a.SharedReserved() != a.Reserved() {
		t.Fatalf("SharedReserved() = %d, Reserved() = %d", a.SharedReserved(), a.Reserved())
	}
	a.Reset()
	if a.SharedReserved() != 0 || a.Reserved() != 0 || a.Used() != 0 {
		t.Fatalf("after Reset: SharedReserved %d, Reserved %d, Used %d", a.SharedReserved(), a.Reserved(), a.Used())
	}
}

func TestAllocDoesNotAllocateSteadyState(t *testing.T) {
	a := New()
	h, _ := a.Alloc(64)
	a.Free(h)
	allocs := testing.AllocsPerRun(1000, func() {
		h, _ := a.Alloc(64)
		a.Free(h)
	})
	if allocs != 0 {
		t.Fatalf("allocs = %v", allocs)
	}
}

func BenchmarkAllocFree(b *testing.B) {
	a := New()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		h, _ := a.Alloc(40 + i&63)
		a.Free(h)
	}
}
