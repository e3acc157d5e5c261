package shard

import (
	"math/rand/v2"
	"testing"
)

// modelHasher gives handle h the hash h%buckets, so that small bucket
// counts force equal hashes.
type modelHasher struct {
	buckets uint64
	want    uint64
}

func (m *modelHasher) Hash(h uint64) uint64 { return h % m.buckets }
func (m *modelHasher) Match(h uint64) bool  { return h == m.want }

// TestMemberIndexModel checks the index against a map under random inserts,
// updates, deletes and clears, across the move from the sorted slice to the
// dash table, with colliding hashes.
func TestMemberIndexModel(t *testing.T) {
	for _, buckets := range []uint64{7, 1000, 1 << 40} {
		rng := rand.New(rand.NewPCG(1, buckets))
		m := &modelHasher{buckets: buckets}
		x := newMemberIndex(m)
		model := map[uint64]bool{}
		for step := 0; step < 20000; step++ {
			h := rng.Uint64N(700) + 1
			m.want = h
			switch op := rng.IntN(100); {
			case op < 55:
				if !model[h] {
					x.Insert(m.Hash(h), h)
					model[h] = true
				}
			case op < 95:
				got, ok := x.Delete(m.Hash(h), m)
				if ok != model[h] || (ok && got != h) {
					t.Fatalf("buckets %d step %d: Delete(%d) = %d, %v; model %v", buckets, step, h, got, ok, model[h])
				}
				delete(model, h)
			case op < 99:
				if ok := x.Update(m.Hash(h), m, h); ok != model[h] {
					t.Fatalf("Update(%d) = %v; model %v", h, ok, model[h])
				}
			default:
				x.Clear()
				clear(model)
			}
			if _, ok := x.Find(m.Hash(h), m); ok != model[h] {
				t.Fatalf("buckets %d step %d: Find(%d) = %v; model %v", buckets, step, h, ok, model[h])
			}
			if x.Len() != len(model) {
				t.Fatalf("Len %d, model %d", x.Len(), len(model))
			}
			if step%997 == 0 {
				checkMemberIndexWalks(t, &x, model)
			}
		}
		checkMemberIndexWalks(t, &x, model)
	}
}

// checkMemberIndexWalks checks that ForEach and a whole Scan see every entry
// and Random returns entries.
func checkMemberIndexWalks(t *testing.T, x *memberIndex, model map[uint64]bool) {
	t.Helper()
	seen := map[uint64]bool{}
	x.ForEach(func(h uint64) bool { seen[h] = true; return true })
	if len(seen) != len(model) {
		t.Fatalf("ForEach saw %d, model %d", len(seen), len(model))
	}
	scanned := map[uint64]bool{}
	for c := x.Scan(0, func(h uint64) { scanned[h] = true }); c != 0; {
		c = x.Scan(c, func(h uint64) { scanned[h] = true })
	}
	for h := range model {
		if !scanned[h] {
			t.Fatalf("Scan missed %d", h)
		}
	}
	if h, ok := x.Random(rand.Uint64()); ok != (len(model) > 0) || (ok && !model[h]) {
		t.Fatalf("Random = %d, %v", h, ok)
	}
}

// TestMemberIndexSmallAllocs: a lookup in either form allocates nothing.
func TestMemberIndexSmallAllocs(t *testing.T) {
	for _, n := range []int{10, memberIndexSmall + 10} {
		m := &modelHasher{buckets: 1 << 40}
		x := newMemberIndex(m)
		for h := uint64(1); h <= uint64(n); h++ {
			x.Insert(m.Hash(h), h)
		}
		m.want = 5
		if a := testing.AllocsPerRun(100, func() { x.Find(m.Hash(5), m) }); a != 0 {
			t.Errorf("%d entries: Find allocates %.1f", n, a)
		}
	}
}
