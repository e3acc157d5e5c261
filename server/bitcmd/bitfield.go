package bitcmd

import (
	"github.com/anaxdb/anax/container/bitops"
	"github.com/anaxdb/anax/server/command"
)

// BITFIELD and BITFIELD_RO, as Redis's bitfieldGeneric: every operation is
// parsed first (the first error answers), then the string is looked up
// (made long enough for the farthest write), then the operations run in
// order.

const (
	bfGet = iota
	bfSet
	bfIncr
)

type bfOp struct {
	off    uint64
	arg    int64
	op     int
	ow     int
	width  int
	signed bool
}

const errBitfieldType = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."

// bitfieldType parses i1..i64 or u1..u63.
func bitfieldType(x *command.Exec, arg []byte) (signed bool, width int, ok bool) {
	if len(arg) == 0 || (arg[0] != 'i' && arg[0] != 'u') {
		x.Err(errBitfieldType)
		return false, 0, false
	}
	signed = arg[0] == 'i'
	n, ok := command.ParseInt(arg[1:])
	if !ok || n < 1 || (signed && n > 64) || (!signed && n > 63) {
		x.Err(errBitfieldType)
		return false, 0, false
	}
	return signed, int(n), true
}

func cmdBitField(x *command.Exec)   { bitfield(x, false) }
func cmdBitFieldRO(x *command.Exec) { bitfield(x, true) }

func bitfield(x *command.Exec, ro bool) {
	var opsBuf [8]bfOp
	ops := opsBuf[:0]
	ow := bitops.Wrap
	readonly := true
	var highest uint64
	args := x.Args
	for j := 2; j < len(args); j++ {
		rem := len(args) - j - 1
		sub := args[j]
		var op int
		switch {
		case command.EqFold(sub, "get") && rem >= 2:
			op = bfGet
		case command.EqFold(sub, "set") && rem >= 3:
			op = bfSet
		case command.EqFold(sub, "incrby") && rem >= 3:
			op = bfIncr
		case command.EqFold(sub, "overflow") && rem >= 1:
			j++
			switch t := args[j]; {
			case command.EqFold(t, "wrap"):
				ow = bitops.Wrap
			case command.EqFold(t, "sat"):
				ow = bitops.Sat
			case command.EqFold(t, "fail"):
				ow = bitops.Fail
			default:
				x.Err("ERR Invalid OVERFLOW type specified")
				return
			}
			continue
		default:
			x.Fail(command.ErrSyntax)
			return
		}
		signed, width, ok := bitfieldType(x, args[j+1])
		if !ok {
			return
		}
		off, ok := bitOffset(x, args[j+2], true, width)
		if !ok {
			return
		}
		var arg int64
		if op != bfGet {
			readonly = false
			if last := off + uint64(width) - 1; highest < last {
				highest = last
			}
			if arg, ok = command.ParseInt(args[j+3]); !ok {
				x.Fail(command.ErrNotInt)
				return
			}
		}
		ops = append(ops, bfOp{off: off, arg: arg, op: op, ow: ow, width: width, signed: signed})
		if op == bfGet {
			j += 2
		} else {
			j += 3
		}
	}
	key := x.Args[1]
	var v []byte
	var str bitString
	dirty := false
	if readonly {
		var ok bool
		if v, _, ok = readString(x, key); !ok {
			return
		}
	} else {
		if ro {
			x.Err("ERR BITFIELD_RO only supports the GET subcommand")
			return
		}
		var ok bool
		if str, dirty, ok = stringForWrite(x, key, highest>>3+1); !ok {
			return
		}
		v = str.v
	}
	x.Array(len(ops))
	changes := 0
	for _, o := range ops {
		if o.op == bfGet {
			if o.signed {
				x.Int(bitops.GetSigned(v, o.off, o.width))
			} else {
				x.Int(int64(bitops.GetUnsigned(v, o.off, o.width)))
			}
			continue
		}
		if o.signed {
			old := bitops.GetSigned(v, o.off, o.width)
			var nv, ret int64
			var over int
			if o.op == bfIncr {
				over, nv = bitops.SignedOverflow(old, o.arg, o.width, o.ow)
				ret = nv
			} else {
				var w int64
				if over, w = bitops.SignedOverflow(o.arg, 0, o.width, o.ow); over != 0 {
					nv = w
				} else {
					nv = o.arg
				}
				ret = old
			}
			if over != 0 && o.ow == bitops.Fail {
				x.Null()
				continue
			}
			x.Int(ret)
			if dirty || old != nv {
				v = str.bytes()
				bitops.SetUnsigned(v, o.off, o.width, uint64(nv))
				changes++
			}
		} else {
			old := bitops.GetUnsigned(v, o.off, o.width)
			var nv, ret uint64
			var over int
			if o.op == bfIncr {
				over, nv = bitops.UnsignedOverflow(old, o.arg, o.width, o.ow)
				ret = nv
			} else {
				var w uint64
				if over, w = bitops.UnsignedOverflow(uint64(o.arg), 0, o.width, o.ow); over != 0 {
					nv = w
				} else {
					nv = uint64(o.arg)
				}
				ret = old
			}
			if over != 0 && o.ow == bitops.Fail {
				x.Null()
				continue
			}
			x.Int(int64(ret))
			if dirty || old != nv {
				v = str.bytes()
				bitops.SetUnsigned(v, o.off, o.width, nv)
				changes++
			}
		}
	}
	if changes > 0 {
		x.Notify(command.NotifyString, "setbit", key)
	}
}
