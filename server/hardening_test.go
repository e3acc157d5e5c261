package server_test

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// sendAndDrain writes the chunks to a fresh connection to addr, pausing
// between them so each arrives in its own read, then reads until the
// server closes or 2 s pass.
func sendAndDrain(t *testing.T, addr string, chunks ...string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i, ch := range chunks {
		if i > 0 {
			time.Sleep(30 * time.Millisecond)
		}
		if _, err := io.WriteString(c, ch); err != nil {
			break // closed by the server: what follows never arrives
		}
	}
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	all, _ := io.ReadAll(c)
	return string(all)
}

// TestCrossProtocolRunsNothing: nothing hidden after an HTTP request line,
// a POST or a Host: line on the RESP port is executed, whether the HTTP
// console is on or off and however the request is split.
func TestCrossProtocolRunsNothing(t *testing.T) {
	for _, console := range []string{"yes", "no"} {
		addr := servertest.Start(t, "--http_console", console, "--threads", "2")
		long := strings.Repeat("a", 9000)
		cases := []struct {
			name   string
			chunks []string
		}{
			{"Host line", []string{"Host: x\r\nSET pwn1 1\r\n"}},
			{"POST request", []string{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\nSET pwn2 1\r\n"}},
			{"POST inline then a command", []string{"POST /\r\nSET pwn3 1\r\n"}},
			{"Host line split from the command", []string{"Host: x\r\n", "SET pwn4 1\r\n"}},
			{"long request line in pieces", []string{"POST /" + long[:4000], long[4000:], " HTTP/1.1\r\nHost: x\r\n\r\nSET pwn5 1\r\n"}},
			{"request line over 64 KB", []string{"GET /" + strings.Repeat("b", 70<<10), "\r\nSET pwn6 1\r\n"}},
		}
		for _, c := range cases {
			sendAndDrain(t, addr, c.chunks...)
		}
		r := servertest.Dial(t, addr)
		for i := 1; i <= len(cases); i++ {
			if got := r.Do("EXISTS", fmt.Sprintf("pwn%d", i)); got != ":0\r\n" {
				t.Errorf("console %s, %s: the hidden SET ran (EXISTS pwn%d = %q)", console, cases[i-1].name, i, got)
			}
		}
	}
}

// TestMemcachedMaxClients: the Memcached port counts towards maxclients
// and refuses the excess with memcached's own line.
func TestMemcachedMaxClients(t *testing.T) {
	mcPort := servertest.FreePort(t)
	addr := servertest.Start(t, "--maxclients", "2", "--memcached_port", fmt.Sprint(mcPort))
	a := servertest.Dial(t, addr)
	if got := a.Do("PING"); got != "+PONG\r\n" {
		t.Fatalf("first client: %q", got)
	}
	mc, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", mcPort))
	if err != nil {
		t.Fatal(err)
	}
	defer mc.Close()
	_, _ = io.WriteString(mc, "version\r\n")
	buf := make([]byte, 64)
	_ = mc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, _ := mc.Read(buf); !strings.HasPrefix(string(buf[:n]), "VERSION ") {
		t.Fatalf("second client (Memcached): %q", buf[:n])
	}
	if got := sendAndDrain(t, fmt.Sprintf("127.0.0.1:%d", mcPort), "version\r\n"); got != "ERROR Too many open connections\r\n" {
		t.Errorf("third client (Memcached): %q", got)
	}
	if got := sendAndDrain(t, addr, "PING\r\n"); got != "-ERR max number of clients reached\r\n" {
		t.Errorf("third client (RESP): %q", got)
	}
	if got := a.Do("INFO", "stats"); !strings.Contains(got, "rejected_connections:2\r\n") {
		t.Errorf("INFO stats has no rejected_connections:2")
	}
}

// TestQueryBufferLimit: a client whose unparsed input passes
// client-query-buffer-limit is closed and counted.
func TestQueryBufferLimit(t *testing.T) {
	addr := servertest.Start(t)
	r := servertest.Dial(t, addr)
	if got := r.Do("CONFIG", "SET", "client-query-buffer-limit", "1mb"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET: %q", got)
	}
	got := sendAndDrain(t, addr, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4194304\r\n", strings.Repeat("x", 1<<20), strings.Repeat("x", 1<<20))
	if got != "" {
		t.Errorf("reply %q, want the connection closed", got)
	}
	if got := r.Do("EXISTS", "k"); got != ":0\r\n" {
		t.Errorf("EXISTS k = %q", got)
	}
	if got := r.Do("INFO", "stats"); !strings.Contains(got, "client_query_buffer_limit_disconnections:1\r\n") {
		t.Errorf("INFO stats does not count the disconnection")
	}
}

// TestAdminPortMaxClients: the admin port counts towards maxclients and
// answers a refused request with an HTTP status.
func TestAdminPortMaxClients(t *testing.T) {
	admin := servertest.FreePort(t)
	addr := servertest.Start(t, "--maxclients", "1", "--admin-port", fmt.Sprint(admin))
	if got := servertest.Dial(t, addr).Do("PING"); got != "+PONG\r\n" {
		t.Fatalf("first client: %q", got)
	}
	got := sendAndDrain(t, fmt.Sprintf("127.0.0.1:%d", admin), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasPrefix(got, "HTTP/1.1 503 Service Unavailable\r\n") || !strings.Contains(got, "max number of clients reached") {
		t.Errorf("admin port over maxclients: %q", got)
	}
}

// TestHalfClosedClientGetsItsReplies: a client that sends its commands and
// shuts its side of the connection at once (a script piping into a socket)
// gets every reply before the server closes, on the RESP and Memcached
// ports. Replies wait for the end of the loop's round, and the end of the
// input may come in the same event as the commands; on several shards a
// reply may still be pending on another shard when the connection closes.
// (Known limit: on several shards, commands past the connection's window
// of pending replies, 4 for a new connection, are not run once its input
// has ended.)
func TestHalfClosedClientGetsItsReplies(t *testing.T) {
	var long, longWant strings.Builder
	for i := range 40 {
		fmt.Fprintf(&long, "SET k%d v%d\r\nGET k%d\r\n", i, i, i)
		fmt.Fprintf(&longWant, "+OK\r\n$%d\r\nv%d\r\n", len(fmt.Sprint("v", i)), i)
	}
	long.WriteString("PING\r\n")
	longWant.WriteString("+PONG\r\n")
	for _, threads := range []string{"1", "2"} {
		respAddr, mcAddr := startMemcache(t, "--threads", threads)
		type exchange struct{ addr, req, want string }
		cases := []exchange{
			{respAddr, "SET k1 v1\r\nSET k2 v2\r\nSET k3 v3\r\n", "+OK\r\n+OK\r\n+OK\r\n"},
			{respAddr, "MGET k1 k2 k3\r\n", "*3\r\n$2\r\nv1\r\n$2\r\nv2\r\n$2\r\nv3\r\n"},
			{respAddr, "GET k2\r\nGET k3\r\n", "$2\r\nv2\r\n$2\r\nv3\r\n"},
			{mcAddr, "set m 0 0 1\r\nx\r\nget m\r\n", "STORED\r\nVALUE m 0 1\r\nx\r\nEND\r\n"},
		}
		if threads == "1" {
			cases = append(cases, exchange{respAddr, long.String(), longWant.String()})
		}
		for round := range 50 {
			for _, tc := range cases {
				c, err := net.DialTimeout("tcp", tc.addr, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := io.WriteString(c, tc.req); err != nil {
					t.Fatal(err)
				}
				_ = c.(*net.TCPConn).CloseWrite()
				_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
				got, err := io.ReadAll(c)
				c.Close()
				if err != nil || string(got) != tc.want {
					t.Fatalf("threads %s, round %d, %q: got %q (%v), want %q",
						threads, round, tc.req[:min(len(tc.req), 20)], got, err, tc.want)
				}
			}
		}
	}
}
