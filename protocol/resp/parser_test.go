package resp

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

// cmd is one parse result, copied out of the buffer.
type cmd struct {
	args []string
	n    int
}

// parseOne parses the first command of in with a fresh parser.
func parseOne(in string, lim *Limits) (cmd, error) {
	var p Parser
	args, n, err := p.Parse([]byte(in), nil, lim)
	return cmd{argStrings(args), n}, err
}

func argStrings(args [][]byte) []string {
	s := make([]string, len(args))
	for i, a := range args {
		s[i] = string(a)
	}
	return s
}

func errMsg(err error) string {
	var pe *ProtocolError
	switch {
	case err == nil:
		return ""
	case err == ErrIncomplete:
		return "incomplete"
	case errors.As(err, &pe):
		return pe.Msg
	default:
		return "unexpected " + err.Error()
	}
}

// TestParseOK: complete commands. Expected values were checked against a
// real redis-server 7.0 (the empty and quirky cases are what it accepts).
func TestParseOK(t *testing.T) {
	f := func(in string, n int, want ...string) {
		t.Helper()
		got, err := parseOne(in, nil)
		if err != nil {
			t.Fatalf("%q: unexpected error %v", in, err)
		}
		if got.n != n || strings.Join(got.args, "|") != strings.Join(want, "|") || len(got.args) != len(want) {
			t.Fatalf("%q: got %q n=%d, want %q n=%d", in, got.args, got.n, want, n)
		}
	}
	f("*1\r\n$4\r\nPING\r\n", 14, "PING")
	f("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", 20, "GET", "k")
	f("*2\r\n$3\r\nGET\r\n$0\r\n\r\n", 19, "GET", "")
	f("*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n", 14, "PING") // one at a time
	f("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\r\nb\x00\r\n", 31, "SET", "k", "a\r\nb\x00")
	// Empty commands are consumed and yield no arguments.
	f("*0\r\n", 4)
	f("*-1\r\n", 5)
	f("*-5\r\n", 5)
	f("*-9223372036854775808\r\n", 23)
	// Redis skips the two bytes after a bulk string without checking them,
	// and takes any byte after a header's '\r' as its '\n'.
	f("*1\r\n$4\r\nPINGxx", 14, "PING")
	f("*1\rX$4\rXPINGxx", 14, "PING")
	// Inline.
	f("PING\r\n", 6, "PING")
	f("PING\n", 5, "PING")
	f("\r\n", 2)
	f("\n", 1)
	f("   \t \r\n", 7)
	f("SET k v\r\n", 9, "SET", "k", "v")
	f("  SET   k\tv  \r\n", 15, "SET", "k", "v")
	f("a\rb\r\n", 5, "a", "b")
	f("a\r\r\n", 4, "a")
	f("\vECHO x\r\n", 9, "ECHO", "x")
	f("ECHO a\vb\r\n", 10, "ECHO", "a\vb")
	f("$3\r\n", 4, "$3")
	f(":1\r\n", 4, ":1")
	f("GET k\r\n*1\r\n", 7, "GET", "k")
}

// TestParseQuotes: sdssplitargs rules, checked against redis-server 7.0
// with ECHO.
func TestParseQuotes(t *testing.T) {
	f := func(line string, want ...string) {
		t.Helper()
		got, err := parseOne(line+"\r\n", nil)
		if err != nil {
			t.Fatalf("%q: unexpected error %v", line, err)
		}
		if strings.Join(got.args, "|") != strings.Join(want, "|") || len(got.args) != len(want) {
			t.Fatalf("%q: got %q, want %q", line, got.args, want)
		}
	}
	f(`ECHO "a\x41\n"`, "ECHO", "aA\n")
	f(`ECHO "\x4a\x4B\xff\x00"`, "ECHO", "JK\xff\x00")
	f(`ECHO 'ab\'c'`, "ECHO", "ab'c")
	f(`ECHO a"b c"`, "ECHO", "ab c")
	f(`ECHO ""`, "ECHO", "")
	f(`ECHO ''`, "ECHO", "")
	f("ECHO \"a\"\tx", "ECHO", "a", "x")
	f("ECHO \"a\"\vb", "ECHO", "a", "b")
	f(`ECHO 'a\nb'`, "ECHO", `a\nb`)
	f(`ECHO 'a\b'`, "ECHO", `a\b`)
	f(`ECHO "\q"`, "ECHO", "q")
	f(`ECHO "\xZZ"`, "ECHO", "xZZ")
	f(`ECHO "\x4"`, "ECHO", "x4")
	f(`ECHO "\"" '"' "'"`, "ECHO", `"`, `"`, `'`)
	f(`ECHO "\r\t\b\a\\"`, "ECHO", "\r\t\b\a\\")
	f(`SET "k 1" 'v 2'`, "SET", "k 1", "v 2")
}

