package rdb

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestValueVectors decodes DUMPs of collections made by a real redis-server,
// and hand-made payloads in older encodings that Redis RESTOREd, comparing
// with what Redis reported holding (testdata/values.json).
func TestValueVectors(t *testing.T) {
	vs := loadValueVectors(t)
	seen := map[byte]bool{}
	for _, tv := range vs {
		t.Run(tv.Name, func(t *testing.T) {
			v, err := DecodeDumpValue(mustHex(t, tv.Dump))
			if err != nil {
				t.Fatal(err)
			}
			if int(v.Type) != tv.Type {
				t.Fatalf("type %d, want %d", v.Type, tv.Type)
			}
			seen[v.Type] = true
			check := func(what string, got [][]byte, want []string) {
				t.Helper()
				if len(got) != len(want) {
					t.Fatalf("%s: %d elements, want %d", what, len(got), len(want))
				}
				for i := range got {
					if w := parseValue(t, want[i]); !bytes.Equal(got[i], w) {
						t.Fatalf("%s[%d] = %.40q, want %.40q", what, i, got[i], w)
					}
				}
			}
			switch v.Kind() {
			case TypeString:
				if !bytes.Equal(v.Str, parseValue(t, cmp.Or(tv.Str, "-"))) {
					t.Fatalf("Str = %.40q", v.Str)
				}
			case TypeList:
				check("List", v.List, tv.List)
			case TypeSet:
				got := slices.Clone(v.Set)
				slices.SortFunc(got, bytes.Compare)
				want := slices.Clone(tv.Set)
				slices.SortFunc(want, func(a, b string) int { return bytes.Compare(parseValue(t, a), parseValue(t, b)) })
				check("Set", got, want)
			case TypeHash:
				got := slices.Clone(v.Hash)
				slices.SortFunc(got, func(a, b [2][]byte) int { return bytes.Compare(a[0], b[0]) })
				want := slices.Clone(tv.Hash)
				slices.SortFunc(want, func(a, b [2]string) int { return bytes.Compare(parseValue(t, a[0]), parseValue(t, b[0])) })
				var gf, gv [][]byte
				var wf, wv []string
				for i := range got {
					gf, gv = append(gf, got[i][0]), append(gv, got[i][1])
				}
				for i := range want {
					wf, wv = append(wf, want[i][0]), append(wv, want[i][1])
				}
				check("Hash fields", gf, wf)
				check("Hash values", gv, wv)
			case TypeZSet:
				got := slices.Clone(v.ZSet)
				// Redis reports ascending by score, then member.
				slices.SortStableFunc(got, func(a, b ZMember) int {
					return cmp.Or(cmp.Compare(a.Score, b.Score), bytes.Compare(a.Member, b.Member))
				})
				if len(got) != len(tv.ZSet) {
					t.Fatalf("ZSet: %d members, want %d", len(got), len(tv.ZSet))
				}
				for i, w := range tv.ZSet {
					score, err := strconv.ParseFloat(w[1], 64)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got[i].Member, parseValue(t, w[0])) || got[i].Score != score {
						t.Fatalf("ZSet[%d] = %q %v, want %s %s", i, got[i].Member, got[i].Score, w[0], w[1])
					}
				}
			default:
				t.Fatalf("kind %d", v.Kind())
			}
		})
	}
	for _, typ := range []byte{TypeString, TypeSet, TypeHash, TypeZSet2, TypeSetIntset, TypeListZiplist,
		TypeZSetZiplist, TypeHashZiplist, TypeListQuicklist, TypeHashListpack, TypeZSetListpack,
		TypeListQuicklist2, TypeSetListpack} {
		if !seen[typ] {
			t.Errorf("no vector of type %d", typ)
		}
	}
}

// ---- builders for malformed payloads ----

