package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// TestExecWaitsBehindWholeKeyspaceLock: while one client's EXEC holds every
// shard (DEBUG SLEEP inside it, which also stops every loop, as it stops
// Redis), another client's EXEC with SELECT and a key, on either shard,
// runs with its connection state intact (SELECT applies to what follows).
func TestExecWaitsBehindWholeKeyspaceLock(t *testing.T) {
	addr := servertest.Start(t, "--enable-debug-command", "yes", "--threads", "2")
	for _, key := range onShards("w", 2, 2) {
		holder := servertest.Dial(t, addr)
		holder.SendArgs("MULTI")
		holder.SendArgs("DEBUG", "SLEEP", "0.3")
		holder.SendArgs("EXEC")
		time.Sleep(50 * time.Millisecond)

		c := servertest.Dial(t, addr)
		for _, cmd := range [][]string{{"MULTI"}, {"SELECT", "1"}, {"SET", key, "v"}, {"GET", key}} {
			c.Send(servertest.Encode(cmd...))
		}
		c.Send(servertest.Encode("EXEC"))
		for _, want := range []string{"+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n"} {
			if got := c.Read(); got != want {
				t.Fatalf("%s: queueing reply %q, want %q", key, got, want)
			}
		}
		if got := c.Read(); got != "*3\r\n+OK\r\n+OK\r\n$1\r\nv\r\n" {
			t.Fatalf("%s: EXEC = %q", key, got)
		}
		if got := c.Do("GET", key); got != "$1\r\nv\r\n" {
			t.Errorf("%s: GET after EXEC (database 1 still selected) = %q", key, got)
		}
		for _, want := range []string{"+OK\r\n", "+QUEUED\r\n", "*1\r\n+OK\r\n"} {
			if got := holder.Read(); got != want {
				t.Fatalf("holder reply %q, want %q", got, want)
			}
		}
	}
}

// TestPipelineOrderAroundTransactions sends, in one write, single-shard
// commands on keys of both shards mixed with multi-shard commands on the
// same keys: every reply must be as if they ran one after another.
func TestPipelineOrderAroundTransactions(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2")
	k := onShards("p", 2, 2)
	a, b := k[0], k[1]
	script := [][]string{
		{"SET", a, "1"}, {"SET", b, "1"},
		{"MSET", a, "2", b, "2"},
		{"MGET", a, b},
		{"SET", a, "3"}, {"INCR", b},
		{"MGET", a, b},
		{"DEL", a, b},
		{"GET", a},
		{"MSET", a, "4", b, "4"}, {"APPEND", b, "x"}, {"RENAME", a, "renamed"},
		{"MGET", a, b, "renamed"},
	}
	want := []string{
		"+OK\r\n", "+OK\r\n", "+OK\r\n",
		"*2\r\n$1\r\n2\r\n$1\r\n2\r\n",
		"+OK\r\n", ":3\r\n",
		"*2\r\n$1\r\n3\r\n$1\r\n3\r\n",
		":2\r\n",
		"$-1\r\n",
		"+OK\r\n", ":2\r\n", "+OK\r\n",
		"*3\r\n$-1\r\n$2\r\n4x\r\n$1\r\n4\r\n",
	}
	for round := 0; round < 50; round++ {
		c := servertest.Dial(t, addr)
		var req []byte
		for _, cmd := range script {
			req = append(req, servertest.Encode(cmd...)...)
		}
		c.Send(req)
		for i, w := range want {
			if got := c.Read(); got != w {
				t.Fatalf("round %d, %q: got %q, want %q", round, script[i], got, w)
			}
		}
		c.Do("DEL", "renamed")
	}
}

// TestKeylessCommandInExecAcrossShards: a keyless command (OBJECT HELP) in
// an EXEC whose keys are on other shards than the client's runs, from
// every connection whatever its shard.
func TestKeylessCommandInExecAcrossShards(t *testing.T) {
	addr := servertest.Start(t, "--threads", "4")
	k := onShards("z", 4, 4)
	for i := 0; i < 8; i++ { // connections land on every loop
		c := servertest.Dial(t, addr)
		for _, cmd := range [][]string{{"MULTI"}, {"OBJECT", "HELP"}, {"MSET", k[1], "1", k[2], "2"}, {"EXEC"}} {
			c.SendArgs(cmd...)
		}
		for _, want := range []string{"+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n"} {
			if got := c.Read(); got != want {
				t.Fatalf("connection %d: %q, want %q", i, got, want)
			}
		}
		if got := c.Read(); !strings.HasPrefix(got, "*2\r\n*") || !strings.HasSuffix(got, "+OK\r\n") {
			t.Fatalf("connection %d: EXEC = %q", i, got)
		}
	}
}
