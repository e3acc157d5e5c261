package dashtable

import (
	"math/rand/v2"
	"testing"
)

// TestSnapshotPointInTime runs random inserts, deletes and updates (which
// grow the table by splits, and with degenerate hashers fill the overflow
// list) while a snapshot walks the table a few buckets at a time. The
// handles the snapshot receives must be exactly those present when it
// began, each once, whatever happened to them since. With cache, inserts
// are half the time cache mode's InsertNoGrow (its victim deleted at once or
// later) and lookups bump entries.
func TestSnapshotPointInTime(t *testing.T) {
	for _, cache := range []bool{false, true} {
		for _, hs := range hashers {
			name := hs.name
			if cache {
				name += "-cache"
			}
			t.Run(name, func(t *testing.T) { snapshotPointInTime(t, hs.fn, hs.keys, cache) })
		}
	}
	// Enough keys that the table grows past slabSegments while snapshots
	// run, so segments from slabs split and are handed over too.
	t.Run("mix-slabs", func(t *testing.T) {
		tab := snapshotPointInTime(t, mix, 1<<18, false)
		if tab.slabs == 0 {
			t.Fatalf("%d segments: no slab", tab.SegmentCount())
		}
	})
}

func snapshotPointInTime(t *testing.T, fn hashFunc, keys uint64, cache bool) *Table {
	rng := rand.New(rand.NewPCG(1, 2))
	tab := New(fn)
	live := map[uint64]uint64{} // key -> handle
	var mt keyMatcher
	ver := uint8(0)
	op := func() {
		k := rng.Uint64N(keys)
		mt.key = k
		h, ok := live[k]
		switch r := rng.IntN(10); {
		case !ok:
			ver++
			nh := handleOf(k, ver)
			if cache && r < 5 {
				if tab.InsertNoGrow(fn(k), nh) && r < 3 {
					vh, _ := tab.Overflow()
					mt.key = keyOf(vh)
					if _, ok := tab.Delete(fn(keyOf(vh)), &mt); !ok {
						t.Fatalf("evicted key %d missing", keyOf(vh))
					}
					delete(live, keyOf(vh))
				}
			} else {
				tab.Insert(fn(k), nh)
			}
			live[k] = nh
		case cache && r < 6:
			if got, ok := tab.Bump(fn(k), &mt); !ok || got != h {
				t.Fatalf("Bump(%d) = %x,%v; want %x", k, got, ok, h)
			}
		case r < 3:
			if _, ok := tab.Delete(fn(k), &mt); !ok {
				t.Fatalf("key %d missing", k)
			}
			delete(live, k)
		default:
			ver++
			tab.SnapshotEntry(fn(k), &mt)
			if !tab.Update(fn(k), &mt, handleOf(k, ver)) {
				t.Fatalf("key %d missing", k)
			}
			_ = h
			live[k] = handleOf(k, ver)
		}
	}
	for range int(keys) / 2 {
		op()
	}
	for epoch := uint64(1); epoch <= 3; epoch++ {
		want := map[uint64]bool{}
		for _, h := range live {
			want[h] = true
		}
		got := map[uint64]int{}
		tab.StartSnapshot(func(seg, b int) {
			tab.VisitBucket(seg, b, func(h uint64) { got[h]++ })
		})
		seg, b := 0, 0
		for seg >= 0 {
			// Walk a few buckets, then change the table.
			for range 3 {
				if seg >= tab.SegmentCount() {
					tab.SnapshotBucket(-1, 0)
					seg = -1
					break
				}
				tab.SnapshotBucket(seg, b)
				if b++; b == BucketsPerSegment {
					seg, b = seg+1, 0
				}
			}
			for range 20 {
				op()
			}
			if rng.IntN(500) == 0 {
				if err := tab.verify(); err != nil {
					t.Fatalf("epoch %d, during the walk: %v", epoch, err)
				}
			}
		}
		tab.EndSnapshot()
		for h, n := range got {
			if n != 1 {
				t.Fatalf("epoch %d: handle %x handed over %d times", epoch, h, n)
			}
			if !want[h] {
				t.Fatalf("epoch %d: handle %x was not in the table at the start", epoch, h)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("epoch %d: %d handles handed over, %d were present", epoch, len(got), len(want))
		}
		if err := tab.verify(); err != nil {
			t.Fatal(err)
		}
	}
	return tab
}
