package rdb

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"

	"github.com/anaxdb/anax/container/listpack"
)

// allocated returns the bytes fn allocates (whole process; tests here do
// not run in parallel).
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// allocatedApprox is allocated without ReadMemStats's stop-the-world, which
// made fuzzing crawl; runtime/metrics counts small objects a span at a time
// (and sees the fuzzing engine's own allocations), so it may be off by a
// few MiB: allocSlack covers that. The bugs it is after allocate for a
// claimed length or count, hundreds of MiB.
func allocatedApprox(fn func()) uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	before := s[0].Value.Uint64()
	fn()
	metrics.Read(s)
	return s[0].Value.Uint64() - before
}

const allocSlack = 8 << 20

// Allocation bounds, as a function of the payload's size. Strings: LZF
// output is at most 88 times its input. Values: each decompressed byte may
// also become part of an element (slice header, decimal text, duplicate
// check), a constant factor more.
func dumpAllocBound(n int) uint64  { return allocSlack + 2*88*uint64(n) }
func valueAllocBound(n int) uint64 { return allocSlack + 10000*uint64(n) }

// checkDecode runs both decoders on p and checks their consistency and
// allocation.
func checkDecode(t *testing.T, p []byte) {
	var (
		typ  byte
		s    []byte
		err  error
		v    Value
		verr error
	)
	if a := allocatedApprox(func() { typ, s, err = DecodeDump(p) }); a > dumpAllocBound(len(p)) {
		t.Fatalf("DecodeDump of %d bytes allocated %d", len(p), a)
	}
	if a := allocatedApprox(func() { v, verr = DecodeDumpValue(p) }); a > valueAllocBound(len(p)) {
		t.Fatalf("DecodeDumpValue of %d bytes allocated %d", len(p), a)
	}
	if err == nil {
		if typ != TypeString {
			t.Fatalf("DecodeDump returned type %d without error", typ)
		}
		if verr != nil || v.Type != TypeString || !bytes.Equal(v.Str, s) {
			t.Fatalf("decoders disagree: %v", verr)
		}
		// What decodes re-encodes to a payload that decodes the same.
		typ2, s2, err2 := DecodeDump(DumpString(nil, s))
		if err2 != nil || typ2 != TypeString || !bytes.Equal(s2, s) {
			t.Fatalf("re-encoding: %v", err2)
		}
	} else if err != ErrBadChecksum && err != ErrBadFormat && err != ErrUnsupportedType {
		t.Fatalf("DecodeDump: unexpected error %v", err)
	}
	if verr != nil {
		if verr != ErrBadChecksum && verr != ErrBadFormat && verr != ErrUnsupportedType {
			t.Fatalf("DecodeDumpValue: unexpected error %v", verr)
		}
		return
	}
	set := 0
	for _, ok := range []bool{v.Str != nil, v.List != nil, v.Set != nil, v.Hash != nil, v.ZSet != nil} {
		if ok {
			set++
		}
	}
	if set > 1 || (set == 0 && !(v.Kind() == TypeString)) {
		t.Fatalf("type %d: %d fields set", v.Type, set)
	}
	switch v.Kind() {
	case TypeList:
		if len(v.List) == 0 {
			t.Fatal("empty list decoded")
		}
	case TypeSet:
		if len(v.Set) == 0 || checkUnique(v.Set) != nil {
			t.Fatal("empty or duplicate-holding set decoded")
		}
	case TypeHash:
		if len(v.Hash) == 0 {
			t.Fatal("empty hash decoded")
		}
	case TypeZSet:
		if len(v.ZSet) == 0 || checkUniqueMembers(v.ZSet) != nil {
			t.Fatal("empty or duplicate-holding zset decoded")
		}
		for _, z := range v.ZSet {
			if z.Score != z.Score {
				t.Fatal("NaN score decoded")
			}
		}
	}
}

