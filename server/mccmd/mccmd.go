// Package mccmd holds the shard halves of the Memcached commands: what
// get, gets, gat, gats, set, add, replace, append, prepend, cas, incr,
// decr, delete, touch and the meta commands (mg, ms, md, ma, me) do on the
// shard that owns their key, against its database 0 (which RESP shares: a
// memcache set is a RESP string), and the per-shard state they keep: the
// CAS sequence and the counters behind memcached's "stats".
//
// The face in package server owns the rest: connections, parsing
// (protocol/memcache), authentication, routing each key to its shard and
// hopping there, flush_all and stats. It calls an Executor on the owner of
// the key's shard and writes the reply the Executor appends. The Executor
// knows nothing of connections, of the server, or of the RESP commands.
package mccmd

import (
	"sync/atomic"

	"github.com/anaxdb/anax/shard"
)

// Executor runs the memcache commands on the shards. Get and Run for shard
// sh run on sh's owner goroutine; Stats may be read from any goroutine.
type Executor struct {
	shards      []*shard.Shard
	state       []shardState // one per shard, same index
	maxItemSize func() int64
}

// shardState is the memcache state of one shard: the CAS sequence (owner
// only) and the counters (written by the owner, read by anyone).
type shardState struct {
	cas   shard.CASSeq
	stats Stats
	_     [64]byte // keep shards' counters on separate cache lines
}

// NewExecutor returns the executor over shards (index i is shard i).
// maxItemSize returns memcached-max-item-size's current value; it is read
// at each use, so CONFIG SET applies to the next command.
func NewExecutor(shards []*shard.Shard, maxItemSize func() int64) *Executor {
	e := &Executor{shards: shards, state: make([]shardState, len(shards)), maxItemSize: maxItemSize}
	for i := range e.state {
		e.state[i].cas = shard.NewCASSeq(i, len(shards))
	}
	return e
}

// Stats returns the counters of shard sh.
func (e *Executor) Stats(sh int) *Stats { return &e.state[sh].stats }

// Stats are memcached's command counters of one shard, named as "stats"
// names them. The Executor counts the commands it runs and the bytes of
// their replies; the face adds what only it sees (CmdFlush, BytesRead, the
// bytes of the replies it writes itself).
type Stats struct {
	CmdGet, CmdSet, CmdFlush, CmdTouch                    atomic.Uint64
	GetHits, GetMisses, GetExpired                        atomic.Uint64
	DeleteMisses, DeleteHits                              atomic.Uint64
	IncrMisses, IncrHits, DecrMisses, DecrHits            atomic.Uint64
	CasMisses, CasHits, CasBadval, TouchHits, TouchMisses atomic.Uint64
	TotalItems, BytesRead, BytesWritten                   atomic.Uint64
}

// Reset zeroes every counter ("stats reset").
func (st *Stats) Reset() {
	for _, c := range []*atomic.Uint64{
		&st.CmdGet, &st.CmdSet, &st.CmdFlush, &st.CmdTouch, &st.GetHits, &st.GetMisses, &st.GetExpired,
		&st.DeleteMisses, &st.DeleteHits, &st.IncrMisses, &st.IncrHits, &st.DecrMisses, &st.DecrHits,
		&st.CasMisses, &st.CasHits, &st.CasBadval, &st.TouchHits, &st.TouchMisses, &st.TotalItems,
		&st.BytesRead, &st.BytesWritten,
	} {
		c.Store(0)
	}
}
