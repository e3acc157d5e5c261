package scriptcmd

import (
	"strconv"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// hotHost is the least server an EVALSHA needs: two commands that answer
// at once, run where the script runs.
type hotHost struct {
	cmds map[string]*command.Spec
	x    command.Exec // the called command's, reused
	n    int64
}

func newHotHost() *hotHost {
	h := &hotHost{cmds: map[string]*command.Spec{}}
	h.cmds["incr"] = &command.Spec{Name: "incr", Arity: 2, Flags: command.FlagWrite | command.FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1,
		Run: func(x *command.Exec) {
			h.n = (h.n + 1) % 1000 // counts as a rate limiter sees them
			x.Out = strconv.AppendInt(append(x.Out, ':'), h.n, 10)
			x.Out = append(x.Out, "\r\n"...)
		}}
	h.cmds["expire"] = &command.Spec{Name: "expire", Arity: -3, Flags: command.FlagWrite, FirstKey: 1, LastKey: 1, Step: 1,
		Run: func(x *command.Exec) { x.Out = append(x.Out, ":1\r\n"...) }}
	h.cmds["fail"] = &command.Spec{Name: "fail", Arity: -1, Flags: command.FlagReadOnly,
		Run: func(x *command.Exec) { x.Out = append(x.Out, "-ERR boom\r\n"...) }}
	h.cmds["ok"] = &command.Spec{Name: "ok", Arity: -1, Flags: command.FlagReadOnly,
		Run: func(x *command.Exec) { x.Out = append(x.Out, "+OK\r\n"...) }}
	h.cmds["get"] = &command.Spec{Name: "get", Arity: 2, Flags: command.FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1,
		Run: func(x *command.Exec) { x.Out = append(x.Out, "$5\r\nvalue\r\n"...) }}
	return h
}

func (h *hotHost) ConfigInt(string) int64                                    { return 16 }
func (h *hotHost) ConfigString(string) string                                { return "" }
func (h *hotHost) Limits() *command.Limits                                   { return &command.Limits{} }
func (h *hotHost) Rand() uint64                                              { return 7 }
func (h *hotHost) ShardCount() int                                           { return 1 }
func (h *hotHost) Route([]byte) int                                          { return 0 }
func (h *hotHost) CountError(*command.Exec, string)                          {}
func (h *hotHost) RunSubcommand(*command.Exec)                               {}
func (h *hotHost) Notify(*command.Exec, command.NotifyClass, string, []byte) {}
func (h *hotHost) ScriptLog(int, string)                                     {}
func (h *hotHost) WritesRefused() string                                     { return "" }
func (h *hotHost) ScriptOOM(*command.Exec, bool) int                         { return OOMNone }
func (h *hotHost) LocalCaller(*command.Exec, [][]byte) Caller                { return h }
func (h *hotHost) LookupCommand(name []byte) *command.Spec {
	var lower [16]byte
	if len(name) > len(lower) {
		return nil
	}
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	return h.cmds[string(lower[:len(name)])]
}

func (h *hotHost) Call(dst []byte, cmd *command.Spec, args [][]byte, db, proto int, undeclared bool) ([]byte, string) {
	h.x.Reset(cmd, args, db, proto, false, 0)
	cmd.Run(&h.x)
	return append(dst, h.x.Out...), ""
}

// hotEval is one EVALSHA of a loaded script on a one-shard engine.
type hotEval struct {
	e    *Engine
	spec *command.Spec
	x    command.Exec
	args [][]byte
}

func newHotEval(t testing.TB, body string, keys, argv []string) *hotEval {
	e := New(1)
	sc, errText := e.add([]byte(body), true)
	if errText != "" {
		t.Fatal(errText)
	}
	var spec *command.Spec
	for _, c := range e.Commands() {
		if c.Name == "evalsha" {
			spec = c
		}
	}
	args := [][]byte{[]byte("EVALSHA"), []byte(sc.sha), []byte(strconv.Itoa(len(keys)))}
	for _, k := range append(keys, argv...) {
		args = append(args, []byte(k))
	}
	he := &hotEval{e: e, spec: spec, args: args}
	he.x.Env = newHotHost()
	he.x.SetHome(&shard.Shard{ID: 0})
	return he
}

func (he *hotEval) do(t testing.TB, want string) {
	he.x.Reset(he.spec, he.args, 0, 2, false, 0)
	he.x.Part = -1
	he.spec.Run(&he.x)
	if want != "" && string(he.x.Out) != want {
		t.Fatalf("reply %q, want %q", he.x.Out, want)
	}
}

const hotIncrScript = "local n = redis.call('INCR', KEYS[1])\nredis.call('EXPIRE', KEYS[1], ARGV[1])\nreturn n\n"

// BenchmarkEvalSHAIncr is the scripting engine's own cost of one EVALSHA
// of the rate limiter's script (INCR and EXPIRE of its key), the commands
// answering at once.
func BenchmarkEvalSHAIncr(b *testing.B) {
	he := newHotEval(b, hotIncrScript, []string{"rl:1"}, []string{"60"})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		he.do(b, "")
	}
}

