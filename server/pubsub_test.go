package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// psStep is one step of a Pub/Sub script: client c sends cmd (if any) and
// reads n values; skip leaves the values uncompared (HELLO's reply).
type psStep struct {
	c    int
	cmd  []string
	n    int
	skip bool
	// sorted compares an array reply's elements in any order (Redis
	// lists channels in the order of its hash table).
	sorted bool
	// anyOrder compares the n values read in any order: a client's own
	// messages follow its command's reply in Redis 7.2 and later, and
	// come before it in the 7.0 oracle (TestPushesFollowTheirCommandsReply
	// checks the order).
	anyOrder bool
}

func psDo(c int, n int, cmd ...string) psStep { return psStep{c: c, cmd: cmd, n: n} }
func psRead(c int, n int) psStep              { return psStep{c: c, n: n} }

// runPubSubScript runs steps on clients of Anax and of the oracle and
// compares every value read, byte for byte; at the end no client may have
// anything more to read.
func runPubSubScript(t *testing.T, anax, redis string, clients int, steps []psStep) {
	t.Helper()
	var a, r []*servertest.Raw
	for i := 0; i < clients; i++ {
		a = append(a, servertest.Dial(t, anax))
		r = append(r, servertest.Dial(t, redis))
	}
	for i, s := range steps {
		if s.cmd != nil {
			a[s.c].SendArgs(s.cmd...)
			r[s.c].SendArgs(s.cmd...)
		}
		var gotA, gotR []string
		for j := 0; j < s.n; j++ {
			ga, gr := a[s.c].Read(), r[s.c].Read()
			if s.sorted {
				ga, gr = servertest.SortedElements(t, ga, false), servertest.SortedElements(t, gr, false)
			}
			gotA, gotR = append(gotA, ga), append(gotR, gr)
		}
		if s.anyOrder {
			slices.Sort(gotA)
			slices.Sort(gotR)
		}
		for j := range gotA {
			if !s.skip && gotA[j] != gotR[j] {
				t.Errorf("step %d (client %d %q) value %d:\n anax:  %q\n redis: %q", i, s.c, s.cmd, j, gotA[j], gotR[j])
			}
		}
	}
	for i := range a {
		if !a[i].Quiet(30 * time.Millisecond) {
			t.Errorf("anax client %d has more to read: %q", i, a[i].Read())
		}
		if !r[i].Quiet(30 * time.Millisecond) {
			t.Errorf("redis client %d has more to read: %q", i, r[i].Read())
		}
	}
}

