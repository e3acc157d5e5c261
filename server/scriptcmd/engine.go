// Package scriptcmd is Lua scripting: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO
// and SCRIPT, on gopher-lua (Lua 5.1, the dialect Redis embeds), with
// Redis 7's redis.* API, its RESP <-> Lua conversions, its sandbox and its
// error texts.
//
// The engine owns the script cache and the interpreters; where a script
// runs, and how the commands it calls reach their shards, is the server's
// (docs/scripting.md): the engine asks it through Host (lent by a type
// assertion on command.Env) and Caller.
package scriptcmd

import (
	"bytes"
	"container/list"
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"sync"
	"sync/atomic"

	lua "github.com/yuin/gopher-lua"

	"github.com/anaxdb/anax/server/command"
)

// Host is what the engine needs of the server, which implements it
// (server/env_scriptcmd.go).
type Host interface {
	// LookupCommand returns the command called name (any case), or nil.
	LookupCommand(name []byte) *command.Spec
	// LocalCaller returns the Caller of a script that runs on x's shard
	// alone (the fast path), with keys its declared keys.
	LocalCaller(x *command.Exec, keys [][]byte) Caller
	// ScriptLog writes redis.log's line at Redis's level (0 debug .. 3
	// warning).
	ScriptLog(level int, msg string)
	// WritesRefused returns the error a write command gets now whatever
	// it is (MISCONF after a failed background save), or "".
	WritesRefused() string
	// ScriptOOM returns the memory state the script x finds as it starts
	// (Redis's pre_command_oom_state): OOMNone, OOMServer or OOMShard.
	// local says that x runs on its shard (x.Home), which may then evict
	// to make room as before a deny-oom command.
	ScriptOOM(x *command.Exec, local bool) int
}

// Memory states a script finds as it starts (Host.ScriptOOM).
const (
	// OOMNone: within maxmemory, or no limit.
	OOMNone = iota
	// OOMServer: over maxmemory with deny-oom commands refused server-wide
	// (noeviction, or the RSS guard). The server refuses a script whose
	// flags deny it before it is dispatched, so one that gets here was
	// queued in a MULTI before the script was known.
	OOMServer
	// OOMShard: the shard the script runs on is over its share of
	// maxmemory and could not evict: refused as a deny-oom command there.
	OOMShard
)

// oomError is Redis's reply to a deny-oom command over maxmemory, and the
// error of a script's first deny-oom command when the server was over
// maxmemory as the script started.
const oomError = "OOM command not allowed when used memory > 'maxmemory'."

// allowOOMError is Redis's reply to a script whose flags deny it over
// maxmemory, when the refusal at dispatch did not apply (a script queued
// in MULTI before it was loaded).
const allowOOMError = "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'"

// Caller runs the commands a script calls.
type Caller interface {
	// Call runs cmd with args (checked: known, arity, allowed in scripts)
	// in database db, replying in protocol proto, and appends the reply to
	// dst. undeclared says that one of its keys is not among the script's
	// KEYS, or that it needs every shard. refused, when not "", is an error
	// text: the command could not run where the script runs, and did not.
	Call(dst []byte, cmd *command.Spec, args [][]byte, db, proto int, undeclared bool) (out []byte, refused string)
}

// Modes of a cached script: what its runs so far showed of the keys it
// touches (see docs/scripting.md).
const (
	modeUnknown int32 = iota // never completed a run: runs over every shard
	modeLocal                // touched only its declared keys: fast path
	modeGlobal               // touched other keys: runs over every shard
)

// Shebang flags (Redis's SCRIPT_FLAG_*).
const (
	flagNoWrites = 1 << iota
	flagAllowOOM
	flagAllowStale
	flagNoCluster
	flagAllowCrossSlot
)

