package server_test

import (
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/anaxdb/anax/internal/servertest"
)

// redis72 is a Redis 7.2 built from source: sorted sets are compared with
// it, since 7.2 formats doubles as Anax does (7.0 printed "%.17g") and has
// ZRANK WITHSCORE.
const redis72 = "/tmp/redis72/src/redis-server"

func startRedis72(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(redis72); err != nil {
		t.Skip("no Redis 7.2 at " + redis72)
	}
	return servertest.RedisAt(t, redis72)
}

// zaddMany returns ZADD key with n members m<from>... scored i*step.
func zaddMany(key string, from, n int, step float64) []string {
	cmd := []string{"ZADD", key}
	for i := from; i < from+n; i++ {
		cmd = append(cmd, fmt.Sprint(float64(i)*step), fmt.Sprint("m", i))
	}
	return cmd
}

// zsetScript exercises the sorted-sets family; every reply must be
// byte-identical to Redis 7.2's.
var zsetScript = func() [][]string {
	s := [][]string{
		// ZADD: options, their conflicts, scores.
		{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"ZADD", "z", "1", "a"}, {"ZADD", "z", "CH", "5", "a", "6", "d"},
		{"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"ZADD", "z", "NX", "10", "a", "7", "e"}, {"ZADD", "z", "XX", "10", "a", "8", "f"},
		{"ZADD", "z", "XX", "CH", "11", "a", "11", "b"}, {"ZADD", "z", "GT", "CH", "1", "a", "12", "b"},
		{"ZADD", "z", "LT", "CH", "1", "a", "13", "b"}, {"ZADD", "z", "NX", "XX", "1", "a"}, {"ZADD", "z", "GT", "LT", "1", "a"},
		{"ZADD", "z", "NX", "GT", "1", "a"}, {"ZADD", "z", "NX", "LT", "1", "a"}, {"ZADD", "z", "XX", "GT", "1", "zz"},
		{"ZADD", "z", "INCR", "1", "a", "2", "b"}, {"ZADD", "z", "INCR", "5", "a"}, {"ZADD", "z", "INCR", "NX", "5", "a"},
		{"ZADD", "z", "INCR", "XX", "5", "nope"}, {"ZADD", "z", "INCR", "GT", "-100", "a"}, {"ZADD", "z", "INCR", "LT", "-1", "a"},
		{"ZADD", "z", "1"}, {"ZADD", "z"}, {"ZADD", "z", "1", "a", "2"}, {"ZADD", "z", "x", "a"}, {"ZADD", "z", "nan", "a"},
		{"ZADD", "z", "1", "a", "x", "b"}, {"ZADD", "z", "CH"}, {"ZADD", "z", "NX", "1"},
		{"ZADD", "nokey", "XX", "1", "a"}, {"EXISTS", "nokey"}, {"ZADD", "nokey", "XX", "INCR", "1", "a"},
		{"ZADD", "f", "1.5", "a", "-2.25", "b", "inf", "c", "-inf", "d", "+inf", "e", "1e3", "f", "0.1", "g", "1e-7", "h", "123456789012345678", "i"},
		{"ZRANGE", "f", "0", "-1", "WITHSCORES"}, {"ZSCORE", "f", "h"}, {"ZSCORE", "f", "i"}, {"ZSCORE", "f", "c"},
		{"ZADD", "f", " 1", "x"}, {"ZADD", "f", "1 ", "x"}, {"ZADD", "f", "1e400", "x"}, {"ZADD", "f", "", "x"},
		{"ZADD", "f", "0x10", "hex"}, {"ZSCORE", "f", "hex"}, {"ZADD", "f", "-0", "negz"}, {"ZSCORE", "f", "negz"},
		{"ZADD", "f", "infinity", "x"}, {"ZADD", "f", "1.7976931348623157e308", "mx"}, {"ZSCORE", "f", "mx"},
		{"ZADD", "f", "INCR", "inf", "c"}, {"ZADD", "f", "INCR", "-inf", "c"}, {"ZSCORE", "f", "c"},
		{"ZINCRBY", "f", "1", "a"}, {"ZINCRBY", "f", "x", "a"}, {"ZINCRBY", "f", "-inf", "c"}, {"ZINCRBY", "new", "3", "m"},
		{"ZINCRBY", "f", "nx", "a"}, {"ZINCRBY", "f", "1"},
		// Integers as members.
		{"ZADD", "i", "1", "10", "2", "-5", "3", "007", "4", "9223372036854775807", "5", "x"}, {"ZRANGE", "i", "0", "-1"},
		{"ZSCORE", "i", "10"}, {"ZSCORE", "i", "007"}, {"ZSCORE", "i", "7"}, {"ZRANK", "i", "-5"}, {"ZREM", "i", "10", "7"},
		{"ZRANGE", "i", "0", "-1", "WITHSCORES"},
		// Readers.
		{"ZCARD", "z"}, {"ZCARD", "nokey"}, {"ZSCORE", "z", "a"}, {"ZSCORE", "z", "nope"}, {"ZSCORE", "nokey", "a"},
		{"ZMSCORE", "z", "a", "nope", "b"}, {"ZMSCORE", "nokey", "a", "b"}, {"ZMSCORE", "z"},
		{"ZRANK", "z", "a"}, {"ZREVRANK", "z", "a"}, {"ZRANK", "z", "nope"}, {"ZRANK", "nokey", "a"},
		{"ZRANK", "z", "a", "WITHSCORE"}, {"ZREVRANK", "z", "b", "withscore"}, {"ZRANK", "z", "nope", "WITHSCORE"},
		{"ZRANK", "nokey", "a", "WITHSCORE"}, {"ZRANK", "z", "a", "foo"}, {"ZRANK", "z", "a", "WITHSCORE", "x"}, {"ZRANK", "z"},
		// ZCOUNT and ZLEXCOUNT with every kind of bound.
		{"ZADD", "r", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "5", "f"},
		{"ZCOUNT", "r", "-inf", "+inf"}, {"ZCOUNT", "r", "2", "4"}, {"ZCOUNT", "r", "(2", "4"}, {"ZCOUNT", "r", "2", "(4"},
		{"ZCOUNT", "r", "(2", "(2"}, {"ZCOUNT", "r", "5", "1"}, {"ZCOUNT", "r", "5", "5"}, {"ZCOUNT", "r", "(", "3"},
		{"ZCOUNT", "r", "", "3"}, {"ZCOUNT", "r", " 2", "3"}, {"ZCOUNT", "r", "x", "3"}, {"ZCOUNT", "r", "1", "nan"},
		{"ZCOUNT", "r", "((1", "3"}, {"ZCOUNT", "r", "1e400", "inf"}, {"ZCOUNT", "nokey", "1", "2"}, {"ZCOUNT", "nokey", "x", "2"},
		{"ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "ab"},
		{"ZLEXCOUNT", "l", "-", "+"}, {"ZLEXCOUNT", "l", "[b", "[d"}, {"ZLEXCOUNT", "l", "(b", "(d"}, {"ZLEXCOUNT", "l", "[a", "(b"},
		{"ZLEXCOUNT", "l", "+", "-"}, {"ZLEXCOUNT", "l", "-", "[c"}, {"ZLEXCOUNT", "l", "[", "+"}, {"ZLEXCOUNT", "l", "(", "+"},
		{"ZLEXCOUNT", "l", "a", "+"}, {"ZLEXCOUNT", "l", "-x", "+"}, {"ZLEXCOUNT", "l", "", "+"}, {"ZLEXCOUNT", "nokey", "-", "+"},
		// ZRANGE and its forms.
		{"ZRANGE", "r", "0", "-1"}, {"ZRANGE", "r", "1", "2", "WITHSCORES"}, {"ZRANGE", "r", "-2", "-1"}, {"ZRANGE", "r", "5", "1"},
		{"ZRANGE", "r", "-100", "100"}, {"ZRANGE", "r", "10", "20"}, {"ZRANGE", "r", "0", "-1", "REV"}, {"ZRANGE", "r", "0", "1", "REV", "WITHSCORES"},
		{"ZRANGE", "r", "x", "1"}, {"ZRANGE", "r", "0", "1", "LIMIT", "0", "1"}, {"ZRANGE", "r", "0", "1", "FOO"},
		{"ZRANGE", "r", "2", "4", "BYSCORE"}, {"ZRANGE", "r", "(2", "+inf", "BYSCORE", "WITHSCORES"}, {"ZRANGE", "r", "4", "2", "BYSCORE", "REV"},
		{"ZRANGE", "r", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"}, {"ZRANGE", "r", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"},
		{"ZRANGE", "r", "-inf", "+inf", "BYSCORE", "LIMIT", "2", "-1"}, {"ZRANGE", "r", "-inf", "+inf", "BYSCORE", "LIMIT", "6", "1"},
		{"ZRANGE", "r", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "3", "WITHSCORES"}, {"ZRANGE", "r", "x", "1", "BYSCORE"},
		{"ZRANGE", "r", "0", "1", "BYSCORE", "LIMIT", "x", "1"}, {"ZRANGE", "r", "0", "1", "BYSCORE", "LIMIT", "1"},
		{"ZRANGE", "l", "[b", "(e", "BYLEX"}, {"ZRANGE", "l", "+", "-", "BYLEX", "REV"}, {"ZRANGE", "l", "-", "+", "BYLEX", "LIMIT", "2", "2"},
		{"ZRANGE", "l", "-", "+", "BYLEX", "WITHSCORES"}, {"ZRANGE", "l", "x", "+", "BYLEX"}, {"ZRANGE", "l", "-", "+", "BYLEX", "BYSCORE"},
		{"ZRANGE", "l", "-", "+", "BYSCORE"}, {"ZRANGE", "l", "0", "1", "REV", "REV"}, {"ZRANGE", "nokey", "0", "-1"},
		{"ZRANGE", "nokey", "x", "-1"}, {"ZRANGE", "nokey", "0", "-1", "BYLEX"},
		{"ZREVRANGE", "r", "0", "2"}, {"ZREVRANGE", "r", "0", "2", "WITHSCORES"}, {"ZREVRANGE", "r", "0", "2", "REV"},
		{"ZRANGEBYSCORE", "r", "2", "4"}, {"ZRANGEBYSCORE", "r", "2", "4", "WITHSCORES", "LIMIT", "1", "1"}, {"ZRANGEBYSCORE", "r", "2", "4", "REV"},
		{"ZREVRANGEBYSCORE", "r", "4", "2"}, {"ZREVRANGEBYSCORE", "r", "(4", "(1", "WITHSCORES"}, {"ZREVRANGEBYSCORE", "r", "2", "4"},
		{"ZRANGEBYLEX", "l", "-", "[c"}, {"ZRANGEBYLEX", "l", "-", "+", "LIMIT", "1", "1"}, {"ZREVRANGEBYLEX", "l", "+", "(b"},
		{"ZRANGEBYLEX", "l", "-", "+", "WITHSCORES"}, {"ZRANGEBYLEX", "l", "a", "c"},
		// ZRANGESTORE.
		{"ZRANGESTORE", "dst", "r", "0", "2"}, {"ZRANGE", "dst", "0", "-1", "WITHSCORES"}, {"OBJECT", "ENCODING", "dst"},
		{"ZRANGESTORE", "dst", "r", "2", "4", "BYSCORE", "LIMIT", "0", "2"}, {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
		{"ZRANGESTORE", "dst", "l", "[b", "+", "BYLEX", "REV"}, {"ZRANGE", "dst", "0", "-1"},
		{"ZRANGESTORE", "dst", "r", "10", "20"}, {"EXISTS", "dst"}, {"ZRANGESTORE", "dst", "r", "0", "1", "WITHSCORES"},
		{"ZRANGESTORE", "dst", "nokey", "0", "-1"}, {"ZRANGESTORE", "r", "r", "0", "1"}, {"ZRANGE", "r", "0", "-1"},
		{"ZADD", "r", "3", "c", "4", "d", "5", "e", "5", "f"},
		// Removals.
		{"ZREM", "r", "a", "nope", "c"}, {"ZREM", "r", "nope"}, {"ZREM", "nokey", "a"}, {"ZREM", "r"},
		{"ZREMRANGEBYRANK", "r", "0", "0"}, {"ZRANGE", "r", "0", "-1"}, {"ZREMRANGEBYRANK", "r", "5", "10"}, {"ZREMRANGEBYRANK", "r", "x", "1"},
		{"ZREMRANGEBYRANK", "nokey", "0", "1"}, {"ZREMRANGEBYRANK", "r", "-1", "-1"}, {"ZRANGE", "r", "0", "-1"},
		{"ZADD", "r", "1", "a", "2", "b", "3", "c", "6", "g"},
		{"ZREMRANGEBYSCORE", "r", "(1", "3"}, {"ZRANGE", "r", "0", "-1"}, {"ZREMRANGEBYSCORE", "r", "x", "3"}, {"ZREMRANGEBYSCORE", "r", "10", "1"},
		{"ZREMRANGEBYLEX", "l", "[b", "(d"}, {"ZRANGE", "l", "0", "-1"}, {"ZREMRANGEBYLEX", "l", "b", "c"}, {"ZREMRANGEBYLEX", "l", "-", "+"},
		{"EXISTS", "l"}, {"ZREMRANGEBYSCORE", "r", "-inf", "+inf"}, {"EXISTS", "r"},
		// Pops.
		{"ZADD", "p", "1", "a", "2", "b", "3", "c", "4", "d"}, {"ZPOPMIN", "p"}, {"ZPOPMAX", "p"}, {"ZPOPMIN", "p", "0"},
		{"ZPOPMIN", "p", "1"}, {"ZPOPMAX", "p", "5"}, {"EXISTS", "p"}, {"ZPOPMIN", "p"}, {"ZPOPMIN", "p", "-1"},
		{"ZPOPMIN", "p", "x"}, {"ZPOPMIN", "p", "1", "2"}, {"ZPOPMAX", "nokey", "3"},
		{"ZADD", "p", "1", "a", "2", "b", "3", "c"}, {"ZADD", "q", "5", "x"},
		{"ZMPOP", "2", "nokey", "p", "MIN"}, {"ZMPOP", "2", "p", "q", "MAX", "COUNT", "10"}, {"ZMPOP", "1", "nokey", "MIN"},
		{"ZMPOP", "0", "p", "MIN"}, {"ZMPOP", "x", "p", "MIN"}, {"ZMPOP", "1", "p", "LEFT"}, {"ZMPOP", "3", "p", "MIN"},
		{"ZMPOP", "1", "q", "MIN", "COUNT", "0"}, {"ZMPOP", "1", "q", "MIN", "COUNT", "x"}, {"ZMPOP", "1", "q", "MIN", "COUNT"},
		{"ZMPOP", "1", "q", "MIN", "COUNT", "1", "COUNT", "1"}, {"ZMPOP", "1", "q", "min", "count", "2"},
		{"ZADD", "q", "7", "w"}, {"BZPOPMIN", "nokey", "q", "0"}, {"ZADD", "q", "1", "x", "2", "y"}, {"BZPOPMAX", "q", "0"}, {"BZPOPMIN", "q", "x"},
		{"BZPOPMIN", "q", "-1"}, {"BZMPOP", "0", "1", "q", "MAX"}, {"BZMPOP", "x", "1", "q", "MAX"},
		{"BZMPOP", "0", "0", "q", "MAX"}, {"BZMPOP", "0", "1", "q", "FOO"},
		{"MULTI"}, {"BZPOPMIN", "nokey", "0"}, {"BZMPOP", "0", "1", "nokey", "MIN"}, {"EXEC"},
		// Wrong type: every command.
		{"SET", "s", "str"}, {"ZADD", "s", "1", "a"}, {"ZADD", "s", "x", "a"}, {"ZINCRBY", "s", "1", "a"}, {"ZSCORE", "s", "a"},
		{"ZMSCORE", "s", "a"}, {"ZCARD", "s"}, {"ZCOUNT", "s", "0", "1"}, {"ZLEXCOUNT", "s", "-", "+"}, {"ZRANGE", "s", "0", "1"},
		{"ZRANGESTORE", "d", "s", "0", "1"}, {"ZREVRANGE", "s", "0", "1"}, {"ZRANGEBYSCORE", "s", "0", "1"}, {"ZRANGEBYLEX", "s", "-", "+"},
		{"ZRANK", "s", "a"}, {"ZREVRANK", "s", "a"}, {"ZREM", "s", "a"}, {"ZREMRANGEBYRANK", "s", "0", "1"},
		{"ZREMRANGEBYSCORE", "s", "0", "1"}, {"ZREMRANGEBYLEX", "s", "-", "+"}, {"ZPOPMIN", "s"}, {"ZPOPMAX", "s", "2"},
		{"ZMPOP", "1", "s", "MIN"}, {"BZPOPMIN", "s", "0"}, {"BZMPOP", "0", "1", "s", "MIN"}, {"ZRANDMEMBER", "s"},
		{"ZRANDMEMBER", "s", "2"}, {"ZSCAN", "s", "0"}, {"ZUNION", "1", "s"}, {"ZUNIONSTORE", "d", "1", "s"}, {"ZINTERCARD", "1", "s"},
		{"ZCOUNT", "s", "x", "1"}, {"TYPE", "s"},
		// ZRANDMEMBER: arguments and the replies that are certain.
		{"ZADD", "one", "1.5", "m"}, {"ZRANDMEMBER", "one"}, {"ZRANDMEMBER", "one", "3"}, {"ZRANDMEMBER", "one", "-3"},
		{"ZRANDMEMBER", "one", "-2", "WITHSCORES"}, {"ZRANDMEMBER", "one", "1", "withscores"}, {"ZRANDMEMBER", "one", "0"},
		{"ZRANDMEMBER", "nokey"}, {"ZRANDMEMBER", "nokey", "3"}, {"ZRANDMEMBER", "one", "x"}, {"ZRANDMEMBER", "one", "1", "FOO"},
		{"ZRANDMEMBER", "one", "1", "WITHSCORES", "x"}, {"ZRANDMEMBER", "one", "-9223372036854775808"},
		{"ZRANDMEMBER", "one", "9223372036854775807", "WITHSCORES"}, {"ZRANDMEMBER", "one", "-4611686018427387904", "WITHSCORES"},
		{"ZADD", "two", "1", "a", "2", "b"}, {"ZRANDMEMBER", "two", "2", "WITHSCORES"}, {"ZRANDMEMBER", "two", "5"},
		// ZSCAN.
		{"ZSCAN", "two", "0"}, {"ZSCAN", "two", "0", "MATCH", "a*"}, {"ZSCAN", "two", "0", "COUNT", "1"}, {"ZSCAN", "two", "0", "COUNT", "0"},
		{"ZSCAN", "two", "x"}, {"ZSCAN", "nokey", "0"}, {"ZSCAN", "two", "0", "FOO"}, {"ZSCAN", "two", "0", "NOVALUES"}, {"ZSCAN", "f", "0"},
		// Set operations.
		{"ZADD", "u1", "1", "a", "2", "b", "3", "c"}, {"ZADD", "u2", "10", "b", "20", "c", "30", "d"},
		{"ZUNION", "2", "u1", "u2"}, {"ZUNION", "2", "u1", "u2", "WITHSCORES"}, {"ZINTER", "2", "u1", "u2", "WITHSCORES"},
		{"ZDIFF", "2", "u1", "u2", "WITHSCORES"}, {"ZDIFF", "2", "u2", "u1"}, {"ZINTERCARD", "2", "u1", "u2"},
		{"ZINTERCARD", "2", "u1", "u2", "LIMIT", "1"}, {"ZINTERCARD", "2", "u1", "u2", "LIMIT", "-1"}, {"ZINTERCARD", "2", "u1", "u2", "LIMIT", "x"},
		{"ZUNION", "2", "u1", "u2", "WEIGHTS", "2", "0.5", "WITHSCORES"}, {"ZUNION", "2", "u1", "u2", "AGGREGATE", "MIN", "WITHSCORES"},
		{"ZUNION", "2", "u1", "u2", "AGGREGATE", "MAX", "WITHSCORES"}, {"ZINTER", "2", "u1", "u2", "AGGREGATE", "max", "weights", "1", "-1", "withscores"},
		{"ZUNION", "2", "u1", "u2", "WEIGHTS", "1"}, {"ZUNION", "2", "u1", "u2", "WEIGHTS", "1", "x"}, {"ZUNION", "2", "u1", "u2", "AGGREGATE", "AVG"},
		{"ZUNION", "0", "u1"}, {"ZUNION", "3", "u1", "u2"}, {"ZUNION", "x", "u1"}, {"ZUNION", "-1", "u1"}, {"ZDIFF", "2", "u1", "u2", "WEIGHTS", "1", "1"},
		{"ZINTERCARD", "2", "u1", "u2", "WITHSCORES"}, {"ZUNIONSTORE", "d", "2", "u1", "u2", "WITHSCORES"}, {"ZINTERCARD", "0", "u1"},
		{"ZUNION", "2", "u1", "nokey", "WITHSCORES"}, {"ZINTER", "2", "u1", "nokey"}, {"ZDIFF", "1", "nokey"},
		{"ZUNION", "2", "u1", "u1", "WITHSCORES"}, {"ZINTER", "2", "u1", "u1", "WITHSCORES"}, {"ZDIFF", "2", "u1", "u1"},
		{"ZUNIONSTORE", "d", "2", "u1", "u2"}, {"ZRANGE", "d", "0", "-1", "WITHSCORES"}, {"OBJECT", "ENCODING", "d"},
		{"ZINTERSTORE", "d", "2", "u1", "u2", "WEIGHTS", "2", "3"}, {"ZRANGE", "d", "0", "-1", "WITHSCORES"},
		{"ZDIFFSTORE", "d", "2", "u1", "u2"}, {"ZRANGE", "d", "0", "-1", "WITHSCORES"},
		{"ZINTERSTORE", "d", "2", "u1", "nokey"}, {"EXISTS", "d"}, {"ZDIFFSTORE", "u1", "2", "u1", "u2"}, {"ZRANGE", "u1", "0", "-1"},
		{"ZUNIONSTORE", "d", "0", "u1"}, {"ZUNIONSTORE", "d", "1", "u1", "u2"},
		{"ZADD", "inf1", "inf", "a", "-inf", "b"}, {"ZADD", "inf2", "-inf", "a", "inf", "b"},
		{"ZUNION", "2", "inf1", "inf2", "WITHSCORES"}, {"ZUNION", "2", "inf1", "inf2", "WEIGHTS", "0", "1", "WITHSCORES"},
		{"ZINTER", "2", "inf1", "inf2", "WITHSCORES"},
		// Keyspace commands.
		{"ZADD", "k1", "1", "a", "2", "b"}, {"RENAME", "k1", "k2"}, {"ZRANGE", "k2", "0", "-1", "WITHSCORES"}, {"EXISTS", "k1"},
		{"COPY", "k2", "k3"}, {"ZADD", "k3", "3", "c"}, {"ZCARD", "k2"}, {"ZCARD", "k3"}, {"TYPE", "k3"}, {"OBJECT", "ENCODING", "k3"},
		{"EXPIRE", "k3", "100"}, {"TTL", "k3"}, {"ZADD", "k3", "4", "d"}, {"TTL", "k3"},
		{"MOVE", "k3", "1"}, {"EXISTS", "k3"}, {"SELECT", "1"}, {"ZRANGE", "k3", "0", "-1"}, {"DEL", "k3"}, {"SELECT", "0"},
		{"SCAN", "0", "TYPE", "zset", "COUNT", "1000", "MATCH", "k*"},
		// Empty member.
		{"ZADD", "e", "1", ""}, {"ZSCORE", "e", ""}, {"ZRANGE", "e", "0", "-1"}, {"ZREM", "e", ""}, {"EXISTS", "e"},
		// Arity.
		{"ZADD", "z", "1"}, {"ZCARD"}, {"ZSCORE", "z"}, {"ZRANGE", "z", "0"}, {"ZPOPMIN"}, {"BZPOPMIN", "z"}, {"ZUNION", "1"},
	}
	// Conversion: by entries at the default 128 and a configured one, and by
	// member length at 64; results of the STORE forms convert back.
	s = append(s, zaddMany("big", 0, 128, 1), []string{"OBJECT", "ENCODING", "big"},
		zaddMany("big", 128, 1, 1), []string{"OBJECT", "ENCODING", "big"}, []string{"ZCARD", "big"},
		[]string{"ZRANGE", "big", "0", "9", "WITHSCORES"}, []string{"ZRANGE", "big", "-5", "-1"}, []string{"ZRANGE", "big", "120", "130"},
		[]string{"ZRANGE", "big", "10", "20", "BYSCORE", "LIMIT", "2", "3", "WITHSCORES"}, []string{"ZREVRANGE", "big", "0", "3"},
		[]string{"ZRANGE", "big", "(100", "+inf", "BYSCORE", "REV", "LIMIT", "0", "4"},
		[]string{"ZCOUNT", "big", "10", "(20"}, []string{"ZRANK", "big", "m77"}, []string{"ZREVRANK", "big", "m77", "WITHSCORE"},
		[]string{"ZSCORE", "big", "m128"}, []string{"ZADD", "big", "0.5", "m3"}, []string{"ZRANK", "big", "m3"},
		[]string{"ZINCRBY", "big", "100", "m0"}, []string{"ZRANGE", "big", "-3", "-1", "WITHSCORES"},
		[]string{"ZREM", "big", "m5", "m6"}, []string{"ZREMRANGEBYRANK", "big", "0", "9"}, []string{"ZREMRANGEBYSCORE", "big", "(50", "60"},
		[]string{"ZCARD", "big"}, []string{"ZPOPMIN", "big", "3"}, []string{"ZPOPMAX", "big"}, []string{"OBJECT", "ENCODING", "big"},
		[]string{"ZRANGESTORE", "small", "big", "0", "9"}, []string{"OBJECT", "ENCODING", "small"},
		[]string{"ZUNIONSTORE", "u", "1", "big"}, []string{"OBJECT", "ENCODING", "u"},
		[]string{"ZRANGESTORE", "bigcopy", "big", "0", "-1"}, []string{"OBJECT", "ENCODING", "bigcopy"},
		[]string{"ZINTERSTORE", "u", "2", "big", "small"}, []string{"OBJECT", "ENCODING", "u"}, []string{"ZRANGE", "u", "0", "-1", "WITHSCORES"},
		[]string{"ZUNION", "2", "big", "small", "WITHSCORES"}, []string{"ZDIFF", "2", "big", "small"},
		[]string{"ZRANGE", "big", "0", "-1", "WITHSCORES"},
		[]string{"ZADD", "v", "1", strings.Repeat("a", 64)}, []string{"OBJECT", "ENCODING", "v"},
		[]string{"ZADD", "v", "2", strings.Repeat("b", 65)}, []string{"OBJECT", "ENCODING", "v"},
		[]string{"ZADD", "v2", "1", strings.Repeat("k", 65)}, []string{"OBJECT", "ENCODING", "v2"},
		[]string{"ZREM", "v", strings.Repeat("b", 65)}, []string{"OBJECT", "ENCODING", "v"},
		[]string{"ZUNIONSTORE", "v3", "1", "v"}, []string{"OBJECT", "ENCODING", "v3"},
		[]string{"CONFIG", "SET", "zset-max-listpack-entries", "3"}, []string{"CONFIG", "SET", "zset-max-listpack-value", "4"},
		[]string{"ZADD", "c3", "1", "a", "2", "b", "3", "c"}, []string{"OBJECT", "ENCODING", "c3"},
		[]string{"ZADD", "c3", "4", "d"}, []string{"OBJECT", "ENCODING", "c3"},
		[]string{"ZADD", "c4", "1", "a", "2", "b", "3", "c", "4", "a"}, []string{"OBJECT", "ENCODING", "c4"},
		[]string{"ZADD", "c5", "1", "abcde"}, []string{"OBJECT", "ENCODING", "c5"},
		[]string{"ZADD", "c6", "1", "a"}, []string{"ZADD", "c6", "1", "a", "1", "a", "1", "a", "1", "a"}, []string{"OBJECT", "ENCODING", "c6"},
		[]string{"CONFIG", "SET", "zset-max-listpack-entries", "0"}, []string{"ZADD", "c7", "1", "a"}, []string{"OBJECT", "ENCODING", "c7"},
		[]string{"ZRANGE", "c7", "0", "-1", "WITHSCORES"}, []string{"ZSCAN", "c7", "0"}, []string{"ZRANDMEMBER", "c7", "-2", "WITHSCORES"},
		[]string{"CONFIG", "SET", "zset-max-listpack-entries", "128"}, []string{"CONFIG", "SET", "zset-max-listpack-value", "64"},
		[]string{"FLUSHALL"})
	return s
}()

func TestZSetsMatchRedis(t *testing.T) {
	redisAddr := startRedis72(t)
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			anax := servertest.Start(t, "--threads", threads)
			servertest.Dial(t, redisAddr).Do("FLUSHALL")
			servertest.Compare(t, anax, redisAddr, zsetScript)
		})
	}
}

