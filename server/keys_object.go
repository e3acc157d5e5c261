package server

import (
	"errors"
	"math"
	"strings"

	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/snapshot/rdb"
)

// OBJECT, DUMP and RESTORE: what a key's value is made of.

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