// TestParseErrors: Redis's exact protocol error messages, checked against a
// real redis-server 7.0.
func TestParseErrors(t *testing.T) {
	f := func(in string, lim *Limits, want string) {
		t.Helper()
		_, err := parseOne(in, lim)
		if got := errMsg(err); got != want {
			t.Fatalf("%q: got %q, want %q", in, got, want)
		}
	}
	const (
		mbulk  = "Protocol error: invalid multibulk length"
		bulk   = "Protocol error: invalid bulk length"
		quotes = "Protocol error: unbalanced quotes in request"
	)
	for _, in := range []string{"*-0\r\n", "*00\r\n", "*01\r\n", "*+1\r\n", "*\r\n", "*a\r\n", "* 1\r\n", "*1 \r\n",
		"*2147483648\r\n", "*99999999999999999999\r\n", "*-9223372036854775809\r\n"} {
		f(in, nil, mbulk)
	}
	for _, in := range []string{"*1\r\n$-1\r\n", "*1\r\n$\r\n", "*1\r\n$01\r\nx\r\n", "*1\r\n$-0\r\n",
		"*1\r\n$536870913\r\n", "*1\r\n$ 1\r\n", "*1\r\n$1x\r\n"} {
		f(in, nil, bulk)
	}
	f("*1\r\nX\r\n", nil, "Protocol error: expected '$', got 'X'")
	f("*1\r\n\r\n", nil, "Protocol error: expected '$', got ' '")
	f("*1\r\n\n\r\n", nil, "Protocol error: expected '$', got ' '")
	f("*1\r\n:3\r\nfoo\r\n", nil, "Protocol error: expected '$', got ':'")
	f("*1\r\n\xff\r\n", nil, "Protocol error: expected '$', got '\xff'")
	f("*2\r\n$1\r\na\r\n*1\r\n", nil, "Protocol error: expected '$', got '*'")
	// A bulk longer than announced: "ba" is skipped as the trailer, then
	// "r\r\n" is read as the next header.
	f("*2\r\n$3\r\nfoobar\r\n", nil, "Protocol error: expected '$', got 'r'")

	f(`ECHO "abc"def`+"\r\n", nil, quotes)
	f(`ECHO "abc`+"\r\n", nil, quotes)
	f(`ECHO 'abc`+"\r\n", nil, quotes)
	f(`ECHO 'a\'`+"\r\n", nil, quotes)
	f(`ECHO "a\"`+"\r\n", nil, quotes)
	f(`ECHO "a\`+"\r\n", nil, quotes)
	f(`ECHO "a""b"`+"\r\n", nil, quotes)
	f(`ECHO '\\'`+"\r\n", nil, quotes) // \' escapes the closing quote
	f(`ECHO 'a'b`+"\r\n", nil, quotes)
	f(`"a""`+"\r\n", nil, quotes)

	// Pre-auth limits.
	unauth := DefaultLimits()
	unauth.Unauthenticated = true
	f("*11\r\n", &unauth, "Protocol error: unauthenticated multibulk length")
	f("*10\r\n", &unauth, "incomplete")
	f("*2147483648\r\n", &unauth, mbulk) // invalid is checked first
	f("*1\r\n$16385\r\n", &unauth, "Protocol error: unauthenticated bulk length")
	f("*1\r\n$16384\r\n", &unauth, "incomplete")
	f("*1\r\n$536870913\r\n", &unauth, bulk)
	f("*1\r\n$-1\r\n", &unauth, bulk)

	// Custom limits.
	small := Limits{MaxBulkLen: 10, MaxMultibulkLen: 3, MaxInlineLen: 16}
	f("*4\r\n", &small, mbulk)
	f("*3\r\n$11\r\n", &small, bulk)
	f("*3\r\n$10\r\n", &small, "incomplete")
	f(strings.Repeat("a", 17), &small, "Protocol error: too big inline request")
	f(strings.Repeat("a", 16), &small, "incomplete")
	f(strings.Repeat("a", 16)+"\n", &small, "")
	f("*"+strings.Repeat("1", 17), &small, "Protocol error: too big mbulk count string")
	f("*3\r\n$"+strings.Repeat("1", 16), &small, "Protocol error: too big bulk count string")
}

// TestParseLongLines pins the 64 KB boundaries. Redis (PROTO_INLINE_MAX_SIZE)
// errs once more than 65536 bytes are buffered without the terminator;
// the terminator itself may sit at offset 65536.
func TestParseLongLines(t *testing.T) {
	const max = DefaultMaxInlineLen
	f := func(in, want string) {
		t.Helper()
		_, err := parseOne(in, nil)
		if got := errMsg(err); got != want {
			t.Fatalf("%.20q... (%d bytes): got %q, want %q", in, len(in), got, want)
		}
	}
	ones := func(n int) string { return strings.Repeat("1", n) }
	f("*"+ones(max-1), "incomplete")
	f("*"+ones(max), "Protocol error: too big mbulk count string")
	f("*"+ones(max-1)+"\r", "incomplete") // '\r' at offset 65536 waits for one more byte
	f("*"+ones(max-1)+"\r\n", "Protocol error: invalid multibulk length")
	f("*"+ones(max)+"\r\n", "Protocol error: too big mbulk count string")

	f("*1\r\n$"+ones(max-1), "incomplete")
	f("*1\r\n$"+ones(max), "Protocol error: too big bulk count string")
	f("*1\r\n$"+ones(max-1)+"\r\n", "Protocol error: invalid bulk length")
	f("*1\r\nX"+ones(max), "Protocol error: too big bulk count string") // size is checked before '$'

	// A NUL before a line's end hides the end, as strchr does in Redis.
	f("ECHO a\x00b\r\n", "incomplete")
	f("ECHO a\x00b\r\n"+ones(max), "Protocol error: too big inline request")
	f("*1\x00\r\n", "incomplete")
	f("*1\x00\r\n"+ones(max), "Protocol error: too big mbulk count string")
	f("*1\r\n$1\x00\r\n", "incomplete")
	f("*1\r\n$3\r\na\x00b\r\n", "") // a bulk's bytes are read by length

	a := strings.Repeat("a", max)
	f(a, "incomplete")
	f(a+"a", "Protocol error: too big inline request")
	f(a+"\n", "")
	f(a+"a\n", "Protocol error: too big inline request")
	got, err := parseOne(a[:max-1]+"\r\n", nil)
	if err != nil || got.n != max+1 || len(got.args) != 1 || len(got.args[0]) != max-1 {
		t.Fatalf("longest inline line: n=%d args=%d err=%v", got.n, len(got.args), err)
	}
}

func TestParseLen(t *testing.T) {
	f := func(s string, want int64, ok bool) {
		t.Helper()
		got, gotOK := parseLen([]byte(s))
		if got != want || gotOK != ok {
			t.Fatalf("parseLen(%q) = %d, %v; want %d, %v", s, got, gotOK, want, ok)
		}
	}
	f("0", 0, true)
	f("1", 1, true)
	f("-1", -1, true)
	f("123", 123, true)
	f("9223372036854775807", 1<<63-1, true)
	f("-9223372036854775808", -1<<63, true)
	f("9223372036854775808", 0, false)
	f("-9223372036854775809", 0, false)
	f("18446744073709551615", 0, false)
	f("18446744073709551616", 0, false)
	f("99999999999999999999", 0, false)
	f("100000000000000000000", 0, false) // 21 characters
	for _, bad := range []string{"", "-", "-0", "00", "01", "+1", " 1", "1 ", "1a", "a", "1.0", "0x1", "--1"} {
		f(bad, 0, false)
	}
}

// TestParseReuse: argv is reused, arguments alias the buffer, and their
// capacity is cut so an append cannot overwrite the next bytes.
func TestParseReuse(t *testing.T) {
	var p Parser
	buf := []byte("*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n")
	argv := make([][]byte, 0, 8)
	args, n, err := p.Parse(buf, argv, nil)
	if err != nil || n != 20 || len(args) != 2 {
		t.Fatal(args, n, err)
	}
	if &args[0:1][0] != &argv[0:1][0] {
		t.Fatal("argv was not reused")
	}
	if &args[1][0] != &buf[17] {
		t.Fatal("argument does not alias the buffer")
	}
	if cap(args[0]) != 3 {
		t.Fatalf("cap = %d, want 3", cap(args[0]))
	}
	_ = append(args[0], 'X')
	if buf[11] != '\r' {
		t.Fatal("append to an argument overwrote the buffer")
	}
	args, n, err = p.Parse(buf[n:], argv, nil)
	if err != nil || n != 6 || len(args) != 1 || string(args[0]) != "PING" || cap(args[0]) != 4 {
		t.Fatal(args, n, err)
	}
}

// TestInlineArenaStable: quoted inline arguments survive later parses, the
// property a connection relies on when it parses a whole read before running
// anything.
func TestInlineArenaStable(t *testing.T) {
	var p Parser
	var in []byte
	for i := range 2000 {
		in = fmt.Appendf(in, "SET \"key\\x%02x%d\" 'v %d'\r\n", i%256, i, i)
	}
	var all [][]byte
	for len(in) > 0 {
		args, n, err := p.Parse(in, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, args...)
		in = in[n:]
	}
	for i := range 2000 {
		k, v := all[3*i+1], all[3*i+2]
		if string(k) != "key"+string([]byte{byte(i)})+strconv.Itoa(i) || string(v) != fmt.Sprintf("v %d", i) {
			t.Fatalf("command %d: got %q %q", i, k, v)
		}
		if cap(k) != len(k) {
			t.Fatalf("command %d: cap %d len %d", i, cap(k), len(k))
		}
	}
}

// pipeline is a mix of everything the parser accepts, one command after
// another.
func pipeline() []byte {
	var b []byte
	b = appendCommand(b, "SET", "key:1", strings.Repeat("v", 100))
	b = appendCommand(b, "GET", "key:1")
	b = append(b, "PING\r\n"...)
	b = append(b, "*0\r\n"...)
	b = append(b, "\r\n"...)
	b = appendCommand(b, "MSET", "a", "", "b", "x\r\ny", "c", string([]byte{0, 1, 2, 255}))
	b = append(b, "ECHO \"quoted \\x41 \\\"arg\\\"\" 'single \\' q'\r\n"...)
	b = append(b, "*-1\r\n"...)
	b = append(b, "  SET  k2   v2 \n"...)
	b = appendCommand(b, "DEL")
	b = append(b, "*1\r\n$4\r\nPINGxx"...) // unchecked trailer
	for i := range 20 {
		b = appendCommand(b, "INCR", "counter:"+strconv.Itoa(i))
	}
	b = appendCommand(b, "SET", "big", strings.Repeat("B", 3000))
	return b
}

func appendCommand(b []byte, args ...string) []byte {
	b = AppendArrayLen(b, len(args))
	for _, a := range args {
		b = AppendBulkString(b, a)
	}
	return b
}

// feed parses chunks as a connection would: append each chunk to the
// pending input, parse every complete command, drop the consumed bytes.
// copyEach copies the pending bytes into a fresh buffer before every Parse
// call, to prove the parser keeps offsets, not pointers.
func feed(t *testing.T, chunks [][]byte, copyEach bool) []cmd {
	t.Helper()
	var p Parser
	var pending []byte
	var out []cmd
	argv := make([][]byte, 0, 4)
	for _, c := range chunks {
		pending = append(pending, c...)
		for {
			buf := pending
			if copyEach {
				buf = bytes.Clone(pending)
			}
			if need := p.Need(); need > len(buf) {
				break
			}
			args, n, err := p.Parse(buf, argv, nil)
			if err == ErrIncomplete {
				break
			}
			if err != nil {
				t.Fatalf("parse error: %v", err)
			}
			if n <= 0 || n > len(buf) {
				t.Fatalf("n = %d, len = %d", n, len(buf))
			}
			out = append(out, cmd{argStrings(args), n})
			pending = pending[n:]
		}
	}
	if len(pending) != 0 {
		t.Fatalf("%d bytes left unparsed", len(pending))
	}
	return out
}

func sameCmds(a, b []cmd) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].n != b[i].n || strings.Join(a[i].args, "\x00|") != strings.Join(b[i].args, "\x00|") || len(a[i].args) != len(b[i].args) {
			return false
		}
	}
	return true
}

