package server_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/zap"

	"github.com/anaxdb/anax/internal/servertest"
	"github.com/anaxdb/anax/server"
)

// HTTP on the RESP port and on --admin_port, over real TCP against an
// in-process Anax.

// startServer is servertest.Start that also returns the server.
func startServer(t *testing.T, args ...string) (*server.Server, string) {
	t.Helper()
	return servertest.StartServer(t, zap.NewNop().Sugar(), args...)
}

func httpGet(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func TestHTTPMetrics(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2")
	r := servertest.Dial(t, addr)
	for i := 0; i < 10; i++ {
		r.Do("SET", fmt.Sprintf("k%d", i), "v")
	}
	r.Do("SET", "ttl", "v", "EX", "100")
	r.Do("SELECT", "3")
	r.Do("SET", "in3", "v")
	r.Do("GET", "in3")
	r.Do("GET", "missing")
	r.Do("NOSUCHCOMMAND")

	code, hdr, body := httpGet(t, "http://"+addr+"/metrics")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %q", code, hdr.Get("Content-Type"))
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v\n%s", err, body)
	}
	for _, name := range []string{
		"redis_up", "redis_instance_info", "redis_uptime_in_seconds", "redis_connected_clients",
		"redis_memory_used_bytes", "redis_memory_max_bytes", "redis_memory_used_rss_bytes",
		"redis_db_keys", "redis_db_keys_expiring", "redis_commands_total",
		"redis_commands_duration_seconds_total", "redis_keyspace_hits_total", "redis_keyspace_misses_total",
		"redis_expired_keys_total", "redis_connections_received_total", "redis_errors_total",
		"redis_commands_processed_total", "redis_slowlog_length",
		"anax_shard_keys", "anax_shard_queue_length", "anax_hops_total", "anax_transactions_total",
		"anax_go_gc_pause_seconds", "anax_go_goroutines",
	} {
		if fams[name] == nil {
			t.Errorf("metric %s missing", name)
		}
	}
	value := func(name string, labels ...string) float64 {
		t.Helper()
		f := fams[name]
		if f == nil {
			t.Fatalf("metric %s missing", name)
		}
	next:
		for _, m := range f.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, lp := range m.GetLabel() {
					if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
						found = true
					}
				}
				if !found {
					continue next
				}
			}
			switch {
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			case m.Counter != nil:
				return m.Counter.GetValue()
			}
		}
		t.Fatalf("metric %s%v missing", name, labels)
		return 0
	}
	checks := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"redis_up", nil, 1},
		{"redis_db_keys", []string{"db", "db0"}, 11},
		{"redis_db_keys_expiring", []string{"db", "db0"}, 1},
		{"redis_db_keys", []string{"db", "db3"}, 1},
		{"redis_commands_total", []string{"cmd", "set"}, 12},
		{"redis_commands_total", []string{"cmd", "get"}, 2},
		{"redis_keyspace_hits_total", nil, 1},
		{"redis_keyspace_misses_total", nil, 1},
		{"redis_errors_total", []string{"err", "ERR"}, 1},
		{"redis_connected_clients", nil, 1},
	}
	for _, c := range checks {
		if got := value(c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	shardKeys := value("anax_shard_keys", "shard", "0") + value("anax_shard_keys", "shard", "1")
	if shardKeys != 12 {
		t.Errorf("anax_shard_keys sum to %v, want 12", shardKeys)
	}
	if fams["anax_go_gc_pause_seconds"].GetType().String() != "HISTOGRAM" {
		t.Errorf("anax_go_gc_pause_seconds is a %v", fams["anax_go_gc_pause_seconds"].GetType())
	}

	// promtool's linter, when installed (Debian package prometheus).
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Log("promtool not installed: skipping promtool check metrics")
		return
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

func TestHTTPHealthz(t *testing.T) {
	srv, addr := startServer(t)
	code, _, body := httpGet(t, "http://"+addr+"/healthz")
	if code != 200 || body != "OK\n" {
		t.Fatalf("GET /healthz: %d %q", code, body)
	}
	srv.SetLoading(true)
	if code, _, body = httpGet(t, "http://"+addr+"/healthz"); code != 503 {
		t.Fatalf("GET /healthz while loading: %d %q", code, body)
	}
	srv.SetLoading(false)
	if code, _, _ = httpGet(t, "http://"+addr+"/healthz"); code != 200 {
		t.Fatalf("GET /healthz after loading: %d", code)
	}
	resp, err := http.Post("http://"+addr+"/healthz", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST /healthz: %d", resp.StatusCode)
	}
}

func TestHTTPConsolePage(t *testing.T) {
	addr := servertest.Start(t)
	code, hdr, body := httpGet(t, "http://"+addr+"/")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") || !strings.Contains(body, "<title>Anax console</title>") {
		t.Fatalf("GET /: %d %q %.200q", code, hdr.Get("Content-Type"), body)
	}
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	for path, ctype := range map[string]string{"/console.js": "text/javascript", "/console.css": "text/css"} {
		code, hdr, body := httpGet(t, "http://"+addr+path)
		if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), ctype) || len(body) < 100 {
			t.Errorf("GET %s: %d %q %d bytes", path, code, hdr.Get("Content-Type"), len(body))
		}
	}
	if code, _, _ := httpGet(t, "http://"+addr+"/no-such-page"); code != 404 {
		t.Errorf("GET /no-such-page: %d", code)
	}
}

