package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
	"github.com/anaxdb/anax/txn"
)

// streamWatchSteps are stream commands, each run by a second connection
// while the first WATCHes the keys "s", "n" and a key of another shard
// ($T); the first then runs MULTI, PING, EXEC. Whether EXEC runs (a
// command that dirties a watched key makes it answer nil) must be
// Redis 7.0's for every step: Redis calls signalModifiedKey for XADD, XDEL
// and XTRIM that removed entries, and XGROUP CREATE MKSTREAM that made the
// stream, and for no consumer-group command, XSETID or no-op.
var streamWatchSteps = [][]string{
	{"XADD", "s", "1-0", "f", "v"}, {"XADD", "s", "2-0", "f", "v"}, {"XADD", "s", "3-0", "f", "v"},
	{"XADD", "s", "1-0", "f", "v"}, {"XADD", "s", "0-0", "f", "v"}, {"XADD", "s", "x", "f", "v"},
	{"XADD", "n", "NOMKSTREAM", "1-0", "f", "v"}, {"XADD", "s", "NOMKSTREAM", "4-0", "f", "v"},
	{"XADD", "s", "MAXLEN", "100", "5-0", "f", "v"}, {"XADD", "s", "MAXLEN", "3", "6-0", "f", "v"},
	{"XADD", "$T", "1-0", "f", "v"},
	// XDEL and XTRIM: only when entries went.
	{"XDEL", "s", "99-0"}, {"XDEL", "s", "x"}, {"XDEL", "n", "1-0"}, {"XDEL", "s", "4-0"}, {"XDEL", "s", "4-0", "99-0"},
	{"XTRIM", "s", "MAXLEN", "100"}, {"XTRIM", "s", "MAXLEN", "~", "1"}, {"XTRIM", "n", "MAXLEN", "0"},
	{"XTRIM", "s", "MINID", "1"}, {"XTRIM", "s", "MAXLEN", "1"}, {"XADD", "s", "7-0", "f", "v"}, {"XADD", "s", "8-0", "f", "v"},
	// XSETID.
	{"XSETID", "s", "100-0"}, {"XSETID", "s", "100-0"}, {"XSETID", "s", "1-0"}, {"XSETID", "n", "1-0"},
	{"XSETID", "s", "100-0", "ENTRIESADDED", "50", "MAXDELETEDID", "99-0"},
	// XGROUP.
	{"XGROUP", "CREATE", "s", "g", "0"}, {"XGROUP", "CREATE", "s", "g", "0"}, {"XGROUP", "CREATE", "s", "g2", "$", "MKSTREAM"},
	{"XGROUP", "CREATE", "n", "g", "$"}, {"XGROUP", "CREATE", "n", "g", "$", "MKSTREAM"}, {"XGROUP", "CREATE", "$T", "g", "0"},
	{"XGROUP", "SETID", "s", "g2", "0"}, {"XGROUP", "SETID", "s", "g2", "$", "ENTRIESREAD", "2"}, {"XGROUP", "SETID", "s", "nog", "0"},
	{"XGROUP", "CREATECONSUMER", "s", "g", "c1"}, {"XGROUP", "CREATECONSUMER", "s", "g", "c1"},
	{"XGROUP", "CREATECONSUMER", "s", "nog", "c1"},
	// XREADGROUP: new entries, nothing new, history, NOACK, several shards.
	{"XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "s", ">"},
	{"XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"}, {"XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"},
	{"XREADGROUP", "GROUP", "g", "c3", "STREAMS", "s", ">"}, {"XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0"},
	{"XREADGROUP", "GROUP", "g", "c4", "STREAMS", "s", "0"}, {"XREADGROUP", "GROUP", "g", "c9", "STREAMS", "n", ">"},
	{"XREADGROUP", "GROUP", "g2", "c1", "NOACK", "STREAMS", "s", ">"},
	{"XREADGROUP", "GROUP", "g", "c5", "STREAMS", "s", "$T", ">", ">"},
	{"XREADGROUP", "GROUP", "g", "c5", "STREAMS", "s", "$T", ">", ">"},
	{"XREADGROUP", "GROUP", "g", "c5", "STREAMS", "s", "$T", "0", "0"},
	// XACK.
	{"XACK", "s", "g", "99-0"}, {"XACK", "s", "nog", "7-0"}, {"XACK", "s", "g", "7-0"}, {"XACK", "s", "g", "7-0"},
	{"XACK", "$T", "g", "1-0"},
	// XCLAIM and XAUTOCLAIM, with an entry deleted while pending.
	{"XCLAIM", "s", "g", "c6", "0", "99-0"}, {"XCLAIM", "s", "g", "c6", "0", "8-0"}, {"XCLAIM", "s", "g", "c6", "0", "8-0", "JUSTID"},
	{"XCLAIM", "s", "g", "c6", "999999", "8-0"}, {"XCLAIM", "s", "g", "c7", "0", "99-0", "FORCE"},
	{"XADD", "s", "101-0", "f", "v"}, {"XREADGROUP", "GROUP", "g", "c8", "STREAMS", "s", ">"}, {"XDEL", "s", "101-0"},
	{"XAUTOCLAIM", "s", "g", "c9", "999999", "0"}, {"XAUTOCLAIM", "s", "g", "c9", "0", "0", "COUNT", "1"},
	{"XAUTOCLAIM", "s", "g", "c9", "0", "0"}, {"XAUTOCLAIM", "s", "g", "c9", "0", "0", "JUSTID"},
	// XGROUP DELCONSUMER and DESTROY.
	{"XGROUP", "DELCONSUMER", "s", "g", "nobody"}, {"XGROUP", "DELCONSUMER", "s", "g", "c9"},
	{"XGROUP", "DESTROY", "s", "g2"}, {"XGROUP", "DESTROY", "s", "g2"}, {"XGROUP", "DESTROY", "n", "g"},
	// Reads.
	{"XRANGE", "s", "-", "+"}, {"XREAD", "STREAMS", "s", "0"}, {"XLEN", "s"}, {"XPENDING", "s", "g"},
	{"XINFO", "STREAM", "s"}, {"XINFO", "GROUPS", "s"},
	// The key itself.
	{"EXPIRE", "s", "100"}, {"DEL", "s", "n", "$T"}, {"DEL", "s"},
}

// TestStreamWritesTouchWatchersAsRedis runs streamWatchSteps against Anax
// (1 and 4 shards) and Redis side by side.
func TestStreamWritesTouchWatchersAsRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	other := "sw"
	for i := 0; txn.ShardOf([]byte(other), 4) == txn.ShardOf([]byte("s"), 4); i++ {
		other = fmt.Sprint("sw", i)
	}
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			anaxAddr := servertest.Start(t, "--threads", threads)
			a1, a2 := servertest.Dial(t, anaxAddr), servertest.Dial(t, anaxAddr)
			r1, r2 := servertest.Dial(t, redisAddr), servertest.Dial(t, redisAddr)
			r1.Do("FLUSHALL")
			both := func(c1, c2 *servertest.Raw, cmd ...string) string {
				t.Helper()
				ga, gr := c1.Do(cmd...), c2.Do(cmd...)
				if ga != gr {
					t.Fatalf("%q:\n  anax:  %q\n  redis: %q", cmd, ga, gr)
				}
				return ga
			}
			for _, step := range streamWatchSteps {
				cmd := make([]string, len(step))
				for i, a := range step {
					cmd[i] = strings.ReplaceAll(a, "$T", other)
				}
				both(a1, r1, "WATCH", "s", "n", other)
				both(a2, r2, cmd...)
				both(a1, r1, "MULTI")
				both(a1, r1, "PING")
				if ga, gr := a1.Do("EXEC"), r1.Do("EXEC"); ga != gr {
					t.Errorf("EXEC after %q: anax %q, redis %q (nil: the command dirtied a watched key)", cmd, ga, gr)
				}
			}
		})
	}
}

