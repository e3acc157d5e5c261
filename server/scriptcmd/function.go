package scriptcmd

import (
	"errors"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/anaxdb/anax/internal/glob"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/snapshot/rdb"
)

// Functions (Redis 7.0's FUNCTION and FCALL): libraries of Lua code that
// register functions with redis.register_function when loaded. A library
// is compiled once; each interpreter runs it the first time one of its
// functions is called there (and again after any library change), keeping
// the callbacks it registered. A function runs exactly as a script does
// (the same placement on a shard or over every shard, learnt per
// function), with its keys and arguments as its two arguments.

type library struct {
	name  string
	code  string
	proto *lua.FunctionProto
	funcs []*function // in registration order
}

type function struct {
	lib       *library
	name      string
	desc      string
	hasDesc   bool
	flags     int
	flagNames []string
	sc        *script // its runs' identity (sha: the function's name) and mode
}

// libraryLoad is a library being loaded in an interpreter.
type libraryLoad struct {
	lib       *library
	funcs     []*function
	callbacks []*lua.LFunction
}

// functionFlags are the flags redis.register_function accepts.
var functionFlags = map[string]int{
	"no-writes": flagNoWrites, "allow-oom": flagAllowOOM, "allow-stale": flagAllowStale,
	"no-cluster": flagNoCluster, "allow-cross-slot-keys": flagAllowCrossSlot,
}

const errNames = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// parseLibrary reads a library's "#!lua name=..." line and compiles it.
func parseLibrary(code string) (*library, string) {
	if !strings.HasPrefix(code, "#!") {
		return nil, "ERR Missing library metadata"
	}
	line, rest, _ := strings.Cut(code, "\n")
	parts := strings.Fields(strings.TrimRight(line, "\r"))
	if len(parts) == 0 || !strings.EqualFold(parts[0], "#!lua") { // Redis finds engines by name in any case
		engine := strings.TrimPrefix(line, "#!")
		if len(parts) > 0 {
			engine = strings.TrimPrefix(parts[0], "#!")
		}
		return nil, "ERR Engine '" + engine + "' not found"
	}
	name, named := "", false
	for _, p := range parts[1:] {
		v, ok := strings.CutPrefix(p, "name=")
		if !ok {
			return nil, "ERR Invalid metadata value given: " + p
		}
		name, named = v, true
	}
	if !named {
		return nil, "ERR Invalid library metadata"
	}
	if !validName(name) {
		return nil, "ERR " + errNames
	}
	proto, errText := compileChunk("\n"+rest, "user_function")
	if errText != "" {
		return nil, "ERR Error compiling function: " + errText
	}
	return &library{name: name, code: code, proto: proto}, ""
}

// openLoadRedis is the redis table a library sees while it loads.
func (st *state) openLoadRedis(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("register_function", L.NewFunction(st.registerFunction))
	t.RawSetString("log", L.NewFunction(st.redisLog))
	for name, v := range map[string]int{"LOG_DEBUG": 0, "LOG_VERBOSE": 1, "LOG_NOTICE": 2, "LOG_WARNING": 3} {
		t.RawSetString(name, lua.LNumber(v))
	}
	t.RawSetString("REDIS_VERSION", lua.LString("7.0.15"))
	t.RawSetString("REDIS_VERSION_NUM", lua.LNumber(0x07000f))
	return st.readOnly(t, true)
}

func luaName(v lua.LValue) (string, bool) {
	switch v := v.(type) {
	case lua.LString:
		return string(v), true
	case lua.LNumber:
		return formatG(float64(v), 14), true
	}
	return "", false
}

