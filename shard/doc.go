// Package shard holds one slice of the keyspace and the goroutine rules that
// make it lock-free.
//
// A Shard is owned by exactly one goroutine: the event loop it is bound to.
// Only that goroutine reads or writes the shard's databases, arena and
// tables; there is no mutex around shard data. Work for a shard from any
// other goroutine is a task given to Post: it is appended to the shard's
// inbox (the only part of a Shard guarded by a mutex) and runs later on the
// owner goroutine, in the order it was posted. That is the only way in:
// a hop to another shard's key, each per-shard step of a multi-shard
// transaction (package txn schedules those with intent locks that the
// owner alone keeps and that only count, so nothing ever blocks a loop)
// and a command queued behind such a lock are all posted tasks. No
// goroutine parks an owner or borrows its shard.
//
// Counters that other goroutines read (key counts, hits, misses) are atomics
// written only by the owner.
//
// Entries are stored in the shard's arena (see package arena) and indexed by
// one dashtable per database; an entry's bytes are a 10-byte header (16
// bytes for a key over 255 bytes or a value over 65535), the expiry only
// when the key has a TTL, the key and the value (the layout is in db.go).
// Neither the table nor the arena holds a Go pointer per key.
package shard
