// Package cmdmeta holds the metadata of every command Anax implements, as
// COMMAND INFO and COMMAND DOCS report it: arity, flags, ACL categories,
// key specs and the argument tree. The facts are those of the Redis
// protocol; they live in commands.txt and one commands_<family>.txt per
// family added since, in a text format of our own, and are
// parsed once at start-up. The package imports only the standard library.
//
// The format, one block per command or subcommand, blocks in COMMAND LIST
// order:
//
//	set                                  full name at column 0 ("client|list")
//	  arity -3
//	  flags write denyoom                COMMAND INFO flags, in order
//	  acl write string slow              ACL categories without '@'
//	  group string
//	  since 1.0.0
//	  deprecated 6.2.0                   deprecated_since
//	  replaced-by "`GETEX` ..."
//	  doc-flags deprecated
//	  history 2.6.12 "Added the `EX` ..." one line per entry, in order
//	  key flags=RW,access begin=index:1 find=range:0:1:0 notes="..."
//	  arg key key key=0                  name, type, then attributes
//	  arg condition oneof since=2.6.12 optional
//	    arg nx pure-token token=NX       two more spaces per nesting level
//
// begin is index:N, keyword:WORD:FROM or unknown; find is
// range:LAST:STEP:LIMIT, keynum:IDX:FIRST:STEP or unknown. Argument
// attributes are display=, key= (key_spec_index), token=, summary=,
// since=, deprecated= and the bare flags optional, multiple and
// multiple_token. A value with a space, a quote, '=' or nothing in it is
// written as a Go double-quoted string. Lines starting with '#' and blank
// lines are ignored.
package cmdmeta

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Command is one command's or subcommand's metadata.
type Command struct {
	Name            string // lowercase full name: "set", "client|list"
	Arity           int
	Flags           []string
	ACL             []string // categories without '@'
	Group           string
	Since           string
	DeprecatedSince string
	ReplacedBy      string
	DocFlags        []string
	History         []History
	KeySpecs        []KeySpec
	Args            []Arg
}

// History is one entry of a command's history: the version and what changed.
type History struct{ Version, Text string }

// KeySpec is one key specification (Redis's keySpec).
type KeySpec struct {
	Notes string
	Flags []string
	// Begin: BeginIndex or BeginKeyword or BeginUnknown.
	Begin     string
	Index     int    // begin index
	Keyword   string // begin keyword
	StartFrom int    // begin keyword
	// Find: FindRange or FindKeynum or FindUnknown.
	Find      string
	LastKey   int // range
	KeyStep   int // range and keynum
	Limit     int // range
	KeyNumIdx int // keynum
	FirstKey  int // keynum
}

// Begin-search and find-keys types.
const (
	BeginIndex   = "index"
	BeginKeyword = "keyword"
	BeginUnknown = "unknown"
	FindRange    = "range"
	FindKeynum   = "keynum"
	FindUnknown  = "unknown"
)

// Arg is one node of a command's argument tree.
type Arg struct {
	Name            string
	Type            string // key, string, integer, double, pattern, unix-time, pure-token, oneof, block
	DisplayText     string
	KeySpecIndex    int // -1: none
	Token           string
	Summary         string
	Since           string
	DeprecatedSince string
	Optional        bool
	Multiple        bool
	MultipleToken   bool
	Args            []Arg // oneof and block
}

// HasArgs reports whether COMMAND DOCS shows an "arguments" entry for a:
// oneof and block arguments always have one.
func (a *Arg) HasArgs() bool { return a.Type == "oneof" || a.Type == "block" }

// commandFiles holds commands.txt and one commands_<family>.txt per later
// family, read in name order: a family's metadata lives beside the others
// without every change editing one file.
//
//go:embed commands*.txt
var commandFiles embed.FS

// commandsTxt is every file of commandFiles, end to end, in name order.
var commandsTxt = func() string {
	names, err := fs.Glob(commandFiles, "commands*.txt")
	if err != nil {
		panic(err)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		data, err := commandFiles.ReadFile(n)
		if err != nil {
			panic(err)
		}
		b.Write(data)
		if len(data) > 0 && data[len(data)-1] != '\n' {
			b.WriteByte('\n')
		}
		b.WriteByte('\n')
	}
	return b.String()
}()

