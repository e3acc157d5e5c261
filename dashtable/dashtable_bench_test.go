package dashtable

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"
)

// Benchmarks compare the table with Go's map[uint64]uint64 on 1M random keys.
// The table stores handle == key; its Matcher compares the handle with the
// key (as a caller comparing key bytes in its arena would, minus the arena
// access) and its hash is the splitmix64 finalizer, computed per operation
// just as the map hashes internally.

const benchN = 1 << 20

// benchMatcher accepts handle == key.
type benchMatcher struct{ key uint64 }

func (m *benchMatcher) Match(h uint64) bool { return h == m.key }

type benchHasher struct{}

func (benchHasher) Hash(h uint64) uint64 { return mix(h) }

var benchKeys = func() []uint64 {
	r := rand.New(rand.NewPCG(11, 12))
	k := make([]uint64, benchN)
	for i := range k {
		k[i] = r.Uint64()
	}
	return k
}()

func filledTable() *Table {
	t := New(benchHasher{})
	for _, k := range benchKeys {
		t.Insert(mix(k), k)
	}
	return t
}

func filledMap() map[uint64]uint64 {
	m := make(map[uint64]uint64)
	for _, k := range benchKeys {
		m[k] = k
	}
	return m
}

// BenchmarkInsert inserts 1M keys into a table that starts empty (so the
// cost of splits, or of map growth, is included), then starts over.
func BenchmarkInsert(b *testing.B) {
	b.Run("dashtable", func(b *testing.B) {
		b.ReportAllocs()
		var t *Table
		for i := 0; i < b.N; i++ {
			k := i % benchN
			if k == 0 {
				t = New(benchHasher{})
			}
			t.Insert(mix(benchKeys[k]), benchKeys[k])
		}
	})
	b.Run("map", func(b *testing.B) {
		b.ReportAllocs()
		var m map[uint64]uint64
		for i := 0; i < b.N; i++ {
			k := i % benchN
			if k == 0 {
				m = make(map[uint64]uint64)
			}
			m[benchKeys[k]] = benchKeys[k]
		}
	})
	b.Run("dashtable-presized", func(b *testing.B) {
		b.ReportAllocs()
		var t *Table
		for i := 0; i < b.N; i++ {
			k := i % benchN
			if k == 0 {
				b.StopTimer()
				t = New(benchHasher{})
				t.Reserve(benchN)
				b.StartTimer()
			}
			t.Insert(mix(benchKeys[k]), benchKeys[k])
		}
	})
	b.Run("map-presized", func(b *testing.B) {
		b.ReportAllocs()
		var m map[uint64]uint64
		for i := 0; i < b.N; i++ {
			k := i % benchN
			if k == 0 {
				b.StopTimer()
				m = make(map[uint64]uint64, benchN)
				b.StartTimer()
			}
			m[benchKeys[k]] = benchKeys[k]
		}
	})
}

// BenchmarkLookup looks up present keys (hit) and absent keys (miss) among 1M,
// in random order, so most lookups miss the CPU caches.
func BenchmarkLookup(b *testing.B) {
	miss := make([]uint64, benchN)
	for i := range miss {
		miss[i] = benchKeys[i] ^ 0x5555_5555_5555_5555
	}
	b.Run("dashtable/hit", func(b *testing.B) {
		t := filledTable()
		m := &benchMatcher{}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			m.key = benchKeys[i%benchN]
			if _, ok := t.Find(mix(m.key), m); !ok {
				b.Fatal("miss")
			}
		}
	})
	b.Run("map/hit", func(b *testing.B) {
		mp := filledMap()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, ok := mp[benchKeys[i%benchN]]; !ok {
				b.Fatal("miss")
			}
		}
	})
	b.Run("dashtable/miss", func(b *testing.B) {
		t := filledTable()
		m := &benchMatcher{}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			m.key = miss[i%benchN]
			if _, ok := t.Find(mix(m.key), m); ok {
				b.Fatal("hit")
			}
		}
	})
	b.Run("map/miss", func(b *testing.B) {
		mp := filledMap()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, ok := mp[miss[i%benchN]]; ok {
				b.Fatal("hit")
			}
		}
	})
}

// BenchmarkLookupChain measures lookup latency rather than throughput: each
// key comes from the previous lookup's result (a random cycle through 4M
// keys), so cache misses cannot overlap. This is the shape of a server
// doing one command at a time, and what the 128-byte bucket layout is for.
func BenchmarkLookupChain(b *testing.B) {
	const n = 1 << 22
	perm := rand.New(rand.NewPCG(13, 14)).Perm(n)
	next := func(i int) uint64 { return uint64(perm[(i+1)%n]) }
	b.Run("dashtable", func(b *testing.B) {
		t := New(chainHasher{})
		for i, k := range perm {
			t.Insert(mix(uint64(k)), uint64(k)<<32|next(i))
		}
		m := &chainMatcher{}
		k := uint64(perm[0])
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			m.key = k
			h, _ := t.Find(mix(k), m)
			k = h & (1<<32 - 1)
		}
	})
	b.Run("map", func(b *testing.B) {
		mp := make(map[uint64]uint64)
		for i, k := range perm {
			mp[uint64(k)] = next(i)
		}
		k := uint64(perm[0])
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			k = mp[k]
		}
	})
}

