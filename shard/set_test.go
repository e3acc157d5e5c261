package shard

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

var setTestLimits = SetLimits{IntsetEntries: 12, ListpackEntries: 6, ListpackValue: 10}

// setContent returns the set under key as a map, or nil when absent.
func setContent(t *testing.T, db *DB, key string) map[string]bool {
	t.Helper()
	h, ok := db.Lookup([]byte(key), 0, NoStats)
	if !ok {
		return nil
	}
	if db.Type(h) != TypeSet {
		t.Fatalf("%s: type %d", key, db.Type(h))
	}
	m := map[string]bool{}
	db.SetEach(h, func(x []byte) bool {
		if m[string(x)] {
			t.Fatalf("%s: member %q twice", key, x)
		}
		m[string(x)] = true
		return true
	})
	if len(m) != db.SetLen(h) {
		t.Fatalf("%s: SetLen %d, walked %d", key, db.SetLen(h), len(m))
	}
	return m
}

func sadd(db *DB, lim SetLimits, key string, members ...string) int {
	h, found := db.Lookup([]byte(key), 0, NoStats)
	args := make([][]byte, len(members))
	for i, m := range members {
		args[i] = []byte(m)
	}
	_, n := db.SetAdd([]byte(key), h, found, args, lim, 0)
	return n
}

// TestSetModel runs random adds, removes and pops on sets with small
// thresholds against a map, checking contents, membership and that the
// encoding is one the members allow.
func TestSetModel(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	start := s.ArenaUsed()
	model := map[string]map[string]bool{}
	rng := rand.New(rand.NewSource(5))
	member := func() string {
		switch rng.Intn(4) {
		case 0, 1:
			return fmt.Sprint(rng.Intn(40) - 20)
		case 2:
			return []string{"70000", "-70000", "9223372036854775807", "-9223372036854775808", "01", "-0", ""}[rng.Intn(7)]
		}
		return strings.Repeat("s", rng.Intn(14))
	}
	rnd := func() uint64 { return rng.Uint64() }
	for i := 0; i < 40_000; i++ {
		key := fmt.Sprint("s", rng.Intn(10))
		m := model[key]
		switch op := rng.Intn(10); {
		case op < 5:
			var ms []string
			for n := rng.Intn(4); n >= 0; n-- {
				ms = append(ms, member())
			}
			want := 0
			if m == nil {
				m = map[string]bool{}
				model[key] = m
			}
			for _, x := range ms {
				if !m[x] {
					m[x] = true
					want++
				}
			}
			if got := sadd(db, setTestLimits, key, ms...); got != want {
				t.Fatalf("SADD %s %q: added %d, want %d", key, ms, got, want)
			}
		case op < 8:
			h, found := db.Lookup([]byte(key), 0, NoStats)
			if !found {
				continue
			}
			ms := [][]byte{[]byte(member()), []byte(member())}
			want := 0
			for _, x := range ms {
				if m[string(x)] {
					delete(m, string(x))
					want++
				}
			}
			if got := db.SetRemove([]byte(key), h, ms); got != want {
				t.Fatalf("SREM: %d, want %d", got, want)
			}
		case op < 9:
			h, found := db.Lookup([]byte(key), 0, NoStats)
			if !found {
				continue
			}
			var buf [64]byte
			x := string(db.SetPop([]byte(key), h, rng.Uint64(), buf[:0]))
			if !m[x] {
				t.Fatalf("SPOP %s gave %q, not a member", key, x)
			}
			delete(m, x)
		default:
			h, found := db.Lookup([]byte(key), 0, NoStats)
			if !found || len(m) < 2 {
				continue
			}
			count := 1 + rng.Intn(len(m)-1)
			popped := 0
			db.SetPopMany([]byte(key), h, count, setTestLimits, rnd, func(x []byte) {
				if !m[string(x)] {
					t.Fatalf("SPOP %d gave %q, not a member", count, x)
				}
				delete(m, string(x))
				popped++
			})
			if popped != count {
				t.Fatalf("SPOP %d popped %d", count, popped)
			}
		}
		if len(m) == 0 {
			delete(model, key)
		}
		got := setContent(t, db, key)
		if len(got) != len(model[key]) {
			t.Fatalf("step %d: %s has %d members, want %d", i, key, len(got), len(model[key]))
		}
		allInts, short := true, true
		for x := range model[key] {
			if !got[x] {
				t.Fatalf("step %d: %s lacks %q", i, key, x)
			}
			if _, ok := parseIntText(x); !ok {
				allInts = false
			}
			if len(x) > int(setTestLimits.ListpackValue) {
				short = false
			}
		}
		if h, ok := db.Lookup([]byte(key), 0, NoStats); ok {
			switch enc := db.Encoding(h); {
			case enc == EncIntset && (!allInts || len(got) > int(setTestLimits.IntsetEntries)):
				t.Fatalf("step %d: %s is an intset of %d members", i, key, len(got))
			case enc == EncListpack && (!short || len(got) > int(setTestLimits.ListpackEntries)):
				t.Fatalf("step %d: %s is a listpack it cannot be", i, key)
			}
			if db.SetHas(h, []byte("not-a-member")) {
				t.Fatal("SetHas of a non-member")
			}
		}
	}
	for key := range model {
		db.Delete([]byte(key))
	}
	for s.Lazy() {
		s.ReclaimLazy()
	}
	if s.ArenaUsed() != start {
		t.Fatalf("arena used %d after deleting every set, was %d", s.ArenaUsed(), start)
	}
}

