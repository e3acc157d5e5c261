package scriptcmd

import (
	"bytes"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// The struct library (Roberto Ierusalimschy's struct 0.2, as Redis bundles
// it): pack, unpack and size over C-like binary layouts. Options: > < = !n
// (endianness, alignment), x (a zero byte), b B h H l L T i[n] I[n]
// (integers of 1, 2, 8, 8 and n bytes, n at most 32), f d (floats), s (a
// zero-terminated string), c[n] (n bytes; c0 takes the length from the
// value before). Written for Anax: no maintained Go module offers it for
// gopher-lua.

const structMaxIntSize = 32

type structFormat struct {
	L      *lua.LState
	f      string
	i      int
	little bool
	align  int
}

func newStructFormat(L *lua.LState, f string) *structFormat {
	return &structFormat{L: L, f: f, little: true, align: 1}
}

// num reads an optional decimal size after an option.
func (s *structFormat) num(def int) int {
	if s.i >= len(s.f) || s.f[s.i] < '0' || s.f[s.i] > '9' {
		return def
	}
	n := 0
	for s.i < len(s.f) && s.f[s.i] >= '0' && s.f[s.i] <= '9' {
		if n > (math.MaxInt32-9)/10 {
			s.L.RaiseError("integral size overflow")
		}
		n = n*10 + int(s.f[s.i]-'0')
		s.i++
	}
	return n
}

// next returns the next option and its size; 0 at the end. Controls
// (endianness, alignment, spaces) are applied and skipped.
func (s *structFormat) next() (byte, int) {
	for s.i < len(s.f) {
		opt := s.f[s.i]
		s.i++
		switch opt {
		case ' ':
		case '>':
			s.little = false
		case '<', '=':
			s.little = true
		case '!':
			a := s.num(8)
			if a&(a-1) != 0 || a == 0 {
				s.L.RaiseError("alignment %d is not a power of 2", a)
			}
			s.align = a
		case 'x', 'b', 'B':
			return opt, 1
		case 'h', 'H':
			return opt, 2
		case 'l', 'L', 'T', 'd':
			return opt, 8
		case 'f':
			return opt, 4
		case 'i', 'I':
			n := s.num(4)
			if n > structMaxIntSize {
				s.L.RaiseError("integral size %d is larger than limit of %d", n, structMaxIntSize)
			}
			return opt, n
		case 'c':
			return opt, s.num(1)
		case 's':
			return opt, 0
		default:
			s.L.ArgError(1, "invalid format option '"+string(opt)+"'")
		}
	}
	return 0, 0
}

func (s *structFormat) toAlign(pos, size int, opt byte) int {
	if size == 0 || opt == 'c' {
		return 0
	}
	size = min(size, s.align)
	return (size - (pos & (size - 1))) & (size - 1)
}

func (s *structFormat) putInt(buf []byte, v uint64, size int) []byte {
	b := make([]byte, size)
	for i := 0; i < size && i < 8; i++ {
		b[i] = byte(v >> (8 * i))
	}
	if int64(v) < 0 {
		for i := 8; i < size; i++ {
			b[i] = 0xff
		}
	}
	if !s.little {
		for i, j := 0, size-1; i < j; i, j = i+1, j-1 {
			b[i], b[j] = b[j], b[i]
		}
	}
	return append(buf, b...)
}

func structPack(L *lua.LState) int {
	s := newStructFormat(L, L.CheckString(1))
	var buf []byte
	arg := 2
	for {
		opt, size := s.next()
		if opt == 0 {
			break
		}
		for pad := s.toAlign(len(buf), size, opt); pad > 0; pad-- {
			buf = append(buf, 0)
		}
		switch opt {
		case 'x':
			buf = append(buf, 0)
			continue
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			n := float64(L.CheckNumber(arg))
			var v uint64
			if n < 0 {
				v = uint64(int64(n))
			} else {
				v = uint64(n)
			}
			buf = s.putInt(buf, v, size)
		case 'f':
			buf = s.putInt(buf, uint64(math.Float32bits(float32(L.CheckNumber(arg)))), 4)
		case 'd':
			buf = s.putInt(buf, math.Float64bits(float64(L.CheckNumber(arg))), 8)
		case 'c', 's':
			str := L.CheckString(arg)
			l := len(str)
			if size == 0 {
				size = l
			}
			if l < size {
				L.ArgError(arg, "string too short")
			}
			buf = append(buf, str[:size]...)
			if opt == 's' {
				buf = append(buf, 0)
			}
		}
		arg++
	}
	L.Push(lua.LString(buf))
	return 1
}

func structUnpack(L *lua.LState) int {
	s := newStructFormat(L, L.CheckString(1))
	data := L.CheckString(2)
	pos := L.OptInt(3, 1) - 1
	if pos < 0 || pos > len(data) {
		L.ArgError(3, "offset must be 1 or greater")
	}
	n := 0
	var last lua.LValue = lua.LNil
	for {
		opt, size := s.next()
		if opt == 0 {
			break
		}
		pos += s.toAlign(pos, size, opt)
		if pos+size > len(data) || pos+size < pos {
			L.ArgError(2, "data string too short")
		}
		switch opt {
		case 'x':
			pos += size
			continue
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			b := []byte(data[pos : pos+size])
			if !s.little {
				for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
					b[i], b[j] = b[j], b[i]
				}
			}
			var v uint64
			for i := min(size, 8) - 1; i >= 0; i-- {
				v = v<<8 | uint64(b[i])
			}
			signed := opt == 'b' || opt == 'h' || opt == 'l' || opt == 'i'
			if signed && size < 8 && size > 0 {
				shift := uint(64 - 8*size)
				last = lua.LNumber(float64(int64(v<<shift) >> shift))
			} else if signed {
				last = lua.LNumber(float64(int64(v)))
			} else {
				last = lua.LNumber(float64(v))
			}
		case 'f':
			b := []byte(data[pos : pos+4])
			last = lua.LNumber(math.Float32frombits(uint32(orderedUint(b, s.little))))
		case 'd':
			b := []byte(data[pos : pos+8])
			last = lua.LNumber(math.Float64frombits(orderedUint(b, s.little)))
		case 'c':
			if size == 0 {
				num, ok := last.(lua.LNumber)
				if n == 0 || !ok {
					L.RaiseError("format 'c0' needs a previous size")
				}
				L.Pop(1)
				n--
				size = int(num)
				if size < 0 || pos+size > len(data) {
					L.ArgError(2, "data string too short")
				}
			}
			last = lua.LString(data[pos : pos+size])
		case 's':
			e := bytes.IndexByte([]byte(data[pos:]), 0)
			if e < 0 {
				L.RaiseError("unfinished string in data")
			}
			last = lua.LString(data[pos : pos+e])
			size = e + 1
		}
		L.Push(last)
		n++
		pos += size
	}
	L.Push(lua.LNumber(pos + 1))
	return n + 1
}

func orderedUint(b []byte, little bool) uint64 {
	var v uint64
	if little {
		for i := len(b) - 1; i >= 0; i-- {
			v = v<<8 | uint64(b[i])
		}
		return v
	}
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

func structSize(L *lua.LState) int {
	s := newStructFormat(L, L.CheckString(1))
	pos := 0
	for {
		opt, size := s.next()
		if opt == 0 {
			break
		}
		if opt == 's' {
			L.ArgError(1, "option 's' has no fixed size")
		}
		if opt == 'c' && size == 0 {
			L.ArgError(1, "option 'c0' has no fixed size")
		}
		pos += s.toAlign(pos, size, opt) + size
	}
	L.Push(lua.LNumber(pos))
	return 1
}

func openStruct(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(structPack))
	t.RawSetString("unpack", L.NewFunction(structUnpack))
	t.RawSetString("size", L.NewFunction(structSize))
	return t
}
