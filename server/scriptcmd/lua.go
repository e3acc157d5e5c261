package scriptcmd

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/anaxdb/anax/server/command"
)

// state is one interpreter, reused run after run: a shard's (its
// goroutine alone runs it) or a spare one for runs over every shard.
//
// The sandbox is Redis 7.0's: the base library less dofile, loadfile,
// print, getfenv, setfenv, module, require and newproxy; table, string,
// math and coroutine; bit, cjson, cmsgpack and struct; redis. Scripts see
// the globals through a proxy whose reads of a missing name fail ("Script
// attempted to access nonexistent global variable") and whose writes fail
// ("Attempt to modify a readonly table"); the libraries are read-only
// proxies too, so no run leaves anything behind for the next.
type state struct {
	L       *lua.LState
	e       *Engine
	real    *lua.LTable // the globals
	proxy   *lua.LTable // _G as scripts see it
	guarded map[*lua.LTable]bool
	libs    map[string]*lua.LTable // the libraries behind their proxies
	rng     rand48
	kill    killSignal
	r       *run // the run in progress
	cur     run  // the run st.r points to while one is in progress

	// redis.call's scratch, kept from call to call: the arguments' bytes,
	// where each ends, the arguments, the called command's key positions.
	argBuf  []byte
	argEnds []int
	args    [][]byte
	keyIdx  []int
	out     []byte // the called command's reply
	// keys and argv are the tables KEYS and ARGV were last run (nkeys,
	// nargv entries), reused while a script leaves them plain arrays.
	keys, argv   *lua.LTable
	nkeys, nargv int
	// shown: the globals KEYS and ARGV are keys and argv. They stay
	// between scripts (saving two map writes and deletes a call), and go
	// before a function or a library's code runs (showArgs, hideArgs).
	shown bool
	// bound are the upvalues of a main chunk that bindGlobals rewrote:
	// redis (its proxy), KEYS and ARGV (set by showArgs).
	bound [len(boundGlobals)]*lua.Upvalue

	// Functions (function.go): the libraries loaded in this interpreter
	// (for the engine's generation fnGen), the registration in progress,
	// and the redis table a library sees while it loads.
	fnGen     uint64
	fns       map[*function]*lua.LFunction
	loading   *libraryLoad
	loadRedis *lua.LTable
	// loadingIndex is the proxy's __index while a library loads.
	loadingIndex *lua.LFunction
}

// run is one script run on a state; each state keeps one (state.cur) and
// reuses it run after run.
type run struct {
	runFields
	st     *state      // the interpreter it runs on
	wrote  atomic.Bool // read by SCRIPT KILL from other goroutines
	killed atomic.Bool
}

// runFields are a run's fields that start afresh with each run.
type runFields struct {
	sc       *script
	x        *command.Exec
	caller   Caller
	keys     [][]byte
	db       int
	proto    int  // redis.setresp's
	readOnly bool // EVAL_RO, EVALSHA_RO or a no-writes script
	// oom: the server was over maxmemory as the script (one without a
	// shebang) started: its deny-oom commands fail until it has written.
	oom bool
	// undeclared: a command touched a key the script did not declare (or
	// needed every shard).
	undeclared bool
	// raised is the error a redis.* function raised and nothing caught
	// yet: uncaught, it is the reply as it is (Redis keeps such an error's
	// own code), where any other error gets "ERR " before it.
	raised     lua.LString
	raisedSet  bool
	raisedLine int
	start      time.Time
	// retry: the run stopped before writing, to run again over every
	// shard (the caller set x.Result to be told so).
	retry bool
	shard int // -1 for a run over every shard
}

// Retry is the Result.Value of a fast-path run that the server must run
// again over every shard.
type Retry struct{}

// killSignal is the context a state's interpreter watches: SCRIPT KILL
// closes its channel (a new one is made for the next run). The VM asks
// for Done before every instruction, so Done is one atomic load.
type killSignal struct {
	mu    sync.Mutex // fire and reset
	ch    atomic.Pointer[chan struct{}]
	fired atomic.Bool // ch is closed: reset makes a new one
}

func (k *killSignal) init() {
	ch := make(chan struct{})
	k.ch.Store(&ch)
}

