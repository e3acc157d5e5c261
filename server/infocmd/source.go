package infocmd

import (
	"time"

	"github.com/anaxdb/anax/server/command"
)

// Source is what INFO reads from the server. Each method gathers the
// figures of one section and is called only when that section is rendered,
// so a narrow INFO costs only what it shows. Every method is safe on any
// goroutine.
type Source interface {
	CommandCounters

	InfoServer() ServerFigures
	InfoClients() ClientFigures
	// InfoMemory is given used_memory as just read (ReadMemFigures) so
	// that the server can note it as a peak before reporting the peak.
	InfoMemory(used int64) MemoryFigures
	InfoPersistence() PersistenceFigures
	InfoStats() StatsFigures
	InfoReplication() ReplicationFigures
	// InfoErrors returns the error replies by prefix (ERR, WRONGTYPE...).
	InfoErrors() map[string]int64
	// InfoKeyspace returns every database, index by index, empty ones too.
	InfoKeyspace() []DBFigures
	// InfoShards returns every shard, in shard order.
	InfoShards() []ShardFigures
	InfoAnax() AnaxFigures
}

// CommandCounters is what command statistics are computed from: the
// command table and the counters dispatch keeps (INFO commandstats and
// total_commands_processed, the metrics endpoint, the console).
type CommandCounters interface {
	// CommandTable returns every command, sorted by name.
	CommandTable() []*command.Spec
	// UnknownSubcommands returns how many calls of the container c named
	// no subcommand of it.
	UnknownSubcommands(c *command.Spec) int64
	// CommandsRun returns the calls dispatch counted on every command,
	// the refused calls of containers included.
	CommandsRun() int64
}

// ServerFigures feed the server section.
type ServerFigures struct {
	RedisVersion string // the Redis version reported for compatibility
	AnaxVersion  string
	RunID        string
	ConfigFile   string
	Started      time.Time
	Port         int64
	Hz           int64
	Bind         []string // the addresses listened on, as configured
}

// ClientFigures feed the clients section.
type ClientFigures struct {
	Connected  int64
	MaxClients int64
	// Blocked is the number of clients in a blocking command; BlockingKeys
	// the number of keys they wait on.
	Blocked      int64
	BlockingKeys int64
	// PubSub counts the clients with a subscription of any kind; Watching
	// those with a watched key, WatchedKeys the keys watched (Redis 7.4).
	PubSub, Watching, WatchedKeys int64
}

// MemoryFigures are the memory figures only the server knows.
type MemoryFigures struct {
	Peak      int64 // used_memory_peak, the used figure given included
	Dataset   int64 // bytes the shards hold for keys and values
	MaxMemory int64
	Policy    string // maxmemory-policy
	// LazyPending is the number of deleted big values whose memory is
	// still being freed in bounded steps; LazyFreed those freed that way.
	LazyPending int64
	LazyFreed   int64
	// Scripting: the Lua interpreters' memory (an estimate), the bytes of
	// the script cache and the number of scripts in it.
	LuaVM         int64
	ScriptsEval   int64
	CachedScripts int64
	// Functions: libraries, functions, and the bytes of their code.
	Libraries       int64
	Functions       int64
	FunctionsMemory int64
}

// PersistenceFigures feed the persistence section.
type PersistenceFigures struct {
	LastSave      int64 // Unix seconds of the last successful save
	Loading       bool  // a snapshot is loading
	Changes       int64 // writes since the last save
	BgsaveRunning bool
	LastBgsaveOK  bool
	LastBgsaveSec int64 // the last background save's duration, -1: none yet
	CurrentBgsave int64 // seconds the running one has taken, -1: none
	Saves         int64 // successful saves since the start
	LoadKeys      int64 // keys the last load loaded
	LoadExpired   int64 // keys it skipped, already expired
	// While loading: when it began (Unix s), the file's size, the bytes
	// read so far, and the used memory the file's header records.
	LoadStart, LoadTotal, LoadDone, LoadUsedMem int64
}

// StatsFigures are the server's counters in the stats section; the
// keyspace counters come from InfoShards and total_commands_processed
// from CommandsProcessed.
type StatsFigures struct {
	ConnectionsReceived       int64
	OpsPerSec                 int64 // over the server's recent samples
	RejectedConnections       int64
	ErrorReplies              int64
	QueryLimitDisconnections  int64
	OutputLimitDisconnections int64
	// EvictedScripts counts EVAL scripts dropped from the cache to keep it
	// within its bound (Redis 7.4's evicted_scripts).
	EvictedScripts int64
	// NetInput and NetOutput are the bytes read from and written to
	// clients; InputKbps and OutputKbps their recent rates in KiB/s.
	NetInput, NetOutput   int64
	InputKbps, OutputKbps float64
}

// LatencySource is implemented by a Source that tracks per-command
// latency (INFO latencystats); a Source without it shows the section
// empty.
type LatencySource interface {
	// LatencyPercentiles returns latency-tracking-info-percentiles, or
	// nil when latency-tracking is off.
	LatencyPercentiles() []float64
	// CommandHistogram sums cmd's latency histogram over the loops into
	// dst; false when nothing was recorded.
	CommandHistogram(cmd *command.Spec, dst *[command.HistBuckets]uint64) bool
}

// ReplicationFigures feed the replication section.
type ReplicationFigures struct {
	ReplID string
}

// DBFigures are one database's sizes over every shard.
type DBFigures struct {
	Keys, Expires int64
	AvgTTL        int64 // milliseconds
}

// ShardFigures are what one shard last published.
type ShardFigures struct {
	ID          int
	Keys        int64 // in every database
	UsedMemory  int64
	Inbox       int   // messages waiting in the shard's inbox
	TxQueue     int64 // transactions waiting in the shard's scheduler queue
	Hits        int64
	Misses      int64
	ExpiredKeys int64
	EvictedKeys int64 // deleted to stay within maxmemory
	// ExpiredFields counts hash fields and set and sorted-set members
	// deleted because their expiry passed (Redis 7.4's expired_subkeys).
	ExpiredFields int64
}

// AnaxFigures feed Anax's own section: its version and the transaction
// scheduler's counters.
type AnaxFigures struct {
	Version                                       string
	Hops, Transactions, Retries, Queued, Squashed int64
	// snapshot-cron: the saves it started, and the runs it skipped
	// because a save was still running.
	CronSaves, CronSkipped int64
}
