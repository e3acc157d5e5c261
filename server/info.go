package server

import (
	"bytes"
	"os"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/server/command"
)

// INFO (Redis's genRedisInfoString): "# Section" headers, "field:value"
// lines ending in CRLF, a blank line between sections, sections always in
// Redis's order whatever order they were asked in. Field names and order
// follow Redis 7.2 so that redis-cli, redis_exporter and the dashboards
// built on them read Anax unchanged; figures Anax does not have (forks,
// replication, Lua) are reported as an idle Redis reports them.
//
// Anax adds anax_version to the server section and an "anax" section
// (shards, hops, transaction scheduler, Go runtime figures) to "all" and "everything".

// infoSections lists the sections in output order; def marks those of a
// plain INFO (Redis's default set).
var infoSections = []struct {
	name string
	def  bool
	gen  func(s *Server, b *infoBuf)
}{
	{"server", true, (*Server).infoServer},
	{"clients", true, (*Server).infoClients},
	{"memory", true, (*Server).infoMemory},
	{"persistence", true, (*Server).infoPersistence},
	{"stats", true, (*Server).infoStats},
	{"replication", true, (*Server).infoReplication},
	{"cpu", true, (*Server).infoCPU},
	{"modules", true, (*Server).infoModules},
	{"commandstats", false, (*Server).infoCommandStats},
	{"errorstats", true, (*Server).infoErrorStats},
	{"latencystats", false, (*Server).infoLatencyStats},
	{"cluster", true, (*Server).infoCluster},
	{"keyspace", true, (*Server).infoKeyspace},
	{"anax", false, (*Server).infoAnax},
}

func cmdInfo(x *command.Exec) {
	x.Verbatim(srv(x).infoString(x.Args[1:]))
}

