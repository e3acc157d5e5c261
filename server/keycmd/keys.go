package keycmd

import (
	"bytes"
	"math"

	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// Commands returns the family's command specs.
func Commands() []*command.Spec {
	w := command.FlagWrite
	r := command.FlagReadOnly
	all := command.FlagAllShards
	// The server-group commands below act on the keyspace: Redis lists
	// them in @keyspace (and the destructive ones in @dangerous).
	keyspace := []string{"keyspace"}
	dangerous := []string{"keyspace", "dangerous"}
	k1 := func(c *command.Spec) *command.Spec {
		c.FirstKey, c.LastKey, c.Step = 1, 1, 1
		c.Group = "generic"
		return c
	}
	kN := func(c *command.Spec) *command.Spec {
		c.FirstKey, c.LastKey, c.Step = 1, -1, 1
		c.Group = "generic"
		return c
	}
	k2 := func(c *command.Spec) *command.Spec {
		c.FirstKey, c.LastKey, c.Step = 1, 2, 1
		c.Group = "generic"
		return c
	}
	const expireComplexity = "O(1)"
	objectSub := func(name string, arity int, run func(*command.Exec), summary, since string) *command.Spec {
		c := &command.Spec{Name: "object|" + name, Arity: arity, Flags: r, Run: run, Group: "generic", Summary: summary, Since: since, Complexity: "O(1)"}
		if arity == 3 {
			c.FirstKey, c.LastKey, c.Step = 2, 2, 1
		} else {
			c.Flags = command.FlagLoading | command.FlagStale // OBJECT HELP reads no key
		}
		return c
	}
	return []*command.Spec{
		kN(&command.Spec{Name: "del", Multi: command.MultiSum, Arity: -2, Flags: w, Run: cmdDel, Summary: "Deletes one or more keys.", Since: "1.0.0", Complexity: "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1)."}),
		kN(&command.Spec{Name: "unlink", Multi: command.MultiSum, Arity: -2, Flags: w | command.FlagFast, Run: cmdDel, Summary: "Asynchronously deletes one or more keys.", Since: "4.0.0", Complexity: "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of."}),
		kN(&command.Spec{Name: "exists", Multi: command.MultiSum, Arity: -2, Flags: r | command.FlagFast, Run: cmdExists, Summary: "Determines whether one or more keys exist.", Since: "1.0.0", Complexity: "O(N) where N is the number of keys to check."}),
		kN(&command.Spec{Name: "touch", Multi: command.MultiSum, Arity: -2, Flags: r | command.FlagFast, Run: cmdTouch, Summary: "Returns the number of existing keys out of those specified after updating the time they were last accessed.", Since: "3.2.1", Complexity: "O(N) where N is the number of keys that will be touched."}),
		k1(&command.Spec{Name: "type", Arity: 2, Flags: r | command.FlagFast, Run: cmdType, Summary: "Determines the type of value stored at a key.", Since: "1.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "expire", Arity: -3, Flags: w | command.FlagFast, Run: cmdExpire, Summary: "Sets the expiration time of a key in seconds.", Since: "1.0.0", Complexity: expireComplexity}),
		k1(&command.Spec{Name: "pexpire", Arity: -3, Flags: w | command.FlagFast, Run: cmdPExpire, Summary: "Sets the expiration time of a key in milliseconds.", Since: "2.6.0", Complexity: expireComplexity}),
		k1(&command.Spec{Name: "expireat", Arity: -3, Flags: w | command.FlagFast, Run: cmdExpireAt, Summary: "Sets the expiration time of a key to a Unix timestamp.", Since: "1.2.0", Complexity: expireComplexity}),
		k1(&command.Spec{Name: "pexpireat", Arity: -3, Flags: w | command.FlagFast, Run: cmdPExpireAt, Summary: "Sets the expiration time of a key to a Unix milliseconds timestamp.", Since: "2.6.0", Complexity: expireComplexity}),
		k1(&command.Spec{Name: "expiretime", Arity: 2, Flags: r | command.FlagFast, Run: cmdExpireTime, Summary: "Returns the expiration time of a key as a Unix timestamp.", Since: "7.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "pexpiretime", Arity: 2, Flags: r | command.FlagFast, Run: cmdPExpireTime, Summary: "Returns the expiration time of a key as a Unix milliseconds timestamp.", Since: "7.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "ttl", Arity: 2, Flags: r | command.FlagFast, Run: cmdTTL, Summary: "Returns the expiration time in seconds of a key.", Since: "1.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "pttl", Arity: 2, Flags: r | command.FlagFast, Run: cmdPTTL, Summary: "Returns the expiration time in milliseconds of a key.", Since: "2.6.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "persist", Arity: 2, Flags: w | command.FlagFast, Run: cmdPersist, Summary: "Removes the expiration time of a key.", Since: "2.2.0", Complexity: "O(1)"}),
		{Name: "keys", Multi: command.MultiConcat, Arity: 2, Flags: r | all, Run: cmdKeys, Categories: dangerous, Group: "generic", Summary: "Returns all key names that match a pattern.", Since: "1.0.0", Complexity: "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length."},
		{Name: "scan", Multi: command.MultiRouted, Route: scanRoute, Arity: -2, Flags: r | all, Run: cmdScan, Group: "generic", Summary: "Iterates over the key names in the database.", Since: "2.8.0", Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection."},
		{Name: "randomkey", Multi: command.MultiRandom, Arity: 1, Flags: r | all, Run: cmdRandomKey, Group: "generic", Summary: "Returns a random key name from the database.", Since: "1.0.0", Complexity: "O(1)"},
		k2(&command.Spec{Name: "rename", Arity: 3, Flags: w, Run: cmdRename, Cross: renameCross(false), Summary: "Renames a key and overwrites the destination.", Since: "1.0.0", Complexity: "O(1)"}),
		k2(&command.Spec{Name: "renamenx", Arity: 3, Flags: w | command.FlagFast, Run: cmdRenameNX, Cross: renameCross(true), Summary: "Renames a key only when the target key name doesn't exist.", Since: "1.0.0", Complexity: "O(1)"}),
		k2(&command.Spec{Name: "copy", Arity: -3, Flags: w | command.FlagDenyOOM, Run: cmdCopy, Cross: copyCross, Summary: "Copies the value of a key to a new key.", Since: "6.2.0", Complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values."}),
		k1(&command.Spec{Name: "move", Arity: 3, Flags: w | command.FlagFast, Run: cmdMove, Summary: "Moves a key to another database.", Since: "1.0.0", Complexity: "O(1)"}),
		{Name: "dbsize", Multi: command.MultiSum, Arity: 1, Flags: r | command.FlagFast | all, Run: cmdDBSize, Categories: keyspace, Group: "server", Summary: "Returns the number of keys in the database.", Since: "1.0.0", Complexity: "O(1)"},
		{Name: "flushdb", Multi: command.MultiOK, Arity: -1, Flags: w | all, Run: cmdFlushDB, Categories: dangerous, Group: "server", Summary: "Remove all keys from the current database.", Since: "1.0.0", Complexity: "O(N) where N is the number of keys in the selected database"},
		{Name: "flushall", Multi: command.MultiOK, Arity: -1, Flags: w | all, Run: cmdFlushAll, Categories: dangerous, Group: "server", Summary: "Removes all keys from all databases.", Since: "1.0.0", Complexity: "O(N) where N is the total number of keys in all databases"},
		{Name: "swapdb", Multi: command.MultiOK, Arity: 3, Flags: w | command.FlagFast | all, Run: cmdSwapDB, Categories: dangerous, Group: "server", Summary: "Swaps two Redis databases.", Since: "4.0.0", Complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases."},
		{Name: "object", Arity: -2, Keys: objectKeys, Run: command.RunSubcommand, Group: "generic", Summary: "A container for object introspection commands.", Since: "2.2.3", Complexity: "Depends on subcommand.",
			Subcommands: []*command.Spec{
				objectSub("encoding", 3, cmdObjectEncoding, "Returns the internal encoding of a Redis object.", "2.2.3"),
				objectSub("freq", 3, cmdObjectFreq, "Returns the logarithmic access frequency counter of a Redis object.", "4.0.0"),
				objectSub("idletime", 3, cmdObjectIdleTime, "Returns the time since the last access to a Redis object.", "2.2.3"),
				objectSub("refcount", 3, cmdObjectRefCount, "Returns the reference count of a value of a key.", "2.2.3"),
				objectSub("help", 2, cmdObjectHelp, "Returns helpful text about the different subcommands.", "6.2.0"),
			}},
		k1(&command.Spec{Name: "dump", Arity: 2, Flags: r, Run: cmdDump, Summary: "Returns a serialized representation of the value stored at a key.", Since: "2.6.0", Complexity: "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1)."}),
		k1(&command.Spec{Name: "restore", Arity: -4, Flags: w | command.FlagDenyOOM, Run: cmdRestore, Categories: dangerous, Summary: "Creates a key from the serialized representation of a value.", Since: "2.6.0", Complexity: "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N))."}),
	}
}

// Errors of this family, worded as Redis 7 words them.
const (
	errSameObject   = "ERR source and destination objects are the same"
	errBusyKey      = "BUSYKEY Target key name already exists."
	errBadPayload   = "ERR DUMP payload version or checksum are wrong"
	errBadFormat    = "ERR Bad data format"
	errInvalidCurs  = "ERR invalid cursor"
	errLFUNotActive = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	errLFUActive    = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
)

// typeName is the name TYPE reports for a value type.
func typeName(t byte) string {
	switch t {
	case shard.TypeString:
		return "string"
	case shard.TypeList:
		return "list"
	case shard.TypeSet:
		return "set"
	case shard.TypeZSet:
		return "zset"
	case shard.TypeHash:
		return "hash"
	case shard.TypeStream:
		return "stream"
	}
	return "none"
}

// COPY ... DB). Routing ignores the database, so the key's shard is the one
// the command runs on.

// parseDBIndex parses a database number as Redis's getIntFromObjectOrReply
// followed by selectDb does. It writes the error and returns false when the
// argument is not an int32 (notInt is the message) or out of range.
func parseDBIndex(x *command.Exec, arg []byte, notInt string) (int, bool) {
	v, ok := command.ParseInt(arg)
	if !ok || v < math.MinInt32 || v > math.MaxInt32 {
		x.Err(notInt)
		return 0, false
	}
	if v < 0 || v >= x.Env.ConfigInt("databases") {
		x.Fail(command.ErrDBIndex)
		return 0, false
	}
	return int(v), true
}

// ---- DEL, UNLINK, EXISTS, TOUCH, TYPE ----

// cmdDel implements DEL and UNLINK (memory is reclaimed at once either way;
// freeing an arena cell is O(1)). A key that has expired counts as missing.
func cmdDel(x *command.Exec) {
	n := int64(0)
	for _, key := range x.Args[1:] {
		db := x.DB(key)
		if _, ok := db.Lookup(key, x.Now, shard.NoStats|shard.NoTouch); ok {
			db.Delete(key)
			x.Notify(command.NotifyGeneric, "del", key)
			n++
		}
	}
	x.Count(n)
}

// cmdExists counts the keys that exist; a key named twice counts twice.
func cmdExists(x *command.Exec) {
	n := int64(0)
	for _, key := range x.Args[1:] {
		if _, ok := x.DB(key).Lookup(key, x.Now, shard.NoTouch); ok {
			n++
		}
	}
	x.Count(n)
}

// cmdTouch updates the access time of the keys that exist (even for a
// CLIENT NO-TOUCH client, as in Redis) and counts them.
func cmdTouch(x *command.Exec) {
	n := int64(0)
	for _, key := range x.Args[1:] {
		if _, ok := x.DB(key).Lookup(key, x.Now, 0); ok {
			n++
		}
	}
	x.Count(n)
}

func cmdType(x *command.Exec) {
	db := x.DB(x.Args[1])
	h, ok := db.Lookup(x.Args[1], x.Now, shard.NoTouch)
	if !ok {
		x.Simple("none")
		return
	}
	x.Simple(typeName(db.Type(h)))
}

// ---- EXPIRE family, TTL family, PERSIST ----

// EXPIRE options (Redis's EXPIRE_NX ...).
const (
	expireNX = 1 << iota
	expireXX
	expireGT
	expireLT
)

func cmdExpire(x *command.Exec)    { expireGeneric(x, x.Now, 1000) }
func cmdPExpire(x *command.Exec)   { expireGeneric(x, x.Now, 1) }
func cmdExpireAt(x *command.Exec)  { expireGeneric(x, 0, 1000) }
func cmdPExpireAt(x *command.Exec) { expireGeneric(x, 0, 1) }

// expireGeneric implements EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT (Redis's
// expireGenericCommand): the time argument is in unit ms (1000 or 1) and
// relative to base (now, or 0 for the absolute forms). A time at or before
// now deletes the key and still replies 1.
func expireGeneric(x *command.Exec, base, unit int64) {
	key := x.Args[1]
	flags := 0
	for _, a := range x.Args[3:] {
		switch {
		case command.EqFold(a, "nx"):
			flags |= expireNX
		case command.EqFold(a, "xx"):
			flags |= expireXX
		case command.EqFold(a, "gt"):
			flags |= expireGT
		case command.EqFold(a, "lt"):
			flags |= expireLT
		default:
			x.Err(command.SanitizeError("ERR Unsupported option " + string(a)))
			return
		}
	}
	if flags&expireNX != 0 && flags&(expireXX|expireGT|expireLT) != 0 {
		x.Err("ERR NX and XX, GT or LT options at the same time are not compatible")
		return
	}
	if flags&expireGT != 0 && flags&expireLT != 0 {
		x.Err("ERR GT and LT options at the same time are not compatible")
		return
	}
	when, ok := command.ParseInt(x.Args[2])
	if !ok {
		x.Fail(command.ErrNotInt)
		return
	}
	if unit == 1000 {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			x.ErrInvalidExpire()
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-base {
		x.ErrInvalidExpire()
		return
	}
	when += base

	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, shard.NoStats|x.LookupFlags())
	if !found {
		x.Int(0)
		return
	}
	if flags != 0 {
		cur := db.ExpireAt(h) // 0: no TTL, an infinite one for GT and LT
		switch {
		case flags&expireNX != 0 && cur != 0,
			flags&expireXX != 0 && cur == 0,
			flags&expireGT != 0 && (cur == 0 || when <= cur),
			flags&expireLT != 0 && cur != 0 && when >= cur:
			x.Int(0)
			return
		}
	}
	if when <= x.Now {
		db.Delete(key)
		x.Notify(command.NotifyGeneric, "del", key)
	} else {
		db.SetExpireAt(h, when)
		x.Notify(command.NotifyGeneric, "expire", key)
	}
	x.Int(1)
}

func cmdTTL(x *command.Exec)         { ttlGeneric(x, false, false) }
func cmdPTTL(x *command.Exec)        { ttlGeneric(x, true, false) }
func cmdExpireTime(x *command.Exec)  { ttlGeneric(x, false, true) }
func cmdPExpireTime(x *command.Exec) { ttlGeneric(x, true, true) }

// ttlGeneric implements TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 for a
// missing key, -1 for no TTL, else the remaining time (or the absolute
// time), in seconds rounded to nearest, or in milliseconds.
func ttlGeneric(x *command.Exec, ms, abs bool) {
	db := x.DB(x.Args[1])
	h, ok := db.Lookup(x.Args[1], x.Now, shard.NoTouch)
	if !ok {
		x.Int(-2)
		return
	}
	exp := db.ExpireAt(h)
	if exp == 0 {
		x.Int(-1)
		return
	}
	t := exp
	if !abs {
		t -= x.Now
	}
	if t < 0 {
		t = 0
	}
	if !ms {
		t = (t + 500) / 1000
	}
	x.Int(t)
}

func cmdPersist(x *command.Exec) {
	db := x.DB(x.Args[1])
	h, ok := db.Lookup(x.Args[1], x.Now, shard.NoStats|x.LookupFlags())
	if !ok || db.ExpireAt(h) == 0 {
		x.Int(0)
		return
	}
	db.SetExpireAt(h, 0)
	x.Notify(command.NotifyGeneric, "persist", x.Args[1])
	x.Int(1)
}

// ---- KEYS, SCAN, RANDOMKEY, DBSIZE ----

// randomKeyTries bounds RANDOMKEY's retries when it keeps drawing expired
// keys (each draw deletes the key it found expired, so it makes progress).
const randomKeyTries = 1024

// cmdRandomKey picks a shard in proportion to its key count, then a random
// entry in it; an expired entry is deleted and the draw repeated.
func cmdRandomKey(x *command.Exec) {
	shards := x.Shards()
	for try := 0; try < randomKeyTries; try++ {
		total := uint64(0)
		for _, sh := range shards {
			total += uint64(sh.DB(x.DBIndex).Len())
		}
		if total == 0 {
			break
		}
		pick := x.Env.Rand() % total
		var db *shard.DB
		for _, sh := range shards {
			db = sh.DB(x.DBIndex)
			if l := uint64(db.Len()); pick < l {
				break
			} else {
				pick -= l
			}
		}
		h, ok := db.Random(x.Env.Rand())
		if !ok {
			continue
		}
		if db.IsExpired(h, x.Now) {
			key := append([]byte(nil), db.Key(h)...)
			db.ExpireIfNeeded(key, h, x.Now)
			continue
		}
		if x.IsPiece() {
			// The coordinator draws among the pieces' keys by the
			// weight of each one's shard.
			x.Result.N = int64(db.Len())
			x.Value(db.Key(h), true)
			return
		}
		x.Bulk(db.Key(h))
		return
	}
	if !x.IsPiece() {
		x.Null()
	}
}

// cmdDBSize counts every key of the selected database, including expired
// keys not yet reclaimed (as Redis's dictSize does).
func cmdDBSize(x *command.Exec) {
	n := 0
	for _, sh := range x.Shards() {
		n += sh.DB(x.DBIndex).Len()
	}
	x.Count(int64(n))
}

// ---- RENAME, RENAMENX, COPY, MOVE ----

func cmdRename(x *command.Exec)   { rename(x, false) }
func cmdRenameNX(x *command.Exec) { rename(x, true) }

// rename implements RENAME and RENAMENX (Redis's renameGenericCommand). The
// value keeps its TTL and LFU counter. When the two keys live on different
// shards, renameCross runs instead (cross.go).
func rename(x *command.Exec, nx bool) {
	src, dst := x.Args[1], x.Args[2]
	sdb := x.DB(src)
	h, ok := sdb.Lookup(src, x.Now, shard.NoStats|x.LookupFlags())
	if !ok {
		x.Fail(command.ErrNoKey)
		return
	}
	if bytes.Equal(src, dst) {
		if nx {
			x.Int(0)
		} else {
			x.OK()
		}
		return
	}
	ddb := x.DB(dst)
	_, exists := ddb.Lookup(dst, x.Now, shard.NoStats|shard.NoTouch)
	if exists && nx {
		x.Int(0)
		return
	}
	// The lookup of dst may have deleted an expired entry: take src's
	// handle again rather than rely on it surviving a write.
	h, _ = sdb.Peek(src)
	ddb.MoveFrom(sdb, h, src, dst, x.Now)
	notifyRename(x, exists, src, dst)
	if nx {
		x.Int(1)
	} else {
		x.OK()
	}
}

// cmdCopy implements COPY source destination [DB destination-db] [REPLACE].
// The copy is a new object: its access time and LFU counter start afresh.
func cmdCopy(x *command.Exec) {
	src, dst := x.Args[1], x.Args[2]
	dstIndex, replace, ok := copyOptions(x)
	if !ok {
		return
	}
	sdb := x.DB(src)
	if _, ok := sdb.Lookup(src, x.Now, x.LookupFlags()); !ok {
		x.Int(0)
		return
	}
	ddb := x.DBAt(dst, dstIndex)
	_, exists := ddb.Lookup(dst, x.Now, shard.NoStats|shard.NoTouch)
	if exists && !replace {
		x.Int(0)
		return
	}
	h, _ := sdb.Peek(src)
	ddb.CopyFrom(sdb, h, dst, sdb.ExpireAt(h), false, x.Now)
	notifyCopy(x, exists, dst, dstIndex)
	x.Int(1)
}

// copyOptions parses COPY's options: the destination database and REPLACE.
// It writes the error and returns false when they are wrong, or when the
// copy would be onto the source itself.
func copyOptions(x *command.Exec) (dstIndex int, replace, ok bool) {
	dstIndex = x.DBIndex
	for i := 3; i < len(x.Args); i++ {
		a := x.Args[i]
		switch {
		case command.EqFold(a, "replace"):
			replace = true
		case command.EqFold(a, "db") && i+1 < len(x.Args):
			idx, ok := parseDBIndex(x, x.Args[i+1], command.ErrNotInt.Error())
			if !ok {
				return 0, false, false
			}
			dstIndex = idx
			i++
		default:
			x.Fail(command.ErrSyntax)
			return 0, false, false
		}
	}
	if dstIndex == x.DBIndex && bytes.Equal(x.Args[1], x.Args[2]) {
		x.Fail(command.ErrSameObject)
		return 0, false, false
	}
	return dstIndex, replace, true
}

// cmdMove implements MOVE key db. Both databases are on the key's shard.
func cmdMove(x *command.Exec) {
	key := x.Args[1]
	idx, ok := parseDBIndex(x, x.Args[2], command.ErrNotInt.Error())
	if !ok {
		return
	}
	if idx == x.DBIndex {
		x.Fail(command.ErrSameObject)
		return
	}
	sdb := x.DB(key)
	if _, ok := sdb.Lookup(key, x.Now, shard.NoStats|x.LookupFlags()); !ok {
		x.Int(0)
		return
	}
	ddb := x.DBAt(key, idx)
	if _, exists := ddb.Lookup(key, x.Now, shard.NoStats|shard.NoTouch); exists {
		x.Int(0)
		return
	}
	h, _ := sdb.Peek(key)
	ddb.MoveFrom(sdb, h, key, key, x.Now)
	x.Notify(command.NotifyGeneric, "move_from", key)
	notifyIn(x, idx, command.NotifyGeneric, "move_to", key)
	x.Int(1)
}

// ---- FLUSHDB, FLUSHALL, SWAPDB ----

// parseFlushMode accepts FLUSHDB/FLUSHALL's optional ASYNC or SYNC. Both
// free memory at once: dropping a shard's arena is cheap.
func parseFlushMode(x *command.Exec) bool {
	if len(x.Args) > 2 || (len(x.Args) == 2 && !command.EqFold(x.Args[1], "async") && !command.EqFold(x.Args[1], "sync")) {
		x.Fail(command.ErrSyntax)
		return false
	}
	return true
}

func cmdFlushDB(x *command.Exec) {
	if !parseFlushMode(x) {
		return
	}
	for _, sh := range x.Shards() {
		sh.DB(x.DBIndex).Flush(x.Now)
	}
	x.Done()
}

func cmdFlushAll(x *command.Exec) {
	if !parseFlushMode(x) {
		return
	}
	for _, sh := range x.Shards() {
		sh.FlushAll(x.Now)
	}
	x.Done()
}

// cmdSwapDB swaps two databases on every shard at once (all shards are
// held, so no command sees one shard swapped and another not).
func cmdSwapDB(x *command.Exec) {
	a, ok := parseDBIndex(x, x.Args[1], "ERR invalid first DB index")
	if !ok {
		return
	}
	b, ok := parseDBIndex(x, x.Args[2], "ERR invalid second DB index")
	if !ok {
		return
	}
	for _, sh := range x.Shards() {
		sh.SwapDB(a, b, x.Now)
	}
	x.Done()
}

// ---- OBJECT ----