func TestPubSubMatchesRedis(t *testing.T) {
	o := servertest.StartOracle(t)
	steps := []psStep{
		// Client 0 subscribes; 1 publishes; 2 uses patterns; 3 is RESP3.
		psDo(0, 1, "UNSUBSCRIBE"),
		psDo(0, 1, "PUNSUBSCRIBE"),
		psDo(0, 1, "SUNSUBSCRIBE"),
		psDo(0, 2, "SUBSCRIBE", "news", "sport"),
		psDo(0, 1, "SUBSCRIBE", "news"),
		psDo(0, 1, "GET", "x"),
		psDo(0, 1, "PUBSUB", "CHANNELS"),
		psDo(0, 1, "PUBSUB", "NOSUCH"),
		psDo(0, 1, "PUBSUB", "NUMPAT", "x"),
		psDo(0, 1, "CLIENT", "ID", "x"),
		psDo(0, 1, "PING"),
		psDo(0, 1, "PING", "hi"),
		psDo(0, 1, "PING", "a", "b"),
		psDo(0, 1, "NOSUCH"),
		psDo(0, 1, "SET"),
		psDo(1, 1, "PUBLISH", "news", "hello"),
		psRead(0, 1),
		psDo(2, 2, "PSUBSCRIBE", "n*", "s[pq]ort"),
		psDo(1, 1, "PUBLISH", "news", "two"),
		psRead(0, 1), psRead(2, 1),
		psDo(1, 1, "PUBLISH", "sport", "goal"),
		psRead(0, 1), psRead(2, 1),
		psDo(1, 1, "EVAL", "return redis.call('publish', 'news', 'lua')", "0"),
		psRead(0, 1), psRead(2, 1),
		psDo(1, 1, "EVAL", "return redis.call('pubsub', 'numsub', 'news')", "0"),
		psDo(1, 1, "EVAL", "return redis.call('subscribe', 'news')", "0"),
		psDo(1, 1, "MULTI"),
		psDo(1, 1, "PUBLISH", "news", "multi"),
		psDo(1, 1, "EXEC"),
		psRead(0, 1), psRead(2, 1),
		psDo(1, 1, "PUBLISH", "nothing", "x"),
		psRead(2, 1),
		psDo(1, 1, "PUBLISH", "other", "x"),
		psDo(1, 1, "PUBSUB", "NUMSUB", "news", "sport", "none"),
		psDo(1, 1, "PUBSUB", "NUMSUB"),
		psDo(1, 1, "PUBSUB", "NUMPAT"),
		psDo(1, 1, "PUBSUB", "CHANNELS", "n*"),
		psDo(1, 1, "PUBSUB", "CHANNELS", "a", "b"),
		psDo(1, 1, "PUBSUB", "NUMPAT", "x"),
		psDo(1, 1, "PUBSUB", "NOSUCH"),
		psDo(1, 1, "PUBSUB", "HELP"),
		psDo(2, 1, "PUNSUBSCRIBE", "s[pq]ort", "never"),
		psRead(2, 1),
		psDo(2, 1, "SUBSCRIBE", "news"),
		psDo(2, 1, "PUNSUBSCRIBE"),
		psDo(2, 1, "PUNSUBSCRIBE"),
		psDo(2, 1, "UNSUBSCRIBE"),
		psDo(2, 1, "GET", "x"),
		psDo(0, 1, "UNSUBSCRIBE", "sport"),
		psDo(0, 1, "UNSUBSCRIBE"),
		psDo(0, 1, "GET", "x"),
		// RESP3: pushes mixed with ordinary replies, and its own messages.
		{c: 3, cmd: []string{"HELLO", "3"}, n: 1, skip: true},
		psDo(3, 1, "SUBSCRIBE", "r3"),
		psDo(3, 1, "GET", "x"),
		psDo(3, 1, "PING"),
		{c: 3, cmd: []string{"PUBLISH", "r3", "self"}, n: 2, anyOrder: true},
		psDo(1, 1, "PUBLISH", "r3", "other"),
		psRead(3, 1),
		psDo(3, 1, "PSUBSCRIBE", "r*"),
		{c: 3, cmd: []string{"PUBLISH", "r3", "both"}, n: 3, anyOrder: true},
		psDo(3, 1, "UNSUBSCRIBE", "r3"),
		psDo(3, 1, "PUNSUBSCRIBE"),
		psDo(3, 1, "UNSUBSCRIBE"),
		// Shard channels.
		psDo(0, 2, "SSUBSCRIBE", "s1", "s2"),
		psDo(0, 1, "SUBSCRIBE", "c1"),
		psDo(1, 1, "SPUBLISH", "s1", "m"),
		psRead(0, 1),
		psDo(1, 1, "PUBLISH", "s1", "not-shard"),
		{c: 1, cmd: []string{"PUBSUB", "SHARDCHANNELS"}, n: 1, sorted: true},
		psDo(1, 1, "PUBSUB", "SHARDCHANNELS", "*2"),
		psDo(1, 1, "PUBSUB", "SHARDNUMSUB", "s1", "x"),
		psDo(0, 1, "GET", "x"),
		psDo(0, 1, "SUNSUBSCRIBE", "s2"),
		psDo(0, 1, "SUNSUBSCRIBE"),
		psDo(0, 1, "UNSUBSCRIBE", "c1"),
		psDo(0, 1, "GET", "x"),
		// RESET leaves subscribed mode.
		psDo(0, 1, "SUBSCRIBE", "z"),
		psDo(0, 1, "RESET"),
		psDo(0, 1, "GET", "x"),
		psDo(1, 1, "PUBLISH", "z", "gone"),
		psDo(1, 1, "PUBSUB", "NUMSUB", "z"),
		psDo(0, 1, "SUBSCRIBE", "q"),
		psDo(0, 1, "QUIT"),
	}
	for _, shards := range []string{"1", "4"} {
		t.Run("threads="+shards, func(t *testing.T) {
			anax := servertest.Start(t, "--threads", shards)
			// Other clients first, so that the script's clients spread
			// over the loops.
			runPubSubScript(t, anax, o.Addr, 4, steps)
		})
	}
}

