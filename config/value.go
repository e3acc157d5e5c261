package config

import (
	"fmt"
	"strconv"
	"strings"
)

// kind is a parameter's value type. It decides how values are parsed,
// formatted for CONFIG GET and written by CONFIG REWRITE, and which typed
// getters may read them.
type kind uint8

const (
	kindBool    kind = iota // yes/no; Bool
	kindInt                 // decimal integer within [min, max]; Int
	kindMemory              // bytes, Redis units accepted (ParseMemory); Int
	kindEnum                // one name of enum; Int is its val, String its name
	kindFlags               // one or more names of enum, OR'ed; Int is the mask
	kindString              // any bytes; String
	kindList                // space-separated words (bind); Strings
	kindSpecial             // parse/format/lines supplied by the parameter
)

var kindNames = [...]string{
	kindBool: "bool", kindInt: "int", kindMemory: "memory", kindEnum: "enum",
	kindFlags: "flags", kindString: "string", kindList: "list", kindSpecial: "special",
}

func (k kind) String() string { return kindNames[k] }

// value is one parameter's current value. Values are immutable once
// published: a change builds a new value (and new slices) instead.
type value struct {
	n int64    // bool (0/1), int, memory, enum val, flags mask, special numbers
	s string   // string
	l []string // list words
	x any      // special payload ([]SavePoint, outputLimits)
}

// enumItem is one name an enum or flags parameter accepts.
type enumItem struct {
	name string
	val  int64
}

// valueError explains why a value was refused, twice: as redis-server words
// it after "CONFIG SET failed (...) - ", and for a human reading a startup
// error (empty means: same as redis).
type valueError struct {
	redis, human string
}

func (e *valueError) text() string {
	if e.human != "" {
		return e.human
	}
	return e.redis
}

func verr(redis, human string) *valueError { return &valueError{redis: redis, human: human} }

// parseOpts says where a value comes from.
type parseOpts struct {
	// set is true for CONFIG SET (runtime), false at startup.
	set bool
	// appendSave makes a "save" line add to the save points given earlier in
	// the same source instead of replacing them (Redis's config file rule).
	appendSave bool
	// isDefault is true while New parses the built-in defaults.
	isDefault bool
}

// parse turns args into p's new value; cur is the current value (some
// parameters, like client-output-buffer-limit, update it only in part).
func (p *param) parse(cur value, args []string, o parseOpts) (value, *valueError) {
	if p.flags&multiArg == 0 && len(args) != 1 {
		return value{}, verr("wrong number of arguments",
			fmt.Sprintf("wrong number of arguments (got %d, want 1)", len(args)))
	}
	switch p.kind {
	case kindBool:
		switch strings.ToLower(args[0]) {
		case "yes":
			return value{n: 1}, nil
		case "no":
			return value{n: 0}, nil
		}
		return value{}, verr("argument must be 'yes' or 'no'",
			fmt.Sprintf("value %q is not yes or no", args[0]))
	case kindInt:
		n, ok := parseStrictInt(args[0])
		if !ok {
			return value{}, verr("argument couldn't be parsed into an integer",
				fmt.Sprintf("value %q is not an integer", args[0]))
		}
		if e := p.checkRange(n); e != nil {
			return value{}, e
		}
		if p.clamp != nil {
			n = p.clamp(n)
		}
		return value{n: n}, nil
	case kindMemory:
		n, err := ParseMemory(args[0])
		if err == ErrMemoryRange {
			return value{}, p.rangeError(args[0])
		}
		if err != nil {
			return value{}, verr("argument must be a memory value",
				fmt.Sprintf("value %q is not a memory size (bytes, or a number with k, kb, m, mb, g or gb)", args[0]))
		}
		if e := p.checkRange(n); e != nil {
			return value{}, e
		}
		if p.clamp != nil {
			n = p.clamp(n)
		}
		return value{n: n}, nil
	case kindEnum, kindFlags:
		var mask int64
		for _, a := range args {
			it, ok := p.enumByName(a)
			if !ok {
				return value{}, p.enumError(a)
			}
			if p.kind == kindEnum {
				return value{n: it.val}, nil
			}
			mask |= it.val
		}
		if len(args) == 0 {
			return value{}, p.enumError("")
		}
		return value{n: mask}, nil
	case kindString:
		if p.check != nil {
			if e := p.check(args[0], o); e != nil {
				return value{}, e
			}
		}
		if p.normalize != nil {
			return value{s: p.normalize(args[0])}, nil
		}
		return value{s: args[0]}, nil
	case kindList:
		if len(args) == 1 && args[0] == "" {
			args = nil // a single empty argument means an empty list
		}
		if p.maxWords > 0 && (len(args) > p.maxWords || p.exactly && len(args) != p.maxWords) {
			return value{}, verr(p.tooMany, "")
		}
		l := make([]string, len(args))
		for i, a := range args {
			l[i] = a
			if p.word != nil {
				w, e := p.word(a)
				if e != nil {
					return value{}, e
				}
				l[i] = w
			}
		}
		return value{l: l}, nil
	case kindSpecial:
		return p.parseSpecial(cur, args, o)
	}
	panic("BUG: config: unknown kind")
}

