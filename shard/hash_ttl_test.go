package shard

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/anaxdb/anax/shard/arena"
)

func bs(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// hexpire runs HashExpire on key and returns the replies.
func hexpire(t *testing.T, db *DB, key string, at int64, cond int, now int64, fields ...string) []int64 {
	t.Helper()
	h, ok := db.Lookup([]byte(key), now, NoStats)
	if !ok {
		t.Fatalf("hexpire: no key %s", key)
	}
	var got []int64
	db.HashExpire([]byte(key), h, bs(fields...), at, cond, now, func(r int64) { got = append(got, r) })
	return got
}

// checkTTLCounts checks a big hash's TTL bookkeeping against its cells:
// ttls counts the cells with an expiry, and minExp bounds them from below.
func checkTTLCounts(t *testing.T, db *DB, key string) {
	t.Helper()
	h, ok := db.Peek([]byte(key))
	if !ok {
		return
	}
	ht := db.hashOf(h)
	if ht == nil {
		return
	}
	n, low := 0, int64(0)
	ht.t.ForEach(func(c uint64) bool {
		if exp := cellExpire(db.sh.arena.Bytes(arena.Handle(c))); exp != 0 {
			n++
			if low == 0 || exp < low {
				low = exp
			}
		}
		return true
	})
	if n != ht.ttls {
		t.Fatalf("%s: ttls %d, cells with an expiry %d", key, ht.ttls, n)
	}
	if n > 0 && ht.minExp > low {
		t.Fatalf("%s: minExp %d above the earliest expiry %d", key, ht.minExp, low)
	}
}

// TestHashFieldTTLLazy: dead fields are invisible, counted by HashLen
// until reclaimed, reclaimed by name (HashReap) or all at once
// (HashReapAll), and a hash that loses its last field loses its key.
func TestHashFieldTTLLazy(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	hset(db, "h", "a", "1", "b", "2", "c", "3")
	if got := fmt.Sprint(hexpire(t, db, "h", 1000, 0, 500, "a", "b", "zz")); got != "[1 1 -2]" {
		t.Fatalf("HashExpire: %s", got)
	}
	h, _ := db.Peek([]byte("h"))
	if db.Encoding(h) != EncHashtable {
		t.Fatal("a field TTL did not convert the listpack")
	}
	checkTTLCounts(t, db, "h")
	if got := db.HashFieldExpire(h, []byte("a"), 900); got != 1000 {
		t.Fatalf("HashFieldExpire before: %d", got)
	}
	if got := db.HashFieldExpire(h, []byte("a"), 1000); got != 1000 {
		t.Fatalf("HashFieldExpire at the expiry (still alive, as Redis): %d", got)
	}
	if got := db.HashFieldExpire(h, []byte("a"), 1001); got != FieldNone {
		t.Fatalf("HashFieldExpire after: %d", got)
	}
	if got := db.HashFieldExpire(h, []byte("c"), 1001); got != FieldNoTTL {
		t.Fatalf("HashFieldExpire of c: %d", got)
	}
	now := int64(2000)
	if db.HashLen(h) != 3 || db.HashLiveLen(h, now) != 1 {
		t.Fatalf("HashLen %d HashLiveLen %d, want 3 and 1", db.HashLen(h), db.HashLiveLen(h, now))
	}
	var seen []string
	db.HashEach(h, now, func(f, _ []byte) bool { seen = append(seen, string(f)); return true })
	if fmt.Sprint(seen) != "[c]" {
		t.Fatalf("HashEach at %d: %v", now, seen)
	}
	seen = seen[:0]
	for cur, first := uint64(0), true; first || cur != 0; first = false {
		cur, _ = db.HashScan(h, cur, now, func(f, _ []byte) { seen = append(seen, string(f)) })
	}
	if fmt.Sprint(seen) != "[c]" {
		t.Fatalf("HashScan at %d: %v", now, seen)
	}
	if db.HashReap([]byte("h"), h, []byte("c"), now) || db.HashLen(h) != 3 {
		t.Fatal("HashReap of a live field did something")
	}
	if db.HashReap([]byte("h"), h, []byte("a"), now) || db.HashLen(h) != 2 {
		t.Fatal("HashReap of a dead field did not delete it")
	}
	if got := s.Stats.ExpiredFields.Load(); got != 1 {
		t.Fatalf("ExpiredFields %d", got)
	}
	checkTTLCounts(t, db, "h")
	// c dies too: reaping everything takes the key.
	hexpire(t, db, "h", 1500, 0, 500, "c")
	if !db.HashReapAll([]byte("h"), h, now) {
		t.Fatal("HashReapAll of a hash of dead fields kept its key")
	}
	if _, ok := db.Peek([]byte("h")); ok {
		t.Fatal("key still there")
	}
	if got := s.Stats.ExpiredFields.Load(); got != 3 {
		t.Fatalf("ExpiredFields %d, want 3", got)
	}
	if s.objs.live[0] != nil {
		t.Fatal("the big hash is still registered")
	}
}

// TestHashFieldTTLWrites: HSET clears a TTL and counts a dead field as
// added; the keep-TTL write keeps it; HashPersist removes it; an expiry
// not in the future deletes; conditions follow Redis 7.4.
func TestHashFieldTTLWrites(t *testing.T) {
	db := New(0, 1).DB(0)
	hset(db, "h", "a", "1", "b", "2", "c", "3")
	hexpire(t, db, "h", 5000, 0, 0, "a", "b", "c")
	h, _ := db.Peek([]byte("h"))
	if _, n := db.HashSet([]byte("h"), h, true, bs("a", "9"), testLimits, 100); n != 0 {
		t.Fatalf("HSET of a live field added %d", n)
	}
	h = db.HashSetKeepTTL([]byte("h"), h, true, []byte("b"), []byte("a longer value"), testLimits, 100)
	if a, b := db.HashFieldExpire(h, []byte("a"), 100), db.HashFieldExpire(h, []byte("b"), 100); a != FieldNoTTL || b != 5000 {
		t.Fatalf("after HSET a and HINCRBY b: a %d b %d", a, b)
	}
	if _, n := db.HashSet([]byte("h"), h, true, bs("c", "x"), testLimits, 6000); n != 1 {
		t.Fatalf("HSET of a dead field added %d, want 1", n)
	}
	if got := db.HashFieldExpire(h, []byte("c"), 6000); got != FieldNoTTL {
		t.Fatalf("c: %d", got)
	}
	checkTTLCounts(t, db, "h")
	var got []int64
	db.HashPersist([]byte("h"), h, bs("a", "b", "zz"), 100, func(r int64) { got = append(got, r) })
	if fmt.Sprint(got) != "[-1 1 -2]" {
		t.Fatalf("HashPersist: %v", got)
	}
	checkTTLCounts(t, db, "h")
	for _, c := range []struct {
		at, now int64
		cond    int
		want    string
	}{
		{1000, 0, ExpireXX, "[0]"},
		{1000, 0, ExpireGT, "[0]"},
		{1000, 0, ExpireLT, "[1]"},
		{2000, 0, ExpireNX, "[0]"},
		{2000, 0, ExpireLT, "[0]"},
		{500, 0, ExpireLT, "[1]"},
		{500, 0, ExpireGT, "[0]"},
		{800, 0, ExpireGT, "[1]"},
		{800, 0, ExpireXX, "[1]"},
		{100, 100, 0, "[2]"},
		{100, 100, 0, "[-2]"},
	} {
		if r := fmt.Sprint(hexpire(t, db, "h", c.at, c.cond, c.now, "a")); r != c.want {
			t.Fatalf("HashExpire at %d cond %d now %d: %s, want %s", c.at, c.cond, c.now, r, c.want)
		}
		checkTTLCounts(t, db, "h")
	}
}

// TestHashFieldTTLSweep: Tick reclaims dead fields of hashes nobody reads,
// big and small, deletes hashes left empty, leaves live fields alone, and
// stops sweeping a database once a pass finds no field TTL.
func TestHashFieldTTLSweep(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	for i := range 500 {
		db.SetString([]byte(fmt.Sprint("str", i)), []byte("x"), 0, false, EncAuto, 0)
	}
	const n = 300
	for i := range n {
		k := fmt.Sprint("h", i)
		fields := 4
		if i%30 == 0 {
			fields = 3000
		}
		var args []string
		for f := range fields {
			args = append(args, fmt.Sprint("f", f), "v")
		}
		hset(db, k, args...)
		exp := args[:0:0]
		for f := range fields - i%2 { // odd hashes keep one field
			exp = append(exp, fmt.Sprint("f", f))
		}
		hexpire(t, db, k, 1000, 0, 0, exp...)
		if i%7 == 0 {
			hexpire(t, db, k, 1<<40, ExpireGT, 0, "f0") // a later one
		}
	}
	if !db.fieldTTLs {
		t.Fatal("field TTLs not flagged")
	}
	// Before the expiry the sweep deletes nothing.
	for range 50 {
		s.Tick(500, 1, true)
	}
	if db.Len() != 500+n {
		t.Fatalf("keys %d before any expiry", db.Len())
	}
	// Fields left per hash: the one without a TTL of odd hashes, and the
	// far expiry of every seventh.
	want := func(i int) int {
		n := i % 2
		if i%7 == 0 {
			n++
		}
		return n
	}
	ticks := 0
	for ; ticks < 10000; ticks++ {
		s.Tick(2000, 1, true)
		left := 0
		for i := range n {
			h, ok := db.Peek([]byte(fmt.Sprint("h", i)))
			if ok && db.HashLen(h) > want(i) {
				left++
			}
		}
		if left == 0 {
			break
		}
	}
	if ticks == 10000 {
		t.Fatal("the sweep did not finish")
	}
	t.Logf("swept in %d ticks", ticks+1)
	for i := range n {
		k := fmt.Sprint("h", i)
		h, ok := db.Peek([]byte(k))
		if ok != (want(i) > 0) {
			t.Fatalf("%s: present %v, want %v", k, ok, want(i) > 0)
		}
		if ok && db.HashLen(h) != want(i) {
			t.Fatalf("%s: %d fields left", k, db.HashLen(h))
		}
		checkTTLCounts(t, db, k)
	}
	// Persist the far expiries: a full pass then drops the flag.
	for i := 0; i < n; i += 7 {
		k := []byte(fmt.Sprint("h", i))
		h, _ := db.Peek(k)
		db.HashPersist(k, h, bs("f0"), 2000, func(int64) {})
	}
	for range 10000 {
		s.Tick(2000, 1, true)
		if !db.fieldTTLs {
			break
		}
	}
	if db.fieldTTLs {
		t.Fatal("the flag stayed up with no field TTL left")
	}
}

// TestHashFieldTTLCopies: COPY on a shard (clone), MOVE (the object
// changes hands) and the flat form across shards keep every field's
// expiry and flag the destination database for the sweep.
func TestHashFieldTTLCopies(t *testing.T) {
	s1, s2 := New(0, 2), New(1, 1)
	src := s1.DB(0)
	var args []string
	for f := range 2000 {
		args = append(args, fmt.Sprint("f", f), fmt.Sprint("v", f))
	}
	hset(src, "h", args...)
	hexpire(t, src, "h", 5000, 0, 0, "f1", "f2", "f1999")
	hexpire(t, src, "h", 1000, 0, 0, "f3")
	check := func(db *DB, key string) {
		t.Helper()
		h, ok := db.Peek([]byte(key))
		if !ok {
			t.Fatalf("%s missing", key)
		}
		for f, want := range map[string]int64{"f1": 5000, "f2": 5000, "f1999": 5000, "f3": 1000, "f4": FieldNoTTL} {
			if got := db.HashFieldExpire(h, []byte(f), 0); got != want {
				t.Fatalf("%s %s: %d, want %d", key, f, got, want)
			}
		}
		if db.HashLen(h) != 2000 {
			t.Fatalf("%s: %d fields", key, db.HashLen(h))
		}
		checkTTLCounts(t, db, key)
		if !db.fieldTTLs {
			t.Fatalf("%s: destination not flagged", key)
		}
	}
	h, _ := src.Peek([]byte("h"))
	src.CopyFrom(src, h, []byte("c"), 0, false, 0)
	check(src, "c")
	other := s1.DB(1)
	h, _ = src.Peek([]byte("c"))
	other.MoveFrom(src, h, []byte("c"), []byte("m"), 0)
	check(other, "m")
	raw, ok := src.Export([]byte("h"), 0, nil)
	if !ok {
		t.Fatal("Export")
	}
	s2.DB(0).ImportAs(raw, []byte("x"), true, 0)
	check(s2.DB(0), "x")
	// The copy's fields expire by themselves.
	for range 1000 {
		s2.Tick(2000, 1, true)
	}
	if h, _ := s2.DB(0).Peek([]byte("x")); s2.DB(0).HashLen(h) != 1999 {
		t.Fatalf("imported copy: %d fields after the sweep", s2.DB(0).HashLen(h))
	}
}

// TestHashFieldTTLModel drives one big hash with random writes, expiries,
// persists and reclaims at a clock that moves forward, against a model,
// checking the TTL bookkeeping at every step.
func TestHashFieldTTLModel(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	rng := rand.New(rand.NewSource(7))
	type fv struct {
		v   string
		exp int64
	}
	model := map[string]fv{}
	key := []byte("h")
	now := int64(1000)
	for i := range 20000 {
		now += int64(rng.Intn(3))
		f := fmt.Sprint("f", rng.Intn(60))
		h, found := db.Lookup(key, now, NoStats)
		if !found {
			for k := range model {
				delete(model, k)
			}
		}
		// The model's view: dead fields are gone.
		for k, e := range model {
			if fieldDead(e.exp, now) {
				delete(model, k)
			}
		}
		switch op := rng.Intn(6); {
		case op == 0 || !found:
			v := fmt.Sprint(rng.Intn(1000), "-", i%7)
			if rng.Intn(4) == 0 {
				v += string(make([]byte, rng.Intn(100)))
			}
			db.HashSet(key, h, found, bs(f, v), HashLimits{Entries: 8, Value: 64}, now)
			model[f] = fv{v, 0}
		case op == 1:
			at := now + int64(rng.Intn(40)) - 5
			cond := []int{0, ExpireNX, ExpireXX, ExpireGT, ExpireLT}[rng.Intn(5)]
			db.HashExpire(key, h, bs(f), at, cond, now, func(int64) {})
			if e, ok := model[f]; ok {
				prev := e.exp
				met := (prev == 0 && cond&(ExpireXX|ExpireGT) == 0) ||
					(prev != 0 && cond&ExpireNX == 0 && !(cond&ExpireGT != 0 && prev >= at) && !(cond&ExpireLT != 0 && prev <= at))
				if met {
					if at <= now {
						delete(model, f)
					} else {
						model[f] = fv{e.v, at}
					}
				}
			}
		case op == 2:
			db.HashPersist(key, h, bs(f), now, func(int64) {})
			if e, ok := model[f]; ok {
				model[f] = fv{e.v, 0}
			}
		case op == 3:
			if db.HashReap(key, h, []byte(f), now) && len(model) != 0 {
				t.Fatalf("op %d: HashReap removed the key, model %v", i, model)
			}
		case op == 4:
			if e, ok := model[f]; ok {
				db.HashSetKeepTTL(key, h, true, []byte(f), []byte(e.v+"+"), HashLimits{Entries: 8, Value: 64}, now)
				model[f] = fv{e.v + "+", e.exp}
			}
		default:
			s.Tick(now, 1, true)
		}
		checkTTLCounts(t, db, "h")
		h, found = db.Lookup(key, now, NoStats)
		got := map[string]string{}
		if found {
			db.HashEach(h, now, func(f, v []byte) bool { got[string(f)] = string(v); return true })
			for f := range got {
				if exp := db.HashFieldExpire(h, []byte(f), now); exp != model[f].exp && !(exp == FieldNoTTL && model[f].exp == 0) {
					t.Fatalf("op %d: %s expires at %d, model %d", i, f, exp, model[f].exp)
				}
			}
		}
		live := 0
		for k, e := range model {
			if fieldDead(e.exp, now) {
				continue
			}
			live++
			if got[k] != e.v {
				t.Fatalf("op %d: %s = %q, model %q", i, k, got[k], e.v)
			}
		}
		if live != len(got) {
			t.Fatalf("op %d: %d live fields, model %d", i, len(got), live)
		}
	}
}
