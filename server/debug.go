package server

import (
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/anaxdb/anax/protocol/resp"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/snapshot/rdb"
)

// DEBUG (Redis's debug.c), the subset that tests and tools use: SLEEP,
// OBJECT, POPULATE, LOG, ERROR and HELP. Like Redis 7 it is refused unless
// enable-debug-command is "yes", or "local" and the client is local.
//
// DEBUG runs on every shard at once (command.FlagAllShards, in one piece per
// shard; see txexec.go): POPULATE writes on each shard the keys that belong
// to it, OBJECT looks on the key's shard only, and SLEEP stops every shard,
// as it stops Redis. debugMerge then answers.

func (s *Server) debugCommand() *command.Spec {
	return &command.Spec{Name: "debug", Arity: -2, Multi: command.MultiCustom, Merge: debugMerge, Flags: command.FlagAllShards | command.FlagAdmin | command.FlagNoScript | command.FlagLoading | command.FlagStale, Run: cmdDebug, Group: "server", Summary: "A container for debugging commands.", Since: "1.0.0", Complexity: "Depends on subcommand."}
}

const errDebugNotAllowed = `ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`

func cmdDebug(x *command.Exec) {
	if !srv(x).debugAllowed(x) {
		x.Err(errDebugNotAllowed)
		return
	}
	sub, n := x.Args[1], len(x.Args)
	switch {
	case command.EqFold(sub, "help") && n == 2:
		if !x.IsPiece() {
			debugHelp(x)
		}
	case command.EqFold(sub, "sleep") && n == 3:
		debugSleep(x)
	case command.EqFold(sub, "object") && n == 3:
		debugObject(x)
	case command.EqFold(sub, "populate") && n >= 3 && n <= 5:
		debugPopulate(x)
	case command.EqFold(sub, "log") && n == 3:
		if x.Part <= 0 {
			srv(x).log.Warnf("DEBUG LOG: %s", x.Args[2])
		}
		x.Done()
	case command.EqFold(sub, "error") && n == 3:
		if !x.IsPiece() {
			debugError(x)
		}
	default:
		x.ErrSubcommandSyntax()
	}
}

// debugAllowed applies enable-debug-command. With "local", a command run
// in pieces on other shards no longer has its client at hand; it is then
// allowed only when the server listens on loopback addresses alone.
func (s *Server) debugAllowed(x *command.Exec) bool { return s.debugAllowedFor(clientOf(x)) }

// debugAllowedFor is debugAllowed for client cl (nil when not at hand).
func (s *Server) debugAllowedFor(cl *Client) bool {
	switch strings.ToLower(s.cfg.String("enable-debug-command")) {
	case "yes":
		return true
	case "local":
		if cl != nil {
			return addrIsLoopback(cl.conn.RemoteAddr())
		}
		for _, b := range s.cfg.Strings("bind") {
			ip := net.ParseIP(strings.TrimPrefix(b, "-"))
			if ip == nil || !ip.IsLoopback() {
				return false
			}
		}
		return true
	}
	return false
}

func addrIsLoopback(a net.Addr) bool {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.IsLoopback()
	}
	return false
}

func debugHelp(x *command.Exec) {
	x.ReplyHelp([]string{
		"ERROR <string>",
		"    Return a Redis protocol error with <string> as message. Useful for clients",
		"    unit tests to simulate Redis errors.",
		"LOG <message>",
		"    Write <message> to the server log.",
		"OBJECT <key>",
		"    Show low level info about `key` and associated value.",
		"POPULATE <count> [<prefix>] [<size>]",
		"    Create <count> string keys named key:<num>. If <prefix> is specified then",
		"    it is used instead of the 'key' prefix. These are not propagated to",
		"    replicas. Cluster slots are not respected so keys not belonging to the",
		"    current node can be created in cluster mode.",
		"SLEEP <seconds>",
		"    Stop the server for <seconds>. Decimals allowed.",
	})
}

// debugSleep sleeps like Redis's strtod-based DEBUG SLEEP: an argument that
// is not a number sleeps 0 seconds.
func debugSleep(x *command.Exec) {
	secs, err := strconv.ParseFloat(string(x.Args[2]), 64)
	if err == nil && secs > 0 {
		time.Sleep(time.Duration(secs * float64(time.Second)))
	}
	x.Done()
}

// debugObject writes Redis's DEBUG OBJECT line. The key is found without
// expiring it or touching it, as Redis's dictFind does.
func debugObject(x *command.Exec) {
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
	enc := "unknown"
	refcount := int64(1)
	serialized := 0
	if db.Type(h) == shard.TypeString {
		enc = command.EncodingName(db, h) // OBJECT ENCODING's
		v := db.Value(h)
		if enc == "int" && sharedInteger(x, v) {
			refcount = 2147483647 // Redis's OBJ_SHARED_REFCOUNT
		}
		serialized = len(rdb.AppendString(nil, v, srv(x).cfg.Bool("rdbcompression")))
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
		" lru_seconds_idle:" + strconv.FormatInt(idle, 10)
	if x.IsPiece() {
		x.Result.Value, x.Result.Found = line, true
		return
	}
	x.Simple(line)
}

// debugError answers DEBUG ERROR: the argument is the whole error line, as
// in Redis; like Redis, it is not counted in the error statistics.
func debugError(x *command.Exec) { x.Out = resp.AppendErrorBytes(x.Out, x.Args[2]) }

// debugMerge answers a DEBUG that ran in pieces, none of which failed.
func debugMerge(x *command.Exec, parts []*command.Exec) {
	sub, n := x.Args[1], len(x.Args)
	switch {
	case command.EqFold(sub, "help") && n == 2:
		debugHelp(x)
	case command.EqFold(sub, "error") && n == 3:
		debugError(x)
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

// sharedInteger reports whether Redis would store v as one of its shared
// integer objects (0..9999, unless maxmemory evicts by LRU or LFU).
func sharedInteger(x *command.Exec, v []byte) bool {
	n, ok := command.ParseInt(v)
	if !ok || n < 0 || n >= 10000 {
		return false
	}
	policy := srv(x).cfg.String("maxmemory-policy")
	return srv(x).cfg.Int("maxmemory") == 0 || !(strings.HasSuffix(policy, "-lru") || strings.HasSuffix(policy, "-lfu"))
}

// debugPopulate creates count string keys "<prefix>:<n>" = "value:<n>"
// (padded with zero bytes, or cut, to size when size is given), skipping
// keys that exist, as Redis does.
func debugPopulate(x *command.Exec) {
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
		if size > x.Env.ConfigInt("proto-max-bulk-len") {
			x.Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
			return
		}
	}
	var key, val []byte
	for j := int64(0); j < count; j++ {
		key = append(append(append(key[:0], prefix...), ':'), strconv.FormatInt(j, 10)...)
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
