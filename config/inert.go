package config

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// Settings without effect.
//
// Every directive redis-server 7.0 or 7.2 accepts is accepted here too, so
// that a stock redis.conf starts Anax. Those Anax has no counterpart for are
// parameters like the others (typed, listed by CONFIG GET with Redis's
// default, refused by CONFIG SET when Redis refuses them) marked with the
// reason they do nothing. The server names the ones a configuration gives
// in one warning line at start-up (StartupWarning) and logs a CONFIG SET
// that changes one (NoEffect).

// Reasons a parameter has no effect, one per family of parameters. The
// warning line groups the directives by reason.
const (
	whyReplication = "Anax has no replication"
	whyCluster     = "Anax has no cluster mode"
	whyAOF         = "Anax keeps no append-only file"
	whyTLS         = "Anax has no TLS"
	whyModules     = "Anax loads no modules"
	whyUnixSocket  = "Anax listens on TCP only"
	whyMemory      = "Redis's allocator, defragmentation and rehashing have no counterpart in Anax's Go runtime and slab arenas"
	whyProcess     = "Anax leaves the process title, logo, OOM score, huge pages, CPU affinity, I/O threads and crash log alone"
	whyDebug       = "a Redis test-suite knob"
	whyFork        = "Anax does not fork to save"
	whyLazyFree    = "Anax frees values the same way either way"
	whyBacklog     = "Go's listener uses the kernel's net.core.somaxconn as the backlog"
	whyHz          = "the background task rate does not follow the number of clients"
	whyShutdown    = "Anax has no replicas to wait for"
	whyDeprecated  = "deprecated and ignored by Redis too"
	whyLocale      = "Anax compares strings byte by byte"
	whyACL         = "Anax has no ACL users besides default"
	whyPropagation = "Anax propagates nothing"
	whyAccept      = "each loop accepts the connections the kernel has ready at once"
	whyDefaultRESP = "clients start with RESP2 and switch with HELLO"
	whySocketMark  = "Anax does not mark its sockets"
	whyIgnoreWarn  = "Anax has no start-up checks to silence"
	whyClientMem   = "client memory is bounded by client-output-buffer-limit and client-query-buffer-limit only"
)

// deprecatedDirectives are accepted in a file and as flags, and ignored, as
// redis-server 7 ignores them.
var deprecatedDirectives = map[string]bool{
	"list-max-ziplist-entries": true,
	"list-max-ziplist-value":   true,
	"lua-replicate-commands":   true,
}