// zsetScript3 is compared in RESP3: the reply shapes that differ there.
var zsetScript3 = [][]string{
	{"ZADD", "z", "1", "a", "2.5", "b", "inf", "c"}, {"ZSCORE", "z", "b"}, {"ZSCORE", "z", "c"}, {"ZSCORE", "z", "x"},
	{"ZMSCORE", "z", "a", "x"}, {"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"ZRANGE", "z", "0", "-1"},
	{"ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES"}, {"ZINCRBY", "z", "1", "a"}, {"ZADD", "z", "INCR", "1", "a"},
	{"ZADD", "z", "XX", "INCR", "1", "nope"}, {"ZRANK", "z", "b", "WITHSCORE"}, {"ZRANK", "z", "x", "WITHSCORE"}, {"ZRANK", "z", "x"},
	{"ZPOPMIN", "z"}, {"ZPOPMIN", "z", "1"}, {"ZPOPMAX", "z", "5"}, {"ZPOPMIN", "nokey"}, {"ZPOPMIN", "nokey", "2"},
	{"ZADD", "z", "1", "a", "2", "b"}, {"ZMPOP", "1", "z", "MIN"}, {"ZMPOP", "1", "nokey", "MIN"}, {"BZPOPMAX", "z", "0"},
	{"ZADD", "z", "1", "a", "2", "b"}, {"BZMPOP", "0", "1", "z", "MAX", "COUNT", "5"},
	{"ZADD", "z", "1", "a", "2", "b"}, {"ZRANDMEMBER", "nokey"}, {"ZRANDMEMBER", "z", "2", "WITHSCORES"}, {"ZRANDMEMBER", "z", "0", "WITHSCORES"},
	{"ZADD", "z2", "3", "b"}, {"ZUNION", "2", "z", "z2", "WITHSCORES"}, {"ZINTER", "2", "z", "z2", "WITHSCORES"},
	{"ZSCAN", "z", "0"}, {"ZRANGESTORE", "d", "z", "0", "-1"},
	{"MULTI"}, {"BZPOPMIN", "nokey", "0"}, {"EXEC"}, {"FLUSHALL"},
}

func TestZSetsMatchRedisRESP3(t *testing.T) {
	redisAddr := startRedis72(t)
	anax := servertest.Start(t)
	a, r := servertest.Dial(t, anax), servertest.Dial(t, redisAddr)
	a.Do("HELLO", "3")
	r.Do("HELLO", "3")
	r.Do("FLUSHALL")
	for _, cmd := range zsetScript3 {
		if ga, gr := a.Do(cmd...), r.Do(cmd...); ga != gr {
			t.Errorf("%q:\n  anax:  %q\n  redis: %q", cmd, ga, gr)
		}
	}
}

// zsetNormalized returns reply with the elements of an unordered reply
// sorted: ZSCAN of a big set (table order), ZRANDMEMBER (chance).
func zsetNormalized(t *testing.T, cmd []string, reply string) string {
	if !strings.EqualFold(cmd[0], "ZSCAN") || reply[0] == '-' {
		return reply
	}
	n := parseRESP(t, reply)
	var items []string
	for i := 0; i+2 <= len(n.elems[1].elems); i += 2 {
		items = append(items, n.elems[1].elems[i].raw+n.elems[1].elems[i+1].raw)
	}
	sort.Strings(items)
	return fmt.Sprint(n.elems[0].raw, items)
}

// TestRandomZSetCommandsMatchRedis sends a seeded random stream of sorted
// set commands (with keyspace commands and MULTI/EXEC blocks among them)
// to Anax and Redis 7.2, with thresholds low enough that sets convert all
// the time, and compares every reply.
func TestRandomZSetCommandsMatchRedis(t *testing.T) {
	redisAddr := startRedis72(t)
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			anaxAddr := servertest.Start(t, "--threads", threads)
			a, r := servertest.Dial(t, anaxAddr), servertest.Dial(t, redisAddr)
			r.Do("FLUSHALL")
			for _, c := range []*servertest.Raw{a, r} {
				c.Do("CONFIG", "SET", "zset-max-listpack-entries", "8")
				c.Do("CONFIG", "SET", "zset-max-listpack-value", "16")
			}
			defer r.Do("CONFIG", "SET", "zset-max-listpack-entries", "128")
			defer r.Do("CONFIG", "SET", "zset-max-listpack-value", "64")
			rng := rand.New(rand.NewSource(13))
			keys := []string{"a", "b", "c", "{t}d", "{t}e", "s"}
			key := func() string { return keys[rng.Intn(len(keys))] }
			member := func() string {
				if rng.Intn(10) == 0 {
					return strings.Repeat("m", 10+rng.Intn(10))
				}
				return fmt.Sprint("m", rng.Intn(20))
			}
			score := func() string {
				switch rng.Intn(6) {
				case 0:
					return fmt.Sprint(rng.Intn(10))
				case 1:
					return fmt.Sprint(rng.Float64() * 10)
				case 2:
					return []string{"inf", "-inf", "0", "-0"}[rng.Intn(4)]
				}
				return fmt.Sprint(rng.Intn(30) - 15)
			}
			bound := func() string {
				switch rng.Intn(4) {
				case 0:
					return "(" + fmt.Sprint(rng.Intn(30)-15)
				case 1:
					return []string{"-inf", "+inf"}[rng.Intn(2)]
				}
				return fmt.Sprint(rng.Intn(30) - 15)
			}
			idx := func() string { return fmt.Sprint(rng.Intn(24) - 12) }
			command := func() []string {
				switch rng.Intn(32) {
				case 0, 1, 2, 3:
					return []string{"ZADD", key(), score(), member(), score(), member()}
				case 4:
					opts := [][]string{{"NX"}, {"XX"}, {"GT"}, {"LT"}, {"CH"}, {"XX", "GT", "CH"}, {"INCR"}}[rng.Intn(7)]
					return append(append([]string{"ZADD", key()}, opts...), score(), member())
				case 5:
					return []string{"ZINCRBY", key(), score(), member()}
				case 6:
					return []string{"ZREM", key(), member(), member()}
				case 7:
					return []string{"ZSCORE", key(), member()}
				case 8:
					return []string{"ZMSCORE", key(), member(), member()}
				case 9:
					return []string{"ZRANK", key(), member(), "WITHSCORE"}
				case 10:
					return []string{"ZREVRANK", key(), member()}
				case 11:
					return []string{"ZRANGE", key(), idx(), idx(), "WITHSCORES"}
				case 12:
					return []string{"ZRANGE", key(), idx(), idx(), "REV"}
				case 13:
					return []string{"ZRANGEBYSCORE", key(), bound(), bound(), "WITHSCORES", "LIMIT", fmt.Sprint(rng.Intn(4)), fmt.Sprint(rng.Intn(6) - 1)}
				case 14:
					return []string{"ZREVRANGEBYSCORE", key(), bound(), bound()}
				case 15:
					return []string{"ZCOUNT", key(), bound(), bound()}
				case 16:
					return []string{"ZCARD", key()}
				case 17:
					return []string{"ZREMRANGEBYRANK", key(), idx(), idx()}
				case 18:
					return []string{"ZREMRANGEBYSCORE", key(), bound(), bound()}
				case 19:
					return []string{"ZPOPMIN", key(), fmt.Sprint(rng.Intn(3))}
				case 20:
					return []string{"ZPOPMAX", key()}
				case 21:
					return []string{"ZMPOP", "2", key(), key(), []string{"MIN", "MAX"}[rng.Intn(2)], "COUNT", fmt.Sprint(1 + rng.Intn(3))}
				case 22:
					return []string{"OBJECT", "ENCODING", key()}
				case 23:
					return []string{"RENAME", key(), key()}
				case 24:
					return []string{"COPY", key(), key(), "REPLACE"}
				case 25:
					return []string{"SET", "s", "x"}
				case 26:
					op := []string{"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"}[rng.Intn(3)]
					return []string{op, key(), "2", key(), key()}
				case 27:
					op := []string{"ZUNION", "ZINTER", "ZDIFF"}[rng.Intn(3)]
					return []string{op, "3", key(), key(), key(), "WITHSCORES"}
				case 28:
					return []string{"ZRANGESTORE", key(), key(), idx(), idx()}
				case 29:
					return []string{"ZSCAN", key(), "0", "COUNT", "1000"}
				case 30:
					return []string{"ZINTERCARD", "2", key(), key()}
				default:
					return []string{"DEL", key()}
				}
			}
			step := func(cmd []string) {
				t.Helper()
				a.Send(servertest.Encode(cmd...))
				ga, err := a.ReadErr()
				if err != nil {
					t.Fatalf("%q: anax: %v", cmd, err)
				}
				gr := r.Do(cmd...)
				if zsetNormalized(t, cmd, ga) != zsetNormalized(t, cmd, gr) {
					t.Fatalf("%q:\n  anax:  %q\n  redis: %q", cmd, ga, gr)
				}
			}
			for i := 0; i < 4000; i++ {
				if rng.Intn(8) == 0 {
					step([]string{"MULTI"})
					for n := rng.Intn(5); n >= 0; n-- {
						cmd := command()
						for cmd[0] == "ZSCAN" {
							cmd = command()
						}
						step(cmd)
					}
					step([]string{"EXEC"})
					continue
				}
				step(command())
			}
		})
	}
}
