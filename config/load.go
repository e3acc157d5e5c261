package config

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// EnvPrefix starts the environment variables Load reads: ANAX_PORT,
// ANAX_PROTO_MAX_BULK_LEN, ...
const EnvPrefix = "ANAX_"

// unsupported are redis.conf directives that are not parameters; Load names
// them rather than calling them unknown.
var unsupported = map[string]string{
	"rename-command": "rename-command is not supported; use ACLs once available",
	"user":           "user (ACL) directives are not supported yet",
	"aclfile":        "aclfile is not supported yet",
	"loadmodule":     "modules are not supported",
	"sentinel":       "sentinel directives are not supported",
}

// Load applies the startup configuration, in order of increasing precedence:
//
//  1. the redis.conf-style file args[0], if args is not empty and args[0]
//     does not start with "--";
//  2. environment variables ANAX_<NAME> from environ ("KEY=value" strings, as
//     os.Environ returns), NAME upper-case with '_' for '-';
//  3. the remaining args as flags: "--name value...", "--name=value", or a
//     bool flag alone ("--protected-mode" means yes).
//
// Immutable and protected parameters may be set here. Unknown directives,
// variables and flags, and bad values, are errors that name the source, e.g.
//
//	config file /etc/anax.conf line 3: unknown directive "foo"
//	flag --port: value "abc" is not an integer
//
// Load changes nothing unless everything is valid. It runs the OnChange
// hooks already registered for the parameters that changed.
func (c *Config) Load(args []string, environ []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := &loader{c: c, next: &snapshot{vals: slices.Clone(c.cur.Load().vals)}}

	file := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "--") {
		abs, err := filepath.Abs(args[0])
		if err != nil {
			return fmt.Errorf("cannot use config file %q: %w", args[0], err)
		}
		data, err := os.ReadFile(abs)
		if err != nil {
			return fmt.Errorf("cannot read config file: %w", err)
		}
		if err := l.file(abs, string(data)); err != nil {
			return err
		}
		file, args = abs, args[1:]
	}
	if err := l.env(environ); err != nil {
		return err
	}
	if err := l.flags(args); err != nil {
		return err
	}
	if file != "" {
		c.file.Store(&file)
	}
	for _, p := range l.order {
		if p.inert != "" {
			c.noteIgnoredLocked(p.name)
		}
	}
	for _, n := range l.deprecated {
		c.noteIgnoredLocked(n)
	}
	c.commitLocked(l.next, l.order)
	return nil
}

// loader applies one Load's sources to a private snapshot.
type loader struct {
	c     *Config
	next  *snapshot
	order []*param // parameters set, in order, for the hooks
	// saveSeen is set once a source has given "save": further save lines of
	// the same source add save points instead of replacing them.
	saveSeen bool
	// deprecated lists the deprecated directives given (ignored, as Redis
	// ignores them).
	deprecated []string
	// depth is the include nesting of the file being read.
	depth int
}

// apply parses args for p, from the source described by where.
func (l *loader) apply(p *param, args []string, where string) error {
	if p.flags&multiArg != 0 && len(args) == 1 && args[0] != "" {
		// A multi-argument value given as one argument: split it, so
		// that --save "3600 1 300 100" and ANAX_SAVE work.
		split, err := splitArgs(args[0])
		if err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		args = split
	}
	v, e := p.parse(l.next.vals[p.idx], args, parseOpts{appendSave: l.saveSeen && p.name == "save"})
	if e == nil {
		e = l.c.validateLocked(p, v)
	}
	if e != nil {
		return fmt.Errorf("%s: %s", where, e.text())
	}
	if p.name == "save" {
		l.saveSeen = true
	}
	l.next.vals[p.idx] = v
	l.order = append(l.order, p)
	return nil
}

