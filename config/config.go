package config

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/anaxdb/anax/internal/glob"
)

// Config holds the current value of every parameter.
//
// Concurrency: the values form an immutable snapshot published through an
// atomic pointer. Getters (Int, Bool, String, Strings, Get, ...) never lock
// and may run on any goroutine; each call sees one consistent snapshot, and a
// multi-parameter Set becomes visible all at once. Writers (Load, Set,
// SetLocal, Rewrite, OnChange, Validate) are serialized by a mutex; hooks run
// on the writer's goroutine while it is held, so they see changes in order
// and must not call Load, Set, SetLocal, Rewrite, OnChange or Validate.
type Config struct {
	cur atomic.Pointer[snapshot]

	file atomic.Pointer[string] // absolute path of the config file given to Load

	mu         sync.Mutex // serializes writers; guards the fields below
	defaults   []value    // built-in defaults (dir depends on the working directory at New)
	hooks      map[*param][]func(string)
	validators map[*param][]func(string) error
	ignored    []string // directives of the startup sources without effect (inert.go)
}

// snapshot is one immutable set of values, indexed by param.idx.
type snapshot struct {
	vals []value
}

// New returns a Config holding the defaults.
func New() *Config {
	c := &Config{
		hooks:      map[*param][]func(string){},
		validators: map[*param][]func(string) error{},
	}
	c.defaults = make([]value, len(params))
	for _, p := range params {
		args := []string{p.def}
		if p.flags&multiArg != 0 && p.def != "" {
			var err error
			if args, err = splitArgs(p.def); err != nil {
				panic("BUG: config: default of " + p.name + ": " + err.Error())
			}
		}
		v, e := p.parse(value{}, args, parseOpts{isDefault: true})
		if e != nil {
			panic("BUG: config: default of " + p.name + ": " + e.text())
		}
		c.defaults[p.idx] = v
	}
	c.cur.Store(&snapshot{vals: slices.Clone(c.defaults)})
	return c
}

// mustParam finds name for a getter and checks its kind, or panics: asking
// for a parameter that does not exist is a programming error.
func mustParam(name, getter string, ok func(*param) bool) *param {
	p := lookup(name)
	if p == nil {
		panic(fmt.Sprintf("BUG: config.%s(%q): no such parameter", getter, name))
	}
	if !ok(p) {
		panic(fmt.Sprintf("BUG: config.%s(%q): parameter is of kind %s", getter, name, p.kind))
	}
	return p
}

func isIntLike(p *param) bool {
	switch p.kind {
	case kindInt, kindMemory, kindEnum, kindFlags:
		return true
	}
	return p.numeric
}

// Int returns an integer, memory (bytes), enum (its value in declaration
// order), flags (a mask, e.g. ShutdownSave) or keyspace notification (a mask
// of Notify*) parameter. It panics if name is unknown or of another kind.
func (c *Config) Int(name string) int64 {
	p := mustParam(name, "Int", isIntLike)
	return c.cur.Load().vals[p.idx].n
}

// IntFunc returns a function that reads name's current value like Int, for
// hot paths: it skips the name lookup on every call.
func (c *Config) IntFunc(name string) func() int64 {
	idx := mustParam(name, "IntFunc", isIntLike).idx
	return func() int64 { return c.cur.Load().vals[idx].n }
}

// Bool returns a yes/no parameter. It panics if name is unknown or not a bool.
func (c *Config) Bool(name string) bool {
	p := mustParam(name, "Bool", func(p *param) bool { return p.kind == kindBool })
	return c.cur.Load().vals[p.idx].n != 0
}

// String returns a string parameter; for any other kind it returns the value
// as CONFIG GET shows it ("yes", "noeviction", "3600 1 300 100", ...). It
// panics if name is unknown.
func (c *Config) String(name string) string {
	p := mustParam(name, "String", func(*param) bool { return true })
	v := c.cur.Load().vals[p.idx]
	if p.kind == kindString {
		return v.s
	}
	return p.format(v)
}

// Strings returns a list parameter (bind, latency-tracking-info-percentiles).
// The slice must not be modified. It panics if name is unknown or not a list.
func (c *Config) Strings(name string) []string {
	p := mustParam(name, "Strings", func(p *param) bool { return p.kind == kindList })
	return c.cur.Load().vals[p.idx].l
}

// SavePoints returns the "save" rules; empty means no automatic snapshots.
// The slice must not be modified.
func (c *Config) SavePoints() []SavePoint {
	return c.cur.Load().vals[lookup("save").idx].x.([]SavePoint)
}

