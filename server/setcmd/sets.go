// Package setcmd is the sets family: Redis 7.2's t_set.c (SADD, SREM,
// SCARD, SISMEMBER, SMISMEMBER, SMEMBERS, SPOP, SRANDMEMBER, SMOVE, SINTER,
// SINTERCARD, SUNION, SDIFF and their STORE forms, SSCAN) over the sets of
// package shard (shard/set.go). Commands over several sets whose keys span
// shards run as a command.Cross (cross.go).
package setcmd

import (
	"math"
	"strconv"

	"github.com/anaxdb/anax/internal/glob"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// Commands returns the family's command specs.
func Commands() []*command.Spec {
	w := command.FlagWrite | command.FlagDenyOOM
	r := command.FlagReadOnly
	fast := command.FlagFast
	k1 := func(c *command.Spec) *command.Spec {
		c.FirstKey, c.LastKey, c.Step = 1, 1, 1
		c.Group = "set"
		return c
	}
	keys := func(first int, c *command.Spec) *command.Spec {
		c.FirstKey, c.LastKey, c.Step = first, -1, 1
		c.Group = "set"
		return c
	}
	return []*command.Spec{
		k1(&command.Spec{Name: "sadd", Arity: -3, Flags: w | fast, Run: cmdSAdd, Summary: "Adds one or more members to a set. Creates the key if it doesn't exist.", Since: "1.0.0", Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."}),
		k1(&command.Spec{Name: "srem", Arity: -3, Flags: command.FlagWrite | fast, Run: cmdSRem, Summary: "Removes one or more members from a set. Deletes the set if the last member was removed.", Since: "1.0.0", Complexity: "O(N) where N is the number of members to be removed."}),
		k1(&command.Spec{Name: "scard", Arity: 2, Flags: r | fast, Run: cmdSCard, Summary: "Returns the number of members in a set.", Since: "1.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "sismember", Arity: 3, Flags: r | fast, Run: cmdSIsMember, Summary: "Determines whether a member belongs to a set.", Since: "1.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "smismember", Arity: -3, Flags: r | fast, Run: cmdSMIsMember, Summary: "Determines whether multiple members belong to a set.", Since: "6.2.0", Complexity: "O(N) where N is the number of elements being checked for membership"}),
		k1(&command.Spec{Name: "smembers", Arity: 2, Flags: r, Run: cmdSMembers, Summary: "Returns all members of a set.", Since: "1.0.0", Complexity: "O(N) where N is the set cardinality."}),
		k1(&command.Spec{Name: "spop", Arity: -2, Flags: command.FlagWrite | fast, Run: cmdSPop, Summary: "Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.", Since: "1.0.0", Complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count."}),
		k1(&command.Spec{Name: "srandmember", Arity: -2, Flags: r, Run: cmdSRandMember, Summary: "Get one or multiple random members from a set", Since: "1.0.0", Complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count."}),
		{Name: "smove", Arity: 4, Flags: command.FlagWrite | fast, FirstKey: 1, LastKey: 2, Step: 1, Run: cmdSMove, Cross: smoveCross, Group: "set", Summary: "Moves a member from one set to another.", Since: "1.0.0", Complexity: "O(1)"},
		keys(1, &command.Spec{Name: "sinter", Arity: -2, Flags: r, Run: runSetOp(opInter, 1), Cross: setOpCross(opInter, 1), Summary: "Returns the intersect of multiple sets.", Since: "1.0.0", Complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."}),
		{Name: "sintercard", Arity: -3, Flags: r, Keys: sintercardKeys, Run: runSetOp(opInterCard, 2), Cross: setOpCross(opInterCard, 2), Group: "set", Summary: "Returns the number of members of the intersect of multiple sets.", Since: "7.0.0", Complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."},
		keys(1, &command.Spec{Name: "sunion", Arity: -2, Flags: r, Run: runSetOp(opUnion, 1), Cross: setOpCross(opUnion, 1), Summary: "Returns the union of multiple sets.", Since: "1.0.0", Complexity: "O(N) where N is the total number of elements in all given sets."}),
		keys(1, &command.Spec{Name: "sdiff", Arity: -2, Flags: r, Run: runSetOp(opDiff, 1), Cross: setOpCross(opDiff, 1), Summary: "Returns the difference of multiple sets.", Since: "1.0.0", Complexity: "O(N) where N is the total number of elements in all given sets."}),
		keys(1, &command.Spec{Name: "sinterstore", Arity: -3, Flags: w, Run: runSetOp(opInterStore, 2), Cross: setOpCross(opInterStore, 2), Summary: "Stores the intersect of multiple sets in a key.", Since: "1.0.0", Complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."}),
		keys(1, &command.Spec{Name: "sunionstore", Arity: -3, Flags: w, Run: runSetOp(opUnionStore, 2), Cross: setOpCross(opUnionStore, 2), Summary: "Stores the union of multiple sets in a key.", Since: "1.0.0", Complexity: "O(N) where N is the total number of elements in all given sets."}),
		keys(1, &command.Spec{Name: "sdiffstore", Arity: -3, Flags: w, Run: runSetOp(opDiffStore, 2), Cross: setOpCross(opDiffStore, 2), Summary: "Stores the difference of multiple sets in a key.", Since: "1.0.0", Complexity: "O(N) where N is the total number of elements in all given sets."}),
		k1(&command.Spec{Name: "sscan", Arity: -3, Flags: r, Run: cmdSScan, Summary: "Iterates over members of a set.", Since: "2.8.0", Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection."}),
	}
}

// getSet looks key up (flags: a read's or writeLookup). It returns ok=false
// after writing WRONGTYPE when the key holds another type.
func getSet(x *command.Exec, key []byte, flags int) (db *shard.DB, h shard.Handle, found, ok bool) {
	db = x.DB(key)
	h, found = db.Lookup(key, x.Now, flags)
	if found && db.Type(h) != shard.TypeSet {
		x.Fail(command.ErrWrongType)
		return db, h, true, false
	}
	return db, h, found, true
}

// writeLookup is the lookup of a write (Redis's lookupKeyWrite).
const writeLookup = shard.NoStats

// Limits returns the set thresholds now configured.
func Limits(env command.Env) shard.SetLimits {
	return shard.SetLimits{
		IntsetEntries:   env.Limits().SetIntsetEntries,
		ListpackEntries: env.Limits().SetListpackEntries,
		ListpackValue:   env.Limits().SetListpackValue,
	}
}

func cmdSAdd(x *command.Exec) {
	key := x.Args[1]
	db, h, found, ok := getSet(x, key, writeLookup)
	if !ok {
		return
	}
	_, added := db.SetAdd(key, h, found, x.Args[2:], Limits(x.Env), x.Now)
	x.Int(int64(added))
	if added > 0 {
		x.Notify(command.NotifySet, "sadd", key)
	}
}

func cmdSRem(x *command.Exec) {
	key := x.Args[1]
	db, h, found, ok := getSet(x, key, writeLookup)
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	n := db.SetRemove(key, h, x.Args[2:])
	x.Int(int64(n))
	if n > 0 {
		notifyRemoved(x, db, "srem", key)
	}
}

func cmdSCard(x *command.Exec) {
	db, h, found, ok := getSet(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	x.Int(int64(db.SetLen(h)))
}

func cmdSIsMember(x *command.Exec) {
	db, h, found, ok := getSet(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if found && db.SetHas(h, x.Args[2]) {
		x.Int(1)
		return
	}
	x.Int(0)
}

func cmdSMIsMember(x *command.Exec) {
	db, h, found, ok := getSet(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	x.Array(len(x.Args) - 2)
	for _, m := range x.Args[2:] {
		if found && db.SetHas(h, m) {
			x.Int(1)
		} else {
			x.Int(0)
		}
	}
}

func cmdSMembers(x *command.Exec) {
	db, h, found, ok := getSet(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Set(0)
		return
	}
	x.Set(db.SetLen(h))
	db.SetEach(h, func(m []byte) bool { x.Bulk(m); return true })
}

// errPositive is getPositiveLongFromObjectOrReply's error.
const errPositive = "ERR value is out of range, must be positive"

func cmdSPop(x *command.Exec) {
	if len(x.Args) > 3 {
		x.Fail(command.ErrSyntax)
		return
	}
	key := x.Args[1]
	if len(x.Args) == 2 {
		db, h, found, ok := getSet(x, key, writeLookup)
		if !ok {
			return
		}
		if !found {
			x.Null()
			return
		}
		var buf [64]byte
		x.Bulk(db.SetPop(key, h, x.Env.Rand(), buf[:0]))
		notifyRemoved(x, db, "spop", key)
		return
	}
	count, ok := command.ParseInt(x.Args[2])
	if !ok || count < 0 {
		x.Err(errPositive)
		return
	}
	db, h, found, ok := getSet(x, key, writeLookup)
	if !ok {
		return
	}
	if !found || count == 0 {
		x.Set(0)
		return
	}
	size := int64(db.SetLen(h))
	if count >= size {
		// The whole set, as SUNION of it replies, then the key goes.
		r := newResult(shard.EncIntset, Limits(x.Env))
		db.SetEach(h, func(m []byte) bool { r.push(m); return true })
		r.reply(x)
		db.Delete(key)
		x.Notify(command.NotifySet, "spop", key)
		x.Notify(command.NotifyGeneric, "del", key)
		return
	}
	x.Set(int(count))
	db.SetPopMany(key, h, int(count), Limits(x.Env), x.Env.Rand, func(m []byte) { x.Bulk(m) })
	x.Notify(command.NotifySet, "spop", key)
}

func cmdSRandMember(x *command.Exec) {
	if len(x.Args) > 3 {
		x.Fail(command.ErrSyntax)
		return
	}
	if len(x.Args) == 2 {
		db, h, found, ok := getSet(x, x.Args[1], x.LookupFlags())
		if !ok {
			return
		}
		if !found {
			x.Null()
			return
		}
		var buf [24]byte
		x.Bulk(db.SetRandom(h, x.Env.Rand, buf[:0]))
		return
	}
	l, ok := command.ParseInt(x.Args[2])
	if !ok {
		x.Fail(command.ErrNotInt)
		return
	}
	if l < -math.MaxInt64 {
		x.Err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
		return
	}
	db, h, found, ok := getSet(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found || l == 0 {
		x.Array(0)
		return
	}
	unique, count := true, l
	if l < 0 {
		unique, count = false, -l
	}
	n := count
	if size := int64(db.SetLen(h)); unique && n > size {
		n = size
	}
	x.Array(int(n))
	db.SetRandomMembers(h, int(count), unique, x.Env.Rand, func(m []byte) { x.Bulk(m) })
}

func cmdSMove(x *command.Exec) {
	src, dst, m := x.Args[1], x.Args[2], x.Args[3]
	db := x.DB(src)
	sh, sfound := db.Lookup(src, x.Now, writeLookup)
	dh, dfound := db.Lookup(dst, x.Now, writeLookup)
	if !sfound {
		x.Int(0)
		return
	}
	if db.Type(sh) != shard.TypeSet || (dfound && db.Type(dh) != shard.TypeSet) {
		x.Fail(command.ErrWrongType)
		return
	}
	if string(src) == string(dst) {
		if db.SetHas(sh, m) {
			x.Int(1)
		} else {
			x.Int(0)
		}
		return
	}
	if db.SetRemove(src, sh, x.Args[3:4]) == 0 {
		x.Int(0)
		return
	}
	notifyRemoved(x, db, "srem", src)
	// The removal may have moved nothing of dst's entry, but look again:
	// an emptied source was deleted, which may move table slots.
	dh, dfound = db.Lookup(dst, x.Now, writeLookup|shard.NoTouch)
	if _, added := db.SetAdd(dst, dh, dfound, x.Args[3:4], Limits(x.Env), x.Now); added > 0 {
		x.Notify(command.NotifySet, "sadd", dst)
	}
	x.Int(1)
}

// cmdSScan: a small set is returned whole with cursor 0, as Redis does; a
// big one a table step at a time until COUNT members were found (before
// MATCH filters them) or ten times COUNT steps were made.
func cmdSScan(x *command.Exec) {
	cursor, ok := command.ParseScanCursor(x.Args[2])
	if !ok {
		x.Err("ERR invalid cursor")
		return
	}
	db, h, found, ok := getSet(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Out = append(x.Out, command.EmptyScanReply...)
		return
	}
	opts, ok := command.ParseScanOptions(x, x.Args[3:], false)
	if !ok {
		return
	}
	count, pattern := opts.Count, opts.Pattern
	var body []byte
	items := 0
	add := func(m []byte) {
		if pattern != nil && !glob.Match(pattern, m, false) {
			return
		}
		body = appendBulk(body, m)
		items++
	}
	seen := int64(0)
	next, big := db.SetScan(h, cursor, func(m []byte) { seen++; add(m) })
	if big {
		for steps := count * 10; next != 0 && seen < count && steps > 0; steps-- {
			next, _ = db.SetScan(h, next, func(m []byte) { seen++; add(m) })
		}
	} else {
		db.SetEach(h, func(m []byte) bool { add(m); return true })
	}
	x.Array(2)
	var tmp [24]byte
	x.Bulk(strconv.AppendUint(tmp[:0], next, 10))
	x.Array(items)
	x.Out = append(x.Out, body...)
}

func appendBulk(dst, b []byte) []byte {
	dst = append(dst, '$')
	dst = strconv.AppendInt(dst, int64(len(b)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}
