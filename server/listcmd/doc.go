// Package listcmd is the lists family (the commands of Redis's t_list.c but
// the blocking ones): pushes, pops, ranges, positional reads and edits,
// LPOS, LMOVE/RPOPLPUSH and LMPOP. The list type itself (its two
// encodings and their conversions) is shard.List; commands here parse,
// check in Redis's order, call it and reply.
//
// Routing: every command but LMOVE, RPOPLPUSH and LMPOP has one key. When
// those keys span shards they run as a command.Cross (cross.go): the reads
// say what each shard holds and copy out only the elements that will move,
// the coordinator decides and replies, and the writes pop and push on the
// keys' shards, all in one transaction.
//
// For the blocking commands, PopFirst and Move are the non-blocking
// attempts: they pop (and reply) when there is something to pop, reply an
// error for a key of another type, and otherwise write nothing and report
// Empty, so a caller can block instead of answering null.
package listcmd
