package server_test

import (
	"fmt"
	"strconv"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/anaxdb/anax/internal/servertest"
)

// startMemcacheLogged is startMemcache with the server's log kept for the
// test to read.
func startMemcacheLogged(t *testing.T, args ...string) (respAddr, mcAddr string, logs *observer.ObservedLogs) {
	t.Helper()
	mcPort := servertest.FreePort(t)
	core, logs := observer.New(zapcore.DebugLevel)
	_, respAddr = servertest.StartServer(t, zap.New(core).Sugar(), append(args, "--memcached_port", strconv.Itoa(mcPort))...)
	return respAddr, fmt.Sprintf("127.0.0.1:%d", mcPort), logs
}

// TestMemcacheHTTPRefused: an HTTP request sent to the memcache port (a
// browser made to post there) runs nothing, neither its lines nor what
// follows them, and the connection is closed with a warning in the log.
func TestMemcacheHTTPRefused(t *testing.T) {
	for _, pass := range []string{"", "s3cret"} {
		args := []string{"--threads", "2"}
		if pass != "" {
			args = append(args, "--requirepass", pass)
		}
		_, mcAddr, logs := startMemcacheLogged(t, args...)
		if notices := logs.FilterMessageSnippet("requires authentication").Len(); notices != min(len(pass), 1) {
			t.Errorf("requirepass %q: %d authentication notices at start-up", pass, notices)
		}
		attacks := []struct{ in, reply string }{
			{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", ""},
			{"POST / HTTP/1.1\r\nHost: x\r\n\r\nset pwn 0 0 1\r\n1\r\n", ""},
			{"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 21\r\n\r\nset pwn 0 0 1\r\n1\r\n", ""},
			{"POST /\r\nset pwn 0 0 1\r\n1\r\n", ""},
			{"Host: x\r\nset pwn 0 0 1\r\n1\r\n", ""},
			{"host:x\r\nflush_all\r\n", ""},
			{"PUT /pwn HTTP/1.0\r\n\r\nset pwn 0 0 1\r\n1\r\n", ""},
			{"OPTIONS * HTTP/1.1\r\nset pwn 0 0 1\r\n1\r\n", ""},
		}
		if pass == "" {
			// Commands before the request line run; nothing after it.
			attacks = append(attacks, struct{ in, reply string }{
				"version\r\nPOST / HTTP/1.1\r\nset pwn 0 0 1\r\n1\r\n", "VERSION 1.6.27\r\n"})
		}
		clean := dialMC(t, mcAddr)
		if pass != "" {
			if got := clean.line("set k 0 0 14\r\ndefault " + pass + "\r\n"); got != "STORED\r\n" {
				t.Fatalf("authentication: %q", got)
			}
		}
		if got := clean.do("set keep 0 0 1\r\nk\r\n"); got != "STORED\r\n" {
			t.Fatalf("set keep: %q", got)
		}
		for _, a := range attacks {
			c := dialMC(t, mcAddr)
			c.send(a.in)
			if got, err := c.readAll(); got != a.reply || err != nil {
				t.Errorf("requirepass %q, %q: read %q %v before the close, want %q", pass, a.in, got, err, a.reply)
			}
		}
		if got := clean.do("get pwn keep\r\nget / HTTP/1.1\r\n"); got != "VALUE keep 0 1\r\nk\r\nEND\r\nEND\r\n" {
			t.Errorf("requirepass %q: after the attacks: %q", pass, got)
		}
		warned := logs.FilterMessageSnippet("Possible SECURITY ATTACK detected").FilterLevelExact(zapcore.WarnLevel).Len()
		if warned != len(attacks) {
			t.Errorf("requirepass %q: %d security warnings for %d attacks", pass, warned, len(attacks))
		}
	}
}