// Chain handles pack the key (high 32 bits) and the next key (low 32 bits).
type chainMatcher struct{ key uint64 }

func (m *chainMatcher) Match(h uint64) bool { return h>>32 == m.key }

type chainHasher struct{}

func (chainHasher) Hash(h uint64) uint64 { return mix(h >> 32) }

// BenchmarkDelete deletes the 1M keys one by one; refilling is not timed.
func BenchmarkDelete(b *testing.B) {
	b.Run("dashtable", func(b *testing.B) {
		var t *Table
		m := &benchMatcher{}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			k := i % benchN
			if k == 0 {
				b.StopTimer()
				t = filledTable()
				b.StartTimer()
			}
			m.key = benchKeys[k]
			if _, ok := t.Delete(mix(m.key), m); !ok {
				b.Fatal("miss")
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		var mp map[uint64]uint64
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			k := i % benchN
			if k == 0 {
				b.StopTimer()
				mp = filledMap()
				b.StartTimer()
			}
			delete(mp, benchKeys[k])
		}
	})
}

// BenchmarkScan walks all 1M entries with Scan, one logical bucket per call.
func BenchmarkScan(b *testing.B) {
	t := filledTable()
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		c := uint64(0)
		for {
			c = t.Scan(c, func(uint64) { n++ })
			if c == 0 {
				break
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/entry")
}

// TestGCCost loads 10M entries into a Table and into other layouts and
// reports what a forced GC cycle costs with each live. Run with
//
//	ANAX_BIG=1 go test -run TestGCCost -v ./dashtable/
//
// It needs about 3 GB of memory and a minute.
func TestGCCost(t *testing.T) {
	if testing.Short() || os.Getenv("ANAX_BIG") != "1" {
		t.Skip("set ANAX_BIG=1 (and drop -short) to run")
	}
	n := 10_000_000
	if s := os.Getenv("ANAX_BIG_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	t.Logf("GOMAXPROCS=%d, GOGC default, %d entries, %s", runtime.GOMAXPROCS(0), n, runtime.Version())
	t.Logf("%-22s %10s %10s %12s %12s %12s", "layout", "load", "heap MB", "GC wall", "GC CPU", "STW pause")

	report := func(name string, load time.Duration, keep func()) {
		r := measureGC(3)
		t.Logf("%-22s %10s %10.0f %12s %12s %12s", name, load.Round(time.Millisecond),
			float64(r.heap)/(1<<20), r.wall, r.cpu, r.pause)
		keep()
	}

	{
		start := time.Now()
		tb := New(benchHasher{})
		for k := uint64(0); k < uint64(n); k++ {
			tb.Insert(mix(k), k)
		}
		load := time.Since(start)
		report("dashtable", load, func() {
			t.Logf("  dashtable: %d segments, MemoryUsage %.0f MB (%.1f B/entry), load factor %.2f",
				tb.SegmentCount(), float64(tb.MemoryUsage())/(1<<20), float64(tb.MemoryUsage())/float64(n),
				float64(tb.Len())/float64(tb.SegmentCount()*slotsPerSegment))
		})
	}
	runtime.GC()
	{
		start := time.Now()
		m := make(map[uint64]uint64)
		for k := uint64(0); k < uint64(n); k++ {
			m[k] = k
		}
		load := time.Since(start)
		report("map[uint64]uint64", load, func() { runtime.KeepAlive(m) })
	}
	runtime.GC()
	{
		start := time.Now()
		m := make(map[string][]byte)
		for k := 0; k < n; k++ {
			v := make([]byte, 16)
			v[0] = byte(k)
			m[fmt.Sprintf("key:%08d", k)] = v
		}
		load := time.Since(start)
		report("map[string][]byte", load, func() { runtime.KeepAlive(m) })
	}
}

type gcResult struct {
	heap             uint64
	wall, cpu, pause time.Duration
}

// measureGC runs cycles forced collections and returns per-cycle averages:
// wall time of runtime.GC(), GC CPU time (all workers and assists, from
// runtime/metrics) and stop-the-world pause time.
func measureGC(cycles int) gcResult {
	runtime.GC() // settle: the load left garbage behind
	samples := []metrics.Sample{
		{Name: "/cpu/classes/gc/total:cpu-seconds"},
		{Name: "/memory/classes/heap/objects:bytes"},
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	pause0 := ms.PauseTotalNs
	metrics.Read(samples)
	cpu0 := samples[0].Value.Float64()
	start := time.Now()
	for i := 0; i < cycles; i++ {
		runtime.GC()
	}
	wall := time.Since(start)
	metrics.Read(samples)
	runtime.ReadMemStats(&ms)
	c := time.Duration(cycles)
	return gcResult{
		heap:  samples[1].Value.Uint64(),
		wall:  wall / c,
		cpu:   time.Duration((samples[0].Value.Float64()-cpu0)*1e9) / c,
		pause: time.Duration(ms.PauseTotalNs-pause0) / c,
	}
}