// consoleClient talks to the console API as the page does: a cookie jar
// and the session's CSRF token.
type consoleClient struct {
	t    *testing.T
	base string
	hc   *http.Client
	csrf string
}

func newConsoleClient(t *testing.T, addr string) *consoleClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	cc := &consoleClient{t: t, base: "http://" + addr, hc: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	code, v := cc.do("GET", "/api/session", nil, nil)
	if code != 200 {
		t.Fatalf("GET /api/session: %d %v", code, v)
	}
	cc.csrf, _ = v["csrf"].(string)
	if len(cc.csrf) < 32 {
		t.Fatalf("CSRF token %q", cc.csrf)
	}
	return cc
}

// do sends a request; body, when not nil, is sent as JSON. hdr adds or
// (with an empty value) removes headers; the CSRF header is set unless hdr
// names it.
func (cc *consoleClient) do(method, path string, body any, hdr map[string]string) (int, map[string]any) {
	cc.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, cc.base+path, rd)
	if err != nil {
		cc.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if cc.csrf != "" {
		req.Header.Set("X-CSRF-Token", cc.csrf)
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := cc.hc.Do(req)
	if err != nil {
		cc.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var v map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &v); err != nil {
		cc.t.Fatalf("%s %s: %d, not JSON: %q", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, v
}

// command runs args through /api/command and returns the status and the
// redis-cli style text (or the error).
func (cc *consoleClient) command(hdr map[string]string, args ...string) (int, string) {
	cc.t.Helper()
	code, v := cc.do("POST", "/api/command", map[string]any{"args": args}, hdr)
	if code != 200 {
		s, _ := v["error"].(string)
		return code, s
	}
	s, _ := v["text"].(string)
	return code, s
}

func TestHTTPCommandAPI(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2")
	cc := newConsoleClient(t, addr)
	f := func(want string, args ...string) {
		t.Helper()
		code, text := cc.command(nil, args...)
		if code != 200 || text != want {
			t.Errorf("%q: %d %q, want %q", args, code, text, want)
		}
	}
	f("OK\n", "SET", "greeting", "héllo")
	f("\"h\\xc3\\xa9llo\"\n", "GET", "greeting")
	f("(integer) 2\n", "INCRBY", "counter", "2")
	f("(nil)\n", "GET", "nokey")
	f("1) \"h\\xc3\\xa9llo\"\n2) (nil)\n", "MGET", "greeting", "nokey")
	f("(error) ERR wrong number of arguments for 'get' command\n", "GET")
	f("(integer) 1\n", "DEL", "counter")
	// The command really ran on the server.
	if got := servertest.Dial(t, addr).Do("GET", "greeting"); got != "$6\r\nhéllo\r\n" {
		t.Errorf("GET over RESP: %q", got)
	}
	// A database other than 0.
	if code, v := cc.do("POST", "/api/command", map[string]any{"args": []string{"SET", "k", "v"}, "db": 5}, nil); code != 200 {
		t.Errorf("SET in db 5: %d %v", code, v)
	}
	if got := servertest.Dial(t, addr).Do("DBSIZE"); got != ":1\r\n" {
		t.Errorf("DBSIZE of db 0: %q", got)
	}
	// JSON reply tree.
	_, v := cc.do("POST", "/api/command", map[string]any{"args": []string{"MGET", "greeting", "nokey"}}, nil)
	rep, _ := json.Marshal(v["reply"])
	if string(rep) != `{"type":"array","value":[{"type":"bulk","value":"héllo"},{"type":"null"}]}` {
		t.Errorf("reply JSON %s", rep)
	}

	// Refusals.
	refused := []struct {
		name string
		hdr  map[string]string
		code int
	}{
		{"no CSRF token", map[string]string{"X-CSRF-Token": ""}, 403},
		{"wrong CSRF token", map[string]string{"X-CSRF-Token": strings.Repeat("0", 48)}, 403},
		{"cross-origin", map[string]string{"Origin": "http://evil.example"}, 403},
		{"other port", map[string]string{"Origin": "http://127.0.0.1:1"}, 403},
		{"null origin", map[string]string{"Origin": "null"}, 403},
		{"cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"DNS rebinding", map[string]string{"Host": "evil.example:6379", "Origin": "http://evil.example:6379"}, 403},
		{"form post", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 400},
	}
	for _, r := range refused {
		if code, msg := cc.command(r.hdr, "SET", "greeting", "pwned"); code != r.code {
			t.Errorf("%s: %d %q, want %d", r.name, code, msg, r.code)
		}
	}
	if code, _ := cc.command(map[string]string{"Origin": "http://" + addr, "Sec-Fetch-Site": "same-origin"}, "PING"); code != 200 {
		t.Errorf("same-origin request: %d", code)
	}
	// Another session's token is not this session's.
	other := newConsoleClient(t, addr)
	if code, _ := cc.command(map[string]string{"X-CSRF-Token": other.csrf}, "PING"); code != 403 {
		t.Errorf("another session's token: %d", code)
	}
	if code, text := cc.command(nil, "SUBSCRIBE", "ch"); code != 400 {
		t.Errorf("SUBSCRIBE: %d %q", code, text)
	}
	if got := servertest.Dial(t, addr).Do("GET", "greeting"); got != "$6\r\nhéllo\r\n" {
		t.Errorf("a refused request changed the data: %q", got)
	}

	// The read-only endpoints.
	code, v := cc.do("GET", "/api/info", nil, nil)
	if code != 200 || !strings.Contains(fmt.Sprint(v["sections"]), "redis_version") {
		t.Errorf("/api/info: %d %.200v", code, v)
	}
	if code, v = cc.do("GET", "/api/stats", nil, nil); code != 200 || v["keys"].(float64) != 2 {
		t.Errorf("/api/stats: %d %v", code, v)
	}
	if code, v = cc.do("GET", "/api/slowlog", nil, nil); code != 200 {
		t.Errorf("/api/slowlog: %d %v", code, v)
	}
}

func TestHTTPCommandAPIPassword(t *testing.T) {
	addr := servertest.Start(t, "--requirepass", "s3cret")
	// /metrics and /healthz need no password.
	for _, p := range []string{"/metrics", "/healthz", "/"} {
		if code, _, _ := httpGet(t, "http://"+addr+p); code != 200 {
			t.Errorf("GET %s with a password set: %d", p, code)
		}
	}
	cc := newConsoleClient(t, addr)
	if code, v := cc.do("GET", "/api/session", nil, nil); v["auth_required"] != true || v["authenticated"] != false {
		t.Fatalf("session: %d %v", code, v)
	}
	if code, _ := cc.command(nil, "SET", "k", "v"); code != 401 {
		t.Errorf("command without password: %d", code)
	}
	for _, p := range []string{"/api/info", "/api/stats", "/api/slowlog"} {
		if code, _ := cc.do("GET", p, nil, nil); code != 401 {
			t.Errorf("GET %s without password: %d", p, code)
		}
	}
	basic := func(user, pw string) map[string]string {
		req, _ := http.NewRequest("GET", "/", nil)
		req.SetBasicAuth(user, pw)
		return map[string]string{"Authorization": req.Header.Get("Authorization")}
	}
	if code, _ := cc.command(basic("default", "wrong"), "PING"); code != 401 {
		t.Errorf("wrong Basic password: %d", code)
	}
	if code, _ := cc.command(basic("alice", "s3cret"), "PING"); code != 401 {
		t.Errorf("Basic auth as another user: %d", code)
	}
	if code, text := cc.command(basic("default", "s3cret"), "SET", "k", "basic"); code != 200 || text != "OK\n" {
		t.Errorf("Basic auth: %d %q", code, text)
	}
	// Basic auth does not excuse the CSRF token.
	h := basic("default", "s3cret")
	h["X-CSRF-Token"] = ""
	if code, _ := cc.command(h, "PING"); code != 403 {
		t.Errorf("Basic auth without CSRF token: %d", code)
	}
	// The login form.
	if code, _ := cc.do("POST", "/api/login", map[string]string{"password": "wrong"}, nil); code != 401 {
		t.Errorf("login with a wrong password: %d", code)
	}
	if code, _ := cc.do("POST", "/api/login", map[string]string{"password": "s3cret"}, map[string]string{"X-CSRF-Token": ""}); code != 403 {
		t.Errorf("login without CSRF token: %d", code)
	}
	if code, v := cc.do("POST", "/api/login", map[string]string{"password": "s3cret"}, nil); code != 200 {
		t.Fatalf("login: %d %v", code, v)
	}
	if code, text := cc.command(nil, "GET", "k"); code != 200 || text != "\"basic\"\n" {
		t.Errorf("command after login: %d %q", code, text)
	}
	if code, _ := cc.do("GET", "/api/info", nil, nil); code != 200 {
		t.Errorf("/api/info after login: %d", code)
	}
	// A new password ends the session's authentication.
	r := servertest.Dial(t, addr)
	r.Do("AUTH", "s3cret")
	if got := r.Do("CONFIG", "SET", "requirepass", "n3w"); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET requirepass: %q", got)
	}
	if code, _ := cc.command(nil, "PING"); code != 401 {
		t.Errorf("command after the password changed: %d", code)
	}
	if code, _ := cc.do("POST", "/api/login", map[string]string{"password": "n3w"}, nil); code != 200 {
		t.Errorf("login with the new password: %d", code)
	}
	if code, _ := cc.do("POST", "/api/logout", map[string]string{}, nil); code != 200 {
		t.Errorf("logout: %d", code)
	}
	if code, _ := cc.command(nil, "PING"); code != 401 {
		t.Errorf("command after logout: %d", code)
	}
}

// rawHTTP writes raw bytes to addr and returns the connection and a reader.
func rawHTTP(t *testing.T, addr, req string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	return c, bufio.NewReader(c)
}

func readResponse(t *testing.T, br *bufio.Reader, method string) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	resp.Body.Close()
	return resp, string(b)
}

func TestHTTPPipelineAndLimits(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2")

	// Pipelined requests are answered in order; Connection: close ends.
	_, br := rawHTTP(t, addr,
		"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"+
			"HEAD /metrics HTTP/1.1\r\nHost: a\r\n\r\n"+
			"GET /nope HTTP/1.1\r\nHost: a\r\n\r\n"+
			"GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
	for i, want := range []struct {
		method string
		code   int
		body   string
	}{{"GET", 200, "OK\n"}, {"HEAD", 200, ""}, {"GET", 404, "404 page not found\n"}, {"GET", 200, "OK\n"}} {
		resp, body := readResponse(t, br, want.method)
		if resp.StatusCode != want.code || body != want.body {
			t.Errorf("response %d: %d %q, want %d %q", i, resp.StatusCode, body, want.code, want.body)
		}
		if i == 3 && !resp.Close {
			t.Errorf("last response does not say Connection: close")
		}
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("connection not closed after Connection: close: %v", err)
	}

	// More requests than may be in flight at once, in one write.
	var many strings.Builder
	for i := 0; i < 100; i++ {
		many.WriteString("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
	}
	_, br = rawHTTP(t, addr, many.String())
	for i := 0; i < 100; i++ {
		if resp, body := readResponse(t, br, "GET"); resp.StatusCode != 200 || body != "OK\n" {
			t.Fatalf("pipelined response %d: %d %q", i, resp.StatusCode, body)
		}
	}

	// Refusals close the connection.
	f := func(name, req string, want int) {
		t.Helper()
		_, br := rawHTTP(t, addr, req)
		resp, body := readResponse(t, br, "GET")
		if resp.StatusCode != want {
			t.Errorf("%s: %d %q, want %d", name, resp.StatusCode, body, want)
		}
		// Closed: EOF, or a reset when the client was still sending.
		if _, err := br.ReadByte(); err == nil {
			t.Errorf("%s: connection not closed", name)
		}
	}
	f("headers over 64 KB", "GET / HTTP/1.1\r\nHost: a\r\nX-Big: "+strings.Repeat("x", 70<<10)+"\r\n\r\n", 431)
	f("body over 1 MB", "POST /api/command HTTP/1.1\r\nHost: a\r\nContent-Length: 2000000\r\n\r\n", 413)
	f("chunked body over 1 MB", "POST /api/command HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"+
		"180000\r\n"+strings.Repeat("x", 0x180000)+"\r\n0\r\n\r\n", 413)
	f("malformed", "GET / HTTP/1.1\r\nHost a\r\n\r\n", 400)
	f("no Host", "GET / HTTP/1.1\r\n\r\n", 400)

	// Expect: 100-continue gets its interim response, then the answer.
	c, br := rawHTTP(t, addr, "POST /api/command HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 17\r\nExpect: 100-continue\r\n\r\n")
	line, err := br.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("Expect: 100-continue: %q %v", line, err)
	}
	_, _ = br.ReadString('\n')
	_, _ = io.WriteString(c, `{"args":["PING"]}`)
	if resp, body := readResponse(t, br, "POST"); resp.StatusCode != 403 {
		t.Errorf("POST after 100 Continue: %d %q", resp.StatusCode, body) // no session: 403
	}

	// A chunked body within the limit is read.
	_, br = rawHTTP(t, addr, "POST /api/login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
	if resp, _ := readResponse(t, br, "POST"); resp.StatusCode != 403 {
		t.Errorf("chunked POST: %d", resp.StatusCode)
	}
	if resp, body := readResponse(t, br, "GET"); resp.StatusCode != 200 || body != "OK\n" {
		t.Errorf("request after a chunked one: %d %q", resp.StatusCode, body)
	}
}

// TestHTTPAndRESPConcurrently runs RESP clients and HTTP clients against
// the same port at once.
func TestHTTPAndRESPConcurrently(t *testing.T) {
	addr := servertest.Start(t, "--threads", "2")
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(20 * time.Second))
			br := bufio.NewReader(c)
			for i := 0; i < 300; i++ {
				key := fmt.Sprintf("g%d:%d", g, i)
				if _, err := c.Write(servertest.Encode("SET", key, "v")); err != nil {
					errs <- err
					return
				}
				if line, err := br.ReadString('\n'); err != nil || line != "+OK\r\n" {
					errs <- fmt.Errorf("RESP SET: %q %v", line, err)
					return
				}
			}
		}(g)
	}
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := &http.Client{Timeout: 20 * time.Second}
			for i := 0; i < 40; i++ {
				path := "/healthz"
				if i%4 == 0 {
					path = "/metrics"
				}
				resp, err := hc.Get("http://" + addr + path)
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- fmt.Errorf("GET %s: %d", path, resp.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := servertest.Dial(t, addr).Do("DBSIZE"); got != ":900\r\n" {
		t.Errorf("DBSIZE %q", got)
	}
}

func TestAdminPort(t *testing.T) {
	admin := servertest.FreePort(t)
	addr := servertest.Start(t, "--admin_port", fmt.Sprint(admin), "--http_console=false")
	adminAddr := fmt.Sprintf("127.0.0.1:%d", admin)
	for _, p := range []string{"/metrics", "/healthz", "/"} {
		if code, _, _ := httpGet(t, "http://"+adminAddr+p); code != 200 {
			t.Errorf("GET %s on the admin port: %d", p, code)
		}
	}
	// Commands sent through the admin port's console run on the RESP port.
	cc := newConsoleClient(t, adminAddr)
	if code, text := cc.command(nil, "SET", "via", "admin"); code != 200 || text != "OK\n" {
		t.Errorf("command through the admin port: %d %q", code, text)
	}
	if got := servertest.Dial(t, addr).Do("GET", "via"); got != "$5\r\nadmin\r\n" {
		t.Errorf("GET via: %q", got)
	}
	if got := servertest.Dial(t, addr).Do("CONFIG", "GET", "admin-port"); got != fmt.Sprintf("*2\r\n$10\r\nadmin-port\r\n$%d\r\n%d\r\n", len(fmt.Sprint(admin)), admin) {
		t.Errorf("CONFIG GET admin-port: %q", got)
	}
}

// TestHTTPConsoleOff: with --http_console=false an HTTP request on the
// RESP port is what it is to Redis: GET with the wrong arity, then a
// "Host:" command, which closes the connection as a likely attack. As with
// redis-server 7, the replies of the same read are dropped with it, and
// nothing after the Host: line runs.
func TestHTTPConsoleOff(t *testing.T) {
	addr := servertest.Start(t, "--http_console=false")
	_, br := rawHTTP(t, addr, "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\nSET pwn 1\r\n")
	all, err := io.ReadAll(br)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if len(all) != 0 {
		t.Errorf("reply %q, want the connection closed", all)
	}
	if got := servertest.Dial(t, addr).Do("EXISTS", "pwn"); got != ":0\r\n" {
		t.Errorf("EXISTS pwn after the HTTP request: %q, want :0", got)
	}
	_, br = rawHTTP(t, addr, "POST /api/command HTTP/1.1\r\nHost: localhost\r\n\r\n")
	if all, _ = io.ReadAll(br); len(all) != 0 {
		t.Errorf("POST: reply %q, want the connection closed at once", all)
	}
	if got := servertest.Dial(t, addr).Do("CONFIG", "GET", "http-console"); got != "*2\r\n$12\r\nhttp-console\r\n$2\r\nno\r\n" {
		t.Errorf("CONFIG GET http-console: %q", got)
	}
	if got := servertest.Dial(t, addr).Do("CONFIG", "SET", "http-console", "yes"); !strings.HasPrefix(got, "-ERR CONFIG SET failed") {
		t.Errorf("CONFIG SET http-console: %q", got)
	}
}

// TestConsoleInBrowser loads the console in headless Chromium (through
// chromedriver's WebDriver API), signs in, runs commands through the
// command box and checks the page shows their results. The screenshot is
// kept in $ANAX_ARTIFACTS (or the test's temporary directory).
func TestConsoleInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	driver, err := exec.LookPath("chromedriver")
	if err != nil {
		t.Skip("chromedriver not installed (Debian package chromium-driver)")
	}
	var browser string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("chromium not installed")
	}
	addr := servertest.Start(t, "--requirepass", "s3cret", "--slowlog-log-slower-than", "0")

	dir := os.Getenv("ANAX_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	wd := startWebDriver(t, driver, browser)
	wd.call("POST", "/url", map[string]any{"url": "http://" + addr + "/"})
	t.Cleanup(func() {
		if t.Failed() {
			path := dir + "/console-failed.png"
			_ = os.WriteFile(path, wd.screenshot(), 0o644)
			t.Logf("screenshot of the failure: %s", path)
		}
	})
	pw := wd.waitElement("#login-password", true)
	wd.call("POST", "/element/"+pw+"/value", map[string]any{"text": "s3cret"})
	wd.call("POST", "/element/"+wd.find("#login-submit")+"/click", map[string]any{})
	wd.waitElement("#cmd-input", true)
	wd.waitFor("the login overlay to close", func() bool { return !wd.displayed(wd.find("#login")) })

	input := wd.find("#cmd-input")
	for _, cmd := range []string{`SET greeting "hello from chromium"`, "INCRBY visits 3", "GET greeting", "MGET greeting visits nokey"} {
		wd.call("POST", "/element/"+input+"/value", map[string]any{"text": cmd + "\uE007"})
	}
	out := wd.find("#cmd-output")
	want := []string{"OK", "(integer) 3", `"hello from chromium"`, "1) \"hello from chromium\"\n2) \"3\"\n3) (nil)"}
	wd.waitFor("the command results", func() bool {
		text := wd.text(out)
		for _, w := range want {
			if !strings.Contains(text, w) {
				return false
			}
		}
		return true
	})
	if got := servertest.Dial(t, addr).Do("AUTH", "s3cret"); got != "+OK\r\n" {
		t.Fatalf("AUTH: %q", got)
	}
	r := servertest.Dial(t, addr)
	r.Do("AUTH", "s3cret")
	if got := r.Do("GET", "greeting"); got != "$19\r\nhello from chromium\r\n" {
		t.Errorf("GET greeting over RESP: %q", got)
	}
	// The panels fill from the API: keyspace, server info, slow log.
	wd.waitFor("the keyspace table", func() bool { return strings.Contains(wd.text(wd.find("#keyspace")), "db0") })
	wd.waitFor("the slow log", func() bool { return strings.Contains(wd.text(wd.find("#slowlog")), "greeting") })
	wd.waitFor("the server panel", func() bool { return strings.Contains(wd.text(wd.find("#server-info")), "7.4.0") })
	wd.waitFor("the chart's samples", func() bool { return wd.text(wd.find("#tile-ops")) != "–" })
	time.Sleep(2 * time.Second) // a few more chart samples for the screenshot

	png := wd.screenshot()
	path := dir + "/console.png"
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(png))
}

// webDriver is a minimal W3C WebDriver client for chromedriver.
type webDriver struct {
	t       *testing.T
	base    string // http://127.0.0.1:port/session/<id>
	hc      *http.Client
	elemKey string
}

func startWebDriver(t *testing.T, driver, browser string) *webDriver {
	t.Helper()
	port := servertest.FreePort(t)
	cmd := exec.Command(driver, fmt.Sprintf("--port=%d", port))
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromedriver: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	wd := &webDriver{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port), hc: &http.Client{Timeout: 60 * time.Second},
		elemKey: "element-6066-11e4-a52e-4f735466cecf"}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := wd.hc.Get(wd.base + "/status")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromedriver did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	v := wd.call("POST", "/session", map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{"binary": browser, "args": []string{
			"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
			"--window-size=1280,1700", "--hide-scrollbars", "--no-first-run", "--lang=en-US"}},
	}}})
	id, _ := v.(map[string]any)["sessionId"].(string)
	if id == "" {
		t.Fatalf("no WebDriver session: %v", v)
	}
	wd.base += "/session/" + id
	t.Cleanup(func() { wd.call("DELETE", "", nil) })
	return wd
}

