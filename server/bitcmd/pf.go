package bitcmd

import (
	"math"
	"sync"

	"github.com/anaxdb/anax/container/hll"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// PFADD, PFCOUNT, PFMERGE, PFDEBUG and PFSELFTEST over Redis's HLL bytes
// (container/hll). A dense HLL is edited in place in its entry; a sparse
// one, at most hll-sparse-max-bytes, is edited in a buffer and written
// back. PFCOUNT and PFMERGE over keys on several shards run as a Cross:
// each shard merges its keys' registers into one array, and the
// coordinator combines the arrays (PFCOUNT) or has the destination's shard
// store them (PFMERGE).

const (
	errNotHLL  = "WRONGTYPE Key is not a valid HyperLogLog string value."
	errCorrupt = "INVALIDOBJ Corrupted HLL object detected"
)

func sparseMax(x *command.Exec) int {
	n := x.Env.Limits().HLLSparseMaxBytes
	if n > math.MaxInt32 {
		n = math.MaxInt32
	}
	return int(n)
}

// hllEntry checks that the found entry h is a valid HLL, answering the
// error when it is not.
func hllEntry(x *command.Exec, db *shard.DB, h shard.Handle) ([]byte, bool) {
	if db.Type(h) != shard.TypeString {
		x.Fail(command.ErrWrongType)
		return nil, false
	}
	v := db.Value(h)
	if !hll.Valid(v) {
		x.Err(errNotHLL)
		return nil, false
	}
	return v, true
}

// sparsePool holds buffers for editing sparse HLLs.
var sparsePool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// regsPool holds register arrays for merges.
var regsPool = sync.Pool{New: func() any { return new([hll.Registers]uint8) }}

// store writes b as key's value: a new key when h is not valid (found
// false), else over h's bytes.
func store(x *command.Exec, db *shard.DB, key []byte, h shard.Handle, found bool, b []byte) {
	if !found {
		db.SetString(key, b, 0, false, shard.EncRaw, x.Now)
		return
	}
	h, v := db.GrowString(key, h, len(b))
	copy(v, b)
	db.SetEncoding(h, shard.EncRaw)
}

func cmdPFAdd(x *command.Exec) {
	key := x.Args[1]
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, shard.NoStats|shard.NoTouch)
	updated := 0
	var v []byte
	if found {
		var ok bool
		if v, ok = hllEntry(x, db, h); !ok {
			return
		}
		db.SetEncoding(h, shard.EncRaw)
	} else {
		updated++
	}
	elems := x.Args[2:]
	if found && hll.Encoding(v) == hll.Dense {
		// In place: the entry is writable once a register must change.
		writable := false
		for _, e := range elems {
			i, c := hll.PatLen(e)
			if !writable {
				if !hll.DenseWouldSet(v, i, c) {
					continue
				}
				_, v = db.GrowString(key, h, len(v))
				writable = true
			}
			if hll.DenseSet(v, i, c) {
				updated++
			}
		}
		if updated > 0 {
			hll.Invalidate(v)
			x.Notify(command.NotifyString, "pfadd", key)
		}
		x.Int(min(int64(updated), 1))
		return
	}
	bp := sparsePool.Get().(*[]byte)
	defer sparsePool.Put(bp)
	var b []byte
	if found {
		b = append((*bp)[:0], v...)
	} else {
		b = append((*bp)[:0], hll.New()...)
	}
	sm := sparseMax(x)
	corrupt := false
	for _, e := range elems {
		var r int
		b, r = hll.Add(b, e, sm)
		if r < 0 {
			corrupt = true
			break
		}
		updated += r
	}
	if cap(b) <= 1<<16 {
		*bp = b[:0]
	}
	if corrupt {
		if updated > 0 {
			store(x, db, key, h, found, b) // the adds before the corrupt one stay, as in Redis
		}
		x.Err(errCorrupt)
		return
	}
	if updated > 0 {
		hll.Invalidate(b)
		store(x, db, key, h, found, b)
		x.Notify(command.NotifyString, "pfadd", key)
	}
	x.Int(min(int64(updated), 1))
}

