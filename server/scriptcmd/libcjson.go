package scriptcmd

import (
	"math"
	"strconv"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// The cjson library (lua-cjson 2.1, as Redis bundles it): encode, decode
// and cjson.null, with its defaults (numbers as %.14g, '/' escaped, sparse
// arrays refused past a ratio of 2 beyond 10 elements, nesting to 1000).
// Written for Anax: no maintained Go module offers it for gopher-lua.

const cjsonMaxDepth = 1000

// formatG formats f as C's printf("%.<prec>g") does.
func formatG(f float64, prec int) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case f != f:
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', prec, 64)
}

func openCJSON(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	null := L.NewUserData()
	t.RawSetString("null", null)
	t.RawSetString("encode", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() != 1 {
			L.ArgError(1, "expected 1 argument")
		}
		var enc jsonEncoder
		enc.null = null
		if msg := enc.encode(L.Get(1), 0); msg != "" {
			L.RaiseError("%s", msg)
		}
		L.Push(lua.LString(enc.buf))
		return 1
	}))
	t.RawSetString("decode", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() != 1 {
			L.ArgError(1, "expected 1 argument")
		}
		s := L.CheckString(1)
		d := jsonDecoder{L: L, s: s, null: null}
		v := d.value(0)
		if d.err == "" {
			d.skipSpace()
			if d.pos < len(d.s) {
				d.fail("Expected the end but found " + d.tokenName() + " at character " + strconv.Itoa(d.pos+1))
			}
		}
		if d.err != "" {
			L.RaiseError("%s", d.err)
		}
		L.Push(v)
		return 1
	}))
	for _, name := range []string{"encode_sparse_array", "encode_max_depth", "decode_max_depth", "encode_number_precision", "encode_keep_buffer", "encode_invalid_numbers", "decode_invalid_numbers"} {
		t.RawSetString(name, L.NewFunction(func(L *lua.LState) int { return 0 }))
	}
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	return t
}

type jsonEncoder struct {
	buf  []byte
	null *lua.LUserData
}

func (e *jsonEncoder) encode(v lua.LValue, depth int) string {
	switch v := v.(type) {
	case *lua.LNilType:
		e.buf = append(e.buf, "null"...)
	case lua.LBool:
		if v {
			e.buf = append(e.buf, "true"...)
		} else {
			e.buf = append(e.buf, "false"...)
		}
	case lua.LNumber:
		f := float64(v)
		if math.IsInf(f, 0) || f != f {
			return "Cannot serialise number: must not be NaN or Inf"
		}
		e.buf = append(e.buf, formatG(f, 14)...)
	case lua.LString:
		e.str(string(v))
	case *lua.LUserData:
		if v == e.null {
			e.buf = append(e.buf, "null"...)
			return ""
		}
		return "Cannot serialise userdata: type not supported"
	case *lua.LTable:
		depth++
		if depth > cjsonMaxDepth {
			return "Cannot serialise, excessive nesting (" + strconv.Itoa(depth) + ")"
		}
		n, isArray, bad := arrayLength(v)
		if bad {
			return "Cannot serialise table: excessively sparse array"
		}
		if isArray && n > 0 {
			e.buf = append(e.buf, '[')
			for i := 1; i <= n; i++ {
				if i > 1 {
					e.buf = append(e.buf, ',')
				}
				if msg := e.encode(v.RawGetInt(i), depth); msg != "" {
					return msg
				}
			}
			e.buf = append(e.buf, ']')
			return ""
		}
		e.buf = append(e.buf, '{')
		first := true
		var msg string
		v.ForEach(func(k, val lua.LValue) {
			if msg != "" {
				return
			}
			if !first {
				e.buf = append(e.buf, ',')
			}
			first = false
			switch k := k.(type) {
			case lua.LString:
				e.str(string(k))
			case lua.LNumber:
				e.str(formatG(float64(k), 14))
			default:
				msg = "Cannot serialise table: table key must be a number or string"
				return
			}
			e.buf = append(e.buf, ':')
			msg = e.encode(val, depth)
		})
		if msg != "" {
			return msg
		}
		e.buf = append(e.buf, '}')
	default:
		return "Cannot serialise " + v.Type().String() + ": type not supported"
	}
	return ""
}

