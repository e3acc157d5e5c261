package shard

import (
	"bytes"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strconv"
	"testing"
)

var zsetTestLimits = ZSetLimits{Entries: 8, Value: 16}

type zpair struct {
	m string
	s float64
}

// zsetContent returns the set under key in order, nil when absent, and
// checks that Rank, Score and the counts agree with the walk.
func zsetContent(t *testing.T, db *DB, key string) []zpair {
	t.Helper()
	h, ok := db.Lookup([]byte(key), 0, NoStats)
	if !ok {
		return nil
	}
	if db.Type(h) != TypeZSet {
		t.Fatalf("%s: type %d", key, db.Type(h))
	}
	z := db.OpenZSet([]byte(key), h)
	var out []zpair
	z.Range(0, false, func(m []byte, s float64) bool {
		out = append(out, zpair{string(m), s})
		return true
	})
	if len(out) != z.Len() {
		t.Fatalf("%s: Len %d, walked %d", key, z.Len(), len(out))
	}
	for i, p := range out {
		if i > 0 && !zless(out[i-1].s, []byte(out[i-1].m), p.s, []byte(p.m)) {
			t.Fatalf("%s: out of order at %d: %v %v", key, i, out[i-1], p)
		}
		r, s, ok := z.Rank([]byte(p.m))
		if !ok || r != i || s != p.s {
			t.Fatalf("%s: Rank(%q) = %d %v %v, want %d %v", key, p.m, r, s, ok, i, p.s)
		}
	}
	var back []zpair
	if len(out) > 0 {
		z.Range(len(out)-1, true, func(m []byte, s float64) bool {
			back = append(back, zpair{string(m), s})
			return true
		})
	}
	for i := range back {
		if back[i] != out[len(out)-1-i] {
			t.Fatalf("%s: backwards walk differs at %d", key, i)
		}
	}
	return out
}

