package shard

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"
)

var ttlSetLim = SetLimits{IntsetEntries: 512, ListpackEntries: 128, ListpackValue: 64}
var ttlZLim = ZSetLimits{Entries: 128, Value: 64}

// mexpire runs MemberExpire on member of key, looked up at now.
func mexpire(t *testing.T, db *DB, key, member string, at, now int64) int64 {
	t.Helper()
	h, ok := db.Lookup([]byte(key), now, NoStats)
	if !ok {
		t.Fatalf("mexpire: no key %s", key)
	}
	return db.MemberExpire([]byte(key), h, []byte(member), at, now)
}

// mexpireAt returns MemberExpireAt of member of key without reclaiming.
func mexpireAt(t *testing.T, db *DB, key, member string, now int64) int64 {
	t.Helper()
	h, ok := db.Peek([]byte(key))
	if !ok {
		return FieldNone
	}
	return db.MemberExpireAt(h, []byte(member), now)
}

// checkMemberTTLs checks the bookkeeping of the set or sorted set under
// key: every expiry names a live member and has a heap mark with the same
// expiry, and the heap is a min-heap.
func checkMemberTTLs(t *testing.T, db *DB, key string) {
	t.Helper()
	h, ok := db.Peek([]byte(key))
	if !ok {
		return
	}
	m := db.memberTTLsOf(db.sh.arena.Bytes(h))
	if m == nil {
		return
	}
	if len(m.at) == 0 {
		t.Fatalf("%s: an empty memberTTLs is kept", key)
	}
	live := map[uint64]bool{}
	switch v := db.object(h).(type) {
	case *setTable:
		v.t.ForEach(func(r uint64) bool { live[r] = true; return true })
	case *zsetBig:
		v.t.ForEach(func(r uint64) bool { live[r] = true; return true })
	}
	marks := map[ttlMark]bool{}
	for i, x := range m.heap {
		marks[x] = true
		if i > 0 && m.heap[(i-1)/2].at > x.at {
			t.Fatalf("%s: heap order broken at %d", key, i)
		}
	}
	for ref, at := range m.at {
		if !live[ref] {
			t.Fatalf("%s: an expiry for ref %x, which names no member", key, ref)
		}
		if !marks[ttlMark{at, ref}] {
			t.Fatalf("%s: expiry %d of ref %x has no heap mark", key, at, ref)
		}
	}
}

