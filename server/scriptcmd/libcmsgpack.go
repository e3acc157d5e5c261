package scriptcmd

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// The cmsgpack library (lua-cmsgpack, as Redis bundles it): pack, unpack,
// unpack_one and unpack_limit, encoding as it does (integers in the
// smallest form, doubles as float32 when exact, tables whose keys are 1..n
// as arrays, nesting past 16 levels as nil). Written for Anax: no
// maintained Go module offers it for gopher-lua.

const msgpackMaxNesting = 16

func openCmsgpack(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(msgpackPack))
	t.RawSetString("unpack", L.NewFunction(func(L *lua.LState) int { return msgpackUnpack(L, 0, 0, false) }))
	t.RawSetString("unpack_one", L.NewFunction(func(L *lua.LState) int {
		return msgpackUnpack(L, 1, L.OptInt(2, 0), true)
	}))
	t.RawSetString("unpack_limit", L.NewFunction(func(L *lua.LState) int {
		return msgpackUnpack(L, L.CheckInt(2), L.OptInt(3, 0), true)
	}))
	t.RawSetString("_NAME", lua.LString("cmsgpack"))
	t.RawSetString("_VERSION", lua.LString("lua-cmsgpack 0.4.0"))
	return t
}

func msgpackPack(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		L.ArgError(0, "MessagePack pack needs input.")
	}
	var buf []byte
	for i := 1; i <= n; i++ {
		buf = msgpackEncode(buf, L.Get(i), 0)
	}
	L.Push(lua.LString(buf))
	return 1
}

func msgpackEncode(buf []byte, v lua.LValue, level int) []byte {
	switch v := v.(type) {
	case lua.LString:
		n := len(v)
		switch {
		case n < 32:
			buf = append(buf, 0xa0|byte(n))
		case n <= 0xff:
			buf = append(buf, 0xd9, byte(n))
		case n <= 0xffff:
			buf = binary.BigEndian.AppendUint16(append(buf, 0xda), uint16(n))
		default:
			buf = binary.BigEndian.AppendUint32(append(buf, 0xdb), uint32(n))
		}
		return append(buf, v...)
	case lua.LBool:
		if v {
			return append(buf, 0xc3)
		}
		return append(buf, 0xc2)
	case lua.LNumber:
		f := float64(v)
		if !math.IsInf(f, 0) && f == f && f >= -9223372036854775808.0 && f < 9223372036854775808.0 && float64(int64(f)) == f {
			return msgpackInt(buf, int64(f))
		}
		if float64(float32(f)) == f {
			return binary.BigEndian.AppendUint32(append(buf, 0xca), math.Float32bits(float32(f)))
		}
		return binary.BigEndian.AppendUint64(append(buf, 0xcb), math.Float64bits(f))
	case *lua.LTable:
		if level >= msgpackMaxNesting {
			return append(buf, 0xc0)
		}
		if n, ok := msgpackArrayLen(v); ok {
			switch {
			case n <= 15:
				buf = append(buf, 0x90|byte(n))
			case n <= 0xffff:
				buf = binary.BigEndian.AppendUint16(append(buf, 0xdc), uint16(n))
			default:
				buf = binary.BigEndian.AppendUint32(append(buf, 0xdd), uint32(n))
			}
			for i := 1; i <= n; i++ {
				buf = msgpackEncode(buf, v.RawGetInt(i), level+1)
			}
			return buf
		}
		n := 0
		v.ForEach(func(_, _ lua.LValue) { n++ })
		switch {
		case n <= 15:
			buf = append(buf, 0x80|byte(n))
		case n <= 0xffff:
			buf = binary.BigEndian.AppendUint16(append(buf, 0xde), uint16(n))
		default:
			buf = binary.BigEndian.AppendUint32(append(buf, 0xdf), uint32(n))
		}
		v.ForEach(func(k, val lua.LValue) {
			buf = msgpackEncode(buf, k, level+1)
			buf = msgpackEncode(buf, val, level+1)
		})
		return buf
	}
	return append(buf, 0xc0)
}

func msgpackInt(buf []byte, n int64) []byte {
	if n >= 0 {
		switch {
		case n <= 127:
			return append(buf, byte(n))
		case n <= 0xff:
			return append(buf, 0xcc, byte(n))
		case n <= 0xffff:
			return binary.BigEndian.AppendUint16(append(buf, 0xcd), uint16(n))
		case n <= 0xffffffff:
			return binary.BigEndian.AppendUint32(append(buf, 0xce), uint32(n))
		}
		return binary.BigEndian.AppendUint64(append(buf, 0xcf), uint64(n))
	}
	switch {
	case n >= -32:
		return append(buf, byte(int8(n)))
	case n >= -128:
		return append(buf, 0xd0, byte(int8(n)))
	case n >= -32768:
		return binary.BigEndian.AppendUint16(append(buf, 0xd1), uint16(int16(n)))
	case n >= -2147483648:
		return binary.BigEndian.AppendUint32(append(buf, 0xd2), uint32(int32(n)))
	}
	return binary.BigEndian.AppendUint64(append(buf, 0xd3), uint64(n))
}

// msgpackArrayLen is lua-cmsgpack's table_is_an_array: every key a
// positive integer and as many keys as the largest one.
func msgpackArrayLen(t *lua.LTable) (int, bool) {
	maxKey, count, ok := 0.0, 0, true
	t.ForEach(func(k, _ lua.LValue) {
		f, isNum := k.(lua.LNumber)
		if !ok || !isNum || f <= 0 || float64(f) != math.Floor(float64(f)) {
			ok = false
			return
		}
		maxKey = max(maxKey, float64(f))
		count++
	})
	return count, ok && maxKey == float64(count)
}

