package server_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// Tests of hash field expiry: Redis 7.4's HEXPIRE family and KeyDB's
// EXPIREMEMBER family (server/hashcmd/expire.go, shard/hash_ttl.go). The
// installed redis-server is 7.0, which has none of these commands, so the
// expected replies are written out: Redis 7.4's, read from its t_hash.c.

// respInts is the RESP array of integers vs.
func respInts(vs ...int64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(vs))
	for _, v := range vs {
		fmt.Fprintf(&b, ":%d\r\n", v)
	}
	return b.String()
}

func respInt(v int64) string    { return fmt.Sprintf(":%d\r\n", v) }
func respErr(msg string) string { return "-" + msg + "\r\n" }
func respBulk(s string) string  { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }

const respNull = "$-1\r\n"

// hfeStep is one command of a transcript and its expected reply.
type hfeStep struct {
	cmd  []string
	want string
}

func runSteps(t *testing.T, c *servertest.Raw, steps []hfeStep) {
	t.Helper()
	for i, s := range steps {
		if got := c.Do(s.cmd...); got != s.want {
			t.Errorf("step %d %q: got %q, want %q", i, s.cmd, got, s.want)
		}
	}
}

func cmd(s string) []string { return strings.Fields(s) }

// hfeFar is a fixed expiry far in the future (2100-01-01, Unix ms).
const hfeFar = 4102444800000

