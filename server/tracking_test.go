package server_test

import (
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// trkStep is one step of a tracking script: client c sends cmd (if any)
// and reads n values. "$ID<i>" in an argument stands for client i's id on
// each side; the command CLOSE closes client c. unordered compares the n
// values read as a set (invalidations of keys of different shards reach a
// client in either order); quiet checks that c has nothing more to read.
type trkStep struct {
	c         int
	cmd       []string
	n         int
	skip      bool
	unordered bool
	quiet     bool
}

func trDo(c, n int, cmd ...string) trkStep { return trkStep{c: c, cmd: cmd, n: n} }
func trRead(c, n int) trkStep              { return trkStep{c: c, n: n} }
func trQuiet(c int) trkStep                { return trkStep{c: c, quiet: true} }

var idRef = regexp.MustCompile(`\$ID(\d)`)

// runTrackScript runs steps on clients of Anax and of the oracle and
// compares every value read.
func runTrackScript(t *testing.T, anax, redis string, clients int, steps []trkStep) {
	t.Helper()
	var a, r []*servertest.Raw
	var aIDs, rIDs []string
	id := func(c *servertest.Raw) string {
		reply := c.Do("CLIENT", "ID")
		return strings.TrimSuffix(strings.TrimPrefix(reply, ":"), "\r\n")
	}
	for i := 0; i < clients; i++ {
		a = append(a, servertest.Dial(t, anax))
		r = append(r, servertest.Dial(t, redis))
		aIDs = append(aIDs, id(a[i]))
		rIDs = append(rIDs, id(r[i]))
	}
	subst := func(cmd []string, ids []string) []string {
		out := make([]string, len(cmd))
		for i, s := range cmd {
			out[i] = idRef.ReplaceAllStringFunc(s, func(m string) string { return ids[m[3]-'0'] })
		}
		return out
	}
	// Ids in replies that hold one (GETREDIR, TRACKINGINFO's redirect,
	// tracking-redir-broken) read back as their names.
	unsubst := func(reply string, ids []string, cmd []string) string {
		getRedir := len(cmd) == 2 && strings.EqualFold(cmd[1], "getredir")
		if !getRedir && !strings.Contains(reply, "redir") {
			return reply
		}
		for i, id := range ids {
			reply = strings.ReplaceAll(reply, ":"+id+"\r\n", ":$ID"+string(rune('0'+i))+"\r\n")
		}
		return reply
	}
	closed := make([]bool, clients)
	cur := -1
	defer func() {
		if t.Failed() && cur >= 0 {
			t.Logf("at step %d: %+v", cur, steps[cur])
		}
	}()
	for i, s := range steps {
		cur = i
		if s.quiet {
			if !a[s.c].Quiet(50 * time.Millisecond) {
				t.Errorf("step %d: anax client %d has more to read: %q", i, s.c, a[s.c].Read())
			}
			if !r[s.c].Quiet(50 * time.Millisecond) {
				t.Errorf("step %d: redis client %d has more to read: %q", i, s.c, r[s.c].Read())
			}
			continue
		}
		if len(s.cmd) == 1 && s.cmd[0] == "CLOSE" {
			a[s.c].Close()
			r[s.c].Close()
			closed[s.c] = true
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if s.cmd != nil {
			a[s.c].SendArgs(subst(s.cmd, aIDs)...)
			r[s.c].SendArgs(subst(s.cmd, rIDs)...)
		}
		var ga, gr []string
		for j := 0; j < s.n; j++ {
			ga, gr = append(ga, unsubst(a[s.c].Read(), aIDs, s.cmd)), append(gr, unsubst(r[s.c].Read(), rIDs, s.cmd))
		}
		if s.unordered {
			sort.Strings(ga)
			sort.Strings(gr)
		}
		if s.skip {
			continue
		}
		for j := range ga {
			if ga[j] != gr[j] {
				t.Errorf("step %d (client %d %q) value %d:\n anax:  %q\n redis: %q", i, s.c, s.cmd, j, ga[j], gr[j])
			}
		}
	}
	cur = -1
	for i := range a {
		if closed[i] {
			continue
		}
		if !a[i].Quiet(50 * time.Millisecond) {
			t.Errorf("anax client %d has more to read: %q", i, a[i].Read())
		}
		if !r[i].Quiet(50 * time.Millisecond) {
			t.Errorf("redis client %d has more to read: %q", i, r[i].Read())
		}
	}
}

// trackingScript: client 0 tracks in RESP3, 1 writes, 2 is a RESP2
// subscriber of __redis__:invalidate, 3 tracks in RESP2 with REDIRECT, 4
// is a RESP3 redirect target, 5 leaves.
func trackingScript() []trkStep {
	hello := trkStep{c: 0, cmd: []string{"HELLO", "3"}, n: 1, skip: true}
	return []trkStep{
		hello,
		{c: 4, cmd: []string{"HELLO", "3"}, n: 1, skip: true},
		// Errors and the state when off.
		trDo(0, 1, "CLIENT", "TRACKINGINFO"),
		trDo(0, 1, "CLIENT", "GETREDIR"),
		trDo(0, 1, "CLIENT", "CACHING", "YES"),
		trDo(0, 1, "CLIENT", "TRACKING"),
		trDo(0, 1, "CLIENT", "TRACKING", "maybe"),
		trDo(0, 1, "CLIENT", "TRACKING", "on", "foo"),
		trDo(0, 1, "CLIENT", "TRACKING", "on", "PREFIX", "a"),
		trDo(0, 1, "CLIENT", "TRACKING", "on", "REDIRECT", "x"),
		trDo(0, 1, "CLIENT", "TRACKING", "on", "REDIRECT", "999999"),
		trDo(0, 1, "CLIENT", "TRACKING", "on", "REDIRECT", "$ID1", "REDIRECT", "$ID1"),
		trDo(0, 1, "CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"),
		trDo(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "OPTIN"),
		trDo(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab", "PREFIX", "a"),
		trDo(0, 1, "CLIENT", "TRACKING", "off"),

		// Default mode.
		trDo(0, 1, "CLIENT", "TRACKING", "on"),
		trDo(0, 1, "CLIENT", "TRACKINGINFO"),
		trDo(0, 1, "CLIENT", "GETREDIR"),
		trDo(0, 1, "CLIENT", "CACHING", "YES"),
		trDo(0, 1, "CLIENT", "TRACKING", "on", "BCAST"),
		trDo(0, 1, "GET", "a"),
		trDo(0, 1, "MGET", "b", "c", "d"),
		trDo(0, 1, "HGET", "h", "f"),
		trDo(1, 1, "SET", "a", "1"),
		trRead(0, 1),
		trDo(1, 1, "MSET", "b", "1", "c", "2"),
		{c: 0, n: 2, unordered: true},
		trDo(1, 1, "HSET", "h", "f", "v"),
		trRead(0, 1),
		trDo(1, 1, "SET", "a", "2"), // forgotten: nothing to send
		trQuiet(0),
		// The writer's own invalidation follows its reply.
		trDo(0, 1, "GET", "a"),
		trDo(0, 2, "SET", "a", "3"),
		trDo(0, 1, "GET", "a"),
		trDo(0, 1, "MULTI"),
		trDo(0, 1, "SET", "a", "4"),
		trDo(0, 2, "EXEC"),
		trDo(0, 1, "GET", "a"),
		trDo(0, 2, "EVAL", "return redis.call('set', KEYS[1], 'x')", "1", "a"),
		// A script that reads has its declared keys tracked for its
		// caller (Redis 7.0 tracks the caller's command's keys).
		trDo(0, 1, "EVAL_RO", "return redis.call('get', KEYS[1])", "1", "a"),
		trDo(1, 1, "SET", "a", "3"),
		trRead(0, 1),
		trDo(0, 1, "EVAL", "return redis.call('get', 'a')", "0"),
		trDo(0, 1, "EVAL_RO", "return 1", "1", "b"),
		trDo(0, 1, "EVAL", "return redis.call('get', 'c')", "1", "sd"),
		trDo(1, 1, "MSET", "a", "4", "b", "4", "c", "4"),
		trQuiet(0),
		trDo(1, 1, "SET", "sd", "4"),
		trRead(0, 1),
		trDo(0, 1, "GET", "d"),
		trDo(1, 1, "DEL", "d"), // no such key: no write
		trQuiet(0),
		trDo(1, 1, "SET", "d", "1"),
		trRead(0, 1),
		trDo(0, 1, "GET", "d"),
		trDo(1, 1, "DEL", "d"),
		trRead(0, 1),
		// A write in another database invalidates the name too.
		trDo(0, 1, "GET", "e"),
		trDo(1, 1, "SELECT", "2"),
		trDo(1, 1, "SET", "e", "x"),
		trRead(0, 1),
		trDo(1, 1, "SELECT", "0"),
		// Flushes invalidate everything with a null.
		trDo(0, 1, "GET", "a"),
		trDo(1, 1, "FLUSHALL"),
		trRead(0, 1),
		trDo(0, 2, "FLUSHDB"),
		trDo(1, 1, "SET", "a", "1"),
		trQuiet(0),

		// NOLOOP.
		trDo(0, 1, "CLIENT", "TRACKING", "on", "NOLOOP"),
		trDo(0, 1, "CLIENT", "TRACKINGINFO"),
		trDo(0, 1, "GET", "a"),
		trDo(0, 1, "SET", "a", "x"),
		trDo(1, 1, "SET", "a", "y"),
		trQuiet(0),
		trDo(0, 1, "GET", "a"),
		trDo(0, 1, "EVAL", "return redis.call('set', KEYS[1], 'x')", "1", "a"),
		trDo(0, 1, "GET", "b"),
		trDo(0, 1, "MULTI"),
		trDo(0, 1, "SET", "b", "4"),
		trDo(0, 1, "EXEC"),
		trDo(1, 1, "MSET", "a", "y", "b", "y"),
		trQuiet(0),
		trDo(0, 1, "GET", "a"),
		trDo(1, 1, "SET", "a", "z"),
		trRead(0, 1),
		trDo(0, 1, "CLIENT", "TRACKING", "off"),

		// OPTIN: only after CLIENT CACHING YES, for one command or a
		// transaction.
		trDo(0, 1, "CLIENT", "TRACKING", "on", "OPTIN"),
		trDo(0, 1, "CLIENT", "CACHING", "NO"),
		trDo(0, 1, "GET", "a"),
		trDo(1, 1, "SET", "a", "1"),
		trQuiet(0),
		trDo(0, 1, "CLIENT", "CACHING", "YES"),
		trDo(0, 1, "CLIENT", "TRACKINGINFO"),
		trDo(0, 1, "GET", "a"),
		trDo(0, 1, "GET", "b"),
		trDo(1, 1, "SET", "a", "2"),
		trRead(0, 1),
		trDo(1, 1, "SET", "b", "2"),
		trQuiet(0),
		trDo(0, 1, "CLIENT", "CACHING", "YES"),
		trDo(0, 1, "PING"),
		trDo(0, 1, "GET", "c"),
		trDo(1, 1, "SET", "c", "2"),
		trQuiet(0),
		trDo(0, 1, "CLIENT", "CACHING", "YES"),
		trDo(0, 1, "MULTI"),
		trDo(0, 1, "GET", "a"),
		trDo(0, 1, "GET", "c"),
		trDo(0, 1, "EXEC"),
		trDo(1, 1, "MSET", "a", "3", "c", "3"),
		{c: 0, n: 2, unordered: true},
		trDo(0, 1, "CLIENT", "TRACKING", "on", "OPTOUT"),
		trDo(0, 1, "CLIENT", "TRACKING", "off"),

		// OPTOUT: all but after CLIENT CACHING NO.
		trDo(0, 1, "CLIENT", "TRACKING", "on", "OPTOUT"),
		trDo(0, 1, "CLIENT", "CACHING", "YES"),
		trDo(0, 1, "GET", "a"),
		trDo(0, 1, "CLIENT", "CACHING", "NO"),
		trDo(0, 1, "CLIENT", "TRACKINGINFO"),
		trDo(0, 1, "GET", "b"),
		trDo(1, 1, "SET", "b", "1"),
		trQuiet(0),
		trDo(1, 1, "SET", "a", "1"),
		trRead(0, 1),
		trDo(0, 1, "CLIENT", "TRACKING", "off"),

		// BCAST with prefixes.
		trDo(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p:", "PREFIX", "q:"),
		trDo(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p"),
		trDo(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p:x"),
		trDo(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "r:", "PREFIX", "r:a"),
		trDo(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "s:"),
		trDo(0, 1, "CLIENT", "TRACKINGINFO"),
		trDo(0, 1, "CLIENT", "TRACKING", "on"),
		trDo(1, 1, "SET", "p:1", "v"),
		trRead(0, 1),
		trDo(1, 1, "SET", "x", "v"),
		trDo(1, 1, "SET", "q:2", "v"),
		trRead(0, 1),
		trDo(1, 1, "SET", "s:3", "v"),
		trRead(0, 1),
		trDo(0, 2, "SET", "p:4", "v"),
		trDo(0, 1, "CLIENT", "TRACKING", "off"),
		trDo(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "NOLOOP"),
		trDo(0, 1, "SET", "p:5", "v"),
		trDo(1, 1, "SET", "p:6", "v"),
		trRead(0, 1),
		trDo(0, 1, "CLIENT", "TRACKING", "off"),
		trDo(1, 1, "SET", "p:7", "v"),
		trQuiet(0),

		// REDIRECT to a RESP2 subscriber of __redis__:invalidate.
		trDo(2, 1, "SUBSCRIBE", "__redis__:invalidate"),
		trDo(3, 1, "CLIENT", "TRACKING", "on", "REDIRECT", "$ID2"),
		trDo(3, 1, "CLIENT", "GETREDIR"),
		trDo(3, 1, "GET", "a"),
		trDo(1, 1, "SET", "a", "1"),
		trRead(2, 1),
		trDo(3, 1, "GET", "a"),
		trDo(3, 1, "SET", "a", "2"),
		trRead(2, 1),
		trDo(1, 1, "FLUSHDB"),
		trRead(2, 1),
		trDo(3, 1, "CLIENT", "TRACKING", "off"),
		trDo(3, 1, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p:", "REDIRECT", "$ID2"),
		trDo(1, 1, "SET", "p:1", "v"),
		trRead(2, 1),
		trDo(3, 1, "CLIENT", "TRACKING", "off"),
		// RESP2 without redirect: nothing can be sent.
		trDo(3, 1, "CLIENT", "TRACKING", "on"),
		trDo(3, 1, "GET", "a"),
		trDo(1, 1, "SET", "a", "1"),
		trQuiet(3),
		trDo(3, 1, "CLIENT", "TRACKING", "off"),

		// REDIRECT from RESP3 to a RESP3 client, then to one that leaves.
		trDo(0, 1, "CLIENT", "TRACKING", "on", "REDIRECT", "$ID4"),
		trDo(0, 1, "GET", "a"),
		trDo(1, 1, "SET", "a", "2"),
		trRead(4, 1),
		trDo(0, 1, "CLIENT", "TRACKING", "on", "REDIRECT", "$ID5"),
		trDo(0, 1, "GET", "a"),
		{c: 5, cmd: []string{"CLOSE"}},
		trDo(1, 1, "SET", "a", "3"),
		trRead(0, 1),
		trDo(0, 1, "CLIENT", "TRACKINGINFO"),
		trDo(0, 1, "CLIENT", "TRACKING", "off"),
		trDo(0, 1, "CLIENT", "TRACKINGINFO"),
		// RESET turns tracking off.
		trDo(0, 1, "CLIENT", "TRACKING", "on"),
		trDo(0, 1, "RESET"),
		trDo(0, 1, "CLIENT", "TRACKINGINFO"),
	}
}

func TestTrackingMatchesRedis(t *testing.T) {
	o := servertest.StartOracle(t)
	anax := servertest.Start(t) // make test runs it over 1 and 4 shards
	servertest.Dial(t, o.Addr).Do("FLUSHALL")
	runTrackScript(t, anax, o.Addr, 6, trackingScript())
}

// TestTrackingInfoAndFlags checks INFO's tracking fields and CLIENT LIST's
// flags, which hold ids and addresses that differ from the oracle's.
func TestTrackingInfoAndFlags(t *testing.T) {
	anax := servertest.Start(t) // make test runs it over 1 and 4 shards
	a, b, c := servertest.Dial(t, anax), servertest.Dial(t, anax), servertest.Dial(t, anax)
	a.Do("HELLO", "3")
	mustDo(t, a, "+OK\r\n", "CLIENT", "TRACKING", "on")
	a.Do("MGET", "k1", "k2", "k3")
	b.Do("HELLO", "3")
	mustDo(t, b, "+OK\r\n", "CLIENT", "TRACKING", "on")
	b.Do("GET", "k1")
	mustDo(t, c, "+OK\r\n", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x", "PREFIX", "y")
	info := c.Do("INFO")
	for _, want := range []string{"tracking_clients:3", "tracking_total_keys:3", "tracking_total_items:4", "tracking_total_prefixes:2"} {
		if !strings.Contains(info, want+"\r\n") {
			t.Errorf("INFO lacks %s:\n%s", want, info)
		}
	}
	resp, err := http.Get("http://" + anax + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"redis_tracking_clients 3", "redis_tracking_total_keys 3", "redis_tracking_total_items 4", "redis_tracking_total_prefixes 2"} {
		if !strings.Contains(string(body), want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	list := c.Do("CLIENT", "LIST")
	if n := strings.Count(list, "flags=t "); n != 2 || !strings.Contains(list, "flags=tB ") || !strings.Contains(list, "redir=0 ") {
		t.Errorf("CLIENT LIST flags:\n%s", list)
	}
	c.Do("SET", "k1", "v")
	a.Read()
	b.Read()
	info = c.Do("INFO")
	for _, want := range []string{"tracking_total_keys:2", "tracking_total_items:2"} {
		if !strings.Contains(info, want+"\r\n") {
			t.Errorf("after a write, INFO lacks %s", want)
		}
	}
	c.Do("FLUSHALL")
	info = c.Do("INFO")
	if !strings.Contains(info, "tracking_total_keys:0\r\n") || !strings.Contains(info, "tracking_total_items:0\r\n") {
		t.Errorf("after FLUSHALL, INFO tracks keys still")
	}
}

func mustDo(t *testing.T, c *servertest.Raw, want string, args ...string) {
	t.Helper()
	if got := c.Do(args...); got != want {
		t.Fatalf("%q: got %q, want %q", args, got, want)
	}
}

// TestTrackingTableMaxKeys checks that tracking-table-max-keys bounds the
// table, the keys forgotten being invalidated.
func TestTrackingTableMaxKeys(t *testing.T) {
	anax := servertest.Start(t, "--threads", "1", "--tracking-table-max-keys", "2")
	a, b := servertest.Dial(t, anax), servertest.Dial(t, anax)
	a.Do("HELLO", "3")
	mustDo(t, a, "+OK\r\n", "CLIENT", "TRACKING", "on")
	a.Do("GET", "k1")
	a.Do("GET", "k2")
	a.SendArgs("GET", "k3")
	got := a.Read() + a.Read()
	if !strings.Contains(got, "invalidate") {
		t.Fatalf("no invalidation beyond the limit: %q", got)
	}
	if info := b.Do("INFO"); !strings.Contains(info, "tracking_total_keys:2\r\n") {
		t.Errorf("the table holds more than its limit")
	}
	mustDo(t, b, "*2\r\n$23\r\ntracking-table-max-keys\r\n$1\r\n2\r\n", "CONFIG", "GET", "tracking-table-max-keys")
}

var monitorStamp = regexp.MustCompile(`^\+\d+\.\d{6} \[(\d+) (lua|[0-9.]+:\d+)\] `)

// monitorLine returns a MONITOR line with its time and address replaced.
func monitorLine(t *testing.T, line string) string {
	t.Helper()
	m := monitorStamp.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("not a MONITOR line: %q", line)
	}
	who := "ADDR"
	if m[2] == "lua" {
		who = "lua"
	}
	return "+T [" + m[1] + " " + who + "] " + line[len(m[0]):]
}

func monitorScript() [][]string {
	return [][]string{
		{"SET", "k", "v"},
		{"SELECT", "1"},
		{"SET", "k", "two words"},
		{"SELECT", "0"},
		{"SET", "bin\x00\xff\t\"\\\r\n", "\x01"},
		{"MULTI"},
		{"SET", "a", "1"},
		{"INCR", "a"},
		{"EXEC"},
		{"EVAL", "redis.call('set', KEYS[1], 'x') return redis.call('get', KEYS[1])", "1", "zz"},
		{"AUTH", "user", "pass"},
		{"HELLO", "2", "AUTH", "u", "p"},
		{"CONFIG", "GET", "maxmemory"},
		{"NOSUCH", "x"},
		{"GET"},
		{"MGET", "a", "k", "zz"},
		// EXEC as the client wrote it, also when it ran nothing
		// (EXECABORT, a watched key touched) and without MULTI.
		{"multi"}, {"set", "x", "y"}, {"exec"},
		{"MULTI"}, {"NOSUCH"}, {"ExEc"},
		{"exec"},
		{"WATCH", "k"}, {"SET", "k", "w"}, {"MULTI"}, {"GET", "k"}, {"EXEC"},
		{"PING"},
	}
}

func TestMonitorMatchesRedis(t *testing.T) {
	o := servertest.StartOracle(t)
	anax := servertest.Start(t) // make test runs it over 1 and 4 shards
	run := func(addr string) []string {
		mon := servertest.Dial(t, addr)
		mon2 := servertest.Dial(t, addr)
		cl := servertest.Dial(t, addr)
		mon2.Do("HELLO", "3")
		if got := mon2.Do("MONITOR"); got != "+OK\r\n" {
			t.Fatalf("MONITOR: %q", got)
		}
		mon.Do("MONITOR")
		script := monitorScript()
		for _, cmd := range script {
			cl.Do(cmd...)
		}
		var lines []string
		for len(lines) < 26 {
			line := monitorLine(t, mon.Read())
			if line2 := monitorLine(t, mon2.Read()); line2 != line {
				t.Errorf("monitors differ: %q and %q", line, line2)
			}
			lines = append(lines, line)
		}
		// QUIT and RESET end a monitor. The RESET line is read before QUIT is
		// sent: with several loops, lines from two connections reach a
		// monitor in the order their loops deliver them.
		mon2.Do("RESET")
		lines = append(lines, monitorLine(t, mon.Read()))
		cl.Do("QUIT")
		lines = append(lines, monitorLine(t, mon.Read()))
		if !mon.Quiet(50*time.Millisecond) || !mon2.Quiet(0) {
			t.Errorf("more to read")
		}
		return lines
	}
	got, want := run(anax), run(o.Addr)
	if strings.Join(got, "") != strings.Join(want, "") {
		t.Errorf("MONITOR output:\n anax:\n%s\n redis:\n%s", strings.Join(got, ""), strings.Join(want, ""))
	}
}
