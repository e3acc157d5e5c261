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
	"os"
	"slices"
	"testing"
	"time"

	"github.com/anaxdb/anax/config"
	"github.com/anaxdb/anax/server"
	"go.uber.org/zap"
)

// Start runs an Anax with the given extra flags (e.g. "--threads", "4") on
// a free loopback port and returns its address; it stops when the test ends.
// When the flags name no thread count, $ANAX_TEST_THREADS (if set) gives
// it, so that a whole suite can run over 1 or 4 shards (make test does both).
func Start(t testing.TB, args ...string) string {
	t.Helper()
	_, addr := StartServer(t, zap.NewNop().Sugar(), args...)
	return addr
}

// StartServer is Start with the server's log going to log; it also returns
// the server. args may begin with a configuration file.
func StartServer(t testing.TB, log *zap.SugaredLogger, args ...string) (*server.Server, string) {
	t.Helper()
	port := FreePort(t)
	all := append(append([]string{}, args...), "--port", fmt.Sprint(port), "--bind", "127.0.0.1")
	if n := os.Getenv("ANAX_TEST_THREADS"); n != "" && !slices.Contains(args, "--threads") {
		all = append(all, "--threads", n)
	}
	if !slices.Contains(args, "--dir") {
		// Snapshots (SHUTDOWN, the save rules) go to the test's own
		// directory, never to the package's.
		all = append(all, "--dir", t.TempDir())
	}
	cfg := config.New()
	if err := cfg.Load(all, nil); err != nil {
		t.Fatalf("servertest: config: %v", err)
	}
	srv := server.New(cfg, log)
	if err := srv.Start(); err != nil {
		t.Fatalf("servertest: start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Stop(ctx)
	})
	return srv, fmt.Sprintf("127.0.0.1:%d", port)
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