func (k *killSignal) Deadline() (time.Time, bool) { return time.Time{}, false }
func (k *killSignal) Done() <-chan struct{}       { return *k.ch.Load() }
func (k *killSignal) Err() error {
	select {
	case <-k.Done():
		return errKilled
	default:
		return nil
	}
}
func (k *killSignal) Value(any) any { return nil }

func (k *killSignal) fire() {
	k.mu.Lock()
	ch := *k.ch.Load()
	select {
	case <-ch:
	default:
		close(ch)
	}
	k.fired.Store(true)
	k.mu.Unlock()
}

func (k *killSignal) reset() {
	if !k.fired.Load() {
		return // the common case: no lock
	}
	k.mu.Lock()
	k.fired.Store(false)
	select {
	case <-*k.ch.Load():
		k.init()
	default:
	}
	k.mu.Unlock()
}

var errKilled = fmt.Errorf("script killed")

var _ context.Context = (*killSignal)(nil)

const killedError = "ERR Script killed by user with SCRIPT KILL..."

// newState builds an interpreter with Redis's sandbox.
func (e *Engine) newState() *state {
	L := lua.NewState(lua.Options{SkipOpenLibs: true, RegistrySize: 1024 * 4, RegistryMaxSize: 1024 * 1024, CallStackSize: 256})
	st := &state{L: L, e: e, guarded: map[*lua.LTable]bool{}, libs: map[string]*lua.LTable{}}
	st.cur.st = st
	st.kill.init()
	e.made.Add(1)
	st.rng.seed(0)
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath}, {lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	real := L.G.Global
	st.real = real
	for _, name := range []string{"dofile", "loadfile", "print", "getfenv", "setfenv", "module", "require", "newproxy", "_printregs", "_GOPHER_LUA_VERSION"} {
		real.RawSetString(name, lua.LNil)
	}
	real.RawSetString("gcinfo", L.NewFunction(func(L *lua.LState) int { L.Push(lua.LNumber(0)); return 1 }))
	math := real.RawGetString("math").(*lua.LTable)
	math.RawSetString("random", L.NewFunction(st.mathRandom))
	math.RawSetString("randomseed", L.NewFunction(st.mathRandomSeed))
	// string.rep of a huge count would take the process's memory at once.
	str := real.RawGetString("string").(*lua.LTable)
	origRep := str.RawGetString("rep").(*lua.LFunction).GFunction
	str.RawSetString("rep", L.NewFunction(func(L *lua.LState) int {
		s, n := L.CheckString(1), L.CheckInt(2)
		if n > 0 && int64(len(s))*int64(n) > maxLuaString {
			L.RaiseError("resulting string too large")
		}
		return origRep(L)
	}))
	// Redis 7.4's os library holds clock alone: the process's CPU time in
	// seconds, for timing a script.
	osLib := L.NewTable()
	osLib.RawSetString("clock", L.NewFunction(osClock))
	real.RawSetString("os", osLib)
	real.RawSetString("bit", openBit(L))
	real.RawSetString("cjson", openCJSON(L))
	real.RawSetString("cmsgpack", openCmsgpack(L))
	real.RawSetString("struct", openStruct(L))
	real.RawSetString("redis", st.openRedis(L))
	// pcall and xpcall forget a raised error they catch (run.raised).
	for _, name := range []string{"pcall", "xpcall"} {
		orig := real.RawGetString(name).(*lua.LFunction).GFunction
		real.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			n := orig(L)
			if n > 0 && L.Get(-n) == lua.LFalse && st.r != nil {
				st.r.raisedSet = false
			}
			return n
		}))
	}
	// tostring writes numbers as Lua 5.1 does (%.14g); gopher-lua writes
	// integers in full and other numbers in their shortest form.
	origToString := real.RawGetString("tostring").(*lua.LFunction).GFunction
	real.RawSetString("tostring", L.NewFunction(func(L *lua.LState) int {
		if n, ok := L.Get(1).(lua.LNumber); ok {
			L.Push(lua.LString(formatG(float64(n), 14)))
			return 1
		}
		return origToString(L)
	}))
	for _, name := range []string{"setmetatable", "rawset"} {
		orig := real.RawGetString(name).(*lua.LFunction).GFunction
		real.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			if t, ok := L.Get(1).(*lua.LTable); ok && st.guarded[t] {
				L.Error(lua.LString("Attempt to modify a readonly table"), 0)
			}
			return orig(L)
		}))
	}
	// Libraries behind read-only proxies.
	for _, name := range []string{"string", "table", "math", "os", "coroutine", "bit", "cjson", "cmsgpack", "struct", "redis"} {
		lib := real.RawGetString(name).(*lua.LTable)
		st.libs[name] = lib
		real.RawSetString(name, st.readOnly(lib, false))
	}
	if mt, ok := L.GetMetatable(lua.LString("")).(*lua.LTable); ok {
		mt.RawSetString("__metatable", lua.LString("string"))
		mt.RawSetString("__index", real.RawGetString("string"))
	}
	st.loadRedis = st.openLoadRedis(L)
	st.proxy = st.readOnly(real, true)
	// While a library loads, "redis" is the loading API (loadingIndex).
	st.loadingIndex = L.NewFunction(func(L *lua.LState) int {
		k := L.Get(2)
		v := real.RawGet(k)
		if k == lua.LString("redis") {
			v = st.loadRedis
		}
		if v == lua.LNil {
			L.RaiseError("Script attempted to access nonexistent global variable '%s'", lua.LVAsString(k))
		}
		L.Push(v)
		return 1
	})
	real.RawSetString("_G", st.proxy)
	for i := range st.bound {
		// Closed upvalues (no registry): they hold their value.
		st.bound[i] = &lua.Upvalue{}
	}
	st.bound[0].SetValue(real.RawGetString("redis"))
	st.bound[upvalDiscardCall].SetValue(L.NewFunction(func(L *lua.LState) int { return st.redisCallDiscard(L) }))
	// Functions made from now on (loadstring, load, coroutines) see the
	// proxy as their globals.
	L.Env = st.proxy
	L.SetContext(&st.kill)
	return st
}

