package snapshot

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/snapshot/rdb"
)

// loop is a shard's owner goroutine for tests: it runs what Wake gives it.
type loop struct{ ch chan func() }

func (l *loop) Wake(run func()) { l.ch <- run }

// testShards makes n shards of dbs databases, each on a goroutine of its
// own, stopped when the test ends.
func testShards(t testing.TB, n, dbs int) []*shard.Shard {
	shards := make([]*shard.Shard, n)
	for i := range shards {
		l := &loop{ch: make(chan func(), 1024)}
		done := make(chan struct{})
		go func() {
			for {
				select {
				case f := <-l.ch:
					f()
				case <-done:
					return
				}
			}
		}()
		t.Cleanup(func() { close(done) })
		shards[i] = shard.New(i, dbs)
		shards[i].SetWaker(l)
	}
	return shards
}

// on runs fn on shard sh's goroutine and waits for it.
func on(sh *shard.Shard, fn func()) {
	done := make(chan struct{})
	sh.Post(func() { fn(); close(done) })
	<-done
}

var limits = Limits{
	ListFill: -2,
	Hash:     shard.HashLimits{Entries: 128, Value: 64},
	Set:      shard.SetLimits{IntsetEntries: 512, ListpackEntries: 128, ListpackValue: 64},
	ZSet:     shard.ZSetLimits{Entries: 128, Value: 64},
}

// deleteHeldBig deletes the big collections (bigKeys) of sh the walker
// is saving in pieces right now: the write must complete their records
// first. The mutator reaches them too, but rarely, and on a slow machine
// the walker may finish every one between two of its turns.
func deleteHeldBig(sh *shard.Shard) {
	db := sh.DB(0)
	for k := range 4 {
		key := fmt.Appendf(nil, "big%d-%d", sh.ID, k)
		if sh.SnapshotHolds(db, key) {
			db.Delete(key)
		}
	}
}

// mutator changes one shard's keyspace at random: strings set, grown and
// deleted, keys inserted (the table splits), hashes, sets, lists and
// sorted sets edited (some converting to their big encodings), expiries
// set, expired keys reclaimed, a database flushed and two swapped.
type mutator struct {
	sh   *shard.Shard
	rng  *rand.Rand
	next int
}

func (m *mutator) key(db int) []byte {
	if m.rng.IntN(20) == 0 {
		// One of the big collections (bigKeys), now and then.
		return fmt.Appendf(nil, "big%d-%d", m.sh.ID, m.rng.IntN(4))
	}
	return fmt.Appendf(nil, "k%d-%d", m.sh.ID, m.rng.IntN(3000))
}

// bigKeys makes a list, a set, a hash and a sorted set big enough to be
// saved in pieces (bigLen, bigNodes), in database 0 of shard sh.
func bigKeys(sh *shard.Shard, now int64) {
	db := sh.DB(0)
	key := func(i int) []byte { return fmt.Appendf(nil, "big%d-%d", sh.ID, i) }
	l := db.NewList(key(0), now)
	var elems [][]byte
	for i := range 30000 {
		elems = append(elems, fmt.Appendf(nil, "element-%d", i))
	}
	l.Push(elems, false, limits.ListFill)
	for i := 0; i < 3*bigLen; i += 100 {
		var ms, pairs [][]byte
		for k := i; k < i+100; k++ {
			ms = append(ms, fmt.Appendf(nil, "m%d", k))
			pairs = append(pairs, fmt.Appendf(nil, "f%d", k), fmt.Appendf(nil, "v%d", k))
		}
		h, ok := db.Lookup(key(1), now, 0)
		db.SetAdd(key(1), h, ok, ms, limits.Set, now)
		h, ok = db.Lookup(key(2), now, 0)
		db.HashSet(key(2), h, ok, pairs, limits.Hash, now)
		h, ok = db.Lookup(key(3), now, 0)
		var z shard.ZSet
		if ok {
			z = db.OpenZSet(key(3), h)
		} else {
			z = db.NewZSet(key(3), 100, 8, limits.ZSet, now)
		}
		for k, m := range ms {
			z.Add(m, float64(i+k), limits.ZSet)
		}
	}
}

