package txn

import (
	"math/rand"
	"testing"
)

// TestLockTableMatchesAModel takes and releases random locks, over few
// fingerprints (so that they collide in the table's slots, whose home is
// the fingerprint's low bits) and many, and checks every holder count
// against a map after each step, across the table's growth and its
// shrinking once empty.
func TestLockTableMatchesAModel(t *testing.T) {
	type counts struct{ shared, excl uint32 }
	rng := rand.New(rand.NewSource(1))
	tab := newLockTable()
	model := map[uint64]counts{}
	var held []Lock
	grew := 0
	fpOf := func(n int) uint64 {
		// Same low bits for neighbours: long probe runs and wrap-arounds.
		return uint64(rng.Intn(n))<<40 | uint64(rng.Intn(8)) | uint64(minLockSlots-4)
	}
	check := func(step int) {
		for fp, c := range model {
			if s, e := tab.holders(fp); s != c.shared || e != c.excl {
				t.Fatalf("step %d: fp %x holders %d/%d, want %d/%d", step, fp, s, e, c.shared, c.excl)
			}
		}
		if tab.used != len(model) {
			t.Fatalf("step %d: %d slots used, %d fingerprints held", step, tab.used, len(model))
		}
	}
	for step := 0; step < 60000; step++ {
		burst := step%20000 < 8000 // grow the table, then drain it
		if len(held) == 0 || (burst && rng.Intn(3) > 0) || (!burst && rng.Intn(3) == 0) {
			l := Lock{FP: fpOf(1 + step%2000), Mode: Mode(rng.Intn(2))}
			tab.acquire([]Lock{l}, false, 0)
			c := model[l.FP]
			if l.Mode == Exclusive {
				c.excl++
			} else {
				c.shared++
			}
			model[l.FP] = c
			held = append(held, l)
		} else {
			k := rng.Intn(len(held))
			l := held[k]
			held[k] = held[len(held)-1]
			held = held[:len(held)-1]
			tab.release([]Lock{l}, false, 0)
			c := model[l.FP]
			if l.Mode == Exclusive {
				c.excl--
			} else {
				c.shared--
			}
			if c.shared+c.excl == 0 {
				delete(model, l.FP)
			} else {
				model[l.FP] = c
			}
		}
		if step%499 == 0 || len(model) < 40 {
			check(step)
		}
		grew = max(grew, len(tab.slots))
		if len(held) == 0 && len(tab.slots) > maxIdleLockSlots {
			t.Fatalf("step %d: an empty table kept %d slots", step, len(tab.slots))
		}
	}
	check(-1)
	if grew <= maxIdleLockSlots {
		t.Fatalf("the table grew to %d slots only: its shrinking went untested", grew)
	}
}

// TestLockTableDoesNotAllocate: taking and releasing locks within the
// table's size allocates nothing.
func TestLockTableDoesNotAllocate(t *testing.T) {
	tab := newLockTable()
	locks := make([]Lock, 20)
	for i := range locks {
		locks[i] = Lock{FP: uint64(i) * 0x9E3779B97F4A7C15, Mode: Mode(i % 2)}
	}
	if n := testing.AllocsPerRun(100, func() {
		tab.acquire(locks, false, 0)
		if tab.free(locks, false, 0) {
			t.Fatal("held locks reported free")
		}
		tab.release(locks, false, 0)
	}); n != 0 {
		t.Fatalf("%v allocations per round", n)
	}
}
