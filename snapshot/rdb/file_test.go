package rdb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/anaxdb/anax/container/listpack"
)

// fileKey is one key of a test file: what is written and what reading it
// back must give.
type fileKey struct {
	db     int
	typ    byte
	key    string
	expire int64
	enc    []byte // the value encoding
}

// sampleKeys returns keys of every type FileWriter's callers write, over
// three databases, some with expiries, one value big enough to compress.
func sampleKeys(compress bool) []fileKey { return sampleKeysN(compress, 4096) }

// sampleKeysN is sampleKeys with a big value of 8*n bytes.
func sampleKeysN(compress bool, n int) []fileKey {
	lp := func(elems ...string) []byte {
		l := listpack.New()
		for _, e := range elems {
			l.Append([]byte(e))
		}
		return l.Bytes()
	}
	big := strings.Repeat("abcdefgh", n)
	var keys []fileKey
	add := func(db int, typ byte, key string, expire int64, enc []byte) {
		keys = append(keys, fileKey{db, typ, key, expire, enc})
	}
	add(0, TypeString, "s", 0, AppendString(nil, []byte("hello"), compress))
	add(0, TypeString, "n", 0, AppendString(nil, []byte("12345"), compress))
	add(0, TypeString, "big", 1893456000000, AppendString(nil, []byte(big), compress))
	add(0, TypeString, "", 0, AppendString(nil, []byte{}, compress))
	add(1, TypeListQuicklist2, "l", 0, AppendListNodes(nil, 2, func(i int) []byte {
		return lp("a"+strconv.Itoa(i), "b", strings.Repeat("z", 40))
	}, compress))
	add(1, TypeHashListpack, "h", 0, AppendHashListpack(nil, lp("f1", "v1", "f2", "v2"), compress))
	add(1, TypeHash, "H", 0, AppendHashEach(nil, 2, func(y func(f, v []byte) bool) {
		y([]byte("f1"), []byte("v1"))
		y([]byte("f2"), []byte(big))
	}, compress))
	add(2, TypeSetIntset, "i", 0, AppendSetIntset(nil, []byte{2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0}, compress))
	add(2, TypeSet, "S", 4102444800000, AppendSetEach(nil, 3, func(y func(m []byte) bool) {
		y([]byte("x"))
		y([]byte("y"))
		y([]byte("zz"))
	}, compress))
	add(2, TypeZSetListpack, "z", 0, AppendZSetListpack(nil, lp("a", "1", "b", "2.5"), compress))
	add(2, TypeZSet2, "Z", 0, AppendZSet2(nil, 3, func(y func(m []byte, s float64) bool) {
		y([]byte("c"), math.Inf(1))
		y([]byte("b"), 2)
		y([]byte("a"), -1.5)
	}, compress))
	return keys
}

