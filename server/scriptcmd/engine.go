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
}

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
	key := strings.ToLower(string(sha))
	e.mu.Lock()
	sc := e.scripts[key]
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

// Writes reports whether a call of the script command name (eval,
// eval_ro, evalsha, evalsha_ro, fcall, fcall_ro) with args counts as a
// write before it runs, as Redis 7.0 judges it from the script's flags
// (its refusal of writes after a failed save, -MISCONF, applies to it): a
// script with a shebang that lacks no-writes, a function without
// no-writes. A script without a shebang, an unknown SHA or function, or a
// shebang that does not parse, is not (the script's own writes are
// checked as it calls them).
func (e *Engine) Writes(name string, args [][]byte) bool {
	if len(args) < 2 {
		return false
	}
	switch name {
	case "eval", "eval_ro":
		body := string(args[1])
		if !strings.HasPrefix(body, "#!") {
			return false
		}
		line, _, _ := strings.Cut(body, "\n")
		flags, errText := parseShebang(line)
		return errText == "" && flags&flagNoWrites == 0
	case "evalsha", "evalsha_ro":
		sc := e.lookup(args[1])
		return sc != nil && sc.shebang && sc.flags&flagNoWrites == 0
	case "fcall", "fcall_ro":
		f := e.lookupFunction(args[1])
		return f != nil && f.flags&flagNoWrites == 0
	}
	return false
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
