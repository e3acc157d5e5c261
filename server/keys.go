package server

import (
	"bytes"
	"math"

	"github.com/anaxdb/anax/shard"
)

// The keyspace family (Redis's db.c, expire.c and the OBJECT, DUMP and
// RESTORE parts of object.c and cluster.c): commands that act on keys
// whatever their type, and on whole databases.
//
// Routing (see Exec and txexec.go): single-key commands run on the key's
// shard; DEL, EXISTS, TOUCH and UNLINK are split over the shards of their
// keys, RENAME and COPY gathered, when their keys span shards; KEYS,
// RANDOMKEY, DBSIZE, FLUSHDB, FLUSHALL and SWAPDB are FlagAllShards and run
// on every shard, each seeing its own through x.Shards(); SCAN runs on the
// shard its cursor names. Every numbered database of a key lives on the
// same shard (routing ignores the database), so MOVE and COPY ... DB stay
// on the key's shard. KEYS and SCAN are in keys_scan.go; OBJECT, DUMP and
// RESTORE in keys_object.go.

func (s *Server) keyCommands() []*Command {
	w := FlagWrite
	r := FlagReadOnly
	all := FlagAllShards
	// The server-group commands below act on the keyspace: Redis lists
	// them in @keyspace (and the destructive ones in @dangerous).
	keyspace := []string{"keyspace"}
	dangerous := []string{"keyspace", "dangerous"}
	k1 := func(c *Command) *Command { c.FirstKey, c.LastKey, c.Step = 1, 1, 1; c.Group = "generic"; return c }
	kN := func(c *Command) *Command { c.FirstKey, c.LastKey, c.Step = 1, -1, 1; c.Group = "generic"; return c }
	k2 := func(c *Command) *Command { c.FirstKey, c.LastKey, c.Step = 1, 2, 1; c.Group = "generic"; return c }
	const expireComplexity = "O(1)"
	objectSub := func(name string, arity int, run func(*Exec), summary, since string) *Command {
		c := &Command{Name: "object|" + name, Arity: arity, Flags: r, Run: run, Group: "generic", Summary: summary, Since: since, Complexity: "O(1)"}
		if arity == 3 {
			c.FirstKey, c.LastKey, c.Step = 2, 2, 1
		} else {
			c.Flags = FlagLoading | FlagStale // OBJECT HELP reads no key
		}
		return c
	}
	return []*Command{
		kN(&Command{Name: "del", Multi: multiSum, Arity: -2, Flags: w, Run: cmdDel, Summary: "Deletes one or more keys.", Since: "1.0.0", Complexity: "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1)."}),
		kN(&Command{Name: "unlink", Multi: multiSum, Arity: -2, Flags: w | FlagFast, Run: cmdDel, Summary: "Asynchronously deletes one or more keys.", Since: "4.0.0", Complexity: "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of."}),
		kN(&Command{Name: "exists", Multi: multiSum, Arity: -2, Flags: r | FlagFast, Run: cmdExists, Summary: "Determines whether one or more keys exist.", Since: "1.0.0", Complexity: "O(N) where N is the number of keys to check."}),
		kN(&Command{Name: "touch", Multi: multiSum, Arity: -2, Flags: r | FlagFast, Run: cmdTouch, Summary: "Returns the number of existing keys out of those specified after updating the time they were last accessed.", Since: "3.2.1", Complexity: "O(N) where N is the number of keys that will be touched."}),
		k1(&Command{Name: "type", Arity: 2, Flags: r | FlagFast, Run: cmdType, Summary: "Determines the type of value stored at a key.", Since: "1.0.0", Complexity: "O(1)"}),
		k1(&Command{Name: "expire", Arity: -3, Flags: w | FlagFast, Run: cmdExpire, Summary: "Sets the expiration time of a key in seconds.", Since: "1.0.0", Complexity: expireComplexity}),
		k1(&Command{Name: "pexpire", Arity: -3, Flags: w | FlagFast, Run: cmdPExpire, Summary: "Sets the expiration time of a key in milliseconds.", Since: "2.6.0", Complexity: expireComplexity}),
		k1(&Command{Name: "expireat", Arity: -3, Flags: w | FlagFast, Run: cmdExpireAt, Summary: "Sets the expiration time of a key to a Unix timestamp.", Since: "1.2.0", Complexity: expireComplexity}),
		k1(&Command{Name: "pexpireat", Arity: -3, Flags: w | FlagFast, Run: cmdPExpireAt, Summary: "Sets the expiration time of a key to a Unix milliseconds timestamp.", Since: "2.6.0", Complexity: expireComplexity}),
		k1(&Command{Name: "expiretime", Arity: 2, Flags: r | FlagFast, Run: cmdExpireTime, Summary: "Returns the expiration time of a key as a Unix timestamp.", Since: "7.0.0", Complexity: "O(1)"}),
		k1(&Command{Name: "pexpiretime", Arity: 2, Flags: r | FlagFast, Run: cmdPExpireTime, Summary: "Returns the expiration time of a key as a Unix milliseconds timestamp.", Since: "7.0.0", Complexity: "O(1)"}),
		k1(&Command{Name: "ttl", Arity: 2, Flags: r | FlagFast, Run: cmdTTL, Summary: "Returns the expiration time in seconds of a key.", Since: "1.0.0", Complexity: "O(1)"}),
		k1(&Command{Name: "pttl", Arity: 2, Flags: r | FlagFast, Run: cmdPTTL, Summary: "Returns the expiration time in milliseconds of a key.", Since: "2.6.0", Complexity: "O(1)"}),
		k1(&Command{Name: "persist", Arity: 2, Flags: w | FlagFast, Run: cmdPersist, Summary: "Removes the expiration time of a key.", Since: "2.2.0", Complexity: "O(1)"}),
		{Name: "keys", Multi: multiConcat, Arity: 2, Flags: r | all, Run: cmdKeys, Categories: dangerous, Group: "generic", Summary: "Returns all key names that match a pattern.", Since: "1.0.0", Complexity: "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length."},
		{Name: "scan", Multi: multiScan, Arity: -2, Flags: r | all, Run: cmdScan, Group: "generic", Summary: "Iterates over the key names in the database.", Since: "2.8.0", Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection."},
		{Name: "randomkey", Multi: multiRandom, Arity: 1, Flags: r | all, Run: cmdRandomKey, Group: "generic", Summary: "Returns a random key name from the database.", Since: "1.0.0", Complexity: "O(1)"},
		k2(&Command{Name: "rename", Arity: 3, Flags: w, Run: cmdRename, Summary: "Renames a key and overwrites the destination.", Since: "1.0.0", Complexity: "O(1)"}),
		k2(&Command{Name: "renamenx", Arity: 3, Flags: w | FlagFast, Run: cmdRenameNX, Summary: "Renames a key only when the target key name doesn't exist.", Since: "1.0.0", Complexity: "O(1)"}),
		k2(&Command{Name: "copy", Arity: -3, Flags: w | FlagDenyOOM, Run: cmdCopy, Summary: "Copies the value of a key to a new key.", Since: "6.2.0", Complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values."}),
		k1(&Command{Name: "move", Arity: 3, Flags: w | FlagFast, Run: cmdMove, Summary: "Moves a key to another database.", Since: "1.0.0", Complexity: "O(1)"}),
		{Name: "dbsize", Multi: multiSum, Arity: 1, Flags: r | FlagFast | all, Run: cmdDBSize, Categories: keyspace, Group: "server", Summary: "Returns the number of keys in the database.", Since: "1.0.0", Complexity: "O(1)"},
		{Name: "flushdb", Multi: multiOK, Arity: -1, Flags: w | all, Run: cmdFlushDB, Categories: dangerous, Group: "server", Summary: "Remove all keys from the current database.", Since: "1.0.0", Complexity: "O(N) where N is the number of keys in the selected database"},
		{Name: "flushall", Multi: multiOK, Arity: -1, Flags: w | all, Run: cmdFlushAll, Categories: dangerous, Group: "server", Summary: "Removes all keys from all databases.", Since: "1.0.0", Complexity: "O(N) where N is the total number of keys in all databases"},
		{Name: "swapdb", Multi: multiOK, Arity: 3, Flags: w | FlagFast | all, Run: cmdSwapDB, Categories: dangerous, Group: "server", Summary: "Swaps two Redis databases.", Since: "4.0.0", Complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases."},
		{Name: "object", Arity: -2, Keys: objectKeys, Run: runSubcommand, Group: "generic", Summary: "A container for object introspection commands.", Since: "2.2.3", Complexity: "Depends on subcommand.",
			Subcommands: []*Command{
				objectSub("encoding", 3, cmdObjectEncoding, "Returns the internal encoding of a Redis object.", "2.2.3"),
				objectSub("freq", 3, cmdObjectFreq, "Returns the logarithmic access frequency counter of a Redis object.", "4.0.0"),
				objectSub("idletime", 3, cmdObjectIdleTime, "Returns the time since the last access to a Redis object.", "2.2.3"),
				objectSub("refcount", 3, cmdObjectRefCount, "Returns the reference count of a value of a key.", "2.2.3"),
				objectSub("help", 2, cmdObjectHelp, "Returns helpful text about the different subcommands.", "6.2.0"),
			}},
		k1(&Command{Name: "dump", Arity: 2, Flags: r, Run: cmdDump, Summary: "Returns a serialized representation of the value stored at a key.", Since: "2.6.0", Complexity: "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1)."}),
		k1(&Command{Name: "restore", Arity: -4, Flags: w | FlagDenyOOM, Run: cmdRestore, Categories: dangerous, Summary: "Creates a key from the serialized representation of a value.", Since: "2.6.0", Complexity: "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N))."}),
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
	}
	return "none"
}

// dbAt is DB(key) for database index rather than the selected one (MOVE,
// COPY ... DB). Routing ignores the database, so the key's shard is the one
// the command runs on.
func (x *Exec) dbAt(key []byte, index int) *shard.DB { return x.home.DB(index) }

// parseDBIndex parses a database number as Redis's getIntFromObjectOrReply
// followed by selectDb does. It writes the error and returns false when the
// argument is not an int32 (notInt is the message) or out of range.
func (x *Exec) parseDBIndex(arg []byte, notInt string) (int, bool) {
	v, ok := parseInt(arg)
	if !ok || v < math.MinInt32 || v > math.MaxInt32 {
		x.Err(notInt)
		return 0, false
	}
	if v < 0 || v >= int64(x.home.NumDB()) {
		x.Err(errDBIndex)
		return 0, false
	}
	return int(v), true
}

// ---- DEL, UNLINK, EXISTS, TOUCH, TYPE ----

// cmdDel implements DEL and UNLINK (memory is reclaimed at once either way;
// freeing an arena cell is O(1)). A key that has expired counts as missing.
func cmdDel(x *Exec) {
	n := int64(0)
	for _, key := range x.Args[1:] {
		db := x.DB(key)
		if _, ok := db.Lookup(key, x.Now, shard.NoStats|shard.NoTouch); ok {
			db.Delete(key)
			n++
		}
	}
	x.Int(n)
}

// cmdExists counts the keys that exist; a key named twice counts twice.
func cmdExists(x *Exec) {
	n := int64(0)
	for _, key := range x.Args[1:] {
		if _, ok := x.DB(key).Lookup(key, x.Now, shard.NoTouch); ok {
			n++
		}
	}
	x.Int(n)
}

// cmdTouch updates the access time of the keys that exist (even for a
// CLIENT NO-TOUCH client, as in Redis) and counts them.
func cmdTouch(x *Exec) {
	n := int64(0)
	for _, key := range x.Args[1:] {
		if _, ok := x.DB(key).Lookup(key, x.Now, 0); ok {
			n++
		}
	}
	x.Int(n)
}

func cmdType(x *Exec) {
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

func cmdExpire(x *Exec)    { x.expireGeneric(x.Now, 1000) }
func cmdPExpire(x *Exec)   { x.expireGeneric(x.Now, 1) }
func cmdExpireAt(x *Exec)  { x.expireGeneric(0, 1000) }
func cmdPExpireAt(x *Exec) { x.expireGeneric(0, 1) }

// expireGeneric implements EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT (Redis's
// expireGenericCommand): the time argument is in unit ms (1000 or 1) and
// relative to base (now, or 0 for the absolute forms). A time at or before
// now deletes the key and still replies 1.
func (x *Exec) expireGeneric(base, unit int64) {
	key := x.Args[1]
	flags := 0
	for _, a := range x.Args[3:] {
		switch {
		case eqFold(a, "nx"):
			flags |= expireNX
		case eqFold(a, "xx"):
			flags |= expireXX
		case eqFold(a, "gt"):
			flags |= expireGT
		case eqFold(a, "lt"):
			flags |= expireLT
		default:
			x.Err(sanitizeError("ERR Unsupported option " + string(a)))
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
	when, ok := parseInt(x.Args[2])
	if !ok {
		x.Err(errNotInt)
		return
	}
	if unit == 1000 {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			x.errInvalidExpire()
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-base {
		x.errInvalidExpire()
		return
	}
	when += base

	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, shard.NoStats|x.lookupFlags())
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
	} else {
		db.SetExpireAt(h, when)
	}
	x.Int(1)
}

func cmdTTL(x *Exec)         { x.ttlGeneric(false, false) }
func cmdPTTL(x *Exec)        { x.ttlGeneric(true, false) }
func cmdExpireTime(x *Exec)  { x.ttlGeneric(false, true) }
func cmdPExpireTime(x *Exec) { x.ttlGeneric(true, true) }

// ttlGeneric implements TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 for a
// missing key, -1 for no TTL, else the remaining time (or the absolute
// time), in seconds rounded to nearest, or in milliseconds.
func (x *Exec) ttlGeneric(ms, abs bool) {
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

func cmdPersist(x *Exec) {
	db := x.DB(x.Args[1])
	h, ok := db.Lookup(x.Args[1], x.Now, shard.NoStats|x.lookupFlags())
	if !ok || db.ExpireAt(h) == 0 {
		x.Int(0)
		return
	}
	db.SetExpireAt(h, 0)
	x.Int(1)
}

// ---- KEYS, SCAN, RANDOMKEY, DBSIZE ----

// randomKeyTries bounds RANDOMKEY's retries when it keeps drawing expired
// keys (each draw deletes the key it found expired, so it makes progress).
const randomKeyTries = 1024

// cmdRandomKey picks a shard in proportion to its key count, then a random
// entry in it; an expired entry is deleted and the draw repeated.
func cmdRandomKey(x *Exec) {
	shards := x.Shards()
	for try := 0; try < randomKeyTries; try++ {
		total := uint64(0)
		for _, sh := range shards {
			total += uint64(sh.DB(x.DBIndex).Len())
		}
		if total == 0 {
			break
		}
		pick := x.s.rand() % total
		var db *shard.DB
		for _, sh := range shards {
			db = sh.DB(x.DBIndex)
			if l := uint64(db.Len()); pick < l {
				break
			} else {
				pick -= l
			}
		}
		h, ok := db.Random(x.s.rand())
		if !ok {
			continue
		}
		if db.IsExpired(h, x.Now) {
			key := append([]byte(nil), db.Key(h)...)
			db.ExpireIfNeeded(key, h, x.Now)
			continue
		}
		x.Bulk(db.Key(h))
		return
	}
	x.Null()
}

// cmdDBSize counts every key of the selected database, including expired
// keys not yet reclaimed (as Redis's dictSize does).
func cmdDBSize(x *Exec) {
	n := 0
	for _, sh := range x.Shards() {
		n += sh.DB(x.DBIndex).Len()
	}
	x.Int(int64(n))
}

// ---- RENAME, RENAMENX, COPY, MOVE ----

func cmdRename(x *Exec)   { x.rename(false) }
func cmdRenameNX(x *Exec) { x.rename(true) }

// rename implements RENAME and RENAMENX (Redis's renameGenericCommand). The
// value keeps its TTL and LFU counter; the two keys may live on different
// shards (the command is then gathered onto a scratch shard; txexec.go).
func (x *Exec) rename(nx bool) {
	src, dst := x.Args[1], x.Args[2]
	sdb := x.DB(src)
	h, ok := sdb.Lookup(src, x.Now, shard.NoStats|x.lookupFlags())
	if !ok {
		x.Err(errNoKey)
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
	if _, exists := ddb.Lookup(dst, x.Now, shard.NoStats|shard.NoTouch); exists && nx {
		x.Int(0)
		return
	}
	// The lookup of dst may have deleted an expired entry: take src's
	// handle again rather than rely on it surviving a write.
	h, _ = sdb.Peek(src)
	ddb.CopyFrom(sdb, h, dst, sdb.ExpireAt(h), true, x.Now)
	sdb.Delete(src)
	if nx {
		x.Int(1)
	} else {
		x.OK()
	}
}

// cmdCopy implements COPY source destination [DB destination-db] [REPLACE].
// The copy is a new object: its access time and LFU counter start afresh.
func cmdCopy(x *Exec) {
	src, dst := x.Args[1], x.Args[2]
	dstIndex := x.DBIndex
	replace := false
	for i := 3; i < len(x.Args); i++ {
		a := x.Args[i]
		switch {
		case eqFold(a, "replace"):
			replace = true
		case eqFold(a, "db") && i+1 < len(x.Args):
			idx, ok := x.parseDBIndex(x.Args[i+1], errNotInt)
			if !ok {
				return
			}
			dstIndex = idx
			i++
		default:
			x.Err(errSyntax)
			return
		}
	}
	if dstIndex == x.DBIndex && bytes.Equal(src, dst) {
		x.Err(errSameObject)
		return
	}
	sdb := x.DB(src)
	if _, ok := sdb.Lookup(src, x.Now, x.lookupFlags()); !ok {
		x.Int(0)
		return
	}
	ddb := x.dbAt(dst, dstIndex)
	if _, exists := ddb.Lookup(dst, x.Now, shard.NoStats|shard.NoTouch); exists && !replace {
		x.Int(0)
		return
	}
	h, _ := sdb.Peek(src)
	ddb.CopyFrom(sdb, h, dst, sdb.ExpireAt(h), false, x.Now)
	x.Int(1)
}

// cmdMove implements MOVE key db. Both databases are on the key's shard.
func cmdMove(x *Exec) {
	key := x.Args[1]
	idx, ok := x.parseDBIndex(x.Args[2], errNotInt)
	if !ok {
		return
	}
	if idx == x.DBIndex {
		x.Err(errSameObject)
		return
	}
	sdb := x.DB(key)
	if _, ok := sdb.Lookup(key, x.Now, shard.NoStats|x.lookupFlags()); !ok {
		x.Int(0)
		return
	}
	ddb := x.dbAt(key, idx)
	if _, exists := ddb.Lookup(key, x.Now, shard.NoStats|shard.NoTouch); exists {
		x.Int(0)
		return
	}
	h, _ := sdb.Peek(key)
	ddb.CopyFrom(sdb, h, key, sdb.ExpireAt(h), true, x.Now)
	sdb.Delete(key)
	x.Int(1)
}

// ---- FLUSHDB, FLUSHALL, SWAPDB ----

// parseFlushMode accepts FLUSHDB/FLUSHALL's optional ASYNC or SYNC. Both
// free memory at once: dropping a shard's arena is cheap.
func (x *Exec) parseFlushMode() bool {
	if len(x.Args) > 2 || (len(x.Args) == 2 && !eqFold(x.Args[1], "async") && !eqFold(x.Args[1], "sync")) {
		x.Err(errSyntax)
		return false
	}
	return true
}

func cmdFlushDB(x *Exec) {
	if !x.parseFlushMode() {
		return
	}
	for _, sh := range x.Shards() {
		sh.DB(x.DBIndex).Flush(x.Now)
	}
	x.OK()
}

func cmdFlushAll(x *Exec) {
	if !x.parseFlushMode() {
		return
	}
	for _, sh := range x.Shards() {
		sh.FlushAll(x.Now)
	}
	x.OK()
}

// cmdSwapDB swaps two databases on every shard at once (all shards are
// held, so no command sees one shard swapped and another not).
func cmdSwapDB(x *Exec) {
	a, ok := x.parseDBIndex(x.Args[1], "ERR invalid first DB index")
	if !ok {
		return
	}
	b, ok := x.parseDBIndex(x.Args[2], "ERR invalid second DB index")
	if !ok {
		return
	}
	for _, sh := range x.Shards() {
		sh.SwapDB(a, b, x.Now)
	}
	x.OK()
}

// ---- OBJECT ----
