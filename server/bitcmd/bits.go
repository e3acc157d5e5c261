// Package bitcmd is the bitmap and HyperLogLog family: SETBIT, GETBIT,
// BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO, and PFADD, PFCOUNT,
// PFMERGE, PFDEBUG, PFSELFTEST. Their values are strings, edited in place
// through the shard's string entries; the arithmetic is in
// container/bitops and the HyperLogLog bytes in container/hll.
package bitcmd

import (
	"math/bits"

	"github.com/anaxdb/anax/container/bitops"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// Commands returns the family's command specs.
func Commands() []*command.Spec {
	w := command.FlagWrite | command.FlagDenyOOM
	r := command.FlagReadOnly
	k1 := func(c *command.Spec) *command.Spec {
		c.FirstKey, c.LastKey, c.Step = 1, 1, 1
		return c
	}
	return []*command.Spec{
		k1(&command.Spec{Name: "setbit", Arity: 4, Flags: w, Run: cmdSetBit, Group: "bitmap", Summary: "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.", Since: "2.2.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "getbit", Arity: 3, Flags: r | command.FlagFast, Run: cmdGetBit, Group: "bitmap", Summary: "Returns a bit value by offset.", Since: "2.2.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "bitcount", Arity: -2, Flags: r, Run: cmdBitCount, Group: "bitmap", Summary: "Counts the number of set bits (population counting) in a string.", Since: "2.6.0", Complexity: "O(N)"}),
		k1(&command.Spec{Name: "bitpos", Arity: -3, Flags: r, Run: cmdBitPos, Group: "bitmap", Summary: "Finds the first set (1) or clear (0) bit in a string.", Since: "2.8.7", Complexity: "O(N)"}),
		{Name: "bitop", Arity: -4, Flags: w, FirstKey: 2, LastKey: -1, Step: 1, Run: cmdBitOp, Cross: bitopCross, Group: "bitmap", Summary: "Performs bitwise operations on multiple strings, and stores the result.", Since: "2.6.0", Complexity: "O(N)"},
		k1(&command.Spec{Name: "bitfield", Arity: -2, Flags: w, Run: cmdBitField, Group: "bitmap", Summary: "Performs arbitrary bitfield integer operations on strings.", Since: "3.2.0", Complexity: "O(1) for each subcommand specified"}),
		k1(&command.Spec{Name: "bitfield_ro", Arity: -2, Flags: r | command.FlagFast, Run: cmdBitFieldRO, Group: "bitmap", Summary: "Performs arbitrary read-only bitfield integer operations on strings.", Since: "6.0.0", Complexity: "O(1) for each subcommand specified"}),
		{Name: "pfadd", Arity: -2, Flags: w | command.FlagFast, FirstKey: 1, LastKey: 1, Step: 1, Run: cmdPFAdd, Group: "hyperloglog", Summary: "Adds elements to a HyperLogLog key. Creates the key if it doesn't exist.", Since: "2.8.9", Complexity: "O(1) to add every element."},
		{Name: "pfcount", Arity: -2, Flags: r | command.FlagMayReplicate, FirstKey: 1, LastKey: -1, Step: 1, Run: cmdPFCount, Cross: pfcountCross, Group: "hyperloglog", Summary: "Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).", Since: "2.8.9", Complexity: "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys."},
		{Name: "pfmerge", Arity: -2, Flags: w, FirstKey: 1, LastKey: -1, Step: 1, Run: cmdPFMerge, Cross: pfmergeCross, Group: "hyperloglog", Summary: "Merges one or more HyperLogLog values into a single key.", Since: "2.8.9", Complexity: "O(N) to merge N HyperLogLogs, but with high constant times."},
		{Name: "pfdebug", Arity: 3, Flags: command.FlagWrite | command.FlagDenyOOM | command.FlagAdmin, FirstKey: 2, LastKey: 2, Step: 1, Run: cmdPFDebug, Group: "hyperloglog", Summary: "Internal commands for debugging HyperLogLog values.", Since: "2.8.9", Complexity: "N/A"},
		{Name: "pfselftest", Arity: 1, Flags: command.FlagAdmin, Run: cmdPFSelfTest, Group: "hyperloglog", Summary: "An internal command for testing HyperLogLog values.", Since: "2.8.9", Complexity: "N/A"},
	}
}

const (
	errBitOffset = "ERR bit offset is not an integer or out of range"
	errBitValue  = "ERR bit is not an integer or out of range"
)

// maxStringSize is proto-max-bulk-len, the largest string a write may make.
func maxStringSize(x *command.Exec) int64 { return x.Env.Limits().ProtoMaxBulkLen }

// bitOffset parses a bit offset as Redis's getBitOffsetFromArgument does:
// with hash, "#N" means N*width. It answers the error itself.
func bitOffset(x *command.Exec, arg []byte, hash bool, width int) (uint64, bool) {
	use := hash && width > 0 && len(arg) > 0 && arg[0] == '#'
	if use {
		arg = arg[1:]
	}
	off, ok := command.ParseInt(arg)
	if !ok {
		x.Err(errBitOffset)
		return 0, false
	}
	if use {
		off *= int64(width) // wraps as Redis's does
	}
	if off < 0 || off>>3 >= maxStringSize(x) {
		x.Err(errBitOffset)
		return 0, false
	}
	return uint64(off), true
}

// readString looks key up for reading: its bytes (nil when missing), or
// false after answering WRONGTYPE.
func readString(x *command.Exec, key []byte) (v []byte, found, ok bool) {
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, x.LookupFlags())
	if !found {
		return nil, false, true
	}
	if db.Type(h) != shard.TypeString {
		x.Fail(command.ErrWrongType)
		return nil, true, false
	}
	return db.Value(h), true, true
}

