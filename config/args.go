package config

import (
	"errors"
	"strings"
)

// errUnbalanced is splitArgs's only error, worded as Redis words it.
var errUnbalanced = errors.New("unbalanced quotes")

// splitArgs splits a configuration line into arguments with the rules of
// Redis's sdssplitargs (also used for inline commands and redis-cli input):
//
//   - arguments are separated by white space (space, \t, \n, \v, \f, \r);
//   - "double quotes" allow the escapes \n \r \t \b \a \xHH, and a backslash
//     before any other byte stands for that byte (\" and \\ included);
//   - 'single quotes' take everything literally except \' ;
//   - a closing quote must be followed by white space or the end of the line,
//     and an unterminated quote is an error;
//   - a quote inside an unquoted word starts a quoted part of the same word
//     (foo"bar baz" is one argument, foobar baz);
//   - a NUL byte ends the line, as in C.
func splitArgs(line string) ([]string, error) {
	at := func(i int) byte {
		if i < len(line) {
			return line[i]
		}
		return 0
	}
	var out []string
	var cur strings.Builder
	i := 0
	for {
		for at(i) != 0 && isSpace(at(i)) {
			i++
		}
		if at(i) == 0 {
			return out, nil
		}
		cur.Reset()
		inq, insq := false, false
		for done := false; !done; {
			c := at(i)
			switch {
			case inq:
				switch {
				case c == '\\' && at(i+1) == 'x' && isHex(at(i+2)) && isHex(at(i+3)):
					cur.WriteByte(unhex(at(i+2))<<4 | unhex(at(i+3)))
					i += 3
				case c == '\\' && at(i+1) != 0:
					i++
					switch e := at(i); e {
					case 'n':
						cur.WriteByte('\n')
					case 'r':
						cur.WriteByte('\r')
					case 't':
						cur.WriteByte('\t')
					case 'b':
						cur.WriteByte('\b')
					case 'a':
						cur.WriteByte('\a')
					default:
						cur.WriteByte(e)
					}
				case c == '"':
					if next := at(i + 1); next != 0 && !isSpace(next) {
						return nil, errUnbalanced
					}
					done = true
				case c == 0:
					return nil, errUnbalanced
				default:
					cur.WriteByte(c)
				}
			case insq:
				switch {
				case c == '\\' && at(i+1) == '\'':
					i++
					cur.WriteByte('\'')
				case c == '\'':
					if next := at(i + 1); next != 0 && !isSpace(next) {
						return nil, errUnbalanced
					}
					done = true
				case c == 0:
					return nil, errUnbalanced
				default:
					cur.WriteByte(c)
				}
			default:
				switch c {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					cur.WriteByte(c)
				}
			}
			if at(i) != 0 {
				i++
			}
		}
		out = append(out, cur.String())
	}
}

// splitSpaces splits a CONFIG SET value of a multi-argument parameter the way
// Redis does: on every single space, so "a  b" has an empty middle argument,
// and "" has no arguments at all.
func splitSpaces(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, " ")
}

// Quote returns s in double quotes with the escapes splitArgs understands,
// like Redis's sdscatrepr, so that splitArgs(Quote(s)) == [s].
func Quote(s string) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c >= 0x20 && c < 0x7f {
				b.WriteByte(c)
			} else {
				b.WriteString(`\x`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
