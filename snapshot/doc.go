// Package snapshot saves the shards' keyspace to an RDB file and loads one
// back, with the codec of package snapshot/rdb.
//
// Saving is fork-less (Save): a snapshot starts on every shard at one
// point of the transaction order (the caller's Start, a transaction over
// every shard), each shard then serialises its own entries on its own
// goroutine, a few buckets at a time between its other work, and hands
// every bucket over before a write first changes it (shard.StartSnapshot),
// so the file holds each shard exactly as it was when the snapshot began.
// One goroutine writes the serialised chunks to a temporary file in the
// directory, fsyncs it, renames it over the file's name and fsyncs the
// directory: the file under the name is always a whole snapshot, the
// previous one or the new one.
//
// Loading (Load) reads the file on one goroutine and hands the keys, in
// batches, to the shards that own them, where they are decoded and built.
// A file that cannot be read whole fails the load with the reason; nothing
// is overwritten.
//
// The package imports shard and snapshot/rdb, never the server: the
// server lends it the shards, a way to start on all of them at one point,
// and the key router.
package snapshot
