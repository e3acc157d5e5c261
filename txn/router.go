package txn

import (
	"sync"
	"sync/atomic"

	"github.com/anaxdb/anax/shard"
	"github.com/zeebo/xxh3"
)

// Stats are the router's and scheduler's counters.
type Stats struct {
	Hops         atomic.Int64 // tasks posted to another shard
	Transactions atomic.Int64 // transaction ids taken
	Retries      atomic.Int64 // schedules refused by a shard and retried
	Queued       atomic.Int64 // single-shard commands that found their keys locked
	Squashed     atomic.Int64 // commands that shared a hop with others
}

// Router maps keys to shards and runs work on them.
type Router struct {
	Stats  Stats
	shards []*shard.Shard
	scheds []*sched
	n      uint64
	nextID atomic.Uint64
	txs    sync.Pool // released transactions (Tx.Release)
}

// New returns a router over shards (index = shard ID).
func New(shards []*shard.Shard) *Router {
	r := &Router{shards: shards, n: uint64(len(shards))}
	r.scheds = make([]*sched, len(shards))
	for i := range r.scheds {
		r.scheds[i] = newSched()
	}
	return r
}

// N returns the number of shards.
func (r *Router) N() int { return int(r.n) }

// Shard returns shard i.
func (r *Router) Shard(i int) *shard.Shard { return r.shards[i] }

// Shards returns every shard.
func (r *Router) Shards() []*shard.Shard { return r.shards }

// HashTag returns the part of key that decides its shard.
func HashTag(key []byte) []byte {
	for i := 0; i < len(key); i++ {
		if key[i] == '{' {
			for j := i + 1; j < len(key); j++ {
				if key[j] == '}' {
					if j > i+1 {
						return key[i+1 : j]
					}
					return key
				}
			}
			return key
		}
	}
	return key
}

// Route returns the shard index that owns key.
func (r *Router) Route(key []byte) int {
	if r.n == 1 {
		return 0
	}
	return ShardOf(key, r.n)
}

// ShardOf returns the shard that owns key among n shards (tools that pick
// keys on given shards use it too).
func ShardOf(key []byte, n uint64) int { return shardOfHash(xxh3.Hash(HashTag(key)), n) }

// RouteKey returns the shard that owns key and the key's lock Fingerprint:
// one hash serves both when the key has no hash tag.
func (r *Router) RouteKey(key []byte) (shard int, fp uint64) {
	tag := HashTag(key)
	h := xxh3.Hash(tag)
	fp = h
	if len(tag) != len(key) {
		fp = Fingerprint(key)
	}
	return shardOfHash(h, r.n), fp
}

// shardOfHash is ShardOf from the xxh3 hash of the key's hash tag.
func shardOfHash(h, n uint64) int {
	// Multiply-shift on a remixed hash: the table inside each shard uses the
	// raw hash's top and bottom bits, so the shard choice must not be
	// correlated with them.
	h *= 0x9E3779B97F4A7C15
	return int(((h >> 32) * n) >> 32)
}

// Hop posts fn to run on shard to's owner goroutine.
func (r *Router) Hop(to int, fn func()) {
	r.Stats.Hops.Add(1)
	r.shards[to].Post(fn)
}