// TestPipelineSplits: the same pipeline fed whole, split at every byte
// boundary into two chunks, and fed one byte at a time gives identical
// commands.
func TestPipelineSplits(t *testing.T) {
	in := pipeline()
	want := feed(t, [][]byte{in}, false)
	if len(want) != 32 {
		t.Fatalf("got %d commands, want 32", len(want))
	}
	if got := want[6].args; len(got) != 3 || got[1] != `quoted A "arg"` || got[2] != "single ' q" {
		t.Fatalf("quoted command: %q", got)
	}
	for k := 0; k <= len(in); k++ {
		for _, copyEach := range []bool{false, true} {
			got := feed(t, [][]byte{in[:k], in[k:]}, copyEach)
			if !sameCmds(got, want) {
				t.Fatalf("split at %d (copy %v): results differ", k, copyEach)
			}
		}
	}
	bytewise := make([][]byte, len(in))
	for i := range in {
		bytewise[i] = in[i : i+1]
	}
	for _, copyEach := range []bool{false, true} {
		if got := feed(t, bytewise, copyEach); !sameCmds(got, want) {
			t.Fatalf("byte-at-a-time (copy %v): results differ", copyEach)
		}
	}
}

// TestNeedLargeBulk: a 10 MB bulk string fed in 64 KB chunks. Need reports
// the full length as soon as the header is read, the parser does not move
// while it waits, and the command parses once the last byte arrives.
func TestNeedLargeBulk(t *testing.T) {
	const size = 10 << 20
	val := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	in := AppendArrayLen(nil, 3)
	in = AppendBulkString(in, "SET")
	in = AppendBulkString(in, "k")
	in = AppendBulk(in, val)
	header := len(in) - size - 2

	var p Parser
	var calls, skipped int
	for end := 64 << 10; ; end += 64 << 10 {
		end = min(end, len(in))
		buf := in[:end]
		if p.Need() > len(buf) {
			skipped++
			// Parsing anyway must still be O(1) and change nothing.
			pos := p.pos
			if _, _, err := p.Parse(buf, nil, nil); err != ErrIncomplete || p.pos != pos || p.Need() != len(in) {
				t.Fatalf("at %d: err %v, pos %d -> %d, need %d", end, err, pos, p.pos, p.Need())
			}
			continue
		}
		calls++
		args, n, err := p.Parse(buf, nil, nil)
		if err == ErrIncomplete {
			if p.Need() != len(in) || p.pos != header {
				t.Fatalf("at %d: need %d (want %d), pos %d (want %d)", end, p.Need(), len(in), p.pos, header)
			}
			continue
		}
		if err != nil || n != len(in) || len(args) != 3 || !bytes.Equal(args[2], val) {
			t.Fatalf("at %d: n %d, err %v", end, n, err)
		}
		break
	}
	if calls != 2 || skipped != 159 {
		t.Fatalf("calls %d, skipped %d", calls, skipped)
	}
}

