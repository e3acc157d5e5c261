package rdb

import (
	"bytes"
	"encoding/hex"
	"math"
	"strings"
	"testing"
)

func TestLength(t *testing.T) {
	f := func(n uint64, wantHex string) {
		t.Helper()
		b := AppendLength([]byte{0xAA}, n)
		if got := hex.EncodeToString(b[1:]); got != wantHex {
			t.Errorf("AppendLength(%d) = %s, want %s", n, got, wantHex)
		}
		if lengthSize(n) != len(b)-1 {
			t.Errorf("lengthSize(%d) = %d, want %d", n, lengthSize(n), len(b)-1)
		}
		got, enc, k, err := ReadLength(append(b[1:], 0x55))
		if err != nil || enc || k != len(b)-1 || got != n {
			t.Errorf("ReadLength(%s) = %d, %v, %d, %v", wantHex, got, enc, k, err)
		}
		// Every truncation fails.
		for i := range len(b) - 1 {
			if _, _, _, err := ReadLength(b[1 : 1+i]); err != ErrBadFormat {
				t.Errorf("ReadLength(%s truncated to %d) = %v", wantHex, i, err)
			}
		}
	}
	f(0, "00")
	f(63, "3f")
	f(64, "4040")
	f(16383, "7fff")
	f(16384, "8000004000")
	f(math.MaxUint32, "80ffffffff")
	f(math.MaxUint32+1, "810000000100000000")
	f(math.MaxUint64, "81ffffffffffffffff")
}

func TestReadLengthSpecial(t *testing.T) {
	for e := range 64 {
		n, enc, k, err := ReadLength([]byte{0xC0 | byte(e)})
		if err != nil || !enc || k != 1 || n != uint64(e) {
			t.Errorf("ReadLength(%#x) = %d, %v, %d, %v", 0xC0|e, n, enc, k, err)
		}
	}
	for c := 0x82; c <= 0xBF; c++ {
		if _, _, _, err := ReadLength([]byte{byte(c), 0, 0, 0, 0, 0, 0, 0, 0}); err != ErrBadFormat {
			t.Errorf("ReadLength(%#x) = %v, want ErrBadFormat", c, err)
		}
	}
	// Longer forms than needed are accepted, as Redis accepts them.
	if n, _, k, err := ReadLength([]byte{0x80, 0, 0, 0, 5}); err != nil || n != 5 || k != 5 {
		t.Errorf("non-minimal 32-bit length: %d %d %v", n, k, err)
	}
}

func TestCanonicalInt(t *testing.T) {
	yes := []string{"0", "-1", "1", "9223372036854775807", "-9223372036854775808", "12345"}
	no := []string{"", "-", "-0", "00", "01", "+1", " 1", "1 ", "1.0", "1e3", "0x10",
		"9223372036854775808", "-9223372036854775809", "1_000", "١"}
	for _, s := range yes {
		if _, ok := canonicalInt([]byte(s)); !ok {
			t.Errorf("canonicalInt(%q) = false", s)
		}
	}
	for _, s := range no {
		if _, ok := canonicalInt([]byte(s)); ok {
			t.Errorf("canonicalInt(%q) = true", s)
		}
	}
}

func TestAppendString(t *testing.T) {
	f := func(s string, compress bool, wantHex string) {
		t.Helper()
		b := AppendString([]byte{0xAA}, []byte(s), compress)
		if got := hex.EncodeToString(b[1:]); got != wantHex {
			t.Errorf("AppendString(%.30q, %v) = %s, want %s", s, compress, got, wantHex)
		}
		got, k, err := ReadString(append(b[1:], 0x55), len(s))
		if err != nil || k != len(b)-1 || string(got) != s {
			t.Errorf("ReadString(%s) = %.30q, %d, %v", wantHex, got, k, err)
		}
		if _, _, err := ReadString(b[1:], len(s)-1); len(s) > 0 && err != ErrBadFormat {
			t.Errorf("ReadString(%s, maxLen %d) = %v, want ErrBadFormat", wantHex, len(s)-1, err)
		}
	}
	f("", true, "00")
	f("0", true, "c000")
	f("-128", true, "c080")
	f("127", true, "c07f")
	f("128", true, "c18000")
	f("-32768", true, "c10080")
	f("32768", true, "c200800000")
	f("-2147483648", true, "c200000080")
	f("2147483648", true, "0a32313437343833363438")
	f("-0", true, "022d30")
	f("007", true, "03303037")
	f(strings.Repeat("a", 20), true, "14"+strings.Repeat("61", 20))
	f(strings.Repeat("a", 21), true, "c30615016161e00a00")
	f(strings.Repeat("a", 21), false, "15"+strings.Repeat("61", 21))
	// 22 distinct bytes do not compress: raw.
	f("abcdefghijklmnopqrstuv", true, "16"+hex.EncodeToString([]byte("abcdefghijklmnopqrstuv")))
}

// TestAppendStringLZFHeader covers compressed strings whose lengths need
// 14- and 32-bit length forms, and the header sliding back into place.
func TestAppendStringLZFHeader(t *testing.T) {
	for _, n := range []int{21, 63, 64, 100, 16383, 16384, 100000} {
		s := bytes.Repeat([]byte("xy"), n)[:n]
		b := AppendString([]byte("prefix"), s, true)
		if b[6] != 0xC3 {
			t.Fatalf("n=%d: not LZF: %x", n, b[6:12])
		}
		got, k, err := ReadString(b[6:], n)
		if err != nil || k != len(b)-6 || !bytes.Equal(got, s) {
			t.Fatalf("n=%d: %v (k=%d of %d)", n, err, k, len(b)-6)
		}
	}
}

func TestReadStringMalformed(t *testing.T) {
	f := func(name, h string) {
		t.Helper()
		if s, _, err := ReadString(mustHex(t, h), MaxStringLen); err != ErrBadFormat {
			t.Errorf("%s: got %q, %v; want ErrBadFormat", name, s, err)
		}
	}
	f("empty", "")
	f("truncated raw", "0561626364")
	f("truncated int8", "c0")
	f("truncated int16", "c101")
	f("truncated int32", "c2010203")
	f("unknown encoding", "c4")
	f("unknown encoding 63", "ff")
	f("lzf without lengths", "c3")
	f("lzf truncated data", "c30515016161")
	f("lzf encoded clen", "c3c00501")
	f("lzf encoded ulen", "c305c0")
	f("lzf wrong ulen", "c30614016161e00a00")
	f("lzf claims 512MiB+1", "c305"+"8020000001"+"0061626364")
	f("lzf claims 88x+1", "c302"+"40b1"+"0061")
	f("lzf claims 88x", "c302"+"40b0"+"0061") // passes the bound, fails decoding
	f("raw beyond payload", "8120000001000000006161")
}

// TestReadStringAliases documents the aliasing contract: raw strings are
// sub-slices with clipped capacity.
func TestReadStringAliases(t *testing.T) {
	b := []byte{3, 'a', 'b', 'c', 'z'}
	s, _, err := ReadString(b, 10)
	if err != nil {
		t.Fatal(err)
	}
	if &s[0] != &b[1] || cap(s) != 3 {
		t.Fatalf("raw string not a clipped sub-slice: cap %d", cap(s))
	}
	_ = append(s, 'X')
	if b[4] != 'z' {
		t.Fatal("append to the result wrote into the input")
	}
}