func cmdPFCount(x *command.Exec) {
	if len(x.Args) > 2 {
		regs := regsPool.Get().(*[hll.Registers]uint8)
		defer regsPool.Put(regs)
		clear(regs[:])
		if _, msg, _ := mergeKeys(x, regs, x.Args[1:], 0); msg != "" {
			x.Err(msg)
			return
		}
		x.Int(int64(hll.CountRegisters(regs)))
		return
	}
	key := x.Args[1]
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, x.LookupFlags())
	if !found {
		x.Int(0)
		return
	}
	v, ok := hllEntry(x, db, h)
	if !ok {
		return
	}
	db.SetEncoding(h, shard.EncRaw)
	card, valid := hll.CacheValid(v)
	if !valid {
		if card, ok = hll.Count(v); !ok {
			x.Err(errCorrupt)
			return
		}
		_, v = db.GrowString(key, h, len(v)) // a write, for WATCH
		hll.SetCache(v, card)
	}
	x.Int(int64(card))
}

// mergeKeys raises regs to the registers of each of keys that this piece
// owns, in order, as Redis's PFCOUNT and PFMERGE do; a missing key counts
// as empty. It stops at the first key that is not a valid HLL and returns
// its position (base + index) and the error; dense reports whether one of
// the HLLs is dense.
func mergeKeys(x *command.Exec, regs *[hll.Registers]uint8, keys [][]byte, base int) (pos int, msg string, dense bool) {
	for i, key := range keys {
		if !x.OwnsKey(key) {
			continue
		}
		db := x.DB(key)
		h, found := db.Lookup(key, x.Now, x.LookupFlags())
		if !found {
			continue
		}
		if db.Type(h) != shard.TypeString {
			return base + i, command.ErrWrongType.Error(), dense
		}
		v := db.Value(h)
		if !hll.Valid(v) {
			return base + i, errNotHLL, dense
		}
		if hll.Encoding(v) == hll.Dense {
			dense = true
		}
		if !hll.Merge(regs, v) {
			return base + i, errCorrupt, dense
		}
	}
	return -1, "", dense
}

func cmdPFMerge(x *command.Exec) {
	regs := regsPool.Get().(*[hll.Registers]uint8)
	defer regsPool.Put(regs)
	clear(regs[:])
	_, msg, dense := mergeKeys(x, regs, x.Args[1:], 0)
	if msg != "" {
		x.Err(msg)
		return
	}
	if msg := pfmergeStore(x, x.Args[1], regs, dense); msg != "" {
		x.Err(msg)
		return
	}
	x.OK()
}

// pfmergeStore writes the merged registers regs into dest, as Redis's
// PFMERGE does after its merge: dest is made (sparse) when missing, turned
// dense when one of the inputs was, and each non-zero register is set in
// order. It returns an error text, or "".
func pfmergeStore(x *command.Exec, dest []byte, regs *[hll.Registers]uint8, dense bool) string {
	db := x.DB(dest)
	h, found := db.Lookup(dest, x.Now, shard.NoStats|shard.NoTouch)
	bp := sparsePool.Get().(*[]byte)
	defer sparsePool.Put(bp)
	var b []byte
	if found {
		b = append((*bp)[:0], db.Value(h)...)
	} else {
		b = append((*bp)[:0], hll.New()...)
	}
	if dense {
		d, ok := hll.ToDense(b)
		if !ok {
			return errCorrupt
		}
		b = d
	}
	sm := sparseMax(x)
	for j, c := range regs {
		if c != 0 {
			b, _ = hll.Set(b, j, c, sm)
		}
	}
	hll.Invalidate(b)
	store(x, db, dest, h, found, b)
	if cap(b) <= 1<<16 {
		*bp = b[:0]
	}
	x.Notify(command.NotifyString, "pfadd", dest)
	return ""
}

