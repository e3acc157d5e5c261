package strcmd

import (
	"math"
	"math/big"
	"slices"
	"strconv"

	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// Commands returns the family's command specs.
func Commands() []*command.Spec {
	w := command.FlagWrite | command.FlagDenyOOM
	r := command.FlagReadOnly
	k1 := func(c *command.Spec) *command.Spec {
		c.FirstKey, c.LastKey, c.Step = 1, 1, 1
		c.Group = "string"
		return c
	}
	return []*command.Spec{
		k1(&command.Spec{Name: "get", Arity: 2, Flags: r | command.FlagFast, Run: cmdGet, Summary: "Returns the string value of a key.", Since: "1.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "set", Arity: -3, Flags: w, Run: cmdSet, Summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", Since: "1.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "setnx", Arity: 3, Flags: w | command.FlagFast, Run: cmdSetNX, Summary: "Set the string value of a key only when the key doesn't exist.", Since: "1.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "setex", Arity: 4, Flags: w, Run: cmdSetEX, Summary: "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.", Since: "2.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "psetex", Arity: 4, Flags: w, Run: cmdPSetEX, Summary: "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.", Since: "2.6.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "getset", Arity: 3, Flags: w | command.FlagFast, Run: cmdGetSet, Summary: "Returns the previous string value of a key after setting it to a new value.", Since: "1.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "getdel", Arity: 2, Flags: command.FlagWrite | command.FlagFast, Run: cmdGetDel, Summary: "Returns the string value of a key after deleting the key.", Since: "6.2.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "getex", Arity: -2, Flags: command.FlagWrite | command.FlagFast, Run: cmdGetEx, Summary: "Returns the string value of a key after setting its expiration time.", Since: "6.2.0", Complexity: "O(1)"}),
		{Name: "mget", Multi: command.MultiValues, Arity: -2, Flags: r | command.FlagFast, FirstKey: 1, LastKey: -1, Step: 1, Run: cmdMGet, Group: "string", Summary: "Atomically returns the string values of one or more keys.", Since: "1.0.0", Complexity: "O(N) where N is the number of keys to retrieve."},
		{Name: "mset", Multi: command.MultiOK, Arity: -3, Flags: w, FirstKey: 1, LastKey: -1, Step: 2, Run: cmdMSet, Group: "string", Summary: "Atomically creates or modifies the string values of one or more keys.", Since: "1.0.1", Complexity: "O(N) where N is the number of keys to set."},
		{Name: "msetnx", Arity: -3, Flags: w, FirstKey: 1, LastKey: -1, Step: 2, Run: cmdMSetNX, Cross: msetnxCross, Group: "string", Summary: "Atomically modifies the string values of one or more keys only when all keys don't exist.", Since: "1.0.1", Complexity: "O(N) where N is the number of keys to set."},
		k1(&command.Spec{Name: "append", Arity: 3, Flags: w | command.FlagFast, Run: cmdAppend, Summary: "Appends a string to the value of a key. Creates the key if it doesn't exist.", Since: "2.0.0", Complexity: "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation."}),
		k1(&command.Spec{Name: "strlen", Arity: 2, Flags: r | command.FlagFast, Run: cmdStrlen, Summary: "Returns the length of a string value.", Since: "2.2.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "incr", Arity: 2, Flags: w | command.FlagFast, Run: cmdIncr, Summary: "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", Since: "1.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "decr", Arity: 2, Flags: w | command.FlagFast, Run: cmdDecr, Summary: "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", Since: "1.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "incrby", Arity: 3, Flags: w | command.FlagFast, Run: cmdIncrBy, Summary: "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", Since: "1.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "decrby", Arity: 3, Flags: w | command.FlagFast, Run: cmdDecrBy, Summary: "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.", Since: "1.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "incrbyfloat", Arity: 3, Flags: w | command.FlagFast, Run: cmdIncrByFloat, Summary: "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.", Since: "2.6.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "getrange", Arity: 4, Flags: r, Run: cmdGetRange, Summary: "Returns a substring of the string stored at a key.", Since: "2.4.0", Complexity: "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings."}),
		k1(&command.Spec{Name: "substr", Arity: 4, Flags: r, Run: cmdGetRange, Summary: "Returns a substring from a string value.", Since: "1.0.0", Complexity: "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings."}),
		k1(&command.Spec{Name: "setrange", Arity: 4, Flags: w, Run: cmdSetRange, Summary: "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.", Since: "2.2.0", Complexity: "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument."}),
		{Name: "lcs", Arity: -3, Flags: r, FirstKey: 1, LastKey: 2, Step: 1, Run: cmdLCS, Cross: lcsCross, Group: "string", Summary: "Finds the longest common substring.", Since: "7.0.0", Complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively"},
	}
}

// getString looks key up for reading. It returns ok=false after writing a
// WRONGTYPE error when the key holds another type.
func getString(x *command.Exec, key []byte, flags int) (db *shard.DB, h shard.Handle, found, ok bool) {
	db = x.DB(key)
	h, found = db.Lookup(key, x.Now, flags)
	if found && db.Type(h) != shard.TypeString {
		x.Fail(command.ErrWrongType)
		return db, h, true, false
	}
	return db, h, found, true
}

func cmdGet(x *command.Exec) {
	db, h, found, ok := getString(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Null()
		return
	}
	x.Bulk(db.Value(h))
}

const (
	setNX = 1 << iota
	setXX
	setGet
	setKeepTTL
	setEX
	setPX
	setEXAT
	setPXAT
)

// parseExpireArg converts an EX/PX/EXAT/PXAT argument to absolute Unix ms.
// It writes the error and returns false when the value is not acceptable.
func parseExpireArg(x *command.Exec, unit int, arg []byte) (int64, bool) {
	v, ok := command.ParseInt(arg)
	if !ok {
		x.Fail(command.ErrNotInt)
		return 0, false
	}
	if v <= 0 {
		x.ErrInvalidExpire()
		return 0, false
	}
	switch unit {
	case setEX, setEXAT:
		if v > math.MaxInt64/1000 {
			x.ErrInvalidExpire()
			return 0, false
		}
		v *= 1000
	}
	switch unit {
	case setEX, setPX:
		if v > math.MaxInt64-x.Now {
			x.ErrInvalidExpire()
			return 0, false
		}
		v += x.Now
	}
	return v, true
}

func cmdSet(x *command.Exec) {
	flags := 0
	var expArg []byte
	for i := 3; i < len(x.Args); i++ {
		a := x.Args[i]
		next := i+1 < len(x.Args)
		switch {
		case command.EqFold(a, "nx") && flags&(setXX) == 0:
			flags |= setNX
		case command.EqFold(a, "xx") && flags&(setNX) == 0:
			flags |= setXX
		case command.EqFold(a, "get"):
			flags |= setGet
		case command.EqFold(a, "keepttl") && flags&(setEX|setPX|setEXAT|setPXAT) == 0:
			flags |= setKeepTTL
		case command.EqFold(a, "ex") && flags&(setKeepTTL|setPX|setEXAT|setPXAT) == 0 && next:
			flags |= setEX
			i++
			expArg = x.Args[i]
		case command.EqFold(a, "px") && flags&(setKeepTTL|setEX|setEXAT|setPXAT) == 0 && next:
			flags |= setPX
			i++
			expArg = x.Args[i]
		case command.EqFold(a, "exat") && flags&(setKeepTTL|setEX|setPX|setPXAT) == 0 && next:
			flags |= setEXAT
			i++
			expArg = x.Args[i]
		case command.EqFold(a, "pxat") && flags&(setKeepTTL|setEX|setPX|setEXAT) == 0 && next:
			flags |= setPXAT
			i++
			expArg = x.Args[i]
		default:
			x.Fail(command.ErrSyntax)
			return
		}
	}
	var expireAt int64
	if expArg != nil {
		var ok bool
		if expireAt, ok = parseExpireArg(x, flags&(setEX|setPX|setEXAT|setPXAT), expArg); !ok {
			return
		}
	}
	setGeneric(x, x.Args[1], x.Args[2], flags, expireAt)
}

// setGeneric implements SET and its variants (Redis's setGenericCommand).
func setGeneric(x *command.Exec, key, val []byte, flags int, expireAt int64) {
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, shard.NoStats|shard.NoTouch)
	if flags&setGet != 0 {
		if !found {
			x.Notify(command.NotifyKeyMiss, "keymiss", key)
		}
		if found && db.Type(h) != shard.TypeString {
			x.Fail(command.ErrWrongType)
			return
		}
	}
	if (flags&setNX != 0 && found) || (flags&setXX != 0 && !found) {
		if flags&setGet != 0 {
			if found {
				x.Bulk(db.Value(h))
			} else {
				x.Null()
			}
		} else {
			x.Null()
		}
		return
	}
	if flags&setGet != 0 {
		if found {
			x.Bulk(db.Value(h))
		} else {
			x.Null()
		}
	}
	if expireAt != 0 && expireAt <= x.Now {
		// Already expired (EXAT/PXAT in the past): the write deletes.
		// Redis sets the key with a past TTL and reclaims it later.
		db.Delete(key)
		x.Notify(command.NotifyString, "set", key)
		x.Notify(command.NotifyGeneric, "expire", key)
		x.Notify(command.NotifyExpired, "expired", key)
	} else {
		db.SetString(key, val, expireAt, flags&setKeepTTL != 0, shard.EncAuto, x.Now)
		x.Notify(command.NotifyString, "set", key)
		if expireAt != 0 {
			x.Notify(command.NotifyGeneric, "expire", key)
		}
	}
	if flags&setGet == 0 {
		x.OK()
	}
}

func cmdSetNX(x *command.Exec) {
	db := x.DB(x.Args[1])
	if _, found := db.Lookup(x.Args[1], x.Now, shard.NoStats|shard.NoTouch); found {
		x.Int(0)
		return
	}
	db.SetString(x.Args[1], x.Args[2], 0, false, shard.EncAuto, x.Now)
	x.Notify(command.NotifyString, "set", x.Args[1])
	x.Int(1)
}

func cmdSetEX(x *command.Exec) {
	at, ok := parseExpireArg(x, setEX, x.Args[2])
	if !ok {
		return
	}
	setGeneric(x, x.Args[1], x.Args[3], 0, at)
}

func cmdPSetEX(x *command.Exec) {
	at, ok := parseExpireArg(x, setPX, x.Args[2])
	if !ok {
		return
	}
	setGeneric(x, x.Args[1], x.Args[3], 0, at)
}

func cmdGetSet(x *command.Exec) { setGeneric(x, x.Args[1], x.Args[2], setGet, 0) }

func cmdGetDel(x *command.Exec) {
	db, h, found, ok := getString(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Null()
		return
	}
	x.Bulk(db.Value(h))
	db.Delete(x.Args[1])
	x.Notify(command.NotifyGeneric, "del", x.Args[1])
}

// cmdGetEx checks in Redis 7's order: the options' syntax (an option may be
// repeated, the last value counting, but not combined with another), then
// the key (missing: nil; another type: WRONGTYPE), and only then the expire
// time's value, so a bad value on a missing key answers nil.
func cmdGetEx(x *command.Exec) {
	const persist = setPXAT << 1
	const anyExpire = setEX | setPX | setEXAT | setPXAT
	flags := 0
	var expArg []byte
	for i := 2; i < len(x.Args); i++ {
		a := x.Args[i]
		next := i+1 < len(x.Args)
		unit := 0
		switch {
		case command.EqFold(a, "persist") && flags&anyExpire == 0:
			flags |= persist
			continue
		case command.EqFold(a, "ex"):
			unit = setEX
		case command.EqFold(a, "px"):
			unit = setPX
		case command.EqFold(a, "exat"):
			unit = setEXAT
		case command.EqFold(a, "pxat"):
			unit = setPXAT
		}
		if unit == 0 || !next || flags&^unit != 0 {
			x.Fail(command.ErrSyntax)
			return
		}
		flags |= unit
		i++
		expArg = x.Args[i]
	}
	db, h, found, ok := getString(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Null()
		return
	}
	var at int64
	if expArg != nil {
		if at, ok = parseExpireArg(x, flags, expArg); !ok {
			return
		}
	}
	x.Bulk(db.Value(h))
	switch {
	case flags&persist != 0:
		if db.ExpireAt(h) != 0 {
			db.SetExpireAt(h, 0)
			x.Notify(command.NotifyGeneric, "persist", x.Args[1])
		}
	case expArg != nil && at <= x.Now:
		db.Delete(x.Args[1])
		x.Notify(command.NotifyGeneric, "del", x.Args[1])
	case expArg != nil:
		db.SetExpireAt(h, at)
		x.Notify(command.NotifyGeneric, "expire", x.Args[1])
	}
}

// mgetCollectMin is the number of keys from which MGET collects its values
// before it writes the reply, so that the reply is sized once instead of
// grown as it is written (each growth copies what is there and drops the
// old buffer: for a reply of n bytes, some 4n bytes of garbage).
const mgetCollectMin = 2048

// cmdMGet answers the keys' values; a piece of a split MGET records them.
func cmdMGet(x *command.Exec) {
	keys := x.Args[1:]
	switch {
	case x.IsPiece():
		for _, key := range keys {
			x.Value(stringValue(x, key))
		}
	case len(keys) >= mgetCollectMin:
		var vs command.Values
		for _, key := range keys {
			vs.Append(stringValue(x, key))
		}
		x.Out = slices.Grow(x.Out, vs.Size()+16*vs.Len()+16)
		x.Array(vs.Len())
		for i := range vs.Len() {
			x.Value(vs.At(i))
		}
	default:
		x.Array(len(keys))
		for _, key := range keys {
			x.Value(stringValue(x, key))
		}
	}
}

// stringValue returns key's value for MGET: none for a missing key or one
// of another type.
func stringValue(x *command.Exec, key []byte) ([]byte, bool) {
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, x.LookupFlags())
	if !found || db.Type(h) != shard.TypeString {
		return nil, false
	}
	return db.Value(h), true
}

func cmdMSet(x *command.Exec) {
	if len(x.Args)%2 != 1 {
		x.ErrArgs()
		return
	}
	for i := 1; i < len(x.Args); i += 2 {
		x.DB(x.Args[i]).SetString(x.Args[i], x.Args[i+1], 0, false, shard.EncAuto, x.Now)
		x.Notify(command.NotifyString, "set", x.Args[i])
	}
	x.Done()
}

func cmdMSetNX(x *command.Exec) {
	if len(x.Args)%2 != 1 {
		x.ErrArgs()
		return
	}
	for i := 1; i < len(x.Args); i += 2 {
		if _, found := x.DB(x.Args[i]).Lookup(x.Args[i], x.Now, shard.NoStats|shard.NoTouch); found {
			x.Int(0)
			return
		}
	}
	for i := 1; i < len(x.Args); i += 2 {
		x.DB(x.Args[i]).SetString(x.Args[i], x.Args[i+1], 0, false, shard.EncAuto, x.Now)
		x.Notify(command.NotifyString, "set", x.Args[i])
	}
	x.Int(1)
}

// maxStringSize is proto-max-bulk-len, the largest string a write may make.
func maxStringSize(x *command.Exec) int64 { return x.Env.Limits().ProtoMaxBulkLen }

func cmdAppend(x *command.Exec) {
	key, add := x.Args[1], x.Args[2]
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, shard.NoStats|shard.NoTouch)
	if !found {
		db.SetString(key, add, 0, false, shard.EncAuto, x.Now)
		x.Notify(command.NotifyString, "append", key)
		x.Int(int64(len(add)))
		return
	}
	if db.Type(h) != shard.TypeString {
		x.Fail(command.ErrWrongType)
		return
	}
	old := len(db.Value(h))
	if int64(old)+int64(len(add)) > maxStringSize(x) {
		x.Fail(command.ErrStringTooBig)
		return
	}
	h, v := db.GrowString(key, h, old+len(add))
	copy(v[old:], add)
	db.SetEncoding(h, shard.EncRaw)
	x.Notify(command.NotifyString, "append", key)
	x.Int(int64(len(v)))
}

func cmdStrlen(x *command.Exec) {
	db, h, found, ok := getString(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	x.Int(int64(len(db.Value(h))))
}

func cmdIncr(x *command.Exec) { incrBy(x, x.Args[1], 1) }
func cmdDecr(x *command.Exec) { incrBy(x, x.Args[1], -1) }

func cmdIncrBy(x *command.Exec) {
	n, ok := command.ParseInt(x.Args[2])
	if !ok {
		x.Fail(command.ErrNotInt)
		return
	}
	incrBy(x, x.Args[1], n)
}

func cmdDecrBy(x *command.Exec) {
	n, ok := command.ParseInt(x.Args[2])
	if !ok {
		x.Fail(command.ErrNotInt)
		return
	}
	if n == math.MinInt64 {
		x.Err("ERR decrement would overflow")
		return
	}
	incrBy(x, x.Args[1], -n)
}

func incrBy(x *command.Exec, key []byte, by int64) {
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, shard.NoStats|shard.NoTouch)
	var cur int64
	if found {
		if db.Type(h) != shard.TypeString {
			x.Fail(command.ErrWrongType)
			return
		}
		var ok bool
		if cur, ok = command.ParseInt(db.Value(h)); !ok {
			x.Fail(command.ErrNotInt)
			return
		}
	}
	if (by < 0 && cur < 0 && by < math.MinInt64-cur) || (by > 0 && cur > 0 && by > math.MaxInt64-cur) {
		x.Fail(command.ErrOverflow)
		return
	}
	cur += by
	var tmp [24]byte
	val := strconv.AppendInt(tmp[:0], cur, 10)
	if !found || !db.SetStringAt(h, key, val, shard.EncAuto, x.Now) {
		db.SetString(key, val, 0, true, shard.EncAuto, x.Now)
	}
	x.Notify(command.NotifyString, "incrby", key)
	x.Int(cur)
}

func cmdIncrByFloat(x *command.Exec) {
	key := x.Args[1]
	by, byInf, ok := command.ParseLongDouble(x.Args[2])
	if !ok {
		x.Fail(command.ErrNotFloat)
		return
	}
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, shard.NoStats|shard.NoTouch)
	cur := new(big.Float)
	curInf := false
	if found {
		if db.Type(h) != shard.TypeString {
			x.Fail(command.ErrWrongType)
			return
		}
		if cur, curInf, ok = command.ParseLongDouble(db.Value(h)); !ok {
			x.Fail(command.ErrNotFloat)
			return
		}
	}
	if byInf || curInf {
		x.Fail(command.ErrNaN)
		return
	}
	sum, ok := command.AddLongDouble(cur, by)
	if !ok {
		x.Fail(command.ErrNaN)
		return
	}
	b := command.FormatLongDoubleHuman(nil, sum)
	db.SetString(key, b, 0, true, shard.EncAuto, x.Now)
	x.Notify(command.NotifyString, "incrbyfloat", key)
	x.Bulk(b)
}

