package shard

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"
)

// TestEntryFormsModel drives entries whose key and value lengths sit on
// either side of the short header's limits (keys of 255 and 256 bytes,
// values of 65535 and 65536) through every write that changes an entry's
// layout: rewrites, growth in place and by moving (GrowString,
// GrowStringGreedy, storeValue, MCConcat), TTLs added and removed,
// memcache trailers, copies and exports to another shard. It checks every
// key against a model after each step.
func TestEntryFormsModel(t *testing.T) {
	rng := rand.New(rand.NewSource(16))
	entryFormsModel(t, 3000, rng.Intn)
}

// FuzzEntryForms is TestEntryFormsModel with the fuzzer choosing the
// steps: each byte picks the next choice.
func FuzzEntryForms(f *testing.F) {
	f.Add([]byte{0, 3, 5, 7, 1, 2, 4, 6, 8, 9, 10, 11, 0, 5, 6, 1, 3, 3, 3, 3})
	f.Add([]byte("\x00\x05\x06\x00\x03\x05\x00\x08\x09\x01\x0a\x02\x07\x01\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 600 {
			data = data[:600] // a step moves up to 70 KB: keep a run short
		}
		entryFormsModel(t, len(data), func(n int) int {
			if len(data) == 0 {
				return 0
			}
			c := int(data[0])
			data = data[1:]
			return c % n
		})
	})
}