// lpEntry encodes one listpack entry (a string, or an integer when s parses
// as one and asInt is set) with its backlen.
func lpEntry(s string, asInt bool) []byte {
	var e []byte
	if v, err := strconv.ParseInt(s, 10, 64); asInt && err == nil {
		switch {
		case v >= 0 && v <= 127:
			e = []byte{byte(v)}
		case v >= -4096 && v <= 4095:
			e = []byte{0xC0 | byte(v>>8)&0x1f, byte(v)}
		case v >= math.MinInt16 && v <= math.MaxInt16:
			e = binary.LittleEndian.AppendUint16([]byte{0xF1}, uint16(v))
		case v >= -1<<23 && v < 1<<23:
			e = []byte{0xF2, byte(v), byte(v >> 8), byte(v >> 16)}
		case v >= math.MinInt32 && v <= math.MaxInt32:
			e = binary.LittleEndian.AppendUint32([]byte{0xF3}, uint32(v))
		default:
			e = binary.LittleEndian.AppendUint64([]byte{0xF4}, uint64(v))
		}
	} else {
		switch n := len(s); {
		case n < 64:
			e = []byte{0x80 | byte(n)}
		case n < 4096:
			e = []byte{0xE0 | byte(n>>8), byte(n)}
		default:
			e = binary.LittleEndian.AppendUint32([]byte{0xF0}, uint32(n))
		}
		e = append(e, s...)
	}
	return append(e, lpBacklen(len(e))...)
}

// lpBacklen is the backlen Redis writes after an entry of size l: base-128
// digits, most significant first, every byte but the first with bit 7 set,
// in 1 to 5 bytes by Redis's thresholds (one short of each power of 128).
func lpBacklen(l int) []byte {
	n := 5
	switch {
	case l <= 127:
		n = 1
	case l < 16383:
		n = 2
	case l < 2097151:
		n = 3
	case l < 268435455:
		n = 4
	}
	bl := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		bl[i] = byte(l & 127)
		if i > 0 {
			bl[i] |= 128
		}
		l >>= 7
	}
	return bl
}

func mkListpack(count int, entries ...[]byte) []byte {
	lp := make([]byte, 6)
	for _, e := range entries {
		lp = append(lp, e...)
	}
	lp = append(lp, 0xFF)
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	binary.LittleEndian.PutUint16(lp[4:], uint16(count))
	return lp
}

func lpOf(elems ...string) []byte {
	var es [][]byte
	for _, s := range elems {
		es = append(es, lpEntry(s, true))
	}
	return mkListpack(len(es), es...)
}

func intset(width int, vals ...int64) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(width))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(vals)))
	for _, v := range vals {
		switch width {
		case 2:
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case 4:
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		default:
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	}
	return b
}

// pl builds a payload: a type byte, then parts (already encoded).
func pl(typ byte, parts ...[]byte) []byte {
	body := []byte{typ}
	for _, p := range parts {
		body = append(body, p...)
	}
	return withFooter(body, DumpRDBVersion)
}

