package shard

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"
)

var testLimits = HashLimits{Entries: 8, Value: 16}

// hashContent returns the hash under key as a map, or nil when absent.
func hashContent(t *testing.T, db *DB, key string) map[string]string {
	t.Helper()
	h, ok := db.Lookup([]byte(key), 0, NoStats)
	if !ok {
		return nil
	}
	if db.Type(h) != TypeHash {
		t.Fatalf("%s: type %d", key, db.Type(h))
	}
	m := map[string]string{}
	db.HashEach(h, 0, func(f, v []byte) bool {
		if _, dup := m[string(f)]; dup {
			t.Fatalf("%s: field %q twice", key, f)
		}
		m[string(f)] = string(v)
		return true
	})
	if len(m) != db.HashLen(h) {
		t.Fatalf("%s: HashLen %d, walked %d", key, db.HashLen(h), len(m))
	}
	return m
}

func hset(db *DB, key string, pairs ...string) int {
	h, found := db.Lookup([]byte(key), 0, NoStats)
	args := make([][]byte, len(pairs))
	for i, p := range pairs {
		args[i] = []byte(p)
	}
	_, n := db.HashSet([]byte(key), h, found, args, testLimits, 0)
	return n
}

// TestHashModel drives hashes with random sets, deletes and reads across
// both encodings and checks them against Go maps; at the end, deleting
// every key gives back every arena byte.
func TestHashModel(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	start := s.ArenaUsed()
	model := map[string]map[string]string{}
	rng := rand.New(rand.NewSource(3))
	word := func(max int) string {
		if rng.Intn(3) == 0 {
			return fmt.Sprint(rng.Intn(1000) - 100) // integers: listpack int encodings
		}
		b := make([]byte, rng.Intn(max))
		for i := range b {
			b[i] = 'a' + byte(rng.Intn(26))
		}
		return string(b)
	}
	for i := 0; i < 60_000; i++ {
		key := fmt.Sprint("h", rng.Intn(20))
		m := model[key]
		switch op := rng.Intn(10); {
		case op < 6:
			var pairs []string
			for range 1 + rng.Intn(3) {
				pairs = append(pairs, fmt.Sprint("f", rng.Intn(40)), word(20))
			}
			want := 0
			if m == nil {
				m = map[string]string{}
				model[key] = m
			}
			for j := 0; j < len(pairs); j += 2 {
				if _, ok := m[pairs[j]]; !ok {
					want++
				}
				m[pairs[j]] = pairs[j+1]
			}
			if got := hset(db, key, pairs...); got != want {
				t.Fatalf("op %d: HashSet added %d, want %d", i, got, want)
			}
		case op < 9:
			h, ok := db.Lookup([]byte(key), 0, NoStats)
			if ok != (m != nil) {
				t.Fatalf("op %d: %s found %v", i, key, ok)
			}
			if !ok {
				continue
			}
			f := fmt.Sprint("f", rng.Intn(40))
			want := 0
			if _, in := m[f]; in {
				want = 1
				delete(m, f)
			}
			if got := db.HashDelete([]byte(key), h, [][]byte{[]byte(f)}); got != want {
				t.Fatalf("op %d: HashDelete %d, want %d", i, got, want)
			}
			if len(m) == 0 {
				delete(model, key)
			}
		default:
			h, ok := db.Lookup([]byte(key), 0, NoStats)
			if !ok {
				continue
			}
			f := fmt.Sprint("f", rng.Intn(40))
			var buf [24]byte
			v, found := db.HashGet(h, []byte(f), buf[:0])
			mv, in := m[f]
			if found != in || string(v) != mv {
				t.Fatalf("op %d: HashGet(%s) = %q %v, model %q %v", i, f, v, found, mv, in)
			}
		}
	}
	for key, m := range model {
		got := hashContent(t, db, key)
		if fmt.Sprint(got) != fmt.Sprint(m) {
			t.Fatalf("%s: %v, model %v", key, got, m)
		}
	}
	for key := range model {
		db.Delete([]byte(key))
	}
	for s.Lazy() {
		s.ReclaimLazy()
	}
	if used := s.ArenaUsed(); used != start {
		t.Fatalf("arena used %d after deleting everything, was %d", used, start)
	}
	if live, _ := s.BigValues(); live != 0 {
		t.Fatalf("%d big values left", live)
	}
}

