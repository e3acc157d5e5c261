package server_test

import (
	"fmt"
	"math/rand"
	"sort"
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
		{"HINCRBYFLOAT", "hx", "x", "0x1A"}, {"HINCRBYFLOAT", "hx", "x", "1_0"}, {"HINCRBYFLOAT", "hx", "x", "0x1p-2"},
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

// normalized returns reply with the elements of an unordered reply sorted
// (pairs kept together for HGETALL), so that a big hash's table order,
// which differs from Redis's dict order, compares equal.
func normalized(t *testing.T, cmd []string, reply string) string {
	switch strings.ToUpper(cmd[0]) {
	case "HGETALL", "HKEYS", "HVALS":
	default:
		return reply
	}
	n := parseRESP(t, reply)
	step := 1
	if strings.ToUpper(cmd[0]) == "HGETALL" {
		step = 2
	}
	var items []string
	for i := 0; i+step <= len(n.elems); i += step {
		s := n.elems[i].raw
		if step == 2 {
			s += n.elems[i+1].raw
		}
		items = append(items, s)
	}
	sort.Strings(items)
	return fmt.Sprint(len(n.elems), items)
}

// TestRandomHashCommandsMatchRedis sends a seeded random stream of hash
// commands (with keyspace commands and MULTI/EXEC blocks among them) to
// Anax and redis-server, with thresholds low enough that hashes convert
// all the time, and compares every reply; whole-hash replies are compared
// as sets.
func TestRandomHashCommandsMatchRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			anaxAddr := servertest.Start(t, "--threads", threads)
			a, r := servertest.Dial(t, anaxAddr), servertest.Dial(t, redisAddr)
			r.Do("FLUSHALL")
			for _, c := range []*servertest.Raw{a, r} {
				c.Do("CONFIG", "SET", "hash-max-listpack-entries", "8")
				c.Do("CONFIG", "SET", "hash-max-listpack-value", "16")
			}
			defer r.Do("CONFIG", "SET", "hash-max-listpack-entries", "512")
			defer r.Do("CONFIG", "SET", "hash-max-listpack-value", "64")
			rng := rand.New(rand.NewSource(11))
			keys := []string{"a", "b", "c", "{t}d", "{t}e", "s"}
			key := func() string { return keys[rng.Intn(len(keys))] }
			field := func() string { return fmt.Sprint("f", rng.Intn(14)) }
			val := func() string {
				switch rng.Intn(4) {
				case 0:
					return fmt.Sprint(rng.Intn(200) - 100)
				case 1:
					return strings.Repeat("v", rng.Intn(30))
				case 2:
					return fmt.Sprint(rng.Float64())
				}
				return fmt.Sprint("x", rng.Intn(50))
			}
			command := func() []string {
				switch rng.Intn(20) {
				case 0, 1, 2:
					return []string{"HSET", key(), field(), val(), field(), val()}
				case 3:
					return []string{"HDEL", key(), field(), field()}
				case 4:
					return []string{"HGET", key(), field()}
				case 5:
					return []string{"HMGET", key(), field(), field(), field()}
				case 6:
					return []string{"HLEN", key()}
				case 7:
					return []string{"HEXISTS", key(), field()}
				case 8:
					return []string{"HSTRLEN", key(), field()}
				case 9:
					return []string{"HINCRBY", key(), field(), fmt.Sprint(rng.Intn(100) - 50)}
				case 10:
					return []string{"HINCRBYFLOAT", key(), field(), fmt.Sprint(rng.Intn(100)-50, ".5")}
				case 11:
					return []string{"HSETNX", key(), field(), val()}
				case 12:
					return []string{"HGETALL", key()}
				case 13:
					return []string{"HKEYS", key()}
				case 14:
					return []string{"HVALS", key()}
				case 15:
					return []string{"OBJECT", "ENCODING", key()}
				case 16:
					return []string{"RENAME", key(), key()}
				case 17:
					return []string{"COPY", key(), key(), "REPLACE"}
				case 18:
					return []string{"SET", "s", val()}
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
				if normalized(t, cmd, ga) != normalized(t, cmd, gr) {
					t.Fatalf("%q:\n  anax:  %q\n  redis: %q", cmd, ga, gr)
				}
			}
			for i := 0; i < 3000; i++ {
				if rng.Intn(8) == 0 {
					step([]string{"MULTI"})
					for n := rng.Intn(5); n >= 0; n-- {
						cmd := command()
						for cmd[0] == "HGETALL" || cmd[0] == "HKEYS" || cmd[0] == "HVALS" {
							cmd = command() // EXEC's reply is compared whole, in order
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

// TestHRandFieldProperties checks HRANDFIELD by what must hold whatever
// the draw: positive counts give distinct fields of the hash, at most its
// size; negative counts give exactly |count| fields of the hash; values
// belong to their fields. Both encodings, RESP2 and RESP3.
func TestHRandFieldProperties(t *testing.T) {
	anax := servertest.Start(t)
	c := servertest.Dial(t, anax)
	for _, size := range []int{5, 100, 2000} {
		key := fmt.Sprint("h", size)
		c.Do(hsetMany(key, 0, size, 6)...)
		want := map[string]string{}
		for i := 0; i < size; i++ {
			want[fmt.Sprint("f", i)] = fmt.Sprint(i, strings.Repeat("x", 6))[:6]
		}
		for _, count := range []int{1, 3, size / 2, size - 1, size, size + 10, -1, -7, -3 * size} {
			for _, proto := range []string{"2", "3"} {
				c.Do("HELLO", proto)
				n := parseRESP(t, c.Do("HRANDFIELD", key, fmt.Sprint(count), "WITHVALUES"))
				var fields []string
				for i := 0; i < len(n.elems); {
					var f, v string
					if proto == "3" {
						p := n.elems[i].elems
						f, v = bulkText(p[0].raw), bulkText(p[1].raw)
						i++
					} else {
						f, v = bulkText(n.elems[i].raw), bulkText(n.elems[i+1].raw)
						i += 2
					}
					if want[f] != v {
						t.Fatalf("size %d count %d: %q = %q, want %q", size, count, f, v, want[f])
					}
					fields = append(fields, f)
				}
				if count < 0 {
					if len(fields) != -count {
						t.Fatalf("size %d count %d: %d fields", size, count, len(fields))
					}
					continue
				}
				if len(fields) != min(count, size) {
					t.Fatalf("size %d count %d: %d fields", size, count, len(fields))
				}
				seen := map[string]bool{}
				for _, f := range fields {
					if seen[f] {
						t.Fatalf("size %d count %d: %q twice", size, count, f)
					}
					seen[f] = true
				}
			}
		}
		c.Do("HELLO", "2")
		if f := bulkText(c.Do("HRANDFIELD", key)); want[f] == "" {
			t.Fatalf("HRANDFIELD %s: %q", key, f)
		}
	}
}

// bulkText returns the text of a RESP bulk string reply.
func bulkText(raw string) string {
	i := strings.Index(raw, "\r\n")
	return strings.TrimSuffix(raw[i+2:], "\r\n")
}

// TestHScanCompleteWhileGrowing walks big hashes with HSCAN while other
// fields are added between calls: every field present from start to end
// comes back at least once, with its value, for several COUNTs, with
// MATCH and with NOVALUES.
func TestHScanCompleteWhileGrowing(t *testing.T) {
	anax := servertest.Start(t)
	c := servertest.Dial(t, anax)
	const size = 5000
	for i := 0; i < size; i += 500 {
		c.Do(hsetMany("h", i, 500, 4)...)
	}
	added := size
	for _, opts := range [][]string{{}, {"COUNT", "1"}, {"COUNT", "100"}, {"MATCH", "f1*"}, {"NOVALUES"}, {"COUNT", "7", "NOVALUES"}} {
		seen := map[string]bool{}
		cursor := "0"
		calls := 0
		for {
			n := parseRESP(t, c.Do(append([]string{"HSCAN", "h", cursor}, opts...)...))
			cursor = bulkText(n.elems[0].raw)
			items := n.elems[1].elems
			noValues := len(opts) > 0 && opts[len(opts)-1] == "NOVALUES"
			step := 2
			if noValues {
				step = 1
			}
			for i := 0; i < len(items); i += step {
				f := bulkText(items[i].raw)
				if !noValues {
					if v := bulkText(items[i+1].raw); v != fmt.Sprint(f[1:], "xxxx")[:4] {
						t.Fatalf("%v: %s = %q", opts, f, v)
					}
				}
				seen[f] = true
			}
			c.Do(hsetMany("h", added, 3, 4)...)
			added += 3
			calls++
			if cursor == "0" {
				break
			}
		}
		for i := 0; i < size; i++ {
			f := fmt.Sprint("f", i)
			if (len(opts) < 2 || opts[0] != "MATCH" || strings.HasPrefix(f, "f1")) && !seen[f] {
				t.Fatalf("%v: %s never returned (%d calls)", opts, f, calls)
			}
		}
	}
	// A listpack comes back whole, with cursor 0, whatever the cursor.
	c.Do("HSET", "small", "a", "1", "b", "2")
	if got := c.Do("HSCAN", "small", "77", "NOVALUES"); got != "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n" {
		t.Fatalf("HSCAN small NOVALUES: %q", got)
	}
}

// TestHashesAcrossShards moves big and small hashes between keys on
// different shards (RENAME, COPY, MOVE) and compares with redis-server.
func TestHashesAcrossShards(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	anax := servertest.Start(t, "--threads", "4")
	k := keysOnShards("hk", 4)
	check := func(key string) [][]string {
		cmd := []string{"HMGET", key}
		for i := 0; i < 700; i += 37 {
			cmd = append(cmd, fmt.Sprint("f", i))
		}
		return [][]string{{"HLEN", key}, cmd, {"OBJECT", "ENCODING", key}, {"TYPE", key}}
	}
	script := [][]string{{"FLUSHALL"}, hsetMany(k[0], 0, 700, 10), {"HSET", k[1], "a", "1", "b", "2"}}
	script = append(script, []string{"RENAME", k[0], k[2]}, []string{"EXISTS", k[0]})
	script = append(script, check(k[2])...)
	script = append(script, []string{"COPY", k[2], k[3]}, []string{"HSET", k[3], "f0", "changed"}, []string{"HGET", k[2], "f0"})
	script = append(script, check(k[3])...)
	script = append(script, []string{"COPY", k[1], k[0]}, []string{"HGETALL", k[0]}, []string{"RENAME", k[1], k[3]},
		[]string{"HGETALL", k[3]}, []string{"OBJECT", "ENCODING", k[3]},
		[]string{"MOVE", k[2], "2"}, []string{"SELECT", "2"})
	script = append(script, check(k[2])...)
	script = append(script, []string{"DEL", k[2]}, []string{"SELECT", "0"}, []string{"DEL", k[0], k[1], k[2], k[3]}, []string{"DBSIZE"})
	servertest.Compare(t, anax, redisAddr, script)
}

// TestWatchHash: a write to a watched hash, in place or not, by any hash
// command, aborts the transaction; a no-op does not.
func TestWatchHash(t *testing.T) {
	anax := servertest.Start(t)
	c, other := servertest.Dial(t, anax), servertest.Dial(t, anax)
	c.Do(hsetMany("big", 0, 600, 4)...)
	c.Do("HSET", "small", "a", "1")
	for _, tc := range []struct {
		write []string
		abort bool
	}{
		{[]string{"HSET", "small", "a", "2"}, true},
		{[]string{"HSET", "big", "f1", "zzzz"}, true}, // in place in its cell
		{[]string{"HINCRBY", "small", "n", "1"}, true},
		{[]string{"HDEL", "big", "f2"}, true},
		{[]string{"HDEL", "big", "nope"}, false},
		{[]string{"HSETNX", "small", "a", "x"}, false},
		{[]string{"HGET", "big", "f3"}, false},
	} {
		key := tc.write[1]
		c.Do("WATCH", key)
		other.Do(tc.write...)
		c.Do("MULTI")
		c.Do("HLEN", key)
		got := c.Do("EXEC")
		if aborted := got == "*-1\r\n"; aborted != tc.abort {
			t.Errorf("%q: EXEC %q, want aborted=%v", tc.write, got, tc.abort)
		}
	}
}