func (m *mutator) step(now int64) {
	db := m.sh.DB(m.rng.IntN(m.sh.NumDB()))
	key := m.key(0)
	switch r := m.rng.IntN(100); {
	case r < 30:
		db.SetString(key, bytes.Repeat([]byte{'v'}, 1+m.rng.IntN(300)), 0, false, shard.EncAuto, now)
	case r < 40:
		db.Delete(key)
	case r < 50:
		m.next++
		db.SetString(fmt.Appendf(nil, "new%d-%d", m.sh.ID, m.next), []byte("x"), 0, false, shard.EncAuto, now)
	case r < 60:
		h, ok := db.Lookup(key, now, 0)
		if ok && db.Type(h) != shard.TypeHash {
			return
		}
		db.HashSet(key, h, ok, [][]byte{fmt.Appendf(nil, "f%d", m.rng.IntN(300)), []byte("value")}, limits.Hash, now)
	case r < 70:
		h, ok := db.Lookup(key, now, 0)
		if ok && db.Type(h) != shard.TypeSet {
			return
		}
		db.SetAdd(key, h, ok, [][]byte{fmt.Appendf(nil, "%d", m.rng.IntN(1000))}, limits.Set, now)
	case r < 78:
		h, ok := db.Lookup(key, now, 0)
		var l shard.List
		switch {
		case !ok:
			l = db.NewList(key, now)
		case db.Type(h) == shard.TypeList:
			l = db.OpenList(key, h)
		default:
			return
		}
		l.Push([][]byte{bytes.Repeat([]byte{'e'}, m.rng.IntN(100))}, m.rng.IntN(2) == 0, limits.ListFill)
	case r < 85:
		h, ok := db.Lookup(key, now, 0)
		var z shard.ZSet
		switch {
		case !ok:
			z = db.NewZSet(key, 1, 8, limits.ZSet, now)
		case db.Type(h) == shard.TypeZSet:
			z = db.OpenZSet(key, h)
		default:
			return
		}
		z.Add(fmt.Appendf(nil, "m%d", m.rng.IntN(400)), float64(m.rng.IntN(50)), limits.ZSet)
	case r < 90:
		if h, ok := db.Lookup(key, now, 0); ok {
			db.SetExpireAt(h, now+int64(m.rng.IntN(10000))) // some expire in Tick below
		}
	case r < 93:
		db.Lookup(fmt.Appendf(nil, "gone%d-%d", m.sh.ID, m.rng.IntN(200)), now, 0) // lazy expiry
	case r < 98:
		m.more(db, key, now)
	case r == 98:
		m.sh.Tick(now+5000, 10, true) // active expiry, field expiry, lazy frees
	case r == 99 && m.rng.IntN(20) == 0:
		if m.rng.IntN(2) == 0 {
			m.sh.DB(3).Flush(now)
		} else {
			m.sh.SwapDB(1, 2, now)
		}
	}
}

// more runs the rarer writes: RENAME and MOVE (MoveFrom), COPY, APPEND
// (GrowString), INCR (SetStringAt), removals from every collection, hash
// field expiry, Memcached items and their flags.
func (m *mutator) more(db *shard.DB, key []byte, now int64) {
	h, ok := db.Lookup(key, now, 0)
	switch r := m.rng.IntN(10); {
	case r < 2 && ok:
		dst := m.sh.DB(m.rng.IntN(m.sh.NumDB()))
		to := m.key(0)
		if dst == db && string(to) == string(key) {
			return
		}
		if r == 0 {
			dst.MoveFrom(db, h, key, to, now)
		} else {
			dst.CopyFrom(db, h, to, db.ExpireAt(h), false, now)
		}
	case !ok:
		if r < 5 {
			db.MCStore(key, []byte("item"), uint32(m.rng.IntN(100)), 0, 0, 0, now)
		}
	case db.Type(h) == shard.TypeString:
		switch r {
		case 2:
			_, v := db.GrowString(key, h, len(db.Value(h))+3)
			copy(v[len(v)-3:], "abc")
		case 3:
			db.SetStringAt(h, key, []byte("7"), shard.EncAuto, now)
		case 4:
			if _, isMC := db.MCFlags(h); isMC {
				db.MCSetMeta(key, h, uint32(m.rng.IntN(1000)), 1, 0)
			}
		}
	case db.Type(h) == shard.TypeHash:
		f := fmt.Appendf(nil, "f%d", m.rng.IntN(300))
		if r < 6 {
			db.HashDelete(key, h, [][]byte{f})
		} else {
			db.HashExpire(key, h, [][]byte{f}, now+int64(m.rng.IntN(10000)), 0, now, func(int64) {})
		}
	case db.Type(h) == shard.TypeSet:
		if r < 6 {
			db.SetRemove(key, h, [][]byte{fmt.Appendf(nil, "%d", m.rng.IntN(1000))})
		} else {
			db.SetPop(key, h, m.rng.Uint64(), nil)
		}
	case db.Type(h) == shard.TypeList:
		l := db.OpenList(key, h)
		l.RemoveEnd(r < 6, 1+m.rng.IntN(3), limits.ListFill)
	case db.Type(h) == shard.TypeZSet:
		z := db.OpenZSet(key, h)
		z.Remove(fmt.Appendf(nil, "m%d", m.rng.IntN(400)))
	}
}

