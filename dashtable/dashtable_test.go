package dashtable

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"unsafe"
)

// Test handles pack a key (high 56 bits) and a version byte, so that Update
// has something to change while the Matcher and Hasher still see the key.
func handleOf(key uint64, ver uint8) uint64 { return key<<8 | uint64(ver) }
func keyOf(h uint64) uint64                 { return h >> 8 }

// keyMatcher accepts the handle whose key is key.
type keyMatcher struct{ key uint64 }

func (m *keyMatcher) Match(h uint64) bool { return keyOf(h) == m.key }

// hashFunc hashes a key; as a Hasher it hashes the key inside a handle.
type hashFunc func(key uint64) uint64

func (f hashFunc) Hash(h uint64) uint64 { return f(keyOf(h)) }

// mix is the splitmix64 finalizer: a deterministic, well-mixed hash.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// The hashers below degrade the hash in different ways.
var hashers = []struct {
	name string
	fn   hashFunc
	// keys bounds the key space for the model test (degenerate hashers
	// make some operations O(n)).
	keys uint64
}{
	{"mix", mix, 1 << 16},
	// Four values for bits 0..31: all entries of a segment share at most
	// four (fingerprint, home bucket) pairs, so buckets, neighbours, stash
	// hints and the overflow counters all saturate, and most lookups call
	// the Matcher on fingerprint collisions. Prefix bits stay random, so
	// splits still help.
	{"fp-bucket-collide", func(k uint64) uint64 {
		lows := [4]uint64{0x00000000, 0x000001aa, 0x00ffff01, 0xffffffaa}
		return mix(k)&^0xffffffff | lows[mix(k^0x5555)%4]
	}, 1 << 14},
	// Full 64-bit collisions: only 7 distinct hashes. Splits cannot
	// separate them, so most entries land in the overflow list.
	{"full-collide", func(k uint64) uint64 { return mix(k % 7) }, 1 << 10},
	// Prefix bits all zero: one segment forever, everything beyond it in
	// the overflow list.
	{"no-prefix", func(k uint64) uint64 { return mix(k) & 0xffffffff }, 1 << 11},
}

// model drives a Table and a map through the same random operations.
type model struct {
	tb   testing.TB
	t    *Table
	h    hashFunc
	m    map[uint64]uint64 // key -> handle
	keys []uint64          // keys of m, for picking a present key
	idx  map[uint64]int    // key -> index in keys
	rng  *rand.Rand
	mt   keyMatcher

	// The traversal in progress: throughout holds the keys present when it
	// started and not deleted since; each must be seen before it ends.
	scanning   bool
	cursor     uint64
	throughout map[uint64]bool
	seen       map[uint64]bool
	scans      int // completed traversals
}

func newModel(tb testing.TB, h hashFunc, seed uint64) *model {
	return &model{
		tb: tb, t: New(h), h: h,
		m: map[uint64]uint64{}, idx: map[uint64]int{},
		rng: rand.New(rand.NewPCG(seed, seed^0xdead)),
	}
}

func (md *model) find(k uint64) {
	md.mt.key = k
	got, ok := md.t.Find(md.h(k), &md.mt)
	want, wok := md.m[k]
	if ok != wok || got != want {
		md.tb.Fatalf("Find(%d) = %x,%v; want %x,%v", k, got, ok, want, wok)
	}
}

func (md *model) insert(k uint64) {
	if _, ok := md.m[k]; ok {
		md.find(k)
		return
	}
	h := handleOf(k, 0)
	md.t.Insert(md.h(k), h)
	md.m[k] = h
	md.idx[k] = len(md.keys)
	md.keys = append(md.keys, k)
}

