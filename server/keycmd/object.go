package keycmd

import (
	"math"
	"strings"

	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// OBJECT, DUMP and RESTORE: what a key's value is made of.

// objectKeys finds OBJECT's key: the argument after a subcommand that
// takes one. OBJECT runs its subcommands with runSubcommand (admin.go).
func objectKeys(args [][]byte, dst []int) []int {
	if len(args) < 3 {
		return dst
	}
	sub := args[1]
	if command.EqFold(sub, "encoding") || command.EqFold(sub, "freq") || command.EqFold(sub, "idletime") || command.EqFold(sub, "refcount") {
		dst = append(dst, 2)
	}
	return dst
}

// objectLookup finds OBJECT's key without touching it; it replies null and
// returns false when the key is missing.
func objectLookup(x *command.Exec) (*shard.DB, shard.Handle, bool) {
	db := x.DB(x.Args[2])
	h, ok := db.Lookup(x.Args[2], x.Now, shard.NoTouch|shard.NoNotify)
	if !ok {
		x.Null()
	}
	return db, h, ok
}

func cmdObjectEncoding(x *command.Exec) {
	db, h, ok := objectLookup(x)
	if !ok {
		return
	}
	x.BulkString(command.EncodingName(db, h))
}

// lfuPolicy reports whether maxmemory-policy is an LFU one.
func lfuPolicy(x *command.Exec) bool {
	return strings.HasSuffix(x.Env.ConfigString("maxmemory-policy"), "-lfu")
}

func cmdObjectFreq(x *command.Exec) {
	db, h, ok := objectLookup(x)
	if !ok {
		return
	}
	if !lfuPolicy(x) {
		x.Err(errLFUNotActive)
		return
	}
	x.Int(int64(db.FreqNow(h, x.Now)))
}

func cmdObjectIdleTime(x *command.Exec) {
	db, h, ok := objectLookup(x)
	if !ok {
		return
	}
	if lfuPolicy(x) {
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
func cmdObjectRefCount(x *command.Exec) {
	db, h, ok := objectLookup(x)
	if !ok {
		return
	}
	if db.Encoding(h) != shard.EncRaw {
		if v, ok := command.ParseInt(db.Value(h)); ok && v >= 0 && v < 10000 {
			policy := x.Env.ConfigString("maxmemory-policy")
			if x.Env.ConfigInt("maxmemory") == 0 || !(strings.HasSuffix(policy, "-lru") || strings.HasSuffix(policy, "-lfu")) {
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

func cmdObjectHelp(x *command.Exec) { x.ReplyHelp(objectHelp) }

// ---- DUMP, RESTORE ----

// cmdDump replies with the key's value in Redis's DUMP format (dump.go),
// which redis-server's RESTORE accepts.
func cmdDump(x *command.Exec) {
	db := x.DB(x.Args[1])
	h, ok := db.Lookup(x.Args[1], x.Now, x.LookupFlags())
	if !ok {
		x.Null()
		return
	}
	payload, ok := appendDump(nil, db, h, x.Now)
	if !ok {
		x.Err(errDumpType)
		return
	}
	x.Bulk(payload)
}

// cmdRestore implements RESTORE key ttl payload [REPLACE] [ABSTTL]
// [IDLETIME seconds] [FREQ frequency] (Redis's restoreCommand, checks in
// the same order). Strings, lists and hashes can be restored (dump.go); a
// payload of any other type is "Bad data format".
func cmdRestore(x *command.Exec) {
	key := x.Args[1]
	replace, absTTL := false, false
	idle, freq := int64(-1), int64(-1)
	for i := 4; i < len(x.Args); i++ {
		a := x.Args[i]
		more := i+1 < len(x.Args)
		switch {
		case command.EqFold(a, "replace"):
			replace = true
		case command.EqFold(a, "absttl"):
			absTTL = true
		case command.EqFold(a, "idletime") && more && freq == -1:
			v, ok := command.ParseInt(x.Args[i+1])
			if !ok {
				x.Fail(command.ErrNotInt)
				return
			}
			if v < 0 {
				x.Err("ERR Invalid IDLETIME value, must be >= 0")
				return
			}
			idle = v
			i++
		case command.EqFold(a, "freq") && more && idle == -1:
			v, ok := command.ParseInt(x.Args[i+1])
			if !ok {
				x.Fail(command.ErrNotInt)
				return
			}
			if v < 0 || v > 255 {
				x.Err("ERR Invalid FREQ value, must be >= 0 and <= 255")
				return
			}
			freq = v
			i++
		default:
			x.Fail(command.ErrSyntax)
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
	ttl, ok := command.ParseInt(x.Args[2])
	if !ok {
		x.Fail(command.ErrNotInt)
		return
	}
	if ttl < 0 {
		x.Err("ERR Invalid TTL value, must be >= 0")
		return
	}
	val, msg := decodeRestore(x, db, x.Args[3])
	if msg != "" {
		x.Err(msg)
		return
	}
	deleted := replace && db.Delete(key)
	if ttl != 0 && !absTTL {
		ttl += x.Now // wraps on overflow, then counts as expired, as in Redis
	}
	if ttl != 0 && ttl <= x.Now || val.empty {
		// Already expired, or a hash whose fields all had: no key.
		val.discard()
		if deleted {
			x.Notify(command.NotifyGeneric, "del", key)
		}
		x.OK()
		return
	}
	h := val.store(db, key, ttl, x.Now)
	x.Notify(command.NotifyGeneric, "restore", key)
	if idle >= 0 || freq >= 0 {
		switch {
		case lfuPolicy(x) && freq >= 0:
			db.SetFreq(h, byte(freq))
		case !lfuPolicy(x) && idle >= 0:
			db.SetAccessTime(h, x.Now/1000-idle)
		}
	}
	x.OK()
}