// entryFormsModel runs steps steps of the model, next(n) choosing a number
// in [0, n) at each choice.
func entryFormsModel(t *testing.T, steps int, next func(n int) int) {
	s := New(0, 2)
	db := s.DB(0)
	other := New(1, 2).DB(0) // Export and ImportAs cross shards
	type item struct {
		val   []byte
		exp   int64
		mc    bool // carries a memcache trailer
		flags uint32
		cas   uint64
	}
	model := map[string]*item{}
	const now = int64(9_000_000)

	keyLens := []int{1, 16, 254, 255, 256, 300}
	var keys [][]byte
	for i := 0; i < 24; i++ {
		k := []byte(fmt.Sprintf("k%d:", i))
		k = append(k, bytes.Repeat([]byte{'x'}, keyLens[i%len(keyLens)]-min(len(k), keyLens[i%len(keyLens)]))...)
		keys = append(keys, k[:keyLens[i%len(keyLens)]])
	}
	valLens := []int{0, 7, 100, 65000, 65530, 65535, 65536, 70000}
	fill := 0
	value := func(n int) []byte {
		b := make([]byte, n)
		fill++
		for i := range b {
			b[i] = byte(fill*131 + i*7 + i>>8)
		}
		return b
	}
	growth := func() int {
		return []int{1, 5, 6, 9, 600}[next(5)]
	}
	ttl := func() int64 {
		if next(2) == 0 {
			return 0
		}
		return now + 1000 + int64(next(1000))
	}
	var cas uint64
	check := func(step int, op string, key []byte) {
		t.Helper()
		m := model[string(key)]
		h, ok := db.Peek(key)
		if ok != (m != nil) {
			t.Fatalf("step %d (%s): key of %d bytes found %v, model %v", step, op, len(key), ok, m != nil)
		}
		if !ok {
			return
		}
		b := db.sh.arena.Bytes(h)
		if entryEnd(b) > len(b) || (b[offFlags]&flagLong == 0 && isLong(len(key), len(m.val))) {
			t.Fatalf("step %d (%s): entry of %d bytes in a %d-byte cell, long %v", step, op, entryEnd(b), len(b), b[offFlags]&flagLong != 0)
		}
		if !bytes.Equal(db.Key(h), key) {
			t.Fatalf("step %d (%s): key %q read back as %q", step, op, key, db.Key(h))
		}
		if got := db.Value(h); !bytes.Equal(got, m.val) {
			t.Fatalf("step %d (%s): key of %d bytes: value of %d bytes read back as %d bytes", step, op, len(key), len(m.val), len(got))
		}
		if db.ExpireAt(h) != m.exp || db.Type(h) != TypeString {
			t.Fatalf("step %d (%s): TTL %d type %d, want %d, string", step, op, db.ExpireAt(h), db.Type(h), m.exp)
		}
		it, st := db.MCLookup(key, now, NoTouch|NoStats)
		if st != MCHit || it.Meta != m.mc || (m.mc && (it.Flags != m.flags || it.CAS != m.cas)) {
			t.Fatalf("step %d (%s): memcache item %v %+v, want meta %v flags %d cas %d", step, op, st, it, m.mc, m.flags, m.cas)
		}
	}
	for step := 0; step < steps; step++ {
		key := keys[next(len(keys))]
		m := model[string(key)]
		h, _ := db.Peek(key)
		var op string
		switch r := next(12); {
		case r < 2 || m == nil:
			op = "set"
			v, exp := value(valLens[next(len(valLens))]), ttl()
			db.SetString(key, v, exp, false, EncAuto, now)
			model[string(key)] = &item{val: v, exp: exp}
		case r == 2:
			op = "mcstore"
			v, exp := value(valLens[next(len(valLens))]), ttl()
			cas++
			f := uint32(next(1<<16))<<8 | 1
			db.MCStore(key, v, f, cas, 0, exp, now)
			model[string(key)] = &item{val: v, exp: exp, mc: true, flags: f, cas: cas}
		case r == 3 || r == 4:
			op = "grow"
			add := value(growth())
			old := len(m.val)
			var v []byte
			if r == 3 {
				_, v = db.GrowString(key, h, old+len(add))
			} else {
				op = "greedy"
				_, v = db.GrowStringGreedy(key, h, old+len(add))
			}
			copy(v[old:], add)
			h, _ = db.Peek(key)
			db.SetEncoding(h, EncRaw) // as APPEND does: the trailer goes
			m.val = append(m.val, add...)
			m.mc = false
		case r == 5:
			op = "mcconcat"
			data := value(growth())
			prepend := next(2) == 0
			cas++
			db.MCConcat(key, h, data, prepend, cas, now)
			if prepend {
				m.val = append(data, m.val...)
			} else {
				m.val = append(m.val, data...)
			}
			if !m.mc {
				m.flags = 0
			}
			m.mc, m.cas = true, cas
		case r == 6:
			op = "mcsetmeta"
			cas++
			f := uint32(next(1<<16))<<8 | 1
			db.MCSetMeta(key, h, f, cas, MCFetched)
			m.mc, m.flags, m.cas = true, f, cas
		case r == 7:
			op = "expire"
			at := ttl()
			db.SetExpireAt(h, at)
			m.exp = at
		case r == 8:
			op = "store"
			add := value(growth())
			if next(2) == 0 {
				// Edited in place, in the room reserveValue made.
				h = db.reserveValue(key, h, len(add))
				nv := append(db.valueRoom(h), add...)
				db.storeValue(key, h, nv, EncRaw)
			} else {
				nv := append(append([]byte(nil), db.Value(h)...), add...)
				db.storeValue(key, h, nv, EncRaw)
			}
			m.val = append(m.val, add...)
			m.mc = false
		case r == 9:
			op = "copy"
			dst := keys[next(len(keys))]
			if bytes.Equal(dst, key) {
				continue
			}
			exp := ttl()
			db.CopyFrom(db, h, dst, exp, next(2) == 0, now)
			c := *m
			c.val, c.exp = append([]byte(nil), m.val...), exp
			model[string(dst)] = &c
			check(step, op, dst)
		case r == 10:
			op = "export"
			raw, _ := db.Export(key, now, nil)
			other.ImportAs(raw, []byte("there"), true, now)
			dst := keys[next(len(keys))]
			raw, _ = other.Export([]byte("there"), now, nil)
			other.Delete([]byte("there"))
			db.ImportAs(raw, dst, next(2) == 0, now)
			c := *m
			c.val = append([]byte(nil), m.val...)
			model[string(dst)] = &c
			check(step, op, dst)
		default:
			op = "delete"
			db.Delete(key)
			delete(model, string(key))
		}
		check(step, op, key)
		if step%200 == 0 {
			for _, k := range keys {
				check(step, "all", k)
			}
			expires := 0
			for _, m := range model {
				if m.exp != 0 {
					expires++
				}
			}
			if db.Len() != len(model) || db.ExpiresCount() != expires {
				t.Fatalf("step %d: %d keys, %d with a TTL; model %d, %d", step, db.Len(), db.ExpiresCount(), len(model), expires)
			}
		}
	}
}

