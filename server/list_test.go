package server_test

import (
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/anaxdb/anax/internal/servertest"
)

// listScript exercises every list command, option and error; every reply
// must be byte-identical to redis-server's. It runs in RESP2 and RESP3
// (the nil forms differ) and with small and big lists.
var listScript = [][]string{
	{"FLUSHALL"},
	// Pushes and lengths, wrong arity, wrong types.
	{"LPUSH", "l", "a"}, {"LPUSH", "l", "b", "c"}, {"RPUSH", "l", "1", "-2", "9223372036854775807", "x"},
	{"LRANGE", "l", "0", "-1"}, {"LLEN", "l"}, {"LLEN", "none"}, {"LPUSH", "l"}, {"RPUSH"},
	{"LPUSHX", "none", "a"}, {"RPUSHX", "none", "a", "b"}, {"EXISTS", "none"}, {"LPUSHX", "l", "p"}, {"RPUSHX", "l", "q", "r"},
	{"SET", "s", "str"}, {"LPUSH", "s", "a"}, {"RPUSH", "s", "a"}, {"LPUSHX", "s", "a"}, {"LLEN", "s"}, {"LRANGE", "s", "0", "1"},
	{"LINDEX", "s", "0"}, {"LPOP", "s"}, {"RPOP", "s", "2"}, {"LSET", "s", "0", "x"}, {"LINSERT", "s", "BEFORE", "a", "b"},
	{"LREM", "s", "0", "a"}, {"LTRIM", "s", "0", "1"}, {"LPOS", "s", "a"}, {"TYPE", "l"}, {"OBJECT", "ENCODING", "s"},
	// LRANGE: negative, out of range, reversed, not integers.
	{"LRANGE", "l", "-3", "-1"}, {"LRANGE", "l", "-100", "100"}, {"LRANGE", "l", "5", "2"}, {"LRANGE", "l", "100", "200"},
	{"LRANGE", "l", "0", "0"}, {"LRANGE", "l", "-1", "-100"}, {"LRANGE", "l", "a", "1"}, {"LRANGE", "l", "0", "b"},
	{"LRANGE", "none", "0", "-1"}, {"LRANGE", "none", "x", "1"}, {"LRANGE", "l", "0"},
	// LINDEX.
	{"LINDEX", "l", "0"}, {"LINDEX", "l", "-1"}, {"LINDEX", "l", "3"}, {"LINDEX", "l", "100"}, {"LINDEX", "l", "-100"},
	{"LINDEX", "l", "x"}, {"LINDEX", "none", "x"}, {"LINDEX", "none", "0"}, {"LINDEX", "l", "4"}, {"LINDEX", "l", "5"},
	// LSET.
	{"LSET", "l", "0", "first"}, {"LSET", "l", "-1", "123"}, {"LSET", "l", "100", "v"}, {"LSET", "l", "x", "v"},
	{"LSET", "none", "0", "v"}, {"LSET", "none", "x", "v"}, {"LRANGE", "l", "0", "-1"},
	// LINSERT.
	{"LINSERT", "l", "BEFORE", "first", "b0"}, {"LINSERT", "l", "after", "123", "a0"}, {"LINSERT", "l", "AFTER", "nope", "z"},
	{"LINSERT", "l", "middle", "first", "z"}, {"LINSERT", "none", "BEFORE", "a", "b"}, {"LINSERT", "none", "x", "a", "b"},
	{"LINSERT", "l", "before", "1", "int"}, {"LINSERT", "l", "before", "01", "z"}, {"LRANGE", "l", "0", "-1"},
	// LPOP / RPOP with and without count.
	{"LPOP", "l"}, {"RPOP", "l"}, {"LPOP", "l", "2"}, {"RPOP", "l", "0"}, {"LPOP", "l", "-1"}, {"LPOP", "l", "x"},
	{"LPOP", "l", "1", "2"}, {"LPOP", "none"}, {"LPOP", "none", "2"}, {"RPOP", "none", "0"}, {"RPOP", "none", "-1"},
	{"RPOP", "l", "3"}, {"RPOP", "l", "100"}, {"EXISTS", "l"}, {"LPOP", "l"}, {"LPOP"},
	// LREM.
	{"RPUSH", "r", "a", "b", "a", "c", "a", "1", "01", "1"}, {"LREM", "r", "1", "a"}, {"LREM", "r", "-1", "a"},
	{"LREM", "r", "0", "1"}, {"LREM", "r", "0", "nope"}, {"LREM", "r", "x", "a"}, {"LREM", "none", "0", "a"},
	{"LRANGE", "r", "0", "-1"}, {"LREM", "r", "-5", "a"}, {"LREM", "r", "0", "b"}, {"LREM", "r", "0", "c"}, {"LREM", "r", "0", "01"},
	{"EXISTS", "r"},
	// LTRIM.
	{"RPUSH", "t", "0", "1", "2", "3", "4", "5", "6"}, {"LTRIM", "t", "1", "-2"}, {"LRANGE", "t", "0", "-1"},
	{"LTRIM", "t", "-2", "100"}, {"LRANGE", "t", "0", "-1"}, {"LTRIM", "t", "x", "1"}, {"LTRIM", "none", "0", "1"},
	{"LTRIM", "t", "5", "1"}, {"EXISTS", "t"}, {"RPUSH", "t", "a", "b"}, {"LTRIM", "t", "-100", "-50"}, {"EXISTS", "t"},
	// LPOS.
	{"RPUSH", "p", "a", "b", "c", "1", "2", "3", "c", "c", "a"}, {"LPOS", "p", "c"}, {"LPOS", "p", "c", "RANK", "2"},
	{"LPOS", "p", "c", "RANK", "-1"}, {"LPOS", "p", "c", "RANK", "-2"}, {"LPOS", "p", "c", "COUNT", "0"},
	{"LPOS", "p", "c", "COUNT", "2"}, {"LPOS", "p", "c", "RANK", "-1", "COUNT", "2"}, {"LPOS", "p", "c", "RANK", "2", "COUNT", "0"},
	{"LPOS", "p", "c", "MAXLEN", "3"}, {"LPOS", "p", "c", "MAXLEN", "2"}, {"LPOS", "p", "c", "COUNT", "0", "MAXLEN", "7"},
	{"LPOS", "p", "nope"}, {"LPOS", "p", "nope", "COUNT", "1"}, {"LPOS", "p", "2"}, {"LPOS", "p", "c", "RANK", "10"},
	{"LPOS", "p", "c", "RANK", "0"}, {"LPOS", "p", "c", "RANK", "x"}, {"LPOS", "p", "c", "RANK", "-9223372036854775807"}, {"LPOS", "p", "c", "COUNT", "-1"}, {"LPOS", "p", "c", "COUNT", "x"},
	{"LPOS", "p", "c", "MAXLEN", "-1"}, {"LPOS", "p", "c", "MAXLEN", "x"}, {"LPOS", "p", "c", "FOO"}, {"LPOS", "p", "c", "RANK"},
	{"LPOS", "none", "c"}, {"LPOS", "none", "c", "COUNT", "1"}, {"LPOS", "none", "c", "RANK", "0"}, {"LPOS", "p"},
	// LMOVE and RPOPLPUSH on one list and two.
	{"RPUSH", "m", "1", "2", "3"}, {"LMOVE", "m", "m", "LEFT", "RIGHT"}, {"LRANGE", "m", "0", "-1"},
	{"RPOPLPUSH", "m", "m"}, {"LRANGE", "m", "0", "-1"}, {"LMOVE", "m", "n", "RIGHT", "LEFT"}, {"LMOVE", "m", "n", "left", "right"},
	{"LRANGE", "n", "0", "-1"}, {"RPOPLPUSH", "m", "n"}, {"EXISTS", "m"}, {"RPOPLPUSH", "m", "n"}, {"LMOVE", "m", "n", "LEFT", "LEFT"},
	{"LMOVE", "n", "n", "UP", "LEFT"}, {"LMOVE", "n", "n", "LEFT", "DOWN"}, {"LMOVE", "none", "s", "UP", "LEFT"},
	{"LMOVE", "n", "s", "LEFT", "LEFT"}, {"RPOPLPUSH", "s", "n"}, {"RPOPLPUSH", "none", "s"}, {"RPOPLPUSH", "n", "s"},
	{"LRANGE", "n", "0", "-1"}, {"RPUSH", "one", "x"}, {"RPOPLPUSH", "one", "one"}, {"LRANGE", "one", "0", "-1"},
	{"LMOVE", "one", "two", "LEFT", "LEFT"}, {"EXISTS", "one"}, {"LMOVE", "n", "m"},
	// LMPOP.
	{"RPUSH", "mp1", "a", "b", "c"}, {"RPUSH", "mp2", "1", "2"}, {"LMPOP", "2", "none", "mp1", "LEFT"},
	{"LMPOP", "2", "mp2", "mp1", "RIGHT", "COUNT", "5"}, {"LMPOP", "3", "none", "none2", "mp1", "left", "count", "2"},
	{"LMPOP", "1", "none", "LEFT"}, {"LMPOP", "2", "s", "mp1", "LEFT"}, {"LMPOP", "2", "mp1", "s", "LEFT"},
	{"LMPOP", "0", "mp1", "LEFT"}, {"LMPOP", "-1", "mp1", "LEFT"}, {"LMPOP", "x", "mp1", "LEFT"}, {"LMPOP", "2", "mp1", "LEFT"},
	{"LMPOP", "1", "mp1", "UP"}, {"LMPOP", "1", "mp1", "LEFT", "COUNT"}, {"LMPOP", "1", "mp1", "LEFT", "COUNT", "0"},
	{"LMPOP", "1", "mp1", "LEFT", "COUNT", "x"}, {"LMPOP", "1", "mp1", "LEFT", "COUNT", "1", "COUNT", "1"},
	{"LMPOP", "1", "mp1", "LEFT", "FOO"}, {"LMPOP", "5", "mp1", "LEFT"}, {"LMPOP", "1", "mp1"}, {"LMPOP", "1"},
	{"LMPOP", "9223372036854775807", "a", "LEFT"}, {"LMPOP", "1", "mp1", "LEFT"}, {"EXISTS", "mp1"},
	// Keyspace commands on lists.
	{"RPUSH", "k", "a", "b"}, {"TYPE", "k"}, {"EXISTS", "k"}, {"RENAME", "k", "k2"}, {"LRANGE", "k2", "0", "-1"},
	{"COPY", "k2", "k3"}, {"LPUSH", "k3", "z"}, {"LRANGE", "k2", "0", "-1"}, {"LRANGE", "k3", "0", "-1"},
	{"MOVE", "k3", "1"}, {"SELECT", "1"}, {"LRANGE", "k3", "0", "-1"}, {"SELECT", "0"}, {"DEL", "k2"}, {"EXISTS", "k2"},
	{"SET", "k2", "v"}, {"RPUSH", "k4", "x"}, {"RENAME", "k4", "k2"}, {"TYPE", "k2"}, {"GET", "k2"},
	// String commands on a list.
	{"RPUSH", "wl", "a", "1"}, {"GET", "wl"}, {"GETRANGE", "wl", "0", "1"}, {"STRLEN", "wl"}, {"SETRANGE", "wl", "0", "x"},
	{"APPEND", "wl", "x"}, {"INCR", "wl"}, {"INCRBYFLOAT", "wl", "1"}, {"GETDEL", "wl"}, {"GETEX", "wl"}, {"GETSET", "wl", "v"},
	{"TYPE", "wl"}, {"MGET", "wl", "k2"}, {"SET", "wl", "v", "GET"}, {"SETNX", "wl", "v"},
	{"MSETNX", "wl", "v"}, {"LRANGE", "wl", "0", "-1"}, {"SET", "wl", "v"}, {"TYPE", "wl"}, {"RPUSH", "wl", "x"},
	{"EXPIRE", "k2", "100"}, {"RPUSH", "k2", "y"}, {"TTL", "k2"}, {"RPOP", "k2", "5"}, {"TTL", "k2"},
}

