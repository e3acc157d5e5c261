package server_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/anaxdb/anax/internal/servertest"
)

// bitScript exercises the bitmap commands; every reply must be
// byte-identical to Redis's, errors and their order included. Keys without
// a hash tag land on different shards, so BITOP also runs across shards.
var bitScript = [][]string{
	// SETBIT and GETBIT.
	{"SETBIT", "b", "7", "1"}, {"SETBIT", "b", "7", "1"}, {"SETBIT", "b", "7", "0"}, {"SETBIT", "b", "100", "1"}, {"GET", "b"},
	{"GETBIT", "b", "100"}, {"GETBIT", "b", "101"}, {"GETBIT", "b", "100000"}, {"GETBIT", "nokey", "5"}, {"STRLEN", "b"},
	{"OBJECT", "ENCODING", "b"}, {"SETBIT", "b", "-1", "1"}, {"SETBIT", "b", "x", "1"}, {"SETBIT", "b", "1", "2"},
	{"SETBIT", "b", "1", "-1"}, {"SETBIT", "b", "1", "x"}, {"SETBIT", "b", "4294967295", "x"}, {"SETBIT", "b", "4294967296", "1"},
	{"SETBIT", "b", "1", ""}, {"SETBIT", "b", "+1", "1"}, {"SETBIT", "b", "01", "1"}, {"GETBIT", "b", "-1"}, {"GETBIT", "b", "4294967296"},
	{"GETBIT", "b", "x"}, {"SETBIT", "b", "0", "01"},
	{"SET", "n", "12345"}, {"GETBIT", "n", "2"}, {"GETBIT", "n", "3"}, {"SETBIT", "n", "3", "0"}, {"GET", "n"}, {"OBJECT", "ENCODING", "n"},
	{"SET", "e", "hello"}, {"OBJECT", "ENCODING", "e"}, {"SETBIT", "e", "0", "0"}, {"OBJECT", "ENCODING", "e"},
	{"LPUSH", "list", "a"}, {"SETBIT", "list", "1", "1"}, {"GETBIT", "list", "1"}, {"SETBIT", "list", "x", "1"}, {"GETBIT", "list", "x"},
	{"SETBIT", "fresh", "0", "0"}, {"GET", "fresh"}, {"SETBIT", "grow", "23", "0"}, {"GET", "grow"},
	// BITCOUNT.
	{"SET", "s", "foobar"}, {"BITCOUNT", "s"}, {"BITCOUNT", "s", "0", "0"}, {"BITCOUNT", "s", "1", "1"}, {"BITCOUNT", "s", "1", "1", "BYTE"},
	{"BITCOUNT", "s", "5", "30", "BIT"}, {"BITCOUNT", "s", "-1", "-1"}, {"BITCOUNT", "s", "-2", "-1", "bit"}, {"BITCOUNT", "s", "-5", "-10"},
	{"BITCOUNT", "s", "0"}, {"BITCOUNT", "s", "0", "1", "2"}, {"BITCOUNT", "s", "0", "1", "x"},
	{"BITCOUNT", "s", "x", "1"}, {"BITCOUNT", "s", "1", "x"}, {"BITCOUNT", "s", "100", "200"}, {"BITCOUNT", "s", "-100", "200"},
	{"BITCOUNT", "s", "0", "-100"}, {"BITCOUNT", "s", "3", "1"}, {"BITCOUNT", "s", "0", "47", "BIT"}, {"BITCOUNT", "s", "1", "46", "BIT"},
	{"BITCOUNT", "s", "9", "9", "BIT"}, {"BITCOUNT", "s", "9", "14", "BIT"}, {"BITCOUNT", "s", "-9223372036854775808", "9223372036854775807"},
	{"BITCOUNT", "s", "-9223372036854775808", "9223372036854775807", "BIT"}, {"BITCOUNT", "nokey"},
	{"BITCOUNT", "list"}, {"BITCOUNT", "n"}, {"SET", "empty", ""}, {"BITCOUNT", "empty"}, {"BITCOUNT", "empty", "0", "-1"},
	{"BITCOUNT", "empty", "0", "-1", "BIT"},
	// BITPOS.
	{"SET", "p", "\xff\xf0\x00"}, {"BITPOS", "p", "0"}, {"BITPOS", "p", "1"}, {"BITPOS", "p", "1", "1"}, {"BITPOS", "p", "0", "1", "1"},
	{"BITPOS", "p", "0", "0", "0"}, {"BITPOS", "p", "1", "2"}, {"BITPOS", "p", "1", "2", "-1"}, {"BITPOS", "p", "0", "2", "-1"},
	{"BITPOS", "p", "1", "7", "15", "BIT"}, {"BITPOS", "p", "0", "7", "15", "BIT"}, {"BITPOS", "p", "0", "0", "7", "BIT"},
	{"BITPOS", "p", "0", "0", "11", "bit"}, {"BITPOS", "p", "0", "0", "12", "bit"}, {"BITPOS", "p", "1", "12", "-1", "bit"},
	{"BITPOS", "p", "1", "-3", "-1", "bit"}, {"BITPOS", "p", "0", "3", "5", "BIT"}, {"BITPOS", "p", "1", "3", "5", "BIT"},
	{"BITPOS", "p", "0", "9", "BIT"}, {"BITPOS", "p", "0", "9", "x"}, {"BITPOS", "p", "0", "x"}, {"BITPOS", "p", "0", "0", "x"},
	{"BITPOS", "p", "0", "x", "1", "BIT"}, {"BITPOS", "p", "0", "0", "x", "FOO"}, {"BITPOS", "p", "0", "0", "1", "FOO"},
	{"BITPOS", "p", "2"}, {"BITPOS", "p", "x"}, {"BITPOS", "p", "1", "0", "1", "BIT", "x"}, {"BITPOS", "nokey", "1"}, {"BITPOS", "nokey", "0"},
	{"BITPOS", "nokey", "2"}, {"BITPOS", "list", "1"}, {"BITPOS", "empty", "0"}, {"BITPOS", "empty", "1"},
	{"SET", "ones", "\xff\xff"}, {"BITPOS", "ones", "0"}, {"BITPOS", "ones", "0", "0"}, {"BITPOS", "ones", "0", "0", "-1"},
	{"BITPOS", "ones", "0", "0", "-1", "BIT"}, {"BITPOS", "ones", "0", "3", "BIT"}, {"SET", "zeros", "\x00\x00\x00"}, {"BITPOS", "zeros", "1"},
	{"BITPOS", "zeros", "0", "5", "BIT"}, {"BITPOS", "zeros", "1", "5", "20", "BIT"}, {"BITPOS", "s", "1", "-9223372036854775808", "9223372036854775807", "BIT"},
	// BITOP, destination and sources on one shard and on several.
	{"SET", "{k}a", "foobar"}, {"SET", "{k}b", "abcdef"}, {"SET", "{k}c", "x"},
	{"BITOP", "AND", "{k}d", "{k}a", "{k}b"}, {"GET", "{k}d"}, {"BITOP", "or", "{k}d", "{k}a", "{k}c"}, {"GET", "{k}d"},
	{"BITOP", "XOR", "{k}d", "{k}a", "{k}b", "{k}c"}, {"GET", "{k}d"}, {"BITOP", "NOT", "{k}d", "{k}a"}, {"GET", "{k}d"},
	{"BITOP", "AND", "{k}d", "{k}c", "{k}a"}, {"GET", "{k}d"}, {"BITOP", "AND", "{k}d", "{k}nokey", "{k}a"}, {"GET", "{k}d"},
	{"BITOP", "AND", "{k}d", "{k}nokey"}, {"EXISTS", "{k}d"}, {"BITOP", "AND", "{k}d", "{k}nokey"},
	{"BITOP", "NOT", "{k}d", "{k}a", "{k}b"}, {"BITOP", "NAND", "{k}d", "{k}a"}, {"BITOP", "AND", "{k}d"},
	{"LPUSH", "{k}l", "x"}, {"BITOP", "AND", "{k}d", "{k}a", "{k}l"}, {"BITOP", "AND", "{k}l", "{k}a"}, {"TYPE", "{k}l"},
	{"SET", "{k}d", "old"}, {"EXPIRE", "{k}d", "100"}, {"BITOP", "OR", "{k}d", "{k}a"}, {"TTL", "{k}d"}, {"OBJECT", "ENCODING", "{k}d"},
	// A destination that is also a later source; one of another type, with a TTL, with a big cell.
	{"BITOP", "XOR", "{k}c2", "{k}a", "{k}c"}, {"BITOP", "AND", "{k}c2", "{k}a", "{k}b", "{k}c2"}, {"GET", "{k}c2"},
	{"HSET", "{k}h", "f", "v"}, {"EXPIRE", "{k}h", "100"}, {"BITOP", "OR", "{k}h", "{k}a", "{k}b"}, {"TYPE", "{k}h"}, {"TTL", "{k}h"}, {"GET", "{k}h"},
	{"SETRANGE", "{k}big", "5000", "x"}, {"BITOP", "NOT", "{k}big", "{k}a"}, {"GET", "{k}big"}, {"STRLEN", "{k}big"},
	{"BITOP", "AND", "x1", "a", "b", "s", "p"}, {"GET", "x1"}, {"BITOP", "OR", "x2", "s", "p", "ones"}, {"GET", "x2"},
	{"BITOP", "XOR", "x3", "s", "p", "zeros", "nokey"}, {"GET", "x3"}, {"BITOP", "NOT", "x4", "p"}, {"GET", "x4"},
	{"BITOP", "NOT", "s", "s"}, {"GET", "s"}, {"BITOP", "AND", "x4", "nokey", "nokey2"}, {"EXISTS", "x4"},
	{"BITOP", "AND", "x5", "s", "list"}, {"BITOP", "NAND", "x5", "s", "p"}, {"BITOP", "NOT", "x5", "s", "p"},
	// BITFIELD and BITFIELD_RO.
	{"BITFIELD", "bf", "SET", "i8", "0", "100", "GET", "u4", "0", "INCRBY", "i5", "100", "1", "GET", "u4", "0"}, {"GET", "bf"},
	{"BITFIELD", "bf", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "INCRBY", "u2", "102", "1"},
	{"BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u2", "102", "1", "INCRBY", "i8", "#1", "-300"},
	{"BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", "#1", "-300", "INCRBY", "i8", "#1", "1000", "SET", "u8", "#3", "300", "SET", "i8", "#4", "-129"},
	{"BITFIELD", "bf", "OVERFLOW", "WRAP", "SET", "u8", "#3", "300", "SET", "i8", "#4", "-129", "INCRBY", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "9"},
	{"BITFIELD", "bf", "SET", "u63", "0", "9223372036854775807", "INCRBY", "u63", "0", "1", "OVERFLOW", "SAT", "INCRBY", "u63", "0", "-5", "GET", "i64", "0"},
	{"BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0", "-1", "INCRBY", "i64", "0", "-9223372036854775808"},
	{"BITFIELD", "bf", "GET", "i64", "3", "GET", "u63", "5", "GET", "i1", "0", "GET", "u1", "1"}, {"GET", "bf"},
	{"BITFIELD", "bf", "GET", "u64", "0"}, {"BITFIELD", "bf", "GET", "i65", "0"}, {"BITFIELD", "bf", "GET", "i0", "0"}, {"BITFIELD", "bf", "GET", "x8", "0"},
	{"BITFIELD", "bf", "GET", "i", "0"}, {"BITFIELD", "bf", "GET", "i8", "-1"}, {"BITFIELD", "bf", "GET", "i8", "#-1"}, {"BITFIELD", "bf", "GET", "i8", "#x"},
	{"BITFIELD", "bf", "GET", "i8", "x"}, {"BITFIELD", "bf", "GET", "i8", "4294967296"}, {"BITFIELD", "bf", "GET", "i8", "#536870912"},
	{"BITFIELD", "bf", "GET", "i8", "#1152921504606846976"}, {"BITFIELD", "bf", "SET", "i8", "0", "x"}, {"BITFIELD", "bf", "SET", "i8", "0"},
	{"BITFIELD", "bf", "GET", "i8"}, {"BITFIELD", "bf", "FOO", "i8", "0"}, {"BITFIELD", "bf", "OVERFLOW", "BAD", "GET", "i8", "0"},
	{"BITFIELD", "bf", "OVERFLOW"}, {"BITFIELD", "bf"}, {"BITFIELD", "nokey"}, {"BITFIELD", "nokey", "GET", "u8", "100"}, {"EXISTS", "nokey"},
	{"BITFIELD", "bf", "GET", "i8", "0", "SET", "i8", "x", "1"}, {"BITFIELD", "list", "GET", "i8", "0"}, {"BITFIELD", "list", "SET", "i8", "0", "1"},
	{"BITFIELD", "list", "SET", "i8", "x", "1"}, {"BITFIELD", "bfnew", "OVERFLOW", "FAIL", "SET", "u2", "#10", "7"}, {"GET", "bfnew"},
	{"BITFIELD", "bfnew", "SET", "u8", "#3", "65", "GET", "u8", "#3", "INCRBY", "u8", "#3", "1"}, {"GET", "bfnew"},
	{"BITFIELD_RO", "bf", "GET", "i8", "0", "GET", "u16", "#1"}, {"BITFIELD_RO", "bf", "SET", "i8", "0", "1"},
	{"BITFIELD_RO", "bf", "INCRBY", "i8", "0", "1"}, {"BITFIELD_RO", "bf", "OVERFLOW", "SAT"}, {"BITFIELD_RO", "bf"},
	{"BITFIELD_RO", "nokey", "GET", "u8", "0"}, {"BITFIELD_RO", "list", "GET", "u8", "0"}, {"BITFIELD_RO", "list", "SET", "u8", "0", "1"},
	{"BITFIELD", "n", "GET", "u8", "0", "SET", "u8", "0", "50"}, {"GET", "n"},
	// Arity.
	{"SETBIT", "b", "1"}, {"GETBIT", "b"}, {"BITCOUNT"}, {"BITPOS", "b"}, {"BITOP", "AND", "d"}, {"BITFIELD"}, {"BITFIELD_RO"},
}