func rs(b []byte) []byte      { return AppendString(nil, b, true) }
func rss(s string) []byte     { return AppendString(nil, []byte(s), true) }
func ln(n uint64) []byte      { return AppendLength(nil, n) }
func f64(f float64) []byte    { return binary.LittleEndian.AppendUint64(nil, math.Float64bits(f)) }
func cat(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

func TestDecodeValueGood(t *testing.T) {
	f := func(name string, p []byte, want string) {
		t.Helper()
		v, err := DecodeDumpValue(p)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if got := valueString(v); got != want {
			t.Errorf("%s: got %s, want %s", name, got, want)
		}
	}
	f("listpack ints", pl(TypeListQuicklist2, ln(1), ln(2), rs(lpOf("0", "127", "128", "-1", "-4096", "4095",
		"4096", "-4097", "32767", "-32769", "8388607", "-8388608", "8388608", "2147483647", "-2147483649",
		"9223372036854775807", "-9223372036854775808"))),
		"list[0 127 128 -1 -4096 4095 4096 -4097 32767 -32769 8388607 -8388608 8388608 2147483647 -2147483649 9223372036854775807 -9223372036854775808]")
	long := strings.Repeat("s", 5000)
	f("listpack long string", pl(TypeListQuicklist2, ln(1), ln(2), rs(mkListpack(2, lpEntry(long, false), lpEntry("x", false)))),
		"list["+long+" x]")
	f("listpack unknown count", pl(TypeSetListpack, rs(mkListpack(65535, lpEntry("a", false), lpEntry("b", false)))),
		"set[a b]")
	f("quicklist plain + packed + empty", pl(TypeListQuicklist2, ln(3), ln(1), rss("plain"), ln(2), rs(lpOf()), ln(2), rs(lpOf("x"))),
		"list[plain x]")
	f("old list", pl(TypeList, ln(2), rss("a"), rss("12")), "list[a 12]")
	f("old zset", pl(TypeZSet, ln(4), rss("a"), []byte{3}, []byte("1.5"), rss("b"), []byte{254}, rss("c"), []byte{255},
		rss("d"), []byte{5}, []byte("1e999")), "zset[a:1.5 b:+Inf c:-Inf d:+Inf]")
	f("zset2", pl(TypeZSet2, ln(2), rss("a"), f64(2), rss("b"), f64(-0.5)), "zset[a:2 b:-0.5]")
	f("zset listpack", pl(TypeZSetListpack, rs(lpOf("a", "1", "b", "2.5", "c", "inf"))), "zset[a:1 b:2.5 c:+Inf]")
	f("intset64", pl(TypeSetIntset, rs(intset(8, math.MinInt64, 0, math.MaxInt64))),
		"set[-9223372036854775808 0 9223372036854775807]")
	f("hash", pl(TypeHash, ln(2), rss("f"), rss("v"), rss("g"), rss("")), "hash[f=v g=]")
}

func valueString(v Value) string {
	var b strings.Builder
	switch v.Kind() {
	case TypeString:
		return "string[" + string(v.Str) + "]"
	case TypeList:
		b.WriteString("list[")
		for i, e := range v.List {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.Write(e)
		}
	case TypeSet:
		b.WriteString("set[")
		for i, e := range v.Set {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.Write(e)
		}
	case TypeHash:
		b.WriteString("hash[")
		for i, e := range v.Hash {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.Write(e[0])
			b.WriteByte('=')
			b.Write(e[1])
		}
	case TypeZSet:
		b.WriteString("zset[")
		for i, e := range v.ZSet {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.Write(e.Member)
			b.WriteByte(':')
			b.WriteString(strconv.FormatFloat(e.Score, 'g', -1, 64))
		}
	}
	b.WriteByte(']')
	return b.String()
}

func TestDecodeValueBad(t *testing.T) {
	f := func(name string, p []byte, want error) {
		t.Helper()
		if v, err := DecodeDumpValue(p); err != want {
			t.Errorf("%s: got %s, %v; want %v", name, valueString(v), err, want)
		}
	}
	bad := ErrBadFormat
	good := lpOf("a", "b")

	// Types.
	f("module", pl(TypeModule2, ln(1)), ErrUnsupportedType)
	f("stream", pl(TypeStreamListpacks2), ErrUnsupportedType)
	f("zipmap", pl(TypeHashZipmap, rss("x")), ErrUnsupportedType)
	f("type 8", pl(8), bad)
	f("type 25", pl(TypeHashListpackEx), bad)

	// Empty collections and claimed counts.
	f("empty list", pl(TypeList, ln(0)), bad)
	f("empty set", pl(TypeSet, ln(0)), bad)
	f("empty hash", pl(TypeHash, ln(0)), bad)
	f("empty zset", pl(TypeZSet2, ln(0)), bad)
	f("empty quicklist", pl(TypeListQuicklist2, ln(0)), bad)
	f("only empty nodes", pl(TypeListQuicklist2, ln(1), ln(2), rs(lpOf())), bad)
	f("empty listpack hash", pl(TypeHashListpack, rs(lpOf())), bad)
	f("empty intset", pl(TypeSetIntset, rs(intset(2))), bad)
	f("count 2^60", pl(TypeSet, ln(1<<60), rss("a")), bad)
	f("nodes 2^60", pl(TypeListQuicklist2, ln(1<<60), ln(2), rs(good)), bad)
	f("count beyond elements", pl(TypeList, ln(3), rss("a"), rss("b")), bad)
	f("encoded count", pl(TypeList, []byte{0xC0, 1}, rss("a")), bad)

	// Duplicates and scores.
	f("dup set", pl(TypeSet, ln(2), rss("a"), rss("a")), bad)
	f("dup set listpack", pl(TypeSetListpack, rs(lpOf("a", "a"))), bad)
	f("dup int/string set listpack", pl(TypeSetListpack, rs(mkListpack(2, lpEntry("5", true), lpEntry("5", false)))), bad)
	f("dup hash", pl(TypeHash, ln(2), rss("f"), rss("1"), rss("f"), rss("2")), bad)
	f("dup hash listpack", pl(TypeHashListpack, rs(lpOf("f", "1", "f", "2"))), bad)
	f("odd hash listpack", pl(TypeHashListpack, rs(lpOf("f", "1", "g"))), bad)
	f("dup zset", pl(TypeZSet2, ln(2), rss("m"), f64(1), rss("m"), f64(2)), bad)
	f("nan zset2", pl(TypeZSet2, ln(1), rss("m"), f64(math.NaN())), bad)
	f("nan zset text", pl(TypeZSet, ln(1), rss("m"), []byte{253}), bad)
	f("nan zset listpack", pl(TypeZSetListpack, rs(lpOf("m", "nan"))), bad)
	f("bad score text", pl(TypeZSet, ln(1), rss("m"), []byte{3}, []byte("1x5")), bad)
	f("bad score listpack", pl(TypeZSetListpack, rs(lpOf("m", "one"))), bad)
	f("truncated score", pl(TypeZSet2, ln(1), rss("m"), []byte{0, 0, 0}), bad)
	f("odd zset listpack", pl(TypeZSetListpack, rs(lpOf("m"))), bad)

	// Quicklist containers.
	f("container 0", pl(TypeListQuicklist2, ln(1), ln(0), rs(good)), bad)
	f("container 3", pl(TypeListQuicklist2, ln(1), ln(3), rs(good)), bad)

	// Listpack structure.
	mut := func(lp []byte, fn func([]byte)) []byte { c := bytes.Clone(lp); fn(c); return c }
	f("listpack total too big", pl(TypeSetListpack, rs(mut(good, func(b []byte) { b[0]++ }))), bad)
	f("listpack count wrong", pl(TypeSetListpack, rs(mut(good, func(b []byte) { b[4] = 3 }))), bad)
	f("listpack no terminator", pl(TypeSetListpack, rs(mut(good, func(b []byte) { b[len(b)-1] = 0 }))), bad)
	f("listpack backlen wrong", pl(TypeSetListpack, rs(mut(good, func(b []byte) { b[8] = 5 }))), bad)
	f("listpack short", pl(TypeSetListpack, rs([]byte{7, 0, 0, 0, 0, 0})), bad)
	f("listpack terminator early", pl(TypeSetListpack, rs(mkListpack(1, []byte{0xFF}, lpEntry("a", false)))), bad)
	for c := 0xF5; c <= 0xFE; c++ {
		f("listpack encoding "+strconv.Itoa(c), pl(TypeSetListpack, rs(mkListpack(1, []byte{byte(c), 1}))), bad)
	}
	f("listpack string past end", pl(TypeSetListpack, rs(mkListpack(1, []byte{0x85, 'a', 2}))), bad)
	f("listpack 32-bit length past end", pl(TypeSetListpack, rs(mkListpack(1, []byte{0xF0, 0xff, 0xff, 0xff, 0xff, 'a'}))), bad)
	f("listpack truncated int64", pl(TypeSetListpack, rs(mkListpack(1, []byte{0xF4, 1, 2}))), bad)
	// Redis writes a two-byte backlen for 16382-byte entries, three for 16383.
	for _, n := range []int{127, 128, 16377, 16378, 16379} {
		e := lpEntry(strings.Repeat("q", n), false)
		if v, err := DecodeDumpValue(pl(TypeSetListpack, rs(mkListpack(1, e)))); err != nil || len(v.Set[0]) != n {
			t.Errorf("listpack entry of %d bytes: %v", n, err)
		}
	}

	// Intset structure.
	f("intset width 3", pl(TypeSetIntset, rs(mut(intset(2, 1, 2), func(b []byte) { b[0] = 3 }))), bad)
	f("intset count wrong", pl(TypeSetIntset, rs(mut(intset(2, 1, 2), func(b []byte) { b[4] = 3 }))), bad)
	f("intset unsorted", pl(TypeSetIntset, rs(intset(4, 2, 1))), bad)
	f("intset dup", pl(TypeSetIntset, rs(intset(8, 1, 1))), bad)
	f("intset short", pl(TypeSetIntset, rs([]byte{2, 0, 0, 0})), bad)

	// Ziplist structure (valid ones come from testdata, checked by Redis).
	zl := func(entries ...[]byte) []byte {
		b := make([]byte, 10)
		last := 10
		for _, e := range entries {
			last = len(b)
			b = append(b, e...)
		}
		b = append(b, 0xFF)
		binary.LittleEndian.PutUint32(b, uint32(len(b)))
		binary.LittleEndian.PutUint32(b[4:], uint32(last))
		binary.LittleEndian.PutUint16(b[8:], uint16(len(entries)))
		return b
	}
	okZL := zl([]byte{0, 1, 'a'}, []byte{3, 0xF2})
	if v, err := DecodeDumpValue(pl(TypeListZiplist, rs(okZL))); err != nil || valueString(v) != "list[a 1]" {
		t.Fatalf("ziplist builder: %s %v", valueString(v), err)
	}
	f("ziplist prevlen wrong", pl(TypeListZiplist, rs(zl([]byte{0, 1, 'a'}, []byte{2, 0xF2}))), bad)
	f("ziplist first prevlen", pl(TypeListZiplist, rs(zl([]byte{1, 1, 'a'}))), bad)
	f("ziplist tail wrong", pl(TypeListZiplist, rs(mut(okZL, func(b []byte) { b[4]++ }))), bad)
	f("ziplist count wrong", pl(TypeListZiplist, rs(mut(okZL, func(b []byte) { b[8]++ }))), bad)
	f("ziplist bytes wrong", pl(TypeListZiplist, rs(mut(okZL, func(b []byte) { b[0]++ }))), bad)
	f("ziplist encoding C1", pl(TypeListZiplist, rs(zl([]byte{0, 0xC1, 0, 0}))), bad)
	f("ziplist string past end", pl(TypeListZiplist, rs(zl([]byte{0, 9, 'a'}))), bad)
	f("ziplist prevlen FF", pl(TypeListZiplist, rs(zl([]byte{0xFF, 1, 'a'}))), bad)
	f("ziplist empty", pl(TypeListZiplist, rs(zl())), bad)
	f("ziplist dup hash", pl(TypeHashZiplist, rs(zl([]byte{0, 1, 'a'}, []byte{3, 0xF2}, []byte{2, 1, 'a'}, []byte{3, 0xF3}))), bad)
}

func BenchmarkDecodeDumpValue(b *testing.B) {
	for _, tv := range loadValueVectors(b) {
		if tv.Name != "hash_listpack" && tv.Name != "list_quicklist_multi" {
			continue
		}
		p := mustHex(b, tv.Dump)
		b.Run(tv.Name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(p)))
			for b.Loop() {
				DecodeDumpValue(p)
			}
		})
	}
}