// writeFile writes keys (grouped by database, in order) with aux fields
// as Redis 7.0 writes them.
func writeFile(t testing.TB, w io.Writer, keys []fileKey, checksum, compress bool) {
	t.Helper()
	fw := NewFileWriter(w, checksum, compress)
	fw.Header()
	fw.Aux("redis-ver", "7.0.15")
	fw.AuxInt("redis-bits", 64)
	fw.AuxInt("ctime", 1700000000)
	fw.AuxInt("used-mem", 1<<20)
	fw.AuxInt("aof-base", 0)
	var rec []byte
	for i, k := range keys {
		if fw.SelectDB(k.db) {
			n, e := 0, 0
			for _, o := range keys[i:] {
				if o.db == k.db {
					n++
					if o.expire != 0 {
						e++
					}
				}
			}
			fw.ResizeDB(uint64(n), uint64(e))
		}
		rec = rec[:0]
		if k.expire != 0 {
			rec = AppendExpireMs(rec, k.expire)
		}
		rec = AppendRecordHeader(rec, k.typ, []byte(k.key), compress)
		rec = append(rec, k.enc...)
		if _, err := fw.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
}

// readAll reads a whole file; keys' values come back decoded.
func readAll(r io.Reader) (keys []fileKey, aux map[string]string, err error) {
	fr, err := NewFileReader(r)
	if err != nil {
		return nil, nil, err
	}
	aux = map[string]string{}
	var it Item
	for {
		err := fr.Next(&it)
		if err == io.EOF {
			return keys, aux, nil
		}
		if err != nil {
			return keys, aux, err
		}
		switch it.Kind {
		case ItemAux:
			aux[string(it.Name)] = string(it.AuxValue)
		case ItemKey:
			keys = append(keys, fileKey{it.DB, it.Type, string(it.Key), it.ExpireMs, bytes.Clone(it.Value)})
		}
	}
}

func TestFileRoundTrip(t *testing.T) {
	for _, compress := range []bool{true, false} {
		for _, checksum := range []bool{true, false} {
			t.Run(fmt.Sprintf("compress=%v,checksum=%v", compress, checksum), func(t *testing.T) {
				want := sampleKeys(compress)
				var b bytes.Buffer
				writeFile(t, &b, want, checksum, compress)
				if !bytes.HasPrefix(b.Bytes(), []byte("REDIS0010")) {
					t.Fatalf("header %q", b.Bytes()[:9])
				}
				got, aux, err := readAll(bytes.NewReader(b.Bytes()))
				if err != nil {
					t.Fatal(err)
				}
				if aux["redis-ver"] != "7.0.15" || aux["ctime"] != "1700000000" || aux["redis-bits"] != "64" {
					t.Errorf("aux fields %v", aux)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("read back\n%v\nwant\n%v", got, want)
				}
				for _, k := range got {
					if _, err := DecodeValue(k.typ, k.enc); err != nil {
						t.Errorf("key %q: %v", k.key, err)
					}
				}
			})
		}
	}
}

// TestFileReaderRefusesDamage cuts a file at every length and flips bytes
// in it: the reader must report a *FileError (or, for a flipped byte that
// keeps the structure, a wrong checksum), never succeed on a truncated
// file, and never panic.
func TestFileReaderRefusesDamage(t *testing.T) {
	var b bytes.Buffer
	writeFile(t, &b, sampleKeysN(true, 40), true, true)
	file := b.Bytes()
	for n := 0; n < len(file); n++ {
		_, _, err := readAll(bytes.NewReader(file[:n]))
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Fatalf("cut at %d of %d: got %v, want a FileError", n, len(file), err)
		}
	}
	for i := 0; i < len(file); i++ {
		bad := bytes.Clone(file)
		bad[i] ^= 0x5a
		_, _, err := readAll(bytes.NewReader(bad))
		if err == nil && i < len(file)-8 {
			t.Fatalf("byte %d flipped: the file still read clean", i)
		}
	}
}