// FuzzDecodeDump feeds arbitrary bytes to DecodeDump and DecodeDumpValue,
// both as given and as a body completed with a valid footer (otherwise
// nearly every input would stop at the checksum). They must never panic,
// must agree, and must allocate within a bound of the input size.
func FuzzDecodeDump(f *testing.F) {
	for _, v := range loadStringVectors(f) {
		if len(v.dump) <= 4096 {
			f.Add(v.dump)
			f.Add(v.dump[:len(v.dump)-dumpFooterLen])
		}
	}
	for _, v := range loadValueVectors(f) {
		if d := mustHex(f, v.Dump); len(d) <= 4096 {
			f.Add(d)
			f.Add(d[:len(d)-dumpFooterLen])
		}
	}
	f.Add([]byte{})
	f.Add([]byte{TypeString, 0xC3, 0x05, 0x80, 0x20, 0, 0, 0, 0, 'a', 'b', 'c', 'd'})
	f.Add([]byte{TypeListQuicklist2, 0x81, 1, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0xFF})
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
		checkDecode(t, withFooter(data, DumpRDBVersion))
	})
}

// TestHugeClaims: lengths and counts a payload claims but does not hold
// fail without allocating for them.
func TestHugeClaims(t *testing.T) {
	f := func(name string, p []byte) {
		t.Helper()
		var err error
		a := allocated(func() {
			if _, _, err = DecodeDump(p); err == nil {
				t.Errorf("%s: DecodeDump accepted it", name)
			}
			if _, err = DecodeDumpValue(p); err == nil {
				t.Errorf("%s: DecodeDumpValue accepted it", name)
			}
		})
		if a > 1<<20 {
			t.Errorf("%s: allocated %d bytes", name, a)
		}
	}
	f("lzf 512MiB", pl(TypeString, []byte{0xC3, 0x02, 0x80, 0x20, 0, 0, 0, 0, 'a'}))
	f("lzf 4GiB", pl(TypeString, []byte{0xC3, 0x02, 0x80, 0xff, 0xff, 0xff, 0xff, 0, 'a'}))
	f("lzf 2^63", pl(TypeString, []byte{0xC3, 0x02, 0x81, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 'a'}))
	f("raw 2^62", pl(TypeString, []byte{0x81, 0x40, 0, 0, 0, 0, 0, 0, 0, 'a'}))
	f("set count 2^40", pl(TypeSet, ln(1<<40), rss("a")))
	f("zset count 2^40", pl(TypeZSet2, ln(1<<40), rss("a"), f64(1)))
	f("quicklist nodes 2^40", pl(TypeListQuicklist2, ln(1<<40), ln(2), rs(lpOf("a"))))
	f("intset count 2^31", pl(TypeSetIntset, rs([]byte{2, 0, 0, 0, 0, 0, 0, 0x80, 1, 0})))
	f("listpack 4GiB string", pl(TypeSetListpack, rs(mkListpack(1, []byte{0xF0, 0xff, 0xff, 0xff, 0xff, 'a', 1}))))
	f("listpack total 4GiB", pl(TypeSetListpack, rs([]byte{0xff, 0xff, 0xff, 0xff, 1, 0, 0x81, 'a', 2, 0xFF})))
	f("lzf listpack 512MiB", pl(TypeSetListpack, []byte{0xC3, 0x02, 0x80, 0x20, 0, 0, 0, 0, 'a'}))
}