// inertParams are Redis's parameters that Anax accepts without effect, with
// Redis's types, ranges, defaults and mutability.
func inertParams() []*param {
	b := func(name, def string, flags pflag, why string, aliases ...string) *param {
		return &param{name: name, aliases: aliases, kind: kindBool, def: def, flags: flags, inert: why}
	}
	i := func(name string, lo, hi int64, def string, flags pflag, why string, aliases ...string) *param {
		return &param{name: name, aliases: aliases, kind: kindInt, min: lo, max: hi, def: def, flags: flags, inert: why}
	}
	m := func(name string, lo, hi int64, def string, why string) *param {
		return &param{name: name, kind: kindMemory, min: lo, max: hi, def: def, inert: why}
	}
	s := func(name, def string, flags pflag, why string, aliases ...string) *param {
		return &param{name: name, aliases: aliases, kind: kindString, def: def, flags: flags, inert: why}
	}
	e := func(name, def string, flags pflag, why string, names ...string) *param {
		p := &param{name: name, kind: kindEnum, def: def, flags: flags, inert: why}
		for k, n := range names {
			p.enum = append(p.enum, enumItem{n, int64(k)})
		}
		return p
	}
	const imm, hid = immutable, hidden
	const iMax, uMax = math.MaxInt32, math.MaxUint32
	return []*param{
		// Replication.
		s("replicaof", "", imm|multiArg, whyReplication, "slaveof"),
		s("masterauth", "", sensitive, whyReplication),
		s("masteruser", "", sensitive, whyReplication),
		b("replica-serve-stale-data", "yes", 0, whyReplication, "slave-serve-stale-data"),
		b("replica-read-only", "yes", 0, whyReplication, "slave-read-only"),
		b("replica-lazy-flush", "no", 0, whyReplication, "slave-lazy-flush"),
		b("replica-ignore-maxmemory", "yes", 0, whyReplication, "slave-ignore-maxmemory"),
		b("replica-announced", "yes", 0, whyReplication),
		b("replica-ignore-disk-write-errors", "no", 0, whyReplication),
		i("replica-priority", 0, iMax, "100", 0, whyReplication, "slave-priority"),
		s("replica-announce-ip", "", 0, whyReplication, "slave-announce-ip"),
		i("replica-announce-port", 0, 65535, "0", 0, whyReplication, "slave-announce-port"),
		b("repl-diskless-sync", "yes", 0, whyReplication),
		i("repl-diskless-sync-delay", 0, iMax, "5", 0, whyReplication),
		i("repl-diskless-sync-max-replicas", 0, iMax, "0", 0, whyReplication),
		e("repl-diskless-load", "disabled", 0, whyReplication, "disabled", "on-empty-db", "swapdb"),
		b("repl-disable-tcp-nodelay", "no", 0, whyReplication),
		i("repl-timeout", 1, iMax, "60", 0, whyReplication),
		i("repl-ping-replica-period", 1, iMax, "10", 0, whyReplication, "repl-ping-slave-period"),
		{name: "repl-backlog-size", kind: kindMemory, min: 1, max: llMax, def: "1mb", clamp: func(n int64) int64 { return max(n, 16<<10) }, inert: whyReplication}, // Redis's least backlog
		i("repl-backlog-ttl", 0, llMax, "3600", 0, whyReplication),
		i("min-replicas-to-write", 0, iMax, "0", 0, whyReplication, "min-slaves-to-write"),
		i("min-replicas-max-lag", 0, iMax, "10", 0, whyReplication, "min-slaves-max-lag"),
		b("rdb-del-sync-files", "no", 0, whyReplication),

		// Cluster.
		b("cluster-enabled", "no", imm, whyCluster),
		s("cluster-config-file", "nodes.conf", imm, whyCluster),
		i("cluster-node-timeout", 0, llMax, "15000", 0, whyCluster),
		i("cluster-port", 0, 65535, "0", imm, whyCluster),
		b("cluster-replica-no-failover", "no", 0, whyCluster, "cluster-slave-no-failover"),
		i("cluster-replica-validity-factor", 0, iMax, "10", 0, whyCluster, "cluster-slave-validity-factor"),
		i("cluster-migration-barrier", 0, iMax, "1", 0, whyCluster),
		b("cluster-allow-replica-migration", "yes", 0, whyCluster),
		b("cluster-require-full-coverage", "yes", 0, whyCluster),
		b("cluster-allow-reads-when-down", "no", 0, whyCluster),
		b("cluster-allow-pubsubshard-when-down", "yes", 0, whyCluster),
		m("cluster-link-sendbuf-limit", 0, llMax, "0", whyCluster),
		s("cluster-announce-ip", "", 0, whyCluster),
		{name: "cluster-announce-hostname", kind: kindString, def: "", check: checkHostname, inert: whyCluster},
		s("cluster-announce-human-nodename", "", 0, whyCluster),
		i("cluster-announce-port", 0, 65535, "0", 0, whyCluster),
		i("cluster-announce-bus-port", 0, 65535, "0", 0, whyCluster),
		i("cluster-announce-tls-port", 0, 65535, "0", 0, whyCluster),
		e("cluster-preferred-endpoint-type", "ip", 0, whyCluster, "ip", "hostname", "unknown-endpoint"),
		i("cluster-ping-interval", 0, llMax, "0", hid, whyDebug),

		// Append-only file.
		s("appendfilename", "appendonly.aof", imm, whyAOF),
		s("appenddirname", "appendonlydir", imm, whyAOF),
		b("no-appendfsync-on-rewrite", "no", 0, whyAOF),
		i("auto-aof-rewrite-percentage", 0, iMax, "100", 0, whyAOF),
		m("auto-aof-rewrite-min-size", 0, llMax, "64mb", whyAOF),
		b("aof-load-truncated", "yes", 0, whyAOF),
		b("aof-use-rdb-preamble", "yes", 0, whyAOF),
		b("aof-timestamp-enabled", "no", 0, whyAOF),
		b("aof-rewrite-incremental-fsync", "yes", 0, whyAOF),
		b("aof-disable-auto-gc", "no", 0, whyAOF),
		b("rdb-save-incremental-fsync", "yes", 0, whyFork),

		// TLS.
		i("tls-port", 0, 65535, "0", 0, whyTLS),
		s("tls-cert-file", "", 0, whyTLS),
		s("tls-key-file", "", 0, whyTLS),
		s("tls-key-file-pass", "", 0, whyTLS),
		s("tls-client-cert-file", "", 0, whyTLS),
		s("tls-client-key-file", "", 0, whyTLS),
		s("tls-client-key-file-pass", "", 0, whyTLS),
		s("tls-dh-params-file", "", 0, whyTLS),
		s("tls-ca-cert-file", "", 0, whyTLS),
		s("tls-ca-cert-dir", "", 0, whyTLS),
		e("tls-auth-clients", "yes", 0, whyTLS, "no", "yes", "optional"),
		b("tls-replication", "no", 0, whyTLS),
		b("tls-cluster", "no", 0, whyTLS),
		s("tls-protocols", "", 0, whyTLS),
		s("tls-ciphers", "", 0, whyTLS),
		s("tls-ciphersuites", "", 0, whyTLS),
		b("tls-prefer-server-ciphers", "no", 0, whyTLS),
		b("tls-session-caching", "yes", 0, whyTLS),
		i("tls-session-cache-size", 0, iMax, "20480", 0, whyTLS),
		i("tls-session-cache-timeout", 0, iMax, "300", 0, whyTLS),

		// Connections and security.
		s("unixsocket", "", imm, whyUnixSocket),
		s("unixsocketperm", "0", imm, whyUnixSocket),
		i("socket-mark-id", 0, uMax, "0", imm, whySocketMark),
		s("bind-source-addr", "", 0, whyReplication),
		s("aclfile", "", imm, whyACL),
		e("acl-pubsub-default", "resetchannels", 0, whyACL, "allchannels", "resetchannels"),
		&param{name: "maxmemory-clients", kind: kindString, def: "0", check: checkMemoryOrPercent, normalize: normalizeMemoryOrPercent, inert: whyClientMem},
		i("client-default-resp", 2, 3, "2", imm|hid, whyDefaultRESP),
		e("propagation-error-behavior", "ignore", 0, whyPropagation, "ignore", "panic", "panic-on-replicas"),
		e("sanitize-dump-payload", "no", 0, whyDebug, "no", "yes", "clients"),
		// Redis 7.4's.
		i("max-new-connections-per-cycle", 1, 1000, "10", 0, whyAccept),
		i("max-new-tls-connections-per-cycle", 1, 1000, "1", 0, whyTLS),

		// Memory management.
		b("activerehashing", "yes", 0, whyMemory),
		b("activedefrag", "no", 0, whyMemory),
		m("active-defrag-ignore-bytes", 1, llMax, "100mb", whyMemory),
		i("active-defrag-threshold-lower", 0, 1000, "10", 0, whyMemory),
		i("active-defrag-threshold-upper", 0, 1000, "100", 0, whyMemory),
		i("active-defrag-cycle-min", 1, 99, "1", 0, whyMemory),
		i("active-defrag-cycle-max", 1, 99, "25", 0, whyMemory),
		i("active-defrag-max-scan-fields", 1, llMax, "1000", 0, whyMemory),
		b("jemalloc-bg-thread", "yes", 0, whyMemory),

		// The process.
		b("always-show-logo", "no", imm, whyProcess),
		b("set-proc-title", "yes", imm, whyProcess),
		{name: "proc-title-template", kind: kindString, def: "{title} {listen-addr} {server-mode}", check: checkProcTitleTemplate, inert: whyProcess},
		e("oom-score-adj", "no", 0, whyProcess, "no", "yes", "relative", "absolute"),
		{name: "oom-score-adj-values", kind: kindList, flags: multiArg, def: "0 200 800",
			maxWords: 3, exactly: true, tooMany: "wrong number of arguments", word: oomScoreAdjValue, inert: whyProcess},
		b("disable-thp", "yes", imm, whyProcess),
		s("server-cpulist", "", imm, whyProcess),      // Redis 7.4's name; the '_' spelling finds it too
		s("bio-cpulist", "", imm, whyProcess),         // Redis 7.4's name; the '_' spelling finds it too
		s("aof-rewrite-cpulist", "", imm, whyProcess), // Redis 7.4's name; the '_' spelling finds it too
		s("bgsave-cpulist", "", imm, whyProcess),      // Redis 7.4's name; the '_' spelling finds it too
		i("io-threads", 1, 128, "1", imm, whyProcess),
		b("io-threads-do-reads", "no", imm, whyProcess),
		b("crash-log-enabled", "yes", 0, whyProcess),
		b("crash-memcheck-enabled", "yes", 0, whyProcess),
		s("ignore-warnings", "", 0, whyIgnoreWarn),
		s("locale-collate", "", 0, whyLocale),

		// Redis's test-suite knobs (hidden from CONFIG GET patterns, as in
		// Redis).
		i("key-load-delay", math.MinInt32, iMax, "0", hid, whyDebug),
		i("rdb-key-save-delay", math.MinInt32, iMax, "0", hid, whyDebug),
		i("loading-process-events-interval-bytes", 1024, iMax, "2097152", hid, whyDebug),
		i("watchdog-period", 0, iMax, "0", hid, whyDebug),
		s("req-res-logfile", "", imm|hid, whyDebug),
		b("use-exit-on-panic", "no", hid, whyDebug),
	}
}