// TestMemberTTLSet: a member TTL converts a small set, answers as KeyDB
// (1 set, 0 no such member), a dead member is gone from every read once
// the key is looked up, a time not in the future removes the member at
// once, removal and re-adding clears the TTL, SADD of a present member
// keeps it, and a set whose last member dies loses its key.
func TestMemberTTLSet(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	sadd(db, ttlSetLim, "s", "1", "2", "3", "4")
	if got := mexpire(t, db, "s", "1", 1000, 500); got != FieldSet {
		t.Fatalf("MemberExpire: %d", got)
	}
	if got := mexpire(t, db, "s", "zz", 1000, 500); got != FieldNone {
		t.Fatalf("MemberExpire of a missing member: %d", got)
	}
	h, _ := db.Peek([]byte("s"))
	if db.Encoding(h) != EncHashtable {
		t.Fatalf("a member TTL left encoding %d", db.Encoding(h))
	}
	if !db.fieldTTLs || !db.HasMemberTTLs(h) {
		t.Fatal("member TTL not flagged")
	}
	for m, want := range map[string]int64{"1": 1000, "2": FieldNoTTL, "zz": FieldNone} {
		if got := mexpireAt(t, db, "s", m, 900); got != want {
			t.Fatalf("MemberExpireAt(%s): %d, want %d", m, got, want)
		}
	}
	// Alive at its expiry (exp < now is dead, as for hash fields).
	if got := setContent(t, db, "s"); len(got) != 4 {
		t.Fatalf("at 0: %v", got)
	}
	if h, ok := db.Lookup([]byte("s"), 1000, NoStats); !ok || !db.SetHas(h, []byte("1")) {
		t.Fatal("member 1 dead at its expiry")
	}
	// SADD of the present member keeps its TTL.
	sadd(db, ttlSetLim, "s", "1")
	if got := mexpireAt(t, db, "s", "1", 900); got != 1000 {
		t.Fatalf("after SADD of a present member: %d", got)
	}
	before := s.Stats.ExpiredFields.Load()
	h, ok := db.Lookup([]byte("s"), 1001, NoStats)
	if !ok || db.SetHas(h, []byte("1")) || db.SetLen(h) != 3 {
		t.Fatalf("after the expiry: ok %v, len %d", ok, db.SetLen(h))
	}
	if s.Stats.ExpiredFields.Load() != before+1 {
		t.Fatal("the reclaimed member was not counted")
	}
	if db.HasMemberTTLs(h) {
		t.Fatal("no TTL left, but the set still holds its memberTTLs")
	}
	// A time not in the future removes the member at once.
	if got := mexpire(t, db, "s", "2", 1001, 1001); got != FieldDeletedAt {
		t.Fatalf("expiry at now: %d", got)
	}
	// Remove and re-add: no TTL.
	mexpire(t, db, "s", "3", 5000, 1001)
	h, _ = db.Peek([]byte("s"))
	db.SetRemove([]byte("s"), h, bs("3"))
	sadd(db, ttlSetLim, "s", "3")
	if got := mexpireAt(t, db, "s", "3", 1001); got != FieldNoTTL {
		t.Fatalf("a re-added member: %d", got)
	}
	checkMemberTTLs(t, db, "s")
	// Every member dies: the key goes on the next lookup.
	mexpire(t, db, "s", "3", 2000, 1001)
	mexpire(t, db, "s", "4", 3000, 1001)
	if _, ok := db.Lookup([]byte("s"), 2500, NoStats); !ok {
		t.Fatal("key gone with member 4 alive")
	}
	if _, ok := db.Lookup([]byte("s"), 3001, NoStats); ok {
		t.Fatal("a set of dead members still found")
	}
	if _, ok := db.Peek([]byte("s")); ok {
		t.Fatal("the key of a set of dead members was not deleted")
	}
	// Deleting the last member by MemberExpire removes the key.
	sadd(db, ttlSetLim, "one", "x")
	if got := mexpire(t, db, "one", "x", 1, 10); got != FieldDeletedAt {
		t.Fatalf("past expiry of the only member: %d", got)
	}
	if _, ok := db.Peek([]byte("one")); ok {
		t.Fatal("the emptied set kept its key")
	}
}

// TestMemberTTLSetPops: SPOP with a count keeps the TTLs of the members
// left (no rebuild of the remainder), SMOVE-like remove and add drop the
// TTL, and SetRandom never meets a dead member.
func TestMemberTTLSetPops(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	var ms []string
	for i := range 300 {
		ms = append(ms, fmt.Sprint("m", i))
	}
	sadd(db, ttlSetLim, "p", ms...)
	for _, m := range ms {
		mexpire(t, db, "p", m, 10000, 0)
	}
	h, _ := db.Peek([]byte("p"))
	rnd := rand.New(rand.NewSource(1))
	n := 0
	db.SetPopMany([]byte("p"), h, 290, ttlSetLim, rnd.Uint64, func([]byte) { n++ })
	h, _ = db.Peek([]byte("p"))
	if n != 290 || db.SetLen(h) != 10 || db.Encoding(h) != EncHashtable {
		t.Fatalf("popped %d, left %d, encoding %d", n, db.SetLen(h), db.Encoding(h))
	}
	db.SetEach(h, func(m []byte) bool {
		if got := db.MemberExpireAt(h, m, 0); got != 10000 {
			t.Fatalf("member %s left by SPOP: expiry %d", m, got)
		}
		return true
	})
	checkMemberTTLs(t, db, "p")
	// Half die: random draws see only the living.
	i := 0
	db.SetEach(h, func(m []byte) bool {
		if i%2 == 0 {
			db.object(h).(*setTable).setTTL(db.setRefOf(h, m), 500)
		}
		i++
		return true
	})
	h, ok := db.Lookup([]byte("p"), 600, NoStats)
	if !ok || db.SetLen(h) != 5 {
		t.Fatalf("after half died: %d", db.SetLen(h))
	}
	for range 100 {
		m := db.SetRandom(h, rnd.Uint64, nil)
		if db.MemberExpireAt(h, m, 600) != 10000 {
			t.Fatalf("a random draw met %s", m)
		}
	}
	checkMemberTTLs(t, db, "p")
}