// readOnly returns a proxy of t whose writes fail; with globals, a read of
// a missing name fails too.
func (st *state) readOnly(t *lua.LTable, globals bool) *lua.LTable {
	L := st.L
	p := L.NewTable()
	mt := L.NewTable()
	if globals {
		// A name t holds resolves through the chain proxy → t with no Go
		// call (every redis.call looked "redis" up through one: a sixth
		// of a one-line script's cost); a missing one reaches t's own
		// __index, which raises Redis's error, as Redis's protected _G does.
		miss := L.NewTable()
		miss.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
			L.RaiseError("Script attempted to access nonexistent global variable '%s'", lua.LVAsString(L.Get(2)))
			return 0
		}))
		L.SetMetatable(t, miss)
	}
	mt.RawSetString("__index", t)
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("Attempt to modify a readonly table")
		return 0
	}))
	mt.RawSetString("__metatable", lua.LFalse)
	L.SetMetatable(p, mt)
	st.guarded[p] = true
	return p
}

// maxLuaString bounds the strings string.rep makes (Redis's
// proto-max-bulk-len default).
const maxLuaString = 512 << 20

// maxSyntaxDepth bounds the nesting of a script's syntax tree: gopher-lua's
// compiler recurses once per level, and a script of a few megabytes of
// nested tables would exhaust the goroutine's stack, which Go does not
// recover from. (Lua 5.1 stops at 200 levels of its parser's C calls.)
const maxSyntaxDepth = 10000

// astDepth returns the nesting depth of a parsed chunk, walking it with a
// stack of its own (the walk must not recurse either).
func astDepth(chunk any) int {
	type item struct {
		v     reflect.Value
		depth int
	}
	stack := []item{{reflect.ValueOf(chunk), 0}}
	deepest := 0
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		v, d := it.v, it.depth
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer:
			if !v.IsNil() {
				stack = append(stack, item{v.Elem(), d})
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				stack = append(stack, item{v.Index(i), d})
			}
		case reflect.Struct:
			d++
			if d > deepest {
				deepest = d
				if deepest > maxSyntaxDepth {
					return deepest
				}
			}
			for i := 0; i < v.NumField(); i++ {
				switch f := v.Field(i); f.Kind() {
				case reflect.Interface, reflect.Pointer, reflect.Slice, reflect.Struct:
					stack = append(stack, item{f, d})
				}
			}
		}
	}
	return deepest
}