// pfScript exercises the HyperLogLog commands: the bytes (GET) after each
// step must be Redis's, sparse and dense.
var pfScript = [][]string{
	{"PFADD", "h"}, {"GET", "h"}, {"PFADD", "h"}, {"PFCOUNT", "h"}, {"GET", "h"}, {"OBJECT", "ENCODING", "h"},
	{"PFADD", "h", "a", "b", "c"}, {"GET", "h"}, {"PFADD", "h", "a"}, {"PFCOUNT", "h"}, {"GET", "h"}, {"PFDEBUG", "ENCODING", "h"},
	{"PFDEBUG", "DECODE", "h"}, {"PFADD", "h2", "x", "y", "a"}, {"PFCOUNT", "h", "h2"}, {"PFCOUNT", "h", "h2", "nokey"},
	{"PFMERGE", "h3", "h", "h2"}, {"GET", "h3"}, {"PFCOUNT", "h3"}, {"GET", "h3"}, {"PFMERGE", "h3"}, {"GET", "h3"}, {"PFMERGE", "h4"}, {"GET", "h4"},
	{"PFMERGE", "h5", "nokey"}, {"GET", "h5"}, {"PFMERGE", "{h}x", "h"}, {"GET", "{h}x"}, {"PFCOUNT", "h", "{h}x"},
	{"PFDEBUG", "TODENSE", "h2"}, {"PFDEBUG", "TODENSE", "h2"}, {"PFDEBUG", "ENCODING", "h2"}, {"PFDEBUG", "DECODE", "h2"}, {"GET", "h2"},
	{"PFCOUNT", "h2"}, {"PFADD", "h2", "z"}, {"PFCOUNT", "h2"}, {"PFADD", "h2", "z"}, {"PFMERGE", "h6", "h", "h2"}, {"GET", "h6"},
	{"PFDEBUG", "ENCODING", "h6"}, {"PFDEBUG", "GETREG", "h"}, {"PFDEBUG", "ENCODING", "h"}, {"GET", "h"},
	{"PFDEBUG", "GETREG", "nokey"}, {"PFDEBUG", "FOO", "h"}, {"PFDEBUG", "FOO", "nokey"}, {"PFDEBUG", "GETREG", "h", "x"},
	{"PFDEBUG", "encoding", "h", "x"}, {"PFDEBUG", "FOO", "h", "x"},
	// Not HLLs.
	{"SET", "str", "hello"}, {"PFADD", "str", "a"}, {"PFCOUNT", "str"}, {"PFCOUNT", "h", "str"}, {"PFMERGE", "h", "str"},
	{"PFMERGE", "str", "h"}, {"PFDEBUG", "ENCODING", "str"}, {"LPUSH", "plist", "a"}, {"PFADD", "plist", "a"}, {"PFCOUNT", "plist"},
	{"PFCOUNT", "h", "plist"}, {"PFCOUNT", "plist", "str"}, {"PFCOUNT", "str", "plist"}, {"PFMERGE", "plist", "h"}, {"PFMERGE", "h", "plist"},
	{"PFDEBUG", "ENCODING", "plist"}, {"SET", "int", "123"}, {"PFADD", "int"}, {"PFCOUNT", "int"},
	// Hostile HLLs: bad headers, and sparse encodings that do not add up.
	{"SET", "bad1", "HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"}, {"PFADD", "bad1", "a"}, {"PFCOUNT", "bad1"},
	{"SET", "bad2", "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"}, {"PFADD", "bad2", "a"}, {"PFCOUNT", "bad2"},
	{"SET", "bad3", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"}, {"PFADD", "bad3", "a"}, {"PFCOUNT", "bad3"}, {"PFMERGE", "m", "bad3"},
	{"PFCOUNT", "bad3", "h"}, {"PFDEBUG", "GETREG", "bad3"}, {"PFDEBUG", "TODENSE", "bad3"}, {"PFDEBUG", "DECODE", "bad3"}, {"GET", "bad3"},
	{"SET", "bad4", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\x7f\xff"}, {"PFADD", "bad4", "a", "b"}, {"GET", "bad4"},
	{"PFCOUNT", "bad4"}, {"PFCOUNT", "bad4", "h"}, {"PFMERGE", "m", "h", "bad4"}, {"EXISTS", "m"},
	{"SET", "bad5", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe\xff"}, {"PFADD", "bad5", "a", "b", "c", "d"}, {"GET", "bad5"},
	{"PFCOUNT", "bad5"}, {"PFDEBUG", "TODENSE", "bad5"},
	{"SET", "bad6", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x40"}, {"PFADD", "bad6", "a"}, {"GET", "bad6"}, {"PFCOUNT", "bad6"},
	{"SET", "bad7", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x3f\x3f"}, {"PFADD", "bad7", "a", "b"}, {"GET", "bad7"}, {"PFCOUNT", "bad7"},
	{"SET", "bad8", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"}, {"PFCOUNT", "bad8"}, {"APPEND", "bad8", "\x01"},
	{"PFCOUNT", "bad8"}, {"SET", "bad9", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff\xff"}, {"PFADD", "bad9", "q"}, {"PFCOUNT", "bad9"},
	{"SET", "short", "HYLL"}, {"PFADD", "short", "a"}, {"PFCOUNT", "short"}, {"SET", "magic", "HYLX\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff"},
	{"PFCOUNT", "magic"},
	// Arity.
	{"PFADD"}, {"PFCOUNT"}, {"PFMERGE"}, {"PFDEBUG", "GETREG"}, {"PFSELFTEST", "x"},
}

// TestBitArgumentsCheckedFirst checks Redis 7.4's order in BITCOUNT and
// BITPOS: the arguments are checked before the key is looked up, so a
// missing key or one of the wrong type with bad arguments gets the
// argument's error (7.0, the diff tests' oracle, answered 0 or WRONGTYPE).
func TestBitArgumentsCheckedFirst(t *testing.T) {
	c := servertest.Dial(t, servertest.Start(t, "--threads", "2"))
	c.Do("SET", "s", "foobar")
	c.Do("RPUSH", "list", "a")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"BITCOUNT", "nokey", "x"}, "-ERR syntax error\r\n"},
		{[]string{"BITCOUNT", "list", "x"}, "-ERR syntax error\r\n"},
		{[]string{"BITCOUNT", "nokey", "a", "b"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"BITCOUNT", "list", "0", "b"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"BITCOUNT", "s", "-5", "-10", "x"}, "-ERR syntax error\r\n"},
		{[]string{"BITCOUNT", "nokey", "0", "1", "x"}, "-ERR syntax error\r\n"},
		{[]string{"BITCOUNT", "list", "0", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"BITCOUNT", "nokey", "0", "1", "bit"}, ":0\r\n"},
		{[]string{"BITCOUNT", "s", "-5", "-10", "bit"}, ":0\r\n"},
		{[]string{"BITPOS", "nokey", "0", "x", "y", "z", "w"}, "-ERR syntax error\r\n"},
		{[]string{"BITPOS", "nokey", "1", "a"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"BITPOS", "nokey", "1", "0", "a"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"BITPOS", "nokey", "1", "0", "1", "x"}, "-ERR syntax error\r\n"},
		{[]string{"BITPOS", "list", "1", "0", "1", "x"}, "-ERR syntax error\r\n"},
		{[]string{"BITPOS", "list", "1", "0", "1", "bit"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{[]string{"BITPOS", "nokey", "0", "0", "1", "bit"}, ":0\r\n"},
		{[]string{"BITPOS", "nokey", "1", "5"}, ":-1\r\n"},
		{[]string{"BITPOS", "s", "1", "2", "-1", "byte"}, ":17\r\n"},
	} {
		if got := c.Do(tc.args...); got != tc.want {
			t.Errorf("%q = %q, want %q", tc.args, got, tc.want)
		}
	}
}

func TestBitmapsMatchRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			anax := servertest.Start(t, "--threads", threads)
			servertest.Dial(t, redisAddr).Do("FLUSHALL")
			servertest.Compare(t, anax, redisAddr, bitScript)
			servertest.Dial(t, redisAddr).Do("FLUSHALL")
			servertest.Compare(t, anax, redisAddr, pfScript)
		})
	}
}

// TestRandomBitCommandsMatchRedis sends a seeded random stream of
// SETBIT, BITFIELD, BITOP, BITPOS, BITCOUNT, PFADD, PFMERGE and PFCOUNT to
// Anax and redis-server, over keys on one shard and on several, and
// compares every reply and, now and then, the bytes of every key.
func TestRandomBitCommandsMatchRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			anaxAddr := servertest.Start(t, "--threads", threads)
			a, r := servertest.Dial(t, anaxAddr), servertest.Dial(t, redisAddr)
			r.Do("FLUSHALL")
			for _, c := range []*servertest.Raw{a, r} {
				c.Do("CONFIG", "SET", "hll-sparse-max-bytes", "600")
			}
			defer r.Do("CONFIG", "SET", "hll-sparse-max-bytes", "3000")
			rng := rand.New(rand.NewSource(19))
			bkeys := []string{"b1", "b2", "{b1}x", "b3"}
			hkeys := []string{"h1", "h2", "{h1}x", "h3"}
			bkey := func() string { return bkeys[rng.Intn(len(bkeys))] }
			hkey := func() string { return hkeys[rng.Intn(len(hkeys))] }
			num := func(n int) string { return fmt.Sprint(rng.Intn(n) - n/4) }
			typ := func() string {
				if rng.Intn(2) == 0 {
					return fmt.Sprint("i", 1+rng.Intn(64))
				}
				return fmt.Sprint("u", 1+rng.Intn(63))
			}
			off := func() string {
				if rng.Intn(3) == 0 {
					return fmt.Sprint("#", rng.Intn(20))
				}
				return fmt.Sprint(rng.Intn(400))
			}
			big := func() string {
				switch rng.Intn(4) {
				case 0:
					return fmt.Sprint(rng.Int63())
				case 1:
					return fmt.Sprint(-rng.Int63())
				}
				return fmt.Sprint(rng.Intn(2000) - 1000)
			}
			compare := func(cmd []string) {
				if ga, gr := a.Do(cmd...), r.Do(cmd...); ga != gr {
					t.Fatalf("%q:\n  anax:  %q\n  redis: %q", cmd, ga, gr)
				}
			}
			for i := 0; i < 3000; i++ {
				var cmd []string
				switch rng.Intn(10) {
				case 0:
					cmd = []string{"SETBIT", bkey(), fmt.Sprint(rng.Intn(600)), fmt.Sprint(rng.Intn(2))}
				case 1:
					cmd = []string{"BITFIELD", bkey()}
					for n := 1 + rng.Intn(4); n > 0; n-- {
						switch rng.Intn(4) {
						case 0:
							cmd = append(cmd, "GET", typ(), off())
						case 1:
							cmd = append(cmd, "SET", typ(), off(), big())
						case 2:
							cmd = append(cmd, "INCRBY", typ(), off(), big())
						default:
							cmd = append(cmd, "OVERFLOW", []string{"WRAP", "SAT", "FAIL"}[rng.Intn(3)])
						}
					}
				case 2:
					op := []string{"AND", "OR", "XOR", "NOT"}[rng.Intn(4)]
					cmd = []string{"BITOP", op, bkey(), bkey()}
					if op != "NOT" {
						for n := rng.Intn(3); n > 0; n-- {
							cmd = append(cmd, bkey())
						}
					}
				case 3:
					cmd = []string{"BITPOS", bkey(), fmt.Sprint(rng.Intn(2))}
					if n := rng.Intn(4); n > 0 {
						cmd = append(cmd, num(100))
						if n > 1 {
							cmd = append(cmd, num(100))
						}
						if n > 2 {
							cmd = append(cmd, []string{"BIT", "BYTE"}[rng.Intn(2)])
						}
					}
				case 4:
					cmd = []string{"BITCOUNT", bkey()}
					if rng.Intn(2) == 0 {
						cmd = append(cmd, num(100), num(100))
						if rng.Intn(2) == 0 {
							cmd = append(cmd, []string{"BIT", "BYTE"}[rng.Intn(2)])
						}
					}
				case 5, 6:
					cmd = []string{"PFADD", hkey()}
					for n := rng.Intn(30); n > 0; n-- {
						cmd = append(cmd, fmt.Sprint(rng.Intn(3000)))
					}
				case 7:
					cmd = []string{"PFMERGE", hkey()}
					for n := rng.Intn(3); n > 0; n-- {
						cmd = append(cmd, hkey())
					}
				case 8:
					cmd = []string{"PFCOUNT", hkey()}
					for n := rng.Intn(3); n > 0; n-- {
						cmd = append(cmd, hkey())
					}
				case 9:
					cmd = []string{"GETBIT", bkey(), fmt.Sprint(rng.Intn(700))}
				}
				compare(cmd)
				if i%100 == 99 {
					for _, k := range append(append([]string{}, bkeys...), hkeys...) {
						compare([]string{"GET", k})
					}
				}
			}
			for _, k := range hkeys {
				compare([]string{"PFDEBUG", "ENCODING", k})
				compare([]string{"GET", k})
			}
		})
	}
}