func cmdGetRange(x *command.Exec) {
	start, ok1 := command.ParseInt(x.Args[2])
	end, ok2 := command.ParseInt(x.Args[3])
	if !ok1 || !ok2 {
		x.Fail(command.ErrNotInt)
		return
	}
	db, h, found, ok := getString(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	var v []byte
	if found {
		v = db.Value(h)
	}
	n := int64(len(v))
	if start < 0 && end < 0 && start > end {
		x.BulkString("")
		return
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if end < 0 {
		end = 0
	}
	if end >= n {
		end = n - 1
	}
	if n == 0 || start > end {
		x.BulkString("")
		return
	}
	x.Bulk(v[start : end+1])
}

func cmdSetRange(x *command.Exec) {
	key, val := x.Args[1], x.Args[3]
	off, ok := command.ParseInt(x.Args[2])
	if !ok {
		x.Fail(command.ErrNotInt)
		return
	}
	if off < 0 {
		x.Fail(command.ErrOutOfRange)
		return
	}
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, shard.NoStats|shard.NoTouch)
	if found && db.Type(h) != shard.TypeString {
		x.Fail(command.ErrWrongType)
		return
	}
	cur := 0
	if found {
		cur = len(db.Value(h))
	}
	if len(val) == 0 {
		x.Int(int64(cur))
		return
	}
	if off > maxStringSize(x)-int64(len(val)) { // off+len(val) could overflow
		x.Fail(command.ErrStringTooBig)
		return
	}
	need := int(off) + len(val)
	if !found {
		db.SetString(key, nil, 0, false, shard.EncRaw, x.Now)
		h, _ = db.Peek(key)
	}
	if need < cur {
		need = cur
	}
	h, v := db.GrowString(key, h, need)
	copy(v[off:], val)
	db.SetEncoding(h, shard.EncRaw)
	x.Notify(command.NotifyString, "setrange", key)
	x.Int(int64(len(v)))
}

func cmdLCS(x *command.Exec) {
	opt, ok := lcsOptions(x)
	if !ok {
		return
	}
	var a, b []byte
	for i, key := range x.Args[1:3] {
		v, ok := lcsValue(x, key)
		if !ok {
			return
		}
		if i == 0 {
			a = v
		} else {
			b = v
		}
	}
	lcsAnswer(x, opt, a, b)
}

// lcsOpts are LCS's options.
type lcsOpts struct {
	getLen, getIdx, withLen bool
	minLen                  int64
}

// lcsOptions parses LCS's options, or writes the error.
func lcsOptions(x *command.Exec) (lcsOpts, bool) {
	var o lcsOpts
	for i := 3; i < len(x.Args); i++ {
		a := x.Args[i]
		switch {
		case command.EqFold(a, "len"):
			o.getLen = true
		case command.EqFold(a, "idx"):
			o.getIdx = true
		case command.EqFold(a, "withmatchlen"):
			o.withLen = true
		case command.EqFold(a, "minmatchlen") && i+1 < len(x.Args):
			v, ok := command.ParseInt(x.Args[i+1])
			if !ok {
				x.Fail(command.ErrNotInt)
				return o, false
			}
			o.minLen = max(v, 0)
			i++
		default:
			x.Fail(command.ErrSyntax)
			return o, false
		}
	}
	if o.getLen && o.getIdx {
		x.Err("ERR If you want both the length and indexes, please just use IDX.")
		return o, false
	}
	return o, true
}

// errLCSType is LCS's answer to a key of another type: an ERR, not a
// WRONGTYPE, in Redis.
const errLCSType = "ERR The specified keys must contain string values"

// lcsValue returns a copy of key's string (nil when missing), or writes
// the error when it holds another type.
func lcsValue(x *command.Exec, key []byte) ([]byte, bool) {
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, x.LookupFlags())
	if found && db.Type(h) != shard.TypeString {
		x.Err(errLCSType)
		return nil, false
	}
	if !found {
		return nil, true
	}
	return append([]byte(nil), db.Value(h)...), true
}

