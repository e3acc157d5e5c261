package infocmd

import (
	"bytes"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/anaxdb/anax/server/command"
)

// Commands returns the family's command specs: INFO.
func Commands() []*command.Spec {
	const ls = command.FlagLoading | command.FlagStale
	return []*command.Spec{
		{Name: "info", Arity: -1, Flags: command.FlagLoop | ls, Run: cmdInfo, Categories: []string{"dangerous"}, Group: "server", Summary: "Returns information and statistics about the server.", Since: "1.0.0", Complexity: "O(1)"},
	}
}

func cmdInfo(x *command.Exec) {
	src, ok := x.Env.(Source)
	if !ok {
		panic("BUG: INFO runs in an environment that is no infocmd.Source")
	}
	x.Verbatim(Render(src, x.Args[1:]))
}

// A section's name is what INFO is asked for; its header is written by the
// section itself, capitalised as Redis does.
type section struct {
	name string
	def  bool // part of a plain INFO (Redis's default set)
	gen  func(src Source, b *infoBuf)
}

// sections lists the sections in output order, whatever order they are
// asked in.
var sections = []section{
	{"server", true, writeServer},
	{"clients", true, writeClients},
	{"memory", true, writeMemory},
	{"persistence", true, writePersistence},
	{"stats", true, writeStats},
	{"replication", true, writeReplication},
	{"cpu", true, writeCPU},
	{"modules", true, writeModules},
	{"commandstats", false, writeCommandStats},
	{"errorstats", true, writeErrorStats},
	{"latencystats", false, writeLatencyStats},
	{"cluster", true, writeCluster},
	{"keyspace", true, writeKeyspace},
	{"anax", false, writeAnax},
}

// Render returns the INFO text of the sections args name: "# Section"
// headers, "field:value" lines ending in CRLF, a blank line between
// sections. No argument means the default set; "default", "all" and
// "everything" may be mixed with section names; names are
// case-insensitive and unknown ones are ignored.
func Render(src Source, args [][]byte) string {
	want := map[string]bool{}
	all := false
	if len(args) == 0 {
		want["default"] = true
	}
	for _, a := range args {
		name := strings.ToLower(string(a))
		switch name {
		case "all", "everything":
			all = true
		case "module_list":
			want["modules"] = true
		default:
			want[name] = true
		}
	}
	var b infoBuf
	n := 0
	for _, sec := range sections {
		if !all && !want[sec.name] && !(sec.def && want["default"]) {
			continue
		}
		if n > 0 {
			b.WriteString("\r\n")
		}
		n++
		sec.gen(src, &b)
	}
	return b.String()
}

// infoBuf builds INFO text.
type infoBuf struct{ strings.Builder }

func (b *infoBuf) header(name string) { b.WriteString("# " + name + "\r\n") }

func (b *infoBuf) str(k, v string) {
	b.WriteString(k)
	b.WriteByte(':')
	b.WriteString(v)
	b.WriteString("\r\n")
}

func (b *infoBuf) int(k string, v int64) { b.str(k, strconv.FormatInt(v, 10)) }

// float writes v with two decimals, as Redis's "%.2f".
func (b *infoBuf) float(k string, v float64) { b.str(k, strconv.FormatFloat(v, 'f', 2, 64)) }

// infoSafe replaces the characters that would break an INFO line, as
// Redis's getSafeInfoString does.
func infoSafe(s string) string {
	if strings.ContainsAny(s, ":\r\n") {
		return strings.NewReplacer(":", "_", "\r", "_", "\n", "_").Replace(s)
	}
	return s
}