func (st *state) registerFunction(L *lua.LState) int {
	ld := st.loading
	fail := func(msg string) int {
		L.Error(lua.LString(msg), 0)
		return 0
	}
	if ld == nil {
		return fail("redis.register_function can only be called on FUNCTION LOAD command")
	}
	f := &function{lib: ld.lib}
	var cb *lua.LFunction
	switch L.GetTop() {
	case 1:
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			return fail("calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
		}
		var msg string
		var named bool
		t.ForEach(func(k, v lua.LValue) {
			if msg != "" {
				return
			}
			key, _ := k.(lua.LString)
			switch key {
			case "function_name":
				if f.name, named = luaName(v); !named {
					msg = "function_name argument given to redis.register_function must be a string"
				}
			case "callback":
				var ok bool
				if cb, ok = v.(*lua.LFunction); !ok {
					msg = "callback argument given to redis.register_function must be a function"
				}
			case "description":
				d, ok := v.(lua.LString)
				if !ok {
					msg = "description argument given to redis.register_function must be a string"
				}
				f.desc, f.hasDesc = string(d), true
			case "flags":
				ft, ok := v.(*lua.LTable)
				if !ok {
					msg = "flags argument to redis.register_function must be a table representing function flags"
					return
				}
				for i := 1; ft.RawGetInt(i) != lua.LNil; i++ {
					name, _ := ft.RawGetInt(i).(lua.LString)
					bit, ok := functionFlags[string(name)]
					if !ok {
						msg = "unknown flag given"
						return
					}
					f.flags |= bit
					f.flagNames = append(f.flagNames, string(name))
				}
			default:
				msg = "unknown argument given to redis.register_function"
			}
		})
		if msg != "" {
			return fail(msg)
		}
		if !named {
			return fail("redis.register_function must get a function name argument")
		}
		if cb == nil {
			return fail("redis.register_function must get a callback argument")
		}
	case 2:
		var ok bool
		if f.name, ok = luaName(L.Get(1)); !ok {
			return fail("first argument to redis.register_function must be a string")
		}
		if cb, ok = L.Get(2).(*lua.LFunction); !ok {
			return fail("second argument to redis.register_function must be a function")
		}
	default:
		return fail("wrong number of arguments to redis.register_function")
	}
	if !validName(f.name) {
		return fail(errNames)
	}
	for _, g := range ld.funcs {
		if g.name == f.name {
			return fail("Function already exists in the library")
		}
	}
	f.sc = &script{sha: f.name, flags: f.flags, fn: f}
	ld.funcs = append(ld.funcs, f)
	ld.callbacks = append(ld.callbacks, cb)
	return 0
}

// runLibrary runs lib's code in st, collecting what it registers; errText
// is Redis's words for a failure.
func (st *state) runLibrary(lib *library) (*libraryLoad, string) {
	L := st.L
	ld := &libraryLoad{lib: lib}
	st.loading = ld
	st.hideArgs()
	st.kill.reset()
	fn := L.NewFunctionFromProto(lib.proto)
	fn.Env = st.proxy
	L.Push(fn)
	pmt := st.proxy.Metatable.(*lua.LTable)
	pmt.RawSetString("__index", st.loadingIndex)
	err := L.PCall(0, 0, nil)
	pmt.RawSetString("__index", st.real)
	st.loading = nil
	L.SetTop(0)
	if err != nil {
		var obj lua.LValue = lua.LString(err.Error())
		if ae, ok := err.(*lua.ApiError); ok {
			obj = ae.Object
		}
		msg := "ERR " + lua.LVAsString(obj)
		if t, ok := obj.(*lua.LTable); ok {
			if s, ok := t.RawGetString("err").(lua.LString); ok {
				msg = string(s)
			}
		}
		return nil, "ERR Error registering functions: " + sanitize(msg)
	}
	if len(ld.funcs) == 0 {
		return nil, "ERR No functions registered"
	}
	return ld, ""
}

// function returns f's callback in st, loading its library there first if
// needed.
func (st *state) function(f *function) (*lua.LFunction, string) {
	if gen := st.e.fnGen.Load(); st.fns == nil || st.fnGen != gen {
		st.fns, st.fnGen = map[*function]*lua.LFunction{}, gen
	}
	if cb := st.fns[f]; cb != nil {
		return cb, ""
	}
	ld, errText := st.runLibrary(f.lib)
	if errText != "" {
		return nil, errText
	}
	for i, g := range ld.funcs {
		// The library registers the same functions in every interpreter.
		for _, h := range f.lib.funcs {
			if h.name == g.name {
				st.fns[h] = ld.callbacks[i]
			}
		}
	}
	if cb := st.fns[f]; cb != nil {
		return cb, ""
	}
	return nil, "ERR Function not found"
}

// loadLibrary parses, compiles and runs code (in a spare interpreter) to
// learn its functions.
func (e *Engine) loadLibrary(code string) (*library, string) {
	lib, errText := parseLibrary(code)
	if errText != "" {
		return nil, errText
	}
	st := e.take(-1)
	ld, errText := st.runLibrary(lib)
	e.give(-1, st)
	if errText != "" {
		return nil, errText
	}
	lib.funcs = ld.funcs
	return lib, ""
}