// compileLua compiles a script's source as Redis names it (user_script),
// returning the compile error as Lua 5.1 words it where they differ.
func compileLua(src string) (proto *lua.FunctionProto, errText string) {
	return compileChunk(src, "user_script")
}

// compileChunk compiles src under the chunk name name (user_script for
// EVAL, user_function for a library).
func compileChunk(src, name string) (proto *lua.FunctionProto, errText string) {
	defer func() {
		// Untrusted source: a parser bug must not take the server down.
		if p := recover(); p != nil {
			proto, errText = nil, fmt.Sprintf("user_script: %v", p)
		}
	}()
	chunk, err := parse.Parse(strings.NewReader(src), name)
	if err != nil {
		return nil, parseErrorText(err, name, strings.Count(src, "\n")+1)
	}
	if astDepth(chunk) > maxSyntaxDepth {
		return nil, name + ":1: chunk has too many syntax levels"
	}
	proto, err = lua.Compile(chunk, name)
	if err != nil {
		return nil, name + ": " + err.Error()
	}
	// gopher-lua gives a main chunk that does not use "..." Lua 5.0's
	// hidden "arg" table, built on every call (a Go map: a third of the
	// cost of calling a one-line script). Lua 5.1's main chunk has none, and
	// no script can name it, so it is dropped.
	proto.IsVarArg &^= lua.VarArgNeedsArg
	return proto, ""
}

var parseErrRE = regexp.MustCompile(`line:(\d+)\(column:\d+\) near '(.*)':\s*(.*)$`)

// parseErrorText turns gopher-lua's "user_script line:1(column:9) near
// 'x':   syntax error" into Lua's "user_script:1: ... near 'x'".
func parseErrorText(err error, name string, lines int) string {
	msg := strings.TrimSpace(err.Error())
	if strings.HasSuffix(msg, "at EOF:   syntax error") {
		return name + ":" + strconv.Itoa(lines) + ": unexpected symbol near '<eof>'"
	}
	if m := parseErrRE.FindStringSubmatch(msg); m != nil {
		near := m[2]
		if near == "EOF" {
			near = "<eof>"
		}
		what := m[3]
		if what == "syntax error" || what == "" {
			what = "unexpected symbol"
		}
		return name + ":" + m[1] + ": " + what + " near '" + near + "'"
	}
	return name + ": " + msg
}

// take returns an interpreter for shard sh (-1: a spare one for a run over
// every shard).
func (e *Engine) take(sh int) *state {
	if sh >= 0 {
		st := e.states[sh]
		if st == nil {
			st = e.newState()
			e.states[sh] = st
		}
		return st
	}
	e.spareMu.Lock()
	defer e.spareMu.Unlock()
	if n := len(e.spare); n > 0 {
		st := e.spare[n-1]
		e.spare = e.spare[:n-1]
		return st
	}
	return e.newState()
}

func (e *Engine) give(sh int, st *state) {
	if sh >= 0 {
		return
	}
	e.spareMu.Lock()
	e.spare = append(e.spare, st)
	e.spareMu.Unlock()
}

// execute runs script sc with keys and argv on interpreter st, calling
// commands through caller, and writes the reply to x.Out.
func (e *Engine) execute(x *command.Exec, st *state, sh int, caller Caller, sc *script, keys, argv [][]byte, readOnly, oom bool) *run {
	L := st.L
	r := &st.cur
	r.runFields = runFields{sc: sc, x: x, caller: caller, keys: keys, db: x.DBIndex, proto: 2, readOnly: readOnly || sc.flags&flagNoWrites != 0, oom: oom, start: time.Now(), shard: sh}
	r.wrote.Store(false)
	r.killed.Store(false)
	nargs := 0
	if sc.fn != nil {
		// A function (FCALL): its library loaded in this interpreter, and
		// keys and args as its arguments.
		st.hideArgs()
		fn, errText := st.function(sc.fn)
		if errText != "" {
			x.Err(errText)
			return r
		}
		L.Push(fn)
		L.Push(stringsTable(L, keys))
		L.Push(stringsTable(L, argv))
		nargs = 2
	} else {
		st.showArgs(keys, argv)
		L.Push(st.chunk(sc, sh))
	}
	st.r = r
	st.kill.reset()
	e.running.add(r, st)
	err := L.PCall(nargs, 1, nil)
	e.running.remove(r)
	st.r = nil
	if r.retry {
		L.SetTop(0)
		x.Result.Value = Retry{}
		return r
	}
	if err != nil {
		L.SetTop(0)
		x.Err(r.errorReply(err))
		return r
	}
	v := L.Get(-1)
	L.SetTop(0)
	if t, ok := v.(*lua.LTable); ok {
		if msg, ok := t.RawGetString("err").(lua.LString); ok {
			x.Err(sanitize(string(msg)))
			return r
		}
	}
	x.Out = appendLuaReply(x.Out, v, x.Proto, r.proto, 0)
	return r
}