func (md *model) del(k uint64) {
	md.mt.key = k
	got, ok := md.t.Delete(md.h(k), &md.mt)
	want, wok := md.m[k]
	if ok != wok || got != want {
		md.tb.Fatalf("Delete(%d) = %x,%v; want %x,%v", k, got, ok, want, wok)
	}
	if !wok {
		return
	}
	delete(md.m, k)
	i := md.idx[k]
	last := md.keys[len(md.keys)-1]
	md.keys[i] = last
	md.idx[last] = i
	md.keys = md.keys[:len(md.keys)-1]
	delete(md.idx, k)
	delete(md.throughout, k)
}

func (md *model) update(k uint64) {
	md.mt.key = k
	old, wok := md.m[k]
	nh := handleOf(k, uint8(old)+1)
	if ok := md.t.Update(md.h(k), &md.mt, nh); ok != wok {
		md.tb.Fatalf("Update(%d) = %v; want %v", k, ok, wok)
	}
	if wok {
		md.m[k] = nh
	}
}

func (md *model) random() {
	h, ok := md.t.Random(md.rng.Uint64())
	if ok != (len(md.m) > 0) {
		md.tb.Fatalf("Random ok=%v with %d entries", ok, len(md.m))
	}
	if ok && md.m[keyOf(h)] != h {
		md.tb.Fatalf("Random returned %x, not in the table", h)
	}
}

// scanStep advances the traversal in progress by one logical bucket,
// starting one if none is.
func (md *model) scanStep() {
	if !md.scanning {
		md.scanning, md.cursor = true, 0
		md.throughout = make(map[uint64]bool, len(md.m))
		for k := range md.m {
			md.throughout[k] = true
		}
		md.seen = map[uint64]bool{}
	}
	md.cursor = md.t.Scan(md.cursor, func(h uint64) {
		if md.m[keyOf(h)] != h {
			md.tb.Fatalf("Scan visited %x, not in the table", h)
		}
		md.seen[keyOf(h)] = true
	})
	if md.cursor>>48 != 0 {
		md.tb.Fatalf("cursor %x wider than 48 bits", md.cursor)
	}
	if md.cursor != 0 {
		return
	}
	for k := range md.throughout {
		if !md.seen[k] {
			md.tb.Fatalf("Scan missed key %d, present for the whole traversal", k)
		}
	}
	md.scanning = false
	md.scans++
}

// clear empties both sides and abandons the traversal in progress.
func (md *model) clear() {
	md.t.Clear()
	md.m, md.idx, md.keys = map[uint64]uint64{}, map[uint64]int{}, nil
	md.scanning = false
}

func (md *model) check() {
	if md.t.Len() != len(md.m) {
		md.tb.Fatalf("Len = %d; want %d", md.t.Len(), len(md.m))
	}
	if err := md.t.verify(); err != nil {
		md.tb.Fatal(err)
	}
	n := 0
	md.t.ForEach(func(h uint64) bool {
		if md.m[keyOf(h)] != h {
			md.tb.Fatalf("ForEach visited %x, not in the table", h)
		}
		n++
		return true
	})
	if n != len(md.m) {
		md.tb.Fatalf("ForEach visited %d entries; want %d", n, len(md.m))
	}
}

// run performs ops random operations over keys [0, space). The insert/delete
// mix alternates between growing and shrinking phases so that the table is
// exercised at many sizes, with splits while entries come and go.
func (md *model) run(ops int, space uint64, verifyEvery int) {
	pickPresent := func() uint64 {
		if len(md.keys) == 0 {
			return md.rng.Uint64N(space)
		}
		return md.keys[md.rng.IntN(len(md.keys))]
	}
	for i := 0; i < ops; i++ {
		grow := (i*7/ops)%2 == 0 // seven phases, ending with growth
		p := md.rng.IntN(100)
		insertPct, deletePct := 55, 15
		if !grow {
			insertPct, deletePct = 15, 55
		}
		switch {
		case p < insertPct:
			md.insert(md.rng.Uint64N(space))
		case p < insertPct+deletePct:
			if p%5 == 0 {
				md.del(md.rng.Uint64N(space)) // often absent
			} else {
				md.del(pickPresent())
			}
		case p < insertPct+deletePct+12:
			if p%2 == 0 {
				md.find(pickPresent())
			} else {
				md.find(md.rng.Uint64N(space) + space) // absent
			}
		case p < insertPct+deletePct+20:
			md.update(pickPresent())
		case p < insertPct+deletePct+28:
			md.scanStep()
		default:
			md.random()
		}
		if md.t.Len() != len(md.m) {
			md.tb.Fatalf("op %d: Len = %d; want %d", i, md.t.Len(), len(md.m))
		}
		if verifyEvery > 0 && i%verifyEvery == 0 {
			md.check()
		}
	}
	md.check()
}

