// Package stream is Redis's stream type as data: entries in Redis's node
// format (a listpack per node that starts with a master entry, each entry's
// id delta-encoded against the node's master id and its field names left
// out when they repeat the master entry's), and consumer groups with their
// pending entries lists.
//
// # Model
//
// Node bytes live in cells of a Store (the shard's slab arena in the
// server, a map in tests), named by uint64 handles. The Stream keeps its
// nodes in a Go slice of pointer-free records (master id, cell handle)
// ordered by master id, so a seek is a binary search and the garbage
// collector sees no pointer per node or entry. A node's cell may be longer
// than its listpack: the spare bytes are room to grow in place, and the
// Stream moves a node to a bigger cell (doubling) before an edit that may
// outgrow it, so the listpack code never reallocates a node on the Go heap.
//
// Consumer groups and consumers are few: they are Go values. A group's
// pending entries list is one Go slice of fixed-size, pointer-free records
// (id, delivery time, delivery count, consumer slot) ordered by id, 40
// bytes per pending entry and no Go object per entry; a consumer's own
// pending entries are the group's records that name its slot.
//
// # Faithfulness to Redis
//
// When a node is started (stream-node-max-bytes against the tail node's
// bytes plus the new entry's field and value lengths, and
// stream-node-max-entries against its live and deleted entries), the
// master entry, the entry flags, the lp-count field, deletion by flag with
// the master's live/deleted counters, removal of a node whose live count
// reaches zero, and trimming (whole nodes from the head, then flags inside
// one node unless approximate) follow Redis 7.0's t_stream.c, so every
// node's listpack is byte for byte redis-server's and DUMP can write the
// nodes as they are. The id and lag bookkeeping (last id, first id, max
// deleted id, entries added, a group's entries read) is Redis 7.0's.
//
// # Lifetimes
//
// Entry values handed to callbacks alias node cells and are valid until
// the next edit of the Stream or the Store. A Stream is owned by one
// goroutine (its shard's) and has no locks.
package stream
