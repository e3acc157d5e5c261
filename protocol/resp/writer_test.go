package resp

import (
	"math"
	"strconv"
	"testing"
)

func TestAppendReplies(t *testing.T) {
	f := func(got []byte, want string) {
		t.Helper()
		if string(got) != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	f(AppendSimple(nil, "OK"), "+OK\r\n")
	f(AppendSimple([]byte("x"), ""), "x+\r\n")
	f(AppendSimple(nil, "a\r\nb"), "+a  b\r\n")
	f(AppendError(nil, "ERR unknown command 'foo'"), "-ERR unknown command 'foo'\r\n")
	f(AppendError(nil, "ERR bad\r\n+OK"), "-ERR bad  +OK\r\n")
	f(AppendErrorBytes(nil, []byte("WRONGTYPE Operation against a key holding the wrong kind of value")),
		"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
	msg := []byte("ERR a\nb")
	f(AppendErrorBytes(nil, msg), "-ERR a b\r\n")
	if string(msg) != "ERR a\nb" {
		t.Fatal("AppendErrorBytes modified its input")
	}
	f(AppendInt(nil, 0), ":0\r\n")
	f(AppendInt(nil, -1), ":-1\r\n")
	f(AppendInt(nil, math.MaxInt64), ":9223372036854775807\r\n")
	f(AppendInt(nil, math.MinInt64), ":-9223372036854775808\r\n")
	f(AppendBulk(nil, []byte("hello")), "$5\r\nhello\r\n")
	f(AppendBulk(nil, nil), "$0\r\n\r\n")
	f(AppendBulk(nil, []byte("a\r\nb")), "$4\r\na\r\nb\r\n")
	f(AppendBulkString(nil, "hello"), "$5\r\nhello\r\n")
	f(AppendBulkString(nil, ""), "$0\r\n\r\n")
	f(AppendBulkHeader(nil, 1<<20), "$1048576\r\n")
	f(AppendBulkInt(nil, 42), "$2\r\n42\r\n")
	f(AppendBulkInt(nil, math.MinInt64), "$20\r\n-9223372036854775808\r\n")
	f(AppendArrayLen(nil, 3), "*3\r\n")
	f(AppendArrayLen(nil, 0), "*0\r\n")
	f(AppendNullArray(nil, 2), "*-1\r\n")
	f(AppendNullArray(nil, 3), "_\r\n")
	f(AppendNull(nil, 2), "$-1\r\n")
	f(AppendNull(nil, 3), "_\r\n")
	f(AppendMapLen(nil, 2, 2), "*4\r\n")
	f(AppendMapLen(nil, 2, 3), "%2\r\n")
	f(AppendSetLen(nil, 5, 2), "*5\r\n")
	f(AppendSetLen(nil, 5, 3), "~5\r\n")
	f(AppendPushLen(nil, 3, 2), "*3\r\n")
	f(AppendPushLen(nil, 3, 3), ">3\r\n")
	f(AppendBool(nil, true, 2), ":1\r\n")
	f(AppendBool(nil, false, 2), ":0\r\n")
	f(AppendBool(nil, true, 3), "#t\r\n")
	f(AppendBool(nil, false, 3), "#f\r\n")
	f(AppendDouble(nil, 1.5, 2), "$3\r\n1.5\r\n")
	f(AppendDouble(nil, 1.5, 3), ",1.5\r\n")
	f(AppendDouble(nil, math.Inf(1), 2), "$3\r\ninf\r\n")
	f(AppendDouble(nil, math.Inf(-1), 3), ",-inf\r\n")
	f(AppendDouble(nil, math.NaN(), 3), ",nan\r\n")
	f(AppendDouble(nil, 3, 3), ",3\r\n")
	f(AppendVerbatim(nil, "txt", []byte("Some string"), 3), "=15\r\ntxt:Some string\r\n")
	f(AppendVerbatim(nil, "txt", []byte("Some string"), 2), "$11\r\nSome string\r\n")
	f(AppendVerbatim(nil, "mkd", nil, 3), "=4\r\nmkd:\r\n")
	f(AppendBigNum(nil, "3492890328409238509324850943850943825024385", 3), "(3492890328409238509324850943850943825024385\r\n")
	f(AppendBigNum(nil, "-1", 2), "$2\r\n-1\r\n")
	// Appending extends what is already there.
	b := AppendArrayLen(nil, 2)
	b = AppendBulkString(b, "a")
	b = AppendInt(b, 7)
	f(b, "*2\r\n$1\r\na\r\n:7\r\n")
}

// TestAppendDoubleText pins Redis 7.2+'s d2string layout. The expected
// strings were produced by Redis's d2string/fpconv code, compiled on its own
// as a throwaway oracle.
func TestAppendDoubleText(t *testing.T) {
	f := func(v float64, want string) {
		t.Helper()
		got := string(AppendDoubleText(nil, v))
		if got != want {
			t.Fatalf("%v: got %q, want %q", v, got, want)
		}
		if back, err := strconv.ParseFloat(got, 64); err != nil || (back != v && !math.IsNaN(v)) {
			t.Fatalf("%v: %q reads back as %v (%v)", v, got, back, err)
		}
	}
	f(0, "0")
	f(math.Copysign(0, -1), "-0")
	f(math.Inf(1), "inf")
	f(math.Inf(-1), "-inf")
	f(math.NaN(), "nan")
	f(-math.NaN(), "nan")
	f(1, "1")
	f(-1, "-1")
	f(1.5, "1.5")
	f(1.1, "1.1")
	f(0.1, "0.1")
	f(-0.3, "-0.3")
	f(3.141592653589793, "3.141592653589793")
	f(100, "100")
	f(1e8, "100000000")
	f(1e17, "100000000000000000")
	f(1<<62, "4611686018427387904")
	f(-(1 << 62), "-4611686018427387904")
	f(1<<62+1024, "4611686018427389000") // beyond 2^62: shortest digits, K = 3
	f(1e19, "1e+19")
	f(1.5e20, "1.5e+20")
	f(1e22, "1e+22")
	f(1.7976931348623157e308, "1.7976931348623157e+308")
	f(12345.678901234, "1.2345678901234e+4") // K = -9 and E = 4
	f(0.0001, "0.0001")
	f(0.000123, "0.000123")
	f(1e-6, "0.000001")
	f(1.5e-6, "1.5e-6") // K = -7 and E = -6
	f(1e-7, "1e-7")
	f(1.5e-7, "1.5e-7")
	f(1.2345678e-5, "1.2345678e-5")
	f(0.1234567, "0.1234567")
	f(123.4567891, "123.4567891")
	f(1234.5678912, "1234.5678912")
	f(12345.6789012, "1.23456789012e+4") // K = -7 and E = 4: scientific, as Redis
	f(5e-324, "5e-324")
	f(2.2250738585072014e-308, "2.2250738585072014e-308")
	f(1e100, "1e+100")
	f(1.5e-100, "1.5e-100")
}

func TestAppendAllocs(t *testing.T) {
	dst := make([]byte, 0, 4096)
	val := make([]byte, 100)
	allocs := testing.AllocsPerRun(1000, func() {
		b := dst[:0]
		b = AppendSimple(b, "OK")
		b = AppendError(b, "ERR x")
		b = AppendErrorBytes(b, val[:5])
		b = AppendInt(b, -123456789)
		b = AppendBulk(b, val)
		b = AppendBulkString(b, "hello")
		b = AppendBulkHeader(b, 100)
		b = AppendBulkInt(b, 42)
		b = AppendArrayLen(b, 10)
		b = AppendNullArray(b, 2)
		b = AppendNull(b, 3)
		b = AppendMapLen(b, 4, 2)
		b = AppendSetLen(b, 4, 3)
		b = AppendPushLen(b, 3, 3)
		b = AppendBool(b, true, 3)
		b = AppendDouble(b, 3.14159, 2)
		b = AppendDouble(b, 1.5e-7, 3)
		b = AppendVerbatim(b, "txt", val, 3)
		b = AppendBigNum(b, "12345678901234567890", 3)
		_ = AppendDoubleText(b, 2.5)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per run", allocs)
	}
}

// TestAppendHeaderLengths checks the short-length fast path of the bulk and
// aggregate headers against strconv across its edges.
func TestAppendHeaderLengths(t *testing.T) {
	for n := -2; n <= 1001; n++ {
		want := "*" + strconv.Itoa(n) + "\r\n"
		if got := string(AppendArrayLen(nil, n)); got != want {
			t.Fatalf("AppendArrayLen(%d) = %q, want %q", n, got, want)
		}
		if got := string(AppendBulkHeader(nil, n)); got != "$"+want[1:] {
			t.Fatalf("AppendBulkHeader(%d) = %q", n, got)
		}
		if got := string(AppendMapLen(nil, n, 3)); got != "%"+want[1:] {
			t.Fatalf("AppendMapLen(%d) = %q", n, got)
		}
	}
}
