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
// Barriers (until the VLL scheduler replaces them): a multi-shard command is
// made atomic by parking the owner goroutine of every shard it touches, then
// running the whole command on a coordinator goroutine that has been lent
// those shards, then releasing them. Only one barrier runs at a time
// (barrierMu), so two barriers can never park loops in opposite orders, and
// a parked loop waits only for a coordinator that waits only for loops that
// are not parked: no deadlock. The cost is that the touched loops stall for
// the duration of the command; single-shard commands never take this path.
package txn
