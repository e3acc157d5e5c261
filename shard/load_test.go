package shard

import (
	"bytes"
	"fmt"
	"testing"
)

// TestLoadString: a new key is stored as SetString stores it (value, TTL,
// counts); a key already there is refused and left as it was.
func TestLoadString(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	now := int64(1_000_000)
	h, ok := db.LoadString([]byte("a"), []byte("12"), 0, now)
	if !ok || !bytes.Equal(db.Value(h), []byte("12")) || db.ExpireAt(h) != 0 || db.Freq(h) != lfuInitVal {
		t.Fatalf("a: stored %v, value %q", ok, db.Value(h))
	}
	h, ok = db.LoadString([]byte("b"), []byte("v"), now+5000, now)
	if !ok || db.ExpireAt(h) != now+5000 || db.ExpiresCount() != 1 || db.Len() != 2 || s.Keys(0) != 2 {
		t.Fatalf("b: stored %v, expiry %d, %d expires, %d keys", ok, db.ExpireAt(h), db.ExpiresCount(), db.Len())
	}
	if _, ok := db.LoadString([]byte("a"), []byte("other"), now+1, now); ok {
		t.Fatal("a key loaded twice")
	}
	h, _ = db.Peek([]byte("a"))
	if !bytes.Equal(db.Value(h), []byte("12")) || db.ExpireAt(h) != 0 || db.ExpiresCount() != 1 {
		t.Fatalf("a changed: %q, expiry %d", db.Value(h), db.ExpireAt(h))
	}
}

// TestReserveKeys: a reserved table takes the keys without splitting;
// under a budget it grows only to what a share of the budget holds.
func TestReserveKeys(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	db.ReserveKeys(20000)
	segs := db.table.SegmentCount()
	if segs < 16 {
		t.Fatalf("%d segments for 20000 keys", segs)
	}
	for i := range 20000 {
		db.LoadString(fmt.Appendf(nil, "key:%d", i), []byte("v"), 0, 1)
	}
	if db.table.SegmentCount() != segs {
		t.Fatalf("the table split from %d to %d segments", segs, db.table.SegmentCount())
	}
	small := New(1, 1)
	small.budget.Store(1 << 20)
	small.DB(0).ReserveKeys(1 << 30)
	if n := small.DB(0).table.SegmentCount(); n > 64 {
		t.Fatalf("%d segments under a 1 MB budget", n)
	}
}
