// Package streamcmd is the streams family (Redis's t_stream.c): XADD,
// XRANGE and the other entry commands, consumer groups (XGROUP,
// XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM), XINFO, and XREAD over
// streams of any shards. The stream itself is container/stream, stored as
// shard.Stream; commands here parse, check in Redis's order, call it and
// reply with Redis 7.0's replies and errors.
package streamcmd
