package console

import (
	"encoding/json"
	"github.com/anaxdb/anax/config"
	"strconv"
	"strings"
)

// Reply is one RESP value.
type Reply struct {
	Kind  Kind
	Str   string  // Simple, Error, Bulk, Verbatim, BigNum; Double's text
	Int   int64   // Integer; Bool (0 or 1)
	Elems []Reply // Array, Set, Push; Map as key, value, key, value...
}

// Kind is the RESP type of a Reply.
type Kind uint8

// The RESP types.
const (
	Null Kind = iota
	Simple
	Error
	Integer
	Bulk
	Array
	Map
	Set
	Push
	Double
	Bool
	Verbatim
	BigNum
)

var kindNames = [...]string{"null", "simple", "error", "integer", "bulk", "array", "map", "set", "push", "double", "bool", "verbatim", "bignum"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// MarshalJSON writes {"type": "bulk", "value": ...}: value is a string, a
// number (integers as JSON numbers), a boolean, a list of replies, or
// absent for null.
func (r Reply) MarshalJSON() ([]byte, error) {
	v := map[string]any{"type": r.Kind.String()}
	switch r.Kind {
	case Null:
	case Integer:
		v["value"] = r.Int
	case Bool:
		v["value"] = r.Int != 0
	case Array, Map, Set, Push:
		elems := r.Elems
		if elems == nil {
			elems = []Reply{}
		}
		v["value"] = elems
	default:
		v["value"] = r.Str
	}
	return json.Marshal(v)
}

// FormatReply renders r as redis-cli shows it on a terminal.
func FormatReply(r Reply) string {
	return formatReply(r, "")
}

func formatReply(r Reply, prefix string) string {
	switch r.Kind {
	case Null:
		return "(nil)\n"
	case Simple:
		return r.Str + "\n"
	case Error:
		return "(error) " + r.Str + "\n"
	case Integer:
		return "(integer) " + strconv.FormatInt(r.Int, 10) + "\n"
	case Bulk:
		return config.Quote(r.Str) + "\n"
	case Double:
		return "(double) " + r.Str + "\n"
	case Bool:
		if r.Int != 0 {
			return "(true)\n"
		}
		return "(false)\n"
	case Verbatim:
		return r.Str + "\n"
	case BigNum:
		return "(big number) " + r.Str + "\n"
	}
	// Aggregates, as redis-cli's cliFormatReplyTTY.
	n := len(r.Elems)
	if r.Kind == Map {
		n /= 2
	}
	if n == 0 {
		switch r.Kind {
		case Map:
			return "(empty hash)\n"
		case Set:
			return "(empty set)\n"
		case Push:
			return "(empty push)\n"
		}
		return "(empty array)\n"
	}
	sep := ")"
	switch r.Kind {
	case Set:
		sep = "~"
	case Map:
		sep = "#"
	}
	width := len(strconv.Itoa(n))
	inner := prefix + strings.Repeat(" ", width+2)
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(prefix)
		}
		idx := strconv.Itoa(i + 1)
		b.WriteString(strings.Repeat(" ", width-len(idx)) + idx + sep + " ")
		if r.Kind == Map {
			k := formatReply(r.Elems[2*i], inner)
			b.WriteString(strings.TrimSuffix(k, "\n"))
			b.WriteString(" => ")
			b.WriteString(formatReply(r.Elems[2*i+1], inner))
			continue
		}
		b.WriteString(formatReply(r.Elems[i], inner))
	}
	return b.String()
}
