package server_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// Tests of KeyDB's EXPIREMEMBER family on set and sorted-set members
// (server/hashcmd/expire.go, shard/member_ttl.go). There is no KeyDB to
// diff against: the expected replies are KeyDB's, read from its
// expire.cpp (1 when the expiry was set, 0 for a missing key or member,
// its error strings), and where Anax differs on purpose (a dead member is
// invisible at once, a re-added member has no expiry) docs/compat.md says
// so.

// respBulks is the RESP array of bulk strings ss.
func respBulks(ss ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(ss))
	for _, s := range ss {
		b.WriteString(respBulk(s))
	}
	return b.String()
}

const errDumpUnsupported = "ERR DUMP is not supported for this key's type yet"

// TestMemberExpireCommands runs the family's replies and errors on sets
// and sorted sets over 1 and 4 shards.
func TestMemberExpireCommands(t *testing.T) {
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			c := servertest.Dial(t, servertest.Start(t, "--threads", threads))
			far := strconv.FormatInt(hfeFar, 10)
			runSteps(t, c, []hfeStep{
				// Sets: an intset converts on its first member TTL.
				{cmd("SADD s 1 2 3 4"), respInt(4)},
				{cmd("OBJECT ENCODING s"), respBulk("intset")},
				{cmd("EXPIREMEMBER s 9 100"), respInt(0)}, // no such member: no conversion
				{cmd("OBJECT ENCODING s"), respBulk("intset")},
				{cmd("EXPIREMEMBER s 1 100"), respInt(1)},
				{cmd("OBJECT ENCODING s"), respBulk("hashtable")},
				{cmd("EXPIREMEMBER s 1 100000 ms"), respInt(1)},
				{cmd("EXPIREMEMBERAT s 2 " + strconv.FormatInt(hfeFar/1000, 10)), respInt(1)},
				{cmd("PEXPIREMEMBERAT s 3 " + far), respInt(1)},
				{cmd("EXPIREMEMBER nokey a 10"), respInt(0)},
				{cmd("EXPIREMEMBER s 1 10 h"), respErr("ERR Invalid unit arg")},
				{cmd("EXPIREMEMBER s 1 x"), respErr("ERR value is not an integer or out of range")},
				{cmd("EXPIREMEMBER s 1 10 s x"), respErr("ERR Invalid number of arguments")},
				{cmd("SCARD s"), respInt(4)},
				// A time not in the future removes the member at once.
				{cmd("PEXPIREMEMBERAT s 3 0"), respInt(1)},
				{cmd("EXPIREMEMBER s 4 -1"), respInt(1)},
				{cmd("SISMEMBER s 3"), respInt(0)},
				{cmd("SCARD s"), respInt(2)},
				{cmd("SMISMEMBER s 1 2 3 4"), respInts(1, 1, 0, 0)},
				// A set with member TTLs has no DUMP payload (as a hash
				// with field TTLs).
				{cmd("DUMP s"), respErr(errDumpUnsupported)},
				// Removing the last member by its expiry removes the key.
				{cmd("SADD one x"), respInt(1)},
				{cmd("EXPIREMEMBERAT one x 1"), respInt(1)},
				{cmd("EXISTS one"), respInt(0)},
				{cmd("EXPIREMEMBER one x 10"), respInt(0)},

				// Sorted sets: a listpack converts on its first member TTL.
				{cmd("ZADD z 1 a 2 b 3 c"), respInt(3)},
				{cmd("OBJECT ENCODING z"), respBulk("listpack")},
				{cmd("EXPIREMEMBER z nope 100"), respInt(0)},
				{cmd("OBJECT ENCODING z"), respBulk("listpack")},
				{cmd("EXPIREMEMBER z a 100"), respInt(1)},
				{cmd("OBJECT ENCODING z"), respBulk("skiplist")},
				{cmd("PEXPIREMEMBERAT z b " + far), respInt(1)},
				{cmd("ZADD z 5 b"), respInt(0)}, // a score update keeps the TTL
				{cmd("EXPIREMEMBERAT z c 1"), respInt(1)},
				{cmd("ZSCORE z c"), respNull},
				{cmd("ZCARD z"), respInt(2)},
				{cmd("ZRANGE z 0 -1 WITHSCORES"), respBulks("a", "1", "b", "5")},
				{cmd("DUMP z"), respErr(errDumpUnsupported)},

				// Other types are refused with KeyDB's error; hashes still
				// work.
				{cmd("RPUSH l a"), respInt(1)},
				{cmd("EXPIREMEMBER l a 10"), respErr("ERR object type is unsupported")},
				{cmd("SET str x"), "+OK\r\n"},
				{cmd("EXPIREMEMBER str x 10"), respErr("ERR object type is unsupported")},
				{cmd("HSET h f v"), respInt(1)},
				{cmd("EXPIREMEMBER h f 100"), respInt(1)},
				{cmd("HTTL h FIELDS 1 f"), respInts(100)},
			})
		})
	}
}

