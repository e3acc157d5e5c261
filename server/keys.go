package server

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/anaxdb/anax/internal/glob"
	"github.com/anaxdb/anax/protocol/resp"
	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/snapshot/rdb"
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
// on the key's shard.

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

// isAllPattern reports whether pattern matches every key ("*"), which
// skips matching altogether, as Redis does.
func isAllPattern(p []byte) bool { return len(p) == 1 && p[0] == '*' }

// cmdKeys replies with every live key of the selected database that
// matches the pattern, shard by shard. Expired keys are skipped (the
// active sweep or a later access reclaims them).
func cmdKeys(x *Exec) {
	pattern := x.Args[1]
	all := isAllPattern(pattern)
	var body []byte
	n := 0
	for _, sh := range x.Shards() {
		db := sh.DB(x.DBIndex)
		db.ForEach(func(h shard.Handle) bool {
			if db.IsExpired(h, x.Now) {
				return true
			}
			k := db.Key(h)
			if all || glob.Match(pattern, k, false) {
				body = resp.AppendBulk(body, k)
				n++
			}
			return true
		})
	}
	x.Array(n)
	x.Out = append(x.Out, body...)
}

// SCAN cursors: with one shard the client cursor is the table cursor (see
// shard.DB.Scan). With several, it is tableCursor<<scanShardBits | shard:
// the iteration walks shard 0's table, then shard 1's, and so on, each call
// on the shard its cursor names. Table
// cursors stay below 2^48, so the result fits in 64 bits; a cursor naming
// a shard that does not exist ends the iteration.
const (
	scanShardBits = 10
	scanShardMask = 1<<scanShardBits - 1
)

// parseScanCursor parses a cursor as Redis does (strtoull, base 10): an
// optional sign ('-' negates modulo 2^64), decimal digits, no spaces; the
// empty string is cursor 0.
func parseScanCursor(b []byte) (uint64, bool) {
	neg := false
	i := 0
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		i = 1
		if len(b) == 1 {
			return 0, false
		}
	}
	var v uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (math.MaxUint64-uint64(c-'0'))/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// scanState is one SCAN call in progress. A call that reaches the end of a
// shard's table with room left continues on the next shard (dispatch.go
// moves it there), so it carries what it has found so far.
type scanState struct {
	count          int64
	pattern, typ   []byte
	si, tc         uint64
	body           []byte
	found          int
	visited, steps int64
	// next is the shard to continue on, or -1 when the reply is written.
	next int
	// peek: the call has used its count; it moves on only past empty
	// shards, to name the next shard with keys (or end the walk).
	peek   bool
	parsed bool
}

// parseScan reads SCAN's arguments into a new state, or writes the error.
func parseScan(x *Exec) (*scanState, bool) {
	cursor, ok := parseScanCursor(x.Args[1])
	if !ok {
		x.Err(errInvalidCurs)
		return nil, false
	}
	st := &scanState{count: 10, next: -1, parsed: true}
	for i := 2; i < len(x.Args); i += 2 {
		a := x.Args[i]
		if i+1 >= len(x.Args) {
			x.Err(errSyntax)
			return nil, false
		}
		switch {
		case eqFold(a, "count"):
			v, ok := parseInt(x.Args[i+1])
			if !ok {
				x.Err(errNotInt)
				return nil, false
			}
			if v < 1 {
				x.Err(errSyntax)
				return nil, false
			}
			st.count = v
		case eqFold(a, "match"):
			st.pattern = x.Args[i+1]
		case eqFold(a, "type"):
			st.typ = x.Args[i+1]
		default:
			x.Err(errSyntax)
			return nil, false
		}
	}
	if st.pattern != nil && isAllPattern(st.pattern) {
		st.pattern = nil
	}
	st.tc = cursor
	if x.s.router.N() > 1 {
		st.si, st.tc = cursor&scanShardMask, cursor>>scanShardBits
	}
	return st, true
}