// TestHashFieldExpireCommands runs every command, option, reply code and
// error of the family over 1 and 4 shards.
func TestHashFieldExpireCommands(t *testing.T) {
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			c := servertest.Dial(t, servertest.Start(t, "--threads", threads))
			far := strconv.FormatInt(hfeFar, 10)
			at := func(ms int64) string { return strconv.FormatInt(hfeFar+ms, 10) }
			steps := []hfeStep{
				// A missing key: every field answers -2 (7.4 answers an
				// array, not a null).
				{cmd("HEXPIRE nokey 100 FIELDS 2 a b"), respInts(-2, -2)},
				{cmd("HTTL nokey FIELDS 2 a b"), respInts(-2, -2)},
				{cmd("HPTTL nokey FIELDS 1 a"), respInts(-2)},
				{cmd("HEXPIRETIME nokey FIELDS 1 a"), respInts(-2)},
				{cmd("HPEXPIRETIME nokey FIELDS 1 a"), respInts(-2)},
				{cmd("HPERSIST nokey FIELDS 1 a"), respInts(-2)},
				{cmd("EXISTS nokey"), respInt(0)},

				// A listpack converts on its first field TTL.
				{cmd("HSET h a 1 b 2 c 3"), respInt(3)},
				{cmd("OBJECT ENCODING h"), respBulk("listpack")},
				{cmd("HTTL h FIELDS 2 a zz"), respInts(-1, -2)},
				{cmd("HEXPIRE h 100 XX FIELDS 1 a"), respInts(0)},
				{cmd("HEXPIRE h 100 GT FIELDS 1 a"), respInts(0)},
				{cmd("OBJECT ENCODING h"), respBulk("listpack")},
				{cmd("HEXPIRE h 100 FIELDS 2 a zz"), respInts(1, -2)},
				{cmd("OBJECT ENCODING h"), respBulk("hashtable")},
				{cmd("HTTL h FIELDS 3 a b zz"), respInts(100, -1, -2)},
				{cmd("HLEN h"), respInt(3)},

				// NX XX GT LT, as 7.4: no TTL is an infinite TTL.
				{cmd("HPEXPIREAT h " + at(100) + " NX FIELDS 2 a b"), respInts(0, 1)},
				{cmd("HPEXPIREAT h " + at(50) + " XX FIELDS 2 a c"), respInts(1, 0)},
				{cmd("HPEXPIREAT h " + at(10) + " GT FIELDS 1 a"), respInts(0)},
				{cmd("HPEXPIREAT h " + at(50) + " GT FIELDS 1 a"), respInts(0)},
				{cmd("HPEXPIREAT h " + at(200) + " GT FIELDS 2 a c"), respInts(1, 0)},
				{cmd("HPEXPIREAT h " + at(300) + " LT FIELDS 2 a c"), respInts(0, 1)},
				{cmd("HPEXPIREAT h " + at(200) + " LT FIELDS 1 a"), respInts(0)},
				{cmd("HPEXPIREAT h " + at(150) + " lt FIELDS 1 a"), respInts(1)},
				{cmd("HPEXPIRETIME h fields 3 a b c"), respInts(hfeFar+150, hfeFar+100, hfeFar+300)},

				// Absolute times and the four read-backs.
				{cmd("HPEXPIREAT h " + far + " FIELDS 1 a"), respInts(1)},
				{cmd("HPEXPIRETIME h FIELDS 2 a zz"), respInts(hfeFar, -2)},
				{cmd("HEXPIRETIME h FIELDS 1 a"), respInts(hfeFar / 1000)},
				{cmd("HEXPIREAT h " + strconv.FormatInt(hfeFar/1000+1, 10) + " FIELDS 1 a"), respInts(1)},
				{cmd("HPEXPIRETIME h FIELDS 1 a"), respInts(hfeFar + 1000)},

				// HPERSIST: 1 removed, -1 no TTL, -2 no field.
				{cmd("HPERSIST h FIELDS 3 a c zz"), respInts(1, 1, -2)},
				{cmd("HPERSIST h FIELDS 1 a"), respInts(-1)},
				{cmd("HPEXPIRETIME h FIELDS 3 a b c"), respInts(-1, hfeFar+100, -1)},

				// A time not in the future deletes the field (2); the last
				// field takes its key with it.
				{cmd("HEXPIRE h 0 FIELDS 1 a"), respInts(2)},
				{cmd("HEXISTS h a"), respInt(0)},
				{cmd("HLEN h"), respInt(2)},
				{cmd("HPEXPIREAT h 1 FIELDS 2 b zz"), respInts(2, -2)},
				{cmd("HEXPIREAT h 1 NX FIELDS 1 c"), respInts(2)},
				{cmd("EXISTS h"), respInt(0)},
				{cmd("HSET h2 a 1"), respInt(1)},
				{cmd("HEXPIRE h2 0 FIELDS 2 a a"), respInts(2, -2)},
				{cmd("EXISTS h2"), respInt(0)},
				{cmd("HSET h2 a 1 b 2"), respInt(2)},
				{cmd("HPEXPIRE h2 0 XX FIELDS 1 a"), respInts(0)},
				{cmd("HPEXPIRE h2 0 FIELDS 1 a"), respInts(2)},
				{cmd("OBJECT ENCODING h2"), respBulk("listpack")},
				{cmd("HGETALL h2"), "*2\r\n$1\r\nb\r\n$1\r\n2\r\n"},

				// Errors, in 7.4's order: the type first, then the time,
				// the condition, FIELDS, numfields and the count.
				{cmd("SET s x"), "+OK\r\n"},
				{cmd("HEXPIRE s x FIELDS 1 a"), respErr("WRONGTYPE Operation against a key holding the wrong kind of value")},
				{cmd("HTTL s FIELDS 0 a"), respErr("WRONGTYPE Operation against a key holding the wrong kind of value")},
				{cmd("HPERSIST s FIELDS 1 a"), respErr("WRONGTYPE Operation against a key holding the wrong kind of value")},
				{cmd("HEXPIRE k x FIELDS 1 a"), respErr("ERR value is not an integer or out of range")},
				{cmd("HEXPIRE k -1 FIELDS 1 a"), respErr("ERR invalid expire time, must be >= 0")},
				{cmd("HEXPIRE k 70368744178 FIELDS 1 a"), respErr("ERR invalid expire time in 'hexpire' command")},
				{cmd("HEXPIRE k 70368744177 FIELDS 1 a"), respErr("ERR invalid expire time in 'hexpire' command")},
				{cmd("HPEXPIREAT k 70368744177664 FIELDS 1 a"), respErr("ERR invalid expire time in 'hpexpireat' command")},
				{cmd("HPEXPIREAT k 70368744177663 FIELDS 1 a"), respInts(-2)},
				{cmd("HEXPIREAT k 70368744178 FIELDS 1 a"), respErr("ERR invalid expire time in 'hexpireat' command")},
				{cmd("HEXPIRE k 10 FOO 1 a"), respErr("ERR Mandatory argument FIELDS is missing or not at the right position")},
				{cmd("HEXPIRE k 10 NX NX FIELDS 1 a"), respErr("ERR Mandatory argument FIELDS is missing or not at the right position")},
				{cmd("HEXPIRE k 10 FIELDS 0 a"), respErr("ERR Parameter `numFields` should be greater than 0")},
				{cmd("HEXPIRE k 10 FIELDS x a"), respErr("ERR Parameter `numFields` should be greater than 0")},
				{cmd("HEXPIRE k 10 FIELDS -1 a"), respErr("ERR Parameter `numFields` should be greater than 0")},
				{cmd("HEXPIRE k 10 FIELDS 2 a"), respErr("ERR The `numfields` parameter must match the number of arguments")},
				{cmd("HEXPIRE k 10 NX FIELDS 1"), respErr("ERR The `numfields` parameter must match the number of arguments")},
				{cmd("HEXPIRE k 10 FIELDS 1"), respErr("ERR wrong number of arguments for 'hexpire' command")},
				{cmd("HTTL k FIELDS 1"), respErr("ERR wrong number of arguments for 'httl' command")},
				{cmd("HTTL k FOO 1 a"), respErr("ERR Mandatory argument FIELDS is missing or not at the right position")},
				{cmd("HTTL k FIELDS 0 a"), respErr("ERR Number of fields must be a positive integer")},
				{cmd("HPTTL k FIELDS x a"), respErr("ERR Number of fields must be a positive integer")},
				{cmd("HEXPIRETIME k FIELDS 2 a"), respErr("ERR The `numfields` parameter must match the number of arguments")},
				{cmd("HPERSIST k FIELDS 0 a"), respErr("ERR Number of fields must be a positive integer")},
				{cmd("HPERSIST k FIELDS 1 a b"), respErr("ERR The `numfields` parameter must match the number of arguments")},

				// Writes: HSET clears a field's TTL, HINCRBY, HINCRBYFLOAT
				// keep it, HSETNX leaves an existing field alone.
				{cmd("HSET w a 1 b 2 c 3"), respInt(3)},
				{cmd("HEXPIRE w 100 FIELDS 3 a b c"), respInts(1, 1, 1)},
				{cmd("HSET w a 5"), respInt(0)},
				{cmd("HMSET w c 7"), "+OK\r\n"},
				{cmd("HTTL w FIELDS 3 a b c"), respInts(-1, 100, -1)},
				{cmd("HINCRBY w b 3"), respInt(5)},
				{cmd("HTTL w FIELDS 1 b"), respInts(100)},
				{cmd("HINCRBYFLOAT w b 1.5"), respBulk("6.5")},
				{cmd("HTTL w FIELDS 1 b"), respInts(100)},
				{cmd("HSETNX w b x"), respInt(0)},
				{cmd("HTTL w FIELDS 1 b"), respInts(100)},
				{cmd("HGET w b"), respBulk("6.5")},
				{cmd("HSET w b " + strings.Repeat("v", 200)), respInt(0)},
				{cmd("HTTL w FIELDS 1 b"), respInts(-1)},
				{cmd("HEXPIRE w 100 FIELDS 1 b"), respInts(1)},
				{cmd("HDEL w b"), respInt(1)},
				{cmd("HSETNX w b y"), respInt(1)},
				{cmd("HTTL w FIELDS 1 b"), respInts(-1)},

				// KeyDB's EXPIREMEMBER family, for hash fields.
				{cmd("HSET m a 1 b 2 c 3"), respInt(3)},
				{cmd("EXPIREMEMBER m a 100"), respInt(1)},
				{cmd("HTTL m FIELDS 1 a"), respInts(100)},
				{cmd("EXPIREMEMBER m a 200 s"), respInt(1)},
				{cmd("HTTL m FIELDS 1 a"), respInts(200)},
				{cmd("EXPIREMEMBER m a 300000 MS"), respInt(1)},
				{cmd("HTTL m FIELDS 1 a"), respInts(300)},
				{cmd("EXPIREMEMBER m zz 10"), respInt(0)},
				{cmd("EXPIREMEMBER nokey a 10"), respInt(0)},
				{cmd("EXPIREMEMBER m a x"), respErr("ERR value is not an integer or out of range")},
				{cmd("EXPIREMEMBER m a 10 h"), respErr("ERR Invalid unit arg")},
				{cmd("EXPIREMEMBER nokey a 10 h"), respErr("ERR Invalid unit arg")},
				{cmd("EXPIREMEMBER m a 10 s x"), respErr("ERR Invalid number of arguments")},
				{cmd("EXPIREMEMBER m a"), respErr("ERR wrong number of arguments for 'expiremember' command")},
				{cmd("EXPIREMEMBER s a 10"), respErr("ERR object type is unsupported")},
				{cmd("EXPIREMEMBERAT m b " + strconv.FormatInt(hfeFar/1000, 10)), respInt(1)},
				{cmd("HEXPIRETIME m FIELDS 1 b"), respInts(hfeFar / 1000)},
				{cmd("PEXPIREMEMBERAT m b " + far), respInt(1)},
				{cmd("HPEXPIRETIME m FIELDS 1 b"), respInts(hfeFar)},
				{cmd("EXPIREMEMBERAT m b 1"), respInt(1)},
				{cmd("HEXISTS m b"), respInt(0)},
				{cmd("EXPIREMEMBERAT m b x"), respErr("ERR value is not an integer or out of range")},
				{cmd("EXPIREMEMBERAT m b 1 2"), respErr("ERR wrong number of arguments for 'expirememberat' command")},
				{cmd("PEXPIREMEMBERAT m c 0"), respInt(1)},
				{cmd("HGETALL m"), "*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
			}
			runSteps(t, c, steps)
		})
	}
}

