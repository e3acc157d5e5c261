package config

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// pflag holds a parameter's properties.
type pflag uint16

const (
	// immutable: set at startup only; CONFIG SET answers "can't set
	// immutable config".
	immutable pflag = 1 << iota
	// protected: CONFIG SET refuses unless enable-protected-configs allows
	// it ("can't set protected config"), like Redis 7's dir and dbfilename.
	protected
	// sensitive: the value is a secret; keep it out of logs, SLOWLOG and
	// MONITOR (see Sensitive).
	sensitive
	// multiArg: the value may span several arguments (save 3600 1 300 100).
	multiArg
	// alwaysRewrite: CONFIG REWRITE writes it even at its default.
	alwaysRewrite
	// anaxOnly: an Anax parameter that Redis does not have.
	anaxOnly
	// hidden: left out of CONFIG GET patterns (Redis's HIDDEN_CONFIG test
	// knobs); a GET of the exact name still answers.
	hidden
)

// param describes one configuration parameter. The table below is built once
// and never changes; values live in Config.
type param struct {
	name    string   // canonical name: Redis's where Redis has it
	aliases []string // other names accepted everywhere and listed by CONFIG GET
	kind    kind
	flags   pflag
	def     string // default, as one config-file argument (multiArg: split)
	help    string // one line for --help and docs

	min, max  int64                                   // kindInt, kindMemory
	clamp     func(int64) int64                       // kindInt, kindMemory: adjust after the range check (hz)
	enum      []enumItem                              // kindEnum, kindFlags
	check     func(s string, o parseOpts) *valueError // kindString: extra validation
	normalize func(string) string                     // kindString: stored form (dir: absolute)
	maxWords  int                                     // kindList: at most this many words (0: any)
	exactly   bool                                    // kindList: exactly maxWords words
	tooMany   string                                  // kindList: error when the count of words is wrong
	word      func(string) (string, *valueError)      // kindList: check and normalize a word

	// kindSpecial
	sparse  func(cur value, args []string, o parseOpts) (value, *valueError)
	sformat func(v value) string
	numeric bool // Int may read v.n

	// rewrite, if set, makes the CONFIG REWRITE lines instead of the default
	// single "name value" line.
	rewrite func(p *param, v, def value) []rewriteLine

	// inert, when set, is why the parameter has no effect in Anax: it is
	// accepted, stored and shown for compatibility with redis.conf files
	// and tools (see inert.go).
	inert string

	idx int // position in params and in every Config's value slice
}

// parseFlagBool parses a yes/no parameter that also takes the spelling of
// Dragonfly's boolean flags (--http_console=false). Read it with Int (1:
// yes). Unlike a kindBool flag it needs a value on the command line.
func parseFlagBool(_ value, args []string, _ parseOpts) (value, *valueError) {
	switch strings.ToLower(args[0]) {
	case "yes", "true", "1":
		return value{n: 1}, nil
	case "no", "false", "0":
		return value{n: 0}, nil
	}
	return value{}, verr("argument must be 'yes' or 'no'",
		fmt.Sprintf("value %q is not yes or no (or true or false)", args[0]))
}

func formatYesNo(v value) string {
	if v.n != 0 {
		return "yes"
	}
	return "no"
}

func (p *param) parseSpecial(cur value, args []string, o parseOpts) (value, *valueError) {
	return p.sparse(cur, args, o)
}

func (p *param) formatSpecial(v value) string { return p.sformat(v) }

const (
	intMax  = math.MaxInt32
	uintMax = math.MaxUint32
	llMax   = math.MaxInt64
)

var yesNoLocal = []enumItem{{"no", 0}, {"yes", 1}, {"local", 2}}

var shutdownFlags = []enumItem{
	{"default", 0},
	{"save", ShutdownSave},
	{"nosave", ShutdownNoSave},
	{"now", ShutdownNow},
	{"force", ShutdownForce},
}

// Shutdown flags: Int("shutdown-on-sigterm") and Int("shutdown-on-sigint")
// return a mask of these (0 means "default": save if save points are set).
const (
	ShutdownSave   = 1 << 0
	ShutdownNoSave = 1 << 1
	ShutdownNow    = 1 << 2
	ShutdownForce  = 1 << 3
)