var (
	lineRE     = regexp.MustCompile(`user_(?:script|function):(\d+):`)
	argErrorRE = regexp.MustCompile(`bad argument #(\d+) to ([\w.]+) \(`)
)

// errorReply words a run's error as Redis does: the error's own text (with
// "ERR " before one that has no code of its own), then the script's sha
// and the line it failed at.
func (r *run) errorReply(err error) string {
	var obj lua.LValue = lua.LString(err.Error())
	trace := ""
	if ae, ok := err.(*lua.ApiError); ok {
		obj, trace = ae.Object, ae.StackTrace
	}
	var msg string
	line := -1
	switch o := obj.(type) {
	case lua.LString:
		if r.raisedSet && o == r.raised {
			msg, line = string(o), r.raisedLine
		} else {
			msg = "ERR " + string(o)
		}
	case *lua.LTable:
		if s, ok := o.RawGetString("err").(lua.LString); ok {
			msg = string(s)
		} else {
			msg = "ERR unknown error"
		}
	default:
		msg = "ERR " + lua.LVAsString(obj)
	}
	if r.killed.Load() {
		msg = killedError
		if m := lineRE.FindStringSubmatch(lua.LVAsString(obj)); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
	}
	// gopher-lua names the function of an argument error bare; Lua 5.1
	// quotes it.
	msg = argErrorRE.ReplaceAllString(msg, "bad argument #$1 to '$2' (")
	if line < 0 {
		if m := lineRE.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
		} else if m := lineRE.FindStringSubmatch(trace); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
	}
	where := "?"
	if line >= 0 {
		where = strconv.Itoa(line)
	}
	return sanitize(msg) + " script: " + r.sc.sha + ", on @" + r.sc.source() + ":" + where + "."
}

func stringsTable(L *lua.LState, items [][]byte) *lua.LTable {
	t := L.CreateTable(len(items), 0)
	for i, b := range items {
		t.RawSetInt(i+1, lua.LString(b))
	}
	return t
}

// showArgs makes the globals KEYS and ARGV a script's keys and argv.
func (st *state) showArgs(keys, argv [][]byte) {
	k, a := st.keys, st.argv
	st.keys, st.nkeys = refill(st.L, st.keys, st.nkeys, keys, &st.argBuf)
	st.argv, st.nargv = refill(st.L, st.argv, st.nargv, argv, &st.argBuf)
	st.bound[1].SetValue(st.keys)
	st.bound[2].SetValue(st.argv)
	if !st.shown || k != st.keys || a != st.argv {
		st.real.RawSetString("KEYS", st.keys)
		st.real.RawSetString("ARGV", st.argv)
		st.shown = true
	}
}

// hideArgs removes the globals KEYS and ARGV, which a function and a
// library's code do not have.
func (st *state) hideArgs() {
	if st.shown {
		st.real.RawSetString("KEYS", lua.LNil)
		st.real.RawSetString("ARGV", lua.LNil)
		st.shown = false
	}
}

