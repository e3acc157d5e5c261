// Package txn routes commands to shards and coordinates work that spans
// shards.
//
// Routing: a key belongs to shard Route(key) = mix(xxh3(tag)) mod N, where
// tag is the part between the first '{' and the next '}' when that part is
// non-empty (Redis Cluster's hash-tag rule), else the whole key.
//
// Hops: work for another shard is posted to that shard's inbox (shard.Post)
// and runs on its owner goroutine in posting order. A hop carries a closure;
// arguments that live in a connection's read buffer must be copied first.
//
// Transactions (VLL; sched.go, tx.go, locks.go): a multi-shard command
// takes an id from one atomic counter, is scheduled on each shard it
// touches (intent locks that only count; a queue per shard ordered by id),
// runs in hops, and concludes (releases its locks). A shard refuses a
// schedule that would order two conflicting transactions differently from
// another shard; the transaction then retries with a new id. Uncontended
// transactions run out of order. Nothing blocks: each step's continuation
// runs on the goroutine of the shard that finished the step last. A
// single-shard command runs at once unless a scheduled transaction holds a
// conflicting lock (Router.Free), then queues behind it (RunQueued).
package txn
