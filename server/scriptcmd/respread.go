package scriptcmd

import (
	"strconv"

	lua "github.com/yuin/gopher-lua"

	"github.com/anaxdb/anax/server/command"
)

// replyToLua converts one RESP reply, as a command run for a script wrote
// it, into the Lua value Redis's redisProtocolToLuaType makes of it:
//
//	integer -> number, bulk -> string, status -> {ok=...}, error -> {err=...},
//	array -> table, null bulk or null array -> false (RESP2),
//	RESP3: null -> nil, boolean -> boolean, double -> {double=n},
//	map -> {map={...}}, set -> {set={member=true...}},
//	big number -> {big_number=text}, verbatim -> {verbatim_string={format=, string=}};
//	attributes are skipped.
//
// The bytes come from the server's own reply writers, never from a peer;
// a malformed reply still converts to something (nil) rather than panic.
// It returns the value and the number of bytes read.
func replyToLua(L *lua.LState, b []byte) (lua.LValue, int) {
	if len(b) < 3 {
		return lua.LNil, len(b)
	}
	line, next := readLine(b)
	if next < 0 {
		return lua.LNil, len(b)
	}
	kind, text := b[0], line[1:]
	switch kind {
	case ':':
		n, _ := command.ParseInt(text)
		return luaInt(n), next
	case '+':
		t := L.CreateTable(0, 1)
		t.RawSetString("ok", lua.LString(text))
		return t, next
	case '-':
		t := L.CreateTable(0, 1)
		t.RawSetString("err", lua.LString(text))
		return t, next
	case '$', '=':
		n64, _ := command.ParseInt(text)
		n := int(n64)
		if n < 0 {
			return lua.LFalse, next
		}
		if n64 > int64(len(b)) || next+n+2 > len(b) {
			return lua.LNil, len(b)
		}
		body := b[next : next+n]
		if kind == '=' {
			format, str := "txt", body
			if len(body) >= 4 && body[3] == ':' {
				format, str = string(body[:3]), body[4:]
			}
			inner := L.CreateTable(0, 2)
			inner.RawSetString("format", lua.LString(format))
			inner.RawSetString("string", lua.LString(str))
			t := L.CreateTable(0, 1)
			t.RawSetString("verbatim_string", inner)
			return t, next + n + 2
		}
		return lua.LString(body), next + n + 2
	case '*', '>', '~', '%', '|':
		n, _ := strconv.Atoi(string(text))
		if n < 0 {
			return lua.LFalse, next
		}
		pos := next
		switch kind {
		case '%', '|':
			m := L.CreateTable(0, n)
			for i := 0; i < n && pos < len(b); i++ {
				k, used := replyToLua(L, b[pos:])
				pos += used
				v, used := replyToLua(L, b[pos:])
				pos += used
				if k != lua.LNil {
					m.RawSet(k, v)
				}
			}
			if kind == '|' { // attributes: skipped, the value follows
				v, used := replyToLua(L, b[pos:])
				return v, pos + used
			}
			t := L.CreateTable(0, 1)
			t.RawSetString("map", m)
			return t, pos
		case '~':
			m := L.CreateTable(0, n)
			for i := 0; i < n && pos < len(b); i++ {
				k, used := replyToLua(L, b[pos:])
				pos += used
				if k != lua.LNil {
					m.RawSet(k, lua.LTrue)
				}
			}
			t := L.CreateTable(0, 1)
			t.RawSetString("set", m)
			return t, pos
		}
		t := L.CreateTable(n, 0)
		for i := 0; i < n && pos < len(b); i++ {
			v, used := replyToLua(L, b[pos:])
			pos += used
			t.RawSetInt(i+1, v)
		}
		return t, pos
	case '_':
		return lua.LNil, next
	case '#':
		return lua.LBool(len(text) > 0 && text[0] == 't'), next
	case ',':
		f, err := strconv.ParseFloat(string(text), 64)
		if err != nil {
			switch string(text) {
			case "inf":
				f = posInf
			case "-inf":
				f = negInf
			}
		}
		t := L.CreateTable(0, 1)
		t.RawSetString("double", lua.LNumber(f))
		return t, next
	case '(':
		t := L.CreateTable(0, 1)
		t.RawSetString("big_number", lua.LString(text))
		return t, next
	}
	return lua.LNil, len(b)
}

// smallInts are the Lua values of the integers a command's reply most
// often holds (counts, flags, lengths): an LNumber in an LValue takes an
// allocation of its own, these are made once.
var smallInts = func() (t [1026]lua.LValue) {
	for i := range t {
		t[i] = lua.LNumber(i - 1)
	}
	return t
}()

// luaInt returns the Lua number n, shared when it is small.
func luaInt(n int64) lua.LValue {
	if n >= -1 && n < int64(len(smallInts))-1 {
		return smallInts[n+1]
	}
	return lua.LNumber(n)
}

// readLine returns b's first line without its CRLF, and where the next
// one starts (-1 when there is no CRLF).
func readLine(b []byte) ([]byte, int) {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '\r' && b[i+1] == '\n' {
			return b[:i], i + 2
		}
	}
	return nil, -1
}

// replyError returns the text of an error reply (without its '-' and
// CRLF), or "" when reply is not an error.
func replyError(reply []byte) string {
	if len(reply) == 0 || reply[0] != '-' {
		return ""
	}
	line, _ := readLine(reply)
	if len(line) == 0 {
		return string(reply[1:])
	}
	return string(line[1:])
}
