// Package servertest starts a real Anax server on a loopback port for
// tests, so that tests talk to it over TCP with real clients (go-redis,
// redis-cli, memcache clients) rather than mocks.
//
// Tests that use it must live in an external test package (package
// server_test), since server cannot import servertest.
package servertest

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/anaxdb/anax/config"
	"github.com/anaxdb/anax/server"
	"go.uber.org/zap"
)

// Start runs an Anax with the given extra flags (e.g. "--threads", "4") on
// a free loopback port and returns its address; it stops when the test ends.
func Start(t testing.TB, args ...string) string {
	t.Helper()
	port := FreePort(t)
	all := append([]string{"--port", fmt.Sprint(port), "--bind", "127.0.0.1"}, args...)
	cfg := config.New()
	if err := cfg.Load(all, nil); err != nil {
		t.Fatalf("servertest: config: %v", err)
	}
	srv := server.New(cfg, zap.NewNop().Sugar())
	if err := srv.Start(); err != nil {
		t.Fatalf("servertest: start: %v", err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Stop(ctx)
	})
	return addr
}

// FreePort returns a TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("servertest: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