func modelSorted(m map[string]float64) []zpair {
	var out []zpair
	for k, v := range m {
		out = append(out, zpair{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return zless(out[i].s, []byte(out[i].m), out[j].s, []byte(out[j].m)) })
	return out
}

func zadd(db *DB, key string, lim ZSetLimits, pairs ...zpair) {
	h, found := db.Lookup([]byte(key), 0, NoStats)
	var z ZSet
	if found {
		z = db.OpenZSet([]byte(key), h)
	} else {
		z = db.NewZSet([]byte(key), len(pairs), 0, lim, 0)
	}
	for _, p := range pairs {
		z.Add([]byte(p.m), p.s, lim)
	}
}

// TestZSetModel drives sorted sets with random adds, updates, removals and
// range removals across both encodings and checks them against Go maps,
// with the counts below scores and members; at the end, deleting every key
// gives back every arena byte.
func TestZSetModel(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	start := s.ArenaUsed()
	model := map[string]map[string]float64{}
	rng := rand.New(rand.NewSource(5))
	member := func() string {
		switch rng.Intn(4) {
		case 0:
			return fmt.Sprint(rng.Intn(300) - 50) // listpack integers
		case 1:
			return fmt.Sprint("long-member-", rng.Intn(40), "-xxxxxxxx")
		}
		return fmt.Sprint("m", rng.Intn(60))
	}
	score := func() float64 {
		switch rng.Intn(5) {
		case 0:
			return math.Inf(2*rng.Intn(2) - 1)
		case 1:
			return rng.Float64()*100 - 50
		}
		return float64(rng.Intn(20) - 10)
	}
	keys := []string{"a", "b", "c"}
	for i := range 20000 {
		key := keys[rng.Intn(len(keys))]
		m := model[key]
		switch op := rng.Intn(10); {
		case op < 5:
			p := zpair{member(), score()}
			zadd(db, key, zsetTestLimits, p)
			if m == nil {
				m = map[string]float64{}
				model[key] = m
			}
			m[p.m] = p.s
		case op < 7 && m != nil:
			mb := member()
			h, _ := db.Lookup([]byte(key), 0, NoStats)
			z := db.OpenZSet([]byte(key), h)
			_, had := m[mb]
			if z.Remove([]byte(mb)) != had {
				t.Fatalf("step %d: Remove(%q) disagrees", i, mb)
			}
			delete(m, mb)
		case op < 8 && m != nil:
			h, _ := db.Lookup([]byte(key), 0, NoStats)
			z := db.OpenZSet([]byte(key), h)
			n := z.Len()
			from := rng.Intn(n)
			to := min(n-1, from+rng.Intn(4))
			sorted := modelSorted(m)
			z.RemoveRange(from, to)
			for _, p := range sorted[from : to+1] {
				delete(m, p.m)
			}
		case op < 9 && m != nil:
			h, _ := db.Lookup([]byte(key), 0, NoStats)
			z := db.OpenZSet([]byte(key), h)
			sc, incl := score(), rng.Intn(2) == 0
			want := 0
			for _, v := range m {
				if v < sc || (incl && v == sc) {
					want++
				}
			}
			if got := z.CountBelow(sc, incl); got != want {
				t.Fatalf("step %d: CountBelow(%v, %v) = %d, want %d", i, sc, incl, got, want)
			}
			mb := member()
			wantLex := 0
			for _, p := range modelSorted(m) {
				if c := bytes.Compare([]byte(p.m), []byte(mb)); c < 0 || (incl && c == 0) {
					wantLex++
				} else {
					break
				}
			}
			if allEqualScores(m) {
				if got := z.CountBelowLex([]byte(mb), incl); got != wantLex {
					t.Fatalf("step %d: CountBelowLex(%q) = %d, want %d", i, mb, got, wantLex)
				}
			}
		default:
			if m != nil && rng.Intn(4) == 0 {
				db.Delete([]byte(key))
				delete(model, key)
			}
		}
		if len(model[key]) == 0 {
			delete(model, key)
		}
		if i%97 == 0 || i < 300 {
			for _, k := range keys {
				got, want := zsetContent(t, db, k), modelSorted(model[k])
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("step %d: %s = %v, want %v", i, k, got, want)
				}
			}
		}
	}
	for _, k := range keys {
		db.Delete([]byte(k))
	}
	for s.Lazy() {
		s.ReclaimLazy()
	}
	if s.ArenaUsed() != start {
		t.Fatalf("arena used %d after deletes, was %d", s.ArenaUsed(), start)
	}
}

func allEqualScores(m map[string]float64) bool {
	first, set := 0.0, false
	for _, v := range m {
		if set && v != first {
			return false
		}
		first, set = v, true
	}
	return true
}

// TestZSetConversion: by entries and by member length before an insert,
// MaybeBig for a many-member ZADD, MaybeListpack for the STORE results.
func TestZSetConversion(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	lim := ZSetLimits{Entries: 3, Value: 4}
	enc := func(key string) byte {
		h, _ := db.Lookup([]byte(key), 0, NoStats)
		return db.Encoding(h)
	}
	zadd(db, "e", lim, zpair{"a", 1}, zpair{"b", 2}, zpair{"c", 3})
	if enc("e") != EncListpack {
		t.Fatal("3 members: want a listpack")
	}
	zadd(db, "e", lim, zpair{"c", 4})
	if enc("e") != EncListpack {
		t.Fatal("an update converted")
	}
	zadd(db, "e", lim, zpair{"d", 4})
	if enc("e") != EncSkiplist {
		t.Fatal("4 members: want big")
	}
	zadd(db, "v", lim, zpair{"abcde", 1})
	if enc("v") != EncSkiplist {
		t.Fatal("a 5-byte member: want big")
	}
	h, _ := db.Lookup([]byte("v"), 0, NoStats)
	z := db.OpenZSet([]byte("v"), h)
	z.Add([]byte("x"), 2, lim)
	z.Remove([]byte("abcde"))
	z.MaybeListpack(lim)
	if enc("v") != EncListpack || fmt.Sprint(zsetContent(t, db, "v")) != "[{x 2}]" {
		t.Fatalf("MaybeListpack: %d %v", enc("v"), zsetContent(t, db, "v"))
	}
	z = db.NewZSet([]byte("n"), 10, 1, lim, 0)
	if !z.Big() {
		t.Fatal("NewZSet for 10 members: want big")
	}
	zadd(db, "w", lim, zpair{"a", 1})
	h, _ = db.Lookup([]byte("w"), 0, NoStats)
	z = db.OpenZSet([]byte("w"), h)
	z.MaybeBig(4, lim)
	if !z.Big() || fmt.Sprint(zsetContent(t, db, "w")) != "[{a 1}]" {
		t.Fatal("MaybeBig")
	}
}

