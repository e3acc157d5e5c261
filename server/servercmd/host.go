package servercmd

import (
	"go.uber.org/zap"

	"github.com/anaxdb/anax/config"
	"github.com/anaxdb/anax/server/command"
)

// Host is what the server commands need from the server they run in,
// beyond command.Env. The server's command.Env implements it; the commands
// find it by a type assertion on Exec.Env (hostOf). Its methods are safe
// on any loop's goroutine.
type Host interface {
	// Config is the server's configuration, which CONFIG reads, sets and
	// rewrites. It does its own locking.
	Config() *config.Config
	// Log is the server's log, for what Redis logs of CONFIG REWRITE and
	// SHUTDOWN.
	Log() *zap.SugaredLogger
	// ResetStats clears what INFO counts (CONFIG RESETSTAT): command and
	// error statistics, the shards' keyspace counters, the router's and
	// the listener's totals, the memory peak and the rate samples.
	ResetStats()
	// LastSave is the Unix time, in seconds, of the last successful save
	// (the server's start, or the load of its snapshot, before any).
	LastSave() int64
	// UsedMemory is used_memory: the bytes the process holds, free heap
	// excluded.
	UsedMemory() int64
	// MemoryStats reads the figures MEMORY STATS reports. Like Redis's
	// MEMORY STATS it first notes the current use as a candidate peak, so
	// Peak >= Used.
	MemoryStats() MemoryStats
	// IsLocalClient reports whether the client of x, a command.FlagLoop
	// command, is connected over a loopback address.
	IsLocalClient(x *command.Exec) bool
	// CloseAfterReply closes the connection of x, a command.FlagLoop
	// command, once its replies are written.
	CloseAfterReply(x *command.Exec)
	// Shutdown stops the server: it returns at once, and the server stops
	// its loops and shards after.
	Shutdown()
}

// MemoryStats are the server's memory figures in bytes, as MEMORY STATS
// reports them. The runtime's classes (Total, HeapObjects, HeapUnused,
// HeapReleased) are runtime/metrics' /memory/classes figures.
type MemoryStats struct {
	Used    int64 // used_memory
	Peak    int64 // used_memory_peak since start or CONFIG RESETSTAT
	Dataset int64 // the shards' keys and values: arenas and tables
	Tables  int64 // the shards' key tables alone
	RSS     int64 // the process's resident set size, 0 when unknown

	Total        int64 // everything the runtime mapped
	HeapObjects  int64 // live and not yet swept heap objects
	HeapUnused   int64 // heap spans' unused space (fragmentation)
	HeapReleased int64 // heap returned to the operating system

	// DBs holds, by database index, every database's key counts summed
	// over the shards.
	DBs []DBKeys
}

// DBKeys are the key counts of one database.
type DBKeys struct {
	Keys    int64 // keys
	Expires int64 // keys with a time to live
}

// hostOf returns the Host of the server x runs in.
func hostOf(x *command.Exec) Host {
	h, ok := x.Env.(Host)
	if !ok {
		panic("BUG: servercmd: the command environment is no servercmd.Host")
	}
	return h
}