var (
	loadOnce sync.Once
	loaded   map[string]*Command
	order    []*Command
)

// All returns the embedded metadata, in file order; it panics if the
// embedded file does not parse (a test keeps it parsing).
func All() []*Command {
	load()
	return order
}

// Lookup returns the metadata of the command with the given lowercase full
// name, or nil.
func Lookup(name string) *Command {
	load()
	return loaded[name]
}

func load() {
	loadOnce.Do(func() {
		cmds, err := Parse(commandsTxt)
		if err != nil {
			panic("cmdmeta: commands*.txt: " + err.Error())
		}
		order = cmds
		loaded = make(map[string]*Command, len(cmds))
		for _, c := range cmds {
			loaded[c.Name] = c
		}
	})
}

// Parse reads commands in the format described in the package comment.
func Parse(text string) ([]*Command, error) {
	var (
		out   []*Command
		cur   *Command
		stack []*[]Arg // stack[d] receives arguments at nesting depth d
	)
	seen := map[string]bool{}
	for n, line := range strings.Split(text, "\n") {
		lineNo := n + 1
		errf := func(format string, a ...any) error {
			return fmt.Errorf("line %d: %s", lineNo, fmt.Sprintf(format, a...))
		}
		trimmed := strings.TrimLeft(line, " ")
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		indent := len(line) - len(trimmed)
		if indent%2 != 0 {
			return nil, errf("odd indentation")
		}
		fields, err := splitFields(trimmed)
		if err != nil {
			return nil, errf("%v", err)
		}
		if indent == 0 {
			if len(fields) != 1 {
				return nil, errf("a command line holds only the name")
			}
			name := fields[0]
			if name != strings.ToLower(name) || seen[name] {
				return nil, errf("command name %q not lowercase or repeated", name)
			}
			seen[name] = true
			cur = &Command{Name: name}
			out = append(out, cur)
			stack = []*[]Arg{&cur.Args}
			continue
		}
		if cur == nil {
			return nil, errf("attribute before the first command")
		}
		key, rest := fields[0], fields[1:]
		if key == "arg" {
			depth := indent/2 - 1
			if depth >= len(stack) {
				return nil, errf("argument nested under nothing")
			}
			stack = stack[:depth+1]
			a, err := parseArg(rest)
			if err != nil {
				return nil, errf("%v", err)
			}
			if depth > 0 {
				parent := &(*stack[depth-1])[len(*stack[depth-1])-1]
				if !parent.HasArgs() {
					return nil, errf("argument nested under %s %q", parent.Type, parent.Name)
				}
			}
			*stack[depth] = append(*stack[depth], a)
			last := &(*stack[depth])[len(*stack[depth])-1]
			stack = append(stack, &last.Args)
			continue
		}
		if indent != 2 {
			return nil, errf("attribute %q must be indented by two spaces", key)
		}
		one := func() (string, error) {
			if len(rest) != 1 {
				return "", errf("%s takes one value", key)
			}
			return rest[0], nil
		}
		switch key {
		case "arity":
			v, err := one()
			if err != nil {
				return nil, err
			}
			if cur.Arity, err = strconv.Atoi(v); err != nil {
				return nil, errf("arity: %v", err)
			}
		case "flags":
			cur.Flags = rest
		case "acl":
			cur.ACL = rest
		case "doc-flags":
			cur.DocFlags = rest
		case "group", "since", "deprecated", "replaced-by":
			v, err := one()
			if err != nil {
				return nil, err
			}
			switch key {
			case "group":
				cur.Group = v
			case "since":
				cur.Since = v
			case "deprecated":
				cur.DeprecatedSince = v
			default:
				cur.ReplacedBy = v
			}
		case "history":
			if len(rest) != 2 {
				return nil, errf("history takes a version and a text")
			}
			cur.History = append(cur.History, History{rest[0], rest[1]})
		case "key":
			ks, err := parseKeySpec(rest)
			if err != nil {
				return nil, errf("%v", err)
			}
			cur.KeySpecs = append(cur.KeySpecs, ks)
		default:
			return nil, errf("unknown attribute %q", key)
		}
	}
	for _, c := range out {
		if err := checkKeyIndexes(c.Args, len(c.KeySpecs)); err != nil {
			return nil, fmt.Errorf("%s: %v", c.Name, err)
		}
	}
	return out, nil
}

