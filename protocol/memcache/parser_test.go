package memcache

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// describe renders a parsed request compactly for comparisons.
func describe(r *Request) string {
	switch r.Cmd {
	case CmdNone:
		return "none"
	case CmdError:
		if r.NoReply {
			return "error(noreply) " + r.Err
		}
		return "error " + r.Err
	}
	var b strings.Builder
	b.WriteString(r.Cmd.String())
	if r.NoReply {
		b.WriteString(" noreply")
	}
	if r.Key != nil {
		fmt.Fprintf(&b, " key=%q", r.Key)
	}
	for _, k := range r.Keys {
		fmt.Fprintf(&b, " %q", k)
	}
	if r.Cmd.IsStorage() {
		fmt.Fprintf(&b, " flags=%d exp=%d value=%q", r.Flags, r.Exptime, r.Value)
	}
	if r.Cmd == CmdAuth {
		fmt.Fprintf(&b, " password=%q", r.Value)
	}
	switch r.Cmd {
	case CmdCas:
		fmt.Fprintf(&b, " cas=%d", r.CAS)
	case CmdIncr, CmdDecr:
		fmt.Fprintf(&b, " delta=%d", r.Delta)
	case CmdTouch, CmdGat, CmdGats:
		fmt.Fprintf(&b, " exp=%d", r.Exptime)
	case CmdFlushAll:
		if r.HasDelay {
			fmt.Fprintf(&b, " delay=%d", r.Exptime)
		}
	case CmdStats:
		for _, a := range r.Args {
			fmt.Fprintf(&b, " %s", a)
		}
	}
	for _, t := range r.Meta.Tokens {
		fmt.Fprintf(&b, " %s", t)
	}
	return b.String()
}

// parseAll parses a stream fed in chunks, as a connection does (append,
// parse all, discard), and returns what it saw; it checks the per-call
// invariants on the way.
func parseAll(t testing.TB, chunks [][]byte) []string {
	return parseWith(t, &Parser{}, (*Parser).Parse, chunks)
}

// parseWith is parseAll with a parser the caller configured and its Parse
// or ParseAuth.
func parseWith(t testing.TB, p *Parser, parse func(*Parser, []byte, *Request) (int, error), chunks [][]byte) []string {
	var r Request
	var pending []byte
	var out []string
	for _, c := range chunks {
		pending = append(pending, c...)
		for len(pending) > 0 && len(pending) >= p.Need() {
			n, err := parse(p, pending, &r)
			if err == ErrIncomplete {
				if n != 0 {
					t.Fatalf("n = %d with ErrIncomplete", n)
				}
				break
			}
			if err != nil {
				return append(out, "close: "+err.Error())
			}
			if n <= 0 || n > len(pending) {
				t.Fatalf("n = %d for %d buffered bytes", n, len(pending))
			}
			if r.Cmd != CmdNone { // swallowed bytes: how many calls depends on the chunks
				out = append(out, describe(&r))
			}
			pending = pending[n:]
		}
	}
	return out
}

