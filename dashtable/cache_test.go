package dashtable

import (
	"math/rand/v2"
	"testing"
)

// position returns the physical bucket and slot of key k, or -1.
func position(t *Table, h hashFunc, k uint64) (bi, i int) {
	m := &keyMatcher{key: k}
	return t.segmentFor(h(k)).find(h(k), m)
}

// fullSegment fills a one-segment table until an insert would have to
// split, with keys from 0 up; it returns the next key.
func fullSegment(tb testing.TB, t *Table) uint64 {
	k := uint64(0)
	for ; ; k++ {
		if t.InsertNoGrow(mix(k), handleOf(k, 0)) {
			// That one needed an eviction: undo it, the segment is full.
			h, _ := t.Overflow()
			m := &keyMatcher{key: keyOf(h)}
			t.Delete(mix(keyOf(h)), m)
			return k + 1
		}
		if t.SegmentCount() != 1 {
			tb.Fatal("InsertNoGrow split")
		}
	}
}

func TestBumpRegular(t *testing.T) {
	tb := New(hashFunc(mix))
	for k := uint64(0); k < 200; k++ {
		tb.Insert(mix(k), handleOf(k, 0))
	}
	moved := 0
	for k := uint64(0); k < 200; k++ {
		bi, i := position(tb, mix, k)
		if bi >= RegularBuckets {
			continue
		}
		prev := uint64(0)
		prevBusy := i > 0 && tb.segs[0].buckets[bi].busy()&(1<<(i-1)) != 0
		if prevBusy {
			prev = tb.segs[0].buckets[bi].slots[i-1]
		}
		m := &keyMatcher{key: k}
		if h, ok := tb.Bump(mix(k), m); !ok || h != handleOf(k, 0) {
			t.Fatalf("Bump(%d) = %x,%v", k, h, ok)
		}
		nbi, ni := position(tb, mix, k)
		want := max(i-1, 0)
		if nbi != bi || ni != want {
			t.Fatalf("key %d at %d/%d moved to %d/%d; want %d/%d", k, bi, i, nbi, ni, bi, want)
		}
		if prevBusy {
			moved++
			if tb.segs[0].buckets[bi].slots[i] != prev {
				t.Fatalf("key %d: the entry it passed is not in slot %d", k, i)
			}
		}
		if err := tb.verify(); err != nil {
			t.Fatal(err)
		}
	}
	if moved == 0 {
		t.Fatal("no bump swapped two entries")
	}
}

func TestStashQueueAndPromotion(t *testing.T) {
	tb := New(hashFunc(mix))
	next := fullSegment(t, tb)
	if err := tb.verify(); err != nil {
		t.Fatal(err)
	}
	s := tb.segs[0]
	// Stash buckets are queues: inserting pushes the front along.
	before := s.buckets[RegularBuckets].slots
	k := next
	for ; ; k++ {
		if bi, _ := tb.segmentFor(mix(k)).find(mix(k), &keyMatcher{key: k}); bi >= 0 {
			continue
		}
		b := homeBucket(mix(k))
		if int(mix(k)>>6)&(StashBuckets-1) == 0 && s.buckets[b].freeSlot() < 0 && s.buckets[neighbour(b)].freeSlot() < 0 {
			break
		}
	}
	if !tb.InsertNoGrow(mix(k), handleOf(k, 0)) {
		t.Fatal("a full segment took an entry without evicting")
	}
	victim, _ := tb.Overflow()
	if victim != before[SlotsPerBucket-1] {
		t.Fatalf("evicted %x; want the last of stash bucket 0, %x", victim, before[SlotsPerBucket-1])
	}
	after := s.buckets[RegularBuckets].slots
	if after[0] != handleOf(k, 0) {
		t.Fatalf("new entry not at the front of the stash bucket")
	}
	for i := 1; i < SlotsPerBucket; i++ {
		if after[i] != before[i-1] {
			t.Fatalf("stash slot %d holds %x; want %x", i, after[i], before[i-1])
		}
	}
	if err := tb.verify(); err != nil {
		t.Fatal(err)
	}
	// A hit in the stash promotes the entry into its home bucket's last
	// slot; that entry takes its place in the stash.
	e := after[5]
	home := int(s.stashHome[5])
	demoted := s.buckets[home].slots[SlotsPerBucket-1]
	if h, ok := tb.Bump(mix(keyOf(e)), &keyMatcher{key: keyOf(e)}); !ok || h != e {
		t.Fatalf("Bump = %x,%v", h, ok)
	}
	if bi, i := position(tb, mix, keyOf(e)); bi != home || i != SlotsPerBucket-1 {
		t.Fatalf("promoted entry at %d/%d; want %d/%d", bi, i, home, SlotsPerBucket-1)
	}
	if bi, i := position(tb, mix, keyOf(demoted)); bi != RegularBuckets || i != 5 {
		t.Fatalf("demoted entry at %d/%d; want %d/5", bi, i, RegularBuckets)
	}
	if err := tb.verify(); err != nil {
		t.Fatal(err)
	}
	// Coldest prefers the stash's last slots.
	if h, ok := tb.Coldest(0); !ok || !func() bool {
		bi, i := position(tb, mix, keyOf(h))
		return bi >= RegularBuckets && i == SlotsPerBucket-1
	}() {
		t.Fatalf("Coldest = %x,%v: not the last slot of a stash bucket", h, ok)
	}
}