// scale shrinks work under -short and -race.
func scale(n int) int {
	if raceEnabled {
		n /= 8
	}
	if testing.Short() {
		n /= 4
	}
	return max(n, 1000)
}

func TestModel(t *testing.T) {
	for _, hs := range hashers {
		t.Run(hs.name, func(t *testing.T) {
			ops := 3_000_000
			if hs.keys < 1<<16 {
				ops = 1_000_000
			}
			md := newModel(t, hs.fn, 1)
			md.run(scale(ops), hs.keys, 20_000)
			t.Logf("%d ops: %d entries, %d segments, %d overflow, %d traversals",
				scale(ops), md.t.Len(), md.t.SegmentCount(), len(md.t.ovf), md.scans)
		})
	}
}

// TestModelLarge grows to a few hundred thousand keys, so directory doubling
// and deep splits run against the model.
func TestModelLarge(t *testing.T) {
	md := newModel(t, mix, 7)
	n := scale(400_000)
	for i := 0; i < n; i++ {
		md.insert(md.rng.Uint64N(1 << 40))
	}
	md.check()
	md.run(scale(1_000_000), 1<<40, 0)
	for _, k := range append([]uint64(nil), md.keys...) {
		md.del(k)
	}
	md.check()
	if md.t.Len() != 0 {
		t.Fatalf("Len = %d after deleting everything", md.t.Len())
	}
}

