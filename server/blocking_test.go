package server_test

import (
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// Blocking commands: each case runs against Anax with 1 and 4 shards (keys
// placed on different shards where it matters) and, where the outcome is
// deterministic, against redis-server with the same steps, comparing the
// blocked client's reply byte for byte.

// blockCase is a scenario: setup commands, the blocking command sent by
// one client, commands another client runs while it waits, and what the
// blocked client then receives.
type blockCase struct {
	name    string
	setup   [][]string
	block   []string
	while   [][]string
	noReply bool // the blocked client must still be waiting at the end
}

func runBlockCase(t *testing.T, addr string, c blockCase) (reply string, whileReplies []string) {
	t.Helper()
	ctl, blocked := servertest.Dial(t, addr), servertest.Dial(t, addr)
	ctl.Do("FLUSHALL")
	for _, cmd := range c.setup {
		ctl.Do(cmd...)
	}
	blocked.SendArgs(c.block...)
	waitBlocked(t, ctl, 1)
	for _, cmd := range c.while {
		whileReplies = append(whileReplies, ctl.Do(cmd...))
	}
	if c.noReply {
		if !blocked.Quiet(150 * time.Millisecond) {
			t.Fatalf("%s: the blocked client got a reply: %q", c.name, blocked.Read())
		}
		blocked.Close()
		waitBlocked(t, ctl, 0)
		return "", whileReplies
	}
	return blocked.Read(), whileReplies
}

// waitBlocked waits until INFO says n clients are blocked.
func waitBlocked(t *testing.T, r *servertest.Raw, n int) {
	t.Helper()
	want := "blocked_clients:" + strconv.Itoa(n) + "\r"
	for i := 0; i < 500; i++ {
		if strings.Contains(r.Do("INFO", "clients"), want) {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("never saw %s in\n%s", want, r.Do("CLIENT", "LIST"))
}

func TestBlockingCommandsMatchRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	for _, shards := range []string{"1", "4"} {
		anax := servertest.Start(t, "--threads", shards)
		k := keysOnShards("bk", 4)
		a, b, c := k[0], k[1], k[2]
		cases := []blockCase{
			{name: "blpop served by a push", block: []string{"BLPOP", a, "0"}, while: [][]string{{"RPUSH", a, "x", "y"}, {"LRANGE", a, "0", "-1"}}},
			{name: "brpop second key", block: []string{"BRPOP", a, b, "0"}, while: [][]string{{"LPUSH", b, "1", "2"}}},
			{name: "blpop other type ignored", block: []string{"BLPOP", a, "0"}, while: [][]string{{"SET", a, "s"}, {"DEL", a}, {"RPUSH", a, "v"}}},
			{name: "blpop after rename into key", setup: [][]string{{"RPUSH", c, "moved"}}, block: []string{"BLPOP", a, "0"}, while: [][]string{{"RENAME", c, a}}},
			{name: "blpop after lmove destination", setup: [][]string{{"RPUSH", c, "m"}}, block: []string{"BLPOP", a, "0"}, while: [][]string{{"LMOVE", c, a, "LEFT", "RIGHT"}}},
			{name: "blpop after multi exec", block: []string{"BLPOP", a, "0"}, while: [][]string{{"MULTI"}, {"RPUSH", a, "1"}, {"RPUSH", a, "2"}, {"EXEC"}, {"LRANGE", a, "0", "-1"}}},
			{name: "blmove across keys", block: []string{"BLMOVE", a, b, "RIGHT", "LEFT", "0"}, while: [][]string{{"RPUSH", a, "1", "2"}, {"LRANGE", b, "0", "-1"}, {"LRANGE", a, "0", "-1"}}},
			{name: "brpoplpush", block: []string{"BRPOPLPUSH", a, b, "0"}, while: [][]string{{"RPUSH", a, "1"}, {"LRANGE", b, "0", "-1"}}},
			{name: "blmove wrong type destination", setup: [][]string{{"SET", b, "s"}}, block: []string{"BLMOVE", a, b, "LEFT", "LEFT", "0"}, while: [][]string{{"RPUSH", a, "1"}, {"LRANGE", a, "0", "-1"}}},
			{name: "blmove same key", block: []string{"BLMOVE", a, a, "LEFT", "RIGHT", "0"}, while: [][]string{{"RPUSH", a, "1", "2"}, {"LRANGE", a, "0", "-1"}}},
			{name: "blmpop count", block: []string{"BLMPOP", "0", "2", a, b, "RIGHT", "COUNT", "3"}, while: [][]string{{"RPUSH", b, "1", "2"}}},
			{name: "blpop timeout", block: []string{"BLPOP", a, "0.3"}},
			{name: "blmove timeout", block: []string{"BLMOVE", a, b, "LEFT", "LEFT", "0.3"}},
			{name: "blmpop timeout", block: []string{"BLMPOP", "0.05", "1", a, "LEFT"}},
			{name: "key deleted while waiting", block: []string{"BLPOP", a, "0"}, while: [][]string{{"RPUSH", c, "1"}, {"DEL", a}, {"FLUSHALL"}}, noReply: true},
			{name: "expired key does not serve", block: []string{"BLPOP", a, "0"}, while: [][]string{{"SET", a, "v", "PX", "1"}}, noReply: true},
		}
		for _, cs := range cases {
			gotA, whileA := runBlockCase(t, anax, cs)
			gotR, whileR := runBlockCase(t, redisAddr, cs)
			if gotA != gotR {
				t.Errorf("%s shards, %s: blocked client got\n  anax:  %q\n  redis: %q", shards, cs.name, gotA, gotR)
			}
			if strings.Join(whileA, "|") != strings.Join(whileR, "|") {
				t.Errorf("%s shards, %s: other client got\n  anax:  %q\n  redis: %q", shards, cs.name, whileA, whileR)
			}
		}
	}
}

func TestBlockingErrorsMatchRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	anax := servertest.Start(t)
	servertest.Compare(t, anax, redisAddr, [][]string{
		{"SET", "str", "v"},
		{"BLPOP", "str", "0"}, {"BLPOP", "nokey", "str", "0"}, {"BLPOP", "k", "abc"}, {"BLPOP", "k", "-1"},
		{"BLPOP", "k"}, {"BRPOP", "k", "nan"},
		{"BLMOVE", "k", "d", "UP", "LEFT", "0"}, {"BLMOVE", "k", "d", "LEFT", "LEFT", "x"}, {"BLMOVE", "str", "d", "LEFT", "LEFT", "0"},
		{"BRPOPLPUSH", "str", "d", "0"}, {"BRPOPLPUSH", "k", "d", "-5"},
		{"BLMPOP", "0", "0", "k", "LEFT"}, {"BLMPOP", "x", "1", "k", "LEFT"}, {"BLMPOP", "0", "1", "k", "UP"},
		{"BLMPOP", "0", "1", "k", "LEFT", "COUNT", "0"}, {"BLMPOP", "0", "1", "str", "LEFT"},
		{"RPUSH", "l", "a", "b", "c"}, {"BLPOP", "l", "0"}, {"BRPOP", "l", "0"}, {"BLMPOP", "0", "2", "nokey", "l", "LEFT", "COUNT", "5"},
		{"RPUSH", "l", "a", "b"}, {"BLMOVE", "l", "str", "LEFT", "LEFT", "0"}, {"BLMOVE", "l", "l2", "LEFT", "RIGHT", "0"}, {"BRPOPLPUSH", "l", "l2", "0"},
		{"LRANGE", "l2", "0", "-1"},
		// Inside MULTI nothing blocks: an empty key answers as a timeout.
		{"MULTI"}, {"BLPOP", "nokey", "0"}, {"BLMOVE", "nokey", "d", "LEFT", "LEFT", "0"}, {"BLMPOP", "0", "1", "nokey", "LEFT"}, {"BRPOPLPUSH", "nokey", "d", "0"}, {"EXEC"},
	})
}

func TestBlockingFIFO(t *testing.T) {
	for _, shards := range []string{"1", "4"} {
		addr := servertest.Start(t, "--threads", shards)
		ctl := servertest.Dial(t, addr)
		first, second := servertest.Dial(t, addr), servertest.Dial(t, addr)
		first.SendArgs("BLPOP", "q", "0")
		waitBlocked(t, ctl, 1)
		second.SendArgs("BLPOP", "q", "0")
		waitBlocked(t, ctl, 2)
		list := ctl.Do("CLIENT", "LIST")
		if strings.Count(list, "flags=b ") != 2 || strings.Count(list, "cmd=blpop") != 2 {
			t.Errorf("%s shards: CLIENT LIST does not show two blocked BLPOP clients:\n%s", shards, list)
		}
		if got := ctl.Do("RPUSH", "q", "1"); got != ":1\r\n" {
			t.Fatalf("RPUSH: %q", got)
		}
		if got := first.Read(); got != "*2\r\n$1\r\nq\r\n$1\r\n1\r\n" {
			t.Errorf("%s shards: first waiter got %q", shards, got)
		}
		if !second.Quiet(50 * time.Millisecond) {
			t.Fatalf("%s shards: the second waiter was served too", shards)
		}
		ctl.Do("LPUSH", "q", "2")
		if got := second.Read(); got != "*2\r\n$1\r\nq\r\n$1\r\n2\r\n" {
			t.Errorf("%s shards: second waiter got %q", shards, got)
		}
		waitBlocked(t, ctl, 0)
	}
}

func TestClientUnblock(t *testing.T) {
	for _, shards := range []string{"1", "4"} {
		addr := servertest.Start(t, "--threads", shards)
		ctl := servertest.Dial(t, addr)
		for _, c := range []struct{ how, want string }{{"TIMEOUT", "*-1\r\n"}, {"ERROR", "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"}, {"", "*-1\r\n"}} {
			w := servertest.Dial(t, addr)
			id := strings.TrimSuffix(strings.TrimPrefix(w.Do("CLIENT", "ID"), ":"), "\r\n")
			w.SendArgs("BLPOP", "a", "b", "0")
			waitBlocked(t, ctl, 1)
			args := []string{"CLIENT", "UNBLOCK", id}
			if c.how != "" {
				args = append(args, c.how)
			}
			if got := ctl.Do(args...); got != ":1\r\n" {
				t.Fatalf("CLIENT UNBLOCK %s: %q", c.how, got)
			}
			if got := w.Read(); got != c.want {
				t.Errorf("%s shards: unblocked with %q got %q, want %q", shards, c.how, got, c.want)
			}
			waitBlocked(t, ctl, 0)
			if got := ctl.Do("CLIENT", "UNBLOCK", id); got != ":0\r\n" {
				t.Errorf("CLIENT UNBLOCK of a client not blocked: %q", got)
			}
			if got := w.Do("PING"); got != "+PONG\r\n" {
				t.Errorf("unblocked client: PING got %q", got)
			}
		}
		if got := ctl.Do("CLIENT", "UNBLOCK", "1", "MAYBE"); got != "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n" {
			t.Errorf("bad reason: %q", got)
		}
	}
}

func TestBlockedClientLeaves(t *testing.T) {
	for _, shards := range []string{"1", "4"} {
		addr := servertest.Start(t, "--threads", shards)
		ctl := servertest.Dial(t, addr)
		k := keysOnShards("gone", 4)
		w := servertest.Dial(t, addr)
		id := strings.TrimSuffix(strings.TrimPrefix(w.Do("CLIENT", "ID"), ":"), "\r\n")
		w.SendArgs("BLPOP", k[0], k[1], "0")
		waitBlocked(t, ctl, 1)
		if got := ctl.Do("CLIENT", "KILL", "ID", id); got != ":1\r\n" {
			t.Fatalf("CLIENT KILL: %q", got)
		}
		waitBlocked(t, ctl, 0)
		w2 := servertest.Dial(t, addr)
		w2.SendArgs("BLPOP", k[1], "0")
		waitBlocked(t, ctl, 1)
		w2.Close()
		waitBlocked(t, ctl, 0)
		// Nobody waits any more: the pushes stay.
		ctl.Do("RPUSH", k[0], "1")
		ctl.Do("RPUSH", k[1], "1")
		if got := ctl.Do("LLEN", k[1]); got != ":1\r\n" {
			t.Errorf("%s shards: a departed client took an element: LLEN %q", shards, got)
		}
		if got := ctl.Do("INFO", "clients"); !strings.Contains(got, "total_blocking_keys:0\r") {
			t.Errorf("%s shards: keys still have waiters:\n%s", shards, got)
		}
	}
}

func TestBlockedOnSwapDB(t *testing.T) {
	for _, shards := range []string{"1", "4"} {
		addr := servertest.Start(t, "--threads", shards)
		ctl, w := servertest.Dial(t, addr), servertest.Dial(t, addr)
		ctl.Do("SELECT", "1")
		ctl.Do("RPUSH", "s", "from1")
		w.SendArgs("BLPOP", "s", "0")
		waitBlocked(t, ctl, 1)
		ctl.Do("SWAPDB", "0", "1")
		if got := w.Read(); got != "*2\r\n$1\r\ns\r\n$5\r\nfrom1\r\n" {
			t.Errorf("%s shards: after SWAPDB got %q", shards, got)
		}
	}
}

func TestBlockingTimeoutPrecision(t *testing.T) {
	addr := servertest.Start(t)
	w := servertest.Dial(t, addr)
	start := time.Now()
	if got := w.Do("BLPOP", "nokey", "0.2"); got != "*-1\r\n" {
		t.Fatalf("BLPOP timeout: %q", got)
	}
	if d := time.Since(start); d < 190*time.Millisecond || d > 2*time.Second {
		t.Errorf("BLPOP 0.2 took %v", d)
	}
	w.Do("HELLO", "3")
	if got := w.Do("BLPOP", "nokey", "0.01"); got != "_\r\n" {
		t.Errorf("RESP3 timeout reply: %q", got)
	}
	if got := w.Do("BLMOVE", "nokey", "d", "LEFT", "LEFT", "0.01"); got != "_\r\n" {
		t.Errorf("RESP3 BLMOVE timeout reply: %q", got)
	}
	// Redis 7.2 (the 7.0 oracle says "negative", from an overflow).
	for _, arg := range []string{"inf", "1e300", "9.3e15", "0x7FFFFFFFFFFFFF"} {
		if got := w.Do("BLPOP", "k", arg); got != "-ERR timeout is out of range\r\n" {
			t.Errorf("BLPOP k %s: %q", arg, got)
		}
	}
	// strtold's syntax: hex floats, no digit separators.
	if got := w.Do("BLPOP", "k", "1_0"); got != "-ERR timeout is not a float or out of range\r\n" {
		t.Errorf("BLPOP k 1_0: %q", got)
	}
	if got := w.Do("BLPOP", "k", "0x0.1"); got != "_\r\n" {
		t.Errorf("BLPOP k 0x0.1 (1/16 s): %q", got)
	}
}

// TestNoLostWakeups hunts lost wake-ups: producers push numbered elements
// to random keys of several shards while consumers pop with BLPOP on
// random sets of those keys; every element must be popped exactly once.
func TestNoLostWakeups(t *testing.T) {
	addr := servertest.Start(t, "--threads", "4")
	keys := keysOnShards("lw", 4)
	keys = append(keys, keysOnShards("lx", 4)...)
	const producers, consumers, perProducer = 4, 6, 300
	total := producers * perProducer
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	done := make(chan struct{})
	for c := 0; c < consumers; c++ {
		r := servertest.Dial(t, addr)
		rng := rand.New(rand.NewSource(int64(c)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				args := []string{"BLPOP"}
				for _, i := range rng.Perm(len(keys))[:1+rng.Intn(len(keys))] {
					args = append(args, keys[i])
				}
				args = append(args, "0.05")
				reply := r.Do(args...)
				if reply == "*-1\r\n" {
					select {
					case <-done:
						return
					default:
						continue
					}
				}
				parts := strings.Split(reply, "\r\n")
				v := parts[len(parts)-2]
				mu.Lock()
				seen[v]++
				mu.Unlock()
			}
		}()
	}
	var pw sync.WaitGroup
	for p := 0; p < producers; p++ {
		r := servertest.Dial(t, addr)
		rng := rand.New(rand.NewSource(int64(100 + p)))
		pw.Add(1)
		go func() {
			defer pw.Done()
			for i := 0; i < perProducer; i++ {
				v := fmt.Sprintf("p%d-%d", p, i)
				if rng.Intn(4) == 0 {
					r.Do("MULTI")
					r.Do("RPUSH", keys[rng.Intn(len(keys))], v)
					r.Do("EXEC")
					continue
				}
				r.Do("LPUSH", keys[rng.Intn(len(keys))], v)
			}
		}()
	}
	pw.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(seen)
		mu.Unlock()
		if n == total || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(done)
	wg.Wait()
	ctl := servertest.Dial(t, addr)
	left := 0
	for _, k := range keys {
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(ctl.Do("LLEN", k), ":"), "\r\n"))
		left += n
	}
	if len(seen)+left != total || left != 0 {
		t.Errorf("popped %d distinct, %d left in lists, want %d popped", len(seen), left, total)
	}
	for v, n := range seen {
		if n != 1 {
			t.Errorf("%s popped %d times", v, n)
		}
	}
}