// state reads every entry of a shard as the records AppendEntry makes.
func state(sh *shard.Shard) map[string][]byte {
	out := map[string][]byte{}
	for d := 0; d < sh.NumDB(); d++ {
		db := sh.DB(d)
		db.ForEach(func(h shard.Handle) bool {
			out[fmt.Sprintf("%d/%s", d, db.Key(h))] = AppendEntry(nil, db, h, Format{Compress: true})
			return true
		})
	}
	return out
}

// fileState reads a file as "db/key" → the record AppendEntry would make
// (expiry, type, key, value); a key twice fails the test.
func fileState(t *testing.T, path string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fr, err := rdb.NewFileReader(f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	var it rdb.Item
	var aux []byte // the aux fields that go with the next key
	for {
		err := fr.Next(&it)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if it.Kind == rdb.ItemAux && (string(it.Name) == rdb.AuxMCFlags || string(it.Name) == rdb.AuxHashFieldTTLs) {
			aux = rdb.AppendAux(aux, it.Name, it.AuxValue, true)
		}
		if it.Kind != rdb.ItemKey {
			continue
		}
		rec := aux
		aux = nil
		if it.ExpireMs != 0 {
			rec = rdb.AppendExpireMs(rec, it.ExpireMs)
		}
		rec = rdb.AppendRecordHeader(rec, it.Type, it.Key, true)
		rec = append(rec, it.Value...)
		k := fmt.Sprintf("%d/%s", it.DB, it.Key)
		if _, dup := out[k]; dup {
			t.Fatalf("key %s twice in the file", k)
		}
		out[k] = rec
	}
}

// TestSavePointInTime writes on every shard, all the time, while a save
// walks them: the file must hold exactly each shard's keyspace at the
// moment its snapshot started, whatever changed, moved, expired, split or
// was flushed after.
func TestSavePointInTime(t *testing.T) {
	const n, dbs = 3, 4
	shards := testShards(t, n, dbs)
	now := time.Now().UnixMilli()
	muts := make([]*mutator, n)
	for i, sh := range shards {
		muts[i] = &mutator{sh: sh, rng: rand.New(rand.NewPCG(uint64(i), 7))}
		on(sh, func() {
			for range 20000 {
				muts[i].step(now)
			}
			for d := 0; d < dbs; d++ {
				for k := range 200 {
					sh.DB(d).SetString(fmt.Appendf(nil, "gone%d-%d", i, k), []byte("old"), now-1000, false, shard.EncAuto, now-2000)
				}
			}
		})
	}
	rebuildBig := func() {
		for _, sh := range shards {
			on(sh, func() {
				for k := range 4 {
					sh.DB(0).Delete(fmt.Appendf(nil, "big%d-%d", sh.ID, k))
				}
				bigKeys(sh, now)
			})
		}
	}
	var bigs, forced int64
	defer func() {
		if bigs == 0 || forced == 0 {
			t.Errorf("%d big entries saved in pieces, %d completed by a write: the test missed a path", bigs, forced)
		}
	}()
	for round := range 4 {
		rebuildBig()
		want := make([]map[string][]byte, n)
		var stopWrites atomic.Bool
		var wg sync.WaitGroup
		var writes atomic.Int64
		src := Source{Shards: shards, Start: func(begin func(int)) {
			var sw sync.WaitGroup
			for i, sh := range shards {
				sw.Add(1)
				sh.Post(func() {
					want[i] = state(sh)
					begin(i)
					if round == 3 && i == 0 {
						sh.FlushAll(now) // must not empty the snapshot
					}
					sw.Done()
				})
			}
			sw.Wait()
			// Writers start with the walk: every shard keeps changing.
			for i, sh := range shards {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for !stopWrites.Load() {
						on(sh, func() {
							for range 20 {
								muts[i].step(now)
							}
							deleteHeldBig(sh)
						})
						writes.Add(20)
					}
				}()
			}
		}}
		dir := t.TempDir()
		res, err := Save(src, Options{Dir: dir, Filename: "dump.rdb", Checksum: true, Compress: true})
		stopWrites.Store(true)
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		got := fileState(t, filepath.Join(dir, "dump.rdb"))
		total := 0
		for i := range shards {
			total += len(want[i])
			for k, w := range want[i] {
				g, ok := got[k]
				if !ok {
					t.Fatalf("round %d: key %s of shard %d missing from the file", round, k, i)
				}
				if bytes.Equal(g, w) {
					continue
				}
				// A big set or hash is saved in table-cursor order, not
				// ForEach's: compare contents.
				if cg, cw := canonical(t, g), canonical(t, w); cg != cw {
					t.Fatalf("round %d: key %s: the file holds %.200q, the shard held %.200q", round, k, cg, cw)
				}
			}
		}
		if len(got) != total || res.Keys != int64(total) {
			t.Fatalf("round %d: the file holds %d keys (saved %d), the shards held %d", round, len(got), res.Keys, total)
		}
		t.Logf("round %d: %d keys, %d bytes, %d writes during the save, %d big entries in pieces (%d completed by a write)", round, total, res.Bytes, writes.Load(), res.Big, res.Forced)
		bigs += res.Big
		forced += res.Forced
		if writes.Load() < 1000 {
			t.Errorf("round %d: only %d writes ran during the save", round, writes.Load())
		}
		for _, sh := range shards {
			on(sh, func() {
				if sh.Snapshotting() {
					t.Errorf("shard %d still snapshotting", sh.ID)
				}
			})
		}
	}
}

