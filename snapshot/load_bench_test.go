package snapshot

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/snapshot/rdb"
	"github.com/zeebo/xxh3"
)

// Load and save speed, in process (go test -run X -bench Load ./snapshot/
// -benchtime 3x; add -cpuprofile to see where the time goes). The files
// are what redis-server writes for the same data:
//
//   - strings: BENCH_KEYS (1M) keys "key:N" of 100 bytes, as DEBUG
//     POPULATE 1000000 key 100 makes them ("value:N" padded with zeros,
//     which LZF compresses);
//   - mixed: a quarter each of small hashes (listpack, 10 fields), lists
//     (one quicklist node of 10 elements), sets (hashtable, 10 members,
//     as Redis 7.0 writes them) and sorted sets (listpack, 10 members),
//     BENCH_KEYS/10 keys in all.
//
// The shards run on goroutines of their own (BENCH_SHARDS, 2), as the
// server's event loops do; GOMAXPROCS sets how many cores they share.

var benchFiles = struct {
	sync.Mutex
	dir   string
	paths map[string]string
}{paths: map[string]string{}}

// TestMain removes the benchmarks' files when the tests and benchmarks
// are done.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchFiles.dir != "" {
		os.RemoveAll(benchFiles.dir)
	}
	os.Exit(code)
}

func benchEnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// benchFile writes the file named kind once per process and returns its
// path and key count.
func benchFile(b *testing.B, kind string) (string, int) {
	b.Helper()
	n := benchEnvInt("BENCH_KEYS", 1000000)
	if kind == "mixed" {
		n /= 10
	}
	benchFiles.Lock()
	defer benchFiles.Unlock()
	if p, ok := benchFiles.paths[kind]; ok {
		return p, n
	}
	if benchFiles.dir == "" {
		d, err := os.MkdirTemp("", "anax-loadbench-")
		if err != nil {
			b.Fatal(err)
		}
		benchFiles.dir = d
	}
	path := filepath.Join(benchFiles.dir, kind+".rdb")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	fw := rdb.NewFileWriter(f, true, true)
	fw.Header()
	fw.Aux("redis-ver", "7.0.15")
	fw.SelectDB(0)
	fw.ResizeDB(uint64(n), 0)
	var rec, val []byte
	key := func(i int) []byte { return strconv.AppendInt([]byte("key:"), int64(i), 10) }
	for i := range n {
		rec = rec[:0]
		switch kind {
		case "strings":
			val = strconv.AppendInt(append(val[:0], "value:"...), int64(i), 10)
			val = append(val, make([]byte, 100-len(val))...)
			rec = rdb.AppendRecordHeader(rec, rdb.TypeString, key(i), true)
			rec = rdb.AppendString(rec, val, true)
		case "mixed":
			switch i % 4 {
			case 0:
				lp := listpack.New()
				for j := range 10 {
					lp.Append(fmt.Appendf(nil, "field%d", j))
					lp.Append(fmt.Appendf(nil, "value-%d-%d", i, j))
				}
				rec = rdb.AppendRecordHeader(rec, rdb.TypeHashListpack, key(i), true)
				rec = rdb.AppendString(rec, lp.Bytes(), true)
			case 1:
				lp := listpack.New()
				for j := range 10 {
					lp.Append(fmt.Appendf(nil, "element-%d-%d", i, j))
				}
				rec = rdb.AppendRecordHeader(rec, rdb.TypeListQuicklist2, key(i), true)
				rec = rdb.AppendLength(rec, 1)
				rec = rdb.AppendLength(rec, rdb.QuicklistNodePacked)
				rec = rdb.AppendString(rec, lp.Bytes(), true)
			case 2:
				rec = rdb.AppendRecordHeader(rec, rdb.TypeSet, key(i), true)
				rec = rdb.AppendLength(rec, 10)
				for j := range 10 {
					rec = rdb.AppendString(rec, fmt.Appendf(nil, "member-%d-%d", i, j), true)
				}
			case 3:
				lp := listpack.New()
				for j := range 10 {
					lp.Append(fmt.Appendf(nil, "member-%d-%d", i, j))
					lp.Append(strconv.AppendInt(nil, int64(j), 10))
				}
				rec = rdb.AppendRecordHeader(rec, rdb.TypeZSetListpack, key(i), true)
				rec = rdb.AppendString(rec, lp.Bytes(), true)
			}
		}
		fw.Write(rec)
	}
	if err := fw.Close(); err != nil {
		b.Fatal(err)
	}
	benchFiles.paths[kind] = path
	return path, n
}

// benchShards makes n shards on goroutines of their own; stop ends them.
func benchShards(n int) (shards []*shard.Shard, stop func()) {
	done := make(chan struct{})
	shards = make([]*shard.Shard, n)
	for i := range shards {
		l := &loop{ch: make(chan func(), 1024)}
		go func() {
			for {
				select {
				case f := <-l.ch:
					f()
				case <-done:
					return
				}
			}
		}()
		shards[i] = shard.New(i, 16)
		shards[i].SetWaker(l)
	}
	return shards, func() { close(done) }
}

// cpuTime returns the CPU time the process has used (user and system), in
// ns: on a busy machine it says more about a change than the time taken.
func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func benchRoute(n int) func([]byte) int {
	return func(key []byte) int {
		h := xxh3.Hash(key) * 0x9E3779B97F4A7C15
		return int(((h >> 32) * uint64(n)) >> 32)
	}
}

func benchLoad(b *testing.B, kind string) {
	path, n := benchFile(b, kind)
	nsh := benchEnvInt("BENCH_SHARDS", 2)
	b.ResetTimer()
	for range b.N {
		shards, stop := benchShards(nsh)
		cpu0 := cpuTime()
		res, err := LoadFile(Source{Shards: shards}, path, LoadOptions{Limits: limits, Route: benchRoute(nsh), Now: time.Now().UnixMilli()})
		if err != nil {
			b.Fatal(err)
		}
		if res.Keys != int64(n) {
			b.Fatalf("loaded %d keys of %d", res.Keys, n)
		}
		b.ReportMetric(float64(res.Duration.Nanoseconds())/float64(n), "ns/key")
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/key")
		stop()
	}
}

func BenchmarkLoadStrings(b *testing.B) { benchLoad(b, "strings") }
func BenchmarkLoadMixed(b *testing.B)   { benchLoad(b, "mixed") }

// BenchmarkReadStrings and BenchmarkReadMixed are the reading half of
// BenchmarkLoadStrings and BenchmarkLoadMixed alone: the file parsed,
// checked and routed, no shard storing anything.
func BenchmarkReadStrings(b *testing.B) { benchRead(b, "strings") }
func BenchmarkReadMixed(b *testing.B)   { benchRead(b, "mixed") }

func benchRead(b *testing.B, kind string) {
	path, n := benchFile(b, kind)
	route := benchRoute(2)
	b.ResetTimer()
	for range b.N {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		fr, err := rdb.NewFileReader(f)
		if err != nil {
			b.Fatal(err)
		}
		var it rdb.Item
		keys, sum := 0, 0
		for fr.Next(&it) == nil {
			if it.Kind == rdb.ItemKey {
				keys++
				sum += route(it.Key)
			}
		}
		f.Close()
		if keys != n {
			b.Fatalf("read %d keys of %d", keys, n)
		}
	}
}