func TestParse(t *testing.T) {
	f := func(in string, want ...string) {
		t.Helper()
		got := parseAll(t, [][]byte{[]byte(in)})
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("Parse(%q):\n got  %q\n want %q", in, got, want)
		}
		// The same bytes one at a time give the same requests.
		var chunks [][]byte
		for i := 0; i < len(in); i++ {
			chunks = append(chunks, []byte{in[i]})
		}
		if got1 := parseAll(t, chunks); strings.Join(got1, "\n") != strings.Join(got, "\n") {
			t.Errorf("Parse(%q) byte by byte:\n got  %q\n whole %q", in, got1, got)
		}
	}
	// Retrieval.
	f("get a\r\n", `get "a"`)
	f("get a b  c\r\n", `get "a" "b" "c"`)
	f("gets a\n", `gets "a"`)
	f("gat 10 a b\r\n", `gat "a" "b" exp=10`)
	f("gats -1 a\r\n", `gats "a" exp=-1`)
	f("gat 10\r\n", `gat exp=10`)
	f("gat x a\r\n", "error CLIENT_ERROR invalid exptime argument")
	f("get\r\n", "error ERROR")
	f("get "+strings.Repeat("k", 251)+"\r\n", "error CLIENT_ERROR bad command line format")
	f("get "+strings.Repeat("k", 250)+"\r\n", `get "`+strings.Repeat("k", 250)+`"`)
	f("gex a\r\n", "error ERROR")
	f("bget a\r\n", `get "a"`)

	// Storage.
	f("set k 5 0 3\r\nabc\r\n", `set key="k" flags=5 exp=0 value="abc"`)
	f("set k 0 0 0\r\n\r\n", `set key="k" flags=0 exp=0 value=""`)
	f("set k 0 0 3 noreply\r\nabc\r\n", `set noreply key="k" flags=0 exp=0 value="abc"`)
	f("set k 0 0 3 junk\r\nabc\r\n", `set key="k" flags=0 exp=0 value="abc"`)
	f("add k 1 2 1\r\nx\r\n", `add key="k" flags=1 exp=2 value="x"`)
	f("replace k 0 0 1\r\nx\r\n", `replace key="k" flags=0 exp=0 value="x"`)
	f("append k 0 0 1\r\nx\r\n", `append key="k" flags=0 exp=0 value="x"`)
	f("prepend k 0 0 1\r\nx\r\n", `prepend key="k" flags=0 exp=0 value="x"`)
	f("cas k 0 0 1 99\r\nx\r\n", `cas key="k" flags=0 exp=0 value="x" cas=99`)
	f("cas k 0 0 1\r\nx\r\n", "error ERROR", "error ERROR")
	f("set k 0 0\r\n", "error ERROR")
	f("set k 0 0 3\r\nabcde\r\n", "error CLIENT_ERROR bad data chunk", "error ERROR")
	f("set k 0 0 3 noreply\r\nabcd\r\n", "error(noreply) CLIENT_ERROR bad data chunk", "error ERROR")
	f("set k x 0 1\r\na\r\n", "error CLIENT_ERROR bad command line format", "error ERROR")
	f("set k 0 0 -1\r\n", "error CLIENT_ERROR bad command line format")
	f("set k 0 0 x noreply\r\n", "error(noreply) CLIENT_ERROR bad command line format")
	f("set "+strings.Repeat("k", 251)+" 0 0 1\r\na\r\n", "error CLIENT_ERROR bad command line format", "error ERROR")
	// The C-library number quirks.
	f("set k 4294967296 0 1\r\na\r\n", `set key="k" flags=0 exp=0 value="a"`)
	f("set k -0 +5 1\r\na\r\n", `set key="k" flags=0 exp=5 value="a"`)
	f("set k -1 0 1\r\na\r\n", "error CLIENT_ERROR bad command line format", "error ERROR")
	f("set k 0 0 4294967297\r\na\r\n", `set key="k" flags=0 exp=0 value="a"`)
	// Too large: the data block is swallowed, never buffered.
	f("set k 0 0 2000000\r\n"+strings.Repeat("x", 100), "error SERVER_ERROR object too large for cache")
	f("set k 0 0 1048517\r\n", "error SERVER_ERROR object too large for cache")
	f("set k 0 0 1048516\r\n") // exactly at the limit: waits for the data

	// Other text commands.
	f("incr n 5\r\n", `incr key="n" delta=5`)
	f("decr n 5 noreply\r\n", `decr noreply key="n" delta=5`)
	f("incr n -1\r\n", "error CLIENT_ERROR invalid numeric delta argument")
	f("incr n\r\n", "error ERROR")
	f("delete k\r\n", `delete key="k"`)
	f("delete k 0\r\n", `delete key="k"`)
	f("delete k noreply\r\n", `delete noreply key="k"`)
	f("delete k 0 noreply\r\n", `delete noreply key="k"`)
	f("delete k 1\r\n", "error CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]")
	f("delete k 1 noreply\r\n", "error(noreply) CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]")
	f("touch k 10\r\n", `touch key="k" exp=10`)
	f("touch k x\r\n", "error CLIENT_ERROR invalid exptime argument")
	f("flush_all\r\n", "flush_all")
	f("flush_all 10\r\n", "flush_all delay=10")
	f("flush_all noreply\r\n", "flush_all noreply")
	f("flush_all 10 noreply\r\n", "flush_all noreply delay=10")
	f("flush_all x\r\n", "error CLIENT_ERROR invalid exptime argument")
	f("flush_all 1 2 3\r\n", "error ERROR")
	f("version\r\n", "version")
	f("quit\r\n", "quit")
	f("verbosity 1\r\n", "verbosity")
	f("verbosity x\r\n", "error CLIENT_ERROR bad command line format")
	f("stats\r\n", "stats")
	f("stats settings\r\n", "stats settings")
	f("shutdown\r\n", "error ERROR: shutdown not enabled")
	f("\r\n", "error ERROR")
	f("x\r\n", "error ERROR")
	f("nosuch a b\r\n", "error ERROR")
	f("get a\x00b\r\n", `get "a"`)
	f("GET / HTTP/1.1\r\n", "close: "+ErrHTTP.Error())

	// HTTP (cross-protocol scripting): the line closes the connection and
	// nothing after it runs; lower-case commands with such keys still run.
	http := "close: " + ErrHTTP.Error()
	f("POST / HTTP/1.1\r\nHost: x\r\n\r\nset pwn 0 0 1\r\n1\r\n", http)
	f("version\r\nPOST /x\r\nversion\r\n", "version", http)
	f("POST\r\n", http)
	f("POST anything\r\n", http)
	f("Host: example.com\r\nset pwn 0 0 1\r\n1\r\n", http)
	f("HOST:x\r\n", http)
	f("  host: x\r\n", http)
	f("PUT /k HTTP/1.0\r\n", http)
	f("DELETE /k\r\n", http)
	f("OPTIONS * HTTP/1.1\r\n", http)
	f("CONNECT example.com:443 HTTP/1.1\r\n", http)
	f("GET http://example.com/ HTTP/1.1\r\n", http)
	f("HEAD /\r\n", http)
	f("PATCH /a\r\nTRACE /\r\n", http)
	f("GET / HTTP/1.1") // the line is not complete: nothing yet
	f("GET\r\n", "error ERROR")
	f("GET k\r\n", "error ERROR")
	f("FOO / bar\r\n", "error ERROR")
	f("hostname: x\r\n", "error ERROR")
	f("get / HTTP/1.1\r\n", `get "/" "HTTP/1.1"`)
	f("set / 0 0 1\r\nx\r\n", `set key="/" flags=0 exp=0 value="x"`)
	f("set k 0 0 15\r\nPOST / HTTP/1.1\r\n", `set key="k" flags=0 exp=0 value="POST / HTTP/1.1"`)

	// Meta.
	f("mn\r\n", "mn")
	f("mg k v t c\r\n", `mg key="k" v t c`)
	f("mg k\r\n", `mg key="k"`)
	f("mg\r\n", "error ERROR")
	f("mg k v v\r\n", "error CLIENT_ERROR duplicate flag")
	f("mg k zz\r\n", "error CLIENT_ERROR invalid flag")
	f("mg k Tx\r\n", "error CLIENT_ERROR bad token in command line format")
	f("mg k q\r\n", `mg noreply key="k" q`)
	f("mg k O"+strings.Repeat("o", 32)+"\r\n", "error CLIENT_ERROR opaque token too long")
	f("mg a2V5 b k\r\n", `mg key="key" b k`)
	f("mg !!!! b\r\n", "error CLIENT_ERROR error decoding key")
	f("mg k"+strings.Repeat(" v", 19)+"\r\n", "error CLIENT_ERROR options flags are too long")
	f("ms k 3 T10 F5\r\nabc\r\n", `ms key="k" flags=5 exp=10 value="abc" T10 F5`)
	f("ms k 3 q\r\nabcd\r\n", "error CLIENT_ERROR bad data chunk", "error ERROR")
	f("ms k\r\n", "error CLIENT_ERROR bad command line format")
	f("ms k x\r\n", "error CLIENT_ERROR bad command line format")
	f("ms k 3 MX\r\nabc\r\n", "error CLIENT_ERROR invalid mode for ms M token")
	f("ms k 3 zz\r\nabc\r\n", "error CLIENT_ERROR invalid flag")
	f("ms k 2000000 T0\r\n", "error SERVER_ERROR object too large for cache")
	f("md k q C5\r\n", `md noreply key="k" q C5`)
	f("md k zz\r\n", "error CLIENT_ERROR invalid or duplicate flag")
	f("ma k D5 MD v\r\n", `ma key="k" D5 MD v`)
	f("ma k MX\r\n", "error CLIENT_ERROR invalid mode for ma M token")
	f("ma k Dx\r\n", "error CLIENT_ERROR invalid or duplicate flag")
	f("me k\r\n", `me key="k"`)
	f("me\r\n", "error CLIENT_ERROR bad command line format")
	f("mx k\r\n", "error ERROR")
}