// TestHeaderTrickle: a header line arriving a byte at a time is searched
// once overall, not once per byte.
func TestHeaderTrickle(t *testing.T) {
	in := []byte("*1\r\n$" + strings.Repeat("1", 15) + "\r\n")
	var p Parser
	for end := 5; end < len(in)-1; end++ {
		if _, _, err := p.Parse(in[:end], nil, nil); err != ErrIncomplete {
			t.Fatal(err)
		}
		if p.scan != end {
			t.Fatalf("at %d: scan resumes from %d", end, p.scan)
		}
		if p.Need() != 0 {
			t.Fatalf("need %d while a header is incomplete", p.Need())
		}
	}
}

// TestManyArgsResume: a command with many arguments, fed in small chunks,
// keeps its progress between calls (each header parsed once), gets an
// argument slice sized once for it, and that slice is not reused for the
// next, small command.
func TestManyArgsResume(t *testing.T) {
	const nargs = 100000
	args := make([]string, nargs)
	for i := range args {
		args[i] = strconv.Itoa(i)
	}
	in := appendCommand(nil, args...)
	var p Parser
	var got [][]byte
	var err error
	var n int
	left := int64(nargs + 1)
	for end := 1000; ; end += 1000 {
		end = min(end, len(in))
		got, n, err = p.Parse(in[:end], got, nil)
		if err == ErrIncomplete {
			if p.left > left || (p.left == left && end > 2000) {
				t.Fatalf("at %d: %d arguments left, %d before", end, p.left, left)
			}
			left = p.left
			continue
		}
		break
	}
	if err != nil || n != len(in) || len(got) != nargs || string(got[nargs-1]) != strconv.Itoa(nargs-1) {
		t.Fatalf("n %d err %v len %d", n, err, len(got))
	}
	if cap(got) != nargs {
		t.Fatalf("args capacity %d for %d arguments", cap(got), nargs)
	}
	small, _, err := p.Parse(appendCommand(nil, "GET", "k"), got, nil)
	if err != nil || len(small) != 2 || cap(small) >= nargs {
		t.Fatalf("small command after a big one: %d args, capacity %d, err %v", len(small), cap(small), err)
	}
}