// setRefOf returns the table handle of member m of the big set h.
func (db *DB) setRefOf(h Handle, m []byte) uint64 {
	r, _ := db.object(h).(*setTable).ref(m)
	return r
}

// TestMemberTTLZSet: the sorted-set half: conversion, replies, a score
// update keeps the TTL, removal (one member, a rank range) clears it, a
// dead member leaves ranks and counts, and the last member's death
// removes the key.
func TestMemberTTLZSet(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	zadd(db, "z", ttlZLim, zpair{"a", 1}, zpair{"b", 2}, zpair{"c", 3}, zpair{"d", 4})
	if got := mexpire(t, db, "z", "b", 1000, 0); got != FieldSet {
		t.Fatalf("MemberExpire: %d", got)
	}
	if got := mexpire(t, db, "z", "nope", 1000, 0); got != FieldNone {
		t.Fatalf("MemberExpire of a missing member: %d", got)
	}
	h, _ := db.Peek([]byte("z"))
	if db.Encoding(h) != EncSkiplist {
		t.Fatalf("a member TTL left encoding %d", db.Encoding(h))
	}
	// A score update keeps the TTL.
	zadd(db, "z", ttlZLim, zpair{"b", 10})
	if got := mexpireAt(t, db, "z", "b", 0); got != 1000 {
		t.Fatalf("after a score update: %d", got)
	}
	h, ok := db.Lookup([]byte("z"), 1001, NoStats)
	if !ok {
		t.Fatal("key gone")
	}
	got := zsetContent(t, db, "z")
	if fmt.Sprint(got) != "[{a 1} {c 3} {d 4}]" {
		t.Fatalf("after b died: %v", got)
	}
	z := db.OpenZSet([]byte("z"), h)
	if r, _, ok := z.Rank([]byte("d")); !ok || r != 2 {
		t.Fatalf("rank of d: %d %v", r, ok)
	}
	// ZREM and re-add: no TTL.
	mexpire(t, db, "z", "a", 5000, 1001)
	h, _ = db.Peek([]byte("z"))
	z = db.OpenZSet([]byte("z"), h)
	z.Remove([]byte("a"))
	zadd(db, "z", ttlZLim, zpair{"a", 1})
	if got := mexpireAt(t, db, "z", "a", 1001); got != FieldNoTTL {
		t.Fatalf("a re-added member: %d", got)
	}
	// A rank range removal forgets the TTLs it removes.
	mexpire(t, db, "z", "a", 5000, 1001)
	mexpire(t, db, "z", "c", 6000, 1001)
	h, _ = db.Peek([]byte("z"))
	z = db.OpenZSet([]byte("z"), h)
	z.RemoveRange(0, 1) // a, c
	if db.HasMemberTTLs(h) {
		t.Fatal("TTLs of removed members kept")
	}
	checkMemberTTLs(t, db, "z")
	// A past time removes at once; the last member's removal drops the key.
	if got := mexpire(t, db, "z", "d", 1, 1001); got != FieldDeletedAt {
		t.Fatalf("past expiry: %d", got)
	}
	if _, ok := db.Peek([]byte("z")); ok {
		t.Fatal("the emptied sorted set kept its key")
	}
	// Dying members of a sorted set.
	zadd(db, "y", ttlZLim, zpair{"a", 1}, zpair{"b", 2})
	mexpire(t, db, "y", "a", 100, 0)
	mexpire(t, db, "y", "b", 200, 0)
	if _, ok := db.Lookup([]byte("y"), 201, 0); ok {
		t.Fatal("a sorted set of dead members still found")
	}
	if _, ok := db.Peek([]byte("y")); ok {
		t.Fatal("its key was not deleted")
	}
}