// cmdScan scans the shard it runs on (the one its cursor names); an empty
// table is skipped outright. When that table ends and x.scan is set by the
// dispatcher, it leaves the reply unwritten and names the next shard in
// x.scan.next (to scan on with room left, or only to skip it if empty);
// otherwise it replies, and the cursor names the next shard.
func cmdScan(x *Exec) {
	st := x.scan
	if st == nil || !st.parsed {
		var ok bool
		if st, ok = parseScan(x); !ok {
			return
		}
		if x.scan != nil {
			*x.scan = *st
			st = x.scan
		}
	}
	st.next = -1
	typName := string(st.typ)
	n := uint64(x.s.router.N())
	var expired []byte
	var expiredEnds []int
	done := st.si >= n
	// As Redis: stop once count entries were visited (before filtering) or
	// after count*10 steps, so that a sparse table cannot make one call long.
	maxSteps := st.count * 10
	db := x.home.DB(x.DBIndex)
	switch {
	case done:
	case db.Len() == 0:
		// An empty table has nothing to visit, but its cursor would still
		// step through every bucket: skip it without counting steps.
		st.tc = 0
		st.si++
		done = st.si >= n
	case st.peek:
		// Only looking for the next shard with keys: this is it.
	default:
		for st.visited < st.count && st.steps < maxSteps {
			st.steps++
			expired, expiredEnds = expired[:0], expiredEnds[:0]
			st.tc = db.Scan(st.tc, func(h shard.Handle) {
				st.visited++
				k := db.Key(h)
				if db.IsExpired(h, x.Now) {
					expired = append(expired, k...)
					expiredEnds = append(expiredEnds, len(expired))
					return
				}
				if st.pattern != nil && !glob.Match(st.pattern, k, false) {
					return
				}
				if st.typ != nil && !strings.EqualFold(typName, typeName(db.Type(h))) {
					return
				}
				st.body = resp.AppendBulk(st.body, k)
				st.found++
			})
			// Reclaim what the step found expired (Scan's callback must not
			// write), as Redis's SCAN does through expireIfNeeded.
			start := 0
			for _, end := range expiredEnds {
				db.Lookup(expired[start:end], x.Now, shard.NoStats|shard.NoTouch)
				start = end
			}
			if st.tc == 0 {
				st.si++
				done = st.si >= n
				break
			}
		}
	}
	// This shard's table ended (or was skipped) and another follows: move
	// the call there when the dispatcher can. With room left it scans on;
	// without, it only looks whether that shard is empty, so that a reply
	// never names a shard with nothing left to visit (an empty database
	// answers cursor 0 at once, and so does a walk whose remaining shards
	// are empty). Each shard is looked at by its own loop, after the hops
	// the client posted there before this SCAN.
	if !done && st.tc == 0 && x.scan != nil && !(st.peek && db.Len() > 0) {
		st.peek = st.peek || st.visited >= st.count || st.steps >= maxSteps
		st.next = int(st.si)
		return
	}
	var next uint64
	switch {
	case done:
		next = 0
	case n > 1:
		next = st.tc<<scanShardBits | st.si
	default:
		next = st.tc
	}
	var tmp [24]byte
	x.Array(2)
	x.Bulk(strconv.AppendUint(tmp[:0], next, 10))
	x.Array(st.found)
	x.Out = append(x.Out, st.body...)
}

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

// objectKeys finds OBJECT's key: the argument after a subcommand that
// takes one. OBJECT runs its subcommands with runSubcommand (admin.go).
func objectKeys(args [][]byte, dst []int) []int {
	if len(args) < 3 {
		return dst
	}
	sub := args[1]
	if eqFold(sub, "encoding") || eqFold(sub, "freq") || eqFold(sub, "idletime") || eqFold(sub, "refcount") {
		dst = append(dst, 2)
	}
	return dst
}

// objectLookup finds OBJECT's key without touching it; it replies null and
// returns false when the key is missing.
func (x *Exec) objectLookup() (*shard.DB, shard.Handle, bool) {
	db := x.DB(x.Args[2])
	h, ok := db.Lookup(x.Args[2], x.Now, shard.NoTouch)
	if !ok {
		x.Null()
	}
	return db, h, ok
}

// stringEncoding names a string's encoding as Redis's tryObjectEncoding
// would choose it: "int" for the canonical decimal form of an int64,
// "embstr" up to 44 bytes, else "raw"; APPEND and SETRANGE force "raw".
func stringEncoding(db *shard.DB, h shard.Handle) string {
	if db.Encoding(h) == shard.EncRaw {
		return "raw"
	}
	v := db.Value(h)
	if _, ok := parseInt(v); ok {
		return "int"
	}
	if len(v) <= 44 {
		return "embstr"
	}
	return "raw"
}

func cmdObjectEncoding(x *Exec) {
	db, h, ok := x.objectLookup()
	if !ok {
		return
	}
	x.BulkString(stringEncoding(db, h))
}

// lfuPolicy reports whether maxmemory-policy is an LFU one.
func (x *Exec) lfuPolicy() bool {
	return strings.HasSuffix(x.s.cfg.String("maxmemory-policy"), "-lfu")
}

func cmdObjectFreq(x *Exec) {
	db, h, ok := x.objectLookup()
	if !ok {
		return
	}
	if !x.lfuPolicy() {
		x.Err(errLFUNotActive)
		return
	}
	x.Int(int64(db.Freq(h)))
}

