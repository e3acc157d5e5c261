package debugcmd

import (
	"strconv"
	"strings"
	"time"

	"github.com/anaxdb/anax/protocol/resp"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/snapshot/rdb"
)

// Host is what DEBUG needs from the server it runs in, beyond command.Env.
// The server's command.Env implements it; DEBUG finds it by a type
// assertion on Exec.Env. Its methods are safe on any shard's goroutine.
type Host interface {
	// ClientIsLocal reports whether the client of x connects from a
	// loopback address. A piece of DEBUG that runs without its client at
	// hand (on another shard) counts as local only when the server
	// listens on loopback addresses alone, so that every client is.
	ClientIsLocal(x *command.Exec) bool
	// LogWarning writes msg to the server's log at warning level.
	LogWarning(msg string)
	// SetActiveExpire turns the background expiry of keys and of hash
	// fields and members on or off (DEBUG SET-ACTIVE-EXPIRE); lazy expiry
	// on access stays.
	SetActiveExpire(on bool)
}

// hostOf returns the Host of the server x runs in.
func hostOf(x *command.Exec) Host {
	h, ok := x.Env.(Host)
	if !ok {
		panic("BUG: debugcmd: the command environment is no debugcmd.Host")
	}
	return h
}

// ErrNotAllowed is the error reply to DEBUG when enable-debug-command
// refuses it (command.ProtectedAllowed), run or queued inside MULTI.
const ErrNotAllowed = `ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`

// Commands returns the family's command specs: DEBUG.
func Commands() []*command.Spec {
	return []*command.Spec{{Name: "debug", Arity: -2, Multi: command.MultiCustom, Merge: merge, Flags: command.FlagAllShards | command.FlagAdmin | command.FlagNoScript | command.FlagLoading | command.FlagStale, Run: cmdDebug, Group: "server", Summary: "A container for debugging commands.", Since: "1.0.0", Complexity: "Depends on subcommand."}}
}

func cmdDebug(x *command.Exec) {
	if !command.ProtectedAllowed(x.Env.ConfigString("enable-debug-command"), hostOf(x).ClientIsLocal(x)) {
		x.Err(ErrNotAllowed)
		return
	}
	sub, n := x.Args[1], len(x.Args)
	switch {
	case command.EqFold(sub, "help") && n == 2:
		if !x.IsPiece() {
			help(x)
		}
	case command.EqFold(sub, "sleep") && n == 3:
		sleep(x)
	case command.EqFold(sub, "object") && n == 3:
		object(x)
	case command.EqFold(sub, "populate") && n >= 3 && n <= 5:
		populate(x)
	case command.EqFold(sub, "log") && n == 3:
		if x.Part <= 0 { // whole, or the piece of shard 0: once
			hostOf(x).LogWarning("DEBUG LOG: " + string(x.Args[2]))
		}
		x.Done()
	case command.EqFold(sub, "error") && n == 3:
		if !x.IsPiece() {
			replyError(x)
		}
	case command.EqFold(sub, "protocol") && n == 3:
		if !x.IsPiece() {
			protocolReply(x)
		}
	case command.EqFold(sub, "digest") && n == 2:
		digestDataSet(x)
	case command.EqFold(sub, "digest-value"):
		digestValues(x)
	case command.EqFold(sub, "set-active-expire") && n == 3:
		if x.Part <= 0 { // whole, or the piece of shard 0: once
			hostOf(x).SetActiveExpire(atoi(x.Args[2]) != 0)
		}
		x.Done()
	default:
		x.ErrSubcommandSyntax()
	}
}