// pfRead is one shard's part of a PFCOUNT or PFMERGE across shards.
type pfRead struct {
	regs  *[hll.Registers]uint8
	pos   int // the position of the first bad key, -1 when none
	msg   string
	dense bool
}

func pfReadShard(x *command.Exec) {
	r := &pfRead{regs: new([hll.Registers]uint8)}
	r.pos, r.msg, r.dense = mergeKeys(x, r.regs, x.Args[1:], 0)
	x.Result.Value = r
}

// pfCombine merges the shards' reads: the registers, or the error of the
// first bad key in argument order.
func pfCombine(reads []*command.Exec) (regs *[hll.Registers]uint8, msg string, dense bool) {
	regs = new([hll.Registers]uint8)
	first := -1
	for _, rd := range reads {
		if rd == nil {
			continue
		}
		r := rd.Result.Value.(*pfRead)
		if r.msg != "" {
			if first < 0 || r.pos < first {
				first, msg = r.pos, r.msg
			}
			continue
		}
		dense = dense || r.dense
		for i, v := range r.regs {
			if v > regs[i] {
				regs[i] = v
			}
		}
	}
	return regs, msg, dense
}

var pfcountCross = &command.Cross{
	Read: pfReadShard,
	Apply: func(x *command.Exec, reads []*command.Exec) []command.Write {
		regs, msg, _ := pfCombine(reads)
		if msg != "" {
			x.Err(msg)
			return nil
		}
		x.Int(int64(hll.CountRegisters(regs)))
		return nil
	},
}

var pfmergeCross = &command.Cross{
	Read: pfReadShard,
	Apply: func(x *command.Exec, reads []*command.Exec) []command.Write {
		regs, msg, dense := pfCombine(reads)
		if msg != "" {
			x.Err(msg)
			return nil
		}
		x.OK()
		dest := x.Args[1]
		return []command.Write{{Shard: x.Env.Route(dest), Do: func(w *command.Exec) {
			pfmergeStore(w, dest, regs, dense)
		}}}
	},
}

func cmdPFDebug(x *command.Exec) {
	sub, key := x.Args[1], x.Args[2]
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, shard.NoStats|shard.NoTouch)
	if !found {
		x.Err("ERR The specified key does not exist")
		return
	}
	v, ok := hllEntry(x, db, h)
	if !ok {
		return
	}
	db.SetEncoding(h, shard.EncRaw)
	switch {
	case command.EqFold(sub, "getreg"):
		if hll.Encoding(v) == hll.Sparse {
			d, ok := hll.ToDense(v)
			if !ok {
				x.Err(errCorrupt)
				return
			}
			store(x, db, key, h, true, d)
			v = d
		}
		x.Array(hll.Registers)
		for i := 0; i < hll.Registers; i++ {
			x.Int(int64(hll.Register(v, i)))
		}
	case command.EqFold(sub, "decode"):
		if hll.Encoding(v) != hll.Sparse {
			x.Err("ERR HLL encoding is not sparse")
			return
		}
		x.Bulk(hll.Decode(nil, v))
	case command.EqFold(sub, "encoding"):
		if hll.Encoding(v) == hll.Dense {
			x.Simple("dense")
		} else {
			x.Simple("sparse")
		}
	case command.EqFold(sub, "todense"):
		if hll.Encoding(v) == hll.Dense {
			x.Int(0)
			return
		}
		d, ok := hll.ToDense(v)
		if !ok {
			x.Err(errCorrupt)
			return
		}
		store(x, db, key, h, true, d)
		x.Int(1)
	default:
		x.Err("ERR Unknown PFDEBUG subcommand '" + command.SanitizeError(string(sub)) + "'")
	}
}

func cmdPFSelfTest(x *command.Exec) {
	if msg := hll.SelfTest(x.Env.Rand, sparseMax(x)); msg != "" {
		x.Err("ERR " + msg)
		return
	}
	x.OK()
}