func TestParseBinaryAndLongLines(t *testing.T) {
	var p Parser
	var r Request
	if _, err := p.Parse([]byte{0x80, 0x00, 0x00}, &r); err != ErrBinary {
		t.Errorf("binary magic: %v", err)
	}
	// Only the connection's first byte is sniffed.
	p = Parser{}
	if n, err := p.Parse([]byte("mn\r\n\x80\r\n"), &r); err != nil || n != 4 {
		t.Fatalf("mn: %d %v", n, err)
	}
	if _, err := p.Parse([]byte("\x80\r\n"), &r); err != nil || r.Cmd != CmdError {
		t.Errorf("0x80 mid-stream: %v %v", err, r.Cmd)
	}
	p = Parser{}
	long := bytes.Repeat([]byte("x"), 2049)
	if _, err := p.Parse(long, &r); err != ErrLineTooLong {
		t.Errorf("2049 bytes without a newline: %v", err)
	}
	// The verdict does not depend on whether the newline came in the same read.
	p = Parser{}
	if _, err := p.Parse(append(long, '\n'), &r); err != ErrLineTooLong {
		t.Errorf("a 2049-byte line: %v", err)
	}
	p = Parser{}
	if _, err := p.Parse(append(bytes.Repeat([]byte("x"), 2048), '\n'), &r); err != nil || r.Err != "ERROR" {
		t.Errorf("a 2048-byte line: %v %q", err, r.Err)
	}
	p = Parser{}
	getLine := append([]byte("get "), bytes.Repeat([]byte("k "), 3000)...)
	if _, err := p.Parse(getLine, &r); err != ErrIncomplete {
		t.Errorf("a long multiget is awaited: %v", err)
	}
	getLine = append(getLine, "\r\n"...)
	if _, err := p.Parse(getLine, &r); err != nil || len(r.Keys) != 3000 {
		t.Errorf("long multiget: %v, %d keys", err, len(r.Keys))
	}
	p = Parser{MaxGetLine: 4096}
	if _, err := p.Parse(getLine[:5000], &r); err != ErrLineTooLong {
		t.Errorf("multiget over MaxGetLine: %v", err)
	}
	// The fuzz target's lowered line limit keeps the same rules.
	p = Parser{lineMax: 64, MaxGetLine: 256}
	if _, err := p.Parse(append(bytes.Repeat([]byte("x"), 65), '\n'), &r); err != ErrLineTooLong {
		t.Errorf("a 65-byte line over lineMax 64: %v", err)
	}
	p = Parser{lineMax: 64, MaxGetLine: 256}
	if _, err := p.Parse(append(getLine[:200], '\n'), &r); err != nil || r.Cmd != CmdGet {
		t.Errorf("a 200-byte multiget under MaxGetLine 256: %v %v", err, r.Cmd)
	}
}

