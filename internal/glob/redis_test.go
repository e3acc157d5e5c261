package glob

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestAgainstRedis re-verifies the tables and runs a random differential test
// against a live redis-server. It uses database 9 of the server named by
// ANAXTEST_REDIS_ADDR (e.g. 127.0.0.1:7779) and FLUSHes it, so point it at a
// scratch server only:
//
//	redis-server --port 7779 --save '' --daemonize yes
//	ANAXTEST_REDIS_ADDR=127.0.0.1:7779 go test ./internal/glob/ -run AgainstRedis -v
//
// Use -p 1 when testing several packages against the same server: the config
// tests change its settings (maxmemory, ...) while they run.
func TestAgainstRedis(t *testing.T) {
	addr := os.Getenv("ANAXTEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("set ANAXTEST_REDIS_ADDR to a scratch redis-server to compare with it")
	}
	r := dialRedis(t, addr)
	r.do("SELECT", "9")

	// Case-sensitive table: one key, KEYS pattern. KEYS "*" takes a shortcut
	// that skips the matcher, so use "**" semantics there (no such case in
	// the table matches only via that shortcut).
	for _, tc := range caseSensitive {
		if tc.s == "" || tc.pattern == "*" {
			continue
		}
		r.do("FLUSHDB")
		r.do("SET", tc.s, "1")
		got := len(r.do("KEYS", tc.pattern)) == 1
		if got != tc.want {
			t.Errorf("redis KEYS %q on key %q: %v, table says %v", tc.pattern, tc.s, got, tc.want)
		}
	}
	// Case-insensitive table: COMMAND LIST FILTERBY PATTERN uses nocase.
	for _, tc := range caseInsensitive {
		got := slices.Contains(r.do("COMMAND", "LIST", "FILTERBY", "PATTERN", tc.pattern), tc.s)
		if got != tc.want {
			t.Errorf("redis COMMAND LIST FILTERBY PATTERN %q, %q listed: %v, table says %v", tc.pattern, tc.s, got, tc.want)
		}
	}

	// Random differential test over a byte alphabet rich in metacharacters.
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ab*?[]^-\\\x80\xffA")
	randBytes := func(max int, alpha []byte) string {
		n := 1 + rng.IntN(max)
		b := make([]byte, n)
		for i := range b {
			b[i] = alpha[rng.IntN(len(alpha))]
		}
		return string(b)
	}
	r.do("FLUSHDB")
	keys := map[string]bool{}
	for len(keys) < 300 {
		k := randBytes(8, []byte("ab-]^\\\x80\xff*?[A"))
		keys[k] = true
		r.do("SET", k, "1")
	}
	deadline := time.Now().Add(20 * time.Second)
	nonEmpty := 0
	for i := 0; i < 3000 && time.Now().Before(deadline); i++ {
		p := randBytes(10, alphabet)
		if p == "*" {
			continue
		}
		want := r.do("KEYS", p)
		var got []string
		for k := range keys {
			if MatchString(p, k, false) {
				got = append(got, k)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("pattern %q: redis matched %q, we matched %q", p, want, got)
		}
		if len(want) > 0 {
			nonEmpty++
		}
	}
	t.Logf("%d random patterns matched at least one of %d keys", nonEmpty, len(keys))
	r.do("FLUSHDB")
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

// do sends a command and returns its reply flattened to strings (a status or
// bulk reply gives one element, an array its elements).
func (r *redisConn) do(args ...string) []string {
	r.t.Helper()
	buf := fmt.Appendf(nil, "*%d\r\n", len(args))
	for _, a := range args {
		buf = fmt.Appendf(buf, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := r.c.Write(buf); err != nil {
		r.t.Fatal(err)
	}
	return r.read()
}

func (r *redisConn) read() []string {
	r.t.Helper()
	line, err := r.rd.ReadString('\n')
	if err != nil {
		r.t.Fatal(err)
	}
	line = line[:len(line)-2]
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
