package scriptcmd

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/anaxdb/anax/protocol/resp"
)

var (
	posInf = math.Inf(1)
	negInf = math.Inf(-1)
)

// maxReplyDepth bounds the nesting of a script's reply: a table that holds
// itself would otherwise recurse forever (Redis stops at the C stack's
// limit; Anax answers an error at this depth instead).
const maxReplyDepth = 1000

// appendLuaReply appends the RESP reply of Lua value v, as Redis's
// luaReplyToRedisReply writes it for a client speaking clientProto while
// the script speaks scriptProto (redis.setresp):
//
//	string -> bulk; number -> integer (truncated); boolean -> 1 / null with
//	a RESP2 script, a boolean with a RESP3 one; table with a string err ->
//	error; with a string ok -> status; with a number double -> double; with
//	a string big_number -> big number; with a table map -> map; with a
//	table set -> set; with a table verbatim_string -> verbatim; any other
//	table -> array of t[1], t[2], ... up to the first nil; anything else ->
//	null.
func appendLuaReply(dst []byte, v lua.LValue, clientProto, scriptProto, depth int) []byte {
	if depth > maxReplyDepth {
		return resp.AppendError(dst, "ERR reached lua stack limit")
	}
	switch v := v.(type) {
	case lua.LString:
		return resp.AppendBulkString(dst, string(v))
	case lua.LNumber:
		return resp.AppendInt(dst, luaToInt64(float64(v)))
	case lua.LBool:
		if scriptProto == 2 {
			if v {
				return resp.AppendInt(dst, 1)
			}
			return resp.AppendNull(dst, clientProto)
		}
		return resp.AppendBool(dst, bool(v), clientProto)
	case *lua.LTable:
		if e, ok := v.RawGetString("err").(lua.LString); ok {
			return resp.AppendError(dst, sanitize(string(e)))
		}
		if s, ok := v.RawGetString("ok").(lua.LString); ok {
			return resp.AppendSimple(dst, sanitize(string(s)))
		}
		if d, ok := v.RawGetString("double").(lua.LNumber); ok {
			return resp.AppendDouble(dst, float64(d), clientProto)
		}
		if b, ok := v.RawGetString("big_number").(lua.LString); ok {
			return resp.AppendBigNum(dst, sanitize(string(b)), clientProto)
		}
		if m, ok := v.RawGetString("map").(*lua.LTable); ok {
			n := 0
			m.ForEach(func(_, _ lua.LValue) { n++ })
			dst = resp.AppendMapLen(dst, n, clientProto)
			m.ForEach(func(k, val lua.LValue) {
				dst = appendLuaReply(dst, k, clientProto, scriptProto, depth+1)
				dst = appendLuaReply(dst, val, clientProto, scriptProto, depth+1)
			})
			return dst
		}
		if m, ok := v.RawGetString("set").(*lua.LTable); ok {
			n := 0
			m.ForEach(func(_, _ lua.LValue) { n++ })
			dst = resp.AppendSetLen(dst, n, clientProto)
			m.ForEach(func(k, _ lua.LValue) {
				dst = appendLuaReply(dst, k, clientProto, scriptProto, depth+1)
			})
			return dst
		}
		if vt, ok := v.RawGetString("verbatim_string").(*lua.LTable); ok {
			f, okf := vt.RawGetString("format").(lua.LString)
			s, oks := vt.RawGetString("string").(lua.LString)
			if okf && oks {
				return resp.AppendVerbatim(dst, string(f), []byte(s), clientProto)
			}
		}
		n := 0
		for v.RawGetInt(n+1) != lua.LNil {
			n++
		}
		dst = resp.AppendArrayLen(dst, n)
		for i := 1; i <= n; i++ {
			dst = appendLuaReply(dst, v.RawGetInt(i), clientProto, scriptProto, depth+1)
		}
		return dst
	}
	return resp.AppendNull(dst, clientProto)
}

// luaToInt64 converts a Lua number as C's (long long) cast does on x86-64:
// truncated toward zero, and the "integer indefinite" value for NaN and
// anything out of range.
func luaToInt64(f float64) int64 {
	if f != f || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
		return math.MinInt64
	}
	return int64(f)
}

// sanitize replaces CR and LF in a status or error text by spaces, as
// Redis does before it writes one.
func sanitize(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
}

// luaArg converts an argument of redis.call into its bytes (a copy), as
// appendLuaArg writes them. Anything else is refused (ok false).
func luaArg(v lua.LValue) ([]byte, bool) { return appendLuaArg(nil, v) }

// appendLuaArg appends the bytes of an argument of redis.call to dst: a
// string as it is, a number as formatNumber writes it. Anything else is
// refused (ok false). No allocation of its own.
func appendLuaArg(dst []byte, v lua.LValue) ([]byte, bool) {
	switch v := v.(type) {
	case lua.LString:
		return append(dst, v...), true
	case lua.LNumber:
		f := float64(v)
		// An integer of up to 15 digits is written in full by %.17g: the
		// common case (counts, TTLs, scores, ids) without FormatFloat.
		if f == math.Trunc(f) && f > -1e15 && f < 1e15 && (f != 0 || !math.Signbit(f)) {
			return strconv.AppendInt(dst, int64(f), 10), true
		}
		return append(dst, formatNumber(f)...), true
	}
	return dst, false
}

// formatNumber writes a Lua number as Redis's Lua (LUA_NUMBER_FMT "%.17g"
// for redis.call's arguments) does.
func formatNumber(f float64) string {
	return formatG(f, 17)
}