// TestParseLargeValue checks that a value arriving over many reads costs
// one parse of its line and that Need tells when it is complete.
func TestParseLargeValue(t *testing.T) {
	var p Parser
	var r Request
	line := "set big 0 0 500000\r\n"
	buf := []byte(line)
	if _, err := p.Parse(buf, &r); err != ErrIncomplete {
		t.Fatal(err)
	}
	if p.Need() != len(line)+500000+2 {
		t.Fatalf("Need = %d", p.Need())
	}
	buf = append(buf, bytes.Repeat([]byte("v"), 400000)...)
	if _, err := p.Parse(buf, &r); err != ErrIncomplete {
		t.Fatal(err)
	}
	buf = append(buf, bytes.Repeat([]byte("v"), 100000)...)
	buf = append(buf, "\r\n"...)
	n, err := p.Parse(buf, &r)
	if err != nil || n != len(buf) || len(r.Value) != 500000 || p.Need() != 0 {
		t.Fatalf("n %d err %v value %d need %d", n, err, len(r.Value), p.Need())
	}
	// A configured item size is honoured.
	p = Parser{MaxItemSize: 1024}
	if _, err := p.Parse([]byte("set k 0 0 1000\r\n"), &r); err != nil || r.Err != errTooLarge {
		t.Fatalf("1000 bytes over a 1024 limit: %v %q", err, r.Err)
	}
}