// TestPFSelfTest runs PFSELFTEST (ten million adds) once.
func TestPFSelfTest(t *testing.T) {
	if testing.Short() {
		t.Skip("ten million adds")
	}
	a := servertest.Dial(t, servertest.Start(t))
	if got := a.DoSlow("PFSELFTEST"); !strings.HasPrefix(got, "+OK") {
		t.Fatalf("PFSELFTEST: %q", got)
	}
}

// TestBitWritesTouchWatchers: a SETBIT, a BITFIELD write, a PFADD that
// changes a register, a PFCOUNT that refreshes the cached estimate and a
// BITOP to a destination on another shard fail a WATCHing transaction;
// a PFADD that changes nothing, a SETBIT that sets a bit already set and
// a PFCOUNT with a valid cache do not, as in Redis. The replies, RESP3's
// nulls included, match redis-server's.
func TestBitWritesTouchWatchers(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			anaxAddr := servertest.Start(t, "--threads", threads)
			servertest.Dial(t, redisAddr).Do("FLUSHALL")
			a1, a2 := servertest.Dial(t, anaxAddr), servertest.Dial(t, anaxAddr)
			r1, r2 := servertest.Dial(t, redisAddr), servertest.Dial(t, redisAddr)
			for _, c := range []*servertest.Raw{a1, r1} {
				c.Do("HELLO", "3")
			}
			both := func(c1, c2 *servertest.Raw, cmd ...string) {
				t.Helper()
				if ga, gr := c1.Do(cmd...), c2.Do(cmd...); ga != gr {
					t.Fatalf("%q:\n  anax:  %q\n  redis: %q", cmd, ga, gr)
				}
			}
			setup := [][]string{{"SETBIT", "b", "3", "1"}, {"PFADD", "h", "a", "b"}, {"SET", "src", "abc"}}
			for _, cmd := range setup {
				both(a1, r1, cmd...)
			}
			for _, write := range [][]string{
				{"SETBIT", "b", "3", "1"}, {"SETBIT", "b", "4", "1"}, {"BITFIELD", "b", "SET", "u8", "0", "7"},
				{"BITFIELD", "b", "GET", "u8", "0"}, {"PFADD", "h", "a"}, {"PFADD", "h", "c"}, {"PFCOUNT", "h"},
				{"PFCOUNT", "h"}, {"BITOP", "NOT", "b", "src"}, {"PFMERGE", "h", "h"},
			} {
				both(a1, r1, "WATCH", "b", "h")
				both(a2, r2, write...)
				both(a1, r1, "MULTI")
				both(a1, r1, "GET", "b")
				both(a1, r1, "EXEC")
			}
			both(a1, r1, "BITFIELD", "b", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "9", "GET", "u8", "0")
			both(a1, r1, "MULTI")
			both(a1, r1, "PFCOUNT", "h", "src2")
			both(a1, r1, "PFMERGE", "m", "h", "src2")
			both(a1, r1, "BITOP", "OR", "d", "src", "b")
			both(a1, r1, "EXEC")
			both(a1, r1, "GET", "h")
			both(a1, r1, "GET", "d")
		})
	}
}