// infoString renders the sections asked for; no argument means the default
// set. "default", "all" and "everything" may be mixed with section names;
// names are case-insensitive and unknown ones are ignored.
func (s *Server) infoString(args [][]byte) string {
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
	for _, sec := range infoSections {
		if !all && !want[sec.name] && !(sec.def && want["default"]) {
			continue
		}
		if n > 0 {
			b.WriteString("\r\n")
		}
		n++
		sec.gen(s, &b)
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

func (s *Server) infoServer(b *infoBuf) {
	now := time.Now()
	uptime := int64(now.Sub(s.started) / time.Second)
	exe, _ := os.Executable()
	b.header("Server")
	b.str("redis_version", Version)
	b.str("anax_version", AnaxVersion)
	b.str("redis_git_sha1", "00000000")
	b.str("redis_git_dirty", "0")
	b.str("redis_build_id", buildID())
	b.str("redis_mode", "standalone")
	b.str("os", osString())
	b.int("arch_bits", int64(strconv.IntSize))
	b.str("monotonic_clock", "POSIX clock_gettime")
	b.str("multiplexing_api", "epoll")
	b.str("atomicvar_api", "sync-atomic")
	b.str("gcc_version", "0.0.0")
	b.int("process_id", int64(os.Getpid()))
	b.str("process_supervised", "no")
	b.str("run_id", s.runID)
	b.int("tcp_port", s.cfg.Int("port"))
	b.int("server_time_usec", now.UnixMicro())
	b.int("uptime_in_seconds", uptime)
	b.int("uptime_in_days", uptime/(3600*24))
	b.int("hz", s.cfg.Int("hz"))
	b.int("configured_hz", s.cfg.Int("hz"))
	b.int("lru_clock", command.LRUClock(now.UnixMilli()))
	b.str("executable", exe)
	b.str("config_file", s.cfg.ConfigFile())
	b.int("io_threads_active", 0)
	var l strings.Builder
	l.WriteString("name=tcp")
	for _, a := range s.cfg.Strings("bind") {
		l.WriteString(",bind=" + a)
	}
	l.WriteString(",port=" + strconv.FormatInt(s.cfg.Int("port"), 10))
	b.str("listener0", l.String())
}

var osOnce = sync.OnceValue(func() string {
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

func osString() string { return osOnce() }

// buildID is a stable hex tag for this build (Redis's redis_build_id).
var buildID = sync.OnceValue(func() string {
	var h uint64 = 1469598103934665603
	for _, c := range AnaxVersion + runtime.Version() + runtime.GOARCH {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return strconv.FormatUint(h, 16)
})

func (s *Server) infoClients(b *infoBuf) {
	b.header("Clients")
	b.int("connected_clients", s.net.Clients.Load())
	b.int("cluster_connections", 0)
	b.int("maxclients", s.cfg.Int("maxclients"))
	b.int("client_recent_max_input_buffer", 0)
	b.int("client_recent_max_output_buffer", 0)
	b.int("blocked_clients", 0)
	b.int("tracking_clients", 0)
	b.int("clients_in_timeout_table", 0)
	b.int("total_blocking_keys", 0)
	b.int("total_blocking_keys_on_nokey", 0)
}

// memFigures are the Go runtime's memory classes (runtime/metrics).
type memFigures struct {
	used         int64 // what the process allocated and holds: used_memory
	total        int64 // everything the runtime mapped
	heapObjects  int64 // live and not yet swept heap objects
	heapUnused   int64 // heap spans' unused space (fragmentation)
	heapReleased int64 // returned to the OS
	heapGoal     int64
	memLimit     int64
	gcCycles     int64
	goroutines   int64
}

var memSampleNames = []string{
	"/memory/classes/total:bytes",
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/released:bytes",
	"/gc/heap/goal:bytes",
	"/gc/gomemlimit:bytes",
	"/gc/cycles/total:gc-cycles",
	"/sched/goroutines:goroutines",
}

// readMemFigures reads the runtime's memory classes. used_memory is what
// the runtime holds minus free and fragmented heap space: heap objects (the
// shards' arenas included), stacks and runtime metadata; the counterpart of
// Redis's zmalloc_used_memory.
func readMemFigures() memFigures {
	samples := make([]metrics.Sample, len(memSampleNames))
	for i, n := range memSampleNames {
		samples[i].Name = n
	}
	metrics.Read(samples)
	v := make([]int64, len(samples))
	for i, sm := range samples {
		if sm.Value.Kind() == metrics.KindUint64 {
			v[i] = int64(sm.Value.Uint64())
		}
	}
	m := memFigures{
		total:        v[0],
		heapObjects:  v[1],
		heapUnused:   v[2],
		heapReleased: v[4],
		heapGoal:     v[5],
		memLimit:     v[6],
		gcCycles:     v[7],
		goroutines:   v[8],
	}
	// Input buffers of large requests in progress live in mappings outside
	// the Go heap (protocol.inputBuffer); Redis counts query buffers too.
	m.used = v[0] - v[2] - v[3] - v[4] + protocol.MappedInputBytes()
	return m
}

// processRSS returns the resident set size from /proc/self/statm.
func processRSS() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func totalSystemMemory() int64 {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit)
}

// datasetMemory returns the bytes the shards hold for keys and values
// (arenas and tables), as each shard last published it.
func (s *Server) datasetMemory() int64 {
	var n int64
	for _, sh := range s.router.Shards() {
		n += sh.UsedMemory()
	}
	return n
}

// bytesToHuman formats n as Redis does (100B, 1.50K, 2.00M, ...).
func bytesToHuman(n int64) string {
	const k = 1024
	d := float64(n)
	switch {
	case n < k:
		return strconv.FormatInt(n, 10) + "B"
	case n < k*k:
		return strconv.FormatFloat(d/k, 'f', 2, 64) + "K"
	case n < k*k*k:
		return strconv.FormatFloat(d/(k*k), 'f', 2, 64) + "M"
	case n < k*k*k*k:
		return strconv.FormatFloat(d/(k*k*k), 'f', 2, 64) + "G"
	case n < k*k*k*k*k:
		return strconv.FormatFloat(d/(k*k*k*k), 'f', 2, 64) + "T"
	case n < k*k*k*k*k*k:
		return strconv.FormatFloat(d/(k*k*k*k*k), 'f', 2, 64) + "P"
	}
	return strconv.FormatInt(n, 10) + "B"
}

func (s *Server) infoMemory(b *infoBuf) {
	m := readMemFigures()
	a := s.admin()
	a.notePeak(m.used)
	peak := a.peakMemory.Load()
	rss := processRSS()
	dataset := s.datasetMemory()
	overhead := m.used - dataset
	if overhead < 0 {
		overhead = 0
	}
	sys := totalSystemMemory()
	maxmem := s.cfg.Int("maxmemory")
	active := m.heapObjects + m.heapUnused
	resident := m.total - m.heapReleased
	b.header("Memory")
	b.int("used_memory", m.used)
	b.str("used_memory_human", bytesToHuman(m.used))
	b.int("used_memory_rss", rss)
	b.str("used_memory_rss_human", bytesToHuman(rss))
	b.int("used_memory_peak", peak)
	b.str("used_memory_peak_human", bytesToHuman(peak))
	b.str("used_memory_peak_perc", strconv.FormatFloat(memPct(m.used, peak), 'f', 2, 64)+"%")
	b.int("used_memory_overhead", overhead)
	b.int("used_memory_startup", 0)
	b.int("used_memory_dataset", dataset)
	b.str("used_memory_dataset_perc", strconv.FormatFloat(memPct(dataset, m.used), 'f', 2, 64)+"%")
	b.int("allocator_allocated", m.heapObjects)
	b.int("allocator_active", active)
	b.int("allocator_resident", resident)
	b.int("total_system_memory", sys)
	b.str("total_system_memory_human", bytesToHuman(sys))
	b.int("used_memory_lua", 0)
	b.int("used_memory_vm_eval", 0)
	b.str("used_memory_lua_human", "0B")
	b.int("used_memory_scripts_eval", 0)
	b.int("number_of_cached_scripts", 0)
	b.int("number_of_functions", 0)
	b.int("number_of_libraries", 0)
	b.int("used_memory_vm_functions", 0)
	b.int("used_memory_vm_total", 0)
	b.str("used_memory_vm_total_human", "0B")
	b.int("used_memory_functions", 0)
	b.int("used_memory_scripts", 0)
	b.str("used_memory_scripts_human", "0B")
	b.int("maxmemory", maxmem)
	b.str("maxmemory_human", bytesToHuman(maxmem))
	b.str("maxmemory_policy", s.cfg.String("maxmemory-policy"))
	b.float("allocator_frag_ratio", memRatio(active, m.heapObjects))
	b.int("allocator_frag_bytes", active-m.heapObjects)
	b.float("allocator_rss_ratio", memRatio(resident, active))
	b.int("allocator_rss_bytes", resident-active)
	b.float("rss_overhead_ratio", memRatio(rss, resident))
	b.int("rss_overhead_bytes", rss-resident)
	b.float("mem_fragmentation_ratio", memRatio(rss, m.used))
	b.int("mem_fragmentation_bytes", rss-m.used)
	b.int("mem_not_counted_for_evict", 0)
	b.int("mem_replication_backlog", 0)
	b.int("mem_total_replication_buffers", 0)
	b.int("mem_clients_slaves", 0)
	b.int("mem_clients_normal", 0)
	b.int("mem_cluster_links", 0)
	b.int("mem_aof_buffer", 0)
	b.str("mem_allocator", "go")
	b.int("active_defrag_running", 0)
	b.int("lazyfree_pending_objects", 0)
	b.int("lazyfreed_objects", 0)
}

func (s *Server) infoPersistence(b *infoBuf) {
	b.header("Persistence")
	b.int("loading", 0)
	b.int("async_loading", 0)
	b.int("current_cow_peak", 0)
	b.int("current_cow_size", 0)
	b.int("current_cow_size_age", 0)
	b.float("current_fork_perc", 0)
	b.int("current_save_keys_processed", 0)
	b.int("current_save_keys_total", 0)
	b.int("rdb_changes_since_last_save", 0)
	b.int("rdb_bgsave_in_progress", 0)
	b.int("rdb_last_save_time", s.lastSave.Load())
	b.str("rdb_last_bgsave_status", "ok")
	b.int("rdb_last_bgsave_time_sec", -1)
	b.int("rdb_current_bgsave_time_sec", -1)
	b.int("rdb_saves", 0)
	b.int("rdb_last_cow_size", 0)
	b.int("rdb_last_load_keys_expired", 0)
	b.int("rdb_last_load_keys_loaded", 0)
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
}

func (s *Server) infoStats(b *infoBuf) {
	var hits, misses, expired int64
	for _, sh := range s.router.Shards() {
		hits += sh.Stats.Hits.Load()
		misses += sh.Stats.Misses.Load()
		expired += sh.Stats.ExpiredKeys.Load()
	}
	var errTotal int64
	for i := range s.errStats {
		es := &s.errStats[i]
		es.mu.Lock()
		errTotal += es.total
		es.mu.Unlock()
	}
	b.header("Stats")
	b.int("total_connections_received", s.net.TotalConnections.Load())
	b.int("total_commands_processed", s.commandsProcessed())
	b.int("instantaneous_ops_per_sec", s.admin().opsPerSec())
	b.int("total_net_input_bytes", 0)
	b.int("total_net_output_bytes", 0)
	b.int("total_net_repl_input_bytes", 0)
	b.int("total_net_repl_output_bytes", 0)
	b.float("instantaneous_input_kbps", 0)
	b.float("instantaneous_output_kbps", 0)
	b.float("instantaneous_input_repl_kbps", 0)
	b.float("instantaneous_output_repl_kbps", 0)
	b.int("rejected_connections", s.net.Rejected.Load())
	b.int("sync_full", 0)
	b.int("sync_partial_ok", 0)
	b.int("sync_partial_err", 0)
	b.int("expired_keys", expired)
	b.float("expired_stale_perc", 0)
	b.int("expired_time_cap_reached_count", 0)
	b.int("expire_cycle_cpu_milliseconds", 0)
	b.int("evicted_keys", 0)
	b.int("evicted_clients", 0)
	b.int("total_eviction_exceeded_time", 0)
	b.int("current_eviction_exceeded_time", 0)
	b.int("keyspace_hits", hits)
	b.int("keyspace_misses", misses)
	b.int("pubsub_channels", 0)
	b.int("pubsub_patterns", 0)
	b.int("pubsubshard_channels", 0)
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
	b.int("tracking_total_keys", 0)
	b.int("tracking_total_items", 0)
	b.int("tracking_total_prefixes", 0)
	b.int("unexpected_error_replies", 0)
	b.int("total_error_replies", errTotal)
	b.int("dump_payload_sanitizations", 0)
	b.int("total_reads_processed", 0)
	b.int("total_writes_processed", 0)
	b.int("io_threaded_reads_processed", 0)
	b.int("io_threaded_writes_processed", 0)
	b.int("client_query_buffer_limit_disconnections", s.net.QueryLimitDisconnections.Load())
	b.int("client_output_buffer_limit_disconnections", s.net.OutputLimitDisconnections.Load())
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

func (s *Server) infoReplication(b *infoBuf) {
	const backlog = 1 << 20 // Redis's default repl-backlog-size; no replication yet
	b.header("Replication")
	b.str("role", "master")
	b.int("connected_slaves", 0)
	b.str("master_failover_state", "no-failover")
	b.str("master_replid", s.admin().replID)
	b.str("master_replid2", "0000000000000000000000000000000000000000")
	b.int("master_repl_offset", 0)
	b.int("second_repl_offset", -1)
	b.int("repl_backlog_active", 0)
	b.int("repl_backlog_size", backlog)
	b.int("repl_backlog_first_byte_offset", 0)
	b.int("repl_backlog_histlen", 0)
}

func (s *Server) infoCPU(b *infoBuf) {
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

func (s *Server) infoModules(b *infoBuf) { b.header("Modules") }

// infoCommandStats writes cmdstat_<name> for every command called at least
// once. A container command is reported through its subcommands
// (cmdstat_client|list), as Redis 7 does, and on its own line only for what
// was not passed to a subcommand: a bare COMMAND, or a CLIENT with no
// subcommand rejected for its arity.
func (s *Server) infoCommandStats(b *infoBuf) {
	b.header("Commandstats")
	for _, c := range s.cmdList {
		if len(c.Subcommands) == 0 {
			writeCmdStat(b, c.Name, cmdStatTotals(c))
			continue
		}
		writeCmdStat(b, c.Name, s.containerOwnStats(c))
		for _, sub := range c.Subcommands {
			writeCmdStat(b, sub.Name, cmdStatTotals(sub))
		}
	}
}

type cmdStatSum struct{ calls, usec, rejected, failed int64 }

func cmdStatTotals(c *command.Spec) cmdStatSum {
	var t cmdStatSum
	for i := range c.Stats {
		st := &c.Stats[i]
		t.calls += st.Calls.Load()
		t.usec += st.Nsec.Load() / 1000
		t.rejected += st.Rejected.Load()
		t.failed += st.Failed.Load()
	}
	return t
}

// containerOwnStats returns what a container's counters hold beyond its
// subcommands' calls (dispatch counts every call on the container itself).
func (s *Server) containerOwnStats(c *command.Spec) cmdStatSum {
	own := cmdStatTotals(c)
	for _, sub := range c.Subcommands {
		t := cmdStatTotals(sub)
		own.calls -= t.calls + t.rejected
		own.usec -= t.usec
	}
	own.calls -= s.admin().unknownSubcommands(c)
	own.failed = 0 // every failure belongs to a subcommand
	if own.calls <= 0 {
		own.calls, own.usec = 0, 0
	}
	own.usec = max(own.usec, 0) // inline commands share their batch's time
	return own
}

// commandsProcessed is total_commands_processed: the calls that ran, not
// counting those a container refused (unknown subcommand, wrong arity).
func (s *Server) commandsProcessed() int64 {
	n := s.totalCommands()
	a := s.admin()
	for _, c := range s.cmdList {
		for _, sub := range c.Subcommands {
			n -= cmdStatTotals(sub).rejected
		}
		if len(c.Subcommands) > 0 {
			n -= a.unknownSubcommands(c)
		}
	}
	return n
}

func writeCmdStat(b *infoBuf, name string, t cmdStatSum) {
	if t.calls == 0 && t.rejected == 0 && t.failed == 0 {
		return
	}
	perCall := 0.0
	if t.calls > 0 {
		perCall = float64(t.usec) / float64(t.calls)
	}
	b.str("cmdstat_"+infoSafe(name), "calls="+strconv.FormatInt(t.calls, 10)+
		",usec="+strconv.FormatInt(t.usec, 10)+
		",usec_per_call="+strconv.FormatFloat(perCall, 'f', 2, 64)+
		",rejected_calls="+strconv.FormatInt(t.rejected, 10)+
		",failed_calls="+strconv.FormatInt(t.failed, 10))
}

// infoErrorStats writes errorstat_<PREFIX>:count=N, sorted by prefix.
func (s *Server) infoErrorStats(b *infoBuf) {
	b.header("Errorstats")
	counts := s.errorCounts()
	names := make([]string, 0, len(counts))
	for k := range counts {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		b.str("errorstat_"+infoSafe(k), "count="+strconv.FormatInt(counts[k], 10))
	}
}

// infoSafe replaces the characters that would break an INFO line, as
// Redis's getSafeInfoString does.
func infoSafe(s string) string {
	if strings.ContainsAny(s, ":\r\n") {
		return strings.NewReplacer(":", "_", "\r", "_", "\n", "_").Replace(s)
	}
	return s
}

// infoLatencyStats has no lines: per-command latency percentiles are not
// tracked yet (Redis's latency-tracking).
func (s *Server) infoLatencyStats(b *infoBuf) { b.header("Latencystats") }

func (s *Server) infoCluster(b *infoBuf) {
	b.header("Cluster")
	b.int("cluster_enabled", 0)
}

// infoKeyspace sums each database over the shards (the figures each shard
// publishes as it changes).
func (s *Server) infoKeyspace(b *infoBuf) {
	b.header("Keyspace")
	shards := s.router.Shards()
	for db := 0; db < shards[0].NumDB(); db++ {
		var keys, expires int64
		for _, sh := range shards {
			keys += sh.Keys(db)
			expires += sh.Expires(db)
		}
		if keys > 0 || expires > 0 {
			b.str("db"+strconv.Itoa(db), "keys="+strconv.FormatInt(keys, 10)+
				",expires="+strconv.FormatInt(expires, 10)+",avg_ttl=0")
		}
	}
}

// infoAnax is Anax's own section: the shards and the Go runtime.
func (s *Server) infoAnax(b *infoBuf) {
	m := readMemFigures()
	shards := s.router.Shards()
	b.header("Anax")
	b.str("anax_version", AnaxVersion)
	b.int("shards", int64(len(shards)))
	b.int("hops", s.router.Stats.Hops.Load())
	b.int("transactions", s.router.Stats.Transactions.Load())
	b.int("tx_schedule_retries", s.router.Stats.Retries.Load())
	b.int("tx_queued_commands", s.router.Stats.Queued.Load())
	b.int("squashed_commands", s.router.Stats.Squashed.Load())
	b.str("go_version", runtime.Version())
	b.int("gomaxprocs", int64(runtime.GOMAXPROCS(0)))
	b.int("goroutines", m.goroutines)
	b.int("gc_cycles", m.gcCycles)
	b.int("gc_heap_goal", m.heapGoal)
	b.int("gomemlimit", m.memLimit)
	for _, sh := range shards {
		var keys int64
		for db := 0; db < sh.NumDB(); db++ {
			keys += sh.Keys(db)
		}
		b.str("shard"+strconv.Itoa(sh.ID), "keys="+strconv.FormatInt(keys, 10)+
			",used_memory="+strconv.FormatInt(sh.UsedMemory(), 10)+
			",inbox="+strconv.Itoa(sh.InboxLen())+
			",tx_queue="+strconv.FormatInt(s.router.QueueLen(sh.ID), 10)+
			",hits="+strconv.FormatInt(sh.Stats.Hits.Load(), 10)+
			",misses="+strconv.FormatInt(sh.Stats.Misses.Load(), 10)+
			",expired_keys="+strconv.FormatInt(sh.Stats.ExpiredKeys.Load(), 10))
	}
}
