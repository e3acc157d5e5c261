package server_test

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// TestScriptBusyAndKill: a script that runs past busy-reply-threshold
// makes the commands that need its shards answer BUSY; SCRIPT KILL stops
// it when it has not written (its caller reads Redis's error) and refuses
// with UNKILLABLE when it has; with no script, NOTBUSY.
func TestScriptBusyAndKill(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2", "--busy-reply-threshold", "50")
	spin := servertest.Dial(t, addr)
	other := servertest.Dial(t, addr)
	if got := other.Do("SCRIPT", "KILL"); got != "-NOTBUSY No scripts in execution right now.\r\n" {
		t.Fatalf("SCRIPT KILL with none: %q", got)
	}
	// A script never run before runs over every shard: every shard is busy.
	body := "local i = 0 while true do i = i + 1 end"
	spin.SendArgs("EVAL", body, "0")
	time.Sleep(200 * time.Millisecond)
	if got := other.Do("GET", "x"); !strings.HasPrefix(got, "-BUSY Redis is busy running a script.") {
		t.Fatalf("GET while busy: %q", got)
	}
	if got := other.Do("PING"); got != "+PONG\r\n" {
		t.Fatalf("PING while busy: %q", got)
	}
	if got := other.Do("SCRIPT", "KILL"); got != "+OK\r\n" {
		t.Fatalf("SCRIPT KILL: %q", got)
	}
	want := "-ERR Script killed by user with SCRIPT KILL... script: " + sha1hex(body) + ", on @user_script:1.\r\n"
	if got := spin.Read(); got != want {
		t.Fatalf("killed script's reply %q, want %q", got, want)
	}
	if got := other.Do("GET", "x"); got != "$-1\r\n" {
		t.Fatalf("GET after the kill: %q", got)
	}
	// A script that wrote cannot be killed.
	wrote := "redis.call('set', 'w', 1) local function now() local t = redis.call('time') return t[1] * 1e6 + t[2] end " +
		"local start = now() while now() - start < 600000 do end return 'done'"
	spin.SendArgs("EVAL", wrote, "0")
	time.Sleep(200 * time.Millisecond)
	if got := other.Do("SCRIPT", "KILL"); !strings.HasPrefix(got, "-UNKILLABLE Sorry the script already executed write commands") {
		t.Fatalf("SCRIPT KILL of a writer: %q", got)
	}
	if got := spin.Read(); got != "$4\r\ndone\r\n" {
		t.Fatalf("writer's reply %q", got)
	}
}

func sha1hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestScriptBusyOnItsShard: a script on the fast path holds only its
// shard's loop. Commands for other shards are served meanwhile, those for
// its shard get BUSY from the other loops, and SCRIPT KILL stops it.
func TestScriptBusyOnItsShard(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2", "--busy-reply-threshold", "50")
	k := keysOnShards("bk", 2)
	setup := servertest.Dial(t, addr)
	setup.Do("SET", k[1], "free")
	body := "if ARGV[1] == 'spin' then local i = 0 while true do i = i + 1 end end return redis.call('get', KEYS[1])"
	// The first run is over every shard; it keeps to its key, so the next
	// runs take the fast path on k[0]'s shard.
	if got := setup.Do("EVAL", body, "1", k[0], "no"); got != "$-1\r\n" {
		t.Fatalf("first run: %q", got)
	}
	// Connections are spread over the loops as they open (a loop held by a
	// script cannot take new ones): open them first.
	conns := make([]*servertest.Raw, 6)
	for i := range conns {
		conns[i] = servertest.Dial(t, addr)
		conns[i].Do("PING")
	}
	spin := servertest.Dial(t, addr)
	spin.SendArgs("EVAL", body, "1", k[0], "spin")
	time.Sleep(200 * time.Millisecond)
	// Find a connection of the free loop.
	var free *servertest.Raw
	for _, c := range conns {
		if free != nil {
			break
		}
		c.SendArgs("GET", k[1])
		if !c.Quiet(300 * time.Millisecond) {
			if got := c.Read(); got != "$4\r\nfree\r\n" {
				t.Fatalf("GET of the other shard's key: %q", got)
			}
			free = c
		}
	}
	if free == nil {
		t.Fatal("no connection answered for the other shard while the script ran")
	}
	if got := free.Do("GET", k[0]); !strings.HasPrefix(got, "-BUSY ") {
		t.Fatalf("GET of the script's shard: %q", got)
	}
	if got := free.Do("SCRIPT", "KILL"); got != "+OK\r\n" {
		t.Fatalf("SCRIPT KILL: %q", got)
	}
	if got := spin.Read(); !strings.HasPrefix(got, "-ERR Script killed by user with SCRIPT KILL... script: ") {
		t.Fatalf("killed script's reply: %q", got)
	}
	if got := free.Do("GET", k[0]); got != "$-1\r\n" {
		t.Fatalf("GET after the kill: %q", got)
	}
}

// TestExecWhileScriptBusy is Redis's multi.tcl "EXEC and script timeout":
// an EXEC whose queued commands wait for a shard a busy script holds is
// refused with EXECABORT and the BUSY reason, runs none of its commands,
// and leaves the client out of MULTI. (With one thread the script holds
// the only loop, and every connection waits for it: docs/scripting.md.)
func TestExecWhileScriptBusy(t *testing.T) {
	for _, threads := range []string{"2", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			addr := servertest.Start(t, "--threads", threads, "--busy-reply-threshold", "10")
			spin, tx, ctl := servertest.Dial(t, addr), servertest.Dial(t, addr), servertest.Dial(t, addr)
			ctl.Do("SET", "xx", "1")
			tx.Do("MULTI")
			tx.Do("INCR", "xx")
			spin.SendArgs("EVAL", "while true do end", "0") // never run before: over every shard
			time.Sleep(200 * time.Millisecond)
			if got := tx.Do("INCR", "xx"); !strings.HasPrefix(got, "-BUSY ") {
				t.Errorf("INCR queued while busy: %q", got)
			}
			want := "-EXECABORT Transaction discarded because of: " + scriptBusyText + "\r\n"
			if got := tx.Do("EXEC"); got != want {
				t.Errorf("EXEC while busy = %q, want %q", got, want)
			}
			ctl.Do("SCRIPT", "KILL")
			spin.Read()
			if got := ctl.Do("GET", "xx"); got != "$1\r\n1\r\n" {
				t.Errorf("xx = %q after the refused EXEC", got)
			}
			if got := tx.Do("PING", "asdf"); got != "$4\r\nasdf\r\n" {
				t.Errorf("PING after the refused EXEC: %q (still in MULTI?)", got)
			}
		})
	}
}

const scriptBusyText = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