func TestFileReaderRefusals(t *testing.T) {
	cases := []struct {
		name, file, want string
	}{
		{"not rdb", "HELLO0010", "not an RDB file"},
		{"version 13", "REDIS0013", "RDB version 13 is not supported"},
		{"hash of 7.4's release candidates", "REDIS0012\x16\x01k", "release candidates (type 22)"},
		{"slot info cut", "REDIS0012\xf4\x01\x02", "truncated"},
		{"version 8", "REDIS0008", "RDB version 8 is not supported"},
		{"module aux", "REDIS0010\xf7", "module data"},
		{"function pre-GA", "REDIS0010\xf6", "release candidates"},
		{"function cut", "REDIS0010\xf5\x05ab", "truncated"},
		{"module type", "REDIS0010\x07", "module value"},
		{"unknown", "REDIS0010\x42", "unknown opcode or value type 0x42"},
		{"truncated", "REDIS0010\xfe", "truncated"},
		{"bad crc", "REDIS0010\xff\x01\x02\x03\x04\x05\x06\x07\x08", "wrong checksum"},
	}
	for _, c := range cases {
		_, _, err := readAll(strings.NewReader(c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error with %q", c.name, err, c.want)
		}
	}
	// Redis 7.4's slot-info opcode (a cluster node's file) is skipped.
	if _, _, err := readAll(strings.NewReader("REDIS0012\xf4\x05\x40\x10\x02\xff\x00\x00\x00\x00\x00\x00\x00\x00")); err != nil {
		t.Errorf("RDB 12 with a slot-info record: %v", err)
	}
	// A zero checksum is "not computed": the file reads.
	if _, _, err := readAll(strings.NewReader("REDIS0010\xff\x00\x00\x00\x00\x00\x00\x00\x00")); err != nil {
		t.Errorf("an empty file without checksum: %v", err)
	}
}

// accessFile is a file with function libraries and keys with an LRU idle
// time and an LFU counter.
func accessFile(t testing.TB) []byte {
	var b bytes.Buffer
	fw := NewFileWriter(&b, true, true)
	fw.Header()
	fw.Aux("redis-ver", "7.0.15")
	fw.Function([]byte("#!lua name=one\nredis.register_function('f', function() return 1 end)"))
	fw.Function([]byte("#!lua name=two\n" + strings.Repeat("-- a comment that compresses well\n", 20)))
	fw.SelectDB(0)
	fw.ResizeDB(3, 1)
	var rec []byte
	rec = AppendExpireMs(rec, 1<<42)
	rec = AppendIdle(rec, 300)
	rec = AppendRecordHeader(rec, TypeString, []byte("idle"), true)
	rec = AppendString(rec, []byte("v"), true)
	rec = AppendFreq(rec, 77)
	rec = AppendRecordHeader(rec, TypeString, []byte("freq"), true)
	rec = AppendString(rec, []byte("v"), true)
	rec = AppendRecordHeader(rec, TypeString, []byte("plain"), true)
	rec = AppendString(rec, []byte("v"), true)
	if _, err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFileFunctionsAndAccess: libraries read back as ItemFunction, in
// order, before the keys; OpcodeIdle and OpcodeFreq go with the next key
// only.
func TestFileFunctionsAndAccess(t *testing.T) {
	fr, err := NewFileReader(bytes.NewReader(accessFile(t)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var it Item
	for {
		err := fr.Next(&it)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch it.Kind {
		case ItemFunction:
			name, _, _ := strings.Cut(string(it.Code), "\n")
			got = append(got, fmt.Sprintf("function %s %d", name, len(it.Code)))
		case ItemKey:
			got = append(got, fmt.Sprintf("key %s expire=%d idle=%d freq=%d", it.Key, it.ExpireMs, it.Idle, it.Freq))
		}
	}
	want := []string{
		"function #!lua name=one 68",
		"function #!lua name=two " + strconv.Itoa(len("#!lua name=two\n")+20*len("-- a comment that compresses well\n")),
		fmt.Sprintf("key idle expire=%d idle=300 freq=-1", int64(1)<<42),
		"key freq expire=0 idle=-1 freq=77",
		"key plain expire=0 idle=-1 freq=-1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("read\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func FuzzFileReader(f *testing.F) {
	var b bytes.Buffer
	writeFile(f, &b, sampleKeysN(true, 8), true, true)
	f.Add(b.Bytes())
	b.Reset()
	writeFile(f, &b, sampleKeysN(false, 4), false, false)
	f.Add(b.Bytes())
	f.Add([]byte("REDIS0009\xfe\x00\x00\x01a\x01b\xff\x00\x00\x00\x00\x00\x00\x00\x00"))
	// RDB 12: a slot-info record, then a type 24 hash.
	h := AppendRecordHeader([]byte("REDIS0012\xf4\x01\x02\x00"), TypeHashMetadata, []byte("h"), false)
	h = AppendHashMetadata(h, 1, 1<<40, func(y func(f, v []byte, exp int64) bool) { y([]byte("f"), []byte("v"), 1<<40) }, false)
	f.Add(append(h, "\xff\x00\x00\x00\x00\x00\x00\x00\x00"...))
	f.Add(accessFile(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, _, err := readAll(bytes.NewReader(data))
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is no FileError", err)
			}
			return
		}
		for _, k := range keys {
			_, _ = DecodeValue(k.typ, k.enc) // must not panic
		}
	})
}

// TestFileWithRedis checks the format against a live redis-server 7.x:
// redis-check-rdb accepts a file written here and redis-server loads it
// with every value as written; and a file redis-server saves, holding
// every type in every encoding it has, reads here and each value decodes
// to what DUMP gives.
func TestFileWithRedis(t *testing.T) {
	check, err := exec.LookPath("redis-check-rdb")
	if err != nil {
		t.Skip("redis-check-rdb not installed")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "anax.rdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	keys := sampleKeys(true)
	writeFile(t, f, keys, true, true)
	f.Close()
	if out, err := exec.Command(check, path).CombinedOutput(); err != nil || !strings.Contains(string(out), "RDB looks OK") {
		t.Fatalf("redis-check-rdb: %v\n%s", err, out)
	}

	// Load it in redis-server and compare each value with DUMP.
	rc := startRedisWith(t, dir, "anax.rdb")
	for _, k := range keys {
		rc.do(t, bs("select", strconv.Itoa(k.db))...)
		d, ok := rc.do(t, bs("dump", k.key)...).([]byte)
		if !ok {
			t.Fatalf("key %q (db %d) missing in redis-server", k.key, k.db)
		}
		want, err := DecodeValue(k.typ, k.enc)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeDumpValue(d)
		if err != nil {
			t.Fatalf("key %q: %v", k.key, err)
		}
		if !sameValue(got, want) {
			t.Errorf("key %q: redis-server holds %+v, the file %+v", k.key, got, want)
		}
		if k.expire != 0 {
			if at := rc.do(t, bs("pexpiretime", k.key)...).(int64); at != k.expire {
				t.Errorf("key %q expires at %d, want %d", k.key, at, k.expire)
			}
		}
	}

	// redis-server's own file: every encoding.
	script := [][]string{
		{"select", "0"},
		{"set", "str", "value"}, {"set", "int", "-123456"}, {"set", "long", strings.Repeat("x", 300)},
		{"pexpireat", "str", "4102444800000"},
		{"rpush", "list", "a", "b", "1", "2"},
		{"hset", "hash", "f", "v", "g", "w"},
		{"sadd", "intset", "1", "2", "3"},
		{"sadd", "set", "a", "b", "c"},
		{"zadd", "zset", "1", "a", "2.5", "b"},
		{"select", "3"},
		{"config", "set", "hash-max-listpack-entries", "1"},
		{"config", "set", "zset-max-listpack-entries", "1"},
		{"config", "set", "list-max-listpack-size", "2"},
		{"config", "set", "set-max-intset-entries", "1"},
		{"rpush", "biglist", "a", "b", "c", "d", "e"},
		{"hset", "bighash", "f", "v", "g", "w"},
		{"zadd", "bigzset", "1", "a", "2.5", "b", "-inf", "c"},
		{"sadd", "bigset", "1", "2", "3"},
	}
	src := startRedisWith(t, t.TempDir(), "dump.rdb")
	for _, c := range script {
		src.do(t, bs(c...)...)
	}
	dirAny := src.do(t, bs("config", "get", "dir")...).([][]byte)
	if r := src.do(t, bs("save")...); r != "+OK" {
		t.Fatalf("SAVE: %v", r)
	}
	rf, err := os.Open(filepath.Join(string(dirAny[1]), "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	got, aux, err := readAll(rf)
	if err != nil {
		t.Fatal(err)
	}
	if aux["redis-ver"] == "" {
		t.Errorf("no redis-ver aux field: %v", aux)
	}
	if len(got) != 12 {
		t.Errorf("read %d keys, want 12", len(got))
	}
	for _, k := range got {
		src.do(t, bs("select", strconv.Itoa(k.db))...)
		d := src.do(t, bs("dump", k.key)...).([]byte)
		want, err := DecodeDumpValue(d)
		if err != nil {
			t.Fatal(err)
		}
		v, err := DecodeValue(k.typ, k.enc)
		if err != nil {
			t.Fatalf("key %q (type %d): %v", k.key, k.typ, err)
		}
		if !sameValue(v, want) {
			t.Errorf("key %q: file %+v, DUMP %+v", k.key, v, want)
		}
		if k.key == "str" && k.expire != 4102444800000 {
			t.Errorf("str expires at %d", k.expire)
		}
	}
}

// sameValue compares two decoded values by content (sets and hashes as
// sets: their order depends on the encoding).
func sameValue(a, b Value) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	norm := func(v Value) []string {
		var out []string
		switch v.Kind() {
		case TypeString:
			return []string{string(v.Str)}
		case TypeList:
			for _, e := range v.List {
				out = append(out, string(e))
			}
			return out
		case TypeSet:
			for _, e := range v.Set {
				out = append(out, string(e))
			}
		case TypeHash:
			for _, p := range v.Hash {
				out = append(out, string(p[0])+"="+string(p[1]))
			}
		case TypeZSet:
			for _, z := range v.ZSet {
				out = append(out, string(z.Member)+"="+strconv.FormatFloat(z.Score, 'g', -1, 64))
			}
		}
		slices.Sort(out)
		return out
	}
	return reflect.DeepEqual(norm(a), norm(b))
}
