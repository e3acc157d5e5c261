package face

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/anaxdb/anax/http/console"
	"github.com/anaxdb/anax/http/metrics"
	"github.com/anaxdb/anax/http/wire"
)

// fakeHost serves fixed figures.
type fakeHost struct {
	loading bool
}

func (h *fakeHost) MetricsSnapshot(m *metrics.Snapshot) {
	m.RedisVersion = "7.0.0"
}
func (h *fakeHost) Password() string                { return "" }
func (h *fakeHost) Info(...string) string           { return "" }
func (h *fakeHost) Live() console.Live              { return console.Live{} }
func (h *fakeHost) SlowLog(int) []console.SlowEntry { return nil }
func (h *fakeHost) Do(context.Context, int, []string) (console.Reply, error) {
	return console.Reply{}, nil
}
func (h *fakeHost) Loading() bool          { return h.loading }
func (h *fakeHost) PostToLoop(int, func()) {}

type logged struct{ lines []string }

func (l *logged) Errorf(format string, args ...any) {
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

// exchange frames raw as a request, runs it through the face's handler
// as the worker would, and parses the response.
func exchange(t *testing.T, f *Face, raw string) (*http.Response, string) {
	t.Helper()
	req, n, ref := wire.ParseRequest([]byte(raw))
	if ref.Status != 0 || n != len(raw) {
		t.Fatalf("ParseRequest(%q) = %d bytes, refusal %+v", raw, n, ref)
	}
	out := f.respond(nil, req, false)
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(out)), req)
	if err != nil {
		t.Fatalf("response to %q: %v\n%s", raw, err, out)
	}
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestHealth(t *testing.T) {
	host := &fakeHost{}
	f := New(host, &logged{})
	for _, tc := range []struct {
		loading bool
		status  int
		body    string
	}{{false, 200, "OK\n"}, {true, 503, "LOADING\n"}, {false, 200, "OK\n"}} {
		host.loading = tc.loading
		resp, body := exchange(t, f, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp.StatusCode != tc.status || body != tc.body {
			t.Errorf("loading=%v: %d %q, want %d %q", tc.loading, resp.StatusCode, body, tc.status, tc.body)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control = %q, want no-store", cc)
		}
	}
}

func TestScrapeEndpointsAreGetOnly(t *testing.T) {
	f := New(&fakeHost{}, &logged{})
	for _, path := range []string{"/metrics", "/healthz"} {
		resp, _ := exchange(t, f, "POST "+path+" HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("POST %s: %d, Allow %q; want 405, GET, HEAD", path, resp.StatusCode, resp.Header.Get("Allow"))
		}
		resp, _ = exchange(t, f, "HEAD "+path+" HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp.StatusCode != http.StatusOK {
			t.Errorf("HEAD %s: %d, want 200", path, resp.StatusCode)
		}
	}
	resp, body := exchange(t, f, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `redis_version="7.0.0"`) {
		t.Errorf("GET /metrics: %d\n%s", resp.StatusCode, body)
	}
}

// A handler's panic is answered 500 and logged; it does not take the
// server down.
func TestHandlerPanic(t *testing.T) {
	log := &logged{}
	f := New(&fakeHost{}, log)
	f.handler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("handler failed") })
	resp, _ := exchange(t, f, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", resp.StatusCode)
	}
	if len(log.lines) != 1 || !strings.Contains(log.lines[0], "handler failed") {
		t.Errorf("logged %q, want the panic", log.lines)
	}
}