// TestZSetCopyExportImport: COPY, a move to another database and an
// export to another shard deep-copy a big set; the copies are independent
// and every byte is given back.
func TestZSetCopyExportImport(t *testing.T) {
	s1, s2 := New(0, 2), New(1, 1)
	db := s1.DB(0)
	start1, start2 := s1.ArenaUsed(), s2.ArenaUsed()
	var want []zpair
	var pairs []zpair
	for i := range 5000 {
		p := zpair{fmt.Sprint("member:", i), float64(i%100) + 0.25}
		if i%7 == 0 {
			p.s = math.Inf(-1)
		}
		pairs = append(pairs, p)
	}
	zadd(db, "big", zsetTestLimits, pairs...)
	want = zsetContent(t, db, "big")
	h, _ := db.Lookup([]byte("big"), 0, NoStats)
	db.CopyFrom(db, h, []byte("copy"), 0, false, 0)
	h, _ = db.Lookup([]byte("big"), 0, NoStats)
	s1.DB(1).CopyFrom(db, h, []byte("moved"), 0, true, 0)
	raw, ok := db.Export([]byte("big"), 0, nil)
	if !ok {
		t.Fatal("Export: not found")
	}
	s2.DB(0).ImportAs(raw, []byte("imported"), true, 0)
	zadd(db, "big", zsetTestLimits, zpair{"member:1", -100}) // the copies must not see it
	for _, c := range []struct {
		db  *DB
		key string
	}{{db, "copy"}, {s1.DB(1), "moved"}, {s2.DB(0), "imported"}} {
		if got := zsetContent(t, c.db, c.key); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s differs", c.key)
		}
		h, _ := c.db.Lookup([]byte(c.key), 0, NoStats)
		if c.db.Encoding(h) != EncSkiplist || c.db.ValueMemory(h) <= 0 {
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

// TestZSetLazyFree frees a set too big to free at once in bounded steps.
func TestZSetLazyFree(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	start := s.ArenaUsed()
	pairs := make([]zpair, 0, 100_000)
	for i := range 100_000 {
		pairs = append(pairs, zpair{strconv.Itoa(i) + "-member", float64(i)})
	}
	zadd(db, "z", zsetTestLimits, pairs...)
	db.Delete([]byte("z"))
	if !s.Lazy() {
		t.Fatal("a 100k-member set should be freed lazily")
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

// TestZSetScoreText: AppendScore is protocol/resp's double text (the shard
// may not import it, so the layout is kept twice; here, checked against
// what Redis 7.2's ZSCORE replies).
func TestZSetScoreText(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{{1, "1"}, {-2.5, "-2.5"}, {0.1, "0.1"}, {1e20, "1e+20"}, {123456789012345678, "123456789012345680"},
		{1e-7, "1e-7"}, {math.Inf(1), "inf"}, {math.Inf(-1), "-inf"}, {1.5e300, "1.5e+300"}, {0.000123, "0.000123"},
		{12345678.5, "12345678.5"}, {math.Copysign(0, -1), "-0"}, {4611686018427387904, "4611686018427387904"}} {
		if got := string(AppendScore(nil, c.f)); got != c.want {
			t.Errorf("%v: %q, want %q", c.f, got, c.want)
		}
	}
}

// TestZSetMemberLayouts: short members keep their length in the ref (24
// bytes for a 16-byte member), long ones (past refMaxLen, and past the
// arena's chunk cells) a length prefix; both read, update, remove, copy and
// cross shards alike.
func TestZSetMemberLayouts(t *testing.T) {
	s1, s2 := New(0, 1), New(1, 1)
	db := s1.DB(0)
	start := s1.ArenaUsed()
	lim := ZSetLimits{Entries: 2, Value: 64}
	long := func(n int, c byte) string { return string(bytes.Repeat([]byte{c}, n)) }
	pairs := []zpair{{"sixteen-bytes-16", 1}, {"", 2}, {long(refMaxLen, 'a'), 3}, {long(refMaxLen+1, 'b'), 4},
		{long(70000, 'c'), 5}, {"x", math.Inf(-1)}}
	zadd(db, "z", lim, pairs...)
	h, _ := db.Lookup([]byte("z"), 0, NoStats)
	b := db.object(h).(*zsetBig)
	ref, _ := b.find([]byte("sixteen-bytes-16"))
	if ref&refLenMask == 0 || b.a.Size(refHandle(ref)) != 24 {
		t.Fatalf("a 16-byte member: ref %x, cell %d bytes", ref, b.a.Size(refHandle(ref)))
	}
	if ref, _ := b.find([]byte(long(refMaxLen+1, 'b'))); ref&refLenMask != 0 {
		t.Fatalf("a long member's ref %x carries a length", ref)
	}
	want := fmt.Sprint(modelSorted(map[string]float64{pairs[0].m: 1, "": 2, pairs[2].m: 3, pairs[3].m: 4, pairs[4].m: 5, "x": math.Inf(-1)}))
	if got := fmt.Sprint(zsetContent(t, db, "z")); got != want {
		t.Fatal("contents differ")
	}
	zadd(db, "z", lim, zpair{pairs[3].m, -1}, zpair{pairs[4].m, 0.5}, zpair{"sixteen-bytes-16", 9})
	for _, p := range []zpair{{pairs[3].m, -1}, {pairs[4].m, 0.5}, {"sixteen-bytes-16", 9}, {"", 2}} {
		h, _ := db.Lookup([]byte("z"), 0, NoStats)
		z := db.OpenZSet([]byte("z"), h)
		if sc, ok := z.Score([]byte(p.m)); !ok || sc != p.s {
			t.Fatalf("score of a %d-byte member: %v %v, want %v", len(p.m), sc, ok, p.s)
		}
	}
	want = fmt.Sprint(zsetContent(t, db, "z"))
	h, _ = db.Lookup([]byte("z"), 0, NoStats)
	db.CopyFrom(db, h, []byte("copy"), 0, false, 0)
	raw, _ := db.Export([]byte("z"), 0, nil)
	s2.DB(0).ImportAs(raw, []byte("imported"), true, 0)
	if fmt.Sprint(zsetContent(t, db, "copy")) != want || fmt.Sprint(zsetContent(t, s2.DB(0), "imported")) != want {
		t.Fatal("a copy differs")
	}
	h, _ = db.Lookup([]byte("z"), 0, NoStats)
	z := db.OpenZSet([]byte("z"), h)
	z.Remove([]byte(pairs[4].m))
	z.Remove([]byte(""))
	z.RemoveRange(0, 1)
	db.Delete([]byte("z"))
	db.Delete([]byte("copy"))
	for s1.Lazy() {
		s1.ReclaimLazy()
	}
	if s1.ArenaUsed() != start {
		t.Fatalf("arena used %d after deletes, was %d", s1.ArenaUsed(), start)
	}
}
