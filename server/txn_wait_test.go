package server_test

import (
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
