package server

import (
	"slices"
	"sync/atomic"

	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/server/cmdmeta"
)

// Command flags, documented once (compare Redis's struct redisCommand).
const (
	// FlagWrite: the command may modify the keyspace.
	FlagWrite = 1 << iota
	// FlagReadOnly: the command only reads data.
	FlagReadOnly
	// FlagAdmin: an administrative command.
	FlagAdmin
	// FlagNoAuth: allowed before authentication.
	FlagNoAuth
	// FlagAllShards: needs every shard at once (KEYS, FLUSHDB, DBSIZE...);
	// runs as a transaction over every shard when there is more than one.
	FlagAllShards
	// FlagLoop: keyless, runs on the connection's loop with the client
	// state at hand (PING, CLIENT, CONFIG...).
	FlagLoop
	// FlagFast: O(1) or O(log N) command (reported by COMMAND).
	FlagFast
	// FlagDenyOOM: may grow memory.
	FlagDenyOOM
	// FlagLoading: allowed while loading data.
	FlagLoading
	// FlagStale: allowed while a replica is stale.
	FlagStale
	// FlagNoScript: not allowed in scripts.
	FlagNoScript
	// FlagBlocking: may block the client.
	FlagBlocking
	// FlagNoMulti: refused inside MULTI (Redis's no-multi flag).
	FlagNoMulti
)

// Command describes one command: the table is data (see registry.go).
type Command struct {
	Name  string // lowercase
	Arity int    // Redis arity: N = exactly N args incl. name; -N = at least N
	Flags int
	// Key positions: first, last (-1 = last arg, -2 = second to last), step.
	FirstKey, LastKey, Step int
	// Keys, when set, finds key positions for commands whose keys are not a
	// plain range; it appends indexes into args to dst.
	Keys func(args [][]byte, dst []int) []int
	// Run executes the command; see Exec for where it runs.
	Run func(x *Exec)
	// Conn, when set, replaces Run: the command runs on the connection's
	// loop with the connection itself at hand (MULTI, EXEC, WATCH...).
	Conn func(s *Server, c *protocol.Conn, cl *Client, args [][]byte, home int) protocol.Result
	// Multi says how the command runs when its keys span shards, or, for
	// FlagAllShards commands, over the shards (see txexec.go).
	Multi multiKind
	// ACL categories and docs for COMMAND.
	Categories  []string
	Group       string
	Summary     string
	Since       string
	Complexity  string
	Subcommands []*Command

	// meta is the command's entry in the command metadata (COMMAND INFO's
	// flags, categories and key specs, COMMAND DOCS's arguments), set when
	// the command is registered; nil for a command the data lacks.
	meta *cmdmeta.Command

	stats []cmdStat // per loop
}

type cmdStat struct {
	calls    atomic.Int64
	nsec     atomic.Int64 // time spent, in nanoseconds
	rejected atomic.Int64
	failed   atomic.Int64
	_        [32]byte // keep loops' counters on separate cache lines
}

// keyIndexes returns the positions of key arguments.
func (c *Command) keyIndexes(args [][]byte, dst []int) []int {
	if c.Keys != nil {
		return c.Keys(args, dst)
	}
	if c.FirstKey == 0 {
		return dst
	}
	last := c.LastKey
	if last < 0 {
		last = len(args) + last
	}
	step := c.Step
	if step <= 0 {
		step = 1
	}
	if last >= len(args) {
		last = len(args) - 1
	}
	if last >= c.FirstKey {
		dst = slices.Grow(dst, (last-c.FirstKey)/step+1)
	}
	for i := c.FirstKey; i <= last; i += step {
		dst = append(dst, i)
	}
	return dst
}

func (c *Command) arityOK(n int) bool {
	if c.Arity >= 0 {
		return n == c.Arity
	}
	return n >= -c.Arity
}
