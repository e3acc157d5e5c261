package server_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// Keyspace notifications, compared with redis-server message by message.
//
// A writer runs a script; a subscriber of each server listens on the
// pattern __key*@*__:*. After each step the writer publishes a marker on a
// channel of that pattern, and the subscriber's messages up to the marker
// are the step's, compared in order: those of commands and transactions
// over several shards too (their events are published in Redis's order).
// Only keys reclaimed by the active expiry cycle come in any order (each
// server walks its keys in its own order).

// ksStep is one step: the command, and how its events are compared.
type ksStep struct {
	cmd []string
	// sorted compares the step's messages in any order.
	sorted bool
	// wait is a pause before the marker (for expiry).
	wait time.Duration
	// then are more commands the step runs (a transaction's).
	then [][]string
	// count, when set, is the number of messages the step must bring.
	count int
}

func ks(cmd ...string) ksStep         { return ksStep{cmd: cmd} }
func ksAnyOrder(cmd ...string) ksStep { return ksStep{cmd: cmd, sorted: true} }
func ksConfig(classes string) ksStep  { return ks("CONFIG", "SET", "notify-keyspace-events", classes) }

// keyspaceScript covers each family's write paths and each class.
func keyspaceScript(restorePayload string) []ksStep {
	return []ksStep{
		ksConfig("KEA"),
		// Strings.
		ks("SET", "s1", "v"),
		ks("SET", "s1", "v2"),
		ks("SET", "s2", "v", "EX", "100"),
		ks("SET", "s2", "v", "KEEPTTL"),
		ks("SET", "s9", "v", "XX"),
		ks("SET", "s1", "v3", "GET"),
		ks("SETNX", "s1", "x"),
		ks("SETNX", "s3", "x"),
		ks("SETEX", "s4", "100", "v"),
		ks("PSETEX", "s5", "100000", "v"),
		ks("GETSET", "s1", "v4"),
		ks("GETDEL", "s3"),
		ks("GETDEL", "nokey"),
		ks("GETEX", "s1", "EX", "100"),
		ks("GETEX", "s1", "PERSIST"),
		ks("GETEX", "s1", "PERSIST"),
		ks("GETEX", "s1", "PXAT", "1"),
		ks("MSET", "{m}a", "1", "{m}b", "2", "{m}a", "3"),
		ks("MSETNX", "{m}c", "1", "{m}d", "2"),
		ks("MSETNX", "{m}c", "1", "{m}e", "2"),
		ks("APPEND", "s6", "x"),
		ks("APPEND", "s6", "y"),
		ks("INCR", "n"),
		ks("INCRBY", "n", "5"),
		ks("DECR", "n"),
		ks("DECRBY", "n", "2"),
		ks("INCRBYFLOAT", "f", "1.5"),
		ks("SETRANGE", "s7", "2", "ab"),
		ks("SETRANGE", "s7", "0", ""),
		ks("SETRANGE", "s7", "0", "z"),
		// Keys.
		ks("MSET", "{k}1", "a", "{k}2", "b"),
		ks("DEL", "{k}1", "{k}2", "{k}3"),
		ks("UNLINK", "s6", "s6"),
		ks("EXPIRE", "s4", "200"),
		ks("EXPIRE", "s4", "300", "NX"),
		ks("PEXPIRE", "s4", "0"),
		ks("EXPIREAT", "s5", "1"),
		ks("SET", "s5", "v", "EX", "100"),
		ks("PERSIST", "s5"),
		ks("PERSIST", "s5"),
		ks("MSET", "{r}a", "1", "{r}c", "2"),
		ks("RENAME", "{r}a", "{r}b"),
		ks("RENAME", "{r}b", "{r}c"),
		ks("RENAMENX", "{r}c", "{r}c"),
		ks("SET", "{r}d", "x"),
		ks("RENAMENX", "{r}c", "{r}d"),
		ks("RENAMENX", "{r}c", "{r}e"),
		ks("SET", "{c}a", "1"),
		ks("COPY", "{c}a", "{c}b"),
		ks("COPY", "{c}a", "{c}b"),
		ks("COPY", "{c}a", "{c}b", "REPLACE"),
		ks("COPY", "{c}a", "{c}a", "DB", "1"),
		ks("MOVE", "{c}a", "1"),
		ks("MOVE", "{c}b", "1"),
		ks("RESTORE", "rs", "0", restorePayload),
		ks("RESTORE", "rs", "0", restorePayload, "REPLACE"),
		ks("RESTORE", "rs", "1", restorePayload, "REPLACE", "ABSTTL"),
		ks("SELECT", "1"),
		ks("SET", "in1", "x"),
		ks("DEL", "{c}a", "in1"),
		ks("SELECT", "0"),
		// Lists.
		ks("LPUSH", "l", "a", "b"),
		ks("RPUSH", "l", "c"),
		ks("LPUSHX", "nol", "a"),
		ks("RPUSHX", "l", "d"),
		ks("LPOP", "l"),
		ks("RPOP", "l", "2"),
		ks("LPOP", "l", "0"),
		ks("LSET", "l", "0", "z"),
		ks("LINSERT", "l", "BEFORE", "z", "y"),
		ks("LINSERT", "l", "BEFORE", "nope", "y"),
		ks("LREM", "l", "0", "y"),
		ks("LREM", "l", "0", "nope"),
		ks("RPUSH", "l", "1", "2", "3"),
		ks("LTRIM", "l", "0", "1"),
		ks("LTRIM", "l", "1", "0"),
		ks("RPUSH", "{L}a", "1", "2", "3"),
		ks("LMOVE", "{L}a", "{L}b", "LEFT", "RIGHT"),
		ks("RPOPLPUSH", "{L}a", "{L}b"),
		ks("LMOVE", "{L}b", "{L}b", "LEFT", "LEFT"),
		ks("LMOVE", "{L}a", "{L}c", "RIGHT", "LEFT"),
		ks("LMPOP", "2", "{L}x", "{L}b", "LEFT", "COUNT", "5"),
		ks("BLPOP", "{L}c", "{L}d", "0.01"),
		ks("BLMOVE", "{L}y", "{L}z", "LEFT", "LEFT", "0.01"),
		ks("LRANGE", "nolist", "0", "-1"),
		// Hashes.
		ks("HSET", "h", "a", "1", "b", "2"),
		ks("HSET", "h", "a", "1"),
		ks("HSETNX", "h", "a", "1"),
		ks("HSETNX", "h", "c", "3"),
		ks("HMSET", "h", "d", "4"),
		ks("HINCRBY", "h", "n", "1"),
		ks("HINCRBYFLOAT", "h", "f", "1.5"),
		ks("HDEL", "h", "a", "nope"),
		ks("HDEL", "h", "nope"),
		ks("HDEL", "h", "b", "c", "d", "n", "f"),
		ks("HGET", "nohash", "a"),
		// Sets.
		ks("SADD", "st", "a", "b", "c"),
		ks("SADD", "st", "a"),
		ks("SREM", "st", "a"),
		ks("SREM", "st", "nope"),
		ks("SPOP", "st", "0"),
		ks("SADD", "st", "x", "y", "z"),
		ks("SPOP", "st", "10"),
		ks("SADD", "st", "x"),
		ks("SPOP", "st"),
		ks("SADD", "{S}a", "1", "2", "3"),
		ks("SADD", "{S}b", "2", "3", "4"),
		ks("SINTERSTORE", "{S}d", "{S}a", "{S}b"),
		ks("SUNIONSTORE", "{S}d", "{S}a", "{S}b"),
		ks("SDIFFSTORE", "{S}d", "{S}a", "{S}b"),
		ks("SINTERSTORE", "{S}d", "{S}a", "{S}none"),
		ks("SINTERSTORE", "{S}d", "{S}a", "{S}none"),
		ks("SMOVE", "{S}a", "{S}b", "1"),
		ks("SMOVE", "{S}a", "{S}b", "2"),
		ks("SMOVE", "{S}a", "{S}e", "3"),
		ks("SMOVE", "{S}a", "{S}e", "3"),
		ks("SMEMBERS", "noset"),
		// Sorted sets.
		ks("ZADD", "z", "1", "a", "2", "b"),
		ks("ZADD", "z", "1", "a"),
		ks("ZADD", "z", "CH", "5", "a"),
		ks("ZINCRBY", "z", "1", "a"),
		ks("ZADD", "z", "INCR", "1", "b"),
		ks("ZADD", "z", "NX", "3", "a"),
		ks("ZADD", "noz", "XX", "3", "a"),
		ks("ZREM", "z", "a", "nope"),
		ks("ZREMRANGEBYSCORE", "z", "100", "200"),
		ks("ZADD", "z", "1", "x", "2", "y", "3", "w"),
		ks("ZREMRANGEBYRANK", "z", "0", "0"),
		ks("ZREMRANGEBYSCORE", "z", "2", "2"),
		ks("ZADD", "zl", "0", "a", "0", "b", "0", "c"),
		ks("ZREMRANGEBYLEX", "zl", "[a", "[b"),
		ks("ZREMRANGEBYLEX", "zl", "-", "+"),
		ks("ZPOPMIN", "z"),
		ks("ZPOPMIN", "z", "0"),
		ks("ZPOPMAX", "z", "10"),
		ks("ZADD", "{Z}a", "1", "x", "2", "y"),
		ks("ZADD", "{Z}b", "3", "y"),
		ks("ZUNIONSTORE", "{Z}d", "2", "{Z}a", "{Z}b"),
		ks("ZINTERSTORE", "{Z}d", "2", "{Z}a", "{Z}b"),
		ks("ZDIFFSTORE", "{Z}d", "2", "{Z}a", "{Z}b"),
		ks("ZINTERSTORE", "{Z}d", "2", "{Z}a", "{Z}none"),
		ks("ZRANGESTORE", "{Z}r", "{Z}a", "0", "-1"),
		ks("ZRANGESTORE", "{Z}r", "{Z}a", "5", "10"),
		ks("ZMPOP", "2", "{Z}x", "{Z}a", "MIN"),
		ks("BZPOPMAX", "{Z}a", "0.01"),
		ks("ZSCORE", "noz", "a"),
		// Geo.
		ks("GEOADD", "{G}g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"),
		ks("GEOADD", "{G}g", "13.361389", "38.115556", "Palermo"),
		ks("GEORADIUS", "{G}g", "15", "37", "200", "km", "STORE", "{G}st"),
		ks("GEORADIUSBYMEMBER", "{G}g", "Palermo", "300", "km", "STOREDIST", "{G}st"),
		ks("GEOSEARCHSTORE", "{G}st2", "{G}g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"),
		ks("GEOSEARCHSTORE", "{G}st2", "{G}g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"),
		ks("GEOSEARCHSTORE", "{G}st", "{G}none", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"),
		// SORT ... STORE.
		ks("RPUSH", "{T}l", "3", "1", "2"),
		ks("SORT", "{T}l", "STORE", "{T}o"),
		ks("SORT", "{T}l", "STORE", "{T}o"),
		ks("SORT", "{T}none", "STORE", "{T}o"),
		// Bitmaps and HyperLogLog (strings).
		ks("SETBIT", "{B}b", "7", "1"),
		ks("SETBIT", "{B}b", "7", "1"),
		ks("SETBIT", "{B}b2", "100", "1"),
		ks("BITFIELD", "{B}b", "SET", "u8", "0", "255", "GET", "u4", "0"),
		ks("BITFIELD", "{B}b", "GET", "u4", "0"),
		ks("BITOP", "AND", "{B}d", "{B}b", "{B}b2"),
		ks("BITOP", "OR", "{B}d", "{B}none1", "{B}none2"),
		ks("PFADD", "{B}h", "a", "b"),
		ks("PFADD", "{B}h", "a"),
		ks("PFADD", "{B}h2", "c"),
		ks("PFMERGE", "{B}hm", "{B}h", "{B}h2"),
		ks("PFCOUNT", "{B}h", "{B}h2"),
		// Streams.
		ks("XADD", "{X}s", "1-1", "f", "v"),
		ks("XADD", "{X}s", "MAXLEN", "1", "2-1", "f", "v"),
		ks("XADD", "{X}none", "NOMKSTREAM", "*", "f", "v"),
		ks("XGROUP", "CREATE", "{X}s", "g", "0"),
		ks("XGROUP", "CREATE", "{X}s2", "g", "$", "MKSTREAM"),
		ks("XGROUP", "CREATECONSUMER", "{X}s", "g", "c1"),
		ks("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "{X}s", ">"),
		ks("XCLAIM", "{X}s", "g", "c1", "0", "2-1"),
		ks("XAUTOCLAIM", "{X}s", "g", "c2", "0", "0"),
		ks("XACK", "{X}s", "g", "2-1"),
		ks("XGROUP", "SETID", "{X}s", "g", "0"),
		ks("XGROUP", "DELCONSUMER", "{X}s", "g", "c1"),
		ks("XGROUP", "DESTROY", "{X}s", "g"),
		ks("XADD", "{X}s", "3-1", "f", "v"),
		ks("XDEL", "{X}s", "3-1"),
		ks("XTRIM", "{X}s", "MAXLEN", "0"),
		ks("XSETID", "{X}s", "9-9"),
		// Scripts and transactions.
		ks("EVAL", "redis.call('set', KEYS[1], 'x'); redis.call('lpush', KEYS[2], 'a'); redis.call('del', KEYS[1]); return 1", "2", "{E}a", "{E}b"),
		{cmd: []string{"MULTI"}, then: [][]string{{"SET", "mx", "1"}, {"INCR", "mx"}, {"LPUSH", "mx2", "a"}, {"EXEC"}}},
		{cmd: []string{"MULTI"}, then: [][]string{{"SET", "mx3", "1"}, {"MSET", "mx", "2", "mx4", "3", "mx5", "4"}, {"RENAME", "mx", "mx6"}, {"DEL", "mx2", "mx3", "mx4"}, {"LPUSH", "mx7", "a"}, {"EXEC"}}},
		// New keys and key misses.
		ksConfig("KEAnm"),
		ks("SET", "nw", "1"),
		ks("SET", "nw", "2"),
		ks("GET", "nokey"),
		ks("GET", "nw"),
		ks("MGET", "{m}a", "{m}none", "{m}none2"),
		ks("EXISTS", "nokey"),
		ks("TYPE", "nokey"),
		ks("TTL", "nokey"),
		ks("OBJECT", "ENCODING", "nokey"),
		ks("LPUSH", "nl", "a"),
		ks("LLEN", "nokey"),
		ks("HSET", "nh", "a", "1"),
		ks("SADD", "ns", "a"),
		ks("ZADD", "nz", "1", "a"),
		ks("ZSCORE", "nokey", "a"),
		ks("SINTERSTORE", "{S}nd", "{S}none1", "{S}b"),
		ks("SUNION", "{S}none1", "{S}b"),
		ks("RENAME", "nw", "nw2"),
		ks("COPY", "nw2", "nw3"),
		ks("SORT", "{T}l", "STORE", "{T}n"),
		ks("GEOADD", "ng", "13.361389", "38.115556", "Palermo"),
		ks("SET", "{r}x", "1"),
		ks("RENAME", "{r}x", "{r}d"),
		ks("MGET", "nw2", "nokey1", "nokey2", "nokey3", "nw3", "nokey4"),
		ks("EXISTS", "nokey1", "nw2", "nokey2", "nokey3", "nokey1"),
		ks("MSET", "mk1", "1", "mk2", "2", "mk3", "3", "mk1", "4"),
		ks("DEL", "mk3", "nokey1", "mk2", "mk1", "mk2"),
		ks("ZUNIONSTORE", "{Z}u", "2", "{Z}none1", "{Z}b"),
		ks("ZRANGESTORE", "{Z}rs", "{Z}none", "0", "-1"),
		ks("SINTERCARD", "2", "{S}none1", "{S}b"),
		ks("LCS", "{m}a", "{m}none"),
		ks("TOUCH", "nokey", "nw"),
		ks("DUMP", "nokey"),
		ks("PTTL", "nokey"),
		ks("EXPIRETIME", "nokey"),
		ks("OBJECT", "FREQ", "nokey"),
		ks("STRLEN", "nokey"),
		ks("GETRANGE", "nokey", "0", "1"),
		ks("HGETALL", "nokey"),
		ks("HRANDFIELD", "nokey"),
		ks("SRANDMEMBER", "nokey"),
		ks("SMISMEMBER", "nokey", "a"),
		ks("ZRANGE", "nokey", "0", "-1"),
		ks("ZRANDMEMBER", "nokey"),
		ks("GEOPOS", "nokey", "a"),
		ks("GEODIST", "nokey", "a", "b"),
		ks("GEOSEARCH", "nokey", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"),
		ks("LPOP", "nokey"),
		ks("RPOPLPUSH", "nokey", "x"),
		ks("INCR", "nokey2"),
		ks("RPUSH", "{T}sl", "3", "1", "2"),
		ks("SET", "{T}w_1", "5"),
		ks("SORT", "{T}sl", "BY", "{T}w_*"),
		ks("SORT", "{T}sl", "BY", "{T}w_*", "GET", "{T}g_*", "GET", "#"),
		// Some classes only, each channel alone.
		ksConfig("Kl"),
		ks("LPUSH", "cl", "a"),
		ks("SET", "cs", "a"),
		ks("DEL", "cl"),
		ksConfig("Eg$"),
		ks("LPUSH", "cl", "a"),
		ks("SET", "cs", "b"),
		ks("DEL", "cl"),
		ksConfig("Ex"),
		ks("SET", "cs", "b"),
		ksConfig("Kh"),
		ks("HSET", "ch", "a", "1"),
		ks("SADD", "cst", "a"),
		ksConfig("Ez"),
		ks("ZADD", "cz", "1", "a"),
		ksConfig("Es"),
		ks("SADD", "cst", "b"),
		ksConfig("g$lshz"),
		ks("SET", "cs", "c"),
		ksConfig(""),
		ks("SET", "cs", "c"),
		ks("DEL", "cs", "ch"),
		ksConfig("KEA"),
		// Multi-key commands whose keys may be on different shards.
		ks("MSET", "x1", "1", "x2", "2", "x3", "3"),
		ks("DEL", "x1", "x2", "x3", "x4"),
		ks("SET", "ra", "1"),
		ks("RENAME", "ra", "rb"),
		ks("SET", "rc", "1"),
		ks("RENAME", "rb", "rc"),
		ks("COPY", "rc", "rd"),
		ks("COPY", "rc", "rd", "REPLACE"),
		ks("RPUSH", "la", "1", "2"),
		ks("LMOVE", "la", "lb", "LEFT", "RIGHT"),
		ks("LMOVE", "la", "lb", "LEFT", "RIGHT"),
		ks("SADD", "sa", "1", "2"),
		ks("SADD", "sb", "2", "3"),
		ks("SMOVE", "sa", "sb", "1"),
		ks("SUNIONSTORE", "sd", "sa", "sb"),
		ks("SINTERSTORE", "sd", "sa", "sb"),
		ks("SDIFFSTORE", "sd", "sb", "sa"),
		ks("ZADD", "za", "1", "a"),
		ks("ZUNIONSTORE", "zd", "2", "za", "zb"),
		ks("ZRANGESTORE", "zr", "za", "0", "-1"),
		ks("SORT", "la", "STORE", "so"),
		ks("MSETNX", "x5", "1", "x6", "2"),
		// Expiry: the active cycle reclaims the keys while the writer waits.
		// e1 lives 300 ms, so that a busy machine's slow steps before the
		// wait do not let one server expire it a step early (with 10 ms it
		// did, in one run of the 4-shard pass).
		ksAnyOrder("SET", "e1", "v", "PX", "300"),
		ksAnyOrder("RPUSH", "e2", "a"),
		{cmd: []string{"PEXPIRE", "e2", "10"}, sorted: true, wait: 1000 * time.Millisecond, count: 6},
		// Eviction: with maxmemory 1 every key goes.
		ks("FLUSHALL"),
		ks("CONFIG", "SET", "maxmemory-policy", "allkeys-random"),
		ks("MSET", "v1", "1", "v2", "2", "v3", "3", "v4", "4", "v5", "5", "v6", "6"),
		{cmd: []string{"CONFIG", "SET", "maxmemory", "1"}, sorted: true, wait: 700 * time.Millisecond, count: 12},
		ks("CONFIG", "SET", "maxmemory", "0"),
		ks("CONFIG", "SET", "maxmemory-policy", "noeviction"),
	}
}

func TestKeyspaceNotificationsMatchRedis(t *testing.T) {
	o := servertest.StartOracle(t)
	for _, threads := range []string{"1", "4"} {
		for _, proto := range []int{2, 3} {
			t.Run(fmt.Sprintf("threads=%s/resp%d", threads, proto), func(t *testing.T) {
				anax := servertest.Start(t, "--threads", threads)
				runKeyspaceScript(t, anax, o.Addr, proto)
			})
		}
	}
}

// keyspaceWire is one side of the comparison: a writer and a subscriber.
type keyspaceWire struct {
	w, sub *servertest.Raw
}

func newKeyspaceWire(t *testing.T, addr string, proto int) keyspaceWire {
	k := keyspaceWire{w: servertest.Dial(t, addr), sub: servertest.Dial(t, addr)}
	if got := k.w.Do("FLUSHALL"); got != "+OK\r\n" {
		t.Fatalf("FLUSHALL: %q", got)
	}
	if proto == 3 {
		k.sub.Do("HELLO", "3")
	}
	k.sub.Do("PSUBSCRIBE", "__key*@*__:*")
	return k
}

// step runs cmd (pausing wait after it), publishes the marker and returns
// the messages the subscriber got before it.
func (k keyspaceWire) step(t *testing.T, i int, s ksStep) []string {
	t.Helper()
	k.w.Do(s.cmd...)
	for _, c := range s.then {
		k.w.Do(c...)
	}
	if s.wait > 0 {
		time.Sleep(s.wait)
	}
	mark := "step " + strconv.Itoa(i)
	k.w.Do("PUBLISH", "__keymark@0__:", mark)
	var got []string
	for {
		m := k.sub.Read()
		if strings.Contains(m, "__keymark@0__:") {
			if !strings.Contains(m, mark) {
				t.Fatalf("step %d: marker %q", i, m)
			}
			return got
		}
		got = append(got, m)
	}
}

func runKeyspaceScript(t *testing.T, anax, redis string, proto int) {
	// A RESTORE payload both servers accept: the oracle's DUMP.
	r := servertest.Dial(t, redis)
	r.Do("SET", "dumpsrc", "hello")
	dump := r.Do("DUMP", "dumpsrc")
	r.Do("DEL", "dumpsrc")
	head, body, ok := strings.Cut(dump, "\r\n")
	if !ok || !strings.HasPrefix(head, "$") {
		t.Fatalf("DUMP: %q", dump)
	}
	payload := strings.TrimSuffix(body, "\r\n")

	a, o := newKeyspaceWire(t, anax, proto), newKeyspaceWire(t, redis, proto)
	defer func() {
		o.w.Do("CONFIG", "SET", "maxmemory", "0")
		o.w.Do("CONFIG", "SET", "notify-keyspace-events", "")
		o.w.Do("FLUSHALL")
	}()
	for i, s := range keyspaceScript(payload) {
		ga, gr := a.step(t, i, s), o.step(t, i, s)
		if s.sorted {
			slices.Sort(ga)
			slices.Sort(gr)
		}
		if !slices.Equal(ga, gr) {
			t.Errorf("step %d %q:\n anax:  %q\n redis: %q", i, s.cmd, ga, gr)
		}
		if s.count > 0 && len(ga) != s.count {
			t.Errorf("step %d %q: %d messages, want %d", i, s.cmd, len(ga), s.count)
		}
	}
}

// pmessage is a message of the pattern __key*@*__:* in RESP2.
func pmessage(channel, msg string) string {
	return fmt.Sprintf("*4\r\n$8\r\npmessage\r\n$12\r\n__key*@*__:*\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(channel), channel, len(msg), msg)
}

// keyEvents is the messages of the events, each on both channels.
func keyEvents(key string, events ...string) []string {
	var out []string
	for _, e := range events {
		out = append(out, pmessage("__keyspace@0__:"+key, e), pmessage("__keyevent@0__:"+e, key))
	}
	return out
}

// TestKeyspaceNotificationsHashFieldTTL checks the events of Redis 7.4's
// hash field expiry, which the oracle (7.0) lacks: hexpire, hpersist, hdel
// for a time in the past, hexpired when fields expire (lazily or in the
// active cycle) and del when that empties the hash; HMGET reports the
// fields it reaps in one hexpired, as Redis 7.4's hmgetCommand does.
func TestKeyspaceNotificationsHashFieldTTL(t *testing.T) {
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			k := newKeyspaceWire(t, servertest.Start(t, "--threads", threads, "--enable-debug-command", "yes"), 2)
			var i int
			check := func(s ksStep, want []string) {
				t.Helper()
				i++
				if got := k.step(t, i, s); !slices.Equal(got, want) {
					t.Errorf("%q:\n got:  %q\n want: %q", s.cmd, got, want)
				}
			}
			check(ksConfig("KEA"), nil)
			check(ks("HSET", "h", "a", "1", "b", "2", "c", "3"), keyEvents("h", "hset"))
			check(ks("HEXPIRE", "h", "100", "FIELDS", "2", "a", "nope"), keyEvents("h", "hexpire"))
			check(ks("HEXPIRE", "h", "100", "NX", "FIELDS", "1", "a"), nil)
			check(ks("HPERSIST", "h", "FIELDS", "1", "a"), keyEvents("h", "hpersist"))
			check(ks("HPERSIST", "h", "FIELDS", "1", "a"), nil)
			check(ks("HPEXPIREAT", "h", "1", "FIELDS", "1", "a"), keyEvents("h", "hdel"))
			check(ks("HPEXPIRE", "h", "20", "FIELDS", "1", "b"), keyEvents("h", "hexpire"))
			// The field expires: lazily (HGET) or in the active cycle.
			time.Sleep(40 * time.Millisecond)
			check(ks("HGET", "h", "b"), keyEvents("h", "hexpired"))
			check(ks("HPEXPIRE", "h", "20", "FIELDS", "1", "c"), keyEvents("h", "hexpire"))
			check(ksStep{cmd: []string{"PING"}, wait: 700 * time.Millisecond}, keyEvents("h", "hexpired", "del"))
			check(ks("HSET", "h", "a", "1"), keyEvents("h", "hset"))
			check(ks("HPEXPIREAT", "h", "1", "FIELDS", "1", "a"), append(keyEvents("h", "hdel"), keyEvents("h", "del")...))
			// HMGET reaps lazily (the active cycle off): one hexpired for
			// the fields it reaps, del after it when the last one went;
			// nothing when the only one reaped was the last (Redis counts
			// the fields that expired without emptying the hash).
			check(ks("DEBUG", "SET-ACTIVE-EXPIRE", "0"), nil)
			check(ks("HSET", "m", "f1", "1", "f2", "2", "f3", "3"), keyEvents("m", "hset"))
			check(ks("HPEXPIRE", "m", "10", "FIELDS", "2", "f1", "f2"), keyEvents("m", "hexpire"))
			time.Sleep(30 * time.Millisecond)
			check(ks("HMGET", "m", "f1", "f2", "f3"), keyEvents("m", "hexpired"))
			check(ks("HPEXPIRE", "m", "10", "FIELDS", "1", "f3"), keyEvents("m", "hexpire"))
			time.Sleep(30 * time.Millisecond)
			check(ks("HMGET", "m", "f3", "nope"), nil)
			check(ks("EXISTS", "m"), nil)
			check(ks("HSET", "m", "a", "1", "b", "2"), keyEvents("m", "hset"))
			check(ks("HPEXPIRE", "m", "10", "FIELDS", "2", "a", "b"), keyEvents("m", "hexpire"))
			time.Sleep(30 * time.Millisecond)
			check(ks("HMGET", "m", "a", "b"), keyEvents("m", "hexpired", "del"))
			check(ks("DEBUG", "SET-ACTIVE-EXPIRE", "1"), nil)
		})
	}
}

// TestKeyspaceNotificationsBlockedPop checks the events of a blocking pop
// served by a later push, in Redis 7.2's order (the pop runs again after
// the push: its events follow the push's), the served BLMOVE's across
// shards too.
func TestKeyspaceNotificationsBlockedPop(t *testing.T) {
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			addr := servertest.Start(t, "--threads", threads)
			k := newKeyspaceWire(t, addr, 2)
			b := servertest.Dial(t, addr)
			var i int
			check := func(s ksStep, want []string) {
				t.Helper()
				i++
				if got := k.step(t, i, s); !slices.Equal(got, want) {
					t.Errorf("%q:\n got:  %q\n want: %q", s.cmd, got, want)
				}
			}
			check(ksConfig("KEA"), nil)
			b.SendArgs("BLPOP", "bl", "5")
			time.Sleep(50 * time.Millisecond) // b is blocked
			check(ks("RPUSH", "bl", "a"), append(keyEvents("bl", "rpush"), keyEvents("bl", "lpop", "del")...))
			if got := b.Read(); got != "*2\r\n$2\r\nbl\r\n$1\r\na\r\n" {
				t.Errorf("BLPOP = %q", got)
			}
			b.SendArgs("BLMOVE", "src", "dst", "LEFT", "RIGHT", "5")
			time.Sleep(50 * time.Millisecond)
			want := keyEvents("src", "lpush")
			want = append(want, keyEvents("dst", "rpush")...)
			want = append(want, keyEvents("src", "lpop", "del")...)
			// Across shards the served BLMOVE is a transaction of its own,
			// which may end after LPUSH's reply: the marker waits for it.
			check(ksStep{cmd: []string{"LPUSH", "src", "x"}, wait: 100 * time.Millisecond}, want)
			if got := b.Read(); got != "$1\r\nx\r\n" {
				t.Errorf("BLMOVE = %q", got)
			}
		})
	}
}
