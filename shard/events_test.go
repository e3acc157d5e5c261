package shard

import (
	"fmt"
	"slices"
	"testing"
)

func TestKeyEvents(t *testing.T) {
	s := New(0, 2)
	var got []string
	s.OnKeyEvent(func(db int, ev KeyEvent, key []byte) { got = append(got, fmt.Sprintf("%d %d %s", db, ev, key)) })
	db, db1 := s.DB(0), s.DB(1)
	const now = 1_000_000
	expect := func(what string, want ...string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s: events %q, want %q", what, got, want)
		}
		got = nil
	}

	db.SetString([]byte("a"), []byte("1"), 0, false, EncAuto, now)
	db.Lookup([]byte("none"), now, 0)
	expect("nothing wanted")

	s.WantKeyEvents(1<<EventNew | 1<<EventExpired | 1<<EventKeyMiss)
	db.SetString([]byte("b"), []byte("1"), 0, false, EncAuto, now)
	db.SetString([]byte("b"), []byte("2"), 0, false, EncAuto, now)
	db1.SetString([]byte("b"), []byte("1"), now+10, false, EncAuto, now)
	expect("new keys", "0 0 b", "1 0 b")

	db.Lookup([]byte("none"), now, 0)
	db.Lookup([]byte("none"), now, NoStats)
	db.Lookup([]byte("none"), now, NoNotify)
	db.Lookup([]byte("b"), now, 0)
	expect("misses", "0 5 none")

	db1.Lookup([]byte("b"), now+10, 0)
	expect("lazy expiry", "1 1 b", "1 5 b")

	db1.SetString([]byte("c"), []byte("1"), now+10, false, EncAuto, now)
	db1.SetString([]byte("c"), []byte("2"), 0, false, EncAuto, now+20)
	expect("a write over an expired key", "1 0 c", "1 1 c", "1 0 c")

	db1.SetString([]byte("d"), []byte("1"), now+10, false, EncAuto, now)
	got = nil
	for i := 0; i < 1000 && got == nil; i++ {
		s.Tick(now+20, 1, true) // a tick walks part of the table
	}
	expect("active expiry", "1 1 d")

	s.WantKeyEvents(1 << EventEvicted)
	s.SetEvictConfig(&EvictConfig{Policy: AllKeysRandom, Samples: 5, Tenacity: 10})
	s.SetBudget(1)
	s.Evict(now + 30)
	slices.Sort(got)
	expect("eviction", "0 2 a", "0 2 b", "1 2 c")
}