// TestMemberExpireReads: a dead member is invisible to every read of a set
// or sorted set, across shards too (the sweep is slowed down to hz 1, so
// reads meet members it has not reclaimed), writes treat it as absent, a
// removed and re-added member has no TTL, and a key of dead members is
// gone.
func TestMemberExpireReads(t *testing.T) {
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			c := servertest.Dial(t, servertest.Start(t, "--threads", threads, "--hz", "1"))
			c.Do("SADD", "s", "a", "b", "c", "d")
			c.Do("SADD", "t", "c", "d", "e")
			c.Do("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d")
			c.Do("ZADD", "w", "10", "c", "20", "d")
			for _, k := range []string{"s", "z"} {
				for _, m := range []string{"a", "b", "c"} {
					if got := c.Do("EXPIREMEMBER", k, m, "30", "ms"); got != respInt(1) {
						t.Fatalf("EXPIREMEMBER %s %s: %q", k, m, got)
					}
				}
			}
			// Removed and re-added: no TTL any more.
			c.Do("SADD", "r", "x", "y")
			c.Do("EXPIREMEMBER", "r", "x", "30", "ms")
			c.Do("SREM", "r", "x")
			c.Do("SADD", "r", "x")
			// Sets and sorted sets of only dying members.
			c.Do("SADD", "gone", "a", "b")
			c.Do("ZADD", "zgone", "1", "a")
			c.Do("EXPIREMEMBER", "gone", "a", "30", "ms")
			c.Do("EXPIREMEMBER", "gone", "b", "30", "ms")
			c.Do("EXPIREMEMBER", "zgone", "a", "30", "ms")
			time.Sleep(60 * time.Millisecond)
			runSteps(t, c, []hfeStep{
				{cmd("SMEMBERS s"), respBulks("d")},
				{cmd("SISMEMBER s a"), respInt(0)},
				{cmd("SMISMEMBER s a d"), respInts(0, 1)},
				{cmd("SRANDMEMBER s 5"), respBulks("d")},
				{cmd("SSCAN s 0"), "*2\r\n" + respBulk("0") + respBulks("d")},
				{cmd("SINTER s t"), respBulks("d")},
				{cmd("SINTERCARD 2 s t"), respInt(1)},
				{cmd("SDIFFSTORE dd t s"), respInt(2)},
				{cmd("SMISMEMBER dd c d e"), respInts(1, 0, 1)},
				{cmd("SUNIONSTORE u s t"), respInt(3)},
				{cmd("SORT s ALPHA"), respBulks("d")},
				{cmd("SMOVE s t a"), respInt(0)},
				{cmd("SCARD s"), respInt(1)},
				{cmd("SADD s b"), respInt(1)}, // dead: added anew
				{cmd("SREM s b"), respInt(1)},

				{cmd("ZRANGE z 0 -1 WITHSCORES"), respBulks("d", "4")},
				{cmd("ZSCORE z a"), respNull},
				{cmd("ZMSCORE z a d"), "*2\r\n" + respNull + respBulk("4")},
				{cmd("ZCARD z"), respInt(1)},
				{cmd("ZRANK z d"), respInt(0)},
				{cmd("ZCOUNT z -inf +inf"), respInt(1)},
				{cmd("ZRANGEBYSCORE z -inf +inf"), respBulks("d")},
				{cmd("ZRANDMEMBER z 5"), respBulks("d")},
				{cmd("ZSCAN z 0"), "*2\r\n" + respBulk("0") + respBulks("d", "4")},
				{cmd("ZINTER 2 z w WITHSCORES"), respBulks("d", "24")},
				{cmd("ZUNIONSTORE zu 2 z w"), respInt(2)},
				{cmd("SORT z ALPHA"), respBulks("d")},
				{cmd("ZINCRBY z 5 a"), respBulk("5")}, // dead: starts from 0
				{cmd("ZADD z 1 b"), respInt(1)},       // dead: added anew

				{cmd("SISMEMBER r x"), respInt(1)},
				{cmd("EXISTS gone"), respInt(0)},
				{cmd("TYPE zgone"), "+none\r\n"},
			})
		})
	}
}

