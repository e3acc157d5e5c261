// Package zsetcmd is the sorted-sets family (Redis 7.2's t_zset.c, command
// half): ZADD and ZINCRBY, the readers (ZSCORE, ZMSCORE, ZCARD, ZCOUNT,
// ZLEXCOUNT, ZRANK, ZREVRANK), the ranges (ZRANGE and its older forms,
// ZRANGESTORE), removals (ZREM, ZREMRANGEBY*), pops (ZPOPMIN, ZPOPMAX,
// ZMPOP and the blocking BZPOPMIN, BZPOPMAX, BZMPOP), ZRANDMEMBER, ZSCAN
// and the set operations (ZUNION, ZINTER, ZDIFF, ZINTERCARD and their
// STORE forms). The type API (listpack or big, conversion, cells) is
// shard/zset.go.
//
// Every range is worked out as ascending ranks: a score range is the
// members counted below its ends (ZSet.CountBelow), a lex range likewise
// (CountBelowLex), so the listpack and the big encoding answer through one
// path, and a reply is written straight from the set's cells.
//
// Commands whose keys may span shards (the STORE forms, ZRANGESTORE, the
// set operations, ZMPOP and the blocking pops) are a command.Cross: the
// reads export members and scores as Go values (cross.go), the
// coordinator computes and answers, the destination's shard writes.
//
// Argument checks come in Redis's order, which decides which error a
// client sees when several apply.
package zsetcmd
