package server_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/anaxdb/anax/config"
	"github.com/anaxdb/anax/internal/servertest"
	"github.com/anaxdb/anax/server"
)

// TestAppendOnlyRefused: appendonly yes, which this version cannot honour,
// starts the server with a warning whichever source gave it (file,
// environment, flag), and CONFIG SET appendonly yes answers an error,
// whether the server started with yes or no; CONFIG SET appendonly no is
// accepted.
func TestAppendOnlyRefused(t *testing.T) {
	const refused = "-ERR CONFIG SET failed (possibly related to argument 'appendonly') - appendonly yes is not supported: this version of Anax keeps no append-only file\r\n"
	file := filepath.Join(t.TempDir(), "anax.conf")
	if err := os.WriteFile(file, []byte("appendonly yes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		env  []string
		warn bool
	}{
		{"default", nil, nil, false},
		{"flag", []string{"--appendonly", "yes"}, nil, true},
		{"env", nil, []string{"ANAX_APPENDONLY=yes"}, true},
		{"file", []string{file}, nil, true},
		{"file overridden by a flag", []string{file, "--appendonly", "no"}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := servertest.FreePort(t)
			cfg := config.New()
			args := append(append([]string{}, tc.args...), "--port", fmt.Sprint(port), "--bind", "127.0.0.1")
			if err := cfg.Load(args, tc.env); err != nil {
				t.Fatal(err)
			}
			core, logs := observer.New(zapcore.InfoLevel)
			srv := server.New(cfg, zap.New(core).Sugar())
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				srv.Stop(ctx)
			})
			warned := false
			for _, e := range logs.All() {
				if e.Level == zapcore.WarnLevel && strings.Contains(e.Message, "WARNING appendonly yes has no effect") {
					warned = true
				}
			}
			if warned != tc.warn {
				t.Errorf("warning logged: %v, want %v (log: %v)", warned, tc.warn, logs.All())
			}
			c := servertest.Dial(t, fmt.Sprintf("127.0.0.1:%d", port))
			want := "no"
			if tc.warn {
				want = "yes"
			}
			if got := c.Do("CONFIG", "GET", "appendonly"); got != "*2\r\n$10\r\nappendonly\r\n$"+fmt.Sprint(len(want))+"\r\n"+want+"\r\n" {
				t.Errorf("CONFIG GET appendonly: %q", got)
			}
			if got := c.Do("CONFIG", "SET", "appendonly", "yes"); got != refused {
				t.Errorf("CONFIG SET appendonly yes: %q", got)
			}
			if got := c.Do("CONFIG", "SET", "maxmemory", "10mb", "appendonly", "yes"); got != refused {
				t.Errorf("CONFIG SET maxmemory 10mb appendonly yes: %q", got)
			}
			if got := c.Do("CONFIG", "GET", "maxmemory"); !strings.HasSuffix(got, "$1\r\n0\r\n") {
				t.Errorf("a refused CONFIG SET changed maxmemory: %q", got)
			}
			if got := c.Do("CONFIG", "SET", "appendonly", "no"); got != "+OK\r\n" {
				t.Errorf("CONFIG SET appendonly no: %q", got)
			}
			if got := c.Do("CONFIG", "SET", "appendonly", "yes"); got != refused {
				t.Errorf("CONFIG SET appendonly yes after no: %q", got)
			}
		})
	}
}

// TestListCompressRefused: list-compress-depth above 0, which this version
// cannot honour, starts the server with a warning and is refused by CONFIG
// SET; 0 is accepted.
func TestListCompressRefused(t *testing.T) {
	port := servertest.FreePort(t)
	cfg := config.New()
	if err := cfg.Load([]string{"--list-compress-depth", "1", "--port", fmt.Sprint(port), "--bind", "127.0.0.1"}, nil); err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zapcore.InfoLevel)
	srv := server.New(cfg, zap.New(core).Sugar())
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Stop(ctx)
	})
	if logs.FilterMessageSnippet("list-compress-depth has no effect").Len() != 1 {
		t.Error("no start-up warning for list-compress-depth 1")
	}
	r := servertest.Dial(t, fmt.Sprintf("127.0.0.1:%d", port))
	const refused = "-ERR CONFIG SET failed (possibly related to argument 'list-compress-depth') - list-compress-depth above 0 is not supported: this version of Anax does not compress list nodes\r\n"
	if got := r.Do("CONFIG", "SET", "list-compress-depth", "2"); got != refused {
		t.Errorf("CONFIG SET list-compress-depth 2: %q", got)
	}
	if got := r.Do("CONFIG", "SET", "list-compress-depth", "0"); got != "+OK\r\n" {
		t.Errorf("CONFIG SET list-compress-depth 0: %q", got)
	}
}