func TestNumbers(t *testing.T) {
	f := func(s string, want uint64, wantOK bool) {
		t.Helper()
		v, ok := ParseUint64([]byte(s))
		if v != want || ok != wantOK {
			t.Errorf("ParseUint64(%q) = %d, %v; want %d, %v", s, v, ok, want, wantOK)
		}
	}
	f("0", 0, true)
	f("18446744073709551615", 1<<64-1, true)
	f("18446744073709551616", 0, false)
	f("-1", 0, false)
	f("-0", 0, true)
	f(" 12", 12, true)
	f("12 ", 12, true)
	f("12x", 0, false)
	f("+7", 7, true)
	f("", 0, false)
	f("-", 0, false)
	f("-9223372036854775807", 0, false) // 2^63+1 after negation: sign bit and a '-'
	f("-18446744073709551615", 1, true) // 1 after negation: accepted, as C does
	g := func(s string, want int32, wantOK bool) {
		t.Helper()
		v, ok := ParseInt32([]byte(s))
		if v != want || ok != wantOK {
			t.Errorf("ParseInt32(%q) = %d, %v; want %d, %v", s, v, ok, want, wantOK)
		}
	}
	g("-1", -1, true)
	g("2147483648", -2147483648, true) // truncated as C assigns long to int32
	g("9223372036854775808", 0, false)
	g("-9223372036854775808", 0, true)
	g("1\t", 1, true)

	if ExpireAt(0, 5000) != 0 || ExpireAt(-1, 5000) > 5000 || ExpireAt(10, 5000) != 15000 ||
		ExpireAt(RelativeLimit+1, 5000) != (RelativeLimit+1)*1000 {
		t.Error("ExpireAt")
	}
	if TTL(0, 1) != -1 || TTL(31000, 1000) != 30 || TTL(30500, 1000) != 30 || TTL(500, 1000) != 0 {
		t.Error("TTL")
	}
}

func TestBase64(t *testing.T) {
	f := func(in, want string, wantOK bool) {
		t.Helper()
		var buf [MaxKeyLen]byte
		got, ok := decodeBase64(buf[:0], []byte(in))
		if string(got) != want || ok != wantOK {
			t.Errorf("decodeBase64(%q) = %q, %v", in, got, ok)
		}
	}
	f("a2V5", "key", true)
	f("a2V5MQ==", "key1", true)
	f("a2V5MTI=", "key12", true)
	f("a2V", "", false)
	f("", "", false)
	f("a2V5\n", "key", true) // characters outside the alphabet are skipped
	if got := AppendMetaKey(nil, []byte("key1"), true); string(got) != " ka2V5MQ== b" {
		t.Errorf("AppendMetaKey = %q", got)
	}
}

func TestWriters(t *testing.T) {
	var b []byte
	b = AppendValue(b, []byte("k"), 5, []byte("abc"), 0, false)
	b = AppendValue(b, []byte("k"), 0, []byte(""), 42, true)
	b = AppendEnd(b)
	b = AppendMetaValue(b, 3)
	b = AppendMetaInt(b, 't', -1)
	b = AppendMetaUint(b, 'c', 7)
	b = AppendMetaToken(b, []byte("Oxyz"))
	b = AppendMetaFlag(b, 'W')
	b = AppendCRLF(b)
	b = AppendStatUint(b, "pid", 1)
	b = AppendUintLine(b, 18446744073709551615)
	want := "VALUE k 5 3\r\nabc\r\nVALUE k 0 0 42\r\n\r\nEND\r\nVA 3 t-1 c7 Oxyz W\r\nSTAT pid 1\r\n18446744073709551615\r\n"
	if string(b) != want {
		t.Errorf("got %q", b)
	}
}

func TestClone(t *testing.T) {
	var p Parser
	var r Request
	in := []byte("ms k 3 T10 Oab k\r\nxyz\r\n")
	if _, err := p.Parse(in, &r); err != nil {
		t.Fatal(err)
	}
	c := r.Clone()
	for i := range in {
		in[i] = '#'
	}
	if describe(c) != `ms key="k" flags=0 exp=10 value="xyz" T10 Oab k` {
		t.Errorf("clone = %s", describe(c))
	}
}