// TestEntryWidensInPlace grows a short entry across the short header's
// value limit in a cell with room to spare (left by a longer value that
// was replaced), with and without a TTL and a memcache trailer: the
// header widens where it is, and everything else of the entry stays.
func TestEntryWidensInPlace(t *testing.T) {
	db := New(0, 1).DB(0)
	const now = int64(9_000_000)
	for _, c := range []struct {
		name string
		exp  int64
		mc   bool
	}{{"plain", 0, false}, {"ttl", now + 5000, false}, {"mc", 0, true}, {"mc+ttl", now + 5000, true}} {
		key := []byte(c.name)
		db.SetString(key, make([]byte, 70_000), 0, false, EncAuto, now)
		val := bytes.Repeat([]byte("a"), maxShortVal)
		if c.mc {
			db.MCStore(key, val, 77, 88, 0, c.exp, now)
		} else {
			db.SetString(key, val, c.exp, false, EncAuto, now)
		}
		h := mustPeek(t, db, c.name)
		if b := db.sh.arena.Bytes(h); b[offFlags]&flagLong != 0 {
			t.Fatalf("%s: a 65535-byte value took the long header", c.name)
		}
		db.SetFreq(h, 33)
		db.SetAccessTime(h, 4444)
		var nh Handle
		if c.mc {
			nh = db.MCConcat(key, h, []byte("b"), false, 99, now)
		} else {
			var v []byte
			nh, v = db.GrowString(key, h, maxShortVal+1)
			v[maxShortVal] = 'b'
		}
		if nh != h {
			t.Errorf("%s: the entry moved though its cell had room", c.name)
		}
		b := db.sh.arena.Bytes(nh)
		want := append(val, 'b')
		if b[offFlags]&flagLong == 0 || !bytes.Equal(db.Value(nh), want) || !bytes.Equal(db.Key(nh), key) {
			t.Fatalf("%s: long %v, value of %d bytes, key %q", c.name, b[offFlags]&flagLong != 0, len(db.Value(nh)), db.Key(nh))
		}
		if db.ExpireAt(nh) != c.exp || db.Freq(nh) != 33 || (!c.mc && db.AccessTime(nh) != 4444) {
			t.Errorf("%s: TTL %d freq %d access %d after widening", c.name, db.ExpireAt(nh), db.Freq(nh), db.AccessTime(nh))
		}
		if c.mc {
			it, _ := db.MCLookup(key, now, NoTouch|NoStats)
			if !it.Meta || it.Flags != 77 || it.CAS != 99 {
				t.Errorf("%s: memcache item %+v after widening", c.name, it)
			}
		}
		// The TTL comes and goes in the long form too.
		nh = db.SetExpireAt(nh, now+9000)
		nh = db.SetExpireAt(nh, 0)
		if db.ExpireAt(nh) != 0 || !bytes.Equal(db.Value(nh), want) || !bytes.Equal(db.Key(nh), key) {
			t.Errorf("%s: after a TTL came and went: TTL %d, value of %d bytes", c.name, db.ExpireAt(nh), len(db.Value(nh)))
		}
	}
}