func checkKeyIndexes(args []Arg, n int) error {
	for i := range args {
		if args[i].KeySpecIndex >= n {
			return fmt.Errorf("argument %q: key spec %d of %d", args[i].Name, args[i].KeySpecIndex, n)
		}
		if err := checkKeyIndexes(args[i].Args, n); err != nil {
			return err
		}
	}
	return nil
}

func parseArg(f []string) (Arg, error) {
	if len(f) < 2 {
		return Arg{}, fmt.Errorf("arg needs a name and a type")
	}
	a := Arg{Name: f[0], Type: f[1], KeySpecIndex: -1}
	switch a.Type {
	case "key", "string", "integer", "double", "pattern", "unix-time", "pure-token", "oneof", "block":
	default:
		return a, fmt.Errorf("argument %q: unknown type %q", a.Name, a.Type)
	}
	for _, kv := range f[2:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			switch kv {
			case "optional":
				a.Optional = true
			case "multiple":
				a.Multiple = true
			case "multiple_token":
				a.MultipleToken = true
			default:
				return a, fmt.Errorf("argument %q: unknown flag %q", a.Name, kv)
			}
			continue
		}
		var err error
		switch k {
		case "display":
			a.DisplayText = v
		case "key":
			a.KeySpecIndex, err = strconv.Atoi(v)
		case "token":
			a.Token = v
		case "summary":
			a.Summary = v
		case "since":
			a.Since = v
		case "deprecated":
			a.DeprecatedSince = v
		default:
			err = fmt.Errorf("unknown attribute %q", k)
		}
		if err != nil {
			return a, fmt.Errorf("argument %q: %v", a.Name, err)
		}
	}
	if a.Type == "key" && a.KeySpecIndex < 0 {
		return a, fmt.Errorf("key argument %q without key=", a.Name)
	}
	return a, nil
}

func parseKeySpec(f []string) (KeySpec, error) {
	var ks KeySpec
	for _, kv := range f {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return ks, fmt.Errorf("key: %q is not name=value", kv)
		}
		switch k {
		case "flags":
			if v != "" {
				ks.Flags = strings.Split(v, ",")
			}
		case "notes":
			ks.Notes = v
		case "begin", "find":
			parts := strings.Split(v, ":")
			ints := func(want int, dst ...*int) error {
				if len(parts) != want+1 && !(k == "begin" && parts[0] == BeginKeyword && len(parts) == 3) {
					return fmt.Errorf("key %s=%s: wrong number of values", k, v)
				}
				for i, d := range dst {
					n, err := strconv.Atoi(parts[len(parts)-len(dst)+i])
					if err != nil {
						return fmt.Errorf("key %s=%s: %v", k, v, err)
					}
					*d = n
				}
				return nil
			}
			var err error
			switch {
			case k == "begin" && parts[0] == BeginIndex:
				err = ints(1, &ks.Index)
			case k == "begin" && parts[0] == BeginKeyword:
				if len(parts) != 3 {
					return ks, fmt.Errorf("key begin=%s: want keyword:WORD:FROM", v)
				}
				ks.Keyword = parts[1]
				err = ints(2, &ks.StartFrom)
			case k == "find" && parts[0] == FindRange:
				err = ints(3, &ks.LastKey, &ks.KeyStep, &ks.Limit)
			case k == "find" && parts[0] == FindKeynum:
				err = ints(3, &ks.KeyNumIdx, &ks.FirstKey, &ks.KeyStep)
			case parts[0] == "unknown" && len(parts) == 1:
			default:
				return ks, fmt.Errorf("key %s=%s: unknown type", k, v)
			}
			if err != nil {
				return ks, err
			}
			if k == "begin" {
				ks.Begin = parts[0]
			} else {
				ks.Find = parts[0]
			}
		default:
			return ks, fmt.Errorf("key: unknown attribute %q", k)
		}
	}
	if ks.Begin == "" || ks.Find == "" {
		return ks, fmt.Errorf("key: begin= and find= are required")
	}
	return ks, nil
}