// bigListScript grows lists past the listpack limits (by count, by size,
// by a big element) and shrinks them again, so every command also runs on
// quicklists and across conversions.
func bigListScript() [][]string {
	s := [][]string{{"FLUSHALL"}}
	push := []string{"RPUSH", "big"}
	for i := 0; i < 300; i++ {
		push = append(push, "e"+strconv.Itoa(i), strconv.Itoa(i*7))
	}
	s = append(s, push, []string{"LLEN", "big"})
	large := strings.Repeat("x", 5000)
	for _, cmd := range [][]string{
		{"LRANGE", "big", "0", "10"}, {"LRANGE", "big", "-10", "-1"}, {"LRANGE", "big", "250", "260"}, {"LINDEX", "big", "333"},
		{"LINDEX", "big", "-333"}, {"LSET", "big", "300", "mid"}, {"LINSERT", "big", "BEFORE", "mid", "pre"},
		{"LINSERT", "big", "AFTER", "700", "post"}, {"LRANGE", "big", "295", "305"}, {"LPOS", "big", "mid"},
		{"LPOS", "big", "e5", "RANK", "-1"}, {"LREM", "big", "0", "pre"}, {"LPOP", "big", "50"}, {"RPOP", "big", "50"},
		{"LMOVE", "big", "big", "LEFT", "RIGHT"}, {"LMOVE", "big", "big2", "RIGHT", "LEFT"}, {"LTRIM", "big", "10", "-10"},
		{"LLEN", "big"}, {"LRANGE", "big", "0", "-1"}, {"LPUSH", "big", large}, {"LINDEX", "big", "0"}, {"LPOP", "big"},
		{"LREM", "big", "-3", "0"}, {"LTRIM", "big", "0", "5"}, {"LRANGE", "big", "0", "-1"}, {"LSET", "big", "2", large},
		{"LRANGE", "big", "0", "-1"}, {"LMPOP", "2", "none", "big", "RIGHT", "COUNT", "3"}, {"RPOP", "big", "100"}, {"EXISTS", "big"},
		{"RPUSH", "lg", large}, {"RPUSH", "lg", large, large}, {"LINSERT", "lg", "BEFORE", large, "a"}, {"LRANGE", "lg", "0", "0"},
		{"LPOP", "lg", "3"}, {"LRANGE", "lg", "0", "-1"},
	} {
		s = append(s, cmd)
	}
	return s
}

func TestListsMatchRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	for _, threads := range []string{"1", "4"} {
		anax := servertest.Start(t, "--threads", threads)
		for _, proto := range []string{"2", "3"} {
			t.Run("threads="+threads+"/resp"+proto, func(t *testing.T) {
				script := append([][]string{{"HELLO", proto}}, listScript...)
				script = append(script, bigListScript()...)
				// HELLO's reply names the server: compare from the next command.
				a, r := servertest.Dial(t, anax), servertest.Dial(t, redisAddr)
				a.Do("HELLO", proto)
				r.Do("HELLO", proto)
				compareOn(t, a, r, script[1:])
			})
		}
	}
}

// compareOn is servertest.Compare on connections already set up.
func compareOn(t *testing.T, a, r *servertest.Raw, script [][]string) {
	t.Helper()
	for _, cmd := range script {
		a.Send(servertest.Encode(cmd...))
		ga, err := a.ReadErr()
		if err != nil {
			t.Fatalf("%q: anax: %v", cmd, err)
		}
		if gr := r.Do(cmd...); ga != gr {
			t.Errorf("%.200q:\n  anax:  %.300q\n  redis: %.300q", cmd, ga, gr)
		}
	}
}

// TestListsAcrossShardsMatchRedis runs LMOVE, RPOPLPUSH and LMPOP (and the
// keyspace commands on lists) with keys forced onto different shards of a
// 4-shard Anax, against redis-server.
func TestListsAcrossShardsMatchRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	anax := servertest.Start(t, "--threads", "4")
	k := keysOnShards("lk", 4)
	a, b, c, d := k[0], k[1], k[2], k[3]
	big := []string{"RPUSH", c}
	for i := 0; i < 200; i++ {
		big = append(big, "v"+strconv.Itoa(i))
	}
	script := [][]string{
		{"FLUSHALL"},
		{"RPUSH", a, "1", "2", "3"}, {"LMOVE", a, b, "LEFT", "RIGHT"}, {"LMOVE", a, b, "RIGHT", "LEFT"},
		{"LRANGE", a, "0", "-1"}, {"LRANGE", b, "0", "-1"}, {"RPOPLPUSH", a, b}, {"EXISTS", a}, {"RPOPLPUSH", a, b},
		{"LMOVE", a, b, "LEFT", "LEFT"}, {"SET", d, "str"}, {"LMOVE", b, d, "LEFT", "LEFT"}, {"RPOPLPUSH", d, b},
		{"LMOVE", a, d, "LEFT", "LEFT"}, {"LMOVE", b, d, "UP", "LEFT"}, {"LMOVE", d, a, "LEFT", "DOWN"}, {"LRANGE", b, "0", "-1"},
		{"RPOPLPUSH", b, a}, {"RPOPLPUSH", b, a}, {"RPOPLPUSH", b, a}, {"EXISTS", b}, {"LRANGE", a, "0", "-1"},
		big, {"LMOVE", c, a, "LEFT", "RIGHT"}, {"LMOVE", a, c, "LEFT", "RIGHT"}, {"LRANGE", c, "-3", "-1"}, {"LLEN", c},
		// LMPOP: the first existing key in argument order decides, on any shard.
		{"LMPOP", "3", b, c, a, "LEFT"}, {"LMPOP", "3", b, a, c, "RIGHT", "COUNT", "2"}, {"LMPOP", "2", b, d, "LEFT"},
		{"LMPOP", "3", b, c, d, "LEFT", "COUNT", "500"}, {"LMPOP", "3", d, c, a, "LEFT"}, {"EXISTS", c},
		{"LMPOP", "2", b, c, "LEFT"}, {"LMPOP", "2", a, b, "LEFT", "COUNT", "10"}, {"LMPOP", "2", a, b, "LEFT"},
		{"LMPOP", "2", a, b, "UP"}, {"LMPOP", "0", a, b, "LEFT"}, {"LMPOP", "2", a, b, "LEFT", "COUNT", "0"},
		// Keyspace commands move lists, small and big, across shards.
		{"RPUSH", a, "x", "y"}, {"RENAME", a, b}, {"LRANGE", b, "0", "-1"}, {"COPY", b, c}, {"LRANGE", c, "0", "-1"},
		big, {"RENAME", c, a}, {"LRANGE", a, "100", "105"}, {"COPY", a, b, "REPLACE"}, {"LLEN", b}, {"RPOP", b, "150"},
		{"LLEN", a}, {"TYPE", a}, {"DEL", a, b, c, d}, {"EXISTS", a, b, c, d},
	}
	servertest.Compare(t, anax, redisAddr, script)
}