// TestHLLRestoredFromRedis: an HLL that redis-server built, dumped and
// restored into Anax counts and grows as it does in Redis.
func TestHLLRestoredFromRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	a, r := servertest.Dial(t, servertest.Start(t)), servertest.Dial(t, redisAddr)
	r.Do("FLUSHALL")
	for i, n := range []int{5, 300, 3000} {
		key := fmt.Sprint("hll", i)
		args := []string{"PFADD", key}
		for j := 0; j < n; j++ {
			args = append(args, fmt.Sprint("el", j))
		}
		r.Do(args...)
		dump := r.Do("DUMP", key)
		payload := dump[strings.Index(dump, "\r\n")+2 : len(dump)-2]
		if got := a.Do("RESTORE", key, "0", payload); got != "+OK\r\n" {
			t.Fatalf("RESTORE: %q", got)
		}
		for _, cmd := range [][]string{{"PFCOUNT", key}, {"GET", key}, {"PFADD", key, "new", "newer"}, {"GET", key},
			{"PFCOUNT", key}, {"PFDEBUG", "ENCODING", key}} {
			if ga, gr := a.Do(cmd...), r.Do(cmd...); ga != gr {
				t.Errorf("%q:\n  anax:  %q\n  redis: %q", cmd, ga, gr)
			}
		}
	}
}