// TestMemberTTLSweep: the sweep reclaims the dead members of sets and
// sorted sets nobody reads (among strings and hashes), removes the keys
// of those left empty, and drops the database's flag once none is left.
func TestMemberTTLSweep(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	for i := range 300 {
		db.SetString([]byte(fmt.Sprint("str", i)), []byte("x"), 0, false, EncAuto, 0)
	}
	const n = 200
	size := func(i int) int {
		if i%25 == 0 {
			return 3000
		}
		return 5
	}
	for i := range n {
		var ms []string
		for j := range size(i) {
			ms = append(ms, fmt.Sprint("m", j))
		}
		k := fmt.Sprint("k", i)
		if i%2 == 0 {
			sadd(db, ttlSetLim, k, ms...)
		} else {
			var ps []zpair
			for j, m := range ms {
				ps = append(ps, zpair{m, float64(j)})
			}
			zadd(db, k, ttlZLim, ps...)
		}
		keep := i % 3 // members without a TTL
		for _, m := range ms[keep:] {
			mexpire(t, db, k, m, 1000+int64(i), 0)
		}
		if i%7 == 0 {
			mexpire(t, db, k, ms[len(ms)-1], 1<<40, 0) // a far one
		}
	}
	count := func(h Handle) int {
		if db.Type(h) == TypeSet {
			return db.SetLen(h)
		}
		z := db.OpenZSet(nil, h)
		return z.Len()
	}
	want := func(i int) int {
		w := i % 3
		if i%7 == 0 {
			w++
		}
		return w
	}
	for range 50 {
		s.Tick(500, 1, true)
	}
	if db.Len() != 300+n {
		t.Fatalf("%d keys before any expiry", db.Len())
	}
	ticks := 0
	for ; ticks < 10000; ticks++ {
		s.Tick(5000, 1, true)
		left := 0
		for i := range n {
			if h, ok := db.Peek([]byte(fmt.Sprint("k", i))); ok && count(h) > want(i) {
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
		k := fmt.Sprint("k", i)
		h, ok := db.Peek([]byte(k))
		if ok != (want(i) > 0) {
			t.Fatalf("%s: present %v, want %v", k, ok, want(i) > 0)
		}
		if ok && count(h) != want(i) {
			t.Fatalf("%s: %d members left, want %d", k, count(h), want(i))
		}
		checkMemberTTLs(t, db, k)
	}
	// Remove the far members: a full pass then drops the flag.
	for i := 0; i < n; i += 7 {
		k := []byte(fmt.Sprint("k", i))
		h, _ := db.Peek(k)
		m := []byte(fmt.Sprint("m", size(i)-1))
		if db.Type(h) == TypeSet {
			db.SetRemove(k, h, [][]byte{m})
		} else {
			z := db.OpenZSet(k, h)
			z.Remove(m)
		}
	}
	for range 10000 {
		s.Tick(5000, 1, true)
		if !db.fieldTTLs {
			break
		}
	}
	if db.fieldTTLs {
		t.Fatal("the flag stayed up with no member TTL left")
	}
}

// TestMemberTTLCopies: COPY (clone), MOVE (the object changes hands) and
// the flat form across shards keep every member's expiry and flag the
// destination; the copies' members then expire by themselves; deleting
// everything gives back every arena byte.
func TestMemberTTLCopies(t *testing.T) {
	s1, s2 := New(0, 2), New(1, 1)
	start1, start2 := s1.ArenaUsed(), s2.ArenaUsed()
	src := s1.DB(0)
	var ms []string
	var ps []zpair
	for i := range 2000 {
		ms = append(ms, fmt.Sprint("m", i))
		ps = append(ps, zpair{fmt.Sprint("m", i), float64(i % 17)})
	}
	sadd(src, ttlSetLim, "s", ms...)
	zadd(src, "z", ttlZLim, ps...)
	for _, k := range []string{"s", "z"} {
		for _, m := range []string{"m1", "m2", "m1999"} {
			mexpire(t, src, k, m, 5000, 0)
		}
		mexpire(t, src, k, "m3", 1000, 0)
	}
	check := func(db *DB, key string) {
		t.Helper()
		for m, want := range map[string]int64{"m1": 5000, "m2": 5000, "m1999": 5000, "m3": 1000, "m4": FieldNoTTL} {
			if got := mexpireAt(t, db, key, m, 0); got != want {
				t.Fatalf("%s %s: %d, want %d", key, m, got, want)
			}
		}
		checkMemberTTLs(t, db, key)
		if !db.fieldTTLs {
			t.Fatalf("%s: destination not flagged", key)
		}
	}
	for _, k := range []string{"s", "z"} {
		h, _ := src.Peek([]byte(k))
		src.CopyFrom(src, h, []byte(k+"c"), 0, false, 0)
		check(src, k+"c")
		h, _ = src.Peek([]byte(k + "c"))
		s1.DB(1).MoveFrom(src, h, []byte(k+"c"), []byte(k+"m"), 0)
		check(s1.DB(1), k+"m")
		raw, ok := src.Export([]byte(k), 0, nil)
		if !ok {
			t.Fatal("Export")
		}
		s2.DB(0).ImportAs(raw, []byte(k+"x"), true, 0)
		check(s2.DB(0), k+"x")
	}
	// The copies' members expire by themselves, unread.
	for range 1000 {
		s1.Tick(2000, 1, true)
		s2.Tick(2000, 1, true)
	}
	for _, c := range []struct {
		db  *DB
		key string
	}{{src, "s"}, {src, "z"}, {s1.DB(1), "sm"}, {s1.DB(1), "zm"}, {s2.DB(0), "sx"}, {s2.DB(0), "zx"}} {
		h, _ := c.db.Peek([]byte(c.key))
		n := 0
		if c.db.Type(h) == TypeSet {
			n = c.db.SetLen(h)
		} else {
			z := c.db.OpenZSet(nil, h)
			n = z.Len()
		}
		if n != 1999 {
			t.Fatalf("%s: %d members after the sweep", c.key, n)
		}
		c.db.Delete([]byte(c.key))
	}
	for s1.Lazy() || s2.Lazy() {
		s1.ReclaimLazy()
		s2.ReclaimLazy()
	}
	if s1.ArenaUsed() != start1 || s2.ArenaUsed() != start2 {
		t.Fatalf("arena used %d, %d after deletes; was %d, %d", s1.ArenaUsed(), s2.ArenaUsed(), start1, start2)
	}
}

// TestMemberTTLModel drives a set and a sorted set with random adds,
// removals, expiries and a clock that moves forward, against a model of
// member → expiry, checking the visible members and the bookkeeping at
// every step (many stale heap marks included).
func TestMemberTTLModel(t *testing.T) {
	rnd := rand.New(rand.NewSource(7))
	s := New(0, 1)
	db := s.DB(0)
	type model map[string]int64 // member → expiry (0 none)
	for _, typ := range []byte{TypeSet, TypeZSet} {
		key := "set"
		if typ == TypeZSet {
			key = "zset"
		}
		mod := model{}
		now := int64(1000)
		for step := range 20000 {
			m := fmt.Sprint("m", rnd.Intn(300))
			switch op := rnd.Intn(10); {
			case op < 4:
				if typ == TypeSet {
					sadd(db, ttlSetLim, key, m)
				} else {
					zadd(db, key, ttlZLim, zpair{m, float64(rnd.Intn(50))})
				}
				if _, ok := mod[m]; !ok {
					mod[m] = 0
				}
			case op < 5:
				if h, ok := db.Lookup([]byte(key), now, NoStats); ok {
					if typ == TypeSet {
						db.SetRemove([]byte(key), h, [][]byte{[]byte(m)})
					} else {
						z := db.OpenZSet([]byte(key), h)
						z.Remove([]byte(m))
					}
				}
				delete(mod, m)
			case op < 9:
				h, ok := db.Lookup([]byte(key), now, NoStats)
				if !ok {
					break
				}
				at := now + int64(rnd.Intn(200)) - 20
				got := db.MemberExpire([]byte(key), h, []byte(m), at, now)
				_, has := mod[m]
				switch {
				case !has:
					if got != FieldNone {
						t.Fatalf("step %d: expire of absent %s: %d", step, m, got)
					}
				case at <= now:
					if got != FieldDeletedAt {
						t.Fatalf("step %d: past expire: %d", step, got)
					}
					delete(mod, m)
				default:
					if got != FieldSet {
						t.Fatalf("step %d: expire: %d", step, got)
					}
					mod[m] = at
				}
			default:
				now += int64(rnd.Intn(10))
			}
			for mm, at := range mod {
				if at != 0 && at < now {
					delete(mod, mm)
				}
			}
			h, ok := db.Lookup([]byte(key), now, NoStats)
			if ok != (len(mod) > 0) {
				t.Fatalf("step %d: key present %v, model has %d", step, ok, len(mod))
			}
			if !ok {
				continue
			}
			checkMemberTTLs(t, db, key)
			var got []string
			if typ == TypeSet {
				db.SetEach(h, func(x []byte) bool { got = append(got, string(x)); return true })
			} else {
				z := db.OpenZSet([]byte(key), h)
				z.Range(0, false, func(x []byte, _ float64) bool { got = append(got, string(x)); return true })
			}
			if len(got) != len(mod) {
				t.Fatalf("step %d: %d members, model %d", step, len(got), len(mod))
			}
			if step%97 == 0 {
				sort.Strings(got)
				for _, x := range got {
					at, has := mod[x]
					if !has {
						t.Fatalf("step %d: %s not in the model", step, x)
					}
					want := at
					if at == 0 {
						want = FieldNoTTL
					}
					if e := db.MemberExpireAt(h, []byte(x), now); e != want {
						t.Fatalf("step %d: %s expiry %d, model %d", step, x, e, want)
					}
				}
			}
		}
	}
}

// TestMemberTTLReadsDoNotAllocate: the lookup and reads of a set and a
// sorted set with member TTLs allocate nothing, nor does reclaiming a
// dead member on the way once the buffers are warm.
func TestMemberTTLReadsDoNotAllocate(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	var ms []string
	var ps []zpair
	for i := range 1000 {
		ms = append(ms, fmt.Sprint("m", i))
		ps = append(ps, zpair{fmt.Sprint("m", i), float64(i)})
	}
	sadd(db, ttlSetLim, "s", ms...)
	zadd(db, "z", ttlZLim, ps...)
	for i, m := range ms {
		mexpire(t, db, "s", m, 10000+int64(i), 0)
		mexpire(t, db, "z", m, 10000+int64(i), 0)
	}
	sk, zk, m := []byte("s"), []byte("z"), []byte("m500")
	now := int64(10000)
	allocs := testing.AllocsPerRun(200, func() {
		now++ // one member of each dies per run
		h, ok := db.Lookup(sk, now, NoStats)
		if !ok || !db.SetHas(h, m) && now <= 10500 {
			t.Fatal("set lost")
		}
		h, ok = db.Lookup(zk, now, NoStats)
		if !ok {
			t.Fatal("sorted set lost")
		}
		z := db.OpenZSet(zk, h)
		z.Score(m)
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per lookup and read", allocs)
	}
	h, _ := db.Peek(sk)
	if n := db.SetLen(h); n != 1000-201 {
		t.Fatalf("%d members left", n)
	}
}

// TestMemberTTLsHeap: marks come out in expiry order, stale marks (an
// expiry changed or forgotten) never name a member, and a heap of mostly
// stale marks is rebuilt to the live ones.
func TestMemberTTLsHeap(t *testing.T) {
	rnd := rand.New(rand.NewSource(3))
	m := newMemberTTLs()
	want := map[uint64]int64{}
	for range 100000 {
		ref := uint64(rnd.Intn(100))
		if rnd.Intn(5) == 0 {
			if m.forget(ref) {
				m = newMemberTTLs() // what the owner does with an empty one
			}
			delete(want, ref)
			continue
		}
		at := int64(1 + rnd.Intn(1000))
		m.set(ref, at)
		want[ref] = at
		if len(m.heap) > 2*len(m.at)+65 {
			t.Fatalf("%d marks for %d expiries: no rebuild", len(m.heap), len(m.at))
		}
	}
	var order []int64
	for {
		ref, ok := m.nextDead(1 << 40)
		if !ok {
			break
		}
		if want[ref] == 0 {
			t.Fatalf("ref %d came out without an expiry", ref)
		}
		order = append(order, want[ref])
		delete(want, ref)
		m.forget(ref)
	}
	if len(want) != 0 {
		t.Fatalf("%d expiries never came out", len(want))
	}
	if !sort.SliceIsSorted(order, func(i, j int) bool { return order[i] < order[j] }) {
		t.Fatal("marks out of expiry order")
	}
}
