package config

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests in this file compare Anax with a live redis-server 7. They run
// only when ANAXTEST_REDIS_ADDR names a scratch server they may reconfigure,
// started fresh with:
//
//	redis-server --port 7779 --save '' --daemonize yes
//	ANAXTEST_REDIS_ADDR=127.0.0.1:7779 go test ./config/ -run AgainstRedis -v
//	redis-cli -p 7779 shutdown nosave
//
// Use -p 1 when testing several packages against the same server.

func redisAddr(t *testing.T) string {
	addr := os.Getenv("ANAXTEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("set ANAXTEST_REDIS_ADDR to a fresh scratch redis-server to compare with it")
	}
	return addr
}

// TestDefaultsAgainstRedis checks that every parameter Redis also has starts
// with Redis's default, formatted the same way.
func TestDefaultsAgainstRedis(t *testing.T) {
	r := dialRedis(t, redisAddr(t))
	theirs := map[string]string{}
	all := r.do("CONFIG", "GET", "*")
	for i := 0; i+1 < len(all); i += 2 {
		theirs[all[i]] = all[i+1]
	}
	// Deliberate or environmental differences.
	skip := map[string]string{
		"bind":    "Anax binds to loopback like the shipped redis.conf; redis-server without a file binds to all",
		"dir":     "the server's working directory",
		"port":    "the scratch server's port",
		"save":    "the scratch server runs with --save ''",
		"pidfile": "a daemonized redis-server defaults it to /var/run/redis.pid",
		"dbnum":   "an Anax alias",
		// A scratch server started with --daemonize yes logs to a file.
		"daemonize": "the scratch server is daemonized",
		"logfile":   "the scratch server is daemonized",
	}
	ours := New()
	for _, pi := range Params() {
		for _, name := range append([]string{pi.Name}, pi.Aliases...) {
			want, ok := theirs[name]
			if pi.AnaxOnly || skip[name] != "" {
				continue
			}
			if !ok {
				if redis72Only[name] || ours.Get(name)[0][1] == "" && lookup(name).flags&hidden != 0 {
					continue // Redis 7.2, or a hidden test knob
				}
				t.Errorf("redis-server has no parameter %q", name)
				continue
			}
			if got := ours.Get(name)[0][1]; got != want {
				t.Errorf("default of %s: Anax %q, redis-server %q", name, got, want)
			}
		}
	}
}

// TestSetAgainstRedis replays setSteps on redis-server and checks its replies
// and values against the table.
func TestSetAgainstRedis(t *testing.T) {
	r := dialRedis(t, redisAddr(t))
	for i, st := range setSteps {
		if st.skipRedis {
			continue
		}
		args := []string{"CONFIG", "SET"}
		for _, p := range st.pairs {
			args = append(args, p[0], p[1])
		}
		want := st.redis
		if want == "" {
			want = st.want
		}
		if want == "" {
			want = "OK"
		}
		if got := r.reply(args...); got != want {
			t.Errorf("step %d: redis-server CONFIG SET %q:\n got %q\nwant %q", i, st.pairs, got, want)
		}
		for name, want := range st.get {
			if got := r.do("CONFIG", "GET", name); len(got) != 2 || got[1] != want {
				t.Errorf("step %d: redis-server CONFIG GET %s = %q, want %q", i, name, got, want)
			}
		}
	}
}

// TestGetAgainstRedis compares CONFIG GET on patterns, restricted to the
// parameters Anax has.
func TestGetAgainstRedis(t *testing.T) {
	r := dialRedis(t, redisAddr(t))
	ours := New()
	for _, pats := range [][]string{
		{"*"}, {"*max*"}, {"hash-max-*"}, {"HZ"}, {"h?"}, {"*-entries"}, {"[a-c]*"}, {"*[^a-z-]*"},
		{"lazyfree-*", "LAZYFREE-LAZY-USER-DEL"}, {"*zip*"}, {"slave*"}, {"Maxmemory", "max*"},
		{"list-max-ziplist-size", "list-max-listpack-size"}, {"[l]*"}, {"?????"}, {"*\\-*"},
	} {
		theirs := r.do(append([]string{"CONFIG", "GET"}, pats...)...)
		var want []string
		for i := 0; i+1 < len(theirs); i += 2 {
			if lookup(theirs[i]) != nil && !slices.Contains(
				[]string{"bind", "dir", "port", "save", "pidfile", "logfile", "daemonize"}, normalize(theirs[i])) {
				want = append(want, theirs[i]+"="+theirs[i+1])
			}
		}
		var got []string
		for _, kv := range ours.Get(pats...) {
			p := lookup(kv[0])
			if p.flags&anaxOnly == 0 && kv[0] != "dbnum" &&
				!slices.Contains([]string{"bind", "dir", "port", "save", "pidfile", "logfile", "daemonize"}, p.name) &&
				!redis72Only[p.name] {
				got = append(got, kv[0]+"="+kv[1])
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("CONFIG GET %q:\nAnax  %q\nredis %q", pats, got, want)
		}
	}
}

// redis72Only are the parameters of Redis 7.2 that redis-server 7.0 lacks.
var redis72Only = map[string]bool{
	"set-max-listpack-entries": true, "set-max-listpack-value": true,
	"locale-collate": true, "cluster-announce-human-nodename": true,
	"client-default-resp": true, "cluster-ping-interval": true, "key-load-delay": true,
	"rdb-key-save-delay": true, "loading-process-events-interval-bytes": true,
	"watchdog-period": true, "req-res-logfile": true, "use-exit-on-panic": true,
}

type redisConn struct {
	t  *testing.T
	c  net.Conn
	rd *bufio.Reader
}

func dialRedis(t *testing.T, addr string) *redisConn {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatalf("cannot connect to %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return &redisConn{t: t, c: c, rd: bufio.NewReader(c)}
}

func (r *redisConn) send(args ...string) {
	r.t.Helper()
	buf := fmt.Appendf(nil, "*%d\r\n", len(args))
	for _, a := range args {
		buf = fmt.Appendf(buf, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := r.c.Write(buf); err != nil {
		r.t.Fatal(err)
	}
}

// reply sends a command and returns a status or error reply's text.
func (r *redisConn) reply(args ...string) string {
	r.t.Helper()
	r.send(args...)
	line, err := r.rd.ReadString('\n')
	if err != nil {
		r.t.Fatal(err)
	}
	return strings.TrimRight(line, "\r\n")[1:]
}

// do sends a command and returns its reply flattened to strings.
func (r *redisConn) do(args ...string) []string {
	r.t.Helper()
	r.send(args...)
	return r.read()
}

func (r *redisConn) read() []string {
	r.t.Helper()
	line, err := r.rd.ReadString('\n')
	if err != nil {
		r.t.Fatal(err)
	}
	line = strings.TrimRight(line, "\r\n")
	switch line[0] {
	case '+', ':':
		return []string{line[1:]}
	case '-':
		r.t.Fatalf("redis error: %s", line[1:])
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(r.rd, b); err != nil {
			r.t.Fatal(err)
		}
		return []string{string(b[:n])}
	case '*':
		n, _ := strconv.Atoi(line[1:])
		var out []string
		for range n {
			out = append(out, r.read()...)
		}
		return out
	}
	r.t.Fatalf("unexpected reply %q", line)
	return nil
}