func writeServer(src Source, b *infoBuf) {
	f := src.InfoServer()
	now := time.Now()
	uptime := int64(now.Sub(f.Started) / time.Second)
	exe, _ := os.Executable()
	b.header("Server")
	b.str("redis_version", f.RedisVersion)
	b.str("anax_version", f.AnaxVersion)
	b.str("redis_git_sha1", "00000000")
	b.str("redis_git_dirty", "0")
	b.str("redis_build_id", buildID(f.AnaxVersion))
	b.str("redis_mode", "standalone")
	b.str("os", OSName())
	b.int("arch_bits", int64(strconv.IntSize))
	b.str("monotonic_clock", "POSIX clock_gettime")
	b.str("multiplexing_api", "epoll")
	b.str("atomicvar_api", "sync-atomic")
	b.str("gcc_version", "0.0.0")
	b.int("process_id", int64(os.Getpid()))
	b.str("process_supervised", "no")
	b.str("run_id", f.RunID)
	b.int("tcp_port", f.Port)
	b.int("server_time_usec", now.UnixMicro())
	b.int("uptime_in_seconds", uptime)
	b.int("uptime_in_days", uptime/(3600*24))
	b.int("hz", f.Hz)
	b.int("configured_hz", f.Hz)
	b.int("lru_clock", command.LRUClock(now.UnixMilli()))
	b.str("executable", exe)
	b.str("config_file", f.ConfigFile)
	b.int("io_threads_active", 0)
	var l strings.Builder
	l.WriteString("name=tcp")
	for _, a := range f.Bind {
		l.WriteString(",bind=" + a)
	}
	l.WriteString(",port=" + strconv.FormatInt(f.Port, 10))
	b.str("listener0", l.String())
}

// OSName returns the host's "sysname release machine", as uname -srm
// prints it (Redis's os field); the Go OS name where uname fails.
func OSName() string { return osName() }

// osName asks uname once: the host does not change under the process.
var osName = sync.OnceValue(func() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return runtime.GOOS
	}
	str := func(b []byte) string {
		if i := bytes.IndexByte(b, 0); i >= 0 {
			b = b[:i]
		}
		return string(b)
	}
	return str(u.Sysname[:]) + " " + str(u.Release[:]) + " " + str(u.Machine[:])
})