// TestLoadRoundTrip saves shards and loads the file into fresh ones: every
// entry comes back as it was (its record is the same).
func TestLoadRoundTrip(t *testing.T) {
	const n, dbs = 3, 4
	shards := testShards(t, n, dbs)
	now := time.Now().UnixMilli()
	for i, sh := range shards {
		m := &mutator{sh: sh, rng: rand.New(rand.NewPCG(uint64(i), 9))}
		on(sh, func() {
			for range 10000 {
				m.step(now)
			}
		})
	}
	want := map[string][]byte{}
	for _, sh := range shards {
		on(sh, func() {
			for k, v := range state(sh) {
				want[k] = v
			}
		})
	}
	dir := t.TempDir()
	start := func(shards []*shard.Shard) func(func(int)) {
		return func(begin func(int)) {
			for i, sh := range shards {
				on(sh, func() { begin(i) })
			}
		}
	}
	if _, err := Save(Source{Shards: shards, Start: start(shards)}, Options{Dir: dir, Filename: "dump.rdb", Checksum: true, Compress: true}); err != nil {
		t.Fatal(err)
	}
	fresh := testShards(t, 2, dbs) // another shard count: keys are routed anew
	route := func(key []byte) int { return int(key[len(key)-1] % 2) }
	res, err := LoadFile(Source{Shards: fresh}, filepath.Join(dir, "dump.rdb"), LoadOptions{Limits: limits, Route: route, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]byte{}
	for _, sh := range fresh {
		on(sh, func() {
			for k, v := range state(sh) {
				got[k] = v
			}
		})
	}
	if int(res.Keys) != len(want) || len(got) != len(want) {
		t.Fatalf("loaded %d keys (%d in the shards), saved %d", res.Keys, len(got), len(want))
	}
	for k, w := range want {
		if g, w := canonical(t, got[k]), canonical(t, w); g != w {
			t.Fatalf("key %s: loaded %.200q, saved %.200q", k, g, w)
		}
	}

	// A file cut short fails to load, with the reason.
	b, _ := os.ReadFile(filepath.Join(dir, "dump.rdb"))
	_, err = Load(Source{Shards: testShards(t, 2, dbs)}, bytes.NewReader(b[:len(b)-100]), LoadOptions{Limits: limits, Route: route, Now: now})
	var fe *rdb.FileError
	if !errors.As(err, &fe) {
		t.Fatalf("a truncated file: %v", err)
	}
}

// canonical decodes a record into text that does not depend on how the
// value is encoded: its kind, expiry and content (sets and hashes sorted).
func canonical(t *testing.T, rec []byte) string {
	t.Helper()
	file := append([]byte("REDIS0010"), rec...)
	file = append(file, rdb.OpcodeEOF, 0, 0, 0, 0, 0, 0, 0, 0)
	fr, err := rdb.NewFileReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	var it rdb.Item
	var aux []string
	for {
		if err := fr.Next(&it); err != nil {
			t.Fatalf("record %.60q: %v", rec, err)
		}
		if it.Kind == rdb.ItemKey {
			break
		}
		switch string(it.Name) {
		case rdb.AuxMCFlags:
			aux = append(aux, "flags="+string(it.AuxValue))
		case rdb.AuxHashFieldTTLs:
			ttls, err := parseFieldTTLs(it.AuxValue)
			if err != nil {
				t.Fatal(err)
			}
			for f, e := range ttls {
				aux = append(aux, fmt.Sprintf("ttl %s=%d", f, e))
			}
		}
	}
	slices.Sort(aux)
	v, err := rdb.DecodeValue(it.Type, it.Value)
	if err != nil {
		t.Fatalf("record %.60q: %v", rec, err)
	}
	var parts []string
	switch v.Kind() {
	case rdb.TypeString:
		parts = []string{string(v.Str)}
	case rdb.TypeList:
		for _, e := range v.List {
			parts = append(parts, string(e))
		}
	case rdb.TypeSet:
		for _, e := range v.Set {
			parts = append(parts, string(e))
		}
		slices.Sort(parts)
	case rdb.TypeHash:
		for _, p := range v.Hash {
			parts = append(parts, string(p[0])+"="+string(p[1]))
		}
		slices.Sort(parts)
	case rdb.TypeZSet:
		for _, z := range v.ZSet {
			parts = append(parts, fmt.Sprintf("%s=%g", z.Member, z.Score))
		}
		slices.Sort(parts)
	}
	return fmt.Sprintf("kind %d exp %d %q %q", v.Kind(), it.ExpireMs, parts, aux)
}

// TestSaveNeverStalls: a save ends when its walker steps end while the
// writer is still posting steps to other shards, having queued nothing (it
// once waited for a signal those steps had already sent, for ever). The
// shards run their tasks inline, and their many empty databases take more
// than one step to walk.
func TestSaveNeverStalls(t *testing.T) {
	const n, dbs = 2, 1000
	shards := make([]*shard.Shard, n)
	for i := range shards {
		shards[i] = shard.New(i, dbs)
		shards[i].SetWaker(inline{})
	}
	src := Source{Shards: shards, Start: func(begin func(int)) {
		for i := range shards {
			begin(i)
		}
	}}
	done := make(chan error, 1)
	go func() {
		_, err := Save(src, Options{Dir: t.TempDir(), Filename: "dump.rdb"})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the save never ended")
	}
}

// TestFunctionsAndAccess: a save writes the libraries given and each key's
// idle time or LFU counter as asked; loading hands the libraries over and
// keeps what it is asked to keep.
func TestFunctionsAndAccess(t *testing.T) {
	shards := testShards(t, 1, 1)
	sh := shards[0]
	now := time.Now().UnixMilli()
	on(sh, func() {
		db := sh.DB(0)
		for _, k := range []string{"a", "b"} {
			db.SetString([]byte(k), []byte("v"), 0, false, shard.EncAuto, now)
		}
		l := db.NewList([]byte("list"), now)
		l.Push([][]byte{[]byte("x")}, false, limits.ListFill)
		h, _ := db.Peek([]byte("a"))
		db.SetAccessTime(h, now/1000-500) // and its LFU counter decays from 5 to 0
		h, _ = db.Peek([]byte("list"))
		db.SetFreq(h, 42)
	})
	src := Source{Shards: shards, Start: func(begin func(int)) { on(sh, func() { begin(0) }) }}
	libs := []string{"#!lua name=one\nredis.register_function('f', function() return 1 end)", "#!lua name=two\n"}
	for _, acc := range []Access{AccessNone, AccessIdle, AccessFreq} {
		dir := t.TempDir()
		if _, err := Save(src, Options{Dir: dir, Filename: "dump.rdb", Functions: libs, Access: acc}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "dump.rdb")
		if _, err := LoadFile(Source{Shards: testShards(t, 1, 1)}, path, LoadOptions{Limits: limits, Route: func([]byte) int { return 0 }, Now: now}); err == nil {
			t.Fatal("a file with libraries loaded without OnFunction")
		}
		for _, keep := range []Access{AccessNone, AccessIdle, AccessFreq} {
			fresh := testShards(t, 1, 1)
			var got []string
			res, err := LoadFile(Source{Shards: fresh}, path, LoadOptions{Limits: limits, Route: func([]byte) int { return 0 }, Now: now, Access: keep,
				OnFunction: func(code []byte) error { got = append(got, string(code)); return nil }})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, libs) || res.Functions != 2 || res.Keys != 3 {
				t.Fatalf("libraries %q (%d), %d keys", got, res.Functions, res.Keys)
			}
			on(fresh[0], func() {
				db := fresh[0].DB(0)
				for _, k := range []string{"a", "b", "list"} {
					h, _ := db.Peek([]byte(k))
					idle, freq := now/1000-db.AccessTime(h), db.Freq(h)
					wantIdle, wantFreq := int64(0), byte(5) // a new key's
					switch {
					case acc == keep && acc == AccessIdle && k == "a":
						wantIdle = 500
					case acc == keep && acc == AccessFreq && k == "a":
						wantFreq = 0
					case acc == keep && acc == AccessFreq && k == "list":
						wantFreq = 42
					}
					if idle < wantIdle || idle > wantIdle+2 || freq != wantFreq {
						t.Errorf("saved with %d, loaded with %d: key %s has idle %d, freq %d; want %d, %d", acc, keep, k, idle, freq, wantIdle, wantFreq)
					}
				}
			})
		}
	}
}

