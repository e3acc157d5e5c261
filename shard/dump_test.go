package shard

import (
	"strconv"
	"strings"
	"testing"

	"github.com/anaxdb/anax/container/listpack"
)

// lpOf is a listpack of elems.
func lpOf(elems ...string) []byte {
	l := listpack.New()
	for _, e := range elems {
		l.Append([]byte(e))
	}
	return l.Bytes()
}

// TestRestoreBuildersChooseEncodings checks Redis 7.2's encodings on
// loading: a list of one node within the fill is a listpack, any other a
// quicklist of the nodes given; a hash is a listpack within the limits.
func TestRestoreBuildersChooseEncodings(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	lim := HashLimits{Entries: 2, Value: 5}
	f := func(name string, h Handle, typ, enc byte) {
		t.Helper()
		if db.Type(h) != typ || db.Encoding(h) != enc {
			t.Errorf("%s: type %d encoding %d, want %d %d", name, db.Type(h), db.Encoding(h), typ, enc)
		}
	}

	b := db.NewListBuilder(-2)
	b.AppendNode(lpOf("a", "b"))
	f("one small node", b.Store([]byte("l1"), 1000), TypeList, EncListpack)

	b = db.NewListBuilder(-2)
	b.AppendNode(lpOf("a"))
	b.AppendNode(lpOf("b"))
	h := b.Store([]byte("l2"), 1000)
	f("two nodes", h, TypeList, EncQuicklist)
	if nodes, elems, _, fill, ok := db.QuicklistInfo(h); !ok || nodes != 2 || elems != 2 || fill != -2 {
		t.Errorf("two nodes: QuicklistInfo %d %d %d %v", nodes, elems, fill, ok)
	}

	b = db.NewListBuilder(2)
	for i := range 5 {
		b.PushTail([]byte(strconv.Itoa(i)))
	}
	h = b.Store([]byte("l3"), 1000)
	f("five pushed, fill 2", h, TypeList, EncQuicklist)
	if n := len(db.ListNodes(h, nil)); n != 3 {
		t.Errorf("five pushed, fill 2: %d nodes, want 3", n)
	}

	b = db.NewListBuilder(-2)
	b.AppendNode(lpOf(strings.Repeat("x", 9000)))
	f("one node over the fill", b.Store([]byte("l4"), 1000), TypeList, EncQuicklist)

	hb := db.NewHashBuilder(lim)
	hb.Add([]byte("a"), []byte("1"))
	hb.Add([]byte("b"), []byte("2"))
	f("two short fields", hb.Store([]byte("h1"), 1000), TypeHash, EncListpack)

	hb = db.NewHashBuilder(lim)
	for _, k := range []string{"a", "b", "c"} {
		hb.Add([]byte(k), []byte("v"))
	}
	h = hb.Store([]byte("h2"), 1000)
	f("three fields", h, TypeHash, EncHashtable)
	if db.HashLen(h) != 3 {
		t.Errorf("three fields: HashLen %d", db.HashLen(h))
	}

	hb = db.NewHashBuilder(lim)
	hb.Add([]byte("a"), []byte("longer"))
	f("a long value", hb.Store([]byte("h3"), 1000), TypeHash, EncHashtable)

	// A listpack payload converts by its count only; a ziplist one by its
	// values too (Redis 7.2's loader).
	hb = db.NewHashBuilder(lim)
	hb.SetListpack(lpOf("a", "longer"), false)
	f("listpack with a long value", hb.Store([]byte("h4"), 1000), TypeHash, EncListpack)
	hb = db.NewHashBuilder(lim)
	hb.SetListpack(lpOf("a", "longer"), true)
	f("ziplist with a long value", hb.Store([]byte("h5"), 1000), TypeHash, EncHashtable)
	hb = db.NewHashBuilder(lim)
	hb.SetListpack(lpOf("a", "1", "b", "2", "c", "3"), false)
	f("listpack of three fields", hb.Store([]byte("h6"), 1000), TypeHash, EncHashtable)
}

// TestRestoreBuildersDiscard checks that a discarded value gives back its
// cells.
func TestRestoreBuildersDiscard(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	used := s.arena.Used()
	b := db.NewListBuilder(-2)
	for i := range 5000 {
		b.PushTail([]byte(strconv.Itoa(i)))
	}
	b.Discard()
	hb := db.NewHashBuilder(HashLimits{Entries: 1, Value: 64})
	for i := range 500 {
		hb.Add([]byte(strconv.Itoa(i)), []byte("v"))
	}
	hb.Discard()
	if s.arena.Used() != used {
		t.Errorf("arena used %d after discarding, %d before", s.arena.Used(), used)
	}
	if live, _ := s.BigValues(); live != 0 {
		t.Errorf("%d big values after discarding", live)
	}
}

// TestRestoreWakesBlockedKey checks that storing a restored list or hash
// makes a key with blocked clients ready, as every write does.
func TestRestoreWakesBlockedKey(t *testing.T) {
	s := New(0, 1)
	db := s.DB(0)
	for i, store := range []func(key []byte){
		func(key []byte) {
			b := db.NewListBuilder(-2)
			b.AppendNode(lpOf("a"))
			b.Store(key, 1000)
		},
		func(key []byte) {
			b := db.NewListBuilder(1)
			b.PushTail([]byte("a"))
			b.PushTail([]byte("b"))
			b.Store(key, 1000)
		},
		func(key []byte) {
			b := db.NewHashBuilder(HashLimits{Entries: 128, Value: 64})
			b.Add([]byte("f"), []byte("v"))
			b.Store(key, 1000)
		},
		func(key []byte) {
			b := db.NewHashBuilder(HashLimits{Entries: 0, Value: 64})
			b.Add([]byte("f"), []byte("v"))
			b.Store(key, 1000)
		},
	} {
		key := []byte("k" + strconv.Itoa(i))
		s.Block(0, key, &testWaiter{true})
		store(key)
		if got := drainReady(s); len(got) != 1 || got[0] != "0:"+string(key) {
			t.Errorf("store %d: ready keys %v, want [0:%s]", i, got, key)
		}
	}
}
