package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Stats is what the collector reads. The server implements it.
type Stats interface {
	// MetricsSnapshot fills s with the current figures. It is called on an
	// HTTP goroutine, once per scrape, and must not wait on a shard (read
	// atomics and published values only). s is zeroed before the call;
	// slices in it may be appended to.
	MetricsSnapshot(s *Snapshot)
}

// Snapshot is one reading of the server's figures. Counters count since
// start or the last CONFIG RESETSTAT, as INFO's do.
type Snapshot struct {
	// Loading is true while a snapshot file is being loaded.
	Loading bool

	// Instance (INFO server): the labels of redis_instance_info.
	RedisVersion    string
	AnaxVersion     string
	Mode            string // redis_mode: "standalone"
	OS              string
	Role            string // "master"
	RunID           string
	TCPPort         int64
	ProcessID       int64
	MaxmemoryPolicy string
	UptimeSeconds   int64

	// Clients.
	ConnectedClients    int64
	BlockedClients      int64
	MaxClients          int64
	ConnectionsReceived int64
	RejectedConnections int64
	NetInputBytes       int64 // total_net_input_bytes
	NetOutputBytes      int64 // total_net_output_bytes
	// Client-side caching (CLIENT TRACKING).
	TrackingClients, TrackingKeys, TrackingItems, TrackingPrefixes int64

	// Memory, in bytes.
	MemoryUsed        int64
	MemoryPeak        int64
	MemoryRSS         int64
	MemoryMax         int64 // maxmemory (0: no limit)
	MemoryDataset     int64
	TotalSystemMemory int64

	// Keyspace and command counters.
	KeyspaceHits      int64
	KeyspaceMisses    int64
	ExpiredKeys       int64
	EvictedKeys       int64
	CommandsProcessed int64
	LastSaveTime      int64 // Unix seconds
	// Snapshots (INFO persistence).
	RDBChanges       int64 // rdb_changes_since_last_save
	RDBBgsaveRunning bool
	RDBLastBgsaveOK  bool
	RDBSaves         int64
	CPUSysSeconds    float64
	CPUUserSeconds   float64
	SlowlogLength    int64
	SlowlogLastID    int64

	Commands []CommandStat // one per command (and subcommand) called
	Errors   []ErrorStat   // one per error prefix seen
	DBs      []DBStat      // databases that hold keys
	Shards   []ShardStat   // every shard

	// Anax's router and transaction scheduler.
	Hops         int64
	Transactions int64
	TxRetries    int64
	TxQueued     int64
	Squashed     int64
}

// CommandStat is one INFO commandstats line.
type CommandStat struct {
	Name     string // lowercase; subcommands as "client|list"
	Calls    int64
	Usec     int64
	Rejected int64
	Failed   int64
}

// ErrorStat is one INFO errorstats line.
type ErrorStat struct {
	Prefix string // "ERR", "WRONGTYPE", ...
	Count  int64
}

// DBStat is one INFO keyspace line.
type DBStat struct {
	Index   int
	Keys    int64
	Expires int64
}

// ShardStat is one shard's published figures.
type ShardStat struct {
	ID          int
	Keys        int64
	MemoryUsed  int64
	QueueLength int64 // tasks waiting in the shard's inbox
	TxQueue     int64 // transactions scheduled on the shard and not concluded
}

// Handler returns the /metrics handler over stats: the collector below, in
// its own registry (so nothing registered elsewhere in the process leaks
// in), served by promhttp (text format, gzip when asked).
func Handler(stats Stats) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(stats))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 4,
	})
}

// Collector turns a Snapshot into metrics. It is unchecked by design (its
// Describe sends the fixed descriptors only) and safe for concurrent
// scrapes: each Collect takes its own Snapshot.
type Collector struct {
	stats Stats
}

// NewCollector returns a collector reading stats.
func NewCollector(stats Stats) *Collector { return &Collector{stats: stats} }

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

