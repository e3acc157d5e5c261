package listpack

import (
	"bytes"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestEncodings checks the exact entry bytes (encoding, data, backlen) at each
// encoding's boundaries.
func TestEncodings(t *testing.T) {
	f := func(in string, wantHex string) {
		t.Helper()
		l := New()
		l.Append([]byte(in))
		got := hex.EncodeToString(l.Bytes()[headerSize : len(l.Bytes())-1])
		if len(got) > 40 {
			got = got[:40]
		}
		if !strings.HasPrefix(wantHex, got) && got != wantHex {
			t.Errorf("%.20q: entry %s, want %s", in, got, wantHex)
		}
		if err := Validate(l.Bytes()); err != nil {
			t.Errorf("%.20q: %v", in, err)
		}
		if v, _ := l.Get(0); string(v.AppendTo(nil)) != in {
			t.Errorf("%.20q: read back %q", in, v.AppendTo(nil))
		}
	}
	f("0", "0001")
	f("127", "7f01")
	f("128", "c08002")
	f("-1", "dfff02")
	f("4095", "cfff02")
	f("-4096", "d00002")
	f("4096", "f1001003")
	f("-4097", "f1ffef03")
	f("32767", "f1ff7f03")
	f("-32768", "f1008003")
	f("32768", "f200800004")
	f("-32769", "f2ff7fff04")
	f("8388607", "f2ffff7f04")
	f("-8388608", "f200008004")
	f("8388608", "f30000800005")
	f("2147483647", "f3ffffff7f05")
	f("-2147483648", "f30000008005")
	f("2147483648", "f4000000800000000009")
	f("9223372036854775807", "f4ffffffffffffff7f09")
	f("-9223372036854775808", "f4000000000000008009")
	f("9223372036854775808", "9339323233333732303336383534373735383038")
	f("", "8001")
	f("-0", "822d3003")
	f("01", "8230310"+"3")
	f("+1", "822b3103")
	f(" 1", "8220310"+"3")
	f("-", "812d02")
	f(strings.Repeat("a", 63), "bf"+strings.Repeat("61", 19))
	f(strings.Repeat("a", 64), "e040"+strings.Repeat("61", 18))
	f(strings.Repeat("a", 4095), "efff"+strings.Repeat("61", 18))
	f(strings.Repeat("a", 4096), "f000100000"+strings.Repeat("61", 15))

	// Backlens: one byte up to an entry size of 127, two below 16383, then
	// three (Redis's thresholds stop one short of each power of 128).
	g := func(n int, wantBacklen string) {
		t.Helper()
		l := New()
		l.Append(bytes.Repeat([]byte{'x'}, n))
		b := l.Bytes()
		bl := hex.EncodeToString(b[len(b)-1-len(wantBacklen)/2 : len(b)-1])
		if bl != wantBacklen {
			t.Errorf("string of %d: backlen %s, want %s", n, bl, wantBacklen)
		}
		if l.Last() != headerSize {
			t.Errorf("string of %d: Last %d", n, l.Last())
		}
	}
	g(125, "7f")           // size 127
	g(126, "0180")         // size 128
	g(16377, "7ffe")       // size 16382
	g(16378, "00ffff")     // size 16383
	g(2097145, "7ffffe")   // size 2097150
	g(2097146, "00ffffff") // size 2097151
}

func TestParseInt(t *testing.T) {
	f := func(s string, ok bool) {
		t.Helper()
		v, got := ParseInt([]byte(s))
		if got != ok {
			t.Fatalf("ParseInt(%q) ok=%v, want %v", s, got, ok)
		}
		if ok && strconv.FormatInt(v, 10) != s {
			t.Fatalf("ParseInt(%q) = %d", s, v)
		}
	}
	for _, s := range []string{"0", "1", "-1", "9223372036854775807", "-9223372036854775808", "10", "-10"} {
		f(s, true)
	}
	for _, s := range []string{"", "-", "-0", "00", "01", "+1", " 1", "1 ", "9223372036854775808", "-9223372036854775809", "1a", "99999999999999999999", "123456789012345678901"} {
		f(s, false)
	}
}

// redisHashValues are the fields of testdata/redis7-hash.lp, each followed by
// the value "v": redis-server 7.0.15 wrote it (HSET h <field> v ..., then the
// listpack inside DUMP h with rdbcompression off).
var redisHashValues = []string{"0", "127", "128", "-1", "-4096", "4095", "4096", "-4097",
	"32767", "32768", "-32768", "-32769", "8388607", "8388608", "-8388608", "-8388609",
	"2147483647", "2147483648", "-2147483648", "-2147483649", "9223372036854775807",
	"-9223372036854775808", "9223372036854775808", "-0", "01", "+1", " 1", "",
	strings.Repeat("a", 63), strings.Repeat("a", 64), strings.Repeat("b", 125),
	strings.Repeat("b", 126), strings.Repeat("c", 4095), strings.Repeat("c", 4096),
	strings.Repeat("d", 16377), strings.Repeat("d", 16378)}

func TestSameBytesAsRedis(t *testing.T) {
	want, err := os.ReadFile("testdata/redis7-hash.lp")
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(want); err != nil {
		t.Fatal(err)
	}
	l := New()
	for _, v := range redisHashValues {
		l.Append([]byte(v))
		l.Append([]byte("v"))
	}
	if !bytes.Equal(l.Bytes(), want) {
		t.Fatalf("listpack differs from redis-server's (%d vs %d bytes)", len(l.Bytes()), len(want))
	}
	r := FromBytes(want)
	if r.Len() != 2*len(redisHashValues) {
		t.Fatalf("Len %d", r.Len())
	}
	i := 0
	for it := r.Iter(); it.Next(); i++ {
		w := "v"
		if i%2 == 0 {
			w = redisHashValues[i/2]
		}
		if got := string(it.Value().AppendTo(nil)); got != w {
			t.Fatalf("element %d: %.20q, want %.20q", i, got, w)
		}
	}
	for k, v := range redisHashValues {
		p := r.Find(r.First(), []byte(v), 1)
		if p < 0 || r.Next(p) < 0 || string(r.At(r.Next(p)).AppendTo(nil)) != "v" {
			t.Fatalf("Find %.20q: %d", v, p)
		}
		if q := r.Seek(2 * k); q != p {
			t.Fatalf("Find %.20q at %d, Seek(%d) at %d", v, p, 2*k, q)
		}
	}
	if r.Find(r.First(), []byte("v"), 1) != -1 {
		t.Fatal("Find with skip 1 matched a value")
	}
	if r.Find(r.First(), []byte("v"), 0) != r.Seek(1) {
		t.Fatal("Find with skip 0 missed the first value")
	}
}

// TestCountSaturates: the count stays 65535 while elements are added and is
// counted again after a delete, as redis-server 7.0.15 does (a hash of 33000
// pairs dumps with 65535; after HDEL of 1000 fields, with 64000).
func TestCountSaturates(t *testing.T) {
	l := New()
	for i := 0; i < 65536; i++ {
		l.AppendInt(int64(i % 100))
	}
	if c := l.Bytes()[4:6]; c[0] != 0xff || c[1] != 0xff {
		t.Fatalf("count % x, want ff ff", c)
	}
	if l.Len() != 65536 {
		t.Fatalf("Len %d", l.Len())
	}
	if err := Validate(l.Bytes()); err != nil {
		t.Fatal(err)
	}
	if p := l.Seek(-1); p != l.Last() {
		t.Fatalf("Seek(-1) %d, Last %d", p, l.Last())
	}
	if v, _ := l.Get(65535); v.Int != 35 {
		t.Fatalf("Get(65535) %d", v.Int)
	}
	l.DeleteRange(0, 2)
	if c := int(l.Bytes()[4]) | int(l.Bytes()[5])<<8; c != 65534 || l.Len() != 65534 {
		t.Fatalf("count %d, Len %d after delete", c, l.Len())
	}
	if err := Validate(l.Bytes()); err != nil {
		t.Fatal(err)
	}
}

func TestValueEqual(t *testing.T) {
	l := New()
	for _, v := range []string{"12", "-0", "abc", "-9223372036854775808"} {
		l.Append([]byte(v))
	}
	l.b = append(l.b[:len(l.b)-1], 0x82, '1', '2', 3, terminator) // "12" kept as a string
	l.b[0] = byte(len(l.b))
	l.b[4]++
	if err := Validate(l.b); err != nil {
		t.Fatal(err)
	}
	f := func(i int, s string, want bool) {
		t.Helper()
		v, _ := l.Get(i)
		if v.Equal([]byte(s)) != want {
			t.Errorf("element %d Equal(%q) = %v", i, s, !want)
		}
	}
	f(0, "12", true)
	f(0, "012", false)
	f(0, "+12", false)
	f(1, "-0", true)
	f(1, "0", false)
	f(2, "abc", true)
	f(3, "-9223372036854775808", true)
	f(4, "12", true)
	// Find meets the integer 12 first, then the string "12" from its position on.
	if p := l.Find(l.First(), []byte("12"), 0); p != l.Seek(0) {
		t.Errorf("Find 12: %d", p)
	}
	if p := l.Find(l.Seek(1), []byte("12"), 0); p != l.Seek(4) {
		t.Errorf("Find 12 from 1: %d", p)
	}
}

func TestValidateRejects(t *testing.T) {
	good := New()
	good.Append([]byte("hello"))
	good.AppendInt(1000)
	g := good.Bytes()
	f := func(name string, edit func(b []byte) []byte) {
		t.Helper()
		b := edit(append([]byte(nil), g...))
		if err := Validate(b); err == nil {
			t.Errorf("%s: % x validated", name, b)
		}
	}
	f("empty", func(b []byte) []byte { return nil })
	f("short", func(b []byte) []byte { return b[:6] })
	f("total", func(b []byte) []byte { b[0]++; return b })
	f("count", func(b []byte) []byte { b[4] = 3; return b })
	f("terminator", func(b []byte) []byte { b[len(b)-1] = 0; return b })
	f("backlen", func(b []byte) []byte { b[headerSize+6]++; return b })
	f("encoding", func(b []byte) []byte { b[headerSize] = 0xF5; return b })
	f("string overruns", func(b []byte) []byte { b[headerSize] = 0x80 | 20; return b })
	f("cut", func(b []byte) []byte {
		b = append(b[:len(b)-3], terminator)
		b[0] = byte(len(b))
		return b
	})
	if err := Validate(g); err != nil {
		t.Fatal(err)
	}
	b := append([]byte(nil), g...)
	b[4], b[5] = 0xff, 0xff
	if err := Validate(b); err != nil {
		t.Fatalf("saturated count: %v", err)
	}
}

func TestZeroAllocs(t *testing.T) {
	l := New()
	for i := 0; i < 100; i++ {
		l.Append([]byte("element-" + strconv.Itoa(i)))
		l.AppendInt(int64(i * 1000))
	}
	var sink int64
	check := func(name string, fn func()) {
		t.Helper()
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s: %v allocations", name, n)
		}
	}
	check("iterate", func() {
		for it := l.Iter(); it.Next(); {
			sink += int64(len(it.Value().Str))
		}
		for it := l.IterBack(); it.Prev(); {
			sink += it.Value().Int
		}
	})
	check("get", func() {
		v, _ := l.Get(150)
		w, _ := l.Get(-3)
		sink += v.Int + int64(len(w.Str))
	})
	key := []byte("element-77")
	num := []byte("54000")
	check("find", func() {
		sink += int64(l.Find(l.First(), key, 0) + l.Find(l.First(), num, 1))
	})
	var scratch [20]byte
	check("string form", func() {
		v, _ := l.Get(1)
		sink += int64(len(v.AppendTo(scratch[:0])))
	})
	room := New()
	room.b = append(make([]byte, 0, 1<<16), room.b...)
	val := []byte("some value")
	check("append with capacity", func() {
		room.Append(val)
		room.AppendInt(12345)
		room.Prepend(val)
	})
	_ = sink
}
