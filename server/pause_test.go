package server_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// pauseHeld is how long a test waits to see that a command is held.
const pauseHeld = 150 * time.Millisecond

// pauseScenario drives CLIENT PAUSE on the server at addr and writes what
// each step saw: the replies, and "held" where a command got no reply
// while the pause lasted. The same transcript from Anax and from
// redis-server means the same behaviour.
func pauseScenario(t *testing.T, addr string) string {
	var out strings.Builder
	note := func(format string, args ...any) { fmt.Fprintf(&out, format+"\n", args...) }
	admin := servertest.Dial(t, addr)
	defer admin.Close()
	blocked := func() string {
		m := regexp.MustCompile(`blocked_clients:(\d+)`).FindStringSubmatch(admin.Do("INFO", "clients"))
		return m[1]
	}
	held := func(r *servertest.Raw) string {
		if r.Quiet(pauseHeld) {
			return "held"
		}
		return "ran: " + r.Read()
	}
	admin.Do("FLUSHALL")
	admin.Do("SET", "k", "v")
	admin.Do("PFADD", "hll", "a")
	admin.Do("SCRIPT", "FLUSH")

	// Arguments.
	for _, line := range [][]string{
		{"CLIENT", "PAUSE"}, {"CLIENT", "PAUSE", "abc"}, {"CLIENT", "PAUSE", "-1"},
		{"CLIENT", "PAUSE", "abc", "NOSUCH"}, {"CLIENT", "PAUSE", "10", "write", "extra"},
		{"CLIENT", "UNPAUSE", "x"}, {"CLIENT", "PAUSE", "0", "ALL"}, {"CLIENT", "UNPAUSE"},
		{"EVAL_RO", "return redis.pcall('publish','ch','m')['err']", "0"},
		{"EVAL", "#!lua flags=no-writes\nreturn redis.pcall('pfcount','hll')['err']", "0"},
	} {
		note("%q -> %q", line, admin.Do(line...))
	}

	// WRITE: reads run; writes, may-replicate commands and scripts that
	// may write wait, and what a connection sent after them waits too.
	note("pause write: %q", admin.Do("CLIENT", "PAUSE", "100000", "WRITE"))
	c := make([]*servertest.Raw, 6)
	for i := range c {
		c[i] = servertest.Dial(t, addr)
		defer c[i].Close()
	}
	note("get: %q", c[0].Do("GET", "k"))
	note("eval_ro: %q", c[0].Do("EVAL_RO", "return redis.call('get','k')", "0"))
	note("no-writes eval: %q", c[0].Do("EVAL", "#!lua flags=no-writes\nreturn 1", "0"))
	note("wrong arity: %q", c[0].Do("SET", "k"))
	c[1].Send([]byte(string(servertest.Encode("SET", "k", "v2")) + string(servertest.Encode("PING"))))
	c[2].SendArgs("PUBLISH", "ch", "m")
	c[3].SendArgs("EVAL", "return 1", "0")
	c[4].SendArgs("PFCOUNT", "hll")
	note("set: %s; publish: %s; eval: %s; pfcount: %s", held(c[1]), held(c[2]), held(c[3]), held(c[4]))
	note("blocked_clients %s", blocked())
	list := admin.Do("CLIENT", "LIST")
	note("clients flagged b: %d", strings.Count(list, "flags=b "))
	c[4].Close() // a client that leaves while held
	time.Sleep(50 * time.Millisecond)
	note("after a close, blocked_clients %s", blocked())
	note("get while paused: %q", admin.Do("GET", "k"))
	note("unpause: %q", admin.Do("CLIENT", "UNPAUSE"))
	note("set then ping: %q %q; publish %q; eval %q", c[1].Read(), c[1].Read(), c[2].Read(), c[3].Read())
	note("get after: %q; blocked_clients %s", admin.Do("GET", "k"), blocked())

	// MULTI: a write queued before the pause makes EXEC wait; a read-only
	// transaction runs; queueing a write while paused waits.
	c[0].Do("MULTI")
	c[0].Do("SET", "k", "v3")
	c[5].Do("MULTI")
	c[5].Do("GET", "k")
	admin.Do("CLIENT", "PAUSE", "100000", "WRITE")
	c[0].SendArgs("EXEC")
	note("read-only exec: %q", c[5].Do("EXEC"))
	note("write exec: %s", held(c[0]))
	c[5].Do("MULTI")
	c[5].SendArgs("INCR", "n")
	note("queueing a write: %s", held(c[5]))
	admin.Do("CLIENT", "UNPAUSE")
	note("exec %q; queued %q; exec %q", c[0].Read(), c[5].Read(), c[5].Do("EXEC"))

	// ALL holds every command until the pause's end; a shorter WRITE
	// pause given after it does not shorten it.
	admin.Do("CLIENT", "PAUSE", "400", "ALL")
	start := time.Now()
	c[0].SendArgs("GET", "k")
	note("get under all: %s", held(c[0]))
	note("then: %q after the pause's end: %v", c[0].Read(), time.Since(start) >= 300*time.Millisecond)

	// The dataset is frozen: an expired key reads as missing but is not
	// deleted until the pause ends.
	admin.Do("CONFIG", "RESETSTAT")
	admin.Do("MULTI")
	admin.Do("SET", "e", "v", "PX", "50")
	admin.Do("CLIENT", "PAUSE", "100000", "WRITE")
	admin.Do("EXEC")
	time.Sleep(250 * time.Millisecond)
	note("expired while paused: %q %q", admin.Do("GET", "e"), regexp.MustCompile(`expired_keys:\d+`).FindString(admin.Do("INFO", "stats")))
	admin.Do("CLIENT", "UNPAUSE")
	note("after unpause: %q %q", admin.Do("GET", "e"), regexp.MustCompile(`expired_keys:\d+`).FindString(admin.Do("INFO", "stats")))
	return out.String()
}

// TestClientPauseMatchesRedis runs pauseScenario on Anax (one loop and
// four) and on redis-server, and compares the transcripts.
func TestClientPauseMatchesRedis(t *testing.T) {
	o := servertest.StartOracle(t)
	want := pauseScenario(t, o.Addr)
	for _, threads := range []string{"1", "4"} {
		got := pauseScenario(t, servertest.Start(t, "--threads", threads))
		if got != want {
			t.Errorf("threads %s:\n anax:\n%s\n redis:\n%s", threads, got, want)
		}
	}
}

// TestClientPauseTimeoutOverflow: a timeout that would overflow the end
// time is refused, as Redis 7.4 refuses it (7.0 wraps it into a pause
// that is already over).
func TestClientPauseTimeoutOverflow(t *testing.T) {
	r := servertest.Dial(t, servertest.Start(t))
	if got := r.Do("CLIENT", "PAUSE", "9223372036854775807"); got != "-ERR timeout is out of range\r\n" {
		t.Errorf("CLIENT PAUSE 2^63-1 = %q", got)
	}
	if got := r.Do("PING"); got != "+PONG\r\n" {
		t.Errorf("PING = %q", got)
	}
}