// params is the registry, in the order CONFIG REWRITE appends new lines.
var params = append([]*param{
	// Network and clients.
	{name: "port", kind: kindInt, min: 0, max: 65535, def: "6379", flags: immutable,
		help: "TCP port to listen on (0: no TCP listener)"},
	{name: "bind", kind: kindList, flags: immutable | multiArg, def: "127.0.0.1 -::1",
		maxWords: 16, tooMany: "Too many bind addresses specified.",
		help: "addresses to listen on; a leading '-' marks an address that may be unavailable"},
	{name: "memcached-port", kind: kindInt, min: 0, max: 65535, def: "0", flags: immutable | anaxOnly,
		help: "TCP port serving the Memcached text and meta protocols on database 0 (0: off)"},
	{name: "memcached-max-item-size", kind: kindMemory, min: 1024, max: 1 << 30, def: "1mb", flags: anaxOnly,
		help: "largest item a Memcached client may store, counted as memcached's -I counts it"},
	{name: "protected-mode", kind: kindBool, def: "yes",
		help: "refuse non-loopback clients while no password is set"},
	{name: "tcp-backlog", kind: kindInt, min: 0, max: intMax, def: "511", flags: immutable,
		help: "listen(2) backlog"},
	{name: "tcp-keepalive", kind: kindInt, min: 0, max: intMax, def: "300",
		help: "TCP keepalive period in seconds (0: off)"},
	{name: "timeout", kind: kindInt, min: 0, max: intMax, def: "0",
		help: "close a client idle for this many seconds (0: never)"},
	{name: "maxclients", kind: kindInt, min: 1, max: uintMax, def: "10000",
		help: "maximum number of connected clients"},
	{name: "requirepass", kind: kindString, flags: sensitive, def: "",
		help: "password of the default user (empty: none)"},
	{name: "client-query-buffer-limit", kind: kindMemory, min: 1 << 20, max: llMax, def: "1gb",
		help: "largest query buffer of one client"},
	{name: "proto-max-bulk-len", kind: kindMemory, min: 1 << 20, max: llMax, def: "512mb",
		help: "largest bulk string a client may send"},
	{name: "client-output-buffer-limit", kind: kindSpecial, flags: multiArg,
		def:    "normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60",
		sparse: parseOutputLimits, sformat: formatOutputLimits, rewrite: rewriteOutputLimits,
		help: "<class> <hard> <soft> <soft-seconds> output buffer limits per client class"},
	{name: "busy-reply-threshold", aliases: []string{"lua-time-limit"}, kind: kindInt,
		min: 0, max: llMax, def: "5000",
		help: "milliseconds a script may run before other clients get BUSY"},

	// General.
	{name: "databases", aliases: []string{"dbnum"}, kind: kindInt, min: 1, max: intMax, def: "16",
		flags: immutable, help: "number of logical databases"},
	{name: "hz", kind: kindInt, min: 0, max: intMax, def: "10", clamp: clampHz,
		help: "background task frequency per second (kept within 1..500)"},
	{name: "dynamic-hz", kind: kindBool, def: "yes",
		help: "raise hz with the number of clients"},
	{name: "loglevel", kind: kindEnum, def: "notice",
		enum: []enumItem{{"debug", 0}, {"verbose", 1}, {"notice", 2}, {"warning", 3}, {"nothing", 4}},
		help: "log verbosity"},
	{name: "logfile", kind: kindString, flags: immutable, def: "",
		help: "log file (empty: standard output)"},
	{name: "hide-user-data-from-log", kind: kindBool, def: "no",
		help: "name no keys in log lines (a snapshot that fails to load or save says *redacted*)"},
	{name: "pidfile", kind: kindString, flags: immutable, def: "",
		help: "write the process id to this file (empty: none)"},
	{name: "daemonize", kind: kindBool, def: "no", flags: immutable,
		help: "run in the background, detached from the terminal (writes pidfile)"},
	{name: "supervised", kind: kindEnum, def: "no", flags: immutable,
		enum: []enumItem{{"upstart", 1}, {"systemd", 2}, {"auto", 3}, {"no", 0}},
		help: "tell a supervisor when ready: systemd (sd_notify), auto (systemd when NOTIFY_SOCKET is set), upstart, no"},
	{name: "syslog-enabled", kind: kindBool, def: "no", flags: immutable,
		help: "also send the log to the system logger"},
	{name: "syslog-ident", kind: kindString, def: "redis", flags: immutable,
		help: "the system logger's identity for the log lines"},
	{name: "syslog-facility", kind: kindEnum, def: "local0", flags: immutable,
		enum: []enumItem{{"user", 8}, {"local0", 128}, {"local1", 136}, {"local2", 144}, {"local3", 152},
			{"local4", 160}, {"local5", 168}, {"local6", 176}, {"local7", 184}},
		help: "the system logger's facility: user or local0-local7"},
	{name: "threads", kind: kindInt, min: 0, max: 1024, def: "0", flags: immutable | anaxOnly,
		help: "number of shard threads (0: one per CPU core)"},
	{name: "pin-threads", kind: kindBool, def: "no", flags: immutable | anaxOnly,
		help: "pin each shard thread to a CPU core"},
	{name: "admin-port", kind: kindInt, min: 0, max: 65535, def: "0", flags: immutable | anaxOnly,
		help: "serve the HTTP console, /metrics and /healthz on this port too (0: off)"},
	{name: "http-console", kind: kindSpecial, def: "yes", numeric: true, flags: immutable | anaxOnly,
		sparse: parseFlagBool, sformat: formatYesNo,
		help: "answer HTTP requests (console, /metrics, /healthz) on the RESP port (yes/no, or true/false)"},
	{name: "enable-protected-configs", kind: kindEnum, enum: yesNoLocal, def: "no", flags: immutable,
		help: "allow CONFIG SET of protected parameters (dir, dbfilename): no, yes or local"},
	{name: "enable-debug-command", kind: kindEnum, enum: yesNoLocal, def: "no", flags: immutable,
		help: "allow the DEBUG command: no, yes or local"},
	{name: "enable-module-command", kind: kindEnum, enum: yesNoLocal, def: "no", flags: immutable,
		help: "allow the MODULE command: no, yes or local"},
	{name: "shutdown-timeout", kind: kindInt, min: 0, max: intMax, def: "10",
		help: "seconds to wait for replicas to catch up on shutdown"},
	{name: "shutdown-on-sigterm", kind: kindFlags, enum: shutdownFlags, def: "default", flags: multiArg,
		help: "SIGTERM behaviour: default, or save/nosave with now and force"},
	{name: "shutdown-on-sigint", kind: kindFlags, enum: shutdownFlags, def: "default", flags: multiArg,
		help: "SIGINT behaviour: default, or save/nosave with now and force"},

	// Memory and eviction.
	{name: "maxmemory", kind: kindMemory, min: 0, max: llMax, def: "0",
		help: "memory limit for data (0: none)"},
	{name: "maxmemory-policy", kind: kindEnum, def: "noeviction", enum: []enumItem{
		{"volatile-lru", 0}, {"volatile-lfu", 1}, {"volatile-random", 2}, {"volatile-ttl", 3},
		{"allkeys-lru", 4}, {"allkeys-lfu", 5}, {"allkeys-random", 6}, {"noeviction", 7}},
		help: "what to evict at maxmemory"},
	{name: "maxmemory-samples", kind: kindInt, min: 1, max: intMax, def: "5",
		help: "keys sampled per eviction"},
	{name: "maxmemory-eviction-tenacity", kind: kindInt, min: 0, max: 100, def: "10",
		help: "how hard eviction works per command (0-100)"},
	{name: "lfu-log-factor", kind: kindInt, min: 0, max: intMax, def: "10",
		help: "LFU counter logarithm factor"},
	{name: "lfu-decay-time", kind: kindInt, min: 0, max: intMax, def: "1",
		help: "minutes for the LFU counter to halve"},
	{name: "cache_mode", kind: kindSpecial, def: "no", numeric: true, flags: anaxOnly,
		sparse: parseFlagBool, sformat: formatYesNo,
		help: "Dragonfly's cache mode: at maxmemory evict any key through the table's own order instead of maxmemory-policy (yes/no, or true/false; also cache-mode)"},
	{name: "active-expire-effort", kind: kindInt, min: 1, max: 10, def: "1",
		help: "effort of the background expiry sweep (1-10)"},
	{name: "lazyfree-lazy-eviction", kind: kindBool, def: "no", help: "free evicted values in the background"},
	{name: "lazyfree-lazy-expire", kind: kindBool, def: "no", help: "free expired values in the background"},
	{name: "lazyfree-lazy-server-del", kind: kindBool, def: "no", help: "free values deleted implicitly in the background"},
	{name: "lazyfree-lazy-user-del", kind: kindBool, def: "no", help: "make DEL behave like UNLINK"},
	{name: "lazyfree-lazy-user-flush", kind: kindBool, def: "no", help: "make FLUSHDB/FLUSHALL default to ASYNC"},

	// Persistence.
	{name: "dir", kind: kindString, flags: protected | alwaysRewrite, def: "./",
		check: checkDir, normalize: absPath,
		help: "working directory for snapshots (an existing directory)"},
	{name: "dbfilename", kind: kindString, flags: protected, def: "dump.rdb", check: checkDBFilename,
		help: "snapshot file name inside dir"},
	{name: "save", kind: kindSpecial, flags: multiArg | alwaysRewrite, def: "3600 1 300 100 60 10000",
		sparse: parseSave, sformat: formatSave, rewrite: rewriteSave,
		help: `snapshot after <seconds> if at least <changes> writes, repeated; "" for none`},
	{name: "stop-writes-on-bgsave-error", kind: kindBool, def: "yes",
		help: "refuse writes (-MISCONF) after a failed background save"},
	{name: "snapshot-cron", kind: kindString, def: "", flags: anaxOnly,
		help: "also save in the background on this five-field crontab schedule (minute hour day month weekday; empty: never)"},
	{name: "rdbcompression", kind: kindBool, def: "yes", help: "LZF-compress strings in snapshots"},
	{name: "rdbchecksum", kind: kindBool, def: "yes", flags: immutable, help: "write and check the snapshot CRC64"},
	{name: "appendonly", kind: kindBool, def: "no", help: "append-only file persistence"},
	{name: "appendfsync", kind: kindEnum, def: "everysec",
		enum: []enumItem{{"everysec", 0}, {"always", 1}, {"no", 2}},
		help: "append-only file fsync policy"},

	// Monitoring.
	{name: "slowlog-log-slower-than", kind: kindInt, min: -1, max: llMax, def: "10000",
		help: "log commands slower than this many microseconds (-1: off, 0: all)"},
	{name: "slowlog-max-len", kind: kindInt, min: 0, max: llMax, def: "128",
		help: "entries kept in the slow log"},
	{name: "latency-monitor-threshold", kind: kindInt, min: 0, max: llMax, def: "0",
		help: "record events slower than this many milliseconds (0: off)"},
	{name: "latency-tracking", kind: kindBool, def: "yes", help: "track per-command latency percentiles"},
	{name: "latency-tracking-info-percentiles", kind: kindList, flags: multiArg, def: "50 99 99.9",
		word: parsePercentile, help: "percentiles INFO latencystats reports"},
	{name: "notify-keyspace-events", kind: kindSpecial, def: "", numeric: true,
		sparse: parseNotify, sformat: formatNotify, rewrite: rewriteQuoted,
		help: "keyspace notification classes (K, E, g, $, l, s, h, z, x, e, t, m, d, n, A)"},
	{name: "acllog-max-len", kind: kindInt, min: 0, max: llMax, def: "128",
		help: "entries kept in the ACL log"},
	{name: "tracking-table-max-keys", kind: kindInt, min: 0, max: llMax, def: "1000000",
		help: "keys tracked for client-side caching (0: no limit)"},

	// Encodings.
	{name: "hash-max-listpack-entries", aliases: []string{"hash-max-ziplist-entries"}, kind: kindInt,
		min: 0, max: llMax, def: "512", help: "hashes up to this many fields use the compact encoding"},
	{name: "hash-max-listpack-value", aliases: []string{"hash-max-ziplist-value"}, kind: kindMemory,
		min: 0, max: llMax, def: "64", help: "hashes with values up to this size use the compact encoding"},
	{name: "set-max-intset-entries", kind: kindInt, min: 0, max: llMax, def: "512",
		help: "integer sets up to this size use the intset encoding"},
	{name: "set-max-listpack-entries", kind: kindInt, min: 0, max: llMax, def: "128",
		help: "sets up to this many members use the compact encoding"},
	{name: "set-max-listpack-value", kind: kindMemory, min: 0, max: llMax, def: "64",
		help: "sets with members up to this size use the compact encoding"},
	{name: "zset-max-listpack-entries", aliases: []string{"zset-max-ziplist-entries"}, kind: kindInt,
		min: 0, max: llMax, def: "128", help: "sorted sets up to this many members use the compact encoding"},
	{name: "zset-max-listpack-value", aliases: []string{"zset-max-ziplist-value"}, kind: kindMemory,
		min: 0, max: llMax, def: "64", help: "sorted sets with members up to this size use the compact encoding"},
	{name: "list-max-listpack-size", aliases: []string{"list-max-ziplist-size"}, kind: kindInt,
		min: math.MinInt32, max: intMax, def: "-2",
		help: "list node size: entries if positive, -1..-5 for 4kb..64kb"},
	{name: "list-compress-depth", kind: kindInt, min: 0, max: intMax, def: "0",
		help: "uncompressed list nodes at each end (0: no compression)"},
	{name: "stream-node-max-bytes", kind: kindMemory, min: 0, max: llMax, def: "4096",
		help: "largest stream node in bytes (0: no limit)"},
	{name: "stream-node-max-entries", kind: kindInt, min: 0, max: llMax, def: "100",
		help: "most entries in a stream node (0: no limit)"},
	{name: "hll-sparse-max-bytes", kind: kindMemory, min: 0, max: llMax, def: "3000",
		help: "HyperLogLogs up to this size use the sparse encoding"},
}, inertParams()...)