// format returns v as CONFIG GET shows it.
func (p *param) format(v value) string {
	switch p.kind {
	case kindBool:
		if v.n != 0 {
			return "yes"
		}
		return "no"
	case kindInt, kindMemory:
		return strconv.FormatInt(v.n, 10)
	case kindEnum, kindFlags:
		return p.enumString(v.n)
	case kindString:
		return v.s
	case kindList:
		return strings.Join(v.l, " ")
	case kindSpecial:
		return p.formatSpecial(v)
	}
	panic("BUG: config: unknown kind")
}

// rewriteLine is one line CONFIG REWRITE wants in the file for a parameter.
// A line replaces one of the parameter's existing lines if any is left;
// otherwise it is appended only when force is set (the value differs from
// the default, or the parameter is always written).
type rewriteLine struct {
	text  string
	force bool
}

// lines returns the lines CONFIG REWRITE writes for v; def is the default.
func (p *param) lines(v, def value) []rewriteLine {
	if p.rewrite != nil {
		return p.rewrite(p, v, def)
	}
	var arg string
	switch p.kind {
	case kindMemory:
		arg = formatMemory(v.n)
	case kindString:
		arg = Quote(v.s)
	case kindList:
		arg = p.format(v)
		if arg == "" {
			arg = `""`
		}
	default:
		arg = p.format(v)
	}
	force := p.flags&alwaysRewrite != 0 || p.format(v) != p.format(def)
	return []rewriteLine{{text: p.name + " " + arg, force: force}}
}

func (p *param) checkRange(n int64) *valueError {
	if n < p.min || n > p.max {
		return p.rangeError(strconv.FormatInt(n, 10))
	}
	return nil
}

// rangeError is the error for a number outside p's range, given as text.
func (p *param) rangeError(n string) *valueError {
	return verr(fmt.Sprintf("argument must be between %d and %d inclusive", p.min, p.max),
		fmt.Sprintf("value %s is out of range [%d, %d]", n, p.min, p.max))
}

func (p *param) enumByName(s string) (enumItem, bool) {
	for _, it := range p.enum {
		if strings.EqualFold(it.name, s) {
			return it, true
		}
	}
	return enumItem{}, false
}

func (p *param) enumNames() string {
	names := make([]string, len(p.enum))
	for i, it := range p.enum {
		names[i] = it.name
	}
	return strings.Join(names, ", ")
}

func (p *param) enumError(s string) *valueError {
	return verr("argument(s) must be one of the following: "+p.enumNames(),
		fmt.Sprintf("value %q is not one of: %s", s, p.enumNames()))
}

// enumString names n: the item equal to n if there is one, else (flags) the
// items whose bits are all set, in declaration order, space-separated.
func (p *param) enumString(n int64) string {
	var names []string
	rest := n
	for _, it := range p.enum {
		if it.val == n {
			return it.name
		}
		if p.kind == kindFlags && it.val != 0 && rest&it.val == it.val {
			names = append(names, it.name)
			rest &^= it.val
		}
	}
	return strings.Join(names, " ")
}

// parseStrictInt parses a decimal int64 with Redis's string2ll rules: an
// optional '-', no '+', no leading zeros, no spaces, no "-0".
func parseStrictInt(s string) (int64, bool) {
	d := s
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || d[0] < '0' || d[0] > '9' || d[0] == '0' && len(s) > 1 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