// inertBuiltin marks the parameters of the main table that Anax accepts but
// does not act on (yet), with the reason. Parameters leave this list when
// they start to work.
var inertBuiltin = map[string]string{
	"tcp-backlog":              whyBacklog,
	"dynamic-hz":               whyHz,
	"enable-module-command":    whyModules,
	"shutdown-timeout":         whyShutdown,
	"lazyfree-lazy-eviction":   whyLazyFree,
	"lazyfree-lazy-expire":     whyLazyFree,
	"lazyfree-lazy-server-del": whyLazyFree,
	"lazyfree-lazy-user-del":   whyLazyFree,
	"lazyfree-lazy-user-flush": whyLazyFree,
	"acllog-max-len":           whyACL,
	"appendfsync":              whyAOF,
}

// NoEffect returns why parameter (or deprecated directive) name has no
// effect in Anax, or "" when it works (or is unknown).
func NoEffect(name string) string {
	n := normalize(name)
	if deprecatedDirectives[n] {
		return whyDeprecated
	}
	if p := lookup(n); p != nil {
		return p.inert
	}
	return ""
}

// NoEffectParams lists the canonical names of the parameters that have no
// effect, in registry order.
func NoEffectParams() []string {
	var out []string
	for _, p := range params {
		if p.inert != "" {
			out = append(out, p.name)
		}
	}
	return out
}