// TestCacheKeepsHotKeys runs a cache of one segment that never grows over
// a stream of cold keys while a few hot keys are read all along: the hot
// keys must survive far better than the cold ones.
func TestCacheKeepsHotKeys(t *testing.T) {
	tb := New(hashFunc(mix))
	rng := rand.New(rand.NewPCG(1, 2))
	const hot = 40
	present := map[uint64]bool{}
	m := &keyMatcher{}
	hits, lookups := 0, 0
	for step := 0; step < 40000; step++ {
		var k uint64
		if step%2 == 0 {
			k = rng.Uint64N(hot)
		} else {
			k = hot + uint64(step) // every cold key is new
		}
		m.key = k
		if _, ok := tb.Bump(mix(k), m); ok {
			if k < hot && step > 20000 {
				hits++
			}
		} else {
			if tb.InsertNoGrow(mix(k), handleOf(k, 0)) {
				h, _ := tb.Overflow()
				m.key = keyOf(h)
				tb.Delete(mix(keyOf(h)), m)
				delete(present, keyOf(h))
			}
			present[k] = true
		}
		if k < hot && step > 20000 {
			lookups++
		}
	}
	if tb.SegmentCount() != 1 {
		t.Fatalf("%d segments", tb.SegmentCount())
	}
	if err := tb.verify(); err != nil {
		t.Fatal(err)
	}
	if ratio := float64(hits) / float64(lookups); ratio < 0.95 {
		t.Fatalf("hot keys hit %.3f of the time; want at least 0.95", ratio)
	}
}

// TestCacheModel mixes the cache operations into the model test.
func TestCacheModel(t *testing.T) {
	for _, hs := range hashers {
		t.Run(hs.name, func(t *testing.T) {
			md := newFuzzModel(t, hs.fn, fuzzSpace[0])
			if hs.name != "mix" {
				md.space = 512
			}
			rng := rand.New(rand.NewPCG(7, 8))
			for i := 0; i < scale(20000); i++ {
				k := rng.Uint64N(md.space)
				switch p := rng.IntN(100); {
				case p < 40:
					md.insertNoGrow(k, p%2 == 0)
				case p < 50:
					md.insert(k)
				case p < 70:
					md.bump(k)
				case p < 75:
					md.evictColdest(rng.IntN(64))
				case p < 85:
					md.del(k)
				case p < 95:
					md.scanStep()
				default:
					md.find(k)
				}
				if md.t.Len() != md.n {
					t.Fatalf("op %d: Len = %d; want %d", i, md.t.Len(), md.n)
				}
				if i%1000 == 0 {
					md.verify()
				}
			}
			md.check()
		})
	}
}