// TestLPBacklen pins the back-length encoding, including Redis's thresholds
// one short of each power of 128 (16383 takes three bytes, the first zero),
// and checks that decoding refuses a listpack whose entry has any other
// backlen (container/listpack.Validate does the checking).
func TestLPBacklen(t *testing.T) {
	f := func(l int, want []byte) {
		t.Helper()
		if got := lpBacklen(l); !bytes.Equal(got, want) {
			t.Errorf("lpBacklen(%d) = %x, want %x", l, got, want)
		}
		if l > 1<<22 {
			return // the decoder is checked on sizes up to a few MiB
		}
		// A string entry of size l: a 0xF0 header and l-5 bytes.
		e := binary.LittleEndian.AppendUint32([]byte{0xF0}, uint32(l-5))
		e = append(e, bytes.Repeat([]byte{'s'}, l-5)...)
		good := pl(TypeListQuicklist2, ln(1), ln(2), rs(mkListpack(1, append(e, want...))))
		if _, err := DecodeDumpValue(good); err != nil {
			t.Errorf("size %d: %v", l, err)
		}
		bad := bytes.Clone(want)
		bad[len(bad)-1] ^= 1
		if _, err := DecodeDumpValue(pl(TypeListQuicklist2, ln(1), ln(2), rs(mkListpack(1, append(e, bad...))))); err != ErrBadFormat {
			t.Errorf("size %d: backlen %x accepted (%v)", l, bad, err)
		}
		if len(want) > 1 {
			long := append([]byte{0}, want...) // a needless leading zero digit
			long[1] |= 0x80
			if _, err := DecodeDumpValue(pl(TypeListQuicklist2, ln(1), ln(2), rs(mkListpack(1, append(e, long...))))); err != ErrBadFormat {
				t.Errorf("size %d: backlen %x accepted (%v)", l, long, err)
			}
		}
	}
	f(6, []byte{6})
	f(127, []byte{127})
	f(128, []byte{1, 0x80})
	f(16382, []byte{127, 0xFE})
	f(16383, []byte{0, 0xFF, 0xFF})
	f(2097150, []byte{127, 0xFF, 0xFE})
	f(2097151, []byte{0, 0xFF, 0xFF, 0xFF})
	f(268435454, []byte{127, 0xFF, 0xFF, 0xFE})
	f(268435455, []byte{0, 0xFF, 0xFF, 0xFF, 0xFF})
	f(1<<32-1, []byte{15, 0xFF, 0xFF, 0xFF, 0xFF})
}