// Ignored returns the directives the startup sources (file, environment,
// flags) gave that have no effect in Anax, in the order first given, each
// spelled by its canonical name (deprecated ones as written).
func (c *Config) Ignored() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.ignored)
}

// StartupWarning is the one log line that names the directives of the
// startup sources that have no effect, grouped by reason, or "" when there
// are none:
//
//	WARNING 3 configuration directives have no effect in Anax: cluster-enabled (Anax has no cluster mode); activerehashing, jemalloc-bg-thread (Redis's allocator ...)
func (c *Config) StartupWarning() string {
	names := c.Ignored()
	if len(names) == 0 {
		return ""
	}
	var reasons []string
	byReason := map[string][]string{}
	for _, n := range names {
		why := NoEffect(n)
		if _, ok := byReason[why]; !ok {
			reasons = append(reasons, why)
		}
		byReason[why] = append(byReason[why], n)
	}
	var b strings.Builder
	b.WriteString("WARNING ")
	if len(names) == 1 {
		b.WriteString("1 configuration directive has no effect in Anax: ")
	} else {
		b.WriteString(strconv.Itoa(len(names)) + " configuration directives have no effect in Anax: ")
	}
	for i, why := range reasons {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(strings.Join(byReason[why], ", "))
		b.WriteString(" (" + why + ")")
	}
	return b.String()
}

