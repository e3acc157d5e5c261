package listcmd

import (
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// The blocking commands: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP. Each
// runs in the three modes command.Block describes: a first attempt, which
// pops as the non-blocking form does or asks to wait; serving, when a key
// it waits on was written, which pops from that shard's keys or waits on;
// and the timeout reply. Without an Exec.Block (inside MULTI) the command
// never waits: finding nothing, it answers as on a timeout, as Redis does.

// servedHere reports whether key lives on the shard x runs on: a served
// command acts only on those keys.
func servedHere(x *command.Exec, key []byte) bool { return x.Env.Route(key) == x.Home.ID }

// firstServable returns the first of keys, on x's shard, that holds a
// list, skipping keys of other types as Redis skips them when it serves a
// blocked client.
func firstServable(x *command.Exec, keys [][]byte) ([]byte, bool) {
	for _, key := range keys {
		if !servedHere(x, key) {
			continue
		}
		db := x.DB(key)
		if h, ok := db.Lookup(key, x.Now, shard.NoStats|shard.NoTouch); ok && db.Type(h) == shard.TypeList {
			return key, true
		}
	}
	return nil, false
}

func cmdBLPop(x *command.Exec) { blockingPop(x, true) }
func cmdBRPop(x *command.Exec) { blockingPop(x, false) }

// blockingPop is BLPOP and BRPOP: key [key ...] timeout.
func blockingPop(x *command.Exec, head bool) {
	keys := x.Args[1 : len(x.Args)-1]
	deadline, ok := command.ParseTimeout(x, x.Args[len(x.Args)-1])
	if !ok {
		return
	}
	popOrWait(x, keys, head, 1, KeyAndElement, deadline)
}

// popOrWait pops from the first of keys holding a list, in the mode x.Block
// says, or asks to wait (or answers null when it may not).
func popOrWait(x *command.Exec, keys [][]byte, head bool, count int, reply PopReply, deadline int64) {
	b := x.Block
	switch {
	case b != nil && b.Expired:
		x.NullArray()
		return
	case b != nil && b.Serving:
		if key, ok := firstServable(x, keys); ok {
			PopFirst(x, [][]byte{key}, head, count, reply)
			return
		}
		b.Wait = true
		return
	}
	if PopFirst(x, keys, head, count, reply) != Empty {
		return
	}
	waitOrNull(x, deadline, true)
}

// waitOrNull is a blocking command's answer when it found nothing: it asks
// to wait until deadline, or, when it may not wait (inside MULTI), answers
// as on a timeout: a null array (the pops) or a null (the moves).
func waitOrNull(x *command.Exec, deadline int64, array bool) {
	if b := x.Block; b != nil {
		b.Wait, b.Deadline = true, deadline
		return
	}
	if array {
		x.NullArray()
	} else {
		x.Null()
	}
}

func cmdBLMPop(x *command.Exec) {
	a, ok := parseMPop(x, 2, false)
	if !ok {
		return
	}
	deadline, ok := command.ParseTimeout(x, x.Args[1])
	if !ok {
		return
	}
	popOrWait(x, a.keys, a.head, a.count, KeyAndElements, deadline)
}

// blmpopKeys finds BLMPOP's keys: those of LMPOP, one argument later.
func blmpopKeys(args [][]byte, dst []int) []int {
	if len(args) < 2 {
		return dst
	}
	start := len(dst)
	dst = mpopKeys(args[1:], dst)
	for i := start; i < len(dst); i++ {
		dst[i]++
	}
	return dst
}

// blockingEnds reads BLMOVE's LEFT|RIGHT pair, or BRPOPLPUSH's implied
// tail-to-head.
func blockingEnds(x *command.Exec) (fromHead, toHead, ok bool) {
	if len(x.Args) == 4 {
		return false, true, true
	}
	if fromHead, ok = parseEnd(x.Args[3]); !ok {
		return
	}
	toHead, ok = parseEnd(x.Args[4])
	return
}

// cmdBLMove is BLMOVE src dst LEFT|RIGHT LEFT|RIGHT timeout and
// BRPOPLPUSH src dst timeout. It waits on src only, as Redis does.
func cmdBLMove(x *command.Exec) {
	fromHead, toHead, ok := blockingEnds(x)
	if !ok {
		x.Fail(command.ErrSyntax)
		return
	}
	deadline, ok := command.ParseTimeout(x, x.Args[len(x.Args)-1])
	if !ok {
		return
	}
	src, dst := x.Args[1], x.Args[2]
	b := x.Block
	switch {
	case b != nil && b.Expired:
		x.NullArray() // Redis answers every timed-out list command so
		return
	case b != nil && b.Serving:
		if _, ok := firstServable(x, [][]byte{src}); !ok {
			b.Wait = true
			return
		}
		if !servedHere(x, dst) {
			b.Elsewhere = true
			return
		}
	}
	if Move(x, src, dst, fromHead, toHead) != Empty {
		return
	}
	waitOrNull(x, deadline, false)
}

// The halves of the blocking commands' first attempt when their keys span
// shards: those of LMPOP and LMOVE, with the timeout read on the
// coordinator and waiting instead of null.
var (
	blockingPopCross = func(head bool) *command.Cross {
		return popCrossOf(func(x *command.Exec, _ bool) (mpopArgs, bool) {
			return mpopArgs{keys: x.Args[1 : len(x.Args)-1], head: head, count: 1}, true
		}, KeyAndElement, lastArg)
	}
	blmpopCross = popCrossOf(func(x *command.Exec, quiet bool) (mpopArgs, bool) { return parseMPop(x, 2, quiet) },
		KeyAndElements, func(x *command.Exec) []byte { return x.Args[1] })
	blmoveCross = moveCrossOf(blockingEnds, lastArg)
)

func lastArg(x *command.Exec) []byte { return x.Args[len(x.Args)-1] }