// buildID is a stable hex tag for this build (Redis's redis_build_id): an
// FNV-1a hash of Anax's version, the Go version and the architecture.
func buildID(anaxVersion string) string {
	var h uint64 = 1469598103934665603
	for _, c := range anaxVersion + runtime.Version() + runtime.GOARCH {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return strconv.FormatUint(h, 16)
}

func writeClients(src Source, b *infoBuf) {
	f := src.InfoClients()
	b.header("Clients")
	b.int("connected_clients", f.Connected)
	b.int("cluster_connections", 0)
	b.int("maxclients", f.MaxClients)
	b.int("client_recent_max_input_buffer", 0)
	b.int("client_recent_max_output_buffer", 0)
	b.int("blocked_clients", f.Blocked)
	tc, _, _, _ := trackingCounts(src)
	b.int("tracking_clients", tc)
	b.int("pubsub_clients", f.PubSub)
	b.int("watching_clients", f.Watching)
	b.int("clients_in_timeout_table", 0)
	b.int("total_watched_keys", f.WatchedKeys)
	b.int("total_blocking_keys", f.BlockingKeys)
	b.int("total_blocking_keys_on_nokey", 0)
}

func writeMemory(src Source, b *infoBuf) {
	m := ReadMemFigures()
	f := src.InfoMemory(m.Used)
	rss := ProcessRSS()
	overhead := max(m.Used-f.Dataset, 0)
	sys := TotalSystemMemory()
	active := m.HeapObjects + m.HeapUnused
	resident := m.Total - m.HeapReleased
	b.header("Memory")
	b.int("used_memory", m.Used)
	b.str("used_memory_human", bytesToHuman(m.Used))
	b.int("used_memory_rss", rss)
	b.str("used_memory_rss_human", bytesToHuman(rss))
	b.int("used_memory_peak", f.Peak)
	b.str("used_memory_peak_human", bytesToHuman(f.Peak))
	b.str("used_memory_peak_perc", strconv.FormatFloat(command.Percent(m.Used, f.Peak), 'f', 2, 64)+"%")
	b.int("used_memory_overhead", overhead)
	b.int("used_memory_startup", 0)
	b.int("used_memory_dataset", f.Dataset)
	b.str("used_memory_dataset_perc", strconv.FormatFloat(command.Percent(f.Dataset, m.Used), 'f', 2, 64)+"%")
	b.int("allocator_allocated", m.HeapObjects)
	b.int("allocator_active", active)
	b.int("allocator_resident", resident)
	b.int("allocator_muzzy", 0)
	b.int("total_system_memory", sys)
	b.str("total_system_memory_human", bytesToHuman(sys))
	b.int("used_memory_lua", f.LuaVM)
	b.int("used_memory_vm_eval", f.LuaVM)
	b.str("used_memory_lua_human", bytesToHuman(f.LuaVM))
	b.int("used_memory_scripts_eval", f.ScriptsEval)
	b.int("number_of_cached_scripts", f.CachedScripts)
	b.int("number_of_functions", f.Functions)
	b.int("number_of_libraries", f.Libraries)
	b.int("used_memory_vm_functions", 0)
	b.int("used_memory_vm_total", f.LuaVM)
	b.str("used_memory_vm_total_human", bytesToHuman(f.LuaVM))
	b.int("used_memory_functions", f.FunctionsMemory)
	b.int("used_memory_scripts", f.ScriptsEval+f.FunctionsMemory)
	b.str("used_memory_scripts_human", bytesToHuman(f.ScriptsEval+f.FunctionsMemory))
	b.int("maxmemory", f.MaxMemory)
	b.str("maxmemory_human", bytesToHuman(f.MaxMemory))
	b.str("maxmemory_policy", f.Policy)
	b.float("allocator_frag_ratio", command.Ratio(active, m.HeapObjects))
	b.int("allocator_frag_bytes", active-m.HeapObjects)
	b.float("allocator_rss_ratio", command.Ratio(resident, active))
	b.int("allocator_rss_bytes", resident-active)
	b.float("rss_overhead_ratio", command.Ratio(rss, resident))
	b.int("rss_overhead_bytes", rss-resident)
	b.float("mem_fragmentation_ratio", command.Ratio(rss, m.Used))
	b.int("mem_fragmentation_bytes", rss-m.Used)
	b.int("mem_not_counted_for_evict", 0)
	b.int("mem_replication_backlog", 0)
	b.int("mem_total_replication_buffers", 0)
	b.int("mem_clients_slaves", 0)
	b.int("mem_clients_normal", 0)
	b.int("mem_cluster_links", 0)
	b.int("mem_aof_buffer", 0)
	b.str("mem_allocator", "go")
	b.int("mem_overhead_db_hashtable_rehashing", 0)
	b.int("active_defrag_running", 0)
	b.int("lazyfree_pending_objects", f.LazyPending)
	b.int("lazyfreed_objects", f.LazyFreed)
}

func writePersistence(src Source, b *infoBuf) {
	f := src.InfoPersistence()
	b.header("Persistence")
	b.int("loading", boolInt(f.Loading))
	b.int("async_loading", 0)
	b.int("current_cow_peak", 0)
	b.int("current_cow_size", 0)
	b.int("current_cow_size_age", 0)
	b.float("current_fork_perc", 0)
	b.int("current_save_keys_processed", 0)
	b.int("current_save_keys_total", 0)
	b.int("rdb_changes_since_last_save", f.Changes)
	b.int("rdb_bgsave_in_progress", boolInt(f.BgsaveRunning))
	b.int("rdb_last_save_time", f.LastSave)
	if f.LastBgsaveOK {
		b.str("rdb_last_bgsave_status", "ok")
	} else {
		b.str("rdb_last_bgsave_status", "err")
	}
	b.int("rdb_last_bgsave_time_sec", f.LastBgsaveSec)
	b.int("rdb_current_bgsave_time_sec", f.CurrentBgsave)
	b.int("rdb_saves", f.Saves)
	b.int("rdb_last_cow_size", 0)
	b.int("rdb_last_load_keys_expired", f.LoadExpired)
	b.int("rdb_last_load_keys_loaded", f.LoadKeys)
	b.int("aof_enabled", 0)
	b.int("aof_rewrite_in_progress", 0)
	b.int("aof_rewrite_scheduled", 0)
	b.int("aof_last_rewrite_time_sec", -1)
	b.int("aof_current_rewrite_time_sec", -1)
	b.str("aof_last_bgrewrite_status", "ok")
	b.int("aof_rewrites", 0)
	b.int("aof_rewrites_consecutive_failures", 0)
	b.str("aof_last_write_status", "ok")
	b.int("aof_last_cow_size", 0)
	b.int("module_fork_in_progress", 0)
	b.int("module_fork_last_cow_size", 0)
	if f.Loading {
		elapsed := time.Now().Unix() - f.LoadStart
		perc, eta := 0.0, int64(1)
		if f.LoadTotal > 0 {
			perc = float64(f.LoadDone) / float64(f.LoadTotal) * 100
		}
		if elapsed > 0 && f.LoadDone > 0 {
			eta = int64(float64(f.LoadTotal-f.LoadDone) / (float64(f.LoadDone) / float64(elapsed)))
		}
		b.int("loading_start_time", f.LoadStart)
		b.int("loading_total_bytes", f.LoadTotal)
		b.int("loading_rdb_used_mem", f.LoadUsedMem)
		b.int("loading_loaded_bytes", f.LoadDone)
		b.float("loading_loaded_perc", perc)
		b.int("loading_eta_seconds", eta)
	}
}

func writeStats(src Source, b *infoBuf) {
	var hits, misses, expired, expiredSubkeys, evicted int64
	for _, sh := range src.InfoShards() {
		hits += sh.Hits
		misses += sh.Misses
		expired += sh.ExpiredKeys
		expiredSubkeys += sh.ExpiredFields
		evicted += sh.EvictedKeys
	}
	f := src.InfoStats()
	b.header("Stats")
	b.int("total_connections_received", f.ConnectionsReceived)
	b.int("total_commands_processed", CommandsProcessed(src))
	b.int("instantaneous_ops_per_sec", f.OpsPerSec)
	b.int("total_net_input_bytes", f.NetInput)
	b.int("total_net_output_bytes", f.NetOutput)
	b.int("total_net_repl_input_bytes", 0)
	b.int("total_net_repl_output_bytes", 0)
	b.float("instantaneous_input_kbps", f.InputKbps)
	b.float("instantaneous_output_kbps", f.OutputKbps)
	b.float("instantaneous_input_repl_kbps", 0)
	b.float("instantaneous_output_repl_kbps", 0)
	b.int("rejected_connections", f.RejectedConnections)
	b.int("sync_full", 0)
	b.int("sync_partial_ok", 0)
	b.int("sync_partial_err", 0)
	b.int("expired_subkeys", expiredSubkeys)
	b.int("expired_keys", expired)
	b.float("expired_stale_perc", 0)
	b.int("expired_time_cap_reached_count", 0)
	b.int("expire_cycle_cpu_milliseconds", 0)
	b.int("evicted_keys", evicted)
	b.int("evicted_clients", 0)
	b.int("evicted_scripts", f.EvictedScripts)
	b.int("total_eviction_exceeded_time", 0)
	b.int("current_eviction_exceeded_time", 0)
	b.int("keyspace_hits", hits)
	b.int("keyspace_misses", misses)
	psChannels, psPatterns, psShard := pubsubCounts(src)
	b.int("pubsub_channels", psChannels)
	b.int("pubsub_patterns", psPatterns)
	b.int("pubsubshard_channels", psShard)
	b.int("latest_fork_usec", 0)
	b.int("total_forks", 0)
	b.int("migrate_cached_sockets", 0)
	b.int("slave_expires_tracked_keys", 0)
	b.int("active_defrag_hits", 0)
	b.int("active_defrag_misses", 0)
	b.int("active_defrag_key_hits", 0)
	b.int("active_defrag_key_misses", 0)
	b.int("total_active_defrag_time", 0)
	b.int("current_active_defrag_time", 0)
	_, tkeys, titems, tprefixes := trackingCounts(src)
	b.int("tracking_total_keys", tkeys)
	b.int("tracking_total_items", titems)
	b.int("tracking_total_prefixes", tprefixes)
	b.int("unexpected_error_replies", 0)
	b.int("total_error_replies", f.ErrorReplies)
	b.int("dump_payload_sanitizations", 0)
	b.int("total_reads_processed", 0)
	b.int("total_writes_processed", 0)
	b.int("io_threaded_reads_processed", 0)
	b.int("io_threaded_writes_processed", 0)
	b.int("client_query_buffer_limit_disconnections", f.QueryLimitDisconnections)
	b.int("client_output_buffer_limit_disconnections", f.OutputLimitDisconnections)
	b.int("reply_buffer_shrinks", 0)
	b.int("reply_buffer_expands", 0)
	b.int("eventloop_cycles", 0)
	b.int("eventloop_duration_sum", 0)
	b.int("eventloop_duration_cmd_sum", 0)
	b.int("instantaneous_eventloop_cycles_per_sec", 0)
	b.int("instantaneous_eventloop_duration_usec", 0)
	b.int("acl_access_denied_auth", 0)
	b.int("acl_access_denied_cmd", 0)
	b.int("acl_access_denied_key", 0)
	b.int("acl_access_denied_channel", 0)
}

func writeReplication(src Source, b *infoBuf) {
	const backlog = 1 << 20 // Redis's default repl-backlog-size; no replication yet
	f := src.InfoReplication()
	b.header("Replication")
	b.str("role", "master")
	b.int("connected_slaves", 0)
	b.str("master_failover_state", "no-failover")
	b.str("master_replid", f.ReplID)
	b.str("master_replid2", "0000000000000000000000000000000000000000")
	b.int("master_repl_offset", 0)
	b.int("second_repl_offset", -1)
	b.int("repl_backlog_active", 0)
	b.int("repl_backlog_size", backlog)
	b.int("repl_backlog_first_byte_offset", 0)
	b.int("repl_backlog_histlen", 0)
}

func writeCPU(_ Source, b *infoBuf) {
	tv := func(t syscall.Timeval) string {
		u := strconv.FormatInt(int64(t.Usec), 10)
		return strconv.FormatInt(int64(t.Sec), 10) + "." + strings.Repeat("0", 6-len(u)) + u
	}
	var self, children, thread syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	// The thread running INFO: an event loop, as Redis's main thread is.
	_ = syscall.Getrusage(unix.RUSAGE_THREAD, &thread)
	b.header("CPU")
	b.str("used_cpu_sys", tv(self.Stime))
	b.str("used_cpu_user", tv(self.Utime))
	b.str("used_cpu_sys_children", tv(children.Stime))
	b.str("used_cpu_user_children", tv(children.Utime))
	b.str("used_cpu_sys_main_thread", tv(thread.Stime))
	b.str("used_cpu_user_main_thread", tv(thread.Utime))
}

func writeModules(_ Source, b *infoBuf) { b.header("Modules") }

// writeCommandStats writes cmdstat_<name> for every command called at
// least once (EachCommandStat says how containers are reported).
func writeCommandStats(src Source, b *infoBuf) {
	b.header("Commandstats")
	EachCommandStat(src, func(name string, t CommandTotals) { writeCommandStat(b, name, t) })
}

// writeErrorStats writes errorstat_<PREFIX>:count=N, sorted by prefix.
func writeErrorStats(src Source, b *infoBuf) {
	b.header("Errorstats")
	counts := src.InfoErrors()
	names := make([]string, 0, len(counts))
	for k := range counts {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		b.str("errorstat_"+infoSafe(k), "count="+strconv.FormatInt(counts[k], 10))
	}
}

// writeLatencyStats writes no lines: per-command latency percentiles are
// not tracked yet (Redis's latency-tracking).
// writeLatencyStats writes a latency_percentiles_usec_<command> line for
// every command (subcommands apart, as in commandstats) with latency
// recorded, while latency-tracking is on.
func writeLatencyStats(src Source, b *infoBuf) {
	b.header("Latencystats")
	ls, ok := src.(LatencySource)
	if !ok {
		return
	}
	pcts := ls.LatencyPercentiles()
	if pcts == nil {
		return
	}
	var h [command.HistBuckets]uint64
	line := func(c *command.Spec) {
		if !ls.CommandHistogram(c, &h) {
			return
		}
		var v strings.Builder
		for i, p := range pcts {
			if i > 0 {
				v.WriteByte(',')
			}
			v.WriteString("p" + strconv.FormatFloat(p, 'f', -1, 64) + "=")
			v.WriteString(strconv.FormatFloat(float64(command.HistPercentile(&h, p))/1000, 'f', 3, 64))
		}
		b.str("latency_percentiles_usec_"+infoSafe(c.Name), v.String())
	}
	for _, c := range src.CommandTable() {
		if len(c.Subcommands) == 0 {
			line(c)
		}
		for _, sub := range c.Subcommands {
			line(sub)
		}
	}
}

func writeCluster(_ Source, b *infoBuf) {
	b.header("Cluster")
	b.int("cluster_enabled", 0)
}

// writeKeyspace writes a line for each database that holds keys.
func writeKeyspace(src Source, b *infoBuf) {
	b.header("Keyspace")
	for db, f := range src.InfoKeyspace() {
		if f.Keys > 0 || f.Expires > 0 {
			b.str("db"+strconv.Itoa(db), "keys="+strconv.FormatInt(f.Keys, 10)+
				",expires="+strconv.FormatInt(f.Expires, 10)+",avg_ttl="+strconv.FormatInt(f.AvgTTL, 10))
		}
	}
}

// writeAnax is Anax's own section: the shards, the transaction scheduler
// and the Go runtime.
func writeAnax(src Source, b *infoBuf) {
	m := ReadMemFigures()
	shards := src.InfoShards()
	tx := src.InfoAnax()
	b.header("Anax")
	b.str("anax_version", tx.Version)
	b.int("shards", int64(len(shards)))
	b.int("hops", tx.Hops)
	b.int("transactions", tx.Transactions)
	b.int("tx_schedule_retries", tx.Retries)
	b.int("tx_queued_commands", tx.Queued)
	b.int("squashed_commands", tx.Squashed)
	b.int("snapshot_cron_saves", tx.CronSaves)
	b.int("snapshot_cron_skipped", tx.CronSkipped)
	b.str("go_version", runtime.Version())
	b.int("gomaxprocs", int64(runtime.GOMAXPROCS(0)))
	b.int("goroutines", m.Goroutines)
	b.int("gc_cycles", m.GCCycles)
	b.int("gc_heap_goal", m.HeapGoal)
	b.int("gc_heap_objects", m.HeapObjectCount)
	b.int("gc_pause_max_us", m.GCPauseMax/1000)
	b.int("gomemlimit", m.MemLimit)
	for _, sh := range shards {
		b.str("shard"+strconv.Itoa(sh.ID), "keys="+strconv.FormatInt(sh.Keys, 10)+
			",used_memory="+strconv.FormatInt(sh.UsedMemory, 10)+
			",inbox="+strconv.Itoa(sh.Inbox)+
			",tx_queue="+strconv.FormatInt(sh.TxQueue, 10)+
			",hits="+strconv.FormatInt(sh.Hits, 10)+
			",misses="+strconv.FormatInt(sh.Misses, 10)+
			",expired_keys="+strconv.FormatInt(sh.ExpiredKeys, 10))
	}
}

func boolInt(v bool) int64 {
	if v {
		return 1
	}
	return 0
}
