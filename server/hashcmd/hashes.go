package hashcmd

import (
	"math"
	"math/big"
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
		c.Group = "hash"
		return c
	}
	specs := []*command.Spec{
		k1(&command.Spec{Name: "hset", Arity: -4, Flags: w | fast, Run: cmdHSet, Summary: "Creates or modifies the value of a field in a hash.", Since: "2.0.0", Complexity: "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs."}),
		k1(&command.Spec{Name: "hmset", Arity: -4, Flags: w | fast, Run: cmdHSet, Summary: "Sets the values of multiple fields.", Since: "2.0.0", Complexity: "O(N) where N is the number of fields being set."}),
		k1(&command.Spec{Name: "hsetnx", Arity: 4, Flags: w | fast, Run: cmdHSetNX, Summary: "Sets the value of a field in a hash only when the field doesn't exist.", Since: "2.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "hget", Arity: 3, Flags: r | fast, Run: cmdHGet, Summary: "Returns the value of a field in a hash.", Since: "2.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "hmget", Arity: -3, Flags: r | fast, Run: cmdHMGet, Summary: "Returns the values of all fields in a hash.", Since: "2.0.0", Complexity: "O(N) where N is the number of fields being requested."}),
		k1(&command.Spec{Name: "hdel", Arity: -3, Flags: command.FlagWrite | fast, Run: cmdHDel, Summary: "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.", Since: "2.0.0", Complexity: "O(N) where N is the number of fields to be removed."}),
		k1(&command.Spec{Name: "hlen", Arity: 2, Flags: r | fast, Run: cmdHLen, Summary: "Returns the number of fields in a hash.", Since: "2.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "hstrlen", Arity: 3, Flags: r | fast, Run: cmdHStrlen, Summary: "Returns the length of the value of a field.", Since: "3.2.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "hexists", Arity: 3, Flags: r | fast, Run: cmdHExists, Summary: "Determines whether a field exists in a hash.", Since: "2.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "hkeys", Arity: 2, Flags: r, Run: cmdHKeys, Summary: "Returns all fields in a hash.", Since: "2.0.0", Complexity: "O(N) where N is the size of the hash."}),
		k1(&command.Spec{Name: "hvals", Arity: 2, Flags: r, Run: cmdHVals, Summary: "Returns all values in a hash.", Since: "2.0.0", Complexity: "O(N) where N is the size of the hash."}),
		k1(&command.Spec{Name: "hgetall", Arity: 2, Flags: r, Run: cmdHGetAll, Summary: "Returns all fields and values in a hash.", Since: "2.0.0", Complexity: "O(N) where N is the size of the hash."}),
		k1(&command.Spec{Name: "hincrby", Arity: 4, Flags: w | fast, Run: cmdHIncrBy, Summary: "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.", Since: "2.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "hincrbyfloat", Arity: 4, Flags: w | fast, Run: cmdHIncrByFloat, Summary: "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.", Since: "2.6.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "hrandfield", Arity: -2, Flags: r, Run: cmdHRandField, Summary: "Returns one or more random fields from a hash.", Since: "6.2.0", Complexity: "O(N) where N is the number of fields returned"}),
		k1(&command.Spec{Name: "hscan", Arity: -3, Flags: r, Run: cmdHScan, Summary: "Iterates over fields and values of a hash.", Since: "2.8.0", Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection."}),
	}
	return append(specs, expireCommands(k1)...)
}

// getHash looks key up for reading (Redis's lookupKeyRead). It returns
// ok=false after writing WRONGTYPE when the key holds another type.
func getHash(x *command.Exec, key []byte, flags int) (db *shard.DB, h shard.Handle, found, ok bool) {
	db = x.DB(key)
	h, found = db.Lookup(key, x.Now, flags)
	if found && db.Type(h) != shard.TypeHash {
		x.Fail(command.ErrWrongType)
		return db, h, true, false
	}
	return db, h, found, true
}

// writeLookup is the lookup of a write (Redis's lookupKeyWrite): it
// expires a dead key and counts no hit or miss.
const writeLookup = shard.NoStats

// limits returns the listpack thresholds now configured.
func limits(x *command.Exec) shard.HashLimits {
	return shard.HashLimits{
		Entries: x.Env.Limits().HashListpackEntries,
		Value:   x.Env.Limits().HashListpackValue,
	}
}

// cmdHSet is HSET and HMSET: they differ only in their reply.
func cmdHSet(x *command.Exec) {
	if len(x.Args)%2 == 1 {
		x.ErrArgs()
		return
	}
	key := x.Args[1]
	db, h, found, ok := getHash(x, key, writeLookup)
	if !ok {
		return
	}
	_, added := db.HashSet(key, h, found, x.Args[2:], limits(x), x.Now)
	x.Notify(command.NotifyHash, "hset", key)
	if x.Cmd.Name == "hmset" {
		x.OK()
		return
	}
	x.Int(int64(added))
}

func cmdHSetNX(x *command.Exec) {
	key := x.Args[1]
	db, h, found, ok := getHash(x, key, writeLookup)
	if !ok {
		return
	}
	if found && db.HashReap(key, h, x.Args[2], x.Now) {
		found = false // its last field had expired: a new hash is made
	}
	if found {
		if _, exists := db.HashGet(h, x.Args[2], nil); exists {
			x.Int(0)
			return
		}
	}
	db.HashSet(key, h, found, x.Args[2:4], limits(x), x.Now)
	x.Notify(command.NotifyHash, "hset", key)
	x.Int(1)
}

func cmdHGet(x *command.Exec) {
	db, h, found, ok := getHash(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found || db.HashReap(x.Args[1], h, x.Args[2], x.Now) {
		x.Null()
		return
	}
	var buf [24]byte
	if v, ok := db.HashGet(h, x.Args[2], buf[:0]); ok {
		x.Bulk(v)
		return
	}
	x.Null()
}

func cmdHMGet(x *command.Exec) {
	db, h, found, ok := getHash(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	x.Array(len(x.Args) - 2)
	var buf [24]byte
	expired, emptied := false, false // one event for them all, as Redis 7.4
	for _, f := range x.Args[2:] {
		if found {
			reaped, gone := db.HashReapQuiet(x.Args[1], h, f, x.Now)
			if gone {
				found, emptied = false, true // the hash lost its last field
			} else if reaped {
				expired = true
			}
		}
		if found {
			if v, ok := db.HashGet(h, f, buf[:0]); ok {
				x.Bulk(v)
				continue
			}
		}
		x.Null()
	}
	// Redis counts only the fields that expired without emptying the hash:
	// when the one reaped was its last, it says nothing.
	if expired {
		db.NoteFieldsExpired(x.Args[1], emptied)
	}
}

func cmdHDel(x *command.Exec) {
	key := x.Args[1]
	db, h, found, ok := getHash(x, key, writeLookup)
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	n := db.HashDelete(key, h, x.Args[2:])
	x.Int(int64(n))
	if n > 0 {
		notifyFieldsGone(x, db, "hdel", key)
	}
}

func cmdHLen(x *command.Exec) {
	db, h, found, ok := getHash(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	x.Int(int64(db.HashLen(h)))
}

func cmdHStrlen(x *command.Exec) {
	db, h, found, ok := getHash(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	n := 0
	if found && !db.HashReap(x.Args[1], h, x.Args[2], x.Now) {
		var buf [24]byte
		v, _ := db.HashGet(h, x.Args[2], buf[:0])
		n = len(v)
	}
	x.Int(int64(n))
}

func cmdHExists(x *command.Exec) {
	db, h, found, ok := getHash(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	exists := false
	if found && !db.HashReap(x.Args[1], h, x.Args[2], x.Now) {
		var buf [24]byte
		_, exists = db.HashGet(h, x.Args[2], buf[:0])
	}
	if exists {
		x.Int(1)
	} else {
		x.Int(0)
	}
}

// What HKEYS, HVALS and HGETALL reply with.
const (
	withFields = 1 << iota
	withValues
)

func cmdHKeys(x *command.Exec)   { getAll(x, withFields) }
func cmdHVals(x *command.Exec)   { getAll(x, withValues) }
func cmdHGetAll(x *command.Exec) { getAll(x, withFields|withValues) }

// getAll replies with every field, value or both: a map for both (RESP3),
// else an array, as Redis's genericHgetallCommand.
func getAll(x *command.Exec, what int) {
	db, h, found, ok := getHash(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	n := 0
	if found {
		n = db.HashLiveLen(h, x.Now)
	}
	if what == withFields|withValues {
		x.Map(n)
	} else {
		x.Array(n)
	}
	if !found {
		return
	}
	db.HashEach(h, x.Now, func(f, v []byte) bool {
		if what&withFields != 0 {
			x.Bulk(f)
		}
		if what&withValues != 0 {
			x.Bulk(v)
		}
		return true
	})
}

func cmdHIncrBy(x *command.Exec) {
	incr, ok := command.ParseInt(x.Args[3])
	if !ok {
		x.Fail(command.ErrNotInt)
		return
	}
	key, field := x.Args[1], x.Args[2]
	db, h, found, ok := getHash(x, key, writeLookup)
	if !ok {
		return
	}
	var cur int64
	var buf [24]byte
	if found && db.HashReap(key, h, field, x.Now) {
		found = false // its last field had expired: a new hash is made
	}
	if found {
		if v, exists := db.HashGet(h, field, buf[:0]); exists {
			if cur, ok = command.ParseInt(v); !ok {
				x.Err("ERR hash value is not an integer")
				return
			}
		}
	}
	if (incr < 0 && cur < 0 && incr < math.MinInt64-cur) || (incr > 0 && cur > 0 && incr > math.MaxInt64-cur) {
		x.Fail(command.ErrOverflow)
		return
	}
	cur += incr
	db.HashSetKeepTTL(key, h, found, field, strconv.AppendInt(buf[:0], cur, 10), limits(x), x.Now)
	x.Notify(command.NotifyHash, "hincrby", key)
	x.Int(cur)
}

func cmdHIncrByFloat(x *command.Exec) {
	incr, incrInf, ok := command.ParseLongDouble(x.Args[3])
	if !ok {
		x.Fail(command.ErrNotFloat)
		return
	}
	if incrInf {
		x.Err("ERR value is NaN or Infinity")
		return
	}
	key, field := x.Args[1], x.Args[2]
	db, h, found, ok := getHash(x, key, writeLookup)
	if !ok {
		return
	}
	cur, curInf := new(big.Float), false
	if found && db.HashReap(key, h, field, x.Now) {
		found = false // its last field had expired: a new hash is made
	}
	if found {
		var buf [24]byte
		if v, exists := db.HashGet(h, field, buf[:0]); exists {
			if cur, curInf, ok = command.ParseLongDouble(v); !ok {
				x.Err("ERR hash value is not a float")
				return
			}
		}
	}
	if curInf {
		x.Fail(command.ErrNaN)
		return
	}
	sum, ok := command.AddLongDouble(cur, incr)
	if !ok {
		x.Fail(command.ErrNaN)
		return
	}
	b := command.FormatLongDoubleHuman(nil, sum)
	db.HashSetKeepTTL(key, h, found, field, b, limits(x), x.Now)
	x.Notify(command.NotifyHash, "hincrbyfloat", key)
	x.Bulk(b)
}

func cmdHRandField(x *command.Exec) {
	if len(x.Args) < 3 {
		db, h, found, ok := getHash(x, x.Args[1], x.LookupFlags())
		if !ok {
			return
		}
		// Redis deletes every dead field first.
		if !found || db.HashReapAll(x.Args[1], h, x.Now) {
			x.Null()
			return
		}
		db.HashRandom(h, 1, false, x.Env.Rand, func(f, _ []byte) { x.Bulk(f) })
		return
	}
	l, withValues, ok := command.ParseRandCount(x, "withvalues")
	if !ok {
		return
	}
	db, h, found, ok := getHash(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found || db.HashReapAll(x.Args[1], h, x.Now) || l == 0 {
		x.Array(0)
		return
	}
	unique := l > 0
	count := l
	if !unique {
		count = -l
	}
	n := count
	if size := int64(db.HashLen(h)); unique && n > size {
		n = size
	}
	pairs := withValues && x.Proto > 2
	if withValues && !pairs {
		x.Array(int(2 * n))
	} else {
		x.Array(int(n))
	}
	db.HashRandom(h, int(count), unique && count != 1, x.Env.Rand, func(f, v []byte) {
		if pairs {
			x.Array(2)
		}
		x.Bulk(f)
		if withValues {
			x.Bulk(v)
		}
	})
}

// cmdHScan: a listpack is returned whole with cursor 0, as Redis does; a
// big hash one table step at a time until COUNT fields were found (before
// MATCH filters them) or ten times COUNT steps were made.
func cmdHScan(x *command.Exec) {
	cursor, ok := command.ParseScanCursor(x.Args[2])
	if !ok {
		x.Err("ERR invalid cursor")
		return
	}
	db, h, found, ok := getHash(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Out = append(x.Out, command.EmptyScanReply...)
		return
	}
	opts, ok := command.ParseScanOptions(x, x.Args[3:], true)
	if !ok {
		return
	}
	count, pattern := opts.Count, opts.Pattern
	noValues := opts.NoValues
	var body []byte
	items := 0
	add := func(f, v []byte) {
		if pattern != nil && !glob.Match(pattern, f, false) {
			return
		}
		body = appendBulk(body, f)
		items++
		if !noValues {
			body = appendBulk(body, v)
			items++
		}
	}
	seen := int64(0)
	next, big := db.HashScan(h, cursor, x.Now, func(f, v []byte) { seen++; add(f, v) })
	if big {
		for steps := count * 10; next != 0 && seen < count && steps > 0; steps-- {
			next, _ = db.HashScan(h, next, x.Now, func(f, v []byte) { seen++; add(f, v) })
		}
	} else {
		db.HashEach(h, x.Now, func(f, v []byte) bool { add(f, v); return true })
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