// file applies a redis.conf-style file: one directive per line, arguments
// split like Redis's sdssplitargs, '#' starts a comment line, directive names
// are case-insensitive.
func (l *loader) file(path, data string) error {
	if l.depth == 0 {
		l.saveSeen = false
	}
	for i, line := range strings.Split(data, "\n") {
		where := fmt.Sprintf("config file %s line %d", path, i+1)
		line = strings.Trim(line, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		argv, err := splitArgs(line)
		if err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		if len(argv) == 0 {
			continue
		}
		name := normalize(argv[0])
		if name == "include" {
			if err := l.include(path, argv[1:], where); err != nil {
				return err
			}
			continue
		}
		if deprecatedDirectives[name] {
			l.deprecated = append(l.deprecated, name)
			continue
		}
		p := lookup(name)
		if p == nil {
			if why, ok := unsupported[name]; ok {
				return fmt.Errorf("%s: %s", where, why)
			}
			return fmt.Errorf("%s: unknown directive %q%s", where, argv[0], suggest(name, ""))
		}
		if err := l.apply(p, argv[1:], where+": "+spelledName(p, name)); err != nil {
			return err
		}
	}
	return nil
}

// maxIncludeDepth bounds nested include directives (a file including
// itself).
const maxIncludeDepth = 16

// include reads the files an include directive names, as Redis does: a path
// relative to the working directory, applied in place, its own save lines
// adding to the including file's.
func (l *loader) include(from string, args []string, where string) error {
	if len(args) != 1 {
		return fmt.Errorf("%s: include takes one file name", where)
	}
	if l.depth >= maxIncludeDepth {
		return fmt.Errorf("%s: includes nested more than %d deep", where, maxIncludeDepth)
	}
	abs, err := filepath.Abs(args[0])
	if err != nil {
		return fmt.Errorf("%s: cannot use %q: %v", where, args[0], err)
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return fmt.Errorf("%s: cannot read included file: %v", where, err)
	}
	saveSeen := l.saveSeen
	l.depth++
	err = l.file(abs, string(data))
	l.depth--
	l.saveSeen = l.saveSeen || saveSeen
	return err
}

// env applies ANAX_* variables.
func (l *loader) env(environ []string) error {
	l.saveSeen = false
	for _, kv := range environ {
		key, val, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(key, EnvPrefix) {
			continue
		}
		name := normalize(key[len(EnvPrefix):])
		p := lookup(name)
		if p == nil {
			return fmt.Errorf("unknown environment variable %s%s", key, suggest(name, EnvPrefix))
		}
		if err := l.apply(p, []string{val}, "environment variable "+key); err != nil {
			return err
		}
	}
	return nil
}

// flags applies command-line flags. A flag's values are the arguments up to
// the next one that starts with "--". When a flag has no value yet, the next
// argument is its value even if it starts with "--" for string parameters (a
// password may); a bool flag alone means yes, "--save" alone means save "".
func (l *loader) flags(args []string) error {
	l.saveSeen = false
	for i := 0; i < len(args); {
		arg := args[i]
		i++
		if !strings.HasPrefix(arg, "--") || len(arg) == 2 {
			return fmt.Errorf("unexpected argument %q: flags are --name value or --name=value", arg)
		}
		typed, vals, inline := arg[2:], []string(nil), false
		if k := strings.IndexByte(typed, '='); k >= 0 {
			typed, vals, inline = typed[:k], []string{typed[k+1:]}, true
		} else if strings.ContainsAny(typed, " \t") {
			// "--port 6380" as one argument, which Redis also accepts.
			words, err := splitArgs(typed)
			if err != nil || len(words) == 0 {
				return fmt.Errorf("flag %s: unbalanced quotes", arg)
			}
			typed, vals = words[0], words[1:]
		}
		where := "flag --" + typed
		if deprecatedDirectives[normalize(typed)] {
			l.deprecated = append(l.deprecated, normalize(typed))
			for i < len(args) && !strings.HasPrefix(args[i], "--") {
				i++
			}
			continue
		}
		p := lookup(typed)
		if p == nil {
			return fmt.Errorf("unknown flag --%s%s", typed, suggest(normalize(typed), "--"))
		}
		if !inline {
			if len(vals) == 0 && i < len(args) && strings.HasPrefix(args[i], "--") && p.kind == kindString {
				vals = append(vals, args[i])
				i++
			}
			for i < len(args) && !strings.HasPrefix(args[i], "--") {
				vals = append(vals, args[i])
				i++
			}
			if len(vals) == 0 {
				switch {
				case p.kind == kindBool:
					vals = []string{"yes"}
				case p.name == "save":
					vals = []string{""}
				default:
					return fmt.Errorf("%s: missing value", where)
				}
			}
		}
		if err := l.apply(p, vals, where); err != nil {
			return err
		}
	}
	return nil
}

// suggest returns ` (did you mean "x"?)` for the parameter name closest to
// name, spelled with prefix, if one is close enough.
func suggest(name, prefix string) string {
	best, bestD := "", 3
	for n := range byName {
		if d := editDistance(name, n); d < bestD || d == bestD && best != "" && n < best {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	if prefix == EnvPrefix {
		best = strings.ToUpper(strings.ReplaceAll(best, "-", "_"))
	}
	return " (did you mean " + strconv.Quote(prefix+best) + "?)"
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