// ClientOutputBufferLimit returns the client-output-buffer-limit of a client
// class: "normal", "replica" (or "slave") or "pubsub". It panics on another
// class name.
func (c *Config) ClientOutputBufferLimit(class string) OutputBufferLimit {
	i, ok := outputClass(class)
	if !ok {
		panic(fmt.Sprintf("BUG: config.ClientOutputBufferLimit(%q): no such client class", class))
	}
	return c.cur.Load().vals[lookup("client-output-buffer-limit").idx].x.(outputLimits)[i]
}

// ConfigFile returns the absolute path of the configuration file given to
// Load, or "" if there was none.
func (c *Config) ConfigFile() string {
	if p := c.file.Load(); p != nil {
		return *p
	}
	return ""
}

// Sensitive reports whether name's value is a secret (requirepass) that must
// be redacted from logs, SLOWLOG and MONITOR. Unknown names are not.
func Sensitive(name string) bool {
	p := lookup(name)
	return p != nil && p.flags&sensitive != 0
}

// OnChange registers fn to run whenever name's value changes through Load,
// Set or SetLocal, with the new value as CONFIG GET shows it. Hooks run
// after the new values are published, in the order the parameters were
// given, on the writer's goroutine and under the writer lock: they must be
// quick and must not call Load, Set, SetLocal, Rewrite, OnChange or
// Validate (getters are fine). OnChange panics if name is unknown.
func (c *Config) OnChange(name string, fn func(newValue string)) {
	p := mustParam(name, "OnChange", func(*param) bool { return true })
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hooks[p] = append(c.hooks[p], fn)
}

// Validate registers fn to vet every new value of name (formatted as CONFIG
// GET shows it) given to Load, Set or SetLocal, after the built-in checks. A
// non-nil error refuses the whole Load or Set; its text becomes the reason in
// the error ("ERR CONFIG SET failed (possibly related to argument 'x') -
// <text>"). Use it for values Anax cannot honour yet (appendonly yes). The
// same rules as for OnChange apply. Validate panics if name is unknown.
func (c *Config) Validate(name string, fn func(newValue string) error) {
	p := mustParam(name, "Validate", func(*param) bool { return true })
	c.mu.Lock()
	defer c.mu.Unlock()
	c.validators[p] = append(c.validators[p], fn)
}

// validateLocked runs the registered validators of p on v.
func (c *Config) validateLocked(p *param, v value) *valueError {
	if fns := c.validators[p]; len(fns) > 0 {
		s := p.format(v)
		for _, fn := range fns {
			if err := fn(s); err != nil {
				return verr(err.Error(), "")
			}
		}
	}
	return nil
}

// commitLocked publishes next and runs the hooks of the parameters in order
// whose formatted value or number changed.
func (c *Config) commitLocked(next *snapshot, order []*param) {
	old := c.cur.Load()
	c.cur.Store(next)
	for i, p := range order {
		if slices.Contains(order[:i], p) {
			continue
		}
		fns := c.hooks[p]
		if len(fns) == 0 {
			continue
		}
		nv := p.format(next.vals[p.idx])
		// A number may change under the same text (notify-keyspace-events
		// shows "A" with or without its 'n').
		if nv == p.format(old.vals[p.idx]) && next.vals[p.idx].n == old.vals[p.idx].n {
			continue
		}
		for _, fn := range fns {
			fn(nv)
		}
	}
}