func TestHashConversion(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	enc := func(key string) byte {
		h, _ := db.Lookup([]byte(key), 0, NoStats)
		return db.Encoding(h)
	}
	for i := range 8 {
		hset(db, "a", fmt.Sprint("f", i), "v")
	}
	if enc("a") != EncListpack {
		t.Fatal("8 entries should stay a listpack")
	}
	hset(db, "a", "f0", "v2") // an update adds no entry
	if enc("a") != EncListpack {
		t.Fatal("an update converted")
	}
	hset(db, "a", "f8", "v")
	if enc("a") != EncHashtable {
		t.Fatal("9 entries should convert")
	}
	hset(db, "b", "f", "0123456789abcdef")
	if enc("b") != EncListpack {
		t.Fatal("a 16-byte value should stay a listpack")
	}
	hset(db, "b", "g", "0123456789abcdefg")
	if enc("b") != EncHashtable {
		t.Fatal("a 17-byte value should convert")
	}
	want := map[string]string{"f": "0123456789abcdef", "g": "0123456789abcdefg"}
	if got := hashContent(t, db, "b"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after conversion %v", got)
	}
	// Deleting down to one field never converts back.
	h, _ := db.Lookup([]byte("b"), 0, NoStats)
	db.HashDelete([]byte("b"), h, [][]byte{[]byte("g")})
	if enc("b") != EncHashtable {
		t.Fatal("a table became a listpack")
	}
}

// TestHashValueInPlace checks the in-place update of a big hash's cell,
// including a header that grows and shrinks (value length crossing 127).
func TestHashValueInPlace(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	for i := range 20 {
		hset(db, "h", fmt.Sprint("field", i), "x")
	}
	for _, n := range []int{5, 126, 127, 128, 130, 127, 3, 300, 0, 1} {
		v := make([]byte, n)
		for i := range v {
			v[i] = byte('a' + i%26)
		}
		hset(db, "h", "field7", string(v))
		h, _ := db.Lookup([]byte("h"), 0, NoStats)
		got, ok := db.HashGet(h, []byte("field7"), nil)
		if !ok || string(got) != string(v) {
			t.Fatalf("len %d: got %q", n, got)
		}
		if _, ok := db.HashGet(h, []byte("field8"), nil); !ok {
			t.Fatal("field8 lost")
		}
	}
}