// bitString is a string a bit command writes: its bytes, read-only until
// bytes makes them writable. That reports the write first, so that WATCH,
// blocked clients and a snapshot in progress see it; a command that
// changes nothing never calls it, and touches no watcher, as in Redis.
type bitString struct {
	db       *shard.DB
	h        shard.Handle
	key      []byte
	v        []byte
	writable bool
}

func (s *bitString) bytes() []byte {
	if !s.writable {
		s.h, s.v = s.db.GrowString(s.key, s.h, len(s.v))
		s.writable = true
	}
	return s.v
}

// stringForWrite is Redis's lookupStringForBitCommand: key's string made at
// least size bytes long (created when missing, zero-padded when short), as
// a raw string. dirty reports that the key was made or grew (its bytes are
// then writable), ok false that it answered WRONGTYPE.
func stringForWrite(x *command.Exec, key []byte, size uint64) (s bitString, dirty, ok bool) {
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, shard.NoStats|shard.NoTouch)
	if found && db.Type(h) != shard.TypeString {
		x.Fail(command.ErrWrongType)
		return s, false, false
	}
	if !found {
		db.SetString(key, nil, 0, false, shard.EncRaw, x.Now)
		h, _ = db.Peek(key)
		dirty = true
	}
	db.SetEncoding(h, shard.EncRaw)
	s = bitString{db: db, h: h, key: key, v: db.Value(h)}
	if n := uint64(len(s.v)); n < size || dirty {
		// A new string is made to size, a longer one with room to spare,
		// as Redis allocates them.
		grow := db.GrowStringGreedy
		if !found {
			grow = db.GrowString
		}
		s.h, s.v = grow(key, h, int(max(n, size)))
		s.writable, dirty = true, true
	}
	return s, dirty, true
}

func cmdSetBit(x *command.Exec) {
	key := x.Args[1]
	off, ok := bitOffset(x, x.Args[2], false, 0)
	if !ok {
		return
	}
	on, ok := command.ParseInt(x.Args[3])
	if !ok || on&^1 != 0 {
		x.Err(errBitValue)
		return
	}
	s, dirty, ok := stringForWrite(x, key, off>>3+1)
	if !ok {
		return
	}
	sh := 7 - off&7
	old := int64(s.v[off>>3]>>sh) & 1
	if dirty || old != on {
		p := &s.bytes()[off>>3]
		*p = *p&^(1<<sh) | byte(on)<<sh
		x.Notify(command.NotifyString, "setbit", key)
	}
	x.Int(old)
}

func cmdGetBit(x *command.Exec) {
	off, ok := bitOffset(x, x.Args[2], false, 0)
	if !ok {
		return
	}
	v, _, ok := readString(x, x.Args[1])
	if !ok {
		return
	}
	var bit int64
	if i := off >> 3; i < uint64(len(v)) {
		bit = int64(v[i]>>(7-off&7)) & 1
	}
	x.Int(bit)
}

// bitRange resolves BITCOUNT's and BITPOS's start and end (already
// parsed) over a string of n bytes as Redis does: negative indexes count
// from the end, BIT ranges get masks for their edge bytes. empty is set
// when the range holds nothing.
type bitRange struct {
	start, end int64 // byte indexes
	firstMask  byte  // bits of the first byte outside the range
	lastMask   byte  // bits of the last byte outside the range
	empty      bool
}

func resolveRange(start, end int64, n int64, isBit bool) bitRange {
	tot := n
	if isBit {
		tot <<= 3
	}
	if start < 0 {
		start += tot
	}
	if end < 0 {
		end += tot
	}
	if start < 0 {
		start = 0
	}
	if end < 0 {
		end = 0
	}
	if end >= tot {
		end = tot - 1
	}
	r := bitRange{}
	if isBit && start <= end {
		r.firstMask = ^byte((1 << (8 - start&7)) - 1)
		r.lastMask = byte((1 << (7 - end&7)) - 1)
		start >>= 3
		end >>= 3
	}
	r.start, r.end = start, end
	r.empty = start > end
	return r
}