type msgpackDecoder struct {
	L   *lua.LState
	b   string
	pos int
	err string
}

const (
	msgpackEOF    = "Missing bytes in input."
	msgpackBadFmt = "Bad data format in input."
)

func (d *msgpackDecoder) need(n int) bool {
	if d.err == "" && d.pos+n > len(d.b) {
		d.err = msgpackEOF
	}
	return d.err == ""
}

func (d *msgpackDecoder) uint(n int) uint64 {
	if !d.need(n) {
		return 0
	}
	var v uint64
	for i := 0; i < n; i++ {
		v = v<<8 | uint64(d.b[d.pos+i])
	}
	d.pos += n
	return v
}

func (d *msgpackDecoder) bytes(n int) lua.LValue {
	if n < 0 || !d.need(n) {
		return lua.LNil
	}
	s := d.b[d.pos : d.pos+n]
	d.pos += n
	return lua.LString(s)
}

func (d *msgpackDecoder) array(n int, depth int) lua.LValue {
	t := d.L.CreateTable(min(n, 1024), 0)
	for i := 1; i <= n && d.err == ""; i++ {
		t.RawSetInt(i, d.value(depth+1))
	}
	return t
}

func (d *msgpackDecoder) hash(n int, depth int) lua.LValue {
	t := d.L.CreateTable(0, min(n, 1024))
	for i := 0; i < n && d.err == ""; i++ {
		k := d.value(depth + 1)
		v := d.value(depth + 1)
		if k != lua.LNil && d.err == "" {
			t.RawSet(k, v)
		}
	}
	return t
}

// maxUnpackResults bounds the values unpack returns (Lua 5.1's C stack
// limit is 8000).
const maxUnpackResults = 8000

// maxDecodeDepth bounds the nesting unpack follows in untrusted input.
const maxDecodeDepth = 1000

func (d *msgpackDecoder) value(depth int) lua.LValue {
	if depth > maxDecodeDepth {
		d.err = msgpackBadFmt
		return lua.LNil
	}
	if !d.need(1) {
		return lua.LNil
	}
	c := d.b[d.pos]
	d.pos++
	switch c {
	case 0xcc:
		return lua.LNumber(d.uint(1))
	case 0xcd:
		return lua.LNumber(d.uint(2))
	case 0xce:
		return lua.LNumber(d.uint(4))
	case 0xcf:
		return lua.LNumber(float64(d.uint(8)))
	case 0xd0:
		return lua.LNumber(int8(d.uint(1)))
	case 0xd1:
		return lua.LNumber(int16(d.uint(2)))
	case 0xd2:
		return lua.LNumber(int32(d.uint(4)))
	case 0xd3:
		return lua.LNumber(float64(int64(d.uint(8))))
	case 0xc0:
		return lua.LNil
	case 0xc3:
		return lua.LTrue
	case 0xc2:
		return lua.LFalse
	case 0xca:
		return lua.LNumber(math.Float32frombits(uint32(d.uint(4))))
	case 0xcb:
		return lua.LNumber(math.Float64frombits(d.uint(8)))
	case 0xd9, 0xc4:
		return d.bytes(int(d.uint(1)))
	case 0xda, 0xc5:
		return d.bytes(int(d.uint(2)))
	case 0xdb, 0xc6:
		return d.bytes(int(d.uint(4)))
	case 0xdc:
		return d.array(int(d.uint(2)), depth)
	case 0xdd:
		return d.array(int(d.uint(4)), depth)
	case 0xde:
		return d.hash(int(d.uint(2)), depth)
	case 0xdf:
		return d.hash(int(d.uint(4)), depth)
	}
	switch {
	case c&0x80 == 0:
		return lua.LNumber(c)
	case c&0xe0 == 0xe0:
		return lua.LNumber(int8(c))
	case c&0xe0 == 0xa0:
		return d.bytes(int(c & 0x1f))
	case c&0xf0 == 0x90:
		return d.array(int(c&0x0f), depth)
	case c&0xf0 == 0x80:
		return d.hash(int(c&0x0f), depth)
	}
	d.err = msgpackBadFmt
	return lua.LNil
}

// msgpackUnpack decodes up to limit objects (0: all) from offset; with
// withOffset, the offset after them (-1 at the end) comes first.
func msgpackUnpack(L *lua.LState, limit, offset int, withOffset bool) int {
	s := L.CheckString(1)
	if offset < 0 || offset > len(s) {
		L.ArgError(2, "Start offset greater than input length.")
	}
	d := msgpackDecoder{L: L, b: s, pos: offset}
	var vals []lua.LValue
	for d.pos < len(d.b) && (limit == 0 || len(vals) < limit) {
		v := d.value(0)
		if d.err != "" {
			L.RaiseError("%s", d.err)
		}
		vals = append(vals, v)
		if len(vals) > maxUnpackResults {
			L.RaiseError("too many results to unpack")
		}
	}
	n := 0
	if withOffset {
		next := d.pos
		if next >= len(d.b) {
			next = -1
		}
		L.Push(lua.LNumber(next))
		n++
	}
	for _, v := range vals {
		L.Push(v)
	}
	return n + len(vals)
}
