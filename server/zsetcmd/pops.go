package zsetcmd

import (
	"math"

	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// Pops: ZPOPMIN, ZPOPMAX, ZMPOP and the blocking BZPOPMIN, BZPOPMAX and
// BZMPOP (Redis's genericZpopCommand and blockingGenericZpopCommand).

// popShape is how a pop's reply is laid out.
type popShape uint8

const (
	popFlat      popShape = iota // [m, s, m, s...] (ZPOPMIN; RESP2 with COUNT)
	popNested                    // [[m, s], ...] (ZPOPMIN COUNT in RESP3)
	popKeyFlat                   // [key, m, s] (BZPOPMIN, BZPOPMAX)
	popKeyNested                 // [key, [[m, s], ...]] (ZMPOP, BZMPOP)
)

// popHeader writes the reply's header for n members from key.
func popHeader(x *command.Exec, shape popShape, key []byte, n int) {
	switch shape {
	case popFlat:
		x.Array(2 * n)
	case popNested:
		x.Array(n)
	case popKeyFlat:
		x.Array(2*n + 1)
		x.Bulk(key)
	case popKeyNested:
		x.Array(2)
		x.Bulk(key)
		x.Array(n)
	}
}

// popMember writes one popped member.
func popMember(x *command.Exec, shape popShape, m []byte, s float64) {
	if shape == popNested || shape == popKeyNested {
		x.Array(2)
	}
	x.Bulk(m)
	x.Double(s)
}

// popFrom pops up to count members from the ends of z (the highest when
// max), replying as shape says.
func popFrom(x *command.Exec, z *shard.ZSet, key []byte, max bool, count int, shape popShape) {
	size := z.Len()
	n := min(count, size)
	popHeader(x, shape, key, n)
	first := 0
	if max {
		first = size - 1
	}
	left := n
	z.Range(first, max, func(m []byte, s float64) bool {
		popMember(x, shape, m, s)
		left--
		return left > 0
	})
	if max {
		z.RemoveRange(size-n, size-1)
	} else {
		z.RemoveRange(0, n-1)
	}
	if n > 0 {
		notifyRemoved(x, popEvent(max), key)
	}
}

func cmdZPopMin(x *command.Exec) { zpop(x, false) }
func cmdZPopMax(x *command.Exec) { zpop(x, true) }

// zpop is ZPOPMIN and ZPOPMAX key [count].
func zpop(x *command.Exec, max bool) {
	if len(x.Args) > 3 {
		x.Fail(command.ErrSyntax)
		return
	}
	count := int64(-1)
	if len(x.Args) == 3 {
		var ok bool
		if count, ok = command.ParseInt(x.Args[2]); !ok || count < 0 {
			x.Err("ERR value is out of range, must be positive")
			return
		}
	}
	shape := popFlat
	if x.Proto > 2 && count != -1 {
		shape = popNested
	}
	key := x.Args[1]
	z, found, ok := getZSet(x, key, writeLookup)
	if !ok {
		return
	}
	if !found || count == 0 {
		x.Array(0)
		return
	}
	if count == -1 {
		count = 1
	}
	popFrom(x, &z, key, max, int(min(count, math.MaxInt32)), shape)
}

// mpopArgs are ZMPOP's parsed arguments.
type mpopArgs struct {
	keys  [][]byte
	max   bool
	count int
}

// parseMPop reads ZMPOP's arguments from numkeys at index at, in Redis's
// order; it writes the error unless quiet.
func parseMPop(x *command.Exec, at int, quiet bool) (a mpopArgs, ok bool) {
	fail := func(msg string) {
		if !quiet {
			x.Err(msg)
		}
	}
	numKeys, ok := command.ParseInt(x.Args[at])
	if !ok || numKeys < 1 {
		fail("ERR numkeys should be greater than 0")
		return a, false
	}
	if numKeys >= int64(len(x.Args)) || at+1+int(numKeys) >= len(x.Args) {
		fail(command.ErrSyntax.Error())
		return a, false
	}
	whereAt := at + 1 + int(numKeys)
	a.keys = x.Args[at+1 : whereAt]
	switch {
	case command.EqFold(x.Args[whereAt], "min"):
	case command.EqFold(x.Args[whereAt], "max"):
		a.max = true
	default:
		fail(command.ErrSyntax.Error())
		return a, false
	}
	a.count = -1
	for j := whereAt + 1; j < len(x.Args); j++ {
		if a.count == -1 && command.EqFold(x.Args[j], "count") && j+1 < len(x.Args) {
			j++
			n, ok := command.ParseInt(x.Args[j])
			if !ok || n < 1 {
				fail("ERR count should be greater than 0")
				return a, false
			}
			a.count = int(min(n, math.MaxInt32))
			continue
		}
		fail(command.ErrSyntax.Error())
		return a, false
	}
	if a.count == -1 {
		a.count = 1
	}
	return a, true
}

// popFirst pops from the first of keys that exists (all on x's shard),
// answering WRONGTYPE when that one is of another type; it reports false
// when none exists, having written nothing.
func popFirst(x *command.Exec, keys [][]byte, max bool, count int, shape popShape) bool {
	for _, key := range keys {
		z, found, ok := getZSet(x, key, writeLookup)
		if !ok {
			return true
		}
		if found {
			popFrom(x, &z, key, max, count, shape)
			return true
		}
	}
	return false
}

func cmdZMPop(x *command.Exec) {
	a, ok := parseMPop(x, 1, false)
	if !ok {
		return
	}
	if !popFirst(x, a.keys, a.max, a.count, popKeyNested) {
		x.NullArray()
	}
}

// mpopRead is what a shard found for a pop from the first of several keys.
type mpopRead struct {
	at  int   // the key's place among the keys
	it  items // the members a pop would take, in pop order
	bad bool  // the key holds another type
}

// popCrossOf builds the halves of a pop from the first of several keys
// whose arguments parse reads (writing its error unless quiet), replying
// in shape. timeout, for a blocking pop, returns the timeout argument,
// which the coordinator reads after the others; finding nothing then
// waits instead of answering null.
func popCrossOf(parse func(x *command.Exec, quiet bool) (mpopArgs, bool), shape popShape, timeout func(*command.Exec) []byte) *command.Cross {
	return &command.Cross{
		Read: func(x *command.Exec) {
			a, ok := parse(x, true)
			if !ok {
				return
			}
			for i, key := range a.keys {
				if !x.OwnsKey(key) {
					continue
				}
				db := x.DB(key)
				h, found := db.Lookup(key, x.Now, writeLookup)
				if !found {
					continue
				}
				r := &mpopRead{at: i}
				x.Result.Found, x.Result.Value = true, r
				if db.Type(h) != shard.TypeZSet {
					r.bad = true
					return
				}
				z := db.OpenZSet(key, h)
				n := min(a.count, z.Len())
				first := 0
				if a.max {
					first = z.Len() - 1
				}
				left := n
				z.Range(first, a.max, func(m []byte, s float64) bool {
					r.it.add(m, s)
					left--
					return left > 0
				})
				return
			}
		},
		Apply: func(x *command.Exec, reads []*command.Exec) []command.Write {
			a, ok := parse(x, false)
			if !ok {
				return nil
			}
			var deadline int64
			if timeout != nil {
				if deadline, ok = command.ParseTimeout(x, timeout(x)); !ok {
					return nil
				}
			}
			var first *mpopRead
			sh := -1
			for i, r := range reads {
				if r == nil || !r.Result.Found {
					continue
				}
				if rd := r.Result.Value.(*mpopRead); first == nil || rd.at < first.at {
					first, sh = rd, i
				}
			}
			switch {
			case first == nil && timeout != nil:
				waitOrNull(x, deadline)
				return nil
			case first == nil:
				x.NullArray()
				return nil
			case first.bad:
				x.Fail(command.ErrWrongType)
				return nil
			}
			key := a.keys[first.at]
			n := first.it.len()
			popHeader(x, shape, key, n)
			for i := range n {
				m, _ := first.it.m.At(i)
				popMember(x, shape, m, first.it.s[i])
			}
			return []command.Write{{Shard: sh, Do: func(p *command.Exec) {
				if z, found, ok := getZSet(p, key, shard.NoStats|shard.NoTouch); found && ok {
					size := z.Len()
					if a.max {
						z.RemoveRange(size-n, size-1)
					} else {
						z.RemoveRange(0, n-1)
					}
					if n > 0 {
						notifyRemoved(p, popEvent(a.max), key)
					}
				}
			}}}
		},
	}
}

var zmpopCross = popCrossOf(func(x *command.Exec, quiet bool) (mpopArgs, bool) { return parseMPop(x, 1, quiet) }, popKeyNested, nil)

// The blocking pops.

// waitOrNull asks to wait until deadline or, when the command may not
// wait (inside MULTI), answers as on a timeout: a null array.
func waitOrNull(x *command.Exec, deadline int64) {
	if b := x.Block; b != nil {
		b.Wait, b.Deadline = true, deadline
		return
	}
	x.NullArray()
}

// firstServable returns the first of keys, on x's shard, that holds a
// sorted set, skipping keys of other types as Redis skips them when it
// serves a blocked client.
func firstServable(x *command.Exec, keys [][]byte) ([]byte, bool) {
	for _, key := range keys {
		if x.Env.Route(key) != x.Home.ID {
			continue
		}
		db := x.DB(key)
		if h, ok := db.Lookup(key, x.Now, shard.NoStats|shard.NoTouch); ok && db.Type(h) == shard.TypeZSet {
			return key, true
		}
	}
	return nil, false
}

// popOrWait pops from the first of keys holding a sorted set, in the mode
// x.Block says, or asks to wait (or answers null when it may not).
func popOrWait(x *command.Exec, keys [][]byte, max bool, count int, shape popShape, deadline int64) {
	b := x.Block
	switch {
	case b != nil && b.Expired:
		x.NullArray()
		return
	case b != nil && b.Serving:
		if key, ok := firstServable(x, keys); ok {
			popFirst(x, [][]byte{key}, max, count, shape)
			return
		}
		b.Wait = true
		return
	}
	if popFirst(x, keys, max, count, shape) {
		return
	}
	waitOrNull(x, deadline)
}

func cmdBZPopMin(x *command.Exec) { bzpop(x, false) }
func cmdBZPopMax(x *command.Exec) { bzpop(x, true) }

// bzpop is BZPOPMIN and BZPOPMAX key [key ...] timeout.
func bzpop(x *command.Exec, max bool) {
	deadline, ok := command.ParseTimeout(x, x.Args[len(x.Args)-1])
	if !ok {
		return
	}
	popOrWait(x, x.Args[1:len(x.Args)-1], max, 1, popKeyFlat, deadline)
}

func cmdBZMPop(x *command.Exec) {
	a, ok := parseMPop(x, 2, false)
	if !ok {
		return
	}
	deadline, ok := command.ParseTimeout(x, x.Args[1])
	if !ok {
		return
	}
	popOrWait(x, a.keys, a.max, a.count, popKeyNested, deadline)
}

// The halves of the blocking pops' first attempt when their keys span
// shards: ZMPOP's, with the timeout read on the coordinator and waiting
// instead of null.
var (
	bzpopCross = func(max bool) *command.Cross {
		return popCrossOf(func(x *command.Exec, _ bool) (mpopArgs, bool) {
			return mpopArgs{keys: x.Args[1 : len(x.Args)-1], max: max, count: 1}, true
		}, popKeyFlat, func(x *command.Exec) []byte { return x.Args[len(x.Args)-1] })
	}
	bzmpopCross = popCrossOf(func(x *command.Exec, quiet bool) (mpopArgs, bool) { return parseMPop(x, 2, quiet) },
		popKeyNested, func(x *command.Exec) []byte { return x.Args[1] })
)