// TestHashFieldExpireReads: a dead field is invisible to every read,
// whether or not the sweep (slowed down here, hz 1) reclaimed it yet; that
// a read by name reclaims it and that HLEN counts it until then is
// checked deterministically in shard/hash_ttl_test.go.
func TestHashFieldExpireReads(t *testing.T) {
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			c := servertest.Dial(t, servertest.Start(t, "--threads", threads, "--hz", "1"))
			c.Do("HSET", "r", "a", "1", "b", "2", "c", "3", "n", "41")
			if got := c.Do("HPEXPIRE", "r", "30", "FIELDS", "3", "a", "b", "n"); got != respInts(1, 1, 1) {
				t.Fatalf("HPEXPIRE: %q", got)
			}
			time.Sleep(60 * time.Millisecond)
			steps := []hfeStep{
				{cmd("HGETALL r"), "*2\r\n$1\r\nc\r\n$1\r\n3\r\n"},
				{cmd("HKEYS r"), "*1\r\n$1\r\nc\r\n"},
				{cmd("HVALS r"), "*1\r\n$1\r\n3\r\n"},
				{cmd("HSCAN r 0"), "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"},
				{cmd("HTTL r FIELDS 2 a c"), respInts(-2, -1)},
				{cmd("HPERSIST r FIELDS 1 a"), respInts(-2)},
				{cmd("HRANDFIELD r 5"), "*1\r\n$1\r\nc\r\n"},
				{cmd("HGET r a"), respNull},
				{cmd("HMGET r a b c"), "*3\r\n$-1\r\n$-1\r\n$1\r\n3\r\n"},
				{cmd("HSTRLEN r n"), respInt(0)},
				{cmd("HEXISTS r n"), respInt(0)},
				{cmd("HLEN r"), respInt(1)},
				{cmd("HEXPIRE r 100 FIELDS 1 n"), respInts(-2)},
			}
			runSteps(t, c, steps)

			// HINCRBY on a dead field starts from 0, without a TTL.
			c.Do("HSET", "i", "n", "41", "o", "1")
			c.Do("HPEXPIRE", "i", "20", "FIELDS", "1", "n")
			time.Sleep(40 * time.Millisecond)
			runSteps(t, c, []hfeStep{
				{cmd("HINCRBY i n 1"), respInt(1)},
				{cmd("HTTL i FIELDS 1 n"), respInts(-1)},
			})
			// HSET of a dead field counts it as added; HSETNX sets it.
			c.Do("HPEXPIRE", "i", "20", "FIELDS", "2", "n", "o")
			time.Sleep(40 * time.Millisecond)
			runSteps(t, c, []hfeStep{
				{cmd("HSET i n 5"), respInt(1)},
				{cmd("HSETNX i o 6"), respInt(1)},
				{cmd("HMGET i n o"), "*2\r\n$1\r\n5\r\n$1\r\n6\r\n"},
				{cmd("HTTL i FIELDS 2 n o"), respInts(-1, -1)},
			})
			// A hash of only dead fields: a read by name removes the key;
			// HINCRBY and HSETNX then make a new hash; HRANDFIELD reaps
			// the whole hash first.
			for _, k := range []string{"g", "x", "y", "z"} {
				c.Do("HSET", k, "a", "1", "b", "2")
				c.Do("HPEXPIRE", k, "20", "FIELDS", "2", "a", "b")
			}
			time.Sleep(40 * time.Millisecond)
			runSteps(t, c, []hfeStep{
				{cmd("HGET g a"), respNull},
				{cmd("HGET g b"), respNull},
				{cmd("EXISTS g"), respInt(0)},
				{cmd("HINCRBY x a 2"), respInt(2)},
				{cmd("HGETALL x"), "*2\r\n$1\r\na\r\n$1\r\n2\r\n"},
				{cmd("HSETNX y b 3"), respInt(1)},
				{cmd("HGETALL y"), "*2\r\n$1\r\nb\r\n$1\r\n3\r\n"},
				{cmd("HRANDFIELD z"), respNull},
				{cmd("EXISTS z"), respInt(0)},
			})
		})
	}
}

