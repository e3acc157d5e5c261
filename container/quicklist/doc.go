// Package quicklist is Redis 7.2's big list encoding: a sequence of nodes,
// each node a Redis-format listpack, so that DUMP writes each node's bytes as
// they are and the node boundaries are the ones redis-server makes for the
// same commands.
//
// # Model
//
// Node bytes live in cells of a Store (the shard's slab arena in the server,
// a map in tests), named by uint64 handles. The List itself is a Go slice of
// pointer-free node records (handle, element count, byte size) kept as a
// deque with room at both ends, so pushes and pops at either end are O(1)
// amortised and the garbage collector sees no pointer per node or element.
// Positional access walks the records, not the listpacks, to find its node,
// from whichever end of the list is nearer, as Redis walks its node list.
//
// A cell may be longer than its node's listpack: the spare bytes are room to
// grow in place. Before an edit that may grow a node the List makes sure the
// cell has room for the largest entry the edit can add (the element's length
// plus 10 bytes of encoding and backlen), moving the node to a bigger cell
// when it has not; so the listpack package never reallocates a node onto the
// Go heap. Cells grow by doubling up to the node size limit.
//
// # Invariants
//
//  1. No node is empty, and every record's count and size are its
//     listpack's element count and byte size.
//  2. The sum of the records' counts is Len and of their sizes is Bytes.
//  3. A node made or grown by a push, or by an insertion that joins a node
//     with room, respects the fill limit (by Redis's estimate of entry
//     sizes, which never underestimates), and so do merges; a node holding
//     a single element may exceed it. As in Redis 7.2, two edits do not
//     check: an insertion into a full node splits it and puts the element
//     with the split-off part whatever the sum, and LSET (Replace) edits a
//     node in place whatever its size. Nodes loaded with AppendNode or
//     FromListpack are taken as they are.
//
// # Faithfulness to Redis
//
// Where a push goes, when a node is created, how an insertion splits a full
// node and which neighbours merge afterwards, how deletions remove emptied
// nodes without merging, and the fill rules (quicklistNodeExceedsLimit with
// its 8-byte per-entry estimate, the 8 KB safety limit for positive fill)
// follow Redis 7.2's quicklist.c, so the listpack of every node is byte for
// byte Redis's. Not done: list-compress-depth (LZF nodes), and plain nodes
// for elements of 1 GiB or more (the owner must refuse such elements; the
// server's proto-max-bulk-len keeps them out by default).
//
// # Lifetimes
//
// A listpack.Value handed out (Index, iterators, the pop callback) aliases a
// node's cell and is valid until the next edit of the List or the Store. Any
// edit invalidates iterators. A List is not safe for concurrent use: it is
// owned by one shard goroutine.
package quicklist
