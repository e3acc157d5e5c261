package shard

import (
	"fmt"
	"math/rand"
	"testing"
)

// TestDBModel drives one database with random writes, appends, TTL changes,
// deletes and lookups, and checks every answer against a Go map.
func TestDBModel(t *testing.T) {
	s := New(0, 2)
	db := s.DB(0)
	type item struct {
		val []byte
		exp int64
	}
	model := map[string]item{}
	rng := rand.New(rand.NewSource(7))
	now := int64(1_000_000)
	value := func() []byte {
		n := rng.Intn(64)
		if rng.Intn(200) == 0 {
			n = 70_000 + rng.Intn(10_000) // beyond the arena's largest cell
		}
		b := make([]byte, n)
		rng.Read(b)
		return b
	}
	for i := 0; i < 300_000; i++ {
		key := []byte(fmt.Sprintf("k%d", rng.Intn(5000)))
		now += int64(rng.Intn(3))
		m, inModel := model[string(key)]
		if inModel && m.exp != 0 && m.exp <= now {
			delete(model, string(key))
			inModel = false
		}
		switch op := rng.Intn(10); {
		case op < 3:
			v := value()
			var exp int64
			if rng.Intn(4) == 0 {
				exp = now + int64(rng.Intn(50))
			}
			db.SetString(key, v, exp, false, EncAuto, now)
			model[string(key)] = item{v, exp}
		case op < 4:
			h, ok := db.Lookup(key, now, 0)
			if ok != inModel {
				t.Fatalf("op %d: Lookup(%s) found=%v, model %v", i, key, ok, inModel)
			}
			if ok {
				add := value()
				old := len(db.Value(h))
				_, v := db.GrowString(key, h, old+len(add))
				copy(v[old:], add)
				m.val = append(append([]byte(nil), m.val...), add...)
				model[string(key)] = m
			}
		case op < 5:
			existed := db.Delete(key)
			_, stillThere := db.Peek(key)
			if stillThere {
				t.Fatalf("op %d: %s still present after Delete", i, key)
			}
			_ = existed
			delete(model, string(key))
		case op < 6 && rng.Intn(2) == 0:
			// SetStringAt keeps the TTL, or declines and changes nothing.
			if h, ok := db.Lookup(key, now, 0); ok {
				v := value()
				if db.SetStringAt(h, key, v, EncAuto, now) {
					m.val = v
					model[string(key)] = m
				} else if h2, _ := db.Lookup(key, now, 0); string(db.Value(h2)) != string(m.val) {
					t.Fatalf("op %d: a declined SetStringAt changed %s", i, key)
				}
			}
		case op < 6:
			if h, ok := db.Lookup(key, now, 0); ok {
				exp := int64(0)
				if rng.Intn(2) == 0 {
					exp = now + 1 + int64(rng.Intn(50))
				}
				h = db.SetExpireAt(h, exp)
				if string(db.Value(h)) != string(m.val) || db.ExpireAt(h) != exp {
					t.Fatalf("op %d: SetExpireAt changed %s", i, key)
				}
				m.exp = exp
				model[string(key)] = m
			}
		default:
			h, ok := db.Lookup(key, now, 0)
			if ok != inModel {
				t.Fatalf("op %d: Lookup(%s) found=%v, model %v", i, key, ok, inModel)
			}
			if ok && string(db.Value(h)) != string(m.val) {
				t.Fatalf("op %d: %s value differs", i, key)
			}
		}
	}
	// Every live model key is present, and the TTL count matches.
	live, withTTL := 0, 0
	for k, m := range model {
		if m.exp != 0 && m.exp <= now {
			continue
		}
		live++
		if m.exp != 0 {
			withTTL++
		}
		h, ok := db.Lookup([]byte(k), now, NoStats)
		if !ok || string(db.Value(h)) != string(m.val) || db.ExpireAt(h) != m.exp {
			t.Fatalf("final: %s wrong", k)
		}
	}
	// Reclaim what expired, then counts must agree exactly.
	for i := 0; i < 100 && db.ExpiresCount() != withTTL; i++ {
		s.Tick(now, 10, true)
	}
	if db.Len() != live || db.ExpiresCount() != withTTL {
		t.Fatalf("Len=%d ExpiresCount=%d, want %d %d", db.Len(), db.ExpiresCount(), live, withTTL)
	}
	if s.Keys(0) != int64(live) {
		t.Fatalf("published keys %d, want %d", s.Keys(0), live)
	}
	db.Flush(0)
	if db.Len() != 0 || s.ArenaUsed() != 0 {
		t.Fatalf("after Flush: Len=%d arena used=%d", db.Len(), s.ArenaUsed())
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	key, val := []byte("key:000000000001"), make([]byte, 100)
	db.SetString(key, val, 0, false, EncAuto, 1)
	allocs := testing.AllocsPerRun(1000, func() {
		h, _ := db.Lookup(key, 2, 0)
		_ = db.Value(h)
		db.SetString(key, val, 0, false, EncAuto, 2)
	})
	if allocs != 0 {
		t.Fatalf("allocs = %v", allocs)
	}
}

// TestGrowStringGreedy grows a string byte by byte past the largest cell:
// the value keeps its bytes, new bytes are zero, and the entry moves only
// a logarithmic number of times.
func TestGrowStringGreedy(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	key := []byte("bits")
	db.SetString(key, []byte("ab"), 0, false, EncRaw, 0)
	h, _ := db.Peek(key)
	moves := 0
	for n := 3; n <= 300000; n++ {
		nh, v := db.GrowStringGreedy(key, h, n)
		if nh != h {
			moves++
			h = nh
		}
		if len(v) != n || string(v[:2]) != "ab" || v[n-1] != 0 {
			t.Fatalf("n=%d: %d bytes", n, len(v))
		}
		v[n-1] = 1
		v[n-1] = 0
	}
	if got, _ := db.Peek(key); got != h {
		t.Fatal("the table does not name the entry")
	}
	if moves > 40 {
		t.Errorf("%d moves", moves)
	}
}

// TestActiveExpireReachesEveryKeyOfASmallTable: one tick of active expiry
// at effort 1 deletes an expired key wherever it sits in a table of one
// segment, and in a table of many segments all expired keys go within a
// few ticks while most of the table is not walked per tick.
func TestActiveExpireReachesEveryKeyOfASmallTable(t *testing.T) {
	for i := 0; i < 20; i++ {
		s := New(0, 1)
		db := s.DB(0)
		db.SetString([]byte(fmt.Sprintf("k%d", i)), []byte("v"), 1000, false, EncAuto, 1)
		db.SetString([]byte("other"), []byte("v"), 0, false, EncAuto, 1)
		db.activeExpire(2000, 1)
		if _, ok := db.Peek([]byte(fmt.Sprintf("k%d", i))); ok {
			t.Fatalf("key %d survived one tick of active expiry", i)
		}
	}
	s := New(0, 1)
	db := s.DB(0)
	for i := 0; i < 50000; i++ {
		exp := int64(0)
		if i%1000 == 0 {
			exp = 1000
		}
		db.SetString([]byte(fmt.Sprintf("k%d", i)), []byte("v"), exp, false, EncAuto, 1)
	}
	ticks := 0
	for ; db.expires > 0 && ticks < 1000; ticks++ {
		db.activeExpire(2000, 1)
	}
	if db.expires != 0 || ticks < 10 {
		t.Errorf("%d expiring keys left after %d ticks (a tick should look at about 160 of 50,000 keys)", db.expires, ticks)
	}
}
