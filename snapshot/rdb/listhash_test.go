package rdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/anaxdb/anax/container/listpack"
)

// collectNodes returns copies of the nodes ListNodes yields.
func collectNodes(t testing.TB, p []byte) ([][]byte, error) {
	t.Helper()
	var nodes [][]byte
	err := ListNodes(p, func(lp []byte) error {
		if listpack.Validate(lp) != nil {
			t.Fatalf("yielded an invalid listpack %x", lp)
		}
		nodes = append(nodes, bytes.Clone(lp))
		return nil
	})
	return nodes, err
}

// lpElems returns a listpack's elements as text.
func lpElems(lp []byte) []string {
	var out []string
	for it := listpack.FromBytes(lp).Iter(); it.Next(); {
		out = append(out, string(it.Value().AppendTo(nil)))
	}
	return out
}

func nodesElems(nodes [][]byte) []string {
	var out []string
	for _, n := range nodes {
		out = append(out, lpElems(n)...)
	}
	return out
}

func dumpNodes(nodes [][]byte) []byte {
	return DumpListNodes(nil, len(nodes), func(i int) []byte { return nodes[i] })
}

// hashPairs returns a hash payload's pairs sorted by field.
func hashPairs(t testing.TB, p []byte) [][2]string {
	t.Helper()
	var out [][2]string
	if err := HashPairs(p, func(f, v []byte) error {
		out = append(out, [2]string{string(f), string(v)})
		return nil
	}); err != nil {
		t.Fatalf("HashPairs: %v", err)
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out
}

func dumpPairs(pairs [][2]string) []byte {
	return DumpHash(nil, len(pairs), func(i int) ([]byte, []byte) {
		return []byte(pairs[i][0]), []byte(pairs[i][1])
	})
}

// TestListHashVectors decodes every list and hash of testdata/values.json
// (DUMPs by redis-server 7.0.15 and hand-made older encodings) with
// ListNodes, HashListpack and HashPairs, and re-encodes them: the quicklist
// and listpack-hash DUMPs come back byte for byte, hashtable hashes with the
// same contents.
func TestListHashVectors(t *testing.T) {
	lists, hashes := 0, 0
	for _, v := range loadValueVectors(t) {
		p := mustHex(t, v.Dump)
		switch kindOf(byte(v.Type)) {
		case TypeList:
			lists++
			nodes, err := collectNodes(t, p)
			if err != nil {
				t.Errorf("%s: %v", v.Name, err)
				continue
			}
			var want []string
			for _, e := range v.List {
				want = append(want, string(parseValue(t, e)))
			}
			if got := nodesElems(nodes); !slices.Equal(got, want) {
				t.Errorf("%s: elements differ (%d, want %d)", v.Name, len(got), len(want))
			}
			for _, n := range nodes {
				if len(lpElems(n)) > 1 && len(n) > listNodeLimit {
					t.Errorf("%s: node of %d bytes", v.Name, len(n))
				}
			}
			if v.Type == TypeListQuicklist2 && footerVersion(p) == dumpListHashVersion {
				if got := dumpNodes(nodes); !bytes.Equal(got, p) && !strings.Contains(v.Name, "plain") {
					t.Errorf("%s: DumpListNodes differs from Redis's DUMP\n got %x\nwant %x", v.Name, got, p)
				}
			}
		case TypeHash:
			hashes++
			var want [][2]string
			for _, kv := range v.Hash {
				want = append(want, [2]string{string(parseValue(t, kv[0])), string(parseValue(t, kv[1]))})
			}
			got := hashPairs(t, p)
			if !slices.Equal(got, want) {
				t.Errorf("%s: pairs differ", v.Name)
			}
			if v.Type == TypeHash {
				if _, err := HashListpack(p); err != ErrUnsupportedType {
					t.Errorf("%s: HashListpack: %v", v.Name, err)
				}
				if back := hashPairs(t, dumpPairs(got)); !slices.Equal(back, want) {
					t.Errorf("%s: DumpHash does not decode back", v.Name)
				}
				continue
			}
			lp, err := HashListpack(p)
			if err != nil {
				t.Errorf("%s: HashListpack: %v", v.Name, err)
				continue
			}
			d := DumpHashListpack(nil, lp)
			if v.Type == TypeHashListpack && footerVersion(p) == dumpListHashVersion && !bytes.Equal(d, p) {
				t.Errorf("%s: DumpHashListpack differs from Redis's DUMP\n got %x\nwant %x", v.Name, d, p)
			}
			if back := hashPairs(t, d); !slices.Equal(back, want) {
				t.Errorf("%s: DumpHashListpack does not decode back", v.Name)
			}
		}
	}
	if lists < 8 || hashes < 5 {
		t.Fatalf("only %d lists and %d hashes in values.json", lists, hashes)
	}
}

// TestListNodesSplit: a plain list (TypeList) and a ziplist list of the
// elements Redis got by RPUSH come out in the very nodes Redis built
// (list_1000x10, list_ints_3000), so the 8 KiB rule is Redis's.
func TestListNodesSplit(t *testing.T) {
	checked := 0
	for _, v := range loadValueVectors(t) {
		if v.Name != "list_1000x10" && v.Name != "list_ints_3000" && v.Name != "list_100k_element" {
			continue
		}
		checked++
		redis, err := collectNodes(t, mustHex(t, v.Dump))
		if err != nil || len(redis) < 2 {
			t.Fatalf("%s: %d nodes, %v", v.Name, len(redis), err)
		}
		body := ln(uint64(len(v.List)))
		var zl []zlItem
		for _, e := range v.List {
			s := parseValue(t, e)
			body = append(body, rs(s)...)
			zl = append(zl, zlItem{s: s})
		}
		for _, p := range [][]byte{pl(TypeList, body), pl(TypeListZiplist, rs(ziplistOf(zl)))} {
			ours, err := collectNodes(t, p)
			if err != nil {
				t.Fatalf("%s type %d: %v", v.Name, p[0], err)
			}
			if len(ours) != len(redis) {
				t.Fatalf("%s type %d: %d nodes, Redis has %d", v.Name, p[0], len(ours), len(redis))
			}
			for i := range ours {
				if !bytes.Equal(ours[i], redis[i]) {
					t.Fatalf("%s type %d: node %d differs", v.Name, p[0], i)
				}
			}
		}
	}
	if checked != 3 {
		t.Fatalf("checked %d vectors, want 3", checked)
	}
}

// zlItem is a ziplist element for ziplistOf: a string, stored as an
// integer when it reads as one (as Redis's ziplists store them).
type zlItem struct{ s []byte }

// ziplistOf builds a ziplist.
func ziplistOf(items []zlItem) []byte {
	zl := make([]byte, 10)
	prev, last := 0, 10
	for _, it := range items {
		last = len(zl)
		start := len(zl)
		if prev < 254 {
			zl = append(zl, byte(prev))
		} else {
			zl = append(zl, 0xFE)
			zl = binary.LittleEndian.AppendUint32(zl, uint32(prev))
		}
		if v, ok := listpack.ParseInt(it.s); ok {
			switch {
			case v >= 0 && v <= 12:
				zl = append(zl, 0xF1+byte(v))
			case v >= -128 && v <= 127:
				zl = append(zl, 0xFE, byte(v))
			case v >= -32768 && v <= 32767:
				zl = binary.LittleEndian.AppendUint16(append(zl, 0xC0), uint16(v))
			case v >= -(1<<23) && v < 1<<23:
				zl = append(zl, 0xF0, byte(v), byte(v>>8), byte(v>>16))
			case v >= -(1<<31) && v < 1<<31:
				zl = binary.LittleEndian.AppendUint32(append(zl, 0xD0), uint32(v))
			default:
				zl = binary.LittleEndian.AppendUint64(append(zl, 0xE0), uint64(v))
			}
		} else {
			switch n := len(it.s); {
			case n < 64:
				zl = append(zl, byte(n))
			case n < 16384:
				zl = append(zl, 0x40|byte(n>>8), byte(n))
			default:
				zl = binary.BigEndian.AppendUint32(append(zl, 0x80), uint32(n))
			}
			zl = append(zl, it.s...)
		}
		prev = len(zl) - start
	}
	zl = append(zl, 0xFF)
	binary.LittleEndian.PutUint32(zl, uint32(len(zl)))
	binary.LittleEndian.PutUint32(zl[4:], uint32(last))
	binary.LittleEndian.PutUint16(zl[8:], uint16(min(len(items), 65535)))
	return zl
}

func zlOf(elems ...string) []byte {
	var items []zlItem
	for _, e := range elems {
		items = append(items, zlItem{s: []byte(e)})
	}
	return ziplistOf(items)
}

// TestListNodesShapes covers each list type, Redis's empty-node rules and
// refusals.
func TestListNodesShapes(t *testing.T) {
	f := func(name string, p []byte, want string) {
		t.Helper()
		nodes, err := collectNodes(t, p)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			for _, n := range nodes {
				got += "[" + strings.Join(lpElems(n), " ") + "]"
			}
		}
		if got != want {
			t.Errorf("%s: got %s, want %s", name, got, want)
		}
	}
	bad := ErrBadFormat.Error()
	f("plain", pl(TypeList, ln(3), rss("a"), rss("12"), rss("-7")), "[a 12 -7]")
	f("ziplist", pl(TypeListZiplist, rs(zlOf("a", "300", "b"))), "[a 300 b]")
	f("quicklist", pl(TypeListQuicklist, ln(3), rs(zlOf("a")), rs(zlOf()), rs(zlOf("b", "5"))), "[a][b 5]")
	f("quicklist2 packed+plain+empty", pl(TypeListQuicklist2, ln(4), ln(2), rs(lpOf("a", "1")), ln(1), rss("big"),
		ln(2), rs(lpOf()), ln(2), rs(lpOf("z"))), "[a 1][big][z]")
	f("plain empty element", pl(TypeList, ln(2), rss(""), rss("x")), "[ x]")
	f("quicklist2 empty plain node", pl(TypeListQuicklist2, ln(2), ln(1), rss(""), ln(2), rs(lpOf("a"))), bad)
	f("quicklist2 empty packed string", pl(TypeListQuicklist2, ln(1), ln(2), rss("")), bad)
	f("quicklist empty string", pl(TypeListQuicklist, ln(1), rss("")), bad)
	f("quicklist2 only empty", pl(TypeListQuicklist2, ln(1), ln(2), rs(lpOf())), bad)
	f("quicklist2 container 3", pl(TypeListQuicklist2, ln(1), ln(3), rs(lpOf("a"))), bad)
	f("quicklist2 zero nodes", pl(TypeListQuicklist2, ln(0)), bad)
	f("plain zero", pl(TypeList, ln(0)), bad)
	f("ziplist empty", pl(TypeListZiplist, rs(zlOf())), bad)
	f("quicklist2 bad listpack", pl(TypeListQuicklist2, ln(1), ln(2), rs(mkListpack(2, lpEntry("a", false)))), bad)
	f("truncated", pl(TypeList, ln(3), rss("a")), bad)
	f("a set", pl(TypeSet, ln(1), rss("a")), ErrUnsupportedType.Error())
	f("unknown type", pl(99, ln(1)), bad)
	f("bad footer", []byte{TypeList, 1, 0, 10, 0, 1, 2, 3, 4, 5, 6, 7, 8}, ErrBadChecksum.Error())

	// A yield error stops the walk and comes back as it is.
	stop := fmt.Errorf("stop")
	calls := 0
	err := ListNodes(pl(TypeListQuicklist2, ln(2), ln(2), rs(lpOf("a")), ln(2), rs(lpOf("b"))),
		func([]byte) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("yield error: %v after %d calls", err, calls)
	}
	// DecodeDumpValue agrees on the empty plain node.
	if _, err := DecodeDumpValue(pl(TypeListQuicklist2, ln(2), ln(1), rss(""), ln(2), rs(lpOf("a")))); err != ErrBadFormat {
		t.Errorf("DecodeDumpValue of an empty plain node: %v", err)
	}
}