// TestListEncodings checks OBJECT ENCODING against Redis 7.2's rule (which
// redis-server 7.0 does not follow: it says quicklist for every list):
// listpack while one node's limit holds, quicklist past it, listpack
// again below half of it.
func TestListEncodings(t *testing.T) {
	anax := servertest.Start(t)
	cl := servertest.Dial(t, anax)
	enc := func(key, want string) {
		t.Helper()
		if got := cl.Do("OBJECT", "ENCODING", key); got != "$"+strconv.Itoa(len(want))+"\r\n"+want+"\r\n" {
			t.Errorf("OBJECT ENCODING %s = %q, want %s", key, got, want)
		}
	}
	do := func(args ...string) {
		t.Helper()
		if got := cl.Do(args...); strings.HasPrefix(got, "-") {
			t.Fatalf("%q: %q", args, got)
		}
	}
	do("CONFIG", "SET", "list-max-listpack-size", "4")
	do("RPUSH", "c", "1", "2", "3", "4")
	enc("c", "listpack")
	do("RPUSH", "c", "5")
	enc("c", "quicklist")
	do("RPOP", "c", "2") // 3 left, one node; over half of 4
	enc("c", "quicklist")
	do("RPOP", "c")
	enc("c", "listpack")
	do("LINSERT", "c", "BEFORE", "nope", "x") // converts before it looks
	enc("c", "listpack")
	do("RPUSH", "c", "3", "4")
	cl.Do("LSET", "c", "100", "x") // 4 elements: converts for the new one, then fails
	enc("c", "quicklist")
	// Redis 7.2 bounds RANK to -LONG_MAX..LONG_MAX (7.0 took LONG_MIN and
	// negated it): Anax follows 7.2.
	if got, want := cl.Do("LPOS", "c", "1", "RANK", "-9223372036854775808"), "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"; got != want {
		t.Errorf("LPOS RANK LONG_MIN = %q, want %q", got, want)
	}

	do("CONFIG", "SET", "list-max-listpack-size", "-1") // 4 KB
	do("RPUSH", "s", strings.Repeat("a", 4000))
	enc("s", "listpack")
	do("RPUSH", "s", strings.Repeat("b", 100))
	enc("s", "quicklist")
	do("LPOP", "s")
	enc("s", "listpack")
	do("RPUSH", "s2", strings.Repeat("a", 5000))
	enc("s2", "quicklist")
	do("LSET", "s2", "0", "small")
	enc("s2", "listpack")
	do("RPUSH", "r", "1", "2", "3")
	do("LMOVE", "r", "r", "LEFT", "RIGHT")
	enc("r", "listpack")
	// LMOVE of an integer: Redis counts its text when it comes from a
	// listpack, nothing when it comes from a quicklist (an integer object).
	// dst holds 4094 bytes: 5 more would pass 4 KB.
	do("RPUSH", "qsrc", "12345", strings.Repeat("q", 5000))
	enc("qsrc", "quicklist")
	do("RPUSH", "dst", strings.Repeat("d", 4083))
	do("LMOVE", "qsrc", "dst", "LEFT", "RIGHT")
	enc("dst", "listpack")
	do("RPUSH", "lsrc", "12345")
	do("RPUSH", "dst2", strings.Repeat("d", 4083))
	do("LMOVE", "lsrc", "dst2", "LEFT", "RIGHT")
	enc("dst2", "quicklist")
	do("CONFIG", "SET", "list-max-listpack-size", "-2")
}

