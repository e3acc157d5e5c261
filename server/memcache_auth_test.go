package server_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/redis/go-redis/v9"
)

// line sends req and reads one reply line.
func (m *mcRaw) line(req string) string {
	m.t.Helper()
	m.send(req)
	got, err := m.readUntil("\r\n")
	if err != nil {
		m.t.Fatalf("reply to %.80q: %v (so far %.200q)", req, err, got)
	}
	return got
}

// mcAuthStep is one write to a connection that has not authenticated and
// the one line it is answered with ("" for none: the request is not
// complete yet). Each step is written only after the previous reply came
// back: memcached answers a batch read together before authentication
// with its last reply alone.
type mcAuthStep struct{ req, reply string }

// mcAuthScript: what memcached 1.6 (-Y, with "default:s3cret" in its
// authfile) answers before authentication. Nothing in it may change data.
func mcAuthScript() []mcAuthStep {
	const (
		unauth = "CLIENT_ERROR unauthenticated\r\n"
		failed = "CLIENT_ERROR authentication failure\r\n"
		format = "CLIENT_ERROR bad authentication token format\r\n"
	)
	return []mcAuthStep{
		{"get k\r\n", unauth},
		{"gets k\r\n", unauth},
		{"mg k v\r\n", unauth},
		{"delete k\r\n", unauth},
		{"incr n 1\r\n", unauth},
		{"flush_all\r\n", unauth},
		{"flush_all noreply\r\n", unauth},
		{"version\r\n", unauth},
		{"stats\r\n", unauth},
		{"quit\r\n", unauth},
		{"mn\r\n", unauth},
		{"\r\n", unauth},
		{"add k 0 0 14\r\n", unauth},
		{"default s3cret\r\n", unauth},
		{"ms k 1\r\n", unauth},
		{"v\r\n", unauth},
		{"set k 0 0\r\n", unauth},
		{"set k 0 0 -1\r\n", unauth},
		{"set k 0 0 1\r\n", ""},
		{"v\r\n", format},
		{"set k 0 0 14\r\n", ""},
		{"default:s3cret\r\n", format},
		{"set k 0 0 12\r\ndefault nope\r\n", failed},
		{"set k 0 0 12 noreply\r\ndefault nope\r\n", failed},
		{"set k 0 0 14\r\nDEFAULT s3cret\r\n", failed},
		{"set k 0 0 11\r\nuser s3cret\r\n", failed},
		{"set k 0 0 4\r\nab cXY", "CLIENT_ERROR bad command line termination\r\n"},
		{"get k\r\n", unauth},
	}
}

func runAuthScript(t *testing.T, name, addr string) {
	c := dialMC(t, addr)
	for i, st := range mcAuthScript() {
		if st.reply == "" {
			c.send(st.req)
			continue
		}
		if got := c.line(st.req); got != st.reply {
			t.Errorf("%s step %d %q: %q, want %q", name, i, st.req, got, st.reply)
		}
	}
	// Authenticated at last: the key of the set is ignored, the connection
	// now runs commands.
	if got := c.line("set k 0 0 14\r\ndefault s3cret\r\n"); got != "STORED\r\n" {
		t.Errorf("%s: authentication: %q", name, got)
	}
	if got := c.do("get nokey\r\n"); got != "END\r\n" {
		t.Errorf("%s: get after authentication: %q", name, got)
	}
}

// TestMemcacheAuth: with requirepass set, the memcache port runs nothing
// until a connection authenticates as memcached -Y has it.
func TestMemcacheAuth(t *testing.T) {
	respAddr, mcAddr, logs := startMemcacheLogged(t, "--requirepass", "s3cret")
	if logs.FilterMessageSnippet("Memcached port requires authentication").Len() != 1 {
		t.Errorf("no start-up notice: %v", logs.All())
	}
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: respAddr, Password: "s3cret"})
	defer rdb.Close()
	if err := rdb.Set(ctx, "k", "orig", 0).Err(); err != nil {
		t.Fatal(err)
	}

	runAuthScript(t, "anax", mcAddr)
	// Nothing before the authentication changed data: k is as the RESP
	// side wrote it, no key was added, nothing was flushed.
	if v, err := rdb.Get(ctx, "k").Result(); v != "orig" || err != nil {
		t.Errorf("k after the refused requests: %q %v", v, err)
	}
	if n, err := rdb.DBSize(ctx).Result(); n != 1 || err != nil {
		t.Errorf("dbsize after the refused requests: %d %v", n, err)
	}

	// Once authenticated, get, set and flush_all work.
	c := dialMC(t, mcAddr)
	if got := c.line("set ignored 0 0 14\r\ndefault s3cret\r\n"); got != "STORED\r\n" {
		t.Fatalf("authentication: %q", got)
	}
	if got := c.do("get k\r\nset k2 5 0 2\r\nv2\r\nget k2\r\n"); got != "VALUE k 0 4\r\norig\r\nEND\r\nSTORED\r\nVALUE k2 5 2\r\nv2\r\nEND\r\n" {
		t.Errorf("after authentication: %q", got)
	}
	if n, _ := rdb.Exists(ctx, "ignored").Result(); n != 0 {
		t.Error("the authentication set stored its key")
	}
	if got := c.do("flush_all\r\nget k k2\r\n"); got != "OK\r\nEND\r\n" {
		t.Errorf("flush_all after authentication: %q", got)
	}

	// CONFIG SET requirepass applies to the next authentication; a
	// connection already authenticated stays so, as on the RESP side.
	if err := rdb.ConfigSet(ctx, "requirepass", "n3w").Err(); err != nil {
		t.Fatal(err)
	}
	if got := c.do("set k 0 0 1\r\nx\r\n"); got != "STORED\r\n" {
		t.Errorf("authenticated connection after CONFIG SET: %q", got)
	}
	c2 := dialMC(t, mcAddr)
	if got := c2.line("set k 0 0 14\r\ndefault s3cret\r\n"); got != "CLIENT_ERROR authentication failure\r\n" {
		t.Errorf("old password: %q", got)
	}
	if got := c2.line("set k 0 0 11\r\ndefault n3w\r\n"); got != "STORED\r\n" {
		t.Errorf("new password: %q", got)
	}
	// Without a password the port needs nothing again.
	rdb2 := redis.NewClient(&redis.Options{Addr: respAddr, Password: "n3w"})
	defer rdb2.Close()
	if err := rdb2.ConfigSet(ctx, "requirepass", "").Err(); err != nil {
		t.Fatal(err)
	}
	if got := dialMC(t, mcAddr).do("get k\r\n"); got != "VALUE k 0 1\r\nx\r\nEND\r\n" {
		t.Errorf("without requirepass: %q", got)
	}
}

// TestMemcacheAuthAgainstMemcached runs the same script against memcached
// started with -Y and an authfile holding the same credentials.
func TestMemcacheAuthAgainstMemcached(t *testing.T) {
	if _, err := exec.LookPath("memcached"); err != nil {
		t.Skip("memcached is not installed")
	}
	authfile := filepath.Join(t.TempDir(), "authfile")
	if err := os.WriteFile(authfile, []byte("default:s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	runAuthScript(t, "memcached", startMemcached(t, "-Y", authfile))
}
