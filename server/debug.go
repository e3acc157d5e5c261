package server

import (
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/anaxdb/anax/protocol/resp"
	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/snapshot/rdb"
)

// DEBUG (Redis's debug.c), the subset that tests and tools use: SLEEP,
// OBJECT, POPULATE, LOG, ERROR and HELP. Like Redis 7 it is refused unless
// enable-debug-command is "yes", or "local" and the client is local.
//
// DEBUG runs on every shard at once (FlagAllShards, split with the first
// reply kept; see txexec.go): POPULATE writes on each shard the keys that
// belong to it, OBJECT answers from the key's shard only, and SLEEP stops
// every shard, as it stops Redis.

func (s *Server) debugCommand() *Command {
	return &Command{Name: "debug", Arity: -2, Multi: multiFirst, Flags: FlagAllShards | FlagAdmin | FlagNoScript | FlagLoading | FlagStale, Run: cmdDebug, Group: "server", Summary: "A container for debugging commands.", Since: "1.0.0", Complexity: "Depends on subcommand."}
}

const errDebugNotAllowed = `ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`

func cmdDebug(x *Exec) {
	if !x.s.debugAllowed(x) {
		x.Err(errDebugNotAllowed)
		return
	}
	sub, n := x.Args[1], len(x.Args)
	switch {
	case eqFold(sub, "help") && n == 2:
		debugHelp(x)
	case eqFold(sub, "sleep") && n == 3:
		debugSleep(x)
	case eqFold(sub, "object") && n == 3:
		debugObject(x)
	case eqFold(sub, "populate") && n >= 3 && n <= 5:
		debugPopulate(x)
	case eqFold(sub, "log") && n == 3:
		if x.part <= 0 {
			x.s.log.Warnf("DEBUG LOG: %s", x.Args[2])
		}
		x.OK()
	case eqFold(sub, "error") && n == 3:
		// The argument is the whole error line, as in Redis; like Redis,
		// it is not counted in the error statistics.
		x.Out = resp.AppendErrorBytes(x.Out, x.Args[2])
	default:
		x.errSubcommandSyntax()
	}
}

// debugAllowed applies enable-debug-command. With "local", a command run
// in pieces on other shards no longer has its client at hand; it is then
// allowed only when the server listens on loopback addresses alone.
func (s *Server) debugAllowed(x *Exec) bool { return s.debugAllowedFor(x.Client) }

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

func debugHelp(x *Exec) {
	x.replyHelp([]string{
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
func debugSleep(x *Exec) {
	secs, err := strconv.ParseFloat(string(x.Args[2]), 64)
	if err == nil && secs > 0 {
		time.Sleep(time.Duration(secs * float64(time.Second)))
	}
	x.OK()
}

// debugObject writes Redis's DEBUG OBJECT line. The key is found without
// expiring it or touching it, as Redis's dictFind does.
func debugObject(x *Exec) {
	key := x.Args[2]
	if !x.ownsKey(key) {
		return // another shard's piece answers
	}
	db := x.DB(key)
	h, ok := db.Peek(key)
	if !ok {
		x.Err(errNoKey)
		return
	}
	enc := "unknown"
	refcount := int64(1)
	serialized := 0
	if db.Type(h) == shard.TypeString {
		enc = stringEncoding(db, h) // OBJECT ENCODING's (keys.go)
		v := db.Value(h)
		if enc == "int" && x.sharedInteger(v) {
			refcount = 2147483647 // Redis's OBJ_SHARED_REFCOUNT
		}
		serialized = len(rdb.AppendString(nil, v, x.s.cfg.Bool("rdbcompression")))
	}
	at := db.AccessTime(h)
	idle := x.Now/1000 - at
	if idle < 0 {
		idle = 0
	}
	x.Simple("Value at:0x" + strconv.FormatUint(uint64(h), 16) +
		" refcount:" + strconv.FormatInt(refcount, 10) +
		" encoding:" + enc +
		" serializedlength:" + strconv.Itoa(serialized) +
		" lru:" + strconv.FormatInt(infoLRUClock(at*1000), 10) +
		" lru_seconds_idle:" + strconv.FormatInt(idle, 10))
}

// sharedInteger reports whether Redis would store v as one of its shared
// integer objects (0..9999, unless maxmemory evicts by LRU or LFU).
func (x *Exec) sharedInteger(v []byte) bool {
	n, ok := parseInt(v)
	if !ok || n < 0 || n >= 10000 {
		return false
	}
	policy := x.s.cfg.String("maxmemory-policy")
	return x.s.cfg.Int("maxmemory") == 0 || !(strings.HasSuffix(policy, "-lru") || strings.HasSuffix(policy, "-lfu"))
}

// debugPopulate creates count string keys "<prefix>:<n>" = "value:<n>"
// (padded with zero bytes, or cut, to size when size is given), skipping
// keys that exist, as Redis does.
func debugPopulate(x *Exec) {
	count, ok := parseInt(x.Args[2])
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
		size, ok = parseInt(x.Args[4])
		if !ok || size < 0 {
			x.Err("ERR value is out of range, must be positive")
			return
		}
		if size > x.maxStringSize() {
			x.Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
			return
		}
	}
	var key, val []byte
	for j := int64(0); j < count; j++ {
		key = append(append(append(key[:0], prefix...), ':'), strconv.FormatInt(j, 10)...)
		if !x.ownsKey(key) {
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
	x.OK()
}