func TestHashListpackShapes(t *testing.T) {
	f := func(name string, p []byte, want string) {
		t.Helper()
		got := ""
		lp, err := HashListpack(p)
		if err != nil {
			got = err.Error()
		} else {
			got = strings.Join(lpElems(lp), " ")
			if listpack.Validate(lp) != nil {
				t.Errorf("%s: invalid listpack", name)
			}
		}
		if got != want {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
	bad := ErrBadFormat.Error()
	f("listpack", pl(TypeHashListpack, rs(lpOf("f", "1", "g", "v"))), "f 1 g v")
	f("ziplist", pl(TypeHashZiplist, rs(zlOf("f", "1", "g", "v"))), "f 1 g v")
	f("odd", pl(TypeHashListpack, rs(lpOf("f", "1", "g"))), bad)
	f("odd ziplist", pl(TypeHashZiplist, rs(zlOf("f"))), bad)
	f("dup", pl(TypeHashListpack, rs(lpOf("f", "1", "f", "2"))), bad)
	f("dup int and text", pl(TypeHashListpack, rs(mkListpack(4, lpEntry("5", true), lpEntry("a", false),
		lpEntry("5", false), lpEntry("b", false)))), bad)
	f("dup ziplist", pl(TypeHashZiplist, rs(zlOf("7", "1", "7", "2"))), bad)
	f("value may repeat a field", pl(TypeHashListpack, rs(lpOf("f", "f", "g", "f"))), "f f g f")
	f("empty", pl(TypeHashListpack, rs(lpOf())), bad)
	f("plain hash", pl(TypeHash, ln(1), rss("f"), rss("v")), ErrUnsupportedType.Error())
	f("a list", pl(TypeListQuicklist2, ln(1), ln(2), rs(lpOf("a"))), ErrUnsupportedType.Error())

	// The ziplist conversion is Redis's: the listpack equals the one Redis
	// holds for the same HSETs (integers stored as integers).
	lp, err := HashListpack(pl(TypeHashZiplist, rs(zlOf("n", "12345", "neg", "-7", "s", "x"))))
	want := lpOf("n", "12345", "neg", "-7", "s", "x")
	if err != nil || !bytes.Equal(lp, want) {
		t.Errorf("converted %x, want %x (%v)", lp, want, err)
	}
	if err := HashPairs(pl(TypeHash, ln(2), rss("f"), rss("1"), rss("f"), rss("2")), func(f, v []byte) error { return nil }); err != ErrBadFormat {
		t.Errorf("dup plain hash: %v", err)
	}
}

// Field TTLs (Redis 7.4, RDB 12).
func TestReadHashFieldsTTL(t *testing.T) {
	type field struct {
		f, v string
		at   int64
	}
	read := func(typ byte, body []byte) ([]field, int, error) {
		var out []field
		n, err := ReadHashFields(typ, body, func(f, v []byte, at int64) error {
			out = append(out, field{string(f), string(v), at})
			return nil
		})
		return out, n, err
	}
	u64 := func(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
	const base = 1700000000000
	// TypeHashMetadata: minExpire, count, then (ttl, field, value); ttl 0 is
	// none, else expireAt = ttl + minExpire - 1.
	body := cat(u64(base), ln(3), ln(1), rss("a"), rss("1"), ln(0), rss("b"), rss("2"), ln(5001), rss("c"), rss("3"), []byte("trailing"))
	got, n, err := read(TypeHashMetadata, body)
	want := []field{{"a", "1", base}, {"b", "2", 0}, {"c", "3", base + 5000}}
	if err != nil || !slices.Equal(got, want) || n != len(body)-len("trailing") {
		t.Errorf("metadata: %v %d %v", got, n, err)
	}
	f := func(name string, typ byte, body []byte) {
		t.Helper()
		if _, _, err := read(typ, body); err != ErrBadFormat {
			t.Errorf("%s: %v", name, err)
		}
	}
	f("metadata past 2^48", TypeHashMetadata, cat(u64(base), ln(1), ln(1<<48), rss("a"), rss("1")))
	f("metadata min past none", TypeHashMetadata, cat(u64(1<<48+1), ln(1), ln(0), rss("a"), rss("1")))
	f("metadata ttl with no min", TypeHashMetadata, cat(u64(1<<48), ln(1), ln(1), rss("a"), rss("1")))
	f("metadata huge ttl", TypeHashMetadata, cat(u64(base), ln(1), ln(1<<63), rss("a"), rss("1")))
	f("metadata empty", TypeHashMetadata, cat(u64(base), ln(0)))
	f("metadata dup", TypeHashMetadata, cat(u64(base), ln(2), ln(0), rss("a"), rss("1"), ln(0), rss("a"), rss("2")))
	f("metadata short", TypeHashMetadata, []byte{1, 2, 3})

	// TypeHashListpackEx: minExpire, then a listpack of (field, value, at).
	ex := func(elems ...string) []byte { return cat(u64(base), rs(lpOf(elems...))) }
	b := ex("a", "1", strconv.Itoa(base), "b", "x", strconv.Itoa(base+9), "c", "3", "0", "d", "4", "0")
	got, n, err = read(TypeHashListpackEx, b)
	want = []field{{"a", "1", base}, {"b", "x", base + 9}, {"c", "3", 0}, {"d", "4", 0}}
	if err != nil || !slices.Equal(got, want) || n != len(b) {
		t.Errorf("listpack ex: %v %d %v", got, n, err)
	}
	f("ex descending", TypeHashListpackEx, ex("a", "1", "9", "b", "2", "8"))
	f("ex ttl after none", TypeHashListpackEx, ex("a", "1", "0", "b", "2", "8"))
	f("ex ttl not int", TypeHashListpackEx, ex("a", "1", "x"))
	f("ex ttl negative", TypeHashListpackEx, ex("a", "1", "-1"))
	f("ex ttl past 2^48", TypeHashListpackEx, ex("a", "1", strconv.Itoa(1<<48)))
	f("ex not triples", TypeHashListpackEx, ex("a", "1", "0", "b"))
	f("ex dup", TypeHashListpackEx, ex("a", "1", "0", "a", "2", "0"))
	f("ex empty", TypeHashListpackEx, ex())
	f("ex short", TypeHashListpackEx, u64(base)[:7])

	// The plain types read through it too, with no TTLs.
	got, _, err = read(TypeHashListpack, rs(lpOf("f", "7")))
	if err != nil || !slices.Equal(got, []field{{"f", "7", 0}}) {
		t.Errorf("listpack: %v %v", got, err)
	}
	// HashPairs reads the plain types only; a version past 12 is refused
	// first.
	if err := HashPairs(withFooter(cat([]byte{TypeHashListpackEx}, ex("a", "1", "0")), 12), nil); err != ErrBadFormat {
		t.Errorf("version 12 DUMP: %v", err)
	}
	if err := HashPairs(withFooter(cat([]byte{TypeHashListpackEx}, ex("a", "1", "0")), 13), nil); err != ErrBadChecksum {
		t.Errorf("version 13 DUMP: %v", err)
	}
	if err := HashPairs(withFooter(cat([]byte{TypeHashListpackEx}, ex("a", "1", "0")), DumpRDBVersion), nil); err != ErrBadFormat {
		t.Errorf("type 25 in a version 11 DUMP: %v", err)
	}
}

// TestDumpEncoders pins the layout of the three encoders.
func TestDumpEncoders(t *testing.T) {
	lp := lpOf("a", "b")
	got := DumpListNodes(nil, 1, func(int) []byte { return lp })
	if want := withFooter(cat([]byte{TypeListQuicklist2}, ln(1), ln(2), rs(lp)), 10); !bytes.Equal(got, want) {
		t.Errorf("DumpListNodes %x, want %x", got, want)
	}
	got = DumpHashListpack([]byte("prefix"), lp)
	if want := cat([]byte("prefix"), withFooter(cat([]byte{TypeHashListpack}, rs(lp)), 10)); !bytes.Equal(got, want) {
		t.Errorf("DumpHashListpack %x, want %x", got, want)
	}
	got = DumpHash(nil, 1, func(int) ([]byte, []byte) { return []byte("f"), []byte("123") })
	if want := withFooter(cat([]byte{TypeHash}, ln(1), rss("f"), rss("123")), 10); !bytes.Equal(got, want) {
		t.Errorf("DumpHash %x, want %x", got, want)
	}
	if err := VerifyDump(got); err != nil {
		t.Error(err)
	}
}

// TestDumpHashEach checks that DumpHashEach writes what DumpHash writes for
// the same pairs, and that a walk of the wrong length is caught.
func TestDumpHashEach(t *testing.T) {
	pairs := [][2]string{{"f", "123"}, {"g", strings.Repeat("long value ", 10)}, {"", ""}}
	want := DumpHash([]byte("x"), len(pairs), func(i int) ([]byte, []byte) { return []byte(pairs[i][0]), []byte(pairs[i][1]) })
	walk := func(yield func(f, v []byte) bool) {
		for _, p := range pairs {
			if !yield([]byte(p[0]), []byte(p[1])) {
				return
			}
		}
	}
	if got := DumpHashEach([]byte("x"), len(pairs), walk); !bytes.Equal(got, want) {
		t.Errorf("DumpHashEach %x, want %x", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("a walk shorter than n did not panic")
		}
	}()
	DumpHashEach(nil, len(pairs)+1, walk)
}