// TestEvalSHAAllocs keeps the engine's part of an EVALSHA free of
// allocations once its interpreter, its script's function and its KEYS
// and ARGV tables exist: only the strings of a key or argument that
// changed, and numbers past the shared small ones, are made per call.
func TestEvalSHAAllocs(t *testing.T) {
	he := newHotEval(t, hotIncrScript, []string{"rl:1"}, []string{"60"})
	he.do(t, ":1\r\n")
	if n := testing.AllocsPerRun(100, func() { he.do(t, "") }); n != 0 {
		t.Errorf("EVALSHA of INCR and EXPIRE: %v allocations per call, want 0", n)
	}
	// A key that changes costs its string alone.
	keys := [][]byte{[]byte("rl:1"), []byte("rl:2")}
	i := 0
	if n := testing.AllocsPerRun(100, func() { i++; he.args[3] = keys[i%2]; he.do(t, "") }); n > 2 {
		t.Errorf("EVALSHA with a new key each call: %v allocations per call, want at most 2", n)
	}
	// Keys that all change: their bytes in one string, and a box each.
	he = newHotEval(t, "return #KEYS", []string{"a:1", "b:1", "c:1"}, nil)
	sets := [2][][]byte{{[]byte("a:1"), []byte("b:1"), []byte("c:1")}, {[]byte("a:2"), []byte("b:2"), []byte("c:2")}}
	if n := testing.AllocsPerRun(100, func() { i++; copy(he.args[3:], sets[i%2]); he.do(t, ":3\r\n") }); n > 4 {
		t.Errorf("EVALSHA with three new keys each call: %v allocations per call, want at most 4", n)
	}
}

// TestKeysArgvReuse checks that a script that changes KEYS or ARGV leaves
// nothing of it to the next call.
func TestKeysArgvReuse(t *testing.T) {
	for _, c := range []struct {
		body string
		keys []string
		want string
	}{
		{"KEYS[2] = 'x'; return #KEYS", []string{"a"}, ":2\r\n"},
		{"table.insert(KEYS, 'y'); KEYS.z = 1; return #KEYS", []string{"a", "b"}, ":3\r\n"},
		{"setmetatable(ARGV, {__index = function() return 'm' end}); return ARGV[5]", []string{"a"}, "$1\r\nm\r\n"},
		{"KEYS[1] = nil; return #KEYS", []string{"a"}, ":0\r\n"},
		{"ARGV[1] = 5; return #ARGV", nil, ":1\r\n"},
	} {
		he := newHotEval(t, c.body, c.keys, []string{"v"})
		plain := &hotEval{e: he.e, spec: he.spec, x: he.x}
		sc, _ := he.e.add([]byte("local t = {} for k, v in pairs(KEYS) do t[#t+1] = k .. '=' .. v end for k, v in pairs(ARGV) do t[#t+1] = k .. ':' .. v end return {#KEYS, #ARGV, getmetatable(KEYS) == nil, getmetatable(ARGV) == nil, table.concat(t, ' ')}"), true)
		for round := 0; round < 3; round++ {
			he.do(t, c.want)
			for _, keys := range [][]string{{"k1"}, nil, {"k1", "k2", "k3"}} {
				plain.args = [][]byte{[]byte("EVALSHA"), []byte(sc.sha), []byte(strconv.Itoa(len(keys)))}
				want := "*5\r\n:" + strconv.Itoa(len(keys)) + "\r\n:1\r\n:1\r\n:1\r\n"
				text := ""
				for i, k := range keys {
					text += strconv.Itoa(i+1) + "=" + k + " "
					plain.args = append(plain.args, []byte(k))
				}
				text += "1:w"
				plain.args = append(plain.args, []byte("w"))
				want += "$" + strconv.Itoa(len(text)) + "\r\n" + text + "\r\n"
				plain.do(t, want)
			}
		}
	}
}