// TestMemberExpireActive: members nobody reads are reclaimed by the sweep:
// keys of only expiring members disappear (DBSIZE, which reads no key,
// sees them go), WATCH sees it, and many sets and sorted sets with short
// member TTLs are reclaimed within a few seconds.
func TestMemberExpireActive(t *testing.T) {
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			addr := servertest.Start(t, "--threads", threads, "--hz", "100")
			c := servertest.Dial(t, addr)
			c.Do("SADD", "only", "x", "y")
			c.Do("EXPIREMEMBER", "only", "x", "50", "ms")
			c.Do("EXPIREMEMBER", "only", "y", "50", "ms")
			w := servertest.Dial(t, addr)
			w.Do("WATCH", "only")
			waitFor(t, 2*time.Second, "a set of expired members loses its key", func() (bool, string) {
				got := c.Do("DBSIZE")
				return got == respInt(0), got
			})
			w.Do("MULTI")
			w.Do("SET", "other", "1")
			if got := w.Do("EXEC"); got != "*-1\r\n" {
				t.Errorf("EXEC after the watched set expired: %q, want a null array", got)
			}
			c.Do("DEL", "other")

			const n = 1000
			for i := range n {
				k := fmt.Sprint("m:", i)
				members := 3
				if i%50 == 0 {
					members = 300 // big from the start
				}
				args := []string{"SADD", k}
				if i%2 == 1 {
					args[0] = "ZADD"
				}
				for m := range members {
					if i%2 == 1 {
						args = append(args, strconv.Itoa(m))
					}
					args = append(args, fmt.Sprint("f", m))
				}
				c.SendArgs(args...)
				left := 0
				if i%4 == 0 {
					left = 1 // one member stays
				}
				for m := left; m < members; m++ {
					c.SendArgs("EXPIREMEMBER", k, fmt.Sprint("f", m), strconv.Itoa(30+i%100), "ms")
				}
			}
			c.SendArgs("PING")
			for {
				r := c.Read()
				if strings.HasPrefix(r, "-") {
					t.Fatalf("setup: %q", r)
				}
				if r == "+PONG\r\n" {
					break
				}
			}
			want := n / 4
			waitFor(t, 5*time.Second, "many sets reclaimed", func() (bool, string) {
				got := c.Do("DBSIZE")
				return got == respInt(int64(want)), got
			})
		})
	}
}

// TestMemberExpireCopies: RENAME, COPY and MOVE carry member TTLs, between
// shards (the flat form) and within one: the copies' dying members go by
// themselves, the others stay, and every copy still has TTLs (DUMP
// refuses it).
func TestMemberExpireCopies(t *testing.T) {
	addr := servertest.Start(t, "--threads", "4", "--hz", "100")
	c := servertest.Dial(t, addr)
	for _, typ := range []string{"set", "zset"} {
		k := keysOnShards(typ+"k", 4)
		add := []string{"SADD", k[0]}
		if typ == "zset" {
			add[0] = "ZADD"
		}
		for m := range 300 {
			if typ == "zset" {
				add = append(add, strconv.Itoa(m))
			}
			add = append(add, fmt.Sprint("f", m))
		}
		far := strconv.FormatInt(hfeFar, 10)
		card := "SCARD"
		if typ == "zset" {
			card = "ZCARD"
		}
		runSteps(t, c, []hfeStep{
			{add, respInt(300)},
			{cmd("PEXPIREMEMBERAT " + k[0] + " f1 " + far), respInt(1)},
			{cmd("EXPIREMEMBER " + k[0] + " f3 100 ms"), respInt(1)},
			{cmd("RENAME " + k[0] + " " + k[1]), "+OK\r\n"},
			{cmd("DUMP " + k[1]), respErr(errDumpUnsupported)},
			{cmd("COPY " + k[1] + " " + k[2]), respInt(1)},
			{cmd("DUMP " + k[2]), respErr(errDumpUnsupported)},
			{cmd("COPY " + k[2] + " " + typ + "same"), respInt(1)},
			{cmd("MOVE " + k[2] + " 1"), respInt(1)},
		})
		for _, key := range []string{k[1], typ + "same"} {
			waitFor(t, 2*time.Second, "f3 of "+key+" reclaimed", func() (bool, string) {
				got := c.Do(card, key)
				return got == respInt(299), got
			})
			if got := c.Do("DUMP", key); got != respErr(errDumpUnsupported) {
				t.Fatalf("DUMP %s after f3 went (f1 keeps its TTL): %q", key, got)
			}
		}
		c.Do("SELECT", "1")
		waitFor(t, 2*time.Second, "f3 of the moved key reclaimed", func() (bool, string) {
			got := c.Do(card, k[2])
			return got == respInt(299), got
		})
		c.Do("SELECT", "0")
	}
}