// TestScanDuringGrowth inserts between Scan calls so that segments split and
// the directory doubles under the cursor; every key present from start to end
// must still be visited.
func TestScanDuringGrowth(t *testing.T) {
	for _, hs := range hashers[:2] {
		t.Run(hs.name, func(t *testing.T) {
			tb := New(hs.fn)
			const initial = 5000
			for k := uint64(0); k < initial; k++ {
				tb.Insert(hs.fn(k), handleOf(k, 0))
			}
			segs0, depth0 := tb.SegmentCount(), tb.depth
			// With k inserts per logical bucket visited and E entries per
			// segment, the table grows by a factor of about exp(56k/E)
			// while the traversal runs: aim for exp(2) ~ 7x. (Much faster
			// growth and the traversal never catches up.)
			perStep := max(1, 2*initial/segs0/RegularBuckets)
			seen := map[uint64]int{}
			next := uint64(initial)
			cursor, steps := uint64(0), 0
			for {
				cursor = tb.Scan(cursor, func(h uint64) { seen[keyOf(h)]++ })
				steps++
				if cursor == 0 {
					break
				}
				for j := 0; j < perStep; j++ {
					tb.Insert(hs.fn(next), handleOf(next, 0))
					next++
				}
			}
			for k := uint64(0); k < initial; k++ {
				if seen[k] == 0 {
					t.Fatalf("key %d present throughout but not visited", k)
				}
			}
			dups := 0
			for _, c := range seen {
				dups += c - 1
			}
			if tb.SegmentCount() < 4*segs0 || tb.depth <= depth0 {
				t.Fatalf("table did not grow enough: %d -> %d segments", segs0, tb.SegmentCount())
			}
			t.Logf("%d steps, segments %d -> %d, depth %d -> %d, %d entries, %d visits, %d duplicates",
				steps, segs0, tb.SegmentCount(), depth0, tb.depth, tb.Len(), len(seen), dups)
			if err := tb.verify(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestScanStable checks that a traversal of an unchanging table visits each
// entry exactly once and that Scan of an empty table terminates.
func TestScanStable(t *testing.T) {
	tb := New(hashFunc(mix))
	steps := 0
	for c := tb.Scan(0, func(uint64) { t.Fatal("visited an entry of an empty table") }); c != 0; c = tb.Scan(c, func(uint64) {}) {
		steps++
	}
	if steps != RegularBuckets-1 {
		t.Fatalf("empty table: %d steps", steps)
	}
	const n = 100_000
	for k := uint64(0); k < n; k++ {
		tb.Insert(mix(k), handleOf(k, 0))
	}
	seen := make([]int, n)
	c := uint64(0)
	for {
		c = tb.Scan(c, func(h uint64) { seen[keyOf(h)]++ })
		if c == 0 {
			break
		}
	}
	for k, v := range seen {
		if v != 1 {
			t.Fatalf("key %d visited %d times", k, v)
		}
	}
	// Garbage cursors end or continue the traversal without panicking.
	for _, c := range []uint64{1 << 40, 1<<48 - 1, 0xff, 57, 0xffffffff << 8} {
		tb.Scan(c, func(uint64) {})
	}
}

// TestScanAfterClear uses a cursor from a deep table on a fresh one.
func TestScanAfterClear(t *testing.T) {
	tb := New(hashFunc(mix))
	for k := uint64(0); k < 50_000; k++ {
		tb.Insert(mix(k), handleOf(k, 0))
	}
	c := uint64(0)
	for i := 0; i < 1000; i++ {
		c = tb.Scan(c, func(uint64) {})
	}
	tb.Clear()
	for k := uint64(0); k < 300; k++ {
		tb.Insert(mix(k), handleOf(k, 0))
	}
	for i := 0; c != 0; i++ {
		if i > RegularBuckets {
			t.Fatal("stale cursor did not finish")
		}
		c = tb.Scan(c, func(h uint64) {
			if keyOf(h) >= 300 {
				t.Fatalf("visited %x after Clear", h)
			}
		})
	}
}

func TestRandom(t *testing.T) {
	tb := New(hashFunc(mix))
	if _, ok := tb.Random(1); ok {
		t.Fatal("Random on an empty table")
	}
	const n = 2000
	for k := uint64(0); k < n; k++ {
		tb.Insert(mix(k), handleOf(k, 0))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	hits := make([]int, n)
	for i := 0; i < 200*n; i++ {
		h, ok := tb.Random(rng.Uint64())
		if !ok || keyOf(h) >= n {
			t.Fatalf("Random = %x,%v", h, ok)
		}
		hits[keyOf(h)]++
	}
	lo, hi := hits[0], hits[0]
	for _, c := range hits {
		lo, hi = min(lo, c), max(hi, c)
	}
	// Binomial(400000, 1/2000): sd ~ 14, so a uniform pick stays well
	// inside [100, 320].
	if lo < 100 || hi > 320 {
		t.Fatalf("picks per entry: min %d, max %d; want ~200", lo, hi)
	}
	t.Logf("picks per entry: min %d max %d (mean 200)", lo, hi)
}

func TestReserve(t *testing.T) {
	tb := New(hashFunc(mix))
	for k := uint64(0); k < 1000; k++ {
		tb.Insert(mix(k), handleOf(k, 0))
	}
	const n = 200_000
	tb.Reserve(n)
	if err := tb.verify(); err != nil {
		t.Fatal(err)
	}
	segs := tb.SegmentCount()
	for k := uint64(1000); k < n; k++ {
		tb.Insert(mix(k), handleOf(k, 0))
	}
	if err := tb.verify(); err != nil {
		t.Fatal(err)
	}
	t.Logf("Reserve(%d): %d segments, %d after inserting (load %.2f)", n, segs, tb.SegmentCount(),
		float64(n)/float64(tb.SegmentCount()*slotsPerSegment))
	if tb.SegmentCount() > segs*11/10 {
		t.Fatalf("%d segments after Reserve, %d after inserting", segs, tb.SegmentCount())
	}
}

func TestClearAndMemory(t *testing.T) {
	tb := New(hashFunc(mix))
	empty := tb.MemoryUsage()
	for k := uint64(0); k < 100_000; k++ {
		tb.Insert(mix(k), handleOf(k, 0))
	}
	full := tb.MemoryUsage()
	perEntry := float64(full) / 100_000
	t.Logf("empty %d B, 100k entries %d B (%.1f B/entry, %d segments, load %.2f)", empty, full, perEntry,
		tb.SegmentCount(), 100_000/float64(tb.SegmentCount()*slotsPerSegment))
	if perEntry > 24 {
		t.Fatalf("%.1f bytes per entry", perEntry)
	}
	tb.Clear()
	if tb.Len() != 0 || tb.SegmentCount() != 1 || tb.MemoryUsage() != empty {
		t.Fatalf("after Clear: len %d, %d segments, %d B", tb.Len(), tb.SegmentCount(), tb.MemoryUsage())
	}
	if err := tb.verify(); err != nil {
		t.Fatal(err)
	}
}

// TestSWAR checks the fingerprint matcher against a plain loop.
func TestSWAR(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 0; n < 100_000; n++ {
		var bk bucket
		vals := []uint8{0, 1, 0x7f, 0x80, 0xff, uint8(rng.Uint32())}
		for i := 0; i < SlotsPerBucket; i++ {
			if rng.IntN(4) != 0 {
				bk.fill(i, vals[rng.IntN(len(vals))], 1)
			}
		}
		if rng.IntN(2) == 0 {
			bk.meta[1] |= stashedBit // must not show up as a match
		}
		f := vals[rng.IntN(len(vals))]
		var want uint16
		for i := 0; i < SlotsPerBucket; i++ {
			if bk.busy()&(1<<i) != 0 && bk.fpAt(i) == f {
				want |= 1 << i
			}
		}
		if got := bk.match(f); got != want {
			t.Fatalf("match(%x) over %x = %x; want %x", f, bk.meta, got, want)
		}
	}
}

// TestHasherMismatch: a Hasher that disagrees with Insert is a caller bug
// that must be reported at the next split, not silently corrupt the table.
func TestHasherMismatch(t *testing.T) {
	tb := New(hashFunc(func(k uint64) uint64 { return mix(k) + 1 }))
	defer func() {
		if r := recover(); r == nil || fmt.Sprint(r)[:4] != "BUG:" {
			t.Fatalf("recover() = %v", r)
		}
	}()
	for k := uint64(0); k < 10_000; k++ {
		tb.Insert(mix(k), handleOf(k, 0))
	}
}

// TestLoadFactor records how full segments are when they split, which sets
// the memory per entry.
func TestLoadFactor(t *testing.T) {
	tb := New(hashFunc(mix))
	var fills []int
	segs := 1
	for k := uint64(0); k < 300_000; k++ {
		s := tb.segmentFor(mix(k))
		before := int(s.count)
		tb.Insert(mix(k), handleOf(k, 0))
		if tb.SegmentCount() != segs {
			segs = tb.SegmentCount()
			fills = append(fills, before)
		}
	}
	sum := 0
	for _, f := range fills {
		sum += f
	}
	avg := float64(sum) / float64(len(fills)) / slotsPerSegment
	t.Logf("%d splits, mean fill at split %.3f; final load %.3f", len(fills), avg,
		float64(tb.Len())/float64(tb.SegmentCount()*slotsPerSegment))
	if avg < 0.7 {
		t.Fatalf("segments split at %.2f full", avg)
	}
}

// TestLayout pins the memory layout that doc.go promises: 128-byte buckets,
// aligned to 128 in every allocated segment, and the allocation size that
// MemoryUsage charges per segment.
func TestLayout(t *testing.T) {
	if s := unsafe.Sizeof(bucket{}); s != 128 {
		t.Fatalf("bucket is %d bytes", s)
	}
	if s := unsafe.Sizeof(segment{}); s > segmentAllocSize || s <= segmentAllocSize*7/8 {
		t.Fatalf("segment is %d bytes; segmentAllocSize %d", s, segmentAllocSize)
	}
	if unsafe.Offsetof(segment{}.buckets) != 0 {
		t.Fatal("buckets must start the segment")
	}
	segs := make([]*segment, 1000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range segs {
		segs[i] = new(segment)
	}
	runtime.ReadMemStats(&after)
	for _, s := range segs {
		if p := uintptr(unsafe.Pointer(&s.buckets[0])); p%128 != 0 {
			t.Fatalf("bucket at %#x is not 128-byte aligned", p)
		}
	}
	per := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(segs))
	if per < segmentAllocSize || per > segmentAllocSize*1.01 {
		t.Fatalf("a segment allocates %.0f bytes; segmentAllocSize is %d", per, segmentAllocSize)
	}
	runtime.KeepAlive(segs)

	// Slabs: whole pages, every bucket aligned, and what MemoryUsage
	// charges is what the runtime allocated.
	if unsafe.Sizeof(segment{})%128 != 0 || slabBytes%8192 != 0 {
		t.Fatalf("segment %d bytes, slab %d bytes", unsafe.Sizeof(segment{}), slabBytes)
	}
	runtime.GC()
	runtime.ReadMemStats(&before)
	tb := New(hashFunc(mix))
	for k := uint64(1); tb.SegmentCount() < 4*slabSegments; k++ {
		tb.Insert(mix(k), handleOf(k, 0))
	}
	runtime.ReadMemStats(&after)
	if tb.slabs == 0 {
		t.Fatal("no slab allocated")
	}
	for _, s := range tb.segs {
		if p := uintptr(unsafe.Pointer(&s.buckets[0])); p%128 != 0 {
			t.Fatalf("bucket at %#x is not 128-byte aligned", p)
		}
	}
	segBytes := min(tb.SegmentCount(), slabSegments)*segmentAllocSize + tb.slabs*slabBytes
	if got := int(after.TotalAlloc - before.TotalAlloc); got < segBytes || got > segBytes+64<<10 { // the rest: the directory and the segs slice as they grew
		t.Fatalf("growing to %d segments allocated %d bytes; the segments are charged %d", tb.SegmentCount(), got, segBytes)
	}
	if err := tb.verify(); err != nil {
		t.Fatal(err)
	}
}

// TestDirectoryBound feeds hashes crafted to defeat extendible hashing: all
// share one home bucket and fingerprint, most share every prefix bit, and
// key j < 32 differs only in prefix bit j, so each split moves exactly one
// competing entry and the next insert needs a split one bit deeper. Without
// a bound the directory would reach 2^32 slots.
func TestDirectoryBound(t *testing.T) {
	h := hashFunc(func(k uint64) uint64 {
		const low = 0x00123456 // same home bucket and fingerprint for all
		if k < 32 {
			return 1<<(63-k) | low
		}
		return low
	})
	tb := New(h)
	m := &keyMatcher{}
	const n = 32 + 84 + 200
	for k := uint64(0); k < n; k++ {
		tb.Insert(h(k), handleOf(k, 0))
		if len(tb.dir) > maxDirPerSegment*len(tb.segs) {
			t.Fatalf("after %d inserts: directory %d for %d segments", k+1, len(tb.dir), len(tb.segs))
		}
	}
	for k := uint64(0); k < n; k++ {
		m.key = k
		if got, ok := tb.Find(h(k), m); !ok || got != handleOf(k, 0) {
			t.Fatalf("Find(%d) = %x,%v", k, got, ok)
		}
	}
	if err := tb.verify(); err != nil {
		t.Fatal(err)
	}
	t.Logf("depth %d, %d segments, %d in overflow", tb.depth, len(tb.segs), len(tb.ovf))
}
