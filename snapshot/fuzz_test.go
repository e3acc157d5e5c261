package snapshot

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/anaxdb/anax/shard"
)

// inline runs a shard's tasks at once, on the poster's goroutine.
type inline struct{}

func (inline) Wake(run func()) { run() }

func inlineShards(n, dbs int) []*shard.Shard {
	shards := make([]*shard.Shard, n)
	for i := range shards {
		shards[i] = shard.New(i, dbs)
		shards[i].SetWaker(inline{})
	}
	return shards
}

// seedFile saves a small keyspace of every type (Memcached flags and hash
// field expiries included) and returns the file.
func seedFile(tb testing.TB) []byte {
	tb.Helper()
	shards := inlineShards(1, 2)
	sh := shards[0]
	now := time.Now().UnixMilli()
	db := sh.DB(0)
	db.SetString([]byte("s"), []byte("hello"), 0, false, shard.EncAuto, now)
	db.SetString([]byte("n"), []byte("123"), now+100000, false, shard.EncAuto, now)
	db.MCStore([]byte("mc"), []byte("item"), 42, 0, 0, 0, now)
	l := db.NewList([]byte("l"), now)
	l.Push([][]byte{[]byte("a"), []byte("b")}, false, -2)
	h, _ := db.HashSet([]byte("h"), 0, false, [][]byte{[]byte("f"), []byte("v"), []byte("g"), []byte("w")}, limits.Hash, now)
	db.HashExpire([]byte("h"), h, [][]byte{[]byte("f")}, now+100000, 0, now, func(int64) {})
	db1 := sh.DB(1)
	db1.SetAdd([]byte("is"), 0, false, [][]byte{[]byte("1"), []byte("2")}, limits.Set, now)
	db1.SetAdd([]byte("ls"), 0, false, [][]byte{[]byte("a"), []byte("b")}, limits.Set, now)
	z := db1.NewZSet([]byte("z"), 2, 1, limits.ZSet, now)
	z.Add([]byte("a"), 1.5, limits.ZSet)
	dir := tb.TempDir()
	start := func(begin func(int)) { begin(0) }
	if _, err := Save(Source{Shards: shards, Start: start}, Options{Dir: dir, Filename: "f.rdb", Checksum: false, Compress: true}); err != nil {
		tb.Fatal(err)
	}
	b, err := readFile(dir + "/f.rdb")
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// FuzzLoad loads arbitrary bytes as an RDB file into shards: it must
// return (an error or not), never panic, whatever the file holds.
func FuzzLoad(f *testing.F) {
	f.Add(seedFile(f))
	f.Add([]byte("REDIS0011\xfa\x0canax-mcflags\x01x\x00\x01k\x01v\xff\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("REDIS0010\xf5\x02f1\xfe\x00\xf8\x05\x00\x01a\x01v\xf9\x07\x00\x01b\x01v\xff\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		shards := inlineShards(2, 3)
		route := func(key []byte) int { return len(key) % 2 }
		// Idle times and LFU counters kept by the length of the input, so
		// that both paths run; libraries accepted.
		acc := Access(len(data) % 3)
		res, err := Load(Source{Shards: shards}, bytes.NewReader(data), LoadOptions{Limits: limits, Route: route, Now: 1, Access: acc,
			OnFunction: func([]byte) error { return nil }})
		if err == nil {
			n := 0
			for _, sh := range shards {
				for d := 0; d < sh.NumDB(); d++ {
					n += sh.DB(d).Len()
				}
			}
			if int64(n) != res.Keys {
				t.Fatalf("loaded %d keys, the shards hold %d", res.Keys, n)
			}
		} else if err.Error() == "" {
			t.Fatal(fmt.Errorf("an empty error"))
		}
	})
}

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }

// TestSeedFileLoads: the fuzz seed loads whole, Memcached flags and field
// expiries included.
func TestSeedFileLoads(t *testing.T) {
	now := time.Now().UnixMilli()
	shards := inlineShards(1, 2)
	res, err := Load(Source{Shards: shards}, bytes.NewReader(seedFile(t)), LoadOptions{Limits: limits, Route: func([]byte) int { return 0 }, Now: now})
	if err != nil || res.Keys != 8 {
		t.Fatalf("loaded %d keys: %v", res.Keys, err)
	}
	db := shards[0].DB(0)
	h, ok := db.Peek([]byte("mc"))
	if flags, isMC := db.MCFlags(h); !ok || !isMC || flags != 42 {
		t.Errorf("memcache item: flags %d, item %v", flags, isMC)
	}
	h, _ = db.Peek([]byte("h"))
	if exp := db.HashFieldExpire(h, []byte("f"), now); exp <= now {
		t.Errorf("field f expires at %d", exp)
	}
	if exp := db.HashFieldExpire(h, []byte("g"), now); exp != shard.FieldNoTTL {
		t.Errorf("field g expires at %d", exp)
	}
}