// The descriptors. Names and help follow redis_exporter's.
var (
	dUp           = desc("redis_up", "Information about the Redis instance")
	dInstanceInfo = desc("redis_instance_info", "Information about the Redis instance",
		"redis_version", "anax_version", "redis_mode", "os", "role", "run_id", "tcp_port", "process_id", "maxmemory_policy")
	dLoading       = desc("redis_loading_dump_file", "loading_dump_file metric")
	dUptime        = desc("redis_uptime_in_seconds", "uptime_in_seconds metric")
	dStartTime     = desc("redis_start_time_seconds", "Start time of the Redis instance since unix epoch in seconds.")
	dClients       = desc("redis_connected_clients", "connected_clients metric")
	dBlocked       = desc("redis_blocked_clients", "blocked_clients metric")
	dMaxClients    = desc("redis_config_maxclients", "config_maxclients metric")
	dTrkClients    = desc("redis_tracking_clients", "tracking_clients metric")
	dTrkKeys       = desc("redis_tracking_total_keys", "tracking_total_keys metric")
	dTrkItems      = desc("redis_tracking_total_items", "tracking_total_items metric")
	dTrkPrefixes   = desc("redis_tracking_total_prefixes", "tracking_total_prefixes metric")
	dConnReceived  = desc("redis_connections_received_total", "connections_received_total metric")
	dRejectedConns = desc("redis_rejected_connections_total", "rejected_connections_total metric")
	dNetInput      = desc("redis_net_input_bytes_total", "net_input_bytes_total metric")
	dNetOutput     = desc("redis_net_output_bytes_total", "net_output_bytes_total metric")
	dMemUsed       = desc("redis_memory_used_bytes", "memory_used_bytes metric")
	dMemPeak       = desc("redis_memory_used_peak_bytes", "memory_used_peak_bytes metric")
	dMemRSS        = desc("redis_memory_used_rss_bytes", "memory_used_rss_bytes metric")
	dMemMax        = desc("redis_memory_max_bytes", "memory_max_bytes metric")
	dMemDataset    = desc("redis_memory_used_dataset_bytes", "memory_used_dataset_bytes metric")
	dSysMem        = desc("redis_total_system_memory_bytes", "total_system_memory_bytes metric")
	dHits          = desc("redis_keyspace_hits_total", "keyspace_hits_total metric")
	dMisses        = desc("redis_keyspace_misses_total", "keyspace_misses_total metric")
	dExpired       = desc("redis_expired_keys_total", "expired_keys_total metric")
	dEvicted       = desc("redis_evicted_keys_total", "evicted_keys_total metric")
	dProcessed     = desc("redis_commands_processed_total", "commands_processed_total metric")
	dLastSave      = desc("redis_rdb_last_save_timestamp_seconds", "rdb_last_save_timestamp_seconds metric")
	dRDBChanges    = desc("redis_rdb_changes_since_last_save", "rdb_changes_since_last_save metric")
	dRDBBgsave     = desc("redis_rdb_bgsave_in_progress", "rdb_bgsave_in_progress metric")
	dRDBLastStatus = desc("redis_rdb_last_bgsave_status", "rdb_last_bgsave_status metric")
	dRDBSaves      = desc("redis_rdb_saves_total", "rdb_saves_total metric")
	dCPUSys        = desc("redis_cpu_sys_seconds_total", "cpu_sys_seconds_total metric")
	dCPUUser       = desc("redis_cpu_user_seconds_total", "cpu_user_seconds_total metric")
	dSlowlogLen    = desc("redis_slowlog_length", "Total slowlog")
	dSlowlogLastID = desc("redis_slowlog_last_id", "Last id of slowlog")
	dCmdCalls      = desc("redis_commands_total", "Total number of calls per command", "cmd")
	dCmdDuration   = desc("redis_commands_duration_seconds_total", "Total amount of time in seconds spent per command", "cmd")
	dCmdRejected   = desc("redis_commands_rejected_calls_total", "Total number of errors prior command execution per command", "cmd")
	dCmdFailed     = desc("redis_commands_failed_calls_total", "Total number of errors within command execution per command", "cmd")
	dErrors        = desc("redis_errors_total", "Total number of errors per error type", "err")
	dDBKeys        = desc("redis_db_keys", "Total number of keys by DB", "db")
	dDBExpiring    = desc("redis_db_keys_expiring", "Total number of expiring keys by DB", "db")

	dShards        = desc("anax_shards", "Number of shards (event loops) serving the keyspace.")
	dShardKeys     = desc("anax_shard_keys", "Keys held by a shard, over all databases.", "shard")
	dShardMem      = desc("anax_shard_memory_used_bytes", "Bytes held by a shard's arena and tables.", "shard")
	dShardQueue    = desc("anax_shard_queue_length", "Tasks waiting in a shard's inbox.", "shard")
	dHops          = desc("anax_hops_total", "Commands posted to another shard than the connection's own.")
	dTxQueue       = desc("anax_shard_tx_queue_length", "Transactions scheduled on a shard and not yet concluded.", "shard")
	dTransactions  = desc("anax_transactions_total", "Transaction ids taken by the scheduler (multi-shard commands, EXECs and contended commands).")
	dTxRetries     = desc("anax_tx_schedule_retries_total", "Transaction schedules refused by a shard and retried with a new id.")
	dTxQueued      = desc("anax_tx_queued_commands_total", "Single-shard commands that found their keys locked and queued behind a transaction.")
	dSquashed      = desc("anax_squashed_commands_total", "Commands that ran in a hop shared with other commands (EXEC bodies and pipelines).")
	dBuildInfo     = desc("anax_build_info", "Anax and Go versions.", "version", "goversion")
	dGoroutines    = desc("anax_go_goroutines", "Live goroutines.")
	dGCCycles      = desc("anax_go_gc_cycles_total", "Completed GC cycles.")
	dGCPause       = desc("anax_go_gc_pause_seconds", "Stop-the-world pauses of the garbage collector (from runtime/metrics; the sum is estimated from bucket midpoints).")
	dGCCPU         = desc("anax_go_gc_cpu_seconds_total", "CPU time spent by the garbage collector (estimated by the runtime).")
	dHeapGoal      = desc("anax_go_gc_heap_goal_bytes", "Heap size target of the next GC cycle.")
	dMemLimit      = desc("anax_go_memory_limit_bytes", "The Go runtime's soft memory limit (GOMEMLIMIT).")
	dRuntimeMapped = desc("anax_go_memory_mapped_bytes", "All memory mapped by the Go runtime.")
)

