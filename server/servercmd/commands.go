package servercmd

import (
	"time"

	"github.com/anaxdb/anax/server/command"
)

// Commands returns the family's command specs: TIME, LASTSAVE, ROLE, WAIT,
// READONLY, READWRITE, ASKING,
// CONFIG, MEMORY and MODULE with their subcommands, named
// "container|sub" as Redis names them.
func Commands() []*command.Spec {
	const (
		adm = command.FlagAdmin | command.FlagNoScript | command.FlagLoading | command.FlagStale
		ls  = command.FlagLoading | command.FlagStale
	)
	conn := []string{"connection"}
	return []*command.Spec{
		{Name: "time", Arity: 1, Flags: command.FlagLoop | ls | command.FlagFast, Run: cmdTime, Group: "server", Summary: "Returns the server time.", Since: "2.6.0", Complexity: "O(1)"},
		{Name: "lastsave", Arity: 1, Flags: command.FlagLoop | ls | command.FlagFast, Run: cmdLastSave, Categories: []string{"admin", "dangerous"}, Group: "server", Summary: "Returns the Unix timestamp of the last successful save to disk.", Since: "1.0.0", Complexity: "O(1)"},
		{Name: "role", Arity: 1, Flags: command.FlagLoop | command.FlagNoScript | ls | command.FlagFast, Run: cmdRole, Categories: []string{"admin", "fast", "dangerous"}, Group: "server", Summary: "Returns the replication role.", Since: "2.8.12", Complexity: "O(1)"},
		{Name: "readonly", Arity: 1, Flags: command.FlagLoop | ls | command.FlagFast, Run: cmdClusterDisabled, Categories: conn, Group: "cluster", Summary: "Enables read-only queries for a connection to a Redis Cluster replica node.", Since: "3.0.0", Complexity: "O(1)"},
		{Name: "readwrite", Arity: 1, Flags: command.FlagLoop | ls | command.FlagFast, Run: cmdClusterDisabled, Categories: conn, Group: "cluster", Summary: "Enables read-write queries for a connection to a Reids Cluster replica node.", Since: "3.0.0", Complexity: "O(1)"},
		{Name: "asking", Arity: 1, Flags: command.FlagLoop | command.FlagFast, Run: cmdClusterDisabled, Categories: conn, Group: "cluster", Summary: "Signals that a cluster client is following an -ASK redirect.", Since: "3.0.0", Complexity: "O(1)"},
		{Name: "wait", Arity: 3, Flags: command.FlagLoop | command.FlagNoScript, Run: cmdWait, Categories: conn, Group: "generic", Summary: "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.", Since: "3.0.0", Complexity: "O(1)"},
		{Name: "config", Arity: -2, Flags: command.FlagLoop, Run: command.RunSubcommand, Group: "server", Summary: "A container for server configuration commands.", Since: "2.0.0", Complexity: "Depends on subcommand.",
			Subcommands: []*command.Spec{
				{Name: "config|get", Arity: -3, Flags: adm, Run: cmdConfigGet, Group: "server", Summary: "Returns the effective values of configuration parameters.", Since: "2.0.0", Complexity: "O(N) when N is the number of configuration parameters provided"},
				{Name: "config|set", Arity: -4, Flags: adm, Run: cmdConfigSet, Group: "server", Summary: "Sets configuration parameters in-flight.", Since: "2.0.0", Complexity: "O(N) when N is the number of configuration parameters provided"},
				{Name: "config|resetstat", Arity: 2, Flags: adm, Run: cmdConfigResetStat, Group: "server", Summary: "Resets the server's statistics.", Since: "2.0.0", Complexity: "O(1)"},
				{Name: "config|rewrite", Arity: 2, Flags: adm, Run: cmdConfigRewrite, Group: "server", Summary: "Persists the effective configuration to file.", Since: "2.8.0", Complexity: "O(1)"},
				{Name: "config|help", Arity: 2, Flags: ls, Run: cmdConfigHelp, Group: "server", Summary: "Returns helpful text about the different subcommands.", Since: "5.0.0", Complexity: "O(1)"},
			}},
		// MEMORY is routed by its key (memoryKeys): MEMORY USAGE runs on
		// the key's shard; the keyless subcommands run on the connection's
		// own shard and read only the figures every shard publishes.
		{Name: "memory", Arity: -2, Run: command.RunSubcommand, Keys: memoryKeys, Group: "server", Summary: "A container for memory diagnostics commands.", Since: "4.0.0", Complexity: "Depends on subcommand.",
			Subcommands: []*command.Spec{
				{Name: "memory|usage", Arity: -3, Flags: command.FlagReadOnly, FirstKey: 2, LastKey: 2, Step: 1, Run: cmdMemoryUsage, Categories: []string{"read"}, Group: "server", Summary: "Estimates the memory usage of a key.", Since: "4.0.0", Complexity: "O(N) where N is the number of samples."},
				{Name: "memory|stats", Arity: 2, Run: cmdMemoryStats, Group: "server", Summary: "Returns details about memory usage.", Since: "4.0.0", Complexity: "O(1)"},
				{Name: "memory|doctor", Arity: 2, Run: cmdMemoryDoctor, Group: "server", Summary: "Outputs a memory problems report.", Since: "4.0.0", Complexity: "O(1)"},
				{Name: "memory|malloc-stats", Arity: 2, Run: cmdMemoryMallocStats, Group: "server", Summary: "Returns the allocator statistics.", Since: "4.0.0", Complexity: "Depends on how much memory is allocated, could be slow"},
				{Name: "memory|purge", Arity: 2, Run: cmdMemoryPurge, Group: "server", Summary: "Asks the allocator to release memory.", Since: "4.0.0", Complexity: "Depends on how much memory is allocated, could be slow"},
				{Name: "memory|help", Arity: 2, Flags: ls, Run: cmdMemoryHelp, Group: "server", Summary: "Returns helpful text about the different subcommands.", Since: "4.0.0", Complexity: "O(1)"},
			}},
		moduleCommand(),
	}
}

