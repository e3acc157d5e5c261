package shard

import (
	"bytes"
	"testing"
)

// TestEntryHeaderSize pins the entry layout's cost: a 10-byte header for
// a key of at most 255 bytes with a value of at most 65535, 16 bytes
// otherwise, and 8 bytes more only for a key with a TTL.
func TestEntryHeaderSize(t *testing.T) {
	db := New(0, 1).DB(0)
	const now = int64(5_000_000)
	db.SetString([]byte("k"), []byte("12345"), 0, false, EncAuto, now) // 10+1+5 = 16
	h, _ := db.Peek([]byte("k"))
	if n := db.sh.arena.Size(h); n != 16 {
		t.Errorf("a 1-byte key with a 5-byte value takes a %d-byte cell, want 16", n)
	}
	db.SetString([]byte("t"), []byte("12345"), now+1000, false, EncAuto, now)
	h, _ = db.Peek([]byte("t"))
	if n := db.sh.arena.Size(h); n != 24 {
		t.Errorf("with a TTL it takes a %d-byte cell, want 24", n)
	}
	// The bench's shapes: "key:N" (10 bytes) and "key:" and 12 digits.
	for _, c := range []struct{ kl, cell int }{{10, 120}, {16, 128}} {
		key := bytes.Repeat([]byte("k"), c.kl)
		db.SetString(key, make([]byte, 100), 0, false, EncAuto, now)
		if n := db.sh.arena.Size(mustPeek(t, db, string(key))); n != c.cell {
			t.Errorf("a %d-byte key with a 100-byte value takes a %d-byte cell, want %d", c.kl, n, c.cell)
		}
	}
	for _, c := range []struct {
		kl, vl int
		exp    int64
		hdr    int
	}{
		{255, 65535, 0, shortHeader}, {256, 0, 0, longHeader}, {1, 65536, 0, longHeader},
		{255, 65535, now + 1, shortHeader}, {256, 1, now + 1, longHeader}, {0, 0, 0, shortHeader},
	} {
		key := bytes.Repeat([]byte("x"), c.kl)
		val := bytes.Repeat([]byte("v"), c.vl)
		db.SetString(key, val, c.exp, false, EncAuto, now)
		h := mustPeek(t, db, string(key))
		b := db.sh.arena.Bytes(h)
		if hdrLen(b) != c.hdr || prefixSize(c.kl, c.vl, c.exp) != keyOff(b) {
			t.Errorf("key %d value %d TTL %v: header %d, key at %d; want %d, %d", c.kl, c.vl, c.exp != 0,
				hdrLen(b), keyOff(b), c.hdr, prefixSize(c.kl, c.vl, c.exp))
		}
		if !bytes.Equal(db.Key(h), key) || !bytes.Equal(db.Value(h), val) || db.ExpireAt(h) != c.exp {
			t.Errorf("key %d value %d: read back a %d-byte key, %d-byte value, TTL %d", c.kl, c.vl,
				len(db.Key(h)), len(db.Value(h)), db.ExpireAt(h))
		}
		db.Delete(key)
	}
}