// refill returns a table of items as KEYS and ARGV are, and its length:
// t (of n entries, the last run's) again when that run left it a plain
// array of at most n entries, keeping the strings that are equal; else a
// new table.
func refill(L *lua.LState, t *lua.LTable, n int, items [][]byte, scratch *[]byte) (*lua.LTable, int) {
	if t == nil || t.Metatable != lua.LNil {
		return stringsTable(L, items), len(items)
	}
	next := lua.LValue(lua.LNumber(n))
	if n == 0 {
		next = lua.LNil
	}
	if k, _ := t.Next(next); k != lua.LNil {
		return stringsTable(L, items), len(items)
	}
	// The strings that changed are made as one (one allocation for their
	// bytes, each a part of it).
	var changed [16]int
	nc := 0
	for i, b := range items {
		if s, ok := t.RawGetInt(i + 1).(lua.LString); ok && string(s) == string(b) {
			continue
		}
		if nc < len(changed) {
			changed[nc] = i
			nc++
		} else {
			t.RawSetInt(i+1, lua.LString(b))
		}
	}
	if nc == 1 {
		t.RawSetInt(changed[0]+1, lua.LString(items[changed[0]]))
	} else if nc > 1 {
		all := (*scratch)[:0]
		for _, i := range changed[:nc] {
			all = append(all, items[i]...)
		}
		*scratch = all
		joined, from := string(all), 0
		for _, i := range changed[:nc] {
			t.RawSetInt(i+1, lua.LString(joined[from:from+len(items[i])]))
			from += len(items[i])
		}
	}
	for i := len(items) + 1; i <= n; i++ {
		t.RawSetInt(i, lua.LNil)
	}
	return t, len(items)
}

// boundGlobals are the globals a script's main chunk reads through
// upvalues once bindGlobals has rewritten it, in upvalue order: each is
// the same table for the whole of a run (the globals are read-only), and
// an upvalue is read without the three table lookups a global takes
// through the read-only proxy.
var boundGlobals = [...]string{"redis", "KEYS", "ARGV", ""}

// upvalDiscardCall is the upvalue after the globals: redis.call for a
// call whose results the script drops (redisCallDiscard), which
// bindGlobals puts where such a call reads redis.call.
const upvalDiscardCall = 3

// bindGlobals rewrites proto, a script's main chunk, to read the globals
// boundGlobals names through its upvalues: each GETGLOBAL of one becomes a
// GETUPVAL of its index. Nested functions keep their GETGLOBALs. It
// reports whether it rewrote anything; a chunk with upvalues of its own
// (a main chunk has none) is left as it is.
func bindGlobals(proto *lua.FunctionProto) bool {
	if proto.NumUpvalues != 0 {
		return false
	}
	bound := false
	code := proto.Code
	for pc := 0; pc < len(code); pc++ {
		inst := code[pc]
		pc += pseudoWords(proto, inst)
		switch op := int(inst >> 26); op {
		case lua.OP_GETGLOBAL:
			bx := int(inst & 0x3ffff)
			if bx >= len(proto.Constants) {
				continue
			}
			name, ok := proto.Constants[bx].(lua.LString)
			if !ok {
				continue
			}
			for i, g := range boundGlobals[:upvalDiscardCall] {
				if string(name) == g {
					a := (inst >> 18) & 0xff
					code[pc] = uint32(lua.OP_GETUPVAL)<<26 | a<<18 | uint32(i)
					bound = true
				}
			}
			if string(name) == "redis" && discardedCall(proto, pc) {
				// GETUPVAL A redis; GETTABLEKS A A "call" -> GETUPVAL A
				// the call that drops its reply; MOVE A A (nothing).
				a := (inst >> 18) & 0xff
				code[pc] = uint32(lua.OP_GETUPVAL)<<26 | a<<18 | upvalDiscardCall
				code[pc+1] = uint32(lua.OP_MOVE)<<26 | a<<18 | a
			}
		}
	}
	if bound {
		proto.NumUpvalues = uint8(len(boundGlobals))
		proto.DbgUpvalues = boundGlobals[:]
	}
	return bound
}

// pseudoWords returns how many words after instruction inst of proto are
// not instructions: a CLOSURE's upvalue descriptions, one each, and a
// SETLIST's C when it does not fit the instruction.
func pseudoWords(proto *lua.FunctionProto, inst uint32) int {
	switch int(inst >> 26) {
	case lua.OP_CLOSURE:
		if bx := int(inst & 0x3ffff); bx < len(proto.FunctionPrototypes) {
			return int(proto.FunctionPrototypes[bx].NumUpvalues)
		}
	case lua.OP_SETLIST:
		if (inst>>9)&0x1ff == 0 {
			return 1
		}
	}
	return 0
}