// TestNeedManyArgs: once 256 KiB of a command with many arguments have been
// parsed, Need is a lower bound of the command's end (6 bytes per argument
// still to come), so a caller that skips Parse until Need is reached parses
// a 20 MB command of a million arguments, fed in 64 KB reads, in a few dozen
// calls. Every value of Need is still at most the command's length.
func TestNeedManyArgs(t *testing.T) {
	const nargs = 1000000
	in := AppendArrayLen(nil, nargs)
	for i := range nargs {
		in = AppendBulk(in, strconv.AppendInt(nil, int64(i), 10))
	}
	var p Parser
	calls := 0
	for end := 64 << 10; ; end += 64 << 10 {
		end = min(end, len(in))
		if need := p.Need(); need > len(in) {
			t.Fatalf("at %d: need %d beyond the command's end %d", end, need, len(in))
		} else if need > end {
			continue
		}
		calls++
		args, n, err := p.Parse(in[:end], nil, nil)
		if err == ErrIncomplete {
			continue
		}
		if err != nil || n != len(in) || len(args) != nargs || string(args[nargs-1]) != strconv.Itoa(nargs-1) {
			t.Fatalf("n %d err %v len %d", n, err, len(args))
		}
		break
	}
	if calls > 40 {
		t.Fatalf("%d Parse calls for %d bytes in %d reads", calls, len(in), len(in)/(64<<10))
	}
	t.Logf("%d calls for %d reads", calls, len(in)/(64<<10))
}

