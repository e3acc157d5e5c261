package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/anaxdb/anax/internal/servertest"
)

// hsetMany returns HSET key f0 v0 ... f(n-1) v(n-1) with values of vlen
// bytes.
func hsetMany(key string, from, n, vlen int) []string {
	cmd := []string{"HSET", key}
	for i := from; i < from+n; i++ {
		cmd = append(cmd, fmt.Sprint("f", i), fmt.Sprint(i, strings.Repeat("x", vlen))[:vlen])
	}
	return cmd
}

// hashScript exercises the hashes family; every reply must be
// byte-identical to Redis's. Replies that depend on a table's order (the
// whole of a big hash) or on chance (HRANDFIELD) are left to property
// tests below.
var hashScript = func() [][]string {
	s := [][]string{
		{"HSET", "h", "a", "1", "b", "2"}, {"HSET", "h", "a", "10", "c", "x"}, {"HGET", "h", "a"}, {"HGET", "h", "zz"},
		{"HGET", "nokey", "a"}, {"HSET", "h", "a"}, {"HSET", "h"}, {"HSET", "h", "a", "1", "b"}, {"HMSET", "h", "a", "1", "b"},
		{"HMSET", "h", "d", "4", "e", "5"}, {"HGETALL", "h"}, {"HKEYS", "h"}, {"HVALS", "h"}, {"HLEN", "h"},
		{"HGETALL", "nokey"}, {"HKEYS", "nokey"}, {"HVALS", "nokey"}, {"HLEN", "nokey"},
		{"HMGET", "h", "a", "zz", "b"}, {"HMGET", "nokey", "a", "b"}, {"HMGET", "h"},
		{"HEXISTS", "h", "a"}, {"HEXISTS", "h", "zz"}, {"HEXISTS", "nokey", "a"},
		{"HSTRLEN", "h", "a"}, {"HSTRLEN", "h", "c"}, {"HSTRLEN", "h", "zz"}, {"HSTRLEN", "nokey", "a"},
		{"HSETNX", "h", "a", "99"}, {"HSETNX", "h", "n", "99"}, {"HSETNX", "nx", "f", "v"}, {"HGETALL", "nx"}, {"HSETNX", "h", "x"},
		{"HDEL", "h", "a", "zz", "b"}, {"HDEL", "h", "a"}, {"HDEL", "nokey", "a"}, {"HDEL", "h"}, {"HGETALL", "h"},
		{"HDEL", "h", "c", "d", "e", "n"}, {"EXISTS", "h"}, {"HDEL", "nx", "f", "f"}, {"EXISTS", "nx"},
		// Integers and their text: listpack integer encodings read back as text.
		{"HSET", "i", "0", "0", "-1", "-1", "big", "9223372036854775807", "neg", "-9223372036854775808", "lead", "01", "plus", "+1", "sp", " 1"},
		{"HGETALL", "i"}, {"HSTRLEN", "i", "neg"}, {"HGET", "i", "-1"}, {"HGET", "i", "0"}, {"HEXISTS", "i", "-0"},
		// HINCRBY: the increment is parsed first, then the key, then the value.
		{"HINCRBY", "c", "n", "5"}, {"HINCRBY", "c", "n", "-7"}, {"HINCRBY", "c", "n", "abc"}, {"HINCRBY", "nokey2", "n", "x"},
		{"HINCRBY", "i", "big", "1"}, {"HINCRBY", "i", "neg", "-1"}, {"HINCRBY", "i", "big", "-1"}, {"HINCRBY", "i", "lead", "1"},
		{"HINCRBY", "i", "plus", "1"}, {"HINCRBY", "i", "sp", "1"}, {"HINCRBY", "i", "0", "9223372036854775807"},
		{"HINCRBY", "i", "0", "1"}, {"HINCRBY", "c", "n", "9223372036854775808"}, {"HINCRBY", "c", "n", "1.5"},
		{"HGETALL", "c"}, {"HINCRBY", "c"},
		// HINCRBYFLOAT: long double arithmetic, Redis's human format, NaN and infinity.
		{"HINCRBYFLOAT", "f", "x", "10.5"}, {"HINCRBYFLOAT", "f", "x", "0.1"}, {"HINCRBYFLOAT", "f", "x", "-5"},
		{"HINCRBYFLOAT", "f", "x", "5.0e3"}, {"HINCRBYFLOAT", "f", "x", "abc"}, {"HINCRBYFLOAT", "f", "x", "inf"},
		{"HINCRBYFLOAT", "f", "x", "-inf"}, {"HINCRBYFLOAT", "f", "x", "nan"}, {"HINCRBYFLOAT", "f", "x", " 1"},
		{"HINCRBYFLOAT", "f", "y", "3"}, {"HINCRBYFLOAT", "f", "y", "1e-20"}, {"HINCRBYFLOAT", "f", "y", "-3"},
		{"HSET", "f", "bad", "abc", "inf", "inf", "huge", "1e400", "int", "17"},
		{"HINCRBYFLOAT", "f", "bad", "1"}, {"HINCRBYFLOAT", "f", "inf", "1"}, {"HINCRBYFLOAT", "f", "huge", "1"},
		{"HINCRBYFLOAT", "f", "int", "0.5"}, {"HINCRBYFLOAT", "f", "x", "1.7976931348623157e308"},
		{"HINCRBYFLOAT", "f", "x", "1e4000"}, {"HINCRBYFLOAT", "nokey3", "x", "abc"}, {"OBJECT", "ENCODING", "f"},
		{"HMGET", "f", "x", "y", "bad", "inf", "huge", "int"}, {"HLEN", "f"},
		// Wrong type: every command, the error before anything else.
		{"SET", "s", "str"}, {"HSET", "s", "a", "1"}, {"HGET", "s", "a"}, {"HMGET", "s", "a"}, {"HDEL", "s", "a"},
		{"HLEN", "s"}, {"HSTRLEN", "s", "a"}, {"HEXISTS", "s", "a"}, {"HKEYS", "s"}, {"HVALS", "s"}, {"HGETALL", "s"},
		{"HINCRBY", "s", "a", "1"}, {"HINCRBYFLOAT", "s", "a", "1"}, {"HSETNX", "s", "a", "1"}, {"HMSET", "s", "a", "1"},
		{"HRANDFIELD", "s"}, {"HRANDFIELD", "s", "1"}, {"HSCAN", "s", "0"}, {"HINCRBY", "s", "a", "x"},
		{"GET", "i"}, {"TYPE", "i"}, {"TYPE", "s"}, {"OBJECT", "ENCODING", "i"},
		// HRANDFIELD: arguments and the cases whose reply is certain.
		{"HRANDFIELD", "nokey"}, {"HRANDFIELD", "nokey", "5"}, {"HRANDFIELD", "nokey", "-5", "WITHVALUES"},
		{"HRANDFIELD", "i", "0"}, {"HRANDFIELD", "i", "0", "WITHVALUES"}, {"HRANDFIELD", "i", "x"},
		{"HRANDFIELD", "i", "1", "FOO"}, {"HRANDFIELD", "i", "1", "WITHVALUES", "x"}, {"HRANDFIELD", "nokey", "1", "FOO"},
		{"HRANDFIELD", "i", "-9223372036854775808"}, {"HRANDFIELD", "i", "9223372036854775807", "WITHVALUES"},
		{"HRANDFIELD", "i", "-4611686018427387904", "WITHVALUES"}, {"HRANDFIELD", "i", "4611686018427387903", "WITHVALUES"},
		{"HSET", "one", "f", "v"}, {"HRANDFIELD", "one"}, {"HRANDFIELD", "one", "3"}, {"HRANDFIELD", "one", "-3"},
		{"HRANDFIELD", "one", "-2", "WITHVALUES"}, {"HRANDFIELD", "one", "1", "withvalues"}, {"HRANDFIELD", "i", "100", "WITHVALUES"},
		{"HRANDFIELD", "i", "100"},
		// HSCAN: cursor, then key, then options.
		{"HSCAN", "i", "0"}, {"HSCAN", "i", "123"}, {"HSCAN", "i", "0", "MATCH", "*i*"}, {"HSCAN", "i", "0", "COUNT", "1"},
		{"HSCAN", "i", "0", "COUNT", "0"}, {"HSCAN", "i", "0", "COUNT", "x"}, {"HSCAN", "i", "0", "MATCH"},
		{"HSCAN", "i", "0", "TYPE", "hash"}, {"HSCAN", "i", "x"}, {"HSCAN", "i", "-1"}, {"HSCAN", "nokey", "0"},
		{"HSCAN", "nokey", "0", "FOO"}, {"HSCAN", "nokey", "x"}, {"HSCAN", "i", "0", "match", "[a-z]*", "count", "100"},
		{"HSCAN", "i", "18446744073709551616"},
		// Keyspace commands on hashes.
		{"HSET", "k1", "a", "1", "b", "2"}, {"RENAME", "k1", "k2"}, {"HGETALL", "k2"}, {"EXISTS", "k1"},
		{"COPY", "k2", "k3"}, {"HSET", "k3", "c", "3"}, {"HGETALL", "k2"}, {"HGETALL", "k3"}, {"TYPE", "k3"},
		{"EXPIRE", "k3", "100"}, {"TTL", "k3"}, {"HSET", "k3", "d", "4"}, {"TTL", "k3"},
		{"MOVE", "k3", "1"}, {"EXISTS", "k3"}, {"SELECT", "1"}, {"HGETALL", "k3"}, {"DEL", "k3"}, {"SELECT", "0"},
		{"DEL", "k2", "i"}, {"EXISTS", "k2", "i"},
		// Empty and odd fields and values.
		{"HSET", "e", "", ""}, {"HGET", "e", ""}, {"HSTRLEN", "e", ""}, {"HGETALL", "e"}, {"HDEL", "e", ""}, {"EXISTS", "e"},
		// Arity.
		{"HGET", "h"}, {"HLEN"}, {"HKEYS", "a", "b"}, {"HRANDFIELD"}, {"HSCAN", "h"}, {"HINCRBYFLOAT", "h", "f"},
	}
	// Conversion: by entries, at the default 512 and a configured one, and
	// by value length, at 64 and a configured one; never back.
	s = append(s, hsetMany("big", 0, 512, 5), []string{"OBJECT", "ENCODING", "big"}, []string{"HLEN", "big"},
		[]string{"HSET", "big", "f0", "changed"}, []string{"OBJECT", "ENCODING", "big"},
		[]string{"HSET", "big", "f512", "v"}, []string{"OBJECT", "ENCODING", "big"}, []string{"HLEN", "big"},
		[]string{"HGET", "big", "f0"}, []string{"HGET", "big", "f511"}, []string{"HGET", "big", "f512"},
		[]string{"HMGET", "big", "f1", "nope", "f300"}, []string{"HSTRLEN", "big", "f0"}, []string{"HEXISTS", "big", "f77"},
		[]string{"HINCRBY", "big", "f100", "1"}, []string{"HINCRBY", "big", "n", "1"}, []string{"HINCRBYFLOAT", "big", "n", "0.25"},
		[]string{"HINCRBYFLOAT", "big", "f0", "1"}, []string{"HSETNX", "big", "f1", "x"}, []string{"HSETNX", "big", "new", "x"},
		[]string{"HSTRLEN", "big", "new"})
	del := []string{"HDEL", "big"}
	for i := 0; i < 510; i++ {
		del = append(del, fmt.Sprint("f", i))
	}
	s = append(s, del, []string{"HLEN", "big"}, []string{"OBJECT", "ENCODING", "big"},
		[]string{"HMGET", "big", "n", "f510", "new", "f512", "f0"},
		[]string{"HDEL", "big", "f510", "f511", "f512", "n", "new"}, []string{"EXISTS", "big"},
		[]string{"HSET", "v", "f", strings.Repeat("a", 64)}, []string{"OBJECT", "ENCODING", "v"},
		[]string{"HSET", "v", "g", strings.Repeat("b", 65)}, []string{"OBJECT", "ENCODING", "v"},
		[]string{"HSET", "v2", strings.Repeat("k", 65), "x"}, []string{"OBJECT", "ENCODING", "v2"},
		[]string{"HSET", "v3", "f", "1"}, []string{"HINCRBYFLOAT", "v3", strings.Repeat("k", 65), "1"}, []string{"OBJECT", "ENCODING", "v3"},
		[]string{"HSETNX", "v4", "f", strings.Repeat("z", 65)}, []string{"OBJECT", "ENCODING", "v4"},
		[]string{"HGET", "v", "g"}, []string{"HSTRLEN", "v", "g"},
		[]string{"CONFIG", "SET", "hash-max-listpack-entries", "3"}, []string{"CONFIG", "SET", "hash-max-listpack-value", "4"},
		[]string{"HSET", "c3", "a", "1", "b", "2", "c", "3"}, []string{"OBJECT", "ENCODING", "c3"}, []string{"HGETALL", "c3"},
		[]string{"HSET", "c3", "d", "4"}, []string{"OBJECT", "ENCODING", "c3"},
		[]string{"HSET", "c4", "a", "12345"}, []string{"OBJECT", "ENCODING", "c4"},
		[]string{"HSET", "c5", "a", "1234"}, []string{"OBJECT", "ENCODING", "c5"},
		[]string{"HINCRBY", "c5", "a", "100000"}, []string{"OBJECT", "ENCODING", "c5"},
		[]string{"CONFIG", "SET", "hash-max-listpack-entries", "0"}, []string{"HSET", "c6", "a", "1"}, []string{"OBJECT", "ENCODING", "c6"},
		[]string{"HGETALL", "c6"}, []string{"HSCAN", "c6", "0"}, []string{"HRANDFIELD", "c6", "-2", "WITHVALUES"},
		[]string{"CONFIG", "SET", "hash-max-listpack-entries", "512"}, []string{"CONFIG", "SET", "hash-max-listpack-value", "64"},
		[]string{"FLUSHALL"})
	return s
}()

func TestHashesMatchRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			anax := servertest.Start(t, "--threads", threads)
			servertest.Dial(t, redisAddr).Do("FLUSHALL")
			servertest.Compare(t, anax, redisAddr, hashScript)
		})
	}
}

// hashScript3 is compared in RESP3: the reply shapes that differ there.
var hashScript3 = [][]string{
	{"HSET", "h", "a", "1", "b", "x"}, {"HGETALL", "h"}, {"HGETALL", "nokey"}, {"HKEYS", "h"}, {"HVALS", "nokey"},
	{"HGET", "nokey", "a"}, {"HGET", "h", "zz"}, {"HMGET", "h", "zz", "a"}, {"HRANDFIELD", "nokey"},
	{"HRANDFIELD", "nokey", "3", "WITHVALUES"}, {"HRANDFIELD", "h", "0", "WITHVALUES"},
	{"HSET", "one", "f", "v"}, {"HRANDFIELD", "one", "1", "WITHVALUES"}, {"HRANDFIELD", "one", "-2", "WITHVALUES"},
	{"HRANDFIELD", "one", "5", "WITHVALUES"}, {"HRANDFIELD", "one", "-2"}, {"HSCAN", "h", "0"}, {"HSCAN", "nokey", "0"},
	{"HINCRBYFLOAT", "h", "n", "1.5"}, {"FLUSHALL"},
}

func TestHashesMatchRedisRESP3(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	anax := servertest.Start(t)
	a, r := servertest.Dial(t, anax), servertest.Dial(t, redisAddr)
	a.Do("HELLO", "3")
	r.Do("HELLO", "3")
	r.Do("FLUSHALL")
	for _, cmd := range hashScript3 {
		if ga, gr := a.Do(cmd...), r.Do(cmd...); ga != gr {
			t.Errorf("%q:\n  anax:  %q\n  redis: %q", cmd, ga, gr)
		}
	}
}