func parseIntText(s string) (int64, bool) {
	var v int64
	_, err := fmt.Sscan(s, &v)
	return v, err == nil && fmt.Sprint(v) == s
}

// TestSetConversions pins Redis 7.2's conversion points.
func TestSetConversions(t *testing.T) {
	db := New(0, 1).DB(0)
	enc := func(key string) byte {
		h, _ := db.Lookup([]byte(key), 0, NoStats)
		return db.Encoding(h)
	}
	lim := SetLimits{IntsetEntries: 4, ListpackEntries: 3, ListpackValue: 5}
	cases := []struct {
		adds [][]string
		want byte
	}{
		{[][]string{{"1", "2", "3", "4"}}, EncIntset},
		{[][]string{{"1", "2", "3", "4", "5"}}, EncHashtable}, // setTypeCreate's hint
		{[][]string{{"1", "2", "3", "4"}, {"5"}}, EncHashtable},
		{[][]string{{"a", "b", "c"}}, EncListpack},
		{[][]string{{"a", "b", "c"}, {"d"}}, EncHashtable},
		{[][]string{{"a"}, {"b", "c", "b", "c"}}, EncHashtable}, // setTypeMaybeConvert's hint
		{[][]string{{"abcdef"}}, EncHashtable},
		{[][]string{{"1", "2"}, {"a"}}, EncListpack},
		{[][]string{{"1", "2", "3"}, {"a"}}, EncHashtable}, // 3 ints: no room for a fourth in a listpack
		{[][]string{{"123456"}, {"a"}}, EncHashtable},      // an int too long for a listpack member
		{[][]string{{"1"}, {"abcdef"}}, EncHashtable},
	}
	for i, c := range cases {
		key := fmt.Sprint("k", i)
		for _, a := range c.adds {
			sadd(db, lim, key, a...)
		}
		if got := enc(key); got != c.want {
			t.Errorf("%q: encoding %d, want %d", c.adds, got, c.want)
		}
	}
}