// TestPubSubPublishOrder checks that subscribers on every loop receive one
// publisher's messages in publish order.
func TestPubSubPublishOrder(t *testing.T) {
	for _, shards := range []string{"1", "4"} {
		t.Run("threads="+shards, func(t *testing.T) {
			anax := servertest.Start(t, "--threads", shards)
			var subs []*servertest.Raw
			for i := 0; i < 6; i++ {
				s := servertest.Dial(t, anax)
				if i%2 == 0 {
					s.Do("SUBSCRIBE", "ch")
				} else {
					s.Do("PSUBSCRIBE", "c*")
				}
				subs = append(subs, s)
			}
			pub := servertest.Dial(t, anax)
			const n = 300
			var b strings.Builder
			for i := 0; i < n; i++ {
				b.Write(servertest.Encode("PUBLISH", "ch", fmt.Sprint(i)))
			}
			pub.Send([]byte(b.String()))
			for i := 0; i < n; i++ {
				if got := pub.Read(); got != ":6\r\n" {
					t.Fatalf("publish %d: %q", i, got)
				}
			}
			for k, s := range subs {
				for i := 0; i < n; i++ {
					got := s.Read()
					if !strings.HasSuffix(got, fmt.Sprintf("\r\n$%d\r\n%d\r\n", len(fmt.Sprint(i)), i)) {
						t.Fatalf("subscriber %d message %d: %q", k, i, got)
					}
				}
			}
		})
	}
}

// TestPubSubClientList checks CLIENT LIST's pub/sub fields and flag, and
// the pubsub client type of CLIENT LIST and CLIENT KILL.
func TestPubSubClientList(t *testing.T) {
	anax := servertest.Start(t, "--threads", "2")
	sub := servertest.Dial(t, anax)
	sub.Do("SUBSCRIBE", "a", "b")
	sub.Read()
	sub.Do("PSUBSCRIBE", "p*")
	sub.Do("SSUBSCRIBE", "s")
	admin := servertest.Dial(t, anax)
	list := admin.Do("CLIENT", "LIST", "TYPE", "pubsub")
	if !strings.Contains(list, " flags=P db=0 sub=2 psub=1 ssub=1 ") || strings.Count(list, "id=") != 1 {
		t.Errorf("CLIENT LIST TYPE pubsub = %q", list)
	}
	if list := admin.Do("CLIENT", "LIST", "TYPE", "normal"); strings.Contains(list, "flags=P") || strings.Count(list, "id=") != 1 {
		t.Errorf("CLIENT LIST TYPE normal = %q", list)
	}
	if got := admin.Do("CLIENT", "KILL", "TYPE", "pubsub"); got != ":1\r\n" {
		t.Errorf("CLIENT KILL TYPE pubsub = %q", got)
	}
	if _, err := sub.ReadErr(); err == nil {
		t.Error("subscriber still connected")
	}
}

// TestPubSubRepliesOff checks against redis-server that (un)subscribe
// confirmations reach a client under CLIENT REPLY OFF or SKIP, in RESP2
// and RESP3, as messages do, while its other replies stay silent (Redis's
// pubsub.tcl "PubSub messages with CLIENT REPLY OFF").
func TestPubSubRepliesOff(t *testing.T) {
	o := servertest.StartOracle(t)
	for _, threads := range []string{"1", "4"} {
		anax := servertest.Start(t, "--threads", threads)
		runPubSubScript(t, anax, o.Addr, 3, []psStep{
			psDo(0, 0, "CLIENT", "REPLY", "OFF"),
			psDo(0, 2, "SUBSCRIBE", "news", "sport"),
			psDo(0, 1, "PSUBSCRIBE", "n*"),
			psDo(0, 1, "SSUBSCRIBE", "shard"),
			psDo(1, 1, "PUBLISH", "news", "hi"),
			psRead(0, 2),
			psDo(1, 1, "SPUBLISH", "shard", "ho"),
			psRead(0, 1),
			psDo(0, 0, "PING"),
			psDo(0, 1, "UNSUBSCRIBE", "sport"),
			psDo(0, 1, "PUNSUBSCRIBE"),
			psDo(0, 1, "SUNSUBSCRIBE"),
			psDo(0, 1, "UNSUBSCRIBE"),
			// RESP3, and SKIP: the subscribe's confirmation comes, the
			// skip is spent on it, the next reply comes.
			{c: 2, cmd: []string{"HELLO", "3"}, n: 1, skip: true},
			psDo(2, 0, "CLIENT", "REPLY", "SKIP"),
			psDo(2, 1, "SUBSCRIBE", "news"),
			psDo(2, 1, "PING"),
			psDo(2, 0, "CLIENT", "REPLY", "OFF"),
			psDo(2, 1, "UNSUBSCRIBE", "news"),
			psDo(2, 0, "GET", "x"),
		})
	}
}
