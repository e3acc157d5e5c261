package hashcmd

import (
	"math"

	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// Hash field expiry: Redis 7.4's HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT,
// HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME and HPERSIST, with 7.4's replies,
// error strings and order of checks (t_hash.c), and KeyDB's EXPIREMEMBER,
// EXPIREMEMBERAT and PEXPIREMEMBERAT for hash fields, set members and
// sorted-set members. The shard half is
// shard/hash_ttl.go.

// expireCommands returns the specs of the field-expiry commands.
func expireCommands(k1 func(*command.Spec) *command.Spec) []*command.Spec {
	w := command.FlagWrite | command.FlagDenyOOM | command.FlagFast
	r := command.FlagReadOnly | command.FlagFast
	const on = "O(N) where N is the number of specified fields"
	// KeyDB's commands act on hash, set and sorted-set members: KeyDB
	// files them under @keyspace.
	generic := func(c *command.Spec) *command.Spec {
		c = k1(c)
		c.Group = "generic"
		return c
	}
	return []*command.Spec{
		k1(&command.Spec{Name: "hexpire", Arity: -6, Flags: w, Run: cmdHExpire, Summary: "Set expiry for hash field using relative time to expire (seconds)", Since: "7.4.0", Complexity: on}),
		k1(&command.Spec{Name: "hpexpire", Arity: -6, Flags: w, Run: cmdHExpire, Summary: "Set expiry for hash field using relative time to expire (milliseconds)", Since: "7.4.0", Complexity: on}),
		k1(&command.Spec{Name: "hexpireat", Arity: -6, Flags: w, Run: cmdHExpire, Summary: "Set expiry for hash field using an absolute Unix timestamp (seconds)", Since: "7.4.0", Complexity: on}),
		k1(&command.Spec{Name: "hpexpireat", Arity: -6, Flags: w, Run: cmdHExpire, Summary: "Set expiry for hash field using an absolute Unix timestamp (milliseconds)", Since: "7.4.0", Complexity: on}),
		k1(&command.Spec{Name: "httl", Arity: -5, Flags: r, Run: cmdHTTL, Summary: "Returns the TTL in seconds of a hash field.", Since: "7.4.0", Complexity: on}),
		k1(&command.Spec{Name: "hpttl", Arity: -5, Flags: r, Run: cmdHTTL, Summary: "Returns the TTL in milliseconds of a hash field.", Since: "7.4.0", Complexity: on}),
		k1(&command.Spec{Name: "hexpiretime", Arity: -5, Flags: r, Run: cmdHTTL, Summary: "Returns the expiration time of a hash field as a Unix timestamp, in seconds.", Since: "7.4.0", Complexity: on}),
		k1(&command.Spec{Name: "hpexpiretime", Arity: -5, Flags: r, Run: cmdHTTL, Summary: "Returns the expiration time of a hash field as a Unix timestamp, in msec.", Since: "7.4.0", Complexity: on}),
		k1(&command.Spec{Name: "hpersist", Arity: -5, Flags: command.FlagWrite | command.FlagFast, Run: cmdHPersist, Summary: "Removes the expiration time for each specified field", Since: "7.4.0", Complexity: on}),
		generic(&command.Spec{Name: "expiremember", Arity: -4, Flags: command.FlagWrite | command.FlagFast, Run: cmdExpireMember, Summary: "Sets the time to live of a member (a hash field, set member or sorted-set member) in seconds, or in milliseconds with the ms unit (KeyDB).", Since: "5.1.0", Complexity: "O(1)"}),
		generic(&command.Spec{Name: "expirememberat", Arity: 4, Flags: command.FlagWrite | command.FlagFast, Run: cmdExpireMember, Summary: "Sets the expiration time of a member (a hash field, set member or sorted-set member) as a Unix timestamp in seconds (KeyDB).", Since: "5.1.0", Complexity: "O(1)"}),
		generic(&command.Spec{Name: "pexpirememberat", Arity: 4, Flags: command.FlagWrite | command.FlagFast, Run: cmdExpireMember, Summary: "Sets the expiration time of a member (a hash field, set member or sorted-set member) as a Unix timestamp in milliseconds (KeyDB).", Since: "5.1.0", Complexity: "O(1)"}),
	}
}

// maxFieldExpire is the latest field expiry a command accepts, in Unix ms:
// Redis 7.4's HFE_MAX_ABS_TIME_MSEC, (2^48-1) >> 2.
const maxFieldExpire = (1<<48 - 1) >> 2

// Error replies of the field-expiry commands, Redis 7.4's words.
const (
	errNegativeExpire  = "ERR invalid expire time, must be >= 0"
	errFieldsMissing   = "ERR Mandatory argument FIELDS is missing or not at the right position"
	errNumFieldsExpire = "ERR Parameter `numFields` should be greater than 0"
	errNumFields       = "ERR Number of fields must be a positive integer"
	errNumFieldsCount  = "ERR The `numfields` parameter must match the number of arguments"
)

// parseFields checks "FIELDS numfields field..." at args[at-1:] as Redis
// 7.4 does and returns the fields; badCount is the error for a numfields
// that is not a positive integer. It writes the error and reports false
// when they are wrong.
func parseFields(x *command.Exec, at int, badCount string) ([][]byte, bool) {
	if !command.EqFold(x.Args[at-1], "fields") {
		x.Err(errFieldsMissing)
		return nil, false
	}
	n, ok := command.ParseInt(x.Args[at])
	if !ok || n < 1 {
		x.Err(badCount)
		return nil, false
	}
	if n != int64(len(x.Args)-at-1) {
		x.Err(errNumFieldsCount)
		return nil, false
	}
	return x.Args[at+1:], true
}

// missingFields answers for fields of a key that does not exist: -2 each,
// as Redis 7.4 does (an empty hash, not a null).
func missingFields(x *command.Exec, n int) {
	x.Array(n)
	for range n {
		x.Int(shard.FieldNone)
	}
}

// cmdHExpire is HEXPIRE, HPEXPIRE, HEXPIREAT and HPEXPIREAT: key time
// [NX|XX|GT|LT] FIELDS numfields field...
func cmdHExpire(x *command.Exec) {
	name := x.Cmd.Name
	seconds := name == "hexpire" || name == "hexpireat"
	relative := name == "hexpire" || name == "hpexpire"
	key := x.Args[1]
	db, h, found, ok := getHash(x, key, writeLookup)
	if !ok {
		return
	}
	at, ok := command.ParseInt(x.Args[2])
	if !ok {
		x.Fail(command.ErrNotInt)
		return
	}
	if at < 0 {
		x.Err(errNegativeExpire)
		return
	}
	if seconds {
		if at > maxFieldExpire/1000 {
			x.ErrInvalidExpire()
			return
		}
		at *= 1000
	}
	var base int64
	if relative {
		base = x.Now
	}
	if at > maxFieldExpire-base {
		x.ErrInvalidExpire()
		return
	}
	at += base
	cond, fieldsAt := 0, 4
	switch a := x.Args[3]; {
	case command.EqFold(a, "nx"):
		cond = shard.ExpireNX
	case command.EqFold(a, "xx"):
		cond = shard.ExpireXX
	case command.EqFold(a, "gt"):
		cond = shard.ExpireGT
	case command.EqFold(a, "lt"):
		cond = shard.ExpireLT
	}
	if cond != 0 {
		fieldsAt++
	}
	fields, ok := parseFields(x, fieldsAt, errNumFieldsExpire)
	if !ok {
		return
	}
	if !found {
		missingFields(x, len(fields))
		return
	}
	x.Array(len(fields))
	var set, deleted bool
	db.HashExpire(key, h, fields, at, cond, x.Now, func(r int64) {
		set, deleted = set || r == shard.FieldSet, deleted || r == shard.FieldDeletedAt
		x.Int(r)
	})
	switch {
	case deleted:
		notifyFieldsGone(x, db, "hdel", key)
	case set:
		x.Notify(command.NotifyHash, "hexpire", key)
	}
}

// cmdHTTL is HTTL, HPTTL, HEXPIRETIME and HPEXPIRETIME: key FIELDS
// numfields field...
func cmdHTTL(x *command.Exec) {
	name := x.Cmd.Name
	seconds := name == "httl" || name == "hexpiretime"
	var base int64
	if name == "httl" || name == "hpttl" {
		base = x.Now
	}
	db, h, fields, ok := fieldsOf(x, x.LookupFlags())
	if !ok {
		return
	}
	x.Array(len(fields))
	for _, f := range fields {
		at := db.HashFieldExpire(h, f, x.Now)
		switch {
		case at < 0:
			x.Int(at)
		case seconds:
			x.Int((at + 999 - base) / 1000)
		default:
			x.Int(at - base)
		}
	}
}

// cmdHPersist is HPERSIST key FIELDS numfields field...
func cmdHPersist(x *command.Exec) {
	db, h, fields, ok := fieldsOf(x, writeLookup)
	if !ok {
		return
	}
	x.Array(len(fields))
	persisted := false
	db.HashPersist(x.Args[1], h, fields, x.Now, func(r int64) {
		persisted = persisted || r == shard.FieldSet
		x.Int(r)
	})
	if persisted {
		x.Notify(command.NotifyHash, "hpersist", x.Args[1])
	}
}

// fieldsOf looks up the hash of a key FIELDS numfields field... command
// (HTTL and its kin, HPERSIST) and reads its fields, in Redis's order: the
// type, then the fields. It answers (the error, or -2 for each field of a
// missing key) and reports false when there is nothing more to do.
func fieldsOf(x *command.Exec, flags int) (*shard.DB, shard.Handle, [][]byte, bool) {
	db, h, found, ok := getHash(x, x.Args[1], flags)
	if !ok {
		return nil, 0, nil, false
	}
	fields, ok := parseFields(x, 3, errNumFields)
	if !ok {
		return nil, 0, nil, false
	}
	if !found {
		missingFields(x, len(fields))
		return nil, 0, nil, false
	}
	return db, h, fields, true
}

// cmdExpireMember is KeyDB's EXPIREMEMBER key subkey delay [s|ms],
// EXPIREMEMBERAT key subkey unix-seconds and PEXPIREMEMBERAT key subkey
// unix-ms, for hash fields, set members and sorted-set members (KeyDB's
// three types; shard/hash_ttl.go and shard/member_ttl.go), checked in
// KeyDB's order: the time, the argument count, the unit, then the key. It
// answers 1 when the subkey's expiry was set (a time not in the future
// deletes it at once, where KeyDB leaves that to its expiry cycle) and 0
// when there is no such key or subkey; a key of another type is refused
// with KeyDB's error.
func cmdExpireMember(x *command.Exec) {
	when, ok := command.ParseInt(x.Args[3])
	if !ok {
		x.Fail(command.ErrNotInt)
		return
	}
	name := x.Cmd.Name
	ms := name == "pexpirememberat"
	var base int64
	if name == "expiremember" {
		if len(x.Args) > 5 {
			x.Err("ERR Invalid number of arguments")
			return
		}
		base = x.Now
		if len(x.Args) == 5 {
			switch u := x.Args[4]; {
			case command.EqFold(u, "s"):
			case command.EqFold(u, "ms"):
				ms = true
			default:
				x.Err("ERR Invalid unit arg")
				return
			}
		}
	}
	if !ms {
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
	key := x.Args[1]
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, writeLookup)
	if !found {
		x.Int(0)
		return
	}
	switch db.Type(h) {
	case shard.TypeHash:
	case shard.TypeSet, shard.TypeZSet:
		if db.MemberExpire(key, h, x.Args[2], when, x.Now) == shard.FieldNone {
			x.Int(0)
			return
		}
		x.Int(1)
		return
	default:
		x.Err("ERR object type is unsupported")
		return
	}
	var res int64
	db.HashExpire(key, h, x.Args[2:3], when, 0, x.Now, func(r int64) { res = r })
	if res == shard.FieldNone {
		x.Int(0)
		return
	}
	x.Int(1)
}