// atoi reads a leading decimal integer as C's atoi does (Redis parses
// DEBUG SET-ACTIVE-EXPIRE's flag with it): optional blanks and sign, then
// digits up to the first other byte; anything else reads as 0.
func atoi(b []byte) int64 {
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var n int64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + int64(b[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// merge answers a DEBUG that ran in pieces, none of which failed.
func merge(x *command.Exec, parts []*command.Exec) {
	sub, n := x.Args[1], len(x.Args)
	switch {
	case command.EqFold(sub, "help") && n == 2:
		help(x)
	case command.EqFold(sub, "error") && n == 3:
		replyError(x)
	case command.EqFold(sub, "digest") && n == 2, command.EqFold(sub, "digest-value"):
		mergeDigests(x, parts)
	case command.EqFold(sub, "protocol") && n == 3:
		protocolReply(x)
	case command.EqFold(sub, "object") && n == 3:
		for _, p := range parts {
			if p == nil {
				continue
			}
			if line, ok := p.Result.Value.(string); ok {
				x.Simple(line)
				return
			}
		}
		x.Fail(command.ErrNoKey)
	default:
		x.OK()
	}
}

func help(x *command.Exec) {
	x.ReplyHelp([]string{
		"DIGEST",
		"    Output a hex signature representing the current DB content.",
		"DIGEST-VALUE <key> [<key> ...]",
		"    Output a hex signature of the values of all the specified keys.",
		"ERROR <string>",
		"    Return a Redis protocol error with <string> as message. Useful for clients",
		"    unit tests to simulate Redis errors.",
		"LOG <message>",
		"    Write <message> to the server log.",
		"OBJECT <key>",
		"    Show low level info about `key` and associated value.",
		"PROTOCOL <type>",
		"    Reply with a test value of the specified type. <type> can be: string,",
		"    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
		"    true, false.",
		"POPULATE <count> [<prefix>] [<size>]",
		"    Create <count> string keys named key:<num>. If <prefix> is specified then",
		"    it is used instead of the 'key' prefix. These are not propagated to",
		"    replicas. Cluster slots are not respected so keys not belonging to the",
		"    current node can be created in cluster mode.",
		"SET-ACTIVE-EXPIRE <0|1>",
		"    0 stops the background expiry of keys, hash fields and members: they",
		"    expire only when a command reaches them. 1 turns it back on (the default).",
		"SLEEP <seconds>",
		"    Stop the server for <seconds>. Decimals allowed.",
	})
}

// sleep sleeps like Redis's strtod-based DEBUG SLEEP: an argument that is
// not a number sleeps 0 seconds.
func sleep(x *command.Exec) {
	secs, err := strconv.ParseFloat(string(x.Args[2]), 64)
	if err == nil && secs > 0 {
		time.Sleep(time.Duration(secs * float64(time.Second)))
	}
	x.Done()
}

// object writes Redis's DEBUG OBJECT line. The key is found without
// expiring it or touching it, as Redis's dictFind does.
func object(x *command.Exec) {
	key := x.Args[2]
	if !x.OwnsKey(key) {
		return // another shard's piece answers
	}
	db := x.DB(key)
	h, ok := db.Peek(key)
	if !ok {
		x.Fail(command.ErrNoKey)
		return
	}
	enc := command.EncodingName(db, h) // OBJECT ENCODING's
	refcount := int64(1)
	compress := x.Env.ConfigString("rdbcompression") == "yes"
	serialized := serializedLength(db, h, compress, x.Now)
	if db.Type(h) == shard.TypeString && enc == "int" && sharedInteger(x, db.Value(h)) {
		refcount = 2147483647 // Redis's OBJ_SHARED_REFCOUNT
	}
	at := db.AccessTime(h)
	idle := x.Now/1000 - at
	if idle < 0 {
		idle = 0
	}
	line := "Value at:0x" + strconv.FormatUint(uint64(h), 16) +
		" refcount:" + strconv.FormatInt(refcount, 10) +
		" encoding:" + enc +
		" serializedlength:" + strconv.Itoa(serialized) +
		" lru:" + strconv.FormatInt(command.LRUClock(at*1000), 10) +
		" lru_seconds_idle:" + strconv.FormatInt(idle, 10) +
		quicklistFields(db, h)
	if x.IsPiece() {
		x.Result.Value, x.Result.Found = line, true
		return
	}
	x.Simple(line)
}

// serializedLength is the length of the RDB encoding of entry h's value,
// type byte excluded, as Redis's rdbSavedObjectLen computes it (with
// rdbcompression as compress): what DEBUG OBJECT calls serializedlength.
// It is 0 for a type with no RDB writer yet.
func serializedLength(db *shard.DB, h shard.Handle, compress bool, now int64) int {
	var buf []byte
	n := 0
	str := func(s []byte) {
		buf = rdb.AppendString(buf[:0], s, compress)
		n += len(buf)
	}
	switch db.Type(h) {
	case shard.TypeString:
		str(db.Value(h))
	case shard.TypeList:
		// Both encodings are written as quicklist nodes, each a container
		// byte and a string (RDB_TYPE_LIST_QUICKLIST_2).
		nodes := db.ListNodes(h, nil)
		n += len(rdb.AppendLength(nil, uint64(len(nodes))))
		for _, lp := range nodes {
			n++
			str(lp)
		}
	case shard.TypeSet:
		// An intset or listpack as its one string (RDB_TYPE_SET_INTSET,
		// RDB_TYPE_SET_LISTPACK), a table as its count and members.
		if small := db.SetBytes(h); small != nil {
			str(small)
			break
		}
		n += len(rdb.AppendLength(nil, uint64(db.SetLen(h))))
		db.SetEach(h, func(m []byte) bool {
			str(m)
			return true
		})
	case shard.TypeZSet:
		z := db.OpenZSet(nil, h)
		if lp := z.ListpackBytes(); lp != nil {
			str(lp)
			break
		}
		n += len(rdb.AppendLength(nil, uint64(z.Len()))) + 8*z.Len()
		z.Range(0, false, func(m []byte, _ float64) bool {
			str(m)
			return true
		})
	case shard.TypeHash:
		if db.Encoding(h) == shard.EncListpack {
			str(db.Value(h))
			break
		}
		n += len(rdb.AppendLength(nil, uint64(db.HashLen(h))))
		db.HashEach(h, now, func(f, v []byte) bool {
			str(f)
			str(v)
			return true
		})
	}
	return n
}

// quicklistFields are the fields Redis's DEBUG OBJECT adds for a quicklist
// (none for anything else): nodes, average elements per node, the fill,
// whether nodes are compressed (never here: list-compress-depth is 0), and
// the sum of the nodes' sizes.
func quicklistFields(db *shard.DB, h shard.Handle) string {
	nodes, elems, size, fill, ok := db.QuicklistInfo(h)
	if !ok {
		return ""
	}
	return " ql_nodes:" + strconv.Itoa(nodes) +
		" ql_avg_node:" + strconv.FormatFloat(float64(elems)/float64(nodes), 'f', 2, 64) +
		" ql_listpack_max:" + strconv.Itoa(fill) +
		" ql_compressed:0" +
		" ql_uncompressed_size:" + strconv.Itoa(size)
}

// replyError answers DEBUG ERROR: the argument is the whole error line, as
// in Redis; like Redis, it is not counted in the error statistics.
func replyError(x *command.Exec) { x.Out = resp.AppendErrorBytes(x.Out, x.Args[2]) }

// sharedInteger reports whether Redis would store v as one of its shared
// integer objects (0..9999, unless maxmemory evicts by LRU or LFU).
func sharedInteger(x *command.Exec, v []byte) bool {
	n, ok := command.ParseInt(v)
	if !ok || n < 0 || n >= 10000 {
		return false
	}
	policy := x.Env.ConfigString("maxmemory-policy")
	return x.Env.ConfigInt("maxmemory") == 0 || !(strings.HasSuffix(policy, "-lru") || strings.HasSuffix(policy, "-lfu"))
}

// populate creates count string keys "<prefix>:<n>" = "value:<n>" (padded
// with zero bytes, or cut, to size when size is given), skipping keys that
// exist, as Redis does.
func populate(x *command.Exec) {
	count, ok := command.ParseInt(x.Args[2])
	if !ok || count < 0 {
		x.Err("ERR value is out of range, must be positive")
		return
	}
	prefix := "key"
	if len(x.Args) >= 4 {
		prefix = string(x.Args[3])
	}
	var size int64
	if len(x.Args) == 5 {
		size, ok = command.ParseInt(x.Args[4])
		if !ok || size < 0 {
			x.Err("ERR value is out of range, must be positive")
			return
		}
		if size > x.Env.Limits().ProtoMaxBulkLen {
			x.Fail(command.ErrStringTooBig)
			return
		}
	}
	var key, val []byte
	for j := int64(0); j < count; j++ {
		key = strconv.AppendInt(append(append(key[:0], prefix...), ':'), j, 10)
		if !x.OwnsKey(key) {
			continue
		}
		db := x.DB(key)
		if _, found := db.Lookup(key, x.Now, shard.NoStats|shard.NoTouch); found {
			continue
		}
		val = strconv.AppendInt(append(val[:0], "value:"...), j, 10)
		if size > 0 {
			if int64(len(val)) > size {
				val = val[:size]
			}
			for int64(len(val)) < size {
				val = append(val, 0)
			}
		}
		db.SetString(key, val, 0, false, shard.EncAuto, x.Now)
	}
	x.Done()
}

// protocolReply answers DEBUG PROTOCOL <type>: a sample reply of each RESP3
// type (as Redis's, in RESP2 as RESP2 writes it), for clients to test
// their parsers on. An attribute or a push comes before a plain reply, so
// that a client skipping them still reads one reply.
func protocolReply(x *command.Exec) {
	name := x.Args[2]
	switch {
	case command.EqFold(name, "string"):
		x.BulkString("Hello World")
	case command.EqFold(name, "integer"):
		x.Int(12345)
	case command.EqFold(name, "double"):
		x.Double(3.141)
	case command.EqFold(name, "bignum"):
		x.Out = resp.AppendBigNum(x.Out, "1234567999999999999999999999999999999", x.Proto)
	case command.EqFold(name, "null"):
		x.Null()
	case command.EqFold(name, "array"), command.EqFold(name, "set"):
		if command.EqFold(name, "set") {
			x.Set(3)
		} else {
			x.Array(3)
		}
		for j := range 3 {
			x.Int(int64(j))
		}
	case command.EqFold(name, "map"):
		x.Map(3)
		for j := range 3 {
			x.Int(int64(j))
			x.Bool(j == 1)
		}
	case command.EqFold(name, "attrib"):
		if x.Proto >= 3 {
			x.Out = append(x.Out, "|1\r\n"...)
			x.BulkString("key-popularity")
			x.Array(2)
			x.BulkString("key:123")
			x.Int(90)
		}
		x.BulkString("Some real reply following the attribute")
	case command.EqFold(name, "push"):
		if x.Proto < 3 {
			x.Err("ERR RESP2 is not supported by this command")
			return
		}
		x.Out = resp.AppendPushLen(x.Out, 2, x.Proto)
		x.BulkString("server-cpu-usage")
		x.Int(42)
		x.BulkString("Some real reply following the push reply")
	case command.EqFold(name, "true"):
		x.Bool(true)
	case command.EqFold(name, "false"):
		x.Bool(false)
	case command.EqFold(name, "verbatim"):
		x.Verbatim("This is a verbatim\nstring")
	default:
		x.Err("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")
	}
}