// arrayLength is lua-cjson's lua_array_length: the largest key when every
// key is a positive integer (isArray), refusing excessively sparse ones.
func arrayLength(t *lua.LTable) (n int, isArray, sparse bool) {
	count := 0
	isArray = true
	t.ForEach(func(k, _ lua.LValue) {
		if !isArray {
			return
		}
		f, ok := k.(lua.LNumber)
		if !ok || float64(f) < 1 || float64(f) != math.Floor(float64(f)) {
			isArray = false
			return
		}
		if int(f) > n {
			n = int(f)
		}
		count++
	})
	if !isArray {
		return 0, false, false
	}
	if n > 10 && n > 2*count {
		return 0, false, true
	}
	return n, true, false
}

func (e *jsonEncoder) str(s string) {
	e.buf = append(e.buf, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			e.buf = append(e.buf, `\"`...)
		case '\\':
			e.buf = append(e.buf, `\\`...)
		case '/':
			e.buf = append(e.buf, `\/`...)
		case '\b':
			e.buf = append(e.buf, `\b`...)
		case '\f':
			e.buf = append(e.buf, `\f`...)
		case '\n':
			e.buf = append(e.buf, `\n`...)
		case '\r':
			e.buf = append(e.buf, `\r`...)
		case '\t':
			e.buf = append(e.buf, `\t`...)
		default:
			if c < 0x20 || c == 0x7f {
				e.buf = append(e.buf, `\u00`...)
				e.buf = append(e.buf, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
			} else {
				e.buf = append(e.buf, c)
			}
		}
	}
	e.buf = append(e.buf, '"')
}

type jsonDecoder struct {
	L    *lua.LState
	s    string
	pos  int
	err  string
	null *lua.LUserData
}

func (d *jsonDecoder) fail(msg string) {
	if d.err == "" {
		d.err = msg
	}
}