// noteIgnoredLocked records name among the ignored directives once.
func (c *Config) noteIgnoredLocked(name string) {
	if !slices.Contains(c.ignored, name) {
		c.ignored = append(c.ignored, name)
	}
}

// checkMemoryOrPercent validates a memory size or a percentage of maxmemory
// (maxmemory-clients) as Redis's PERCENT_CONFIG numbers: "N%" with N from 0
// to 100, or a memory size, with Redis's errors.
func checkMemoryOrPercent(s string, _ parseOpts) *valueError {
	const bad = "argument must be a memory or percent value"
	if len(s) > 1 && s[len(s)-1] == '%' {
		n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
		switch {
		case err != nil || n < 0 || strconv.FormatInt(n, 10) != s[:len(s)-1]: // Redis's string2ll: canonical digits only
			return verr(bad, "")
		case n > 100:
			return verr("percentage argument must be less or equal to 100", "")
		}
		return nil
	}
	if _, err := ParseMemory(s); err != nil {
		return verr(bad, "")
	}
	return nil
}

// normalizeMemoryOrPercent is what CONFIG GET shows of a value
// checkMemoryOrPercent took: "N%", or the size in bytes (0% is 0).
func normalizeMemoryOrPercent(s string) string {
	if len(s) > 1 && s[len(s)-1] == '%' {
		if n, _ := strconv.ParseInt(s[:len(s)-1], 10, 64); n != 0 {
			return strconv.FormatInt(n, 10) + "%"
		}
		return "0"
	}
	n, _ := ParseMemory(s)
	return strconv.FormatInt(n, 10)
}

// oomScoreAdjValue checks one of oom-score-adj-values' three numbers as
// Redis reads it (strtoll over the whole word, -2000 to 2000; an empty
// word reads as 0) and returns it as CONFIG GET shows it.
func oomScoreAdjValue(w string) (string, *valueError) {
	const bad = "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
	t := strings.TrimLeft(w, " \t\n\v\f\r")
	if t == "" && w == "" {
		return "0", nil
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(t, "+"), 10, 64)
	if err != nil || strings.HasPrefix(t, "+-") || n < -2000 || n > 2000 {
		return "", verr(bad, "")
	}
	return strconv.FormatInt(n, 10), nil
}

// checkHostname validates cluster-announce-hostname as Redis does: fewer
// than 256 characters, letters, digits, '-' and '.'.
func checkHostname(s string, _ parseOpts) *valueError {
	if len(s) >= 256 {
		return verr("Hostnames must be less than 256 characters", "")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return verr("Hostnames may only contain alphanumeric characters, hyphens or dots", "")
		}
	}
	return nil
}

// checkProcTitleTemplate validates proc-title-template as Redis does: its
// {variables} known ("{{" is a literal brace), and something other than
// spaces left once expanded with an empty title.
func checkProcTitleTemplate(s string, _ parseOpts) *valueError {
	bad := verr("template format is invalid or contains unknown variables", "")
	var out strings.Builder
	for s != "" {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			out.WriteString(s)
			break
		}
		out.WriteString(s[:i])
		s = s[i+1:]
		switch {
		case s == "":
			return bad
		case s[0] == '{':
			out.WriteByte('{')
			s = s[1:]
			continue
		}
		j := strings.IndexByte(s, '}')
		if j < 0 {
			return bad
		}
		switch s[:j] {
		case "title", "server-mode", "unixsocket": // empty here: no title, no cluster or sentinel, no socket
		case "listen-addr", "port", "tls-port", "config-file":
			out.WriteByte('x')
		default:
			return bad
		}
		s = s[j+1:]
	}
	if strings.Trim(out.String(), " ") == "" {
		return bad
	}
	return nil
}