// lcsAnswer computes the longest common subsequence of a and b and answers
// as opt asks.
func lcsAnswer(x *command.Exec, opt lcsOpts, a, b []byte) {
	getLen, getIdx, withLen, minLen := opt.getLen, opt.getIdx, opt.withLen, opt.minLen
	cells := (uint64(len(a)) + 1) * (uint64(len(b)) + 1)
	if cells*4 > uint64(maxStringSize(x)) || cells >= math.MaxUint32 {
		x.Err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
		return
	}
	la, lb := len(a), len(b)
	dp := make([]uint32, (la+1)*(lb+1))
	at := func(i, j int) *uint32 { return &dp[j*(la+1)+i] }
	for i := 1; i <= la; i++ {
		for j := 1; j <= lb; j++ {
			if a[i-1] == b[j-1] {
				*at(i, j) = *at(i-1, j-1) + 1
			} else if l, r := *at(i-1, j), *at(i, j-1); l > r {
				*at(i, j) = l
			} else {
				*at(i, j) = r
			}
		}
	}
	total := *at(la, lb)
	if getLen {
		x.Int(int64(total))
		return
	}
	// Walk back from the end collecting the LCS and, for IDX, the ranges.
	res := make([]byte, total)
	idx := total
	type match struct{ aStart, aEnd, bStart, bEnd int }
	var matches []match
	i, j := la, lb
	arStart, arEnd, brStart, brEnd := -1, -1, -1, -1
	emit := func() {
		if arStart >= 0 {
			if int64(arEnd-arStart+1) >= minLen {
				matches = append(matches, match{arStart, arEnd, brStart, brEnd})
			}
		}
	}
	for i > 0 && j > 0 {
		if a[i-1] == b[j-1] {
			idx--
			res[idx] = a[i-1]
			if arStart == -1 {
				arStart, arEnd, brStart, brEnd = i-1, i-1, j-1, j-1
			} else if arStart == i && brStart == j {
				arStart--
				brStart--
			} else {
				emit()
				arStart, arEnd, brStart, brEnd = i-1, i-1, j-1, j-1
			}
			i--
			j--
		} else if *at(i-1, j) > *at(i, j-1) {
			i--
		} else {
			j--
		}
	}
	emit()
	if !getIdx {
		x.Bulk(res)
		return
	}
	x.Map(2)
	x.BulkString("matches")
	x.Array(len(matches))
	for _, m := range matches {
		if withLen {
			x.Array(3)
		} else {
			x.Array(2)
		}
		x.Array(2)
		x.Int(int64(m.aStart))
		x.Int(int64(m.aEnd))
		x.Array(2)
		x.Int(int64(m.bStart))
		x.Int(int64(m.bEnd))
		if withLen {
			x.Int(int64(m.aEnd - m.aStart + 1))
		}
	}
	x.BulkString("len")
	x.Int(int64(total))
}