// memoryKeys returns the key position of MEMORY USAGE <key>; the other
// subcommands have no key.
func memoryKeys(args [][]byte, dst []int) []int {
	if len(args) >= 3 && command.EqFold(args[1], "usage") {
		dst = append(dst, 2)
	}
	return dst
}

// cmdTime is TIME: the wall clock as seconds and microseconds, both bulk
// strings as Redis sends them.
func cmdTime(x *command.Exec) {
	now := time.Now()
	x.Array(2)
	x.BulkInt(now.Unix())
	x.BulkInt(int64(now.Nanosecond() / 1000))
}

func cmdLastSave(x *command.Exec) { x.Int(hostOf(x).LastSave()) }

// cmdRole answers as a Redis master without replicas: Anax does not
// replicate, so it is always a master at offset 0.
func cmdRole(x *command.Exec) {
	x.Array(3)
	x.BulkString("master")
	x.Int(0)
	x.Array(0)
}

// cmdClusterDisabled is READONLY, READWRITE and ASKING: a Redis server
// without cluster mode answers them so, as Anax does (INFO's
// cluster_enabled:0).
func cmdClusterDisabled(x *command.Exec) { x.Err("ERR This instance has cluster support disabled") }

// cmdWait answers at once: there are no replicas to wait for, so the count
// of replicas that acknowledged is 0 (Redis replies the same when
// numreplicas is 0 or the timeout expires).
func cmdWait(x *command.Exec) {
	if _, ok := command.ParseInt(x.Args[1]); !ok {
		x.Fail(command.ErrNotInt)
		return
	}
	if !parseTimeoutMs(x, x.Args[2]) {
		return
	}
	x.Int(0)
}

// parseTimeoutMs checks a millisecond timeout as Redis's
// getTimeoutFromObjectOrReply does, writing its errors.
func parseTimeoutMs(x *command.Exec, b []byte) bool {
	v, ok := command.ParseInt(b)
	if !ok {
		x.Err("ERR timeout is not an integer or out of range")
		return false
	}
	if v < 0 {
		x.Err("ERR timeout is negative")
		return false
	}
	return true
}