// waitFor polls cond every 20 ms for up to d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %v (%s)", what, d, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHashFieldExpireActive: fields nobody reads are reclaimed by the
// sweep (HLEN, which reclaims nothing, sees them go), a hash of only
// expiring fields loses its key, WATCH sees it, and many hashes with short
// TTLs are reclaimed within a few seconds.
func TestHashFieldExpireActive(t *testing.T) {
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			addr := servertest.Start(t, "--threads", threads, "--hz", "100")
			c := servertest.Dial(t, addr)
			c.Do("HSET", "a", "x", "1", "keep", "2")
			c.Do("HSET", "only", "x", "1", "y", "2")
			c.Do("HPEXPIRE", "a", "50", "FIELDS", "1", "x")
			c.Do("HPEXPIRE", "only", "50", "FIELDS", "2", "x", "y")
			w := servertest.Dial(t, addr)
			w.Do("WATCH", "only")
			waitFor(t, 2*time.Second, "a 50 ms field reclaimed unread", func() (bool, string) {
				got := c.Do("HLEN", "a")
				return got == respInt(1), got
			})
			waitFor(t, 2*time.Second, "a hash of expired fields loses its key", func() (bool, string) {
				got := c.Do("EXISTS", "only")
				return got == respInt(0), got
			})
			w.Do("MULTI")
			w.Do("SET", "other", "1")
			if got := w.Do("EXEC"); got != "*-1\r\n" {
				t.Errorf("EXEC after the watched hash expired: %q, want a null array", got)
			}

			// Many hashes, big and small, with short TTLs on some or all
			// of their fields.
			const n = 2000
			for i := range n {
				k := fmt.Sprint("m:", i)
				args := []string{"HSET", k}
				fields := 3
				if i%50 == 0 {
					fields = 300 // a big hash from the start
				}
				for f := range fields {
					args = append(args, fmt.Sprint("f", f), "v")
				}
				c.SendArgs(args...)
				exp := []string{"HPEXPIRE", k, fmt.Sprint(30 + i%100), "FIELDS", fmt.Sprint(fields)}
				for f := range fields {
					exp = append(exp, fmt.Sprint("f", f))
				}
				if i%4 == 0 {
					exp[4] = fmt.Sprint(fields - 1) // one field stays
					exp = exp[:len(exp)-1]
				}
				c.SendArgs(exp...)
			}
			for range 2 * n {
				if r := c.Read(); strings.HasPrefix(r, "-") {
					t.Fatalf("setup: %q", r)
				}
			}
			want := 1 + n/4 // "a" and the hashes with a field left
			waitFor(t, 5*time.Second, "many hashes reclaimed", func() (bool, string) {
				got := c.Do("DBSIZE")
				return got == respInt(int64(want)), got
			})
			for i := 0; i < n; i += 4 {
				if got := c.Do("HLEN", fmt.Sprint("m:", i)); got != respInt(1) {
					t.Fatalf("HLEN m:%d = %q, want 1", i, got)
				}
			}
		})
	}
}