func cmdObjectIdleTime(x *Exec) {
	db, h, ok := x.objectLookup()
	if !ok {
		return
	}
	if x.lfuPolicy() {
		x.Err(errLFUActive)
		return
	}
	idle := x.Now/1000 - db.AccessTime(h)
	if idle < 0 {
		idle = 0
	}
	x.Int(idle)
}

// sharedRefCount is what Redis reports for its shared integer objects.
const sharedRefCount = math.MaxInt32

// cmdObjectRefCount reports 1, except for the values Redis would hold as a
// shared integer object (0..9999 with int encoding, unless maxmemory is set
// with an LRU or LFU policy), for which it reports INT_MAX as Redis does.
func cmdObjectRefCount(x *Exec) {
	db, h, ok := x.objectLookup()
	if !ok {
		return
	}
	if db.Encoding(h) != shard.EncRaw {
		if v, ok := parseInt(db.Value(h)); ok && v >= 0 && v < 10000 {
			policy := x.s.cfg.String("maxmemory-policy")
			if x.s.cfg.Int("maxmemory") == 0 || !(strings.HasSuffix(policy, "-lru") || strings.HasSuffix(policy, "-lfu")) {
				x.Int(sharedRefCount)
				return
			}
		}
	}
	x.Int(1)
}

var objectHelp = []string{
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
}

func cmdObjectHelp(x *Exec) { x.replyHelp(objectHelp) }

// ---- DUMP, RESTORE ----

// cmdDump replies with the key's value in Redis's DUMP format (RDB
// encoding, RDB version 11 and CRC64), which redis-server's RESTORE accepts.
func cmdDump(x *Exec) {
	db := x.DB(x.Args[1])
	h, ok := db.Lookup(x.Args[1], x.Now, x.lookupFlags())
	if !ok {
		x.Null()
		return
	}
	x.Bulk(rdb.DumpString(nil, db.Value(h)))
}

// cmdRestore implements RESTORE key ttl payload [REPLACE] [ABSTTL]
// [IDLETIME seconds] [FREQ frequency] (Redis's restoreCommand, checks in
// the same order). Only string payloads can be held; any other type is
// "Bad data format".
func cmdRestore(x *Exec) {
	key := x.Args[1]
	replace, absTTL := false, false
	idle, freq := int64(-1), int64(-1)
	for i := 4; i < len(x.Args); i++ {
		a := x.Args[i]
		more := i+1 < len(x.Args)
		switch {
		case eqFold(a, "replace"):
			replace = true
		case eqFold(a, "absttl"):
			absTTL = true
		case eqFold(a, "idletime") && more && freq == -1:
			v, ok := parseInt(x.Args[i+1])
			if !ok {
				x.Err(errNotInt)
				return
			}
			if v < 0 {
				x.Err("ERR Invalid IDLETIME value, must be >= 0")
				return
			}
			idle = v
			i++
		case eqFold(a, "freq") && more && idle == -1:
			v, ok := parseInt(x.Args[i+1])
			if !ok {
				x.Err(errNotInt)
				return
			}
			if v < 0 || v > 255 {
				x.Err("ERR Invalid FREQ value, must be >= 0 and <= 255")
				return
			}
			freq = v
			i++
		default:
			x.Err(errSyntax)
			return
		}
	}
	db := x.DB(key)
	if !replace {
		if _, exists := db.Lookup(key, x.Now, shard.NoStats|shard.NoTouch); exists {
			x.Err(errBusyKey)
			return
		}
	}
	ttl, ok := parseInt(x.Args[2])
	if !ok {
		x.Err(errNotInt)
		return
	}
	if ttl < 0 {
		x.Err("ERR Invalid TTL value, must be >= 0")
		return
	}
	_, val, err := rdb.DecodeDump(x.Args[3])
	if err != nil {
		if errors.Is(err, rdb.ErrBadChecksum) {
			x.Err(errBadPayload)
		} else {
			x.Err(errBadFormat)
		}
		return
	}
	if replace {
		db.Delete(key)
	}
	if ttl != 0 && !absTTL {
		ttl += x.Now // wraps on overflow, then counts as expired, as in Redis
	}
	if ttl != 0 && ttl <= x.Now {
		x.OK()
		return
	}
	db.SetString(key, val, ttl, false, shard.EncAuto, x.Now)
	if idle >= 0 || freq >= 0 {
		h, _ := db.Peek(key)
		switch {
		case x.lfuPolicy() && freq >= 0:
			db.SetFreq(h, byte(freq))
		case !x.lfuPolicy() && idle >= 0:
			db.SetAccessTime(h, x.Now/1000-idle)
		}
	}
	x.OK()
}