// script is one cached script.
type script struct {
	sha     string // 40 lowercase hex digits
	body    string
	proto   *lua.FunctionProto
	flags   int  // shebang flags
	shebang bool // a "#!lua" line opened it
	loaded  bool // by SCRIPT LOAD: never evicted
	mode    atomic.Int32
	lru     *list.Element // among the evictable scripts (EVAL's), nil when loaded
	fn      *function     // set for a function: sha is then its name
	// chunks[i] is the main chunk's function in shard i's interpreter
	// (state.chunk), which alone reads and writes it.
	chunks []*lua.LFunction
	// bound: bindGlobals rewrote the chunk to read redis, KEYS and ARGV
	// through upvalues, which state.chunk gives it (state.bound).
	bound bool
}

// source is the chunk name errors give for the script.
func (sc *script) source() string {
	if sc.fn != nil {
		return "user_function"
	}
	return "user_script"
}

// maxEvalScripts bounds the scripts EVAL caches (SCRIPT LOAD's stay), the
// least recently used going first, as Redis 7.4 does: a client sending a
// new script body per call cannot grow the cache without bound.
const maxEvalScripts = 500

// Engine is the scripting state of one server.
type Engine struct {
	mu      sync.Mutex
	scripts map[string]*script
	evalLRU list.List // EVAL-cached scripts, most recent first
	bytes   atomic.Int64
	count   atomic.Int64
	evicted atomic.Int64 // EVAL scripts dropped by the bound (INFO)

	// states[i] is shard i's interpreter (its goroutine alone uses it);
	// spare holds the interpreters of runs over every shard.
	states  []*state
	spareMu sync.Mutex
	spare   []*state

	// Functions (function.go): libraries by name, functions by name,
	// and a generation that changes with every change of them.
	libs  map[string]*library
	funcs map[string]*function
	fnGen atomic.Uint64

	running runningSet
	made    atomic.Int64 // interpreters made
}

// New returns an engine for a server of shards shards.
func New(shards int) *Engine {
	e := &Engine{scripts: map[string]*script{}, states: make([]*state, shards), libs: map[string]*library{}, funcs: map[string]*function{}}
	e.running.init(shards)
	return e
}

// Memory returns the bytes the script cache holds and the number of
// scripts (INFO's used_memory_scripts_eval and number_of_cached_scripts).
func (e *Engine) Memory() (bytes, count int64) { return e.bytes.Load(), e.count.Load() }

// Evicted returns the number of EVAL scripts dropped from the cache to keep
// it within maxEvalScripts since start or ResetStats.
func (e *Engine) Evicted() int64 { return e.evicted.Load() }

// ResetStats zeroes Evicted (CONFIG RESETSTAT).
func (e *Engine) ResetStats() { e.evicted.Store(0) }

// scriptOverhead is a script's cost beyond its body: the compiled function,
// map entry and bookkeeping (an estimate, as Redis's is).
const scriptOverhead = 256

// SHA1Hex returns the lowercase hex SHA1 of b.
func SHA1Hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// lookup returns the cached script of sha (any case), or nil.
func (e *Engine) lookup(sha []byte) *script {
	if len(sha) != 40 {
		return nil
	}
	var key [40]byte
	for i, c := range sha {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		key[i] = c
	}
	e.mu.Lock()
	sc := e.scripts[string(key[:])]
	if sc != nil && sc.lru != nil {
		e.evalLRU.MoveToFront(sc.lru)
	}
	e.mu.Unlock()
	return sc
}

