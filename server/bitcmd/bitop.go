package bitcmd

import (
	"bytes"
	"sync"

	"github.com/anaxdb/anax/container/bitops"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// BITOP op dest src...: run whole when its keys share a shard, else as a
// Cross whose reads copy each source string out of its shard and whose
// write stores the result on the destination's.

// parseBitOp parses the operation and checks NOT's single source,
// answering the error.
func parseBitOp(x *command.Exec) (int, bool) {
	a := x.Args[1]
	var op int
	switch {
	case command.EqFold(a, "and"):
		op = bitops.AND
	case command.EqFold(a, "or"):
		op = bitops.OR
	case command.EqFold(a, "xor"):
		op = bitops.XOR
	case command.EqFold(a, "not"):
		op = bitops.NOT
	default:
		x.Fail(command.ErrSyntax)
		return 0, false
	}
	if op == bitops.NOT && len(x.Args) != 4 {
		x.Err("ERR BITOP NOT must be called with a single source key.")
		return 0, false
	}
	return op, true
}

// srcPool holds the slices of sources of one BITOP.
var srcPool = sync.Pool{New: func() any { s := make([][]byte, 0, 8); return &s }}

// bufPool holds result buffers up to maxPooled bytes.
var bufPool sync.Pool

const maxPooled = 4 << 20

func getBuf(n int) *[]byte {
	if p, _ := bufPool.Get().(*[]byte); p != nil {
		if cap(*p) >= n {
			*p = (*p)[:n]
			return p
		}
		bufPool.Put(p)
	}
	b := make([]byte, n, max(n, 64))
	return &b
}

func putBuf(p *[]byte) {
	if cap(*p) <= maxPooled {
		bufPool.Put(p)
	}
}

func cmdBitOp(x *command.Exec) {
	op, ok := parseBitOp(x)
	if !ok {
		return
	}
	sp := srcPool.Get().(*[][]byte)
	srcs := (*sp)[:0]
	defer func() {
		clear(srcs)
		*sp = srcs[:0]
		srcPool.Put(sp)
	}()
	for _, key := range x.Args[3:] {
		v, _, ok := readString(x, key)
		if !ok {
			return
		}
		srcs = append(srcs, v)
	}
	bitopStore(x, op, srcs, x.Args[2])
}

// bitopStore computes op over srcs, stores it in dest (or deletes dest when
// the result is empty) and answers its length.
func bitopStore(x *command.Exec, op int, srcs [][]byte, dest []byte) {
	n := 0
	for _, s := range srcs {
		n = max(n, len(s))
	}
	if n == 0 {
		if x.DB(dest).Delete(dest) {
			x.Notify(command.NotifyGeneric, "del", dest)
		}
		x.Int(0)
		return
	}
	if v := overwritable(x, dest, n); v != nil {
		bitops.Op(op, v, srcs)
	} else {
		p := getBuf(n)
		bitops.Op(op, *p, srcs)
		x.DB(dest).SetString(dest, *p, 0, false, shard.EncRaw, x.Now)
		putBuf(p)
	}
	x.Notify(command.NotifyString, "set", dest)
	x.Int(int64(n))
}

// overwritable returns dest's value bytes, resized to n, for the result to
// be computed straight into them (shard.DB.OverwriteString), or nil when
// the result must be built aside: dest is absent or too small, or it is
// also a source (the operation reads every source while it writes).
func overwritable(x *command.Exec, dest []byte, n int) []byte {
	for _, key := range x.Args[3:] {
		if bytes.Equal(key, dest) {
			return nil
		}
	}
	return x.DB(dest).OverwriteString(dest, n, shard.EncRaw, x.Now)
}

// bitopRead is one shard's read: the copied sources it holds, by position
// among the sources, and whether one holds another type.
type bitopRead struct {
	vals  map[int][]byte
	wrong bool
}

var bitopCross = &command.Cross{
	Read: func(x *command.Exec) {
		r := &bitopRead{vals: map[int][]byte{}}
		x.Result.Value = r
		for i, key := range x.Args[3:] {
			if !x.OwnsKey(key) {
				continue
			}
			db := x.DB(key)
			h, found := db.Lookup(key, x.Now, x.LookupFlags())
			if !found {
				continue
			}
			if db.Type(h) != shard.TypeString {
				r.wrong = true
				return
			}
			r.vals[i] = append([]byte(nil), db.Value(h)...)
		}
	},
	Apply: func(x *command.Exec, reads []*command.Exec) []command.Write {
		op, ok := parseBitOp(x)
		if !ok {
			return nil
		}
		srcs := make([][]byte, len(x.Args)-3)
		for _, rd := range reads {
			if rd == nil {
				continue
			}
			r := rd.Result.Value.(*bitopRead)
			if r.wrong {
				x.Fail(command.ErrWrongType)
				return nil
			}
			for i, v := range r.vals {
				srcs[i] = v
			}
		}
		n := 0
		for _, s := range srcs {
			n = max(n, len(s))
		}
		dest := x.Args[2]
		x.Int(int64(n))
		var res []byte
		if n > 0 {
			res = make([]byte, n)
			bitops.Op(op, res, srcs)
		}
		return []command.Write{{Shard: x.Env.Route(dest), Do: func(w *command.Exec) {
			if n == 0 {
				if w.DB(dest).Delete(dest) {
					w.Notify(command.NotifyGeneric, "del", dest)
				}
				return
			}
			w.DB(dest).SetString(dest, res, 0, false, shard.EncRaw, w.Now)
			w.Notify(command.NotifyString, "set", dest)
		}}}
	},
}