// TestParseContract: giving the parser fewer bytes than before
// ErrIncomplete is a caller bug and panics rather than misparsing; Reset
// makes a parser reusable.
func TestParseContract(t *testing.T) {
	var p Parser
	in := []byte("*2\r\n$3\r\nGET\r\n$1\r\n")
	if _, _, err := p.Parse(in, nil, nil); err != ErrIncomplete {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.HasPrefix(fmt.Sprint(r), "BUG: ") {
				t.Fatalf("recovered %v, want a BUG panic", r)
			}
		}()
		p.Parse(in[:3], nil, nil)
	}()
	p.Reset()
	args, n, err := p.Parse([]byte("PING\r\n"), nil, nil)
	if err != nil || n != 6 || len(args) != 1 {
		t.Fatal(args, n, err)
	}
	// After a protocol error the parser is reset too.
	if _, _, err := p.Parse([]byte("*1\r\n$x\r\n"), nil, nil); errMsg(err) != "Protocol error: invalid bulk length" {
		t.Fatal(err)
	}
	args, n, err = p.Parse([]byte("*1\r\n$4\r\nPING\r\n"), nil, nil)
	if err != nil || n != 14 || len(args) != 1 {
		t.Fatal(args, n, err)
	}
}

// TestNoClaimedAllocation: huge claimed lengths cost nothing until the bytes
// arrive.
func TestNoClaimedAllocation(t *testing.T) {
	for _, in := range []string{
		"*2147483647\r\n",
		"*2147483647\r\n$536870912\r\n",
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\nabc",
	} {
		var p Parser
		argv := make([][]byte, 0, 8)
		buf := []byte(in)
		p.Parse(buf, argv, nil)
		p.Reset()
		allocs := testing.AllocsPerRun(100, func() {
			p.Reset()
			if _, _, err := p.Parse(buf, argv, nil); err != ErrIncomplete {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Fatalf("%q: %v allocations", in, allocs)
		}
	}
}

func TestParseAllocs(t *testing.T) {
	get := appendCommand(nil, "GET", "key:000001")
	set := appendCommand(nil, "SET", "key:000001", strings.Repeat("x", 100))
	inline := []byte("SET key value\r\n")
	pipe := bytes.Repeat(get, 16)
	var p Parser
	argv := make([][]byte, 0, 8)
	for name, buf := range map[string][]byte{"GET": get, "SET": set, "inline": inline, "pipeline": pipe} {
		allocs := testing.AllocsPerRun(1000, func() {
			in := buf
			for len(in) > 0 {
				args, n, err := p.Parse(in, argv, nil)
				if err != nil || len(args) == 0 {
					t.Fatal(err)
				}
				in = in[n:]
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per run", name, allocs)
		}
	}
}

func TestDefaultLimits(t *testing.T) {
	l := DefaultLimits()
	if l.MaxBulkLen != 512*1024*1024 || l.MaxMultibulkLen != 1<<31-1 || l.MaxInlineLen != 64*1024 || l.Unauthenticated {
		t.Fatalf("%+v", l)
	}
	// A zero Limits and nil both mean the defaults.
	for _, lim := range []*Limits{nil, {}} {
		if _, err := parseOne("*1\r\n$536870912\r\n", lim); err != ErrIncomplete {
			t.Fatal(err)
		}
		if _, err := parseOne("*1\r\n$536870913\r\n", lim); errMsg(err) != "Protocol error: invalid bulk length" {
			t.Fatal(err)
		}
	}
}

// TestNeedClamp: Need never overflows, whatever the limits allow.
func TestNeedClamp(t *testing.T) {
	lim := Limits{MaxBulkLen: math.MaxInt64}
	var p Parser
	if _, _, err := p.Parse([]byte("*1\r\n$9223372036854775807\r\n"), nil, &lim); err != ErrIncomplete {
		t.Fatal(err)
	}
	if p.Need() != math.MaxInt {
		t.Fatalf("need %d", p.Need())
	}
}