// add compiles body and caches it (loaded: by SCRIPT LOAD), or returns the
// script already cached; errText is the compile error's reply.
func (e *Engine) add(body []byte, loaded bool) (sc *script, errText string) {
	sha := SHA1Hex(body)
	e.mu.Lock()
	if sc := e.scripts[sha]; sc != nil {
		if loaded && sc.lru != nil {
			e.evalLRU.Remove(sc.lru)
			sc.lru = nil
			sc.loaded = true
		} else if sc.lru != nil {
			e.evalLRU.MoveToFront(sc.lru)
		}
		e.mu.Unlock()
		return sc, ""
	}
	e.mu.Unlock()
	sc, errText = compile(sha, string(body))
	if errText != "" {
		return nil, errText
	}
	sc.loaded = loaded
	sc.chunks = make([]*lua.LFunction, len(e.states))
	e.mu.Lock()
	defer e.mu.Unlock()
	if old := e.scripts[sha]; old != nil { // compiled meanwhile elsewhere
		return old, ""
	}
	e.scripts[sha] = sc
	if !loaded {
		sc.lru = e.evalLRU.PushFront(sc)
		for e.evalLRU.Len() > maxEvalScripts {
			old := e.evalLRU.Back().Value.(*script)
			e.evalLRU.Remove(old.lru)
			old.lru = nil
			delete(e.scripts, old.sha)
			e.bytes.Add(-int64(len(old.body) + scriptOverhead))
			e.count.Add(-1)
			e.evicted.Add(1)
		}
	}
	e.bytes.Add(int64(len(sc.body) + scriptOverhead))
	e.count.Add(1)
	return sc, ""
}

// flush empties the cache (SCRIPT FLUSH). Interpreters keep nothing of a
// script between runs, so they stay.
func (e *Engine) flush() {
	e.mu.Lock()
	e.scripts = map[string]*script{}
	e.evalLRU.Init()
	e.bytes.Store(0)
	e.count.Store(0)
	e.mu.Unlock()
}

// compile parses body's shebang and compiles it.
func compile(sha, body string) (*script, string) {
	sc := &script{sha: sha, body: body}
	src := body
	if strings.HasPrefix(body, "#!") {
		line, rest, _ := strings.Cut(body, "\n")
		flags, errText := parseShebang(line)
		if errText != "" {
			return nil, errText
		}
		sc.flags, sc.shebang = flags, true
		// The shebang line stays an empty line, so line numbers hold.
		src = "\n" + rest
	}
	proto, errText := compileLua(src)
	if errText != "" {
		return nil, "ERR Error compiling script (new function): " + errText
	}
	sc.bound = bindGlobals(proto)
	sc.proto = proto
	return sc, ""
}

// parseShebang reads "#!lua [flags=a,b]" as Redis 7.0 does.
func parseShebang(line string) (int, string) {
	line = strings.TrimRight(line, "\r")
	parts := strings.Fields(line)
	if len(parts) == 0 || parts[0] != "#!lua" {
		engine := line
		if len(parts) > 0 {
			engine = parts[0]
		}
		return 0, "ERR Unexpected engine in script shebang: " + engine
	}
	flags := 0
	for _, p := range parts[1:] {
		v, ok := strings.CutPrefix(p, "flags=")
		if !ok {
			return 0, "ERR Unknown lua shebang option: " + p
		}
		for _, f := range strings.Split(v, ",") {
			switch f {
			case "no-writes":
				flags |= flagNoWrites
			case "allow-oom":
				flags |= flagAllowOOM
			case "allow-stale":
				flags |= flagAllowStale
			case "no-cluster":
				flags |= flagNoCluster
			case "allow-cross-slot-keys":
				flags |= flagAllowCrossSlot
			case "":
			default:
				return 0, "ERR Unexpected flag in script shebang: " + f
			}
		}
	}
	return flags, ""
}

// declaredFlags returns the flags a call of the script command name
// (eval, eval_ro, evalsha, evalsha_ro, fcall, fcall_ro) with args declares
// before it runs, as Redis 7.0's getCommandFlags reads them: a shebang's
// flags, a function's. ok is false for a script without a shebang (eval
// compatibility mode: its commands are checked as it calls them), an
// unknown SHA or function, and a shebang that does not parse.
func (e *Engine) declaredFlags(name string, args [][]byte) (flags int, ok bool) {
	if len(args) < 2 {
		return 0, false
	}
	switch name {
	case "eval", "eval_ro":
		body := args[1]
		if len(body) < 2 || body[0] != '#' || body[1] != '!' {
			return 0, false
		}
		line, _, _ := bytes.Cut(body, []byte("\n"))
		flags, errText := parseShebang(string(line))
		return flags, errText == ""
	case "evalsha", "evalsha_ro":
		if sc := e.lookup(args[1]); sc != nil && sc.shebang {
			return sc.flags, true
		}
	case "fcall", "fcall_ro":
		if f := e.lookupFunction(args[1]); f != nil {
			return f.flags, true
		}
	}
	return 0, false
}