// TestRestoreServesBlockedClient: RESTORE into a key a client waits on
// serves it, on 1 and 4 shards.
func TestRestoreServesBlockedClient(t *testing.T) {
	for _, shards := range []string{"1", "4"} {
		addr := servertest.Start(t, "--threads", shards)
		ctl, w := servertest.Dial(t, addr), servertest.Dial(t, addr)
		ctl.Do("RPUSH", "src", "restored")
		dump := ctl.Do("DUMP", "src")
		payload := dump[strings.Index(dump, "\r\n")+2 : len(dump)-2]
		w.SendArgs("BLPOP", "dst", "0")
		waitBlocked(t, ctl, 1)
		if got := ctl.Do("RESTORE", "dst", "0", payload); got != "+OK\r\n" {
			t.Fatalf("RESTORE: %q", got)
		}
		if got := w.Read(); got != "*2\r\n$3\r\ndst\r\n$8\r\nrestored\r\n" {
			t.Errorf("%s shards: after RESTORE got %q", shards, got)
		}
	}
}

// TestBlockedClientsMetric: /metrics, on the same port, counts a blocked
// client.
func TestBlockedClientsMetric(t *testing.T) {
	addr := servertest.Start(t)
	ctl, w := servertest.Dial(t, addr), servertest.Dial(t, addr)
	w.SendArgs("BLPOP", "m", "0")
	waitBlocked(t, ctl, 1)
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "\nredis_blocked_clients 1\n") {
		t.Errorf("/metrics does not count the blocked client:\n%s", body)
	}
}