// Get implements CONFIG GET: it returns {name, value} pairs, sorted by name,
// for every parameter matching any of the patterns, with values formatted as
// redis-server formats them (memory as plain bytes, bools as yes/no, save as
// "3600 1 300 100 60 10000", bind space-separated).
//
// As in Redis 7: a pattern with none of '*', '?', '[' is looked up directly
// (case-insensitively; here '_' also equals '-') and reported with the
// spelling asked for; other patterns are matched without case against every
// name and alias, so "*" lists aliases (dbnum, hash-max-ziplist-entries, ...)
// next to their parameters. A parameter named twice is reported once.
func (c *Config) Get(patterns ...string) [][2]string {
	vals := c.cur.Load().vals
	seen := map[string]bool{}
	var out [][2]string
	add := func(key string, p *param) {
		if k := normalize(key); !seen[k] {
			seen[k] = true
			out = append(out, [2]string{key, p.format(vals[p.idx])})
		}
	}
	for _, pat := range patterns {
		if !strings.ContainsAny(pat, "*?[") {
			if p := lookup(pat); p != nil {
				add(pat, p)
			}
			continue
		}
		for _, p := range params {
			if p.flags&hidden != 0 {
				continue
			}
			if !seen[p.name] && glob.MatchString(pat, p.name, true) {
				add(p.name, p)
			}
			for _, a := range p.aliases {
				if !seen[a] && glob.MatchString(pat, a, true) {
					add(a, p)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out
}

// Set implements CONFIG SET for a client that is not local: it sets all the
// {name, value} pairs or, on any error, none. Multi-argument values (save,
// client-output-buffer-limit, ...) are split on single spaces, as Redis does.
// The error text is the complete Redis error reply, e.g.
//
//	ERR Unknown option or number of arguments for CONFIG SET - 'foo'
//	ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config
//	ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value
//
// Checks run in Redis's order: first every name (unknown, immutable,
// protected, duplicate: the first problem wins), then every value in order.
// The caller answers "ERR syntax error" for an odd number of arguments and
// the arity error for none.
func (c *Config) Set(pairs [][2]string) error { return c.set(pairs, false) }

// SetLocal is Set for a client connected over loopback or a Unix socket: it
// may also change protected parameters when enable-protected-configs is
// "local".
func (c *Config) SetLocal(pairs [][2]string) error { return c.set(pairs, true) }

func (c *Config) set(pairs [][2]string, local bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := c.cur.Load()

	ps := make([]*param, len(pairs))
	errName, errText := "", ""
	for i, kv := range pairs {
		p := lookup(kv[0])
		if p == nil {
			if errText == "" {
				return fmt.Errorf("ERR Unknown option or number of arguments for CONFIG SET - '%s'", kv[0])
			}
			continue
		}
		ps[i] = p
		if errText != "" {
			continue
		}
		switch {
		case p.flags&immutable != 0:
			errName, errText = kv[0], "can't set immutable config"
		case p.flags&protected != 0 && !protectedAllowed(cur, local):
			errName, errText = kv[0], "can't set protected config"
		case slices.Contains(ps[:i], p):
			errName, errText = kv[0], "duplicate parameter"
		}
	}
	if errText != "" {
		return setError(errName, errText)
	}

	next := &snapshot{vals: slices.Clone(cur.vals)}
	for i, kv := range pairs {
		p := ps[i]
		args := []string{kv[1]}
		if p.flags&multiArg != 0 {
			args = splitSpaces(kv[1])
		}
		v, e := p.parse(next.vals[p.idx], args, parseOpts{set: true})
		if e == nil {
			e = c.validateLocked(p, v)
		}
		if e != nil {
			return setError(spelledName(p, kv[0]), e.redis)
		}
		next.vals[p.idx] = v
	}
	c.commitLocked(next, ps)
	return nil
}

func setError(name, text string) error {
	return fmt.Errorf("ERR CONFIG SET failed (possibly related to argument '%s') - %s", name, text)
}

// protectedAllowed applies enable-protected-configs.
func protectedAllowed(s *snapshot, local bool) bool {
	switch s.vals[lookup("enable-protected-configs").idx].n {
	case 1: // yes
		return true
	case 2: // local
		return local
	}
	return false
}

// ParamInfo describes a parameter, for --help output and documentation.
type ParamInfo struct {
	Name      string
	Aliases   []string
	Type      string   // bool, int, memory, enum, flags, string, list, special
	Default   string   // as CONFIG GET shows it (dir: the working directory)
	Values    []string // accepted names of an enum or flags parameter
	Mutable   bool     // CONFIG SET may change it (protected ones only when allowed)
	Protected bool     // changes need enable-protected-configs
	AnaxOnly  bool     // not a Redis parameter
	NoEffect  string   // why the parameter has no effect in Anax ("" when it works)
	Hidden    bool     // a Redis test knob, left out of CONFIG GET patterns
	Help      string
}

// Params lists every parameter in registry order.
func Params() []ParamInfo {
	c := New()
	out := make([]ParamInfo, len(params))
	for i, p := range params {
		pi := ParamInfo{
			Name:      p.name,
			Aliases:   slices.Clone(p.aliases),
			Type:      p.kind.String(),
			Default:   p.format(c.defaults[i]),
			Mutable:   p.flags&immutable == 0,
			Protected: p.flags&protected != 0,
			AnaxOnly:  p.flags&anaxOnly != 0,
			NoEffect:  p.inert,
			Hidden:    p.flags&hidden != 0,
			Help:      p.help,
		}
		for _, it := range p.enum {
			pi.Values = append(pi.Values, it.name)
		}
		out[i] = pi
	}
	return out
}