var allDescs = []*prometheus.Desc{
	dUp, dInstanceInfo, dLoading, dUptime, dStartTime, dClients, dBlocked, dMaxClients, dConnReceived,
	dRejectedConns, dNetInput, dNetOutput, dMemUsed, dMemPeak, dMemRSS, dMemMax, dMemDataset, dSysMem, dHits, dMisses,
	dExpired, dEvicted, dProcessed, dLastSave, dRDBChanges, dRDBBgsave, dRDBLastStatus, dRDBSaves,
	dCPUSys, dCPUUser, dSlowlogLen, dSlowlogLastID,
	dCmdCalls, dCmdDuration, dCmdRejected, dCmdFailed, dErrors, dDBKeys, dDBExpiring,
	dShards, dShardKeys, dShardMem, dShardQueue, dTxQueue, dHops, dTransactions, dTxRetries, dTxQueued, dSquashed, dBuildInfo,
	dGoroutines, dGCCycles, dGCPause, dGCCPU, dHeapGoal, dMemLimit, dRuntimeMapped,
	dTrkClients, dTrkKeys, dTrkItems, dTrkPrefixes,
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range allDescs {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	var s Snapshot
	c.stats.MetricsSnapshot(&s)
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	i := func(n int64) float64 { return float64(n) }
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}

	gauge(dUp, 1)
	gauge(dInstanceInfo, 1, s.RedisVersion, s.AnaxVersion, s.Mode, s.OS, s.Role, s.RunID,
		strconv.FormatInt(s.TCPPort, 10), strconv.FormatInt(s.ProcessID, 10), s.MaxmemoryPolicy)
	gauge(dLoading, b(s.Loading))
	gauge(dUptime, i(s.UptimeSeconds))
	gauge(dStartTime, i(time.Now().Unix()-s.UptimeSeconds))
	gauge(dClients, i(s.ConnectedClients))
	gauge(dBlocked, i(s.BlockedClients))
	gauge(dMaxClients, i(s.MaxClients))
	gauge(dTrkClients, i(s.TrackingClients))
	gauge(dTrkKeys, i(s.TrackingKeys))
	gauge(dTrkItems, i(s.TrackingItems))
	gauge(dTrkPrefixes, i(s.TrackingPrefixes))
	counter(dConnReceived, i(s.ConnectionsReceived))
	counter(dRejectedConns, i(s.RejectedConnections))
	counter(dNetInput, i(s.NetInputBytes))
	counter(dNetOutput, i(s.NetOutputBytes))
	gauge(dMemUsed, i(s.MemoryUsed))
	gauge(dMemPeak, i(s.MemoryPeak))
	gauge(dMemRSS, i(s.MemoryRSS))
	gauge(dMemMax, i(s.MemoryMax))
	gauge(dMemDataset, i(s.MemoryDataset))
	gauge(dSysMem, i(s.TotalSystemMemory))
	counter(dHits, i(s.KeyspaceHits))
	counter(dMisses, i(s.KeyspaceMisses))
	counter(dExpired, i(s.ExpiredKeys))
	counter(dEvicted, i(s.EvictedKeys))
	counter(dProcessed, i(s.CommandsProcessed))
	gauge(dLastSave, i(s.LastSaveTime))
	gauge(dRDBChanges, i(s.RDBChanges))
	gauge(dRDBBgsave, b(s.RDBBgsaveRunning))
	gauge(dRDBLastStatus, b(s.RDBLastBgsaveOK))
	counter(dRDBSaves, i(s.RDBSaves))
	counter(dCPUSys, s.CPUSysSeconds)
	counter(dCPUUser, s.CPUUserSeconds)
	gauge(dSlowlogLen, i(s.SlowlogLength))
	gauge(dSlowlogLastID, i(s.SlowlogLastID))
	for _, cs := range s.Commands {
		counter(dCmdCalls, i(cs.Calls), cs.Name)
		counter(dCmdDuration, float64(cs.Usec)/1e6, cs.Name)
		counter(dCmdRejected, i(cs.Rejected), cs.Name)
		counter(dCmdFailed, i(cs.Failed), cs.Name)
	}
	for _, e := range s.Errors {
		counter(dErrors, i(e.Count), e.Prefix)
	}
	for _, db := range s.DBs {
		name := "db" + strconv.Itoa(db.Index)
		gauge(dDBKeys, i(db.Keys), name)
		gauge(dDBExpiring, i(db.Expires), name)
	}

	gauge(dShards, float64(len(s.Shards)))
	for _, sh := range s.Shards {
		id := strconv.Itoa(sh.ID)
		gauge(dShardKeys, i(sh.Keys), id)
		gauge(dShardMem, i(sh.MemoryUsed), id)
		gauge(dShardQueue, i(sh.QueueLength), id)
		gauge(dTxQueue, i(sh.TxQueue), id)
	}
	counter(dHops, i(s.Hops))
	counter(dTransactions, i(s.Transactions))
	counter(dTxRetries, i(s.TxRetries))
	counter(dTxQueued, i(s.TxQueued))
	counter(dSquashed, i(s.Squashed))
	collectRuntime(ch, s.AnaxVersion)
}