// TestHashCopyExportImport copies a big hash within a shard and across
// shards (Export, ImportAs), and checks the copies are deep.
func TestHashCopyExportImport(t *testing.T) {
	s1, s2 := New(0, 2), New(1, 1)
	db := s1.DB(0)
	start1, start2 := s1.ArenaUsed(), s2.ArenaUsed()
	want := map[string]string{}
	for i := range 5000 {
		f, v := fmt.Sprint("field:", i), fmt.Sprint(i*7)
		if i%3 == 0 {
			v = fmt.Sprint("value-", i)
		}
		hset(db, "big", f, v)
		want[f] = v
	}
	h, _ := db.Lookup([]byte("big"), 0, NoStats)
	db.CopyFrom(db, h, []byte("copy"), 0, false, 0)
	h, _ = db.Lookup([]byte("big"), 0, NoStats)
	s1.DB(1).CopyFrom(db, h, []byte("moved"), 0, true, 0)
	raw, ok := db.Export([]byte("big"), 0, nil)
	if !ok {
		t.Fatal("Export: not found")
	}
	s2.DB(0).ImportAs(raw, []byte("imported"), true, 0)

	hset(db, "big", "field:1", "changed") // the copies must not see it
	for _, c := range []struct {
		db  *DB
		key string
	}{{db, "copy"}, {s1.DB(1), "moved"}, {s2.DB(0), "imported"}} {
		got := hashContent(t, c.db, c.key)
		if len(got) != len(want) {
			t.Fatalf("%s: %d fields, want %d", c.key, len(got), len(want))
		}
		for f, v := range want {
			if got[f] != v {
				t.Fatalf("%s: %s = %q, want %q", c.key, f, got[f], v)
			}
		}
		h, _ := c.db.Lookup([]byte(c.key), 0, NoStats)
		if c.db.Encoding(h) != EncHashtable {
			t.Fatalf("%s: encoding %d", c.key, c.db.Encoding(h))
		}
	}
	for _, k := range []string{"big", "copy"} {
		db.Delete([]byte(k))
	}
	s1.DB(1).Delete([]byte("moved"))
	s2.DB(0).Delete([]byte("imported"))
	for s1.Lazy() || s2.Lazy() {
		s1.ReclaimLazy()
		s2.ReclaimLazy()
	}
	if s1.ArenaUsed() != start1 || s2.ArenaUsed() != start2 {
		t.Fatalf("arena used %d, %d after deletes; was %d, %d", s1.ArenaUsed(), s2.ArenaUsed(), start1, start2)
	}
}

// TestHashLazyFree frees a hash too big to free at once in bounded steps.
func TestHashLazyFree(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	start := s.ArenaUsed()
	args := make([][]byte, 0, 2*100_000)
	for i := range 100_000 {
		args = append(args, []byte(fmt.Sprint("f", i)), []byte("some value"))
	}
	_, n := db.HashSet([]byte("h"), 0, false, args, testLimits, 0)
	if n != 100_000 {
		t.Fatalf("added %d", n)
	}
	db.Delete([]byte("h"))
	if !s.Lazy() {
		t.Fatal("a 100k-field hash should be freed lazily")
	}
	steps := 0
	for s.Lazy() {
		s.ReclaimLazy()
		steps++
	}
	if steps < 2 || s.ArenaUsed() != start {
		t.Fatalf("%d steps, arena used %d (was %d)", steps, s.ArenaUsed(), start)
	}
}

// TestHashScanAndRandom: a scan over a growing big hash returns every
// field present throughout at least once; unique random draws are unique.
func TestHashScanAndRandom(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	for i := range 2000 {
		hset(db, "h", fmt.Sprint("f", i), "v")
	}
	seen := map[string]bool{}
	var cursor uint64
	added := 2000
	for {
		h, _ := db.Lookup([]byte("h"), 0, NoStats)
		next, ok := db.HashScan(h, cursor, 0, func(f, _ []byte) { seen[string(f)] = true })
		if !ok {
			t.Fatal("HashScan on a big hash said listpack")
		}
		cursor = next
		for range 5 { // grow while scanning: splits must not lose fields
			hset(db, "h", fmt.Sprint("f", added), "v")
			added++
		}
		if cursor == 0 {
			break
		}
	}
	for i := range 2000 {
		if !seen[fmt.Sprint("f", i)] {
			t.Fatalf("f%d never returned", i)
		}
	}
	rng := rand.New(rand.NewSource(1))
	h, _ := db.Lookup([]byte("h"), 0, NoStats)
	for _, count := range []int{1, 10, 900, 2000, db.HashLen(h) - 1, db.HashLen(h) + 5} {
		var got []string
		db.HashRandom(h, count, true, rng.Uint64, func(f, _ []byte) { got = append(got, string(f)) })
		sort.Strings(got)
		for i := 1; i < len(got); i++ {
			if got[i] == got[i-1] {
				t.Fatalf("count %d: %s twice", count, got[i])
			}
		}
		if want := min(count, db.HashLen(h)); len(got) != want {
			t.Fatalf("count %d: %d fields", count, len(got))
		}
	}
}