// TestStreamGroupWritesWakeNoReader: a reader blocked in XREADGROUP is
// woken by XADD and XGROUP DESTROY, not by the consumer-group commands,
// XSETID, XDEL or XTRIM (Redis calls signalKeyAsReady for the first two
// only). What it gets once an XADD wakes it (after XGROUP SETID moved the
// group back and XSETID moved the stream's last id past its last entry)
// must be Redis's too.
func TestStreamGroupWritesWakeNoReader(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	anaxAddr := servertest.Start(t, "--threads", "2")
	run := func(addr string) []string {
		ctl, c := servertest.Dial(t, addr), servertest.Dial(t, addr)
		var got []string
		for _, cmd := range [][]string{{"DEL", "wk"}, {"XADD", "wk", "1-0", "a", "1"}, {"XADD", "wk", "2-0", "a", "2"},
			{"XADD", "wk", "3-0", "a", "3"}, {"XGROUP", "CREATE", "wk", "g", "$"}, {"XGROUP", "CREATE", "wk", "h", "0"},
			{"XREADGROUP", "GROUP", "h", "x", "STREAMS", "wk", ">"}} {
			got = append(got, ctl.Do(cmd...))
		}
		c.SendArgs("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "wk", ">")
		waitBlocked(t, ctl, 1)
		for _, cmd := range [][]string{
			{"XGROUP", "SETID", "wk", "g", "1-0"}, {"XGROUP", "CREATECONSUMER", "wk", "g", "d"},
			{"XACK", "wk", "h", "1-0"}, {"XCLAIM", "wk", "h", "y", "0", "2-0"}, {"XAUTOCLAIM", "wk", "h", "z", "0", "0"},
			{"XSETID", "wk", "10-0"}, {"XDEL", "wk", "3-0"}, {"XTRIM", "wk", "MAXLEN", "1"},
			{"XGROUP", "DELCONSUMER", "wk", "h", "z"}, {"XGROUP", "DESTROY", "wk", "h"},
		} {
			got = append(got, ctl.Do(cmd...))
			// Woken: a reply within 60 ms, or no longer counted as blocked
			// (its reply on the way).
			if !c.Quiet(60*time.Millisecond) || !strings.Contains(ctl.Do("INFO", "clients"), "blocked_clients:1\r") {
				got = append(got, fmt.Sprintf("woken by %q: %q", cmd, c.Read()))
				c.SendArgs("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "wk", ">")
				waitBlocked(t, ctl, 1)
			}
		}
		got = append(got, ctl.Do("XADD", "wk", "11-0", "a", "11"))
		got = append(got, "after XADD: "+c.Read())
		got = append(got, ctl.Do("XPENDING", "wk", "g"))
		c.SendArgs("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "wk", ">")
		waitBlocked(t, ctl, 1)
		got = append(got, ctl.Do("XGROUP", "DESTROY", "wk", "g"), "after DESTROY: "+c.Read())
		// A reader blocked at the last entry left after XDEL of the tail
		// waits (its timeout), though the stream's last id is past its id.
		ctl.Do("XADD", "wk", "1-0", "a", "1")
		ctl.Do("XADD", "wk", "2-0", "a", "2")
		ctl.Do("XDEL", "wk", "2-0")
		got = append(got, c.Do("XREAD", "BLOCK", "100", "STREAMS", "wk", "1-0"))
		ctl.Do("DEL", "wk")
		return got
	}
	ga, gr := run(anaxAddr), run(redisAddr)
	if strings.Join(ga, "\n") != strings.Join(gr, "\n") {
		t.Errorf("anax:\n%s\nredis:\n%s", strings.Join(ga, "\n"), strings.Join(gr, "\n"))
	}
}

// TestStreamWritesInvalidateAsRedis: a RESP3 client tracking the stream
// it read is told of the writes Redis signals (signalModifiedKey) and of
// no other.
func TestStreamWritesInvalidateAsRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	anaxAddr := servertest.Start(t, "--threads", "2")
	run := func(addr string) []string {
		trk, w := servertest.Dial(t, addr), servertest.Dial(t, addr)
		w.Do("DEL", "tk")
		var got []string
		for _, cmd := range [][]string{{"HELLO", "3"}, {"CLIENT", "TRACKING", "on"}} {
			if r := trk.Do(cmd...); cmd[0] != "HELLO" {
				got = append(got, r)
			}
		}
		for _, cmd := range [][]string{
			{"XADD", "tk", "1-0", "f", "v"}, {"XADD", "tk", "2-0", "f", "v"}, {"XGROUP", "CREATE", "tk", "g", "0"},
			{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "tk", ">"}, {"XACK", "tk", "g", "1-0"}, {"XACK", "tk", "g", "9-0"},
			{"XCLAIM", "tk", "g", "d", "0", "2-0"}, {"XGROUP", "CREATECONSUMER", "tk", "g", "e"}, {"XSETID", "tk", "5-0"},
			{"XDEL", "tk", "9-0"}, {"XTRIM", "tk", "MAXLEN", "5"}, {"XDEL", "tk", "1-0"}, {"XTRIM", "tk", "MAXLEN", "0"},
			{"XGROUP", "DESTROY", "tk", "g"},
		} {
			got = append(got, trk.Do("XLEN", "tk"), w.Do(cmd...))
			if !trk.Quiet(50 * time.Millisecond) {
				got = append(got, fmt.Sprintf("after %q: %q", cmd, trk.Read()))
			}
		}
		w.Do("DEL", "tk")
		return got
	}
	ga, gr := run(anaxAddr), run(redisAddr)
	if strings.Join(ga, "\n") != strings.Join(gr, "\n") {
		t.Errorf("anax:\n%s\nredis:\n%s", strings.Join(ga, "\n"), strings.Join(gr, "\n"))
	}
}