// discardedCall reports whether the GETGLOBAL "redis" at pc of proto is
// the start of a statement "redis.call(...)" whose results are dropped:
// the next instruction reads field "call" into the same register, and
// the first call made from that register asks for no results. (The
// arguments between are evaluated in the registers above it, and no jump
// lands inside the expression "redis.call".)
func discardedCall(proto *lua.FunctionProto, pc int) bool {
	code := proto.Code
	a := (code[pc] >> 18) & 0xff
	if pc+1 >= len(code) {
		return false
	}
	next := code[pc+1]
	c := (next >> 9) & 0x1ff
	if int(next>>26) != lua.OP_GETTABLEKS || (next>>18)&0xff != a || next&0x1ff != a || c&0x100 == 0 {
		return false
	}
	if k := int(c & 0xff); k >= len(proto.Constants) || proto.Constants[k] != lua.LString("call") {
		return false
	}
	for i := pc + 2; i < len(code); i++ {
		inst := code[i]
		i += pseudoWords(proto, inst)
		switch op := int(inst >> 26); op {
		case lua.OP_CALL, lua.OP_TAILCALL:
			if (inst>>18)&0xff == a {
				return op == lua.OP_CALL && (inst>>9)&0x1ff == 1
			}
		case lua.OP_JMP, lua.OP_RETURN, lua.OP_FORLOOP, lua.OP_FORPREP, lua.OP_TFORLOOP:
			return false // not one straight expression: left alone
		}
	}
	return false
}

// chunk returns the function of script sc's main chunk for this
// interpreter: made once per shard's interpreter and kept with the
// script (a script holds no state between calls: its globals are
// read-only); made afresh for a spare one (sh -1).
func (st *state) chunk(sc *script, sh int) *lua.LFunction {
	if sh >= 0 && sh < len(sc.chunks) {
		if fn := sc.chunks[sh]; fn != nil {
			return fn
		}
	}
	fn := st.L.NewFunctionFromProto(sc.proto)
	fn.Env = st.proxy
	if sc.bound {
		fn.Upvalues = st.bound[:]
	}
	if sh >= 0 && sh < len(sc.chunks) {
		sc.chunks[sh] = fn
	}
	return fn
}

// whereLine returns the line of the Lua code that called the running Go
// function, or -1.
func whereLine(L *lua.LState) int {
	w := L.Where(1)
	if m := lineRE.FindStringSubmatch(w); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return -1
}

// raise raises msg as an error of the redis library (see run.raised).
func (st *state) raise(L *lua.LState, msg string) int {
	if r := st.r; r != nil {
		r.raised, r.raisedSet, r.raisedLine = lua.LString(msg), true, whereLine(L)
	}
	L.Error(lua.LString(msg), 0)
	return 0
}

// errorTable returns Redis's error table {err=msg}.
func errorTable(L *lua.LState, msg string) *lua.LTable {
	t := L.CreateTable(0, 1)
	t.RawSetString("err", lua.LString(msg))
	return t
}

// rand48 is Redis's redisLrand48: math.random in Redis's Lua.
type rand48 struct{ x uint64 }

func (r *rand48) seed(v int32) { r.x = uint64(uint32(v))<<16 | 0x330E }
func (r *rand48) next() int32 {
	r.x = (r.x*0x5DEECE66D + 0xB) & (1<<48 - 1)
	return int32(r.x >> 17)
}

func (st *state) mathRandom(L *lua.LState) int {
	const max = math.MaxInt32
	f := float64(st.rng.next()%max) / max
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(f))
	case 1:
		u := L.CheckInt(1)
		if u < 1 {
			L.ArgError(1, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(f*float64(u)) + 1))
	case 2:
		l, u := L.CheckInt(1), L.CheckInt(2)
		if l > u {
			L.ArgError(2, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(f*float64(u-l+1)) + float64(l)))
	default:
		L.RaiseError("wrong number of arguments")
	}
	return 1
}

func (st *state) mathRandomSeed(L *lua.LState) int {
	st.rng.seed(int32(L.CheckInt(1)))
	return 0
}

// osClock is os.clock: the CPU time the process has used, in seconds, as
// C's clock() gives Redis's.
func osClock(L *lua.LState) int {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		L.RaiseError("os.clock: %v", err)
	}
	L.Push(lua.LNumber(time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()))
	return 1
}