// checkListHash runs the list and hash readers on p: they must not panic,
// must allocate within a bound of the input, must yield only valid
// listpacks, and must agree with DecodeDumpValue on what they accept.
func checkListHash(t *testing.T, p []byte) {
	var (
		elems  int
		nerr   error
		pairs  int
		herr   error
		lp     []byte
		lperr  error
		ttlErr error
	)
	a := allocatedApprox(func() {
		nerr = ListNodes(p, func(node []byte) error {
			if listpack.Validate(node) != nil {
				t.Fatalf("ListNodes yielded an invalid listpack")
			}
			n := listpack.FromBytes(node).Len()
			if n == 0 {
				t.Fatal("ListNodes yielded an empty node")
			}
			elems += n
			return nil
		})
		herr = HashPairs(p, func(f, v []byte) error { pairs++; return nil })
		lp, lperr = HashListpack(p)
		if len(p) > 1 {
			for _, typ := range []byte{TypeHashMetadata, TypeHashListpackEx} {
				_, err := ReadHashFields(typ, p[1:], func(f, v []byte, at int64) error {
					if at < 0 || at > maxFieldExpire {
						t.Fatalf("expiry %d out of range", at)
					}
					return nil
				})
				if err != nil && err != ErrBadFormat {
					ttlErr = err
				}
			}
		}
	})
	if a > valueAllocBound(len(p)) {
		t.Fatalf("list/hash readers of %d bytes allocated %d", len(p), a)
	}
	if ttlErr != nil {
		t.Fatalf("ReadHashFields: unexpected error %v", ttlErr)
	}
	v, verr := DecodeDumpValue(p)
	if nerr == nil {
		if verr != nil || v.Kind() != TypeList || len(v.List) != elems {
			t.Fatalf("ListNodes accepted %d elements, DecodeDumpValue %d (%v)", elems, len(v.List), verr)
		}
	} else if nerr != ErrBadFormat && nerr != ErrBadChecksum && nerr != ErrUnsupportedType {
		t.Fatalf("ListNodes: unexpected error %v", nerr)
	} else if verr == nil && v.Kind() == TypeList {
		t.Fatalf("DecodeDumpValue accepted a list ListNodes refused (%v)", nerr)
	}
	if herr == nil {
		if verr != nil || v.Kind() != TypeHash || len(v.Hash) != pairs {
			t.Fatalf("HashPairs accepted %d pairs, DecodeDumpValue %d (%v)", pairs, len(v.Hash), verr)
		}
	} else if verr == nil && v.Kind() == TypeHash {
		t.Fatalf("DecodeDumpValue accepted a hash HashPairs refused (%v)", herr)
	}
	if lperr == nil {
		if listpack.Validate(lp) != nil || listpack.FromBytes(lp).Len() != 2*pairs {
			t.Fatal("HashListpack returned a bad listpack")
		}
		// What decodes re-encodes to a payload that decodes the same.
		if back, err := HashListpack(DumpHashListpack(nil, lp)); err != nil || !bytes.Equal(back, lp) {
			t.Fatalf("HashListpack re-encoding: %v", err)
		}
	}
}

// FuzzListHash feeds list and hash payloads (the Redis fixtures and
// hand-made ones of every list and hash type, 24 and 25 included) to
// ListNodes, HashListpack, HashPairs and ReadHashFields, as given and with a
// valid footer.
func FuzzListHash(f *testing.F) {
	for _, v := range loadValueVectors(f) {
		if k := kindOf(byte(v.Type)); k != TypeList && k != TypeHash {
			continue
		}
		if d := mustHex(f, v.Dump); len(d) <= 8192 {
			f.Add(d)
			f.Add(d[:len(d)-dumpFooterLen])
		}
	}
	u64 := func(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
	for _, body := range [][]byte{
		cat([]byte{TypeList}, ln(3), rss("a"), rss("12"), rss(strings.Repeat("x", 40))),
		cat([]byte{TypeListZiplist}, rs(zlOf("a", "300", "b", "-70000"))),
		cat([]byte{TypeListQuicklist}, ln(2), rs(zlOf("a")), rs(zlOf("b", "5"))),
		cat([]byte{TypeListQuicklist2}, ln(2), ln(1), rss("plain"), ln(2), rs(lpOf("a", "1"))),
		cat([]byte{TypeHash}, ln(2), rss("f"), rss("1"), rss("g"), rss("2")),
		cat([]byte{TypeHashZiplist}, rs(zlOf("f", "1", "g", "v"))),
		cat([]byte{TypeHashListpack}, rs(lpOf("f", "1", "g", "v"))),
		cat([]byte{TypeHashMetadata}, u64(1700000000000), ln(2), ln(1), rss("a"), rss("1"), ln(0), rss("b"), rss("2")),
		cat([]byte{TypeHashListpackEx}, u64(1700000000000), rs(lpOf("a", "1", "1700000000000", "b", "2", "0"))),
	} {
		f.Add(body)
		f.Add(withFooter(body, DumpRDBVersion))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkListHash(t, data)
		checkListHash(t, withFooter(data, DumpRDBVersion))
	})
}
