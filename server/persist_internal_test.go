package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/anaxdb/anax/config"
)

// TestLoadingRefusals: while a snapshot loads, commands without the
// loading flag get -LOADING, INFO says loading:1 and /healthz 503.
func TestLoadingRefusals(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mcPort := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cfg := config.New()
	if err := cfg.Load([]string{"--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--dir", t.TempDir(), "--threads", "2", "--memcached-port", fmt.Sprint(mcPort)}, nil); err != nil {
		t.Fatal(err)
	}
	s := New(cfg, zap.NewNop().Sugar())
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Stop(ctx)
	}()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	do := func(cmd string) string {
		fmt.Fprintf(c, "%s\r\n", cmd)
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(line, "$") {
			var n int
			fmt.Sscanf(line, "$%d", &n)
			b := make([]byte, n+2)
			if _, err := io.ReadFull(r, b); err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		return line
	}
	health := func() int {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	p := &s.persist
	p.loading.Store(true)
	p.setRefuse(refuseLoading, true)
	s.SetLoading(true)
	if got := do("PING"); got != "-LOADING Redis is loading the dataset in memory\r\n" {
		t.Errorf("PING while loading: %q", got)
	}
	if got := do("SET k v"); got != "-LOADING Redis is loading the dataset in memory\r\n" {
		t.Errorf("SET while loading: %q", got)
	}
	if got := do("INFO persistence"); !strings.Contains(got, "loading:1\r\n") || !strings.Contains(got, "loading_loaded_perc:") {
		t.Errorf("INFO while loading: %q", got)
	}
	if code := health(); code != http.StatusServiceUnavailable {
		t.Errorf("/healthz while loading: %d", code)
	}
	mc, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", mcPort))
	if err != nil {
		t.Fatal(err)
	}
	defer mc.Close()
	fmt.Fprintf(mc, "get k\r\nversion\r\n")
	mr := bufio.NewReader(mc)
	if line, _ := mr.ReadString('\n'); line != "SERVER_ERROR loading the dataset in memory\r\n" {
		t.Errorf("memcache get while loading: %q", line)
	}
	if line, _ := mr.ReadString('\n'); !strings.HasPrefix(line, "VERSION ") {
		t.Errorf("memcache version while loading: %q", line)
	}
	p.loading.Store(false)
	p.setRefuse(refuseLoading, false)
	s.SetLoading(false)
	if got := do("PING"); got != "+PONG\r\n" {
		t.Errorf("PING after loading: %q", got)
	}
	if code := health(); code != http.StatusOK {
		t.Errorf("/healthz after loading: %d", code)
	}
}

func TestParseCron(t *testing.T) {
	for spec, ok := range map[string]bool{
		"": true, "*/5 * * * *": true, "0 3 * * 1-5": true, "@hourly": true,
		"61 * * * *": false, "* * * *": false, "bogus": false,
	} {
		_, err := parseCron(spec)
		if (err == nil) != ok {
			t.Errorf("parseCron(%q): %v", spec, err)
		}
	}
}