// TestHashFieldExpireAcrossShards: RENAME, COPY and MOVE carry field TTLs,
// between shards (the flat form) and within one, and the copies' fields
// still expire by themselves.
func TestHashFieldExpireAcrossShards(t *testing.T) {
	addr := servertest.Start(t, "--threads", "4", "--hz", "100")
	c := servertest.Dial(t, addr)
	k := keysOnShards("hk", 4) // k[i] lives on shard i
	big := []string{"HSET", k[0]}
	for f := range 300 {
		big = append(big, fmt.Sprint("f", f), fmt.Sprint("v", f))
	}
	far := strconv.FormatInt(hfeFar, 10)
	runSteps(t, c, []hfeStep{
		{big, respInt(300)},
		{cmd("HPEXPIREAT " + k[0] + " " + far + " FIELDS 2 f1 f2"), respInts(1, 1)},
		{cmd("HPEXPIRE " + k[0] + " 100 FIELDS 1 f3"), respInts(1)},
		{cmd("RENAME " + k[0] + " " + k[1]), "+OK\r\n"},
		{cmd("HPEXPIRETIME " + k[1] + " FIELDS 3 f1 f2 f4"), respInts(hfeFar, hfeFar, -1)},
		{cmd("COPY " + k[1] + " " + k[2]), respInt(1)},
		{cmd("HPEXPIRETIME " + k[2] + " FIELDS 3 f1 f2 f4"), respInts(hfeFar, hfeFar, -1)},
		{cmd("COPY " + k[2] + " same"), respInt(1)},
		{cmd("HPEXPIRETIME same FIELDS 2 f1 f4"), respInts(hfeFar, -1)},
		{cmd("MOVE " + k[2] + " 1"), respInt(1)},
		{cmd("SELECT 1"), "+OK\r\n"},
		{cmd("HPEXPIRETIME " + k[2] + " FIELDS 2 f2 f5"), respInts(hfeFar, -1)},
		{cmd("SELECT 0"), "+OK\r\n"},
		// A small hash with a field TTL (a table since then) crosses too.
		{cmd("HSET " + k[3] + " a 1 b 2"), respInt(2)},
		{cmd("HEXPIRE " + k[3] + " 1000 FIELDS 1 a"), respInts(1)},
		{cmd("RENAME " + k[3] + " " + k[0]), "+OK\r\n"},
		{cmd("HTTL " + k[0] + " FIELDS 2 a b"), respInts(1000, -1)},
		{cmd("OBJECT ENCODING " + k[0]), respBulk("hashtable")},
	})
	// f3 (100 ms) expires in every copy, unread.
	for _, key := range []string{k[1], "same"} {
		waitFor(t, 2*time.Second, "f3 of "+key+" reclaimed", func() (bool, string) {
			got := c.Do("HLEN", key)
			return got == respInt(299), got
		})
	}
	c.Do("SELECT", "1")
	waitFor(t, 2*time.Second, "f3 of the moved key reclaimed", func() (bool, string) {
		got := c.Do("HLEN", k[2])
		return got == respInt(299), got
	})
}