// unit parses BIT or BYTE.
func unit(arg []byte) (isBit, ok bool) {
	switch {
	case command.EqFold(arg, "bit"):
		return true, true
	case command.EqFold(arg, "byte"):
		return false, true
	}
	return false, false
}

func cmdBitCount(x *command.Exec) {
	// The arguments are checked before the key, as Redis 7.4 does (7.0
	// answered 0 for a missing key whatever followed it).
	var start, end int64
	isBit := false
	switch len(x.Args) {
	case 4, 5:
		var ok1, ok2 bool
		if start, ok1 = command.ParseInt(x.Args[2]); !ok1 {
			x.Fail(command.ErrNotInt)
			return
		}
		if end, ok2 = command.ParseInt(x.Args[3]); !ok2 {
			x.Fail(command.ErrNotInt)
			return
		}
		if len(x.Args) == 5 {
			var ok bool
			if isBit, ok = unit(x.Args[4]); !ok {
				x.Fail(command.ErrSyntax)
				return
			}
		}
	case 2:
	default:
		x.Fail(command.ErrSyntax)
		return
	}
	v, found, ok := readString(x, x.Args[1])
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	n := int64(len(v))
	var r bitRange
	if len(x.Args) == 2 {
		r = bitRange{start: 0, end: n - 1, empty: n == 0}
	} else {
		if start < 0 && end < 0 && start > end {
			x.Int(0)
			return
		}
		r = resolveRange(start, end, n, isBit)
	}
	if r.empty {
		x.Int(0)
		return
	}
	count := bitops.Count(v[r.start : r.end+1])
	if r.firstMask != 0 {
		count -= int64(bitsIn(v[r.start] & r.firstMask))
	}
	if r.lastMask != 0 {
		count -= int64(bitsIn(v[r.end] & r.lastMask))
	}
	x.Int(count)
}

func bitsIn(b byte) int { return bits.OnesCount8(b) }

func cmdBitPos(x *command.Exec) {
	bit, ok := command.ParseInt(x.Args[2])
	if !ok {
		x.Fail(command.ErrNotInt)
		return
	}
	if bit != 0 && bit != 1 {
		x.Err("ERR The bit argument must be 1 or 0.")
		return
	}
	// The arguments are checked before the key, as Redis 7.4 does.
	argc := len(x.Args)
	var start, end int64
	endGiven, isBit := false, false
	switch argc {
	case 4, 5, 6:
		if start, ok = command.ParseInt(x.Args[3]); !ok {
			x.Fail(command.ErrNotInt)
			return
		}
		if argc == 6 {
			if isBit, ok = unit(x.Args[5]); !ok {
				x.Fail(command.ErrSyntax)
				return
			}
		}
		if argc >= 5 {
			if end, ok = command.ParseInt(x.Args[4]); !ok {
				x.Fail(command.ErrNotInt)
				return
			}
			endGiven = true
		}
	case 3:
	default:
		x.Fail(command.ErrSyntax)
		return
	}
	v, found, ok := readString(x, x.Args[1])
	if !ok {
		return
	}
	if !found {
		x.Int(-bit)
		return
	}
	n := int64(len(v))
	var r bitRange
	if argc == 3 {
		r = bitRange{start: 0, end: n - 1, empty: n == 0}
	} else {
		if !endGiven {
			if isBit {
				end = n<<3 + 7
			} else {
				end = n - 1
			}
		}
		r = resolveRange(start, end, n, isBit)
	}
	if r.empty {
		x.Int(-1)
		return
	}
	pos, start, bytes := bitPos(v, r, int(bit))
	if endGiven && bit == 0 && pos == bytes<<3 {
		x.Int(-1)
		return
	}
	if pos != -1 {
		pos += start << 3
	}
	x.Int(pos)
}

// bitPos searches the non-empty range r of v as Redis's bitposCommand
// does, edge bytes masked; it returns the position found relative to the
// byte it reports as start, and the bytes left from there.
func bitPos(v []byte, r bitRange, bit int) (pos, start, bytes int64) {
	start, end := r.start, r.end
	bytes = end - start + 1
	masked := func(c, mask byte) byte {
		if bit == 1 {
			return c &^ mask
		}
		return c | mask
	}
	if r.firstMask != 0 {
		c := masked(v[start], r.firstMask)
		if r.lastMask != 0 && bytes == 1 {
			c = masked(c, r.lastMask)
		}
		pos = bitops.Pos([]byte{c}, bit)
		if bytes == 1 || (pos != -1 && pos != 8) {
			return pos, start, bytes
		}
		start++
		bytes--
	}
	cur := bytes
	if r.lastMask != 0 {
		cur--
	}
	if cur > 0 {
		pos = bitops.Pos(v[start:start+cur], bit)
		if bytes == cur || (pos != -1 && pos != cur<<3) {
			return pos, start, bytes
		}
		start += cur
		bytes -= cur
	}
	pos = bitops.Pos([]byte{masked(v[end], r.lastMask)}, bit)
	return pos, start, bytes
}