// TestParseAllocs locks in zero allocations for get and set parsing.
func TestParseAllocs(t *testing.T) {
	var p Parser
	var r Request
	get := []byte("get alpha beta gamma\r\n")
	set := []byte("set alpha 0 0 5\r\nhello\r\n")
	mg := []byte("mg alpha v c f t k Oxx\r\n")
	ms := []byte("ms alpha 5 T10 F3 c\r\nhello\r\n")
	_, _ = p.Parse(get, &r) // grow the token list once
	for _, in := range [][]byte{get, set, mg, ms} {
		if a := testing.AllocsPerRun(100, func() {
			if _, err := p.Parse(in, &r); err != nil {
				t.Fatal(err)
			}
		}); a != 0 {
			t.Errorf("Parse(%q): %v allocations", in, a)
		}
	}
}

// TestParseAuth: the requests of a connection that has not authenticated
// (memcached -Y), with the replies memcached 1.6.18 gives them.
func TestParseAuth(t *testing.T) {
	f := func(in string, want ...string) {
		t.Helper()
		var chunks [][]byte
		for i := 0; i < len(in); i++ {
			chunks = append(chunks, []byte{in[i]})
		}
		for _, c := range [][][]byte{{[]byte(in)}, chunks} {
			got := parseWith(t, &Parser{}, (*Parser).ParseAuth, c)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("ParseAuth(%q) in %d reads:\n got  %q\n want %q", in, len(c), got, want)
			}
		}
	}
	unauth := "error " + errUnauthenticated
	f("set k 0 0 9\r\nuser pass\r\n", `auth key="user" password="pass"`)
	f("set k 0 0 9 noreply\r\nuser pass\r\n", `auth key="user" password="pass"`)
	f("set anything x y 9\r\nuser pass\r\n", `auth key="user" password="pass"`)
	f("set "+strings.Repeat("k", 300)+" 0 0 9\r\nuser pass\r\n", `auth key="user" password="pass"`)
	f("set k 0 0 10\r\nuser  pass\r\n", `auth key="user" password="pass"`)
	f("set k 0 0 15\r\nuser pass extra\r\n", `auth key="user" password="pass"`)
	f("set k 0 0 +9\r\nuser pass\r\n", `auth key="user" password="pass"`)
	f("set k 0 0 9\nuser pass\r\n", `auth key="user" password="pass"`)
	f("set k 0 0 9\r\nuser pass") // waits for the CRLF
	f("get k\r\n", unauth)
	f("mg k v\r\n", unauth)
	f("version\r\nquit\r\nflush_all\r\n", unauth, unauth, unauth)
	f("\r\n", unauth)
	f("add k 0 0 9\r\nuser pass\r\n", unauth, unauth)
	f("ms k 9\r\nuser pass\r\n", unauth, unauth)
	f("set k 0 0\r\n", unauth)
	f("set k 0 0 -1\r\n", unauth)
	f("set k 0 0 x\r\n", unauth)
	f("SET k 0 0 9\r\nuser pass\r\n", unauth, unauth)
	f("set k 0 0 9\r\nuser:pass\r\n", "error CLIENT_ERROR bad authentication token format")
	f("set k 0 0 5\r\nuser \r\n", "error CLIENT_ERROR bad authentication token format")
	f("set k 0 0 9\r\nuser\x00pass\r\n", "error CLIENT_ERROR bad authentication token format")
	f("set k 0 0 0\r\n\r\n", "error CLIENT_ERROR bad authentication token format")
	f("set k 0 0 9\r\nuser pass\nversion\r\n", "error CLIENT_ERROR bad command line termination", unauth)
	f("set k 0 0 16382\r\n"+strings.Repeat("u", 16382)+"\r\n", "error CLIENT_ERROR bad authentication token format")
	f("set k 0 0 16383\r\n", "close: "+ErrAuthTooLarge.Error())
	f("set k 0 0 4294967294\r\n", "close: "+ErrAuthTooLarge.Error())
	f(strings.Repeat("x", 2049), "close: "+ErrLineTooLong.Error())
	f("get "+strings.Repeat("k ", 1100)+"\r\n", "close: "+ErrLineTooLong.Error())
	f("POST / HTTP/1.1\r\nHost: x\r\n\r\nset k 0 0 9\r\nuser pass\r\n", "close: "+ErrHTTP.Error())
	f("Host: x\r\n", "close: "+ErrHTTP.Error())
	f("\x80\x00", "close: "+ErrBinary.Error())
}