// byName maps every normalized name and alias to its parameter.
var byName = func() map[string]*param {
	m := make(map[string]*param, 2*len(params))
	for i, p := range params {
		p.idx = i
		if why, ok := inertBuiltin[p.name]; ok {
			p.inert = why
		}
		if p.inert != "" && p.help == "" {
			p.help = "no effect: " + p.inert
		}
		for _, n := range append([]string{p.name}, p.aliases...) {
			// Names are lower case; a few of Redis's have '_' (server_cpulist)
			// and are found by their dashed spelling too.
			k := normalize(n)
			if _, dup := m[k]; dup || strings.ToLower(n) != n {
				panic("BUG: config: bad or duplicate parameter name " + n)
			}
			m[k] = p
		}
	}
	return m
}()

// normalize folds a parameter name as given by a user: case-insensitive, and
// '_' is the same as '-' (Dragonfly-style --proto_max_bulk_len).
func normalize(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), "_", "-")
}

// lookup finds a parameter by any spelling of its name or aliases.
func lookup(name string) *param {
	if p, ok := byName[name]; ok {
		return p
	}
	return byName[normalize(name)]
}

// spelledName is the name to quote in an error about p when the user typed
// typed: the alias they used, else the canonical name.
func spelledName(p *param, typed string) string {
	n := normalize(typed)
	for _, a := range p.aliases {
		if a == n {
			return a
		}
	}
	return p.name
}

func clampHz(n int64) int64 { return min(max(n, 1), 500) }

func checkDir(s string, o parseOpts) *valueError {
	if o.isDefault {
		return nil
	}
	fi, err := os.Stat(s)
	if err != nil {
		msg := err.Error()
		if pe, ok := err.(*os.PathError); ok {
			msg = pe.Err.Error()
		}
		return verr(msg, "cannot use "+Quote(s)+": "+msg)
	}
	if !fi.IsDir() {
		return verr("Not a directory", Quote(s)+" is not a directory")
	}
	return nil
}

func absPath(s string) string {
	if a, err := filepath.Abs(s); err == nil {
		return a
	}
	return s
}

func checkDBFilename(s string, _ parseOpts) *valueError {
	if strings.ContainsRune(s, '/') {
		return verr("dbfilename can't be a path, just a filename", "")
	}
	return nil
}