// TestSaveOverwriteFlat: overwriting every key with a value of the same
// size while a save runs keeps the shard's memory where it was: each
// write hands its bucket to the serialiser before changing it, and the
// old value's cell is freed and reused at once, not kept until the save
// ends. The writes here all come before the walker's first step (the
// worst case: every bucket is serialised by a write), and the file still
// holds the values as they were at the start.
func TestSaveOverwriteFlat(t *testing.T) {
	const keys, size = 20000, 500
	shards := testShards(t, 1, 1)
	sh := shards[0]
	now := time.Now().UnixMilli()
	fill := func(c byte) {
		db := sh.DB(0)
		v := bytes.Repeat([]byte{c}, size)
		for i := range keys {
			db.SetString(fmt.Appendf(nil, "key:%012d", i), v, 0, false, shard.EncAuto, now)
		}
	}
	var before, during int64
	var want map[string][]byte
	on(sh, func() {
		fill('a')
		want = state(sh)
		sh.Tick(now, 0, true)
		before = sh.UsedMemory()
	})
	src := Source{Shards: shards, Start: func(begin func(int)) {
		on(sh, func() {
			begin(0)
			fill('b')
			sh.Tick(now, 0, true)
			during = sh.UsedMemory()
		})
	}}
	dir := t.TempDir()
	if _, err := Save(src, Options{Dir: dir, Filename: "dump.rdb", Compress: true}); err != nil {
		t.Fatal(err)
	}
	// One arena chunk more at most (the first new value's cell is taken
	// before the old one is freed).
	if grown := during - before; grown > 1<<20 {
		t.Errorf("the shard's memory grew from %d to %d bytes while every key was overwritten during the save", before, during)
	}
	got := fileState(t, filepath.Join(dir, "dump.rdb"))
	if len(got) != len(want) {
		t.Fatalf("%d keys in the file, want %d", len(got), len(want))
	}
	for k, rec := range want {
		if !bytes.Equal(got[k], rec) {
			t.Fatalf("key %s: the file does not hold the value at the save's start", k)
		}
	}
}