// TestSetExpireAtMovesEntry adds, changes and removes the TTL of entries
// of every kind (a string, a memcache item, a small and a big hash) and
// checks that the entry keeps everything else and that the table follows
// an entry that had to move.
func TestSetExpireAtMovesEntry(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	const now = int64(5_000_000)
	lim := HashLimits{Entries: 128, Value: 64}
	db.SetString([]byte("str"), []byte("value"), 0, false, EncRaw, now)
	db.MCStore([]byte("mc"), []byte("item"), 42, 7, MCStale, 0, now)
	hb := db.NewHashBuilder(lim)
	hb.Add([]byte("f"), []byte("v"))
	hb.Store([]byte("small"), now)
	hb = db.NewHashBuilder(HashLimits{Entries: 1, Value: 64})
	for i := 0; i < 10; i++ {
		hb.Add([]byte{'f', byte('0' + i)}, []byte("v"))
	}
	hb.Store([]byte("big"), now)

	type snap struct {
		val            string
		typ, enc, freq byte
		access         int64
	}
	take := func(key string) (Handle, snap) {
		t.Helper()
		h, ok := db.Peek([]byte(key))
		if !ok {
			t.Fatalf("%s is gone", key)
		}
		if got := string(db.Key(h)); got != key {
			t.Fatalf("entry of %s has key %q", key, got)
		}
		v := string(db.Value(h))
		if bigEncoding(db.Type(h), db.Encoding(h)) {
			v = "" // an object id
		}
		return h, snap{v, db.Type(h), db.Encoding(h), db.Freq(h), db.AccessTime(h)}
	}
	for _, key := range []string{"str", "mc", "small", "big"} {
		h, before := take(key)
		db.SetFreq(h, 9)
		db.SetAccessTime(h, 1234)
		before.freq, before.access = 9, 1234
		for i, at := range []int64{now + 1000, now + 2000, 0, now + 3000, 0} {
			h, _ = db.Peek([]byte(key))
			nh := db.SetExpireAt(h, at)
			ph, after := take(key)
			if ph != nh {
				t.Fatalf("%s step %d: SetExpireAt returned %x, the table names %x", key, i, nh, ph)
			}
			if after != before {
				t.Fatalf("%s step %d: entry %+v became %+v", key, i, before, after)
			}
			if got := db.ExpireAt(nh); got != at {
				t.Fatalf("%s step %d: TTL %d, want %d", key, i, got, at)
			}
			if want := map[bool]int{true: 1, false: 0}[at != 0]; db.ExpiresCount() != want {
				t.Fatalf("%s step %d: %d keys with a TTL, want %d", key, i, db.ExpiresCount(), want)
			}
		}
	}
	it, st := db.MCLookup([]byte("mc"), now, NoTouch)
	if st != MCHit || !it.Meta || it.Flags != 42 || it.CAS != 7 || it.Bits != MCStale {
		t.Errorf("memcache item after TTL changes: %v %+v", st, it)
	}
	if got := db.HashLen(mustPeek(t, db, "big")); got != 10 {
		t.Errorf("big hash has %d fields after TTL changes, want 10", got)
	}

	// A TTL added back where one was removed fits in the cell: no move.
	h := mustPeek(t, db, "str")
	h = db.SetExpireAt(h, now+1)
	h = db.SetExpireAt(h, 0)
	if nh := db.SetExpireAt(h, now+1); nh != h {
		t.Error("a TTL added back moved the entry")
	}
	if !db.IsExpired(mustPeek(t, db, "str"), now+1) {
		t.Error("the entry is not expired at its TTL")
	}
}

func mustPeek(t *testing.T, db *DB, key string) Handle {
	t.Helper()
	h, ok := db.Peek([]byte(key))
	if !ok {
		t.Fatalf("%s is gone", key)
	}
	return h
}

// TestTTLKeepsMemcacheBits checks that the memcache item bits and the TTL
// flag share the flags byte without clobbering each other.
func TestTTLKeepsMemcacheBits(t *testing.T) {
	db := New(0, 1).DB(0)
	const now = int64(5_000_000)
	h := db.MCStore([]byte("m"), []byte("v"), 1, 2, MCFetched, now+5000, now)
	db.MCSetBits(h, MCWon)
	h = db.MCSetMeta([]byte("m"), h, 3, 4, MCStale|MCWon)
	if db.ExpireAt(h) != now+5000 {
		t.Fatalf("TTL %d after item bit changes, want %d", db.ExpireAt(h), now+5000)
	}
	h = db.MCConcat([]byte("m"), h, bytes.Repeat([]byte("x"), 100), false, 5, now)
	it, _ := db.MCLookup([]byte("m"), now, 0)
	if it.ExpireAt != now+5000 || it.Bits != 0 || it.Flags != 3 || it.CAS != 5 || len(db.Value(h)) != 101 {
		t.Errorf("after append: %+v, value %d bytes", it, len(db.Value(h)))
	}
}