func (d *jsonDecoder) skipSpace() {
	for d.pos < len(d.s) {
		switch d.s[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// tokenName names the token at pos as lua-cjson's errors do.
func (d *jsonDecoder) tokenName() string {
	if d.pos >= len(d.s) {
		return "T_END"
	}
	switch c := d.s[d.pos]; {
	case c == '{':
		return "T_OBJ_BEGIN"
	case c == '}':
		return "T_OBJ_END"
	case c == '[':
		return "T_ARR_BEGIN"
	case c == ']':
		return "T_ARR_END"
	case c == ':':
		return "T_COLON"
	case c == ',':
		return "T_COMMA"
	case c == '"':
		return "T_STRING"
	case c == '-' || (c >= '0' && c <= '9'):
		return "T_NUMBER"
	case len(d.s)-d.pos >= 4 && (d.s[d.pos:d.pos+4] == "true"):
		return "T_BOOLEAN"
	case len(d.s)-d.pos >= 5 && d.s[d.pos:d.pos+5] == "false":
		return "T_BOOLEAN"
	case len(d.s)-d.pos >= 4 && d.s[d.pos:d.pos+4] == "null":
		return "T_NULL"
	}
	return "invalid token"
}

func (d *jsonDecoder) at() string { return " at character " + strconv.Itoa(d.pos+1) }

func (d *jsonDecoder) value(depth int) lua.LValue {
	d.skipSpace()
	if d.pos >= len(d.s) {
		d.fail("Expected value but found T_END" + d.at())
		return lua.LNil
	}
	switch c := d.s[d.pos]; {
	case c == '{':
		return d.object(depth + 1)
	case c == '[':
		return d.array(depth + 1)
	case c == '"':
		s, ok := d.str()
		if !ok {
			return lua.LNil
		}
		return lua.LString(s)
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	case d.tokenName() == "T_BOOLEAN":
		if d.s[d.pos] == 't' {
			d.pos += 4
			return lua.LTrue
		}
		d.pos += 5
		return lua.LFalse
	case d.tokenName() == "T_NULL":
		d.pos += 4
		return d.null
	}
	d.fail("Expected value but found " + d.tokenName() + d.at())
	return lua.LNil
}

func (d *jsonDecoder) number() lua.LValue {
	start := d.pos
	for d.pos < len(d.s) {
		c := d.s[d.pos]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || c == 'x' || c == 'X' ||
			(c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') {
			d.pos++
			continue
		}
		break
	}
	f, err := strconv.ParseFloat(d.s[start:d.pos], 64)
	if err != nil && !isRangeErr(err) {
		d.pos = start
		d.fail("Expected value but found invalid number" + d.at())
		return lua.LNil
	}
	return lua.LNumber(f)
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func (d *jsonDecoder) str() (string, bool) {
	start := d.pos
	d.pos++ // the quote
	var out []byte
	for d.pos < len(d.s) {
		c := d.s[d.pos]
		switch {
		case c == '"':
			d.pos++
			return string(out), true
		case c == '\\':
			if d.pos+1 >= len(d.s) {
				break
			}
			e := d.s[d.pos+1]
			d.pos += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					d.pos = start
					d.fail("Expected value but found invalid unicode escape code" + d.at())
					return "", false
				}
				if r >= 0xD800 && r <= 0xDBFF && d.pos+1 < len(d.s) && d.s[d.pos] == '\\' && d.s[d.pos+1] == 'u' {
					d.pos += 2
					lo, ok := d.hex4()
					if !ok || lo < 0xDC00 || lo > 0xDFFF {
						d.pos = start
						d.fail("Expected value but found invalid unicode escape code" + d.at())
						return "", false
					}
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				}
				out = utf8.AppendRune(out, r)
			default:
				d.pos = start
				d.fail("Expected value but found invalid escape code" + d.at())
				return "", false
			}
			continue
		case c < 0x20:
			d.pos = start
			d.fail("Expected value but found invalid token" + d.at())
			return "", false
		default:
			out = append(out, c)
			d.pos++
			continue
		}
		break
	}
	d.pos = start
	d.fail("Expected value but found unexpected end of string" + d.at())
	return "", false
}

func (d *jsonDecoder) hex4() (rune, bool) {
	if d.pos+4 > len(d.s) {
		return 0, false
	}
	n, err := strconv.ParseUint(d.s[d.pos:d.pos+4], 16, 32)
	if err != nil {
		return 0, false
	}
	d.pos += 4
	return rune(n), true
}

func (d *jsonDecoder) array(depth int) lua.LValue {
	if depth > cjsonMaxDepth {
		d.fail("Found too many nested data structures (" + strconv.Itoa(depth) + ")" + d.at())
		return lua.LNil
	}
	d.pos++
	t := d.L.NewTable()
	d.skipSpace()
	if d.pos < len(d.s) && d.s[d.pos] == ']' {
		d.pos++
		return t
	}
	for i := 1; ; i++ {
		v := d.value(depth)
		if d.err != "" {
			return lua.LNil
		}
		t.RawSetInt(i, v)
		d.skipSpace()
		if d.pos < len(d.s) && d.s[d.pos] == ']' {
			d.pos++
			return t
		}
		if d.pos >= len(d.s) || d.s[d.pos] != ',' {
			d.fail("Expected comma or array end but found " + d.tokenName() + d.at())
			return lua.LNil
		}
		d.pos++
	}
}

func (d *jsonDecoder) object(depth int) lua.LValue {
	if depth > cjsonMaxDepth {
		d.fail("Found too many nested data structures (" + strconv.Itoa(depth) + ")" + d.at())
		return lua.LNil
	}
	d.pos++
	t := d.L.NewTable()
	d.skipSpace()
	if d.pos < len(d.s) && d.s[d.pos] == '}' {
		d.pos++
		return t
	}
	for {
		d.skipSpace()
		if d.pos >= len(d.s) || d.s[d.pos] != '"' {
			d.fail("Expected object key string but found " + d.tokenName() + d.at())
			return lua.LNil
		}
		k, ok := d.str()
		if !ok {
			return lua.LNil
		}
		d.skipSpace()
		if d.pos >= len(d.s) || d.s[d.pos] != ':' {
			d.fail("Expected colon but found " + d.tokenName() + d.at())
			return lua.LNil
		}
		d.pos++
		v := d.value(depth)
		if d.err != "" {
			return lua.LNil
		}
		t.RawSetString(k, v)
		d.skipSpace()
		if d.pos < len(d.s) && d.s[d.pos] == '}' {
			d.pos++
			return t
		}
		if d.pos >= len(d.s) || d.s[d.pos] != ',' {
			d.fail("Expected comma or object end but found " + d.tokenName() + d.at())
			return lua.LNil
		}
		d.pos++
	}
}
