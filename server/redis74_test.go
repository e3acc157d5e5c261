package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// TestRedis74Introspection checks the figures Redis 7.4 added to INFO and
// CLIENT LIST (the 7.0 oracle of the diff tests has none of them):
// pubsub_clients, watching_clients, total_watched_keys, CLIENT LIST's
// watch=, expired_subkeys and evicted_scripts, over keys on several shards.
func TestRedis74Introspection(t *testing.T) {
	addr := servertest.Start(t, "--threads", "4")
	ctx := context.Background()
	rc := admClient(t, addr, 2)
	info := func() map[string]string {
		text, err := rc.Info(ctx, "everything").Result()
		if err != nil {
			t.Fatal(err)
		}
		_, secs := infoFields(t, text)
		all := map[string]string{}
		for _, fields := range secs {
			for k, v := range fields {
				all[k] = v
			}
		}
		return all
	}
	// waitFor polls INFO until every field has its value: unsubscribing
	// and unwatching reach the shards after their replies.
	waitFor := func(what string, want map[string]string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			got := info()
			ok := true
			for k, v := range want {
				ok = ok && got[k] == v
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				for k, v := range want {
					if got[k] != v {
						t.Errorf("%s: %s = %q, want %q", what, k, got[k], v)
					}
				}
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor("at start", map[string]string{"pubsub_clients": "0", "watching_clients": "0", "total_watched_keys": "0",
		"expired_subkeys": "0", "evicted_scripts": "0"})

	sub1, sub2, sub3 := servertest.Dial(t, addr), servertest.Dial(t, addr), servertest.Dial(t, addr)
	sub1.Do("SUBSCRIBE", "a", "b")
	sub2.Do("PSUBSCRIBE", "n*")
	sub3.Do("SSUBSCRIBE", "s")
	waitFor("three subscribed clients", map[string]string{"pubsub_clients": "3"})
	sub1.Do("UNSUBSCRIBE")
	sub3.Close()
	waitFor("one unsubscribed, one gone", map[string]string{"pubsub_clients": "1"})

	w1, w2 := servertest.Dial(t, addr), servertest.Dial(t, addr)
	w1.Do("WATCH", "k1", "k2")
	w2.Do("WATCH", "k2", "k3", "k4")
	w2.Do("WATCH", "k4")
	waitFor("two watching clients", map[string]string{"watching_clients": "2", "total_watched_keys": "4"})
	list := w1.Do("CLIENT", "LIST")
	if strings.Count(list, " watch=2 ") != 1 || strings.Count(list, " watch=3 ") != 1 || strings.Count(list, " watch=0 ") != 3 {
		t.Errorf("CLIENT LIST watch= fields:\n%s", list)
	}
	w1.Do("MULTI")
	w1.Do("SET", "k1", "v")
	w1.Do("EXEC")
	waitFor("after one EXEC", map[string]string{"watching_clients": "1", "total_watched_keys": "3"})
	w2.Do("UNWATCH")
	waitFor("after UNWATCH", map[string]string{"watching_clients": "0", "total_watched_keys": "0"})
	if got := w2.Do("CLIENT", "INFO"); !strings.Contains(got, " watch=0 ") {
		t.Errorf("CLIENT INFO after UNWATCH: %q", got)
	}

	c := servertest.Dial(t, addr)
	c.Do("HSET", "h", "f1", "v", "f2", "v", "f3", "v")
	c.Do("HPEXPIRE", "h", "1", "FIELDS", "2", "f1", "f2")
	time.Sleep(20 * time.Millisecond)
	c.Do("HGET", "h", "f1")
	c.Do("HGET", "h", "f2")
	waitFor("two hash fields expired", map[string]string{"expired_subkeys": "2"})
	// Lua's os holds clock alone.
	for script, want := range map[string]string{
		"return type(os.clock)":                           "$8\r\nfunction\r\n",
		"return os.time":                                  "$-1\r\n",
		"return tostring(os.clock() >= 0)":                "$4\r\ntrue\r\n",
		"return type(os)":                                 "$5\r\ntable\r\n",
		"return tostring(pcall(function() os.x = 1 end))": "$5\r\nfalse\r\n",
	} {
		if got := c.Do("EVAL", script, "0"); got != want {
			t.Errorf("EVAL %q = %q, want %q", script, got, want)
		}
	}
	// EVAL scripts beyond the cache's 500 are evicted, oldest first.
	c.Do("SCRIPT", "FLUSH")
	for i := 0; i < 502; i++ {
		c.Do("EVAL", fmt.Sprintf("return %d", i), "0")
	}
	waitFor("502 EVAL scripts", map[string]string{"evicted_scripts": "2", "number_of_cached_scripts": "500"})
	if got := c.Do("EVALSHA", strings.TrimSpace(c.Do("SCRIPT", "LOAD", "return 0")[5:]), "0"); got != ":0\r\n" {
		t.Errorf("EVALSHA of an evicted script after SCRIPT LOAD: %q", got)
	}
	c.Do("CONFIG", "RESETSTAT")
	waitFor("after CONFIG RESETSTAT", map[string]string{"expired_subkeys": "0", "evicted_scripts": "0"})
}

// TestMultiQueueCountsTowardsQueryLimit checks Redis 7.4's bound on a
// transaction's queue: the queued arguments count towards
// client-query-buffer-limit with the unread input, so a MULTI that queues
// more than the limit closes the connection; CLIENT LIST shows the queue
// (flags x, multi=, multi-mem=).
func TestMultiQueueCountsTowardsQueryLimit(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2")
	admin := servertest.Dial(t, addr)
	if got := admin.Do("CONFIG", "SET", "client-query-buffer-limit", "1mb"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	c := servertest.Dial(t, addr)
	c.Do("CLIENT", "SETNAME", "queuer")
	c.Do("MULTI")
	c.Do("SET", "k", "v")
	c.Do("GET", "k")
	list := admin.Do("CLIENT", "LIST")
	line := ""
	for _, l := range strings.Split(list, "\n") {
		if strings.Contains(l, "name=queuer ") {
			line = l
		}
	}
	// SET k v: 3 arguments of 3+1+1 bytes, 8 more each; GET k: 3+1 and 16.
	if !strings.Contains(line, " flags=x ") || !strings.Contains(line, " multi=2 ") || !strings.Contains(line, " multi-mem=49 ") {
		t.Errorf("CLIENT LIST line of a client in MULTI: %q", line)
	}
	big := strings.Repeat("x", 200<<10)
	for i := 0; i < 4; i++ {
		if got := c.Do("SET", "k", big); got != "+QUEUED\r\n" {
			t.Fatalf("SET %d: %q", i, got)
		}
	}
	// Over 1 MB queued: the next read closes the connection.
	c.SendArgs("SET", "k", big)
	c.SendArgs("SET", "k", big)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := c.ReadErr(); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the connection is still open with more than the limit queued")
		}
	}
	if got := admin.Do("INFO", "stats"); !strings.Contains(got, "client_query_buffer_limit_disconnections:1\r\n") {
		t.Errorf("INFO stats after the disconnection: %q", got)
	}
	if got := admin.Do("GET", "k"); got != "$-1\r\n" {
		t.Errorf("GET k after the closed transaction: %q", got)
	}
	// Within the limit a transaction runs, and EXEC clears the count.
	c2 := servertest.Dial(t, addr)
	c2.Do("MULTI")
	c2.Do("SET", "k", big)
	if got := c2.Do("EXEC"); got != "*1\r\n+OK\r\n" {
		t.Errorf("EXEC: %q", got)
	}
	if got := c2.Do("CLIENT", "INFO"); !strings.Contains(got, " multi=-1 ") || !strings.Contains(got, " multi-mem=0 ") {
		t.Errorf("CLIENT INFO after EXEC: %q", got)
	}
}

// TestPushesFollowTheirCommandsReply checks Redis 7.2's order for messages
// a RESP3 client causes to itself (the 7.0 oracle puts them first, or
// inside EXEC's array): PUBLISH's reply, then the message; EXEC's and
// EVAL's whole reply, then the messages their bodies published; a keyspace
// event of the client's own write after the write's reply; UNSUBSCRIBE
// inside MULTI answering within EXEC's array (Redis 7.4's unit/pubsub
// "publish to self inside multi", "... inside script", "unsubscribe inside
// multi, and publish to self").
func TestPushesFollowTheirCommandsReply(t *testing.T) {
	msg := func(channel, payload string) string {
		return fmt.Sprintf(">3\r\n$7\r\nmessage\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(channel), channel, len(payload), payload)
	}
	for _, shards := range []string{"1", "4"} {
		t.Run("threads="+shards, func(t *testing.T) {
			addr := servertest.Start(t, "--threads", shards)
			// Several clients, so that with 4 loops the checked one may
			// share its loop with none or some of them.
			for i := 0; i < 5; i++ {
				c := servertest.Dial(t, addr)
				c.Do("HELLO", "3")
				ch := fmt.Sprintf("foo%d", i)
				c.Do("SUBSCRIBE", ch)
				expect := func(what string, want ...string) {
					t.Helper()
					for _, w := range want {
						if got := c.Read(); got != w {
							t.Fatalf("client %d, %s: got %q, want %q", i, what, got, w)
						}
					}
				}
				c.SendArgs("PUBLISH", ch, "plain")
				expect("PUBLISH to self", ":1\r\n", msg(ch, "plain"))

				c.SendArgs("MULTI")
				c.SendArgs("PING", "abc")
				c.SendArgs("PUBLISH", ch, "bar")
				c.SendArgs("PUBLISH", ch, "vaz")
				c.SendArgs("PING", "def")
				c.SendArgs("EXEC")
				expect("publish to self inside MULTI", "+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n",
					"*4\r\n$3\r\nabc\r\n:1\r\n:1\r\n$3\r\ndef\r\n", msg(ch, "bar"), msg(ch, "vaz"))

				c.SendArgs("EVAL", `redis.call("ping","abc") redis.call("publish",ARGV[1],"bar") redis.call("publish",ARGV[1],"vaz") redis.call("ping","def") return "bla"`, "0", ch)
				expect("publish to self inside a script", "$3\r\nbla\r\n", msg(ch, "bar"), msg(ch, "vaz"))
				// Declared keys place the script on their shard.
				c.SendArgs("EVAL", `redis.call("set",KEYS[1],"v") redis.call("publish",ARGV[1],"bar") return "bla"`, "1", fmt.Sprintf("s%d", i), ch)
				expect("publish inside a script with a key", "$3\r\nbla\r\n", msg(ch, "bar"))

				// A transaction whose keys are on other shards (with 4
				// loops) publishes there: its reply still comes first.
				c.SendArgs("MULTI")
				c.SendArgs("SET", fmt.Sprintf("k%d", i), "v")
				c.SendArgs("SET", fmt.Sprintf("j%d", i), "v")
				c.SendArgs("PUBLISH", ch, "keys")
				c.SendArgs("EXEC")
				expect("publish inside MULTI with keys", "+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n",
					"*3\r\n+OK\r\n+OK\r\n:1\r\n", msg(ch, "keys"))

				// Pipelined: each message right after its own command's
				// reply, before the next command's.
				c.Send([]byte(string(servertest.Encode("PUBLISH", ch, "p1")) + string(servertest.Encode("PING")) +
					string(servertest.Encode("PUBLISH", ch, "p2"))))
				expect("pipelined publishes", ":1\r\n", msg(ch, "p1"), "+PONG\r\n", ":1\r\n", msg(ch, "p2"))

				c.Do("SUBSCRIBE", "bar", "baz")
				expect("subscriptions", ">3\r\n$9\r\nsubscribe\r\n$3\r\nbaz\r\n:3\r\n")
				c.SendArgs("MULTI")
				c.SendArgs("PING", "abc")
				c.SendArgs("UNSUBSCRIBE", "bar")
				c.SendArgs("UNSUBSCRIBE", "baz")
				c.SendArgs("PING", "def")
				c.SendArgs("EXEC")
				expect("unsubscribe inside MULTI", "+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n",
					"*4\r\n$3\r\nabc\r\n>3\r\n$11\r\nunsubscribe\r\n$3\r\nbar\r\n:2\r\n>3\r\n$11\r\nunsubscribe\r\n$3\r\nbaz\r\n:1\r\n$3\r\ndef\r\n")
				c.SendArgs("PUBLISH", ch, "vaz")
				expect("publish after", ":1\r\n", msg(ch, "vaz"))
				if !c.Quiet(30 * time.Millisecond) {
					t.Fatalf("client %d has more to read: %q", i, c.Read())
				}
			}

			// A keyspace event of the client's own write follows the
			// write's reply.
			admin := servertest.Dial(t, addr)
			admin.Do("CONFIG", "SET", "notify-keyspace-events", "KEA")
			c := servertest.Dial(t, addr)
			c.Do("HELLO", "3")
			c.Do("SUBSCRIBE", "__keyspace@0__:ev")
			c.SendArgs("SET", "ev", "1")
			for _, w := range []string{"+OK\r\n", msg("__keyspace@0__:ev", "set")} {
				if got := c.Read(); got != w {
					t.Fatalf("keyspace event of its own SET: got %q, want %q", got, w)
				}
			}
		})
	}
}

// TestPushesReachABlockedClient checks that a RESP3 client waiting in a
// blocking command gets its messages and tracking invalidations as they
// come, as from Redis, not once the command returns, and the command's
// reply after them.
func TestPushesReachABlockedClient(t *testing.T) {
	o := servertest.StartOracle(t)
	for _, shards := range []string{"1", "4"} {
		t.Run("threads="+shards, func(t *testing.T) {
			anax := servertest.Start(t, "--threads", shards)
			for _, addr := range []string{anax, o.Addr} {
				c := servertest.Dial(t, addr)
				other := servertest.Dial(t, addr)
				other.Do("DEL", "tracked", "list")
				c.Do("HELLO", "3")
				c.Do("CLIENT", "TRACKING", "ON")
				c.Do("GET", "tracked")
				c.Do("SUBSCRIBE", "news")
				c.SendArgs("BLPOP", "list", "10")
				// BLPOP blocks before the other connection's commands run.
				deadline := time.Now().Add(5 * time.Second)
				for !strings.Contains(other.Do("INFO", "clients"), "blocked_clients:1\r\n") {
					if time.Now().After(deadline) {
						t.Fatalf("%s: BLPOP did not block", addr)
					}
					time.Sleep(5 * time.Millisecond)
				}
				if got := other.Do("PUBLISH", "news", "hello"); got != ":1\r\n" {
					t.Fatalf("%s: PUBLISH: %q", addr, got)
				}
				want := ">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n"
				if got := c.Read(); got != want {
					t.Fatalf("%s: the blocked client read %q, want the message %q", addr, got, want)
				}
				other.Do("SET", "tracked", "v")
				want = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$7\r\ntracked\r\n"
				if got := c.Read(); got != want {
					t.Fatalf("%s: the blocked client read %q, want the invalidation %q", addr, got, want)
				}
				other.Do("RPUSH", "list", "x")
				want = "*2\r\n$4\r\nlist\r\n$1\r\nx\r\n"
				if got := c.Read(); got != want {
					t.Fatalf("%s: BLPOP's reply %q, want %q", addr, got, want)
				}
			}
		})
	}
}