// splitFields splits a line on spaces; a field, or the value after a
// field's '=', may be a Go double-quoted string.
func splitFields(s string) ([]string, error) {
	var out []string
	for {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			return out, nil
		}
		end := strings.IndexAny(s, " \"")
		if end < 0 {
			return append(out, s), nil
		}
		if s[end] == ' ' {
			out = append(out, s[:end])
			s = s[end:]
			continue
		}
		prefix := s[:end]
		if prefix != "" && !strings.HasSuffix(prefix, "=") {
			return nil, fmt.Errorf("quote inside a field: %s", s)
		}
		q, err := strconv.QuotedPrefix(s[end:])
		if err != nil {
			return nil, fmt.Errorf("bad quoted string: %s", s[end:])
		}
		v, _ := strconv.Unquote(q)
		out = append(out, prefix+v)
		s = s[end+len(q):]
		if s != "" && s[0] != ' ' {
			return nil, fmt.Errorf("text after a quoted string: %s", s)
		}
	}
}

// Format writes cmds in the format Parse reads; Parse(Format(x)) == x.
func Format(cmds []*Command) string {
	var b strings.Builder
	for i, c := range cmds {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(c.Name + "\n")
		fmt.Fprintf(&b, "  arity %d\n", c.Arity)
		list := func(key string, vals []string) {
			if len(vals) > 0 {
				b.WriteString("  " + key + " " + strings.Join(vals, " ") + "\n")
			}
		}
		one := func(key, val string) {
			if val != "" {
				b.WriteString("  " + key + " " + quote(val) + "\n")
			}
		}
		list("flags", c.Flags)
		list("acl", c.ACL)
		one("group", c.Group)
		one("since", c.Since)
		one("deprecated", c.DeprecatedSince)
		one("replaced-by", c.ReplacedBy)
		list("doc-flags", c.DocFlags)
		for _, h := range c.History {
			b.WriteString("  history " + quote(h.Version) + " " + quote(h.Text) + "\n")
		}
		for _, ks := range c.KeySpecs {
			b.WriteString("  key flags=" + strings.Join(ks.Flags, ","))
			switch ks.Begin {
			case BeginIndex:
				fmt.Fprintf(&b, " begin=index:%d", ks.Index)
			case BeginKeyword:
				fmt.Fprintf(&b, " begin=keyword:%s:%d", ks.Keyword, ks.StartFrom)
			default:
				b.WriteString(" begin=unknown")
			}
			switch ks.Find {
			case FindRange:
				fmt.Fprintf(&b, " find=range:%d:%d:%d", ks.LastKey, ks.KeyStep, ks.Limit)
			case FindKeynum:
				fmt.Fprintf(&b, " find=keynum:%d:%d:%d", ks.KeyNumIdx, ks.FirstKey, ks.KeyStep)
			default:
				b.WriteString(" find=unknown")
			}
			if ks.Notes != "" {
				b.WriteString(" notes=" + quote(ks.Notes))
			}
			b.WriteByte('\n')
		}
		formatArgs(&b, c.Args, "  ")
	}
	return b.String()
}

func formatArgs(b *strings.Builder, args []Arg, indent string) {
	for _, a := range args {
		b.WriteString(indent + "arg " + quote(a.Name) + " " + a.Type)
		attr := func(k, v string) {
			if v != "" {
				b.WriteString(" " + k + "=" + quote(v))
			}
		}
		attr("display", a.DisplayText)
		if a.KeySpecIndex >= 0 {
			attr("key", strconv.Itoa(a.KeySpecIndex))
		}
		attr("token", a.Token)
		attr("summary", a.Summary)
		attr("since", a.Since)
		attr("deprecated", a.DeprecatedSince)
		for _, f := range []struct {
			on   bool
			name string
		}{{a.Optional, "optional"}, {a.Multiple, "multiple"}, {a.MultipleToken, "multiple_token"}} {
			if f.on {
				b.WriteString(" " + f.name)
			}
		}
		b.WriteByte('\n')
		formatArgs(b, a.Args, indent+"  ")
	}
}

// quote returns v as is when Parse reads it back as one field, else quoted.
func quote(v string) string {
	if v == "" || v == "arg" || strings.ContainsAny(v, " \"=#\\") || strings.ContainsFunc(v, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return strconv.Quote(v)
	}
	return v
}
