// Package command is the contract between the coordinator (package server)
// and the command families (server/strcmd, server/keycmd, ...): what a
// command is (Spec), what it runs with (Exec and its Env), how it answers
// (the reply helpers and the Status table), and, for a command whose keys
// span shards, its shard half and how the halves' typed results combine
// (Multi, Result, Cross).
//
// A family imports this package and never server nor another family; the
// server lists the families in one registry (server/registry.go).
package command

import (
	"slices"
	"strings"
	"sync/atomic"

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
	// FlagMayReplicate: Redis's may-replicate, a flag COMMAND INFO hides
	// (PUBLISH, SPUBLISH, PFCOUNT, EVAL, EVALSHA, FCALL): refused in
	// read-only scripts like a write, and held by CLIENT PAUSE WRITE.
	FlagMayReplicate
)

// Multi says how a command whose keys span shards (or a FlagAllShards
// command, over every shard) runs in per-shard pieces. Each piece runs the
// command's Run on one shard over that shard's share of the keys, with
// Exec.Part set to the shard, and leaves Go values in Exec.Result; the
// coordinator combines them (Merge) and writes the reply. A command with
// MultiNone whose keys span shards needs a Cross.
type Multi uint8

const (
	MultiNone   Multi = iota
	MultiSum          // the sum of the pieces' counts (DEL, EXISTS, DBSIZE)
	MultiOK           // OK unless a piece failed (MSET, FLUSHDB)
	MultiValues       // one value per key, in argument order (MGET)
	MultiConcat       // every piece's values as one array (KEYS)
	MultiRandom       // one piece's value, drawn by the weight of each (RANDOMKEY)
	MultiCustom       // the command's own Merge
	MultiRouted       // not split: runs on the shard Route names (SCAN)
)

// Spec describes one command. The table of them is data: each family
// returns its Specs, and the server registers them (server/registry.go).
type Spec struct {
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
	// Blocks, set on a FlagBlocking command that blocks only with some
	// arguments (XREAD BLOCK), says whether these do; the others run as
	// any command does.
	Blocks func(args [][]byte) bool
	// Multi says how the command runs in pieces across shards; Merge is the
	// coordinator half of a MultiCustom command, Route the first shard of a
	// MultiRouted one, Cross the halves of a command that cannot be split.
	Multi Multi
	Merge func(x *Exec, parts []*Exec)
	Route func(args [][]byte, shards int) int
	Cross *Cross
	// Conn is the server's own implementation of a command that runs with
	// its connection at hand (MULTI, EXEC, WATCH...); opaque to families.
	Conn any
	// ACL categories and docs for COMMAND.
	Categories  []string
	Group       string
	Summary     string
	Since       string
	Complexity  string
	Subcommands []*Spec

	// Meta is the command's entry in the command metadata (COMMAND INFO's
	// flags, categories and key specs, COMMAND DOCS's arguments), set when
	// the command is registered; nil for a command the data lacks.
	Meta *cmdmeta.Command
	// Stats are the command's statistics, one per loop, set when the
	// command is registered.
	Stats []Stat
}

// Stat is one loop's statistics of one command.
type Stat struct {
	Calls    atomic.Int64
	Nsec     atomic.Int64 // time spent, in nanoseconds
	Rejected atomic.Int64
	Failed   atomic.Int64
	// Hist is the loop's latency histogram of the command, made on its
	// first call while latency-tracking is on (nil before).
	Hist atomic.Pointer[Histogram]
	_    [24]byte // keep loops' counters on separate cache lines
}

// KeyIndexes appends to dst the positions of the key arguments.
func (c *Spec) KeyIndexes(args [][]byte, dst []int) []int {
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

// ArityOK reports whether n arguments (the name included) suit the arity.
func (c *Spec) ArityOK(n int) bool {
	if c.Arity >= 0 {
		return n == c.Arity
	}
	return n >= -c.Arity
}

// Subcommand returns c's subcommand called name (case-insensitive, without
// the "container|" prefix), or nil.
func (c *Spec) Subcommand(name []byte) *Spec {
	for _, sub := range c.Subcommands {
		if EqFold(name, sub.Name[strings.IndexByte(sub.Name, '|')+1:]) {
			return sub
		}
	}
	return nil
}

// Splits reports whether a command whose keys span shards runs as one
// piece per shard over that shard's keys.
func (c *Spec) Splits() bool {
	if c.Flags&FlagAllShards != 0 {
		return false
	}
	switch c.Multi {
	case MultiSum, MultiOK, MultiValues:
		return true
	}
	return false
}

// WellFormed reports whether the arguments after the first key come in
// whole steps (MSET: key and value pairs). Split pieces of a malformed
// command could each look valid, so such a command runs whole on one shard,
// which only answers the error.
func (c *Spec) WellFormed(args [][]byte) bool {
	return c.Step <= 1 || (len(args)-c.FirstKey)%c.Step == 0
}
