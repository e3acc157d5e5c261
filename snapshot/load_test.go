package snapshot

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/snapshot/rdb"
)

// rdbFile makes a file of records (rdb.AppendRecordHeader and a value),
// in database 0 with a RESIZEDB hint of hint keys.
func rdbFile(hint uint64, recs ...[]byte) []byte {
	var buf bytes.Buffer
	fw := rdb.NewFileWriter(&buf, true, true)
	fw.Header()
	fw.SelectDB(0)
	fw.ResizeDB(hint, 0)
	for _, r := range recs {
		fw.Write(r)
	}
	fw.Close()
	return buf.Bytes()
}

func stringRec(key, val string) []byte {
	r := rdb.AppendRecordHeader(nil, rdb.TypeString, []byte(key), true)
	return rdb.AppendString(r, []byte(val), true)
}

func hashRec(key string) []byte {
	lp := listpack.New()
	lp.Append([]byte("f"))
	lp.Append([]byte("v"))
	r := rdb.AppendRecordHeader(nil, rdb.TypeHashListpack, []byte(key), true)
	return rdb.AppendString(r, lp.Bytes(), true)
}

// TestLoadStrings: strings in every encoding load (raw, integer, LZF),
// with their expiries, also when the RESIZEDB hint is far beyond what the
// file holds.
func TestLoadStrings(t *testing.T) {
	long := strings.Repeat("abc", 40) // LZF-compressed
	recs := [][]byte{
		stringRec("raw", "hello"),
		stringRec("int", "-1234567"),
		stringRec("lzf", long),
		stringRec("empty", ""),
		append(rdb.AppendExpireMs(nil, 1<<50), stringRec("ttl", "x")...),
	}
	for _, hint := range []uint64{0, 5, 1 << 62} {
		shards := inlineShards(2, 1)
		route := func(key []byte) int { return len(key) % 2 }
		res, err := Load(Source{Shards: shards}, bytes.NewReader(rdbFile(hint, recs...)), LoadOptions{Limits: limits, Route: route, Now: 1})
		if err != nil || res.Keys != 5 {
			t.Fatalf("hint %d: loaded %d keys: %v", hint, res.Keys, err)
		}
		want := map[string]string{"raw": "hello", "int": "-1234567", "lzf": long, "empty": "", "ttl": "x"}
		for k, v := range want {
			db := shards[route([]byte(k))].DB(0)
			h, ok := db.Peek([]byte(k))
			if !ok || string(db.Value(h)) != v {
				t.Fatalf("hint %d: %s is %q", hint, k, db.Value(h))
			}
			if exp := db.ExpireAt(h); (k == "ttl") != (exp == 1<<50) {
				t.Fatalf("hint %d: %s expires at %d", hint, k, exp)
			}
		}
	}
}

// TestLoadRefusesDuplicates: a key twice in a database fails the load,
// whatever the types of the two records.
func TestLoadRefusesDuplicates(t *testing.T) {
	for name, recs := range map[string][][]byte{
		"strings":      {stringRec("k", "a"), stringRec("other", "b"), stringRec("k", "c")},
		"string, hash": {stringRec("k", "a"), hashRec("k")},
		"hash, string": {hashRec("k"), stringRec("k", "a")},
		"hashes":       {hashRec("k"), hashRec("k")},
		"int strings":  {stringRec("k", "1"), stringRec("k", "1")},
	} {
		shards := inlineShards(1, 1)
		_, err := Load(Source{Shards: shards}, bytes.NewReader(rdbFile(0, recs...)), LoadOptions{Limits: limits, Route: func([]byte) int { return 0 }, Now: 1})
		if err == nil || !strings.Contains(err.Error(), `the key "k" twice`) {
			t.Errorf("%s: %v", name, err)
		}
		// hide-user-data-from-log: the error, which is logged, names no key.
		shards = inlineShards(1, 1)
		_, err = Load(Source{Shards: shards}, bytes.NewReader(rdbFile(0, recs...)), LoadOptions{Limits: limits, Route: func([]byte) int { return 0 }, Now: 1, HideKeys: true})
		if err == nil || !strings.Contains(err.Error(), `the key *redacted* twice`) || strings.Contains(err.Error(), `"k"`) {
			t.Errorf("%s, keys hidden: %v", name, err)
		}
	}
}

// TestLoadRDB12 loads a file as Redis 7.4 writes one: RDB version 12, its
// hash types with field expiries (24 and 25), and the slot-info opcode of a
// cluster node's file. Fields already expired are left out; a hash with
// none left is no key.
func TestLoadRDB12(t *testing.T) {
	now := time.Now().UnixMilli()
	future, past := now+3_600_000, now-1000
	meta := rdb.AppendRecordHeader(nil, rdb.TypeHashMetadata, []byte("h"), true)
	meta = rdb.AppendHashMetadata(meta, 2, future, func(yield func(f, v []byte, exp int64) bool) {
		_ = yield([]byte("f"), []byte("1"), future) && yield([]byte("g"), []byte("2"), 0)
	}, true)
	lpEx := func(key string, exp int64) []byte {
		lp := listpack.New()
		lp.Append([]byte("a"))
		lp.Append([]byte("x"))
		lp.AppendInt(exp)
		r := rdb.AppendRecordHeader(nil, rdb.TypeHashListpackEx, []byte(key), true)
		r = binary.LittleEndian.AppendUint64(r, uint64(exp))
		return rdb.AppendString(r, lp.Bytes(), true)
	}
	file := rdbFile(3, []byte{rdb.OpcodeSlotInfo, 5, 2, 0}, meta, lpEx("small", future), lpEx("gone", past))
	copy(file, "REDIS0012")
	binary.LittleEndian.PutUint64(file[len(file)-8:], rdb.CRC64(0, file[:len(file)-8]))

	shards := inlineShards(1, 1)
	res, err := Load(Source{Shards: shards}, bytes.NewReader(file), LoadOptions{Limits: limits, Route: func([]byte) int { return 0 }, Now: now})
	if err != nil || res.Keys != 2 {
		t.Fatalf("loaded %d keys: %v", res.Keys, err)
	}
	db := shards[0].DB(0)
	h, ok := db.Peek([]byte("h"))
	if !ok || db.HashFieldExpire(h, []byte("f"), now) != future || db.HashFieldExpire(h, []byte("g"), now) != shard.FieldNoTTL {
		t.Errorf("type 24 hash: found %v, f expires at %d, g at %d", ok, db.HashFieldExpire(h, []byte("f"), now), db.HashFieldExpire(h, []byte("g"), now))
	}
	if h, ok := db.Peek([]byte("small")); !ok || db.HashFieldExpire(h, []byte("a"), now) != future {
		t.Errorf("type 25 hash: found %v", ok)
	}
	if _, ok := db.Peek([]byte("gone")); ok {
		t.Error("a type 25 hash whose only field had expired was loaded")
	}
}