// TestRandomListCommandsMatchRedis sends a seeded random stream of list
// commands over a few keys (some with a shared hash tag, some spread over
// the shards), sometimes inside MULTI/EXEC, to Anax and redis-server and
// compares every reply, with the default shard count and with 4 shards.
// Small node limits make the stream cross the conversions often.
func TestRandomListCommandsMatchRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	for _, threads := range []string{"", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			var anaxAddr string
			if threads == "" {
				anaxAddr = servertest.Start(t)
			} else {
				anaxAddr = servertest.Start(t, "--threads", threads)
			}
			a, r := servertest.Dial(t, anaxAddr), servertest.Dial(t, redisAddr)
			rng := rand.New(rand.NewSource(12))
			keys := []string{"a", "b", "c", "{t}d", "{t}e", "s"}
			key := func() string { return keys[rng.Intn(len(keys))] }
			val := func() string {
				switch rng.Intn(6) {
				case 0:
					return strings.Repeat("v", rng.Intn(300))
				case 1:
					return strconv.Itoa(rng.Intn(2000) - 1000)
				}
				return fmt.Sprint("e", rng.Intn(12))
			}
			idx := func() string { return strconv.Itoa(rng.Intn(30) - 15) }
			end := func() string { return []string{"LEFT", "RIGHT"}[rng.Intn(2)] }
			command := func() []string {
				switch rng.Intn(20) {
				case 0, 1:
					cmd := []string{"RPUSH", key()}
					for n := rng.Intn(8); n >= 0; n-- {
						cmd = append(cmd, val())
					}
					return cmd
				case 2, 3:
					cmd := []string{"LPUSH", key()}
					for n := rng.Intn(8); n >= 0; n-- {
						cmd = append(cmd, val())
					}
					return cmd
				case 4:
					return []string{"LPOP", key(), strconv.Itoa(rng.Intn(4))}
				case 5:
					return []string{"RPOP", key()}
				case 6:
					return []string{"LRANGE", key(), idx(), idx()}
				case 7:
					return []string{"LINDEX", key(), idx()}
				case 8:
					return []string{"LSET", key(), idx(), val()}
				case 9:
					return []string{"LINSERT", key(), []string{"BEFORE", "AFTER"}[rng.Intn(2)], val(), val()}
				case 10:
					return []string{"LREM", key(), idx(), val()}
				case 11:
					return []string{"LTRIM", key(), idx(), idx()}
				case 12:
					return []string{"LPOS", key(), val(), "RANK", []string{"1", "-1", "2"}[rng.Intn(3)], "COUNT", strconv.Itoa(rng.Intn(3))}
				case 13:
					return []string{"LMOVE", key(), key(), end(), end()}
				case 14:
					return []string{"RPOPLPUSH", key(), key()}
				case 15:
					return []string{"LMPOP", "3", key(), key(), key(), end(), "COUNT", strconv.Itoa(rng.Intn(5) + 1)}
				case 16:
					return []string{"LLEN", key()}
				case 17:
					return []string{"SET", "s", val()}
				case 18:
					return []string{"RPUSHX", key(), val()}
				default:
					return []string{"LRANGE", key(), "0", "-1"}
				}
			}
			step := func(cmd []string) {
				t.Helper()
				a.Send(servertest.Encode(cmd...))
				ga, err := a.ReadErr()
				if err != nil {
					t.Fatalf("%q: anax: %v", cmd, err)
				}
				if gr := r.Do(cmd...); ga != gr {
					t.Fatalf("%.200q:\n  anax:  %.300q\n  redis: %.300q", cmd, ga, gr)
				}
			}
			step([]string{"FLUSHALL"})
			for _, fill := range []string{"4", "-1", "-2"} {
				step([]string{"CONFIG", "SET", "list-max-listpack-size", fill})
				for i := 0; i < 1500; i++ {
					if rng.Intn(6) == 0 {
						step([]string{"MULTI"})
						for n := rng.Intn(5); n >= 0; n-- {
							step(command())
						}
						step([]string{"EXEC"})
						continue
					}
					step(command())
				}
			}
			step([]string{"CONFIG", "SET", "list-max-listpack-size", "-2"})
		})
	}
}