// call sends one WebDriver command and returns its "value".
func (wd *webDriver) call(method, path string, body any) any {
	wd.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, wd.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := wd.hc.Do(req)
	if err != nil {
		wd.t.Fatalf("WebDriver %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var v struct {
		Value any `json:"value"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &v); err != nil || resp.StatusCode != 200 {
		wd.t.Fatalf("WebDriver %s %s: %d %.500s", method, path, resp.StatusCode, raw)
	}
	return v.Value
}

// find returns the id of the element matching a CSS selector.
func (wd *webDriver) find(sel string) string {
	wd.t.Helper()
	v := wd.call("POST", "/element", map[string]any{"using": "css selector", "value": sel})
	id, _ := v.(map[string]any)[wd.elemKey].(string)
	if id == "" {
		wd.t.Fatalf("element %s: %v", sel, v)
	}
	return id
}

func (wd *webDriver) displayed(id string) bool {
	return wd.call("GET", "/element/"+id+"/displayed", nil) == true
}

func (wd *webDriver) text(id string) string {
	s, _ := wd.call("GET", "/element/"+id+"/text", nil).(string)
	return s
}

func (wd *webDriver) waitElement(sel string, visible bool) string {
	wd.t.Helper()
	var id string
	wd.waitFor(sel, func() bool {
		id = wd.find(sel)
		return wd.displayed(id) == visible
	})
	return id
}

func (wd *webDriver) waitFor(what string, ok func() bool) {
	wd.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			wd.t.Fatalf("timed out waiting for %s; page text:\n%s", what, wd.text(wd.find("body")))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (wd *webDriver) screenshot() []byte {
	wd.t.Helper()
	s, _ := wd.call("GET", "/screenshot", nil).(string)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) < 1000 {
		wd.t.Fatalf("screenshot: %v (%d bytes)", err, len(b))
	}
	return b
}