// TestBoundGlobals runs scripts whose main chunk reads redis, KEYS and
// ARGV through upvalues (bindGlobals) beside nested functions that read
// them as globals, locals that shadow them, and writes that must fail.
func TestBoundGlobals(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{"return {KEYS[1], ARGV[1], redis.call('GET', KEYS[1])}", "*3\r\n$1\r\nk\r\n$1\r\na\r\n$5\r\nvalue\r\n"},
		{"local f = function() return KEYS[1] .. ARGV[1] end return f() .. KEYS[1]", "$3\r\nkak\r\n"},
		{"local KEYS = {'x'} return KEYS[1] .. ARGV[1]", "$2\r\nxa\r\n"},
		{"local function g() return redis end return g() == redis and #KEYS + #ARGV", ":2\r\n"},
		{"KEYS = {} return 1", "-ERR user_script:1: Attempt to modify a readonly table script: "},
		{"redis.call = nil return 1", "-ERR user_script:1: Attempt to modify a readonly table script: "},
		{"return {unpack(KEYS)}", "*1\r\n$1\r\nk\r\n"},
		{"redis.call('OK')\nredis.call('GET', KEYS[1])\nreturn redis.call('OK')", "+OK\r\n"},
		{"redis.call('OK')\n\nredis.call('FAIL', KEYS[1])\nreturn 1", "-ERR boom script: "},
		{"local x = redis.call('FAIL')", "-ERR boom script: "},
		{"redis.call('OK', (redis.call('GET', 'x')))\nreturn redis.pcall('FAIL')", "-ERR boom\r\n"},
		{"local ok = pcall(function() redis.call('FAIL') end) if ok then return 'yes' end return 'no'", "$2\r\nno\r\n"},
		{"local ok = pcall(function() redis.call('OK') end) if ok then return 'yes' end return 'no'", "$3\r\nyes\r\n"},
		{"redis.call('OK', KEYS[1] and ARGV[1] or 'z') return redis.call('GET', 'x')", "$5\r\nvalue\r\n"},
		{"for i = 1, 2 do local t = {KEYS[1], ARGV[1], 1, 2, 3} end return tostring(type(redis.pcall))", "$8\r\nfunction\r\n"},
	} {
		he := newHotEval(t, c.body, []string{"k"}, []string{"a"})
		for round := 0; round < 2; round++ {
			he.x.Reset(he.spec, he.args, 0, 2, false, 0)
			he.x.Part = -1
			he.spec.Run(&he.x)
			if got := string(he.x.Out); len(got) < len(c.want) || got[:len(c.want)] != c.want {
				t.Errorf("%s: reply %q, want %q", c.body, got, c.want)
			}
		}
	}
}

// TestBindGlobalsRewrites checks which reads bindGlobals rewrites.
func TestBindGlobalsRewrites(t *testing.T) {
	proto, errText := compileLua("local a = KEYS[1] local f = function() return ARGV end return redis, a, f, string")
	if errText != "" {
		t.Fatal(errText)
	}
	if !bindGlobals(proto) {
		t.Fatal("nothing rewritten")
	}
	n := map[int]int{}
	for _, inst := range proto.Code {
		n[int(inst>>26)]++
	}
	if n[lua.OP_GETUPVAL] != 2 || n[lua.OP_GETGLOBAL] != 1 {
		t.Errorf("main chunk: %d GETUPVAL, %d GETGLOBAL; want 2 and 1 (string)", n[lua.OP_GETUPVAL], n[lua.OP_GETGLOBAL])
	}
	if bindGlobals(proto) {
		t.Error("a chunk with upvalues rewritten again")
	}
	// A call whose reply is dropped reads the discarding call; one whose
	// reply is used, or that ends the chunk as a tail call, keeps redis.call.
	proto, _ = compileLua("redis.call('A')\nlocal x = redis.call('B')\nredis.call('C', redis.call('D'))\nreturn redis.call('E')")
	bindGlobals(proto)
	discards := 0
	for _, inst := range proto.Code {
		if int(inst>>26) == lua.OP_GETUPVAL && inst&0x1ff == upvalDiscardCall {
			discards++
		}
	}
	if discards != 2 {
		t.Errorf("%d calls read the discarding call, want 2 (A and C)", discards)
	}
}