// TestListWatch checks that list writes make a WATCHed transaction fail,
// and that reads and failed writes do not, on one shard and with the two
// keys of LMOVE and LMPOP on different shards (their writes run as a
// Cross's).
func TestListWatch(t *testing.T) {
	k := keysOnShards("wk", 4)
	w, other := k[0], k[1]
	cases := []struct {
		write []string
		dirty bool
	}{
		{[]string{"RPUSH", w, "x"}, true},
		{[]string{"LPOP", w}, true},
		{[]string{"LSET", w, "0", "z"}, true},
		{[]string{"LINSERT", w, "BEFORE", "a", "z"}, true},
		{[]string{"LREM", w, "0", "a"}, true},
		{[]string{"LTRIM", w, "1", "-1"}, true},
		{[]string{"LMOVE", w, other, "LEFT", "LEFT"}, true},
		{[]string{"LMOVE", other, w, "LEFT", "LEFT"}, true},
		{[]string{"LMOVE", w, w, "LEFT", "RIGHT"}, true},
		{[]string{"LMPOP", "2", other, w, "RIGHT"}, false}, // pops other
		{[]string{"LMPOP", "2", "none", w, "RIGHT"}, true},
		{[]string{"LRANGE", w, "0", "-1"}, false},
		{[]string{"LINSERT", w, "BEFORE", "nope", "z"}, false},
		{[]string{"LREM", w, "0", "nope"}, false},
		{[]string{"LSET", w, "100", "z"}, false},
		{[]string{"LMOVE", other, "s", "LEFT", "LEFT"}, false}, // WRONGTYPE
	}
	for _, threads := range []string{"1", "4"} {
		anax := servertest.Start(t, "--threads", threads)
		for _, tc := range cases {
			wc, o := servertest.Dial(t, anax), servertest.Dial(t, anax)
			o.Do("FLUSHALL")
			o.Do("RPUSH", w, "a", "b", "c")
			o.Do("RPUSH", other, "o")
			o.Do("SET", "s", "v")
			wc.Do("WATCH", w)
			o.Do(tc.write...)
			wc.Do("MULTI")
			wc.Do("LLEN", w)
			got := wc.Do("EXEC")
			if dirty := got == "*-1\r\n"; dirty != tc.dirty {
				t.Errorf("threads %s: %q: EXEC = %q, want dirty %v", threads, tc.write, got, tc.dirty)
			}
		}
	}
}
