package scriptcmd

import (
	"strconv"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// evalChunk evaluates a Lua chunk in a fresh sandboxed interpreter, without a
// server (redis.call is not available), and returns its first result or
// its error.
func evalChunk(t testing.TB, st *state, src string) (lua.LValue, error) {
	t.Helper()
	proto, errText := compileLua(src)
	if errText != "" {
		t.Fatalf("compile %q: %s", src, errText)
	}
	fn := st.L.NewFunctionFromProto(proto)
	fn.Env = st.proxy
	st.L.Push(fn)
	err := st.L.PCall(0, 1, nil)
	if err != nil {
		return nil, err
	}
	v := st.L.Get(-1)
	st.L.SetTop(0)
	return v, nil
}

func TestConversionsRoundTrip(t *testing.T) {
	st := New(1).newState()
	for _, c := range []struct {
		reply string
		back2 string // the reply of the converted value, to a RESP2 client from a RESP2 script
	}{
		{":5\r\n", ":5\r\n"},
		{"$3\r\nabc\r\n", "$3\r\nabc\r\n"},
		{"$-1\r\n", "$-1\r\n"},
		{"*-1\r\n", "$-1\r\n"},
		{"+OK\r\n", "+OK\r\n"},
		{"-ERR x y\r\n", "-ERR x y\r\n"},
		{"*3\r\n:1\r\n$1\r\na\r\n*0\r\n", "*3\r\n:1\r\n$1\r\na\r\n*0\r\n"},
		{",1.5\r\n", "$3\r\n1.5\r\n"},
		{"_\r\n", "$-1\r\n"},
		{"#t\r\n", ":1\r\n"},
		{"#f\r\n", "$-1\r\n"},
		{"(123\r\n", "$3\r\n123\r\n"},
		{"=7\r\ntxt:abc\r\n", "$3\r\nabc\r\n"},
		{"%1\r\n$1\r\nk\r\n:1\r\n", "*2\r\n$1\r\nk\r\n:1\r\n"},
		{"~1\r\n$1\r\nm\r\n", "*1\r\n$1\r\nm\r\n"},
		{"|1\r\n$1\r\na\r\n:1\r\n:7\r\n", ":7\r\n"},
	} {
		v, n := replyToLua(st.L, []byte(c.reply))
		if n != len(c.reply) {
			t.Errorf("%q: read %d bytes of %d", c.reply, n, len(c.reply))
		}
		if got := string(appendLuaReply(nil, v, 2, 2, 0)); got != c.back2 {
			t.Errorf("%q: back %q, want %q", c.reply, got, c.back2)
		}
	}
}

func TestLuaToRESP3(t *testing.T) {
	st := New(1).newState()
	for _, c := range []struct{ src, resp3 string }{
		{"return true", "#t\r\n"},
		{"return false", "#f\r\n"},
		{"return nil", "_\r\n"},
		{"return {double=1.5}", ",1.5\r\n"},
		{"return {map={a=1}}", "%1\r\n$1\r\na\r\n:1\r\n"},
		{"return {set={a=true}}", "~1\r\n$1\r\na\r\n"},
		{"return {big_number='12'}", "(12\r\n"},
		{"return {verbatim_string={format='txt', string='hi'}}", "=6\r\ntxt:hi\r\n"},
	} {
		v, err := evalChunk(t, st, c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if got := string(appendLuaReply(nil, v, 3, 3, 0)); got != c.resp3 {
			t.Errorf("%s: %q, want %q", c.src, got, c.resp3)
		}
	}
	// A table that holds itself ends in an error, not a stack overflow.
	v, _ := evalChunk(t, st, "local t = {}; t[1] = t; return t")
	if got := string(appendLuaReply(nil, v, 2, 2, 0)); !strings.Contains(got, "-ERR reached lua stack limit") {
		t.Errorf("self-holding table: %.80q", got)
	}
}

func TestSandbox(t *testing.T) {
	st := New(1).newState()
	for _, src := range []string{
		"x = 1", "_G.x = 1", "rawset(_G, 'x', 1)", "setmetatable(_G, {})", "string.x = 1", "rawset(string, 'x', 1)",
		"return os.time()", "return io.open('/etc/passwd')", "return dofile('/etc/passwd')", "return loadfile('/etc/passwd')",
		"return require('os')", "return getfenv(1)", "return setfenv(1, {})", "return debug.getinfo(1)",
		"loadstring('y = 2')()", "getmetatable('').__index.upper = nil", "return string.rep('x', 2^40)",
		"local t = getmetatable(_G); t.__newindex = nil", "os.x = 1", "return os.exit()", "return os.getenv('HOME')",
	} {
		if _, err := evalChunk(t, st, src); err == nil {
			t.Errorf("%q ran", src)
		}
	}
	if v, err := evalChunk(t, st, "return string.upper('ok')"); err != nil || v.String() != "OK" {
		t.Errorf("string.upper after the attempts: %v %v", v, err)
	}
	// Redis 7.4's os.clock: CPU seconds, growing while the script works.
	v, err := evalChunk(t, st, "local a = os.clock(); local x = 0; for i = 1, 3000000 do x = x + i end; local b = os.clock(); return {a >= 0, b > a}")
	if err != nil || v.String() == "" {
		t.Fatalf("os.clock: %v %v", v, err)
	}
	if tb, ok := v.(*lua.LTable); !ok || tb.RawGetInt(1) != lua.LTrue || tb.RawGetInt(2) != lua.LTrue {
		t.Errorf("os.clock before and after a loop: %v", v)
	}
}

func TestShebang(t *testing.T) {
	for _, c := range []struct {
		line  string
		flags int
		err   string
	}{
		{"#!lua", 0, ""},
		{"#!lua flags=no-writes,allow-oom", flagNoWrites | flagAllowOOM, ""},
		{"#!lua  flags=no-writes  ", flagNoWrites, ""},
		{"#!lua flags=", 0, ""},
		{"#!lua flags=bad", 0, "ERR Unexpected flag in script shebang: bad"},
		{"#!python", 0, "ERR Unexpected engine in script shebang: #!python"},
		{"#!lua name=x", 0, "ERR Unknown lua shebang option: name=x"},
	} {
		flags, err := parseShebang(c.line)
		if flags != c.flags || err != c.err {
			t.Errorf("%q: %d %q, want %d %q", c.line, flags, err, c.flags, c.err)
		}
	}
}

// TestDeclaredFlags: which script calls are writes (-MISCONF) and deny-oom
// before they run, by their declared flags, as Redis's getCommandFlags.
func TestDeclaredFlags(t *testing.T) {
	e := New(1)
	loaded := "#!lua flags=allow-oom\nreturn 1"
	if _, msg := e.add([]byte(loaded), true); msg != "" {
		t.Fatal(msg)
	}
	for _, c := range []struct {
		name, arg      string
		writes, denies bool
	}{
		{"eval", "return 1", false, false},
		{"eval", "#!lua\nreturn 1", true, true},
		{"eval_ro", "#!lua\nreturn 1", true, true},
		{"eval", "#!lua flags=allow-oom\nreturn 1", true, false},
		{"eval", "#!lua flags=no-writes\nreturn 1", false, false},
		{"eval", "#!lua flags=bad\nreturn 1", false, false},
		{"eval", "#!lua\nreturn (", true, true}, // the shebang alone is read
		{"evalsha", SHA1Hex([]byte(loaded)), true, false},
		{"evalsha", SHA1Hex([]byte("unknown")), false, false},
		{"fcall", "nosuch", false, false},
		{"get", "k", false, false},
	} {
		args := [][]byte{[]byte(c.name), []byte(c.arg), []byte("0")}
		if w, d := e.Writes(c.name, args), e.DenyOOM(c.name, args); w != c.writes || d != c.denies {
			t.Errorf("%s %q: Writes %v DenyOOM %v, want %v %v", c.name, c.arg, w, d, c.writes, c.denies)
		}
	}
}

func TestErrorText(t *testing.T) {
	for in, want := range map[string]string{
		"-ERR value is bad\r\n": "ERR value is bad",
		"-WRONGTYPE x":          "WRONGTYPE x",
		"-bad":                  "ERR bad",
		"plain":                 "ERR plain",
		"-":                     "ERR ",
	} {
		if got := errorText(in); got != want {
			t.Errorf("errorText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCacheBounded(t *testing.T) {
	e := New(1)
	for i := 0; i < maxEvalScripts+50; i++ {
		if _, msg := e.add([]byte("return "+strconv.Itoa(i)), false); msg != "" {
			t.Fatal(msg)
		}
	}
	if _, msg := e.add([]byte("return 'loaded'"), true); msg != "" {
		t.Fatal(msg)
	}
	bytes, count := e.Memory()
	if count != maxEvalScripts+1 || bytes <= 0 {
		t.Fatalf("count %d bytes %d", count, bytes)
	}
	if e.lookup([]byte(SHA1Hex([]byte("return 'loaded'")))) == nil {
		t.Fatal("a loaded script was evicted")
	}
	e.flush()
	if bytes, count := e.Memory(); bytes != 0 || count != 0 {
		t.Fatalf("after flush: %d %d", bytes, count)
	}
}

func TestRand48(t *testing.T) {
	// redisLrand48 after redisSrand48(0) starts as POSIX lrand48 after
	// srand48(0).
	var r rand48
	r.seed(0)
	if got := r.next(); got != 366850414 {
		t.Fatalf("first draw %d", got)
	}
}

// fuzzState is shared by the fuzz targets: the libraries must answer any
// input with a value or a Lua error, never a panic of the process.
var fuzzState *state

func callLib(t *testing.T, lib, fn string, args ...lua.LValue) {
	if fuzzState == nil {
		fuzzState = New(1).newState()
	}
	L := fuzzState.L
	f := fuzzState.libs[lib].RawGetString(fn)
	L.Push(f)
	for _, a := range args {
		L.Push(a)
	}
	_ = L.PCall(len(args), lua.MultRet, nil)
	L.SetTop(0)
}

func FuzzCJSONDecode(f *testing.F) {
	for _, s := range []string{`[1,2,null]`, `{"a":[1,2.5,"x",true]}`, `"\u00e9\ud83d\ude00"`, `[[[[`, `{"a" 1}`, `1e400`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { callLib(t, "cjson", "decode", lua.LString(s)) })
}

func FuzzMsgpackUnpack(f *testing.F) {
	for _, s := range []string{"\x92\x01\x02", "\xde\x00\x01\xa1a\x01", "\xdd\xff\xff\xff\xff", "\xc1", "\xcb\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { callLib(t, "cmsgpack", "unpack", lua.LString(s)) })
}

func FuzzStructUnpack(f *testing.F) {
	f.Add(">I2", "\x01\x02")
	f.Add("b c0", "\x03abcde")
	f.Add("!8 s i d c3 x", "ab\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00abcX")
	f.Fuzz(func(t *testing.T, format, data string) {
		callLib(t, "struct", "unpack", lua.LString(format), lua.LString(data))
		callLib(t, "struct", "size", lua.LString(format))
	})
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{"return 1", "return 1 +", "local function f(...) return ... end", "x(", "'abc", "--[[", "#!lua\nreturn 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		_, _ = compile("0", src)
	})
}

// TestDeepSyntaxRefused: a script nested past maxSyntaxDepth is refused
// before gopher-lua's compiler recurses through it (a few megabytes of
// nested tables would otherwise end the process with a stack overflow).
func TestDeepSyntaxRefused(t *testing.T) {
	for _, c := range []struct {
		open, mid, close string
	}{{"{", "", "}"}, {"f(", "1", ")"}, {"function() return ", "1", " end"}} {
		deep := "return " + strings.Repeat(c.open, maxSyntaxDepth+10) + c.mid + strings.Repeat(c.close, maxSyntaxDepth+10)
		if _, errText := compileLua(deep); !strings.Contains(errText, "chunk has too many syntax levels") {
			t.Errorf("%s x%d: %.100q", c.open, maxSyntaxDepth+10, errText)
		}
		shallow := "return " + strings.Repeat(c.open, 100) + c.mid + strings.Repeat(c.close, 100)
		if _, errText := compileLua(shallow); errText != "" {
			t.Errorf("%s x100: %q", c.open, errText)
		}
	}
}
