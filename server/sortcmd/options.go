package sortcmd

import (
	"bytes"

	"github.com/anaxdb/anax/server/command"
)

// options is a parsed SORT or SORT_RO command.
type options struct {
	by       []byte // the BY pattern; nil when there is none
	dontsort bool   // BY names a constant (no '*'): nothing to sort
	gets     [][]byte
	desc     bool
	alpha    bool
	start    int64 // LIMIT offset (0 without LIMIT)
	count    int64 // LIMIT count (-1 without LIMIT: all)
	store    []byte
	hasStore bool
}

// parse reads x's options after the key as Redis does, left to right, the
// last of a repeated option winning. It returns the error to answer ("" when
// the command is well formed).
func parse(args [][]byte, readonly bool) (o options, errMsg string) {
	o.count = -1
	for j := 2; j < len(args); j++ {
		a, left := args[j], len(args)-j-1
		switch {
		case command.EqFold(a, "asc"):
			o.desc = false
		case command.EqFold(a, "desc"):
			o.desc = true
		case command.EqFold(a, "alpha"):
			o.alpha = true
		case command.EqFold(a, "limit") && left >= 2:
			start, ok1 := command.ParseInt(args[j+1])
			count, ok2 := command.ParseInt(args[j+2])
			if !ok1 || !ok2 {
				return o, command.ErrNotInt.Error()
			}
			o.start, o.count = start, count
			j += 2
		case !readonly && command.EqFold(a, "store") && left >= 1:
			o.store, o.hasStore = args[j+1], true
			j++
		case command.EqFold(a, "by") && left >= 1:
			o.by = args[j+1]
			// A constant BY (no '*') sorts nothing and looks nothing up;
			// a later BY with a '*' does not undo that (as in Redis).
			if bytes.IndexByte(cString(o.by), '*') < 0 {
				o.dontsort = true
			}
			j++
		case command.EqFold(a, "get") && left >= 1:
			o.gets = append(o.gets, args[j+1])
			j++
		default:
			return o, command.ErrSyntax.Error()
		}
	}
	return o, ""
}

// sortKeys is SORT's key positions: the sorted key, then the last STORE
// destination. It skips the arguments of LIMIT, GET, BY and STORE whatever
// they are, as parse does, so it agrees with parse on every command that
// parses. (Redis's sortGetKeys does not skip STORE's argument, so for
// "STORE GET STORE d" it names GET; that only matters to Redis in a cluster,
// but here the keys decide the shards and the locks.)
func sortKeys(args [][]byte, dst []int) []int {
	dst = append(dst, 1)
	store := -1
	for i := 2; i < len(args); i++ {
		switch {
		case command.EqFold(args[i], "limit"):
			i += 2
		case command.EqFold(args[i], "get"), command.EqFold(args[i], "by"):
			i++
		case command.EqFold(args[i], "store") && i+1 < len(args):
			store = i + 1
			i++
		}
	}
	if store >= 0 {
		dst = append(dst, store)
	}
	return dst
}

// sortROKeys is SORT_RO's one key, the sorted one.
func sortROKeys(args [][]byte, dst []int) []int { return append(dst, 1) }

// cString is b up to its first NUL: Redis looks for '*', "->" and "#" in a
// pattern with the C string functions, which stop there.
func cString(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// patternKind is what a pattern makes of an element.
type patternKind uint8

const (
	patMissing patternKind = iota // no '*': names nothing (GET constant)
	patSelf                       // "#": the element itself
	patKey                        // a string key's value
	patField                      // a hash field's value (key->field)
)

// resolve substitutes elem into pattern as Redis's lookupKeyByPattern does:
// the first '*' is replaced by the element; a "->" after it, with something
// after the arrow, makes the rest a hash field of the key before it. The
// key is built by appending to buf.
func resolve(pattern, elem, buf []byte) (kind patternKind, key, field []byte) {
	if kind = kindOf(pattern); kind != patKey {
		return kind, nil, nil
	}
	c := cString(pattern)
	star := bytes.IndexByte(c, '*')
	keyEnd := len(pattern)
	kind = patKey
	if f := bytes.Index(c[star+1:], []byte("->")); f >= 0 {
		f += star + 1
		if f+2 < len(c) {
			kind, keyEnd, field = patField, f, pattern[f+2:]
		}
	}
	key = append(buf, pattern[:star]...)
	key = append(key, elem...)
	key = append(key, pattern[star+1:keyEnd]...)
	return kind, key, field
}

// kindOf says what pattern makes of any element: the element itself ("#"),
// nothing (no '*'), or a key to look up (patKey, which resolve may refine
// to patField).
func kindOf(pattern []byte) patternKind {
	c := cString(pattern)
	switch {
	case len(c) == 1 && c[0] == '#':
		return patSelf
	case bytes.IndexByte(c, '*') < 0:
		return patMissing
	}
	return patKey
}

// reaches reports whether a SORT's patterns may name keys on a shard other
// than its sorted key's: a pattern that is looked up (BY with a '*', GET
// with a '*') routes, whatever the element, to one shard only when the text
// before its '*' holds a whole non-empty hash tag ("w_{tag}_*"), which then
// decides; any other such pattern may reach any shard.
func reaches(args [][]byte, route func(key []byte) int) bool {
	o, bad := parse(args, false)
	if bad != "" {
		return false // only the error is answered, on the key's shard
	}
	home := route(args[1])
	away := func(p []byte) bool {
		if kindOf(p) != patKey {
			return false // looks nothing up
		}
		c := cString(p)
		tag, ok := fixedTag(c[:bytes.IndexByte(c, '*')])
		return !ok || route(tag) != home
	}
	if o.by != nil && !o.dontsort && away(o.by) {
		return true
	}
	for _, g := range o.gets {
		if away(g) {
			return true
		}
	}
	return false
}

// fixedTag returns, as a key that routes by it ("{tag}"), the hash tag of
// every key whose name starts with prefix, when prefix alone decides it: its
// first '{' and the first '}' after it, with something between.
func fixedTag(prefix []byte) ([]byte, bool) {
	open := bytes.IndexByte(prefix, '{')
	if open < 0 {
		return nil, false
	}
	end := bytes.IndexByte(prefix[open+1:], '}')
	if end <= 0 {
		return nil, false // no '}' yet, or "{}" (the whole key decides)
	}
	return prefix[open : open+1+end+1], true
}
