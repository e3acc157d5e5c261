package snapshot

import (
	"bytes"
	"strings"
	"testing"

	"github.com/anaxdb/anax/container/listpack"
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