// install adds libs, replacing those of the same name when replace (or
// every library when flush), checking names first; e.mu held.
func (e *Engine) install(libs []*library, replace, flush bool) string {
	old := e.libs
	next := map[string]*library{}
	if !flush {
		for name, l := range old {
			next[name] = l
		}
	}
	for _, l := range libs {
		if _, ok := next[l.name]; ok && !replace {
			return "ERR Library '" + l.name + "' already exists"
		}
		next[l.name] = l
	}
	funcs := map[string]*function{}
	names := make([]string, 0, len(next))
	for name := range next {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, f := range next[name].funcs {
			key := strings.ToLower(f.name) // Redis matches function names in any case
			if _, dup := funcs[key]; dup {
				return "ERR Function " + f.name + " already exists"
			}
			funcs[key] = f
		}
	}
	e.libs, e.funcs = next, funcs
	e.fnGen.Add(1)
	return ""
}

func (e *Engine) lookupFunction(name []byte) *function {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.funcs[strings.ToLower(string(name))]
}

// sortedLibs returns the libraries by name; e.mu held.
func (e *Engine) sortedLibs() []*library {
	out := make([]*library, 0, len(e.libs))
	for _, l := range e.libs {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// Libraries returns the code of every library, by name: what a snapshot
// file keeps of them.
func (e *Engine) Libraries() []string {
	e.mu.Lock()
	libs := e.sortedLibs()
	e.mu.Unlock()
	codes := make([]string, len(libs))
	for i, l := range libs {
		codes[i] = l.code
	}
	return codes
}

// ReplaceLibraries makes the libraries of codes (a snapshot file's) the
// only ones, as loading a file does in Redis; when one does not load, it
// changes nothing and returns Redis's error for it.
func (e *Engine) ReplaceLibraries(codes []string) error {
	libs := make([]*library, 0, len(codes))
	for _, code := range codes {
		lib, errText := e.loadLibrary(code)
		if errText != "" {
			return errors.New(errText)
		}
		libs = append(libs, lib)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if errText := e.install(libs, false, true); errText != "" {
		return errors.New(errText)
	}
	return nil
}

// FunctionMemory returns the libraries' and functions' counts and the
// bytes of their code (INFO's number_of_libraries, number_of_functions,
// used_memory_functions).
func (e *Engine) FunctionMemory() (libs, funcs, bytes int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, l := range e.libs {
		bytes += int64(len(l.code) + scriptOverhead)
	}
	return int64(len(e.libs)), int64(len(e.funcs)), bytes
}

func (e *Engine) functionCommands() []*command.Spec {
	sub := func(name string, arity, flags int, run func(x *command.Exec), summary, complexity string) *command.Spec {
		return &command.Spec{Name: "function|" + name, Arity: arity, Flags: flags | command.FlagLoop, Run: run, Group: "scripting", Summary: summary, Since: "7.0.0", Complexity: complexity}
	}
	evalFlags := command.FlagNoScript | command.FlagStale
	return []*command.Spec{
		{Name: "fcall", Arity: -3, Flags: evalFlags | command.FlagMayReplicate, Keys: evalKeys, Run: func(x *command.Exec) { e.runEval(x, false) },
			Cross: &command.Cross{Reaches: e.reachesFunction},
			Group: "scripting", Summary: "Invokes a function.", Since: "7.0.0", Complexity: "Depends on the function that is executed."},
		{Name: "fcall_ro", Arity: -3, Flags: evalFlags | command.FlagReadOnly, Keys: evalKeys, Run: func(x *command.Exec) { e.runEval(x, true) },
			Cross: &command.Cross{Reaches: e.reachesFunction},
			Group: "scripting", Summary: "Invokes a read-only function.", Since: "7.0.0", Complexity: "Depends on the function that is executed."},
		// FUNCTION touches no key: it runs on the connection's loop, so
		// that KILL and STATS answer while a function holds every shard.
		{Name: "function", Arity: -2, Flags: command.FlagLoop, Run: command.RunSubcommand, Group: "scripting", Summary: "A container for function commands.", Since: "7.0.0", Complexity: "Depends on subcommand.",
			Subcommands: []*command.Spec{
				sub("delete", 3, command.FlagWrite|command.FlagNoScript, e.functionDelete, "Deletes a library and its functions.", "O(1)"),
				sub("dump", 2, command.FlagNoScript, e.functionDump, "Dumps all libraries into a serialized binary payload.", "O(N) where N is the number of functions"),
				sub("flush", -2, command.FlagWrite|command.FlagNoScript, e.functionFlush, "Deletes all libraries and functions.", "O(N) where N is the number of functions deleted"),
				sub("help", 2, command.FlagLoading|command.FlagStale, e.functionHelp, "Returns helpful text about the different subcommands.", "O(1)"),
				sub("kill", 2, command.FlagNoScript, e.functionKill, "Terminates a function during execution.", "O(1)"),
				sub("list", -2, command.FlagNoScript, e.functionList, "Returns information about all libraries.", "O(N) where N is the number of functions"),
				sub("load", -3, command.FlagWrite|command.FlagDenyOOM|command.FlagNoScript, e.functionLoad, "Creates a library.", "O(1) (considering compilation time is redundant)"),
				sub("restore", -3, command.FlagWrite|command.FlagDenyOOM|command.FlagNoScript, e.functionRestore, "Restores all libraries from a payload.", "O(N) where N is the number of functions on the payload"),
				sub("stats", 2, command.FlagNoScript, e.functionStats, "Returns information about a function during execution.", "O(1)"),
			}},
	}
}

// reachesFunction is Reaches for FCALL: as for a script, by the function's
// mode.
func (e *Engine) reachesFunction(args [][]byte, route func([]byte) int) bool {
	f := e.lookupFunction(args[1])
	if f == nil {
		return false
	}
	keys, _, errText := parseNumKeys(args)
	if errText != "" {
		return false
	}
	for _, k := range keys[min(1, len(keys)):] {
		if route(k) != route(keys[0]) {
			return true
		}
	}
	return f.sc.mode.Load() != modeLocal
}

// prepareFunction is prepare for FCALL and FCALL_RO.
func (e *Engine) prepareFunction(args [][]byte, readOnly bool) (sc *script, keys, argv [][]byte, errText string) {
	f := e.lookupFunction(args[1])
	if f == nil {
		return nil, nil, nil, "ERR Function not found"
	}
	if _, ok := command.ParseInt(args[2]); !ok {
		return nil, nil, nil, "ERR Bad number of keys provided"
	}
	keys, argv, errText = parseNumKeys(args)
	if errText != "" {
		return nil, nil, nil, errText
	}
	if readOnly && f.flags&flagNoWrites == 0 {
		return nil, nil, nil, "ERR Can not execute a script with write flag using *_ro command."
	}
	return f.sc, keys, argv, ""
}

func (e *Engine) functionLoad(x *command.Exec) {
	// Every argument before the code is an option, as Redis reads them.
	replace := false
	code := x.Args[len(x.Args)-1]
	for _, opt := range x.Args[2 : len(x.Args)-1] {
		if !command.EqFold(opt, "replace") {
			x.Err("ERR Unknown option given: " + string(opt))
			return
		}
		replace = true
	}
	lib, errText := e.loadLibrary(string(code))
	if errText != "" {
		x.Err(errText)
		return
	}
	e.mu.Lock()
	errText = e.install([]*library{lib}, replace, false)
	e.mu.Unlock()
	if errText != "" {
		x.Err(errText)
		return
	}
	x.BulkString(lib.name)
}

func (e *Engine) functionDelete(x *command.Exec) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.libs[string(x.Args[2])]; !ok {
		x.Err("ERR Library not found")
		return
	}
	next := make([]*library, 0, len(e.libs))
	for name, l := range e.libs {
		if name != string(x.Args[2]) {
			next = append(next, l)
		}
	}
	e.install(next, false, true)
	x.OK()
}

func (e *Engine) functionFlush(x *command.Exec) {
	if len(x.Args) > 3 {
		x.ErrSubcommandSyntax()
		return
	}
	if len(x.Args) == 3 && !command.EqFold(x.Args[2], "sync") && !command.EqFold(x.Args[2], "async") {
		x.Err("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
		return
	}
	e.mu.Lock()
	e.install(nil, false, true)
	e.mu.Unlock()
	x.OK()
}

func (e *Engine) functionKill(x *command.Exec) {
	if msg := e.running.kill(true); msg != "" {
		x.Err(msg)
		return
	}
	x.OK()
}

func (e *Engine) functionList(x *command.Exec) {
	withCode, pattern, havePattern := false, []byte(nil), false
	for i := 2; i < len(x.Args); i++ {
		switch {
		case command.EqFold(x.Args[i], "withcode") && !withCode:
			withCode = true
		case command.EqFold(x.Args[i], "libraryname") && !havePattern:
			if i+1 >= len(x.Args) {
				x.Err("ERR library name argument was not given")
				return
			}
			pattern, havePattern = x.Args[i+1], true
			i++
		default:
			x.Err("ERR Unknown argument " + string(x.Args[i]))
			return
		}
	}
	e.mu.Lock()
	libs := e.sortedLibs()
	e.mu.Unlock()
	var shown []*library
	for _, l := range libs {
		if !havePattern || glob.Match(pattern, []byte(l.name), false) {
			shown = append(shown, l)
		}
	}
	x.Array(len(shown))
	for _, l := range shown {
		n := 3
		if withCode {
			n = 4
		}
		x.Map(n)
		x.BulkString("library_name")
		x.BulkString(l.name)
		x.BulkString("engine")
		x.BulkString("LUA")
		x.BulkString("functions")
		x.Array(len(l.funcs))
		for _, f := range l.funcs {
			x.Map(3)
			x.BulkString("name")
			x.BulkString(f.name)
			x.BulkString("description")
			if f.hasDesc {
				x.BulkString(f.desc)
			} else {
				x.Null()
			}
			x.BulkString("flags")
			x.Set(len(f.flagNames))
			for _, fl := range f.flagNames {
				x.Simple(fl)
			}
		}
		if withCode {
			x.BulkString("library_code")
			x.BulkString(l.code)
		}
	}
}

func (e *Engine) functionStats(x *command.Exec) {
	x.Map(2)
	x.BulkString("running_script")
	if r, ok := e.running.oldestFunction(); ok {
		x.Map(3)
		x.BulkString("name")
		x.BulkString(r.name)
		x.BulkString("command")
		x.Array(len(r.args))
		for _, a := range r.args {
			x.Bulk(a)
		}
		x.BulkString("duration_ms")
		x.Int(int64(timeSince(r.start).Milliseconds()))
	} else {
		x.Null()
	}
	libs, funcs, _ := e.FunctionMemory()
	x.BulkString("engines")
	x.Map(1)
	x.BulkString("LUA")
	x.Map(2)
	x.BulkString("libraries_count")
	x.Int(libs)
	x.BulkString("functions_count")
	x.Int(funcs)
}

func (e *Engine) functionDump(x *command.Exec) {
	e.mu.Lock()
	libs := e.sortedLibs()
	e.mu.Unlock()
	var out []byte
	for _, l := range libs {
		out = append(out, rdb.OpcodeFunction2)
		out = rdb.AppendString(out, []byte(l.code), true)
	}
	out = rdb.AppendDumpFooter(out, 0)
	x.Bulk(out)
}

func (e *Engine) functionRestore(x *command.Exec) {
	replace, flush := false, false
	if len(x.Args) > 4 {
		x.ErrSubcommandSyntax()
		return
	}
	if len(x.Args) == 4 {
		switch {
		case command.EqFold(x.Args[3], "flush"):
			flush = true
		case command.EqFold(x.Args[3], "replace"):
			replace = true
		case command.EqFold(x.Args[3], "append"):
		default:
			x.Err("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
			return
		}
	}
	payload := x.Args[2]
	if rdb.VerifyDump(payload) != nil {
		x.Err("ERR DUMP payload version or checksum are wrong")
		return
	}
	body := payload[:len(payload)-10]
	var libs []*library
	for len(body) > 0 {
		if body[0] != rdb.OpcodeFunction2 {
			x.Err("ERR given type is not a function")
			return
		}
		code, n, err := rdb.ReadString(body[1:], 512<<20)
		if err != nil {
			x.Err("ERR payload is not a valid function dump")
			return
		}
		body = body[1+n:]
		lib, errText := e.loadLibrary(string(code))
		if errText != "" {
			x.Err(errText)
			return
		}
		libs = append(libs, lib)
	}
	e.mu.Lock()
	errText := e.install(libs, replace, flush)
	e.mu.Unlock()
	if errText != "" {
		x.Err(errText)
		return
	}
	x.OK()
}

var functionHelpLines = []string{
	"FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"LOAD [REPLACE] <FUNCTION CODE>",
	"    Create a new library with the given library name and code.",
	"DELETE <LIBRARY NAME>",
	"    Delete the given library.",
	"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
	"    Return general information on all the libraries:",
	"    * Library name",
	"    * The engine used to run the Library",
	"    * Library description",
	"    * Functions list",
	"    * Library code (if WITHCODE is given)",
	"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
	"STATS",
	"    Return information about the current function running:",
	"    * Function name",
	"    * Command used to run the function",
	"    * Duration in MS that the function is running",
	"    If no function is running, return nil",
	"    In addition, returns a list of available engines.",
	"KILL",
	"    Kill the current running function.",
	"FLUSH [ASYNC|SYNC]",
	"    Delete all the libraries.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the libraries.",
	"    * SYNC: Synchronously flush the libraries.",
	"DUMP",
	"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
	"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
	"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
	"    control how to handle existing libraries (default APPEND):",
	"    * FLUSH: delete all existing libraries.",
	"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
	"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
	"      libraries with the new libraries (notice that even on this option there is a chance of failure",
	"      in case of functions name collision with another library).",
	"HELP",
	"    Prints this help.",
}

func (e *Engine) functionHelp(x *command.Exec) {
	x.Array(len(functionHelpLines))
	for _, l := range functionHelpLines {
		x.Simple(l)
	}
}