// Writes reports whether a call of the script command name with args
// counts as a write before it runs, as Redis 7.0 judges it from the
// script's flags (its refusal of writes after a failed save, -MISCONF,
// applies to it): a script with a shebang that lacks no-writes, a function
// without no-writes.
func (e *Engine) Writes(name string, args [][]byte) bool {
	flags, ok := e.declaredFlags(name, args)
	return ok && flags&flagNoWrites == 0
}

// MayReplicate reports whether a call of the script command name with args
// is one Redis 7 flags may-replicate, which CLIENT PAUSE WRITE holds:
// EVAL, EVALSHA and FCALL unless their script or function declares
// no-writes (one without a shebang, or not cached, may write); never the
// _RO forms.
func (e *Engine) MayReplicate(name string, args [][]byte) bool {
	switch name {
	case "eval", "evalsha", "fcall":
		flags, ok := e.declaredFlags(name, args)
		return !ok || flags&flagNoWrites == 0
	}
	return false
}

// DenyOOM reports whether a call of the script command name with args is
// a deny-oom command, refused over maxmemory before it runs, as Redis 7.0
// judges it from the script's flags: a script with a shebang or a function
// that declares neither allow-oom nor no-writes.
func (e *Engine) DenyOOM(name string, args [][]byte) bool {
	flags, ok := e.declaredFlags(name, args)
	return ok && flags&(flagNoWrites|flagAllowOOM) == 0
}

// parseNumKeys reads EVAL's numkeys and returns the script's keys and
// arguments, or Redis's error.
func parseNumKeys(args [][]byte) (keys, argv [][]byte, errText string) {
	n, ok := command.ParseInt(args[2])
	if !ok {
		return nil, nil, "ERR value is not an integer or out of range"
	}
	if n < 0 {
		return nil, nil, "ERR Number of keys can't be negative"
	}
	if n > int64(len(args)-3) {
		return nil, nil, "ERR Number of keys can't be greater than number of args"
	}
	return args[3 : 3+n], args[3+n:], ""
}

// evalKeys is the key positions of EVAL and its kin: numkeys keys after it.
func evalKeys(args [][]byte, dst []int) []int {
	if len(args) < 3 {
		return dst
	}
	n, ok := command.ParseInt(args[2])
	if !ok || n < 0 || n > int64(len(args)-3) {
		return dst
	}
	for i := 0; i < int(n); i++ {
		dst = append(dst, 3+i)
	}
	return dst
}

// Reaches tells the server's key plan whether an EVAL must run over every
// shard: when its keys span shards, or when its script is not known to
// touch only the keys it declares (never run to the end, or seen touching
// others). An EVALSHA of a script not cached runs where its keys are, and
// answers NOSCRIPT there.
func (e *Engine) reaches(args [][]byte, route func([]byte) int, sha bool) bool {
	keys, _, errText := parseNumKeys(args)
	if errText != "" {
		return false
	}
	for _, k := range keys[min(1, len(keys)):] {
		if route(k) != route(keys[0]) {
			return true
		}
	}
	var sc *script
	if sha {
		sc = e.lookup(args[1])
		if sc == nil {
			return false
		}
	} else {
		e.mu.Lock()
		sc = e.scripts[SHA1Hex(args[1])]
		e.mu.Unlock()
		if sc == nil {
			// Compiled at once, so that a body that does not compile is
			// answered where its keys are, without taking every shard.
			if _, errText := e.add(args[1], false); errText != "" {
				return false
			}
			return true
		}
	}
	return sc.mode.Load() != modeLocal
}