// TestSetCopyExportImport: COPY, MOVE and the flat form across shards keep
// a big set, and every cell is freed after.
func TestSetCopyExportImport(t *testing.T) {
	s1, s2 := New(0, 2), New(1, 1)
	db := s1.DB(0)
	start1, start2 := s1.ArenaUsed(), s2.ArenaUsed()
	lim := SetLimits{IntsetEntries: 512, ListpackEntries: 128, ListpackValue: 64}
	want := map[string]bool{}
	var ms []string
	for i := range 5000 {
		m := fmt.Sprint("member:", i)
		switch i % 3 {
		case 1:
			m = fmt.Sprint(i * 7)
		case 2:
			m = strings.Repeat("x", 5000+i) // past the handle's length bits
		}
		ms = append(ms, m)
		want[m] = true
	}
	ms = append(ms, "")
	want[""] = true
	sadd(db, lim, "big", ms...)
	h, _ := db.Lookup([]byte("big"), 0, NoStats)
	db.CopyFrom(db, h, []byte("copy"), 0, false, 0)
	h, _ = db.Lookup([]byte("big"), 0, NoStats)
	s1.DB(1).CopyFrom(db, h, []byte("moved"), 0, true, 0)
	raw, ok := db.Export([]byte("big"), 0, nil)
	if !ok {
		t.Fatal("Export: not found")
	}
	s2.DB(0).ImportAs(raw, []byte("imported"), true, 0)
	sadd(db, lim, "big", "changed") // the copies must not see it
	for _, c := range []struct {
		db  *DB
		key string
	}{{db, "copy"}, {s1.DB(1), "moved"}, {s2.DB(0), "imported"}} {
		got := setContent(t, c.db, c.key)
		if len(got) != len(want) {
			t.Fatalf("%s: %d members, want %d", c.key, len(got), len(want))
		}
		for m := range want {
			if !got[m] {
				t.Fatalf("%s lacks %.40q", c.key, m)
			}
		}
		h, _ := c.db.Lookup([]byte(c.key), 0, NoStats)
		if c.db.Encoding(h) != EncHashtable || !c.db.SetHas(h, []byte("member:3")) {
			t.Fatalf("%s: encoding %d", c.key, c.db.Encoding(h))
		}
		if c.db.ValueMemory(h) < len(want)*16 {
			t.Fatalf("%s: memory %d", c.key, c.db.ValueMemory(h))
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

// TestSetScanAndRandom: a scan over a growing big set returns every member
// present throughout; unique random draws are unique members.
func TestSetScanAndRandom(t *testing.T) {
	db := New(0, 1).DB(0)
	lim := SetLimits{IntsetEntries: 512, ListpackEntries: 128, ListpackValue: 64}
	for i := range 2000 {
		sadd(db, lim, "s", fmt.Sprint("m", i))
	}
	h, _ := db.Lookup([]byte("s"), 0, NoStats)
	seen := map[string]bool{}
	cursor, big := uint64(0), false
	for i := 0; ; i++ {
		cursor, big = db.SetScan(h, cursor, func(m []byte) { seen[string(m)] = true })
		if !big {
			t.Fatal("a big set has a cursor")
		}
		if i == 3 {
			for j := 2000; j < 6000; j++ {
				sadd(db, lim, "s", fmt.Sprint("m", j))
			}
			h, _ = db.Lookup([]byte("s"), 0, NoStats)
		}
		if cursor == 0 {
			break
		}
	}
	for i := range 2000 {
		if !seen[fmt.Sprint("m", i)] {
			t.Fatalf("SSCAN missed m%d", i)
		}
	}
	rng := rand.New(rand.NewSource(1))
	for _, count := range []int{1, 10, 2500, 5999, 6000, 7000} {
		got := map[string]bool{}
		n := 0
		db.SetRandomMembers(h, count, true, rng.Uint64, func(m []byte) {
			if got[string(m)] {
				t.Fatalf("count %d: %s twice", count, m)
			}
			got[string(m)] = true
			n++
		})
		if n != min(count, 6000) {
			t.Fatalf("count %d: %d members", count, n)
		}
	}
}
