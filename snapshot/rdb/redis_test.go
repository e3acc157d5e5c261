package rdb

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startRedis starts a throwaway redis-server (no persistence) on a free
// port, or skips the test when none is installed.
func startRedis(t *testing.T) *respConn {
	t.Helper()
	return startRedisWith(t, t.TempDir(), "dump.rdb")
}

// startRedisWith starts a throwaway redis-server that loads dir/dbfilename
// if it exists (and saves only on SAVE), or skips the test.
func startRedisWith(t *testing.T, dir, dbfilename string) *respConn {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--daemonize", "no", "--loglevel", "warning", "--dir", dir, "--dbfilename", dbfilename)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for range 300 {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			return &respConn{c: c, r: bufio.NewReader(c)}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("redis-server did not start")
	return nil
}

// respConn is a minimal RESP2 client: bulk, integer, status and error
// replies, and arrays of bulks.
type respConn struct {
	c net.Conn
	r *bufio.Reader
}

// do sends a command and returns the reply: []byte, string (status or
// "ERR..." for errors), int64 or [][]byte.
func (c *respConn) do(t *testing.T, args ...[]byte) any {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.c.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	return c.read(t)
}

func (c *respConn) read(t *testing.T) any {
	t.Helper()
	line, err := c.r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	line = strings.TrimSuffix(line, "\r\n")
	switch line[0] {
	case '+', '-':
		return line
	case ':':
		n, _ := strconv.ParseInt(line[1:], 10, 64)
		return n
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := ioFull(c.r, buf); err != nil {
			t.Fatal(err)
		}
		return buf[:n]
	case '*':
		n, _ := strconv.Atoi(line[1:])
		out := make([][]byte, 0, max(n, 0))
		for range n {
			out = append(out, c.read(t).([]byte))
		}
		return out
	}
	t.Fatalf("bad reply %q", line)
	return nil
}

func ioFull(r *bufio.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func bs(args ...string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}

// TestRedisListsHashes runs lists and hashes through a live redis-server
// (7.0 or 7.2): Redis's DUMP, decoded by ListNodes/HashListpack/HashPairs
// and re-encoded, equals Redis's DUMP (quicklists and listpack hashes; on
// 7.2 all but the footer) or holds the same pairs (hashtable hashes), and
// Redis RESTOREs every payload made here to the same value. Plain (type 1)
// and ziplist (type 10) lists converted by ListNodes equal what Redis builds
// when it RESTOREs them.
func TestRedisListsHashes(t *testing.T) {
	c := startRedis(t)
	same := func(ours, redis []byte) bool {
		if footerVersion(redis) == dumpListHashVersion {
			return bytes.Equal(ours, redis)
		}
		return bytes.Equal(ours[:len(ours)-10], redis[:len(redis)-10])
	}
	restore := func(p []byte) {
		t.Helper()
		c.do(t, bs("DEL", "back")...)
		if r := c.do(t, [][]byte{[]byte("RESTORE"), []byte("back"), []byte("0"), p}...); r != "+OK" {
			t.Fatalf("RESTORE: %v", r)
		}
	}
	lrange := func(key string) [][]byte { return c.do(t, bs("LRANGE", key, "0", "-1")...).([][]byte) }
	hgetall := func(key string) []string {
		kv := c.do(t, bs("HGETALL", key)...).([][]byte)
		var out []string
		for i := 0; i < len(kv); i += 2 {
			out = append(out, string(kv[i])+"="+string(kv[i+1]))
		}
		slices.Sort(out)
		return out
	}

	lists := map[string][]string{"ten": nil, "thousand": nil, "ints": nil, "big": nil}
	for i := range 10 {
		lists["ten"] = append(lists["ten"], fmt.Sprintf("elem-%d", i))
	}
	for i := range 1000 {
		lists["thousand"] = append(lists["thousand"], fmt.Sprintf("x%09d", i))
	}
	for i := range 2000 {
		lists["ints"] = append(lists["ints"], strconv.Itoa(i*i*(1-2*(i%2))))
	}
	big := make([]byte, 100<<10)
	for i := range big {
		big[i] = byte(i*7919 ^ i>>5)
	}
	lists["big"] = []string{"a", string(big), "b", string(big[:9000])}
	for name, elems := range lists {
		c.do(t, bs("DEL", "k")...)
		c.do(t, append(bs("RPUSH", "k"), bs(elems...)...)...)
		want := lrange("k")
		d := c.do(t, bs("DUMP", "k")...).([]byte)
		nodes, err := collectNodes(t, d)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ours := dumpNodes(nodes)
		if !same(ours, d) {
			t.Errorf("%s: DumpListNodes differs from Redis's DUMP", name)
		}
		// A plain list and a ziplist list of the same elements convert to
		// the nodes Redis builds from them.
		body := ln(uint64(len(elems)))
		var items []zlItem
		for _, e := range elems {
			body = append(body, rss(e)...)
			items = append(items, zlItem{s: []byte(e)})
		}
		for _, p := range [][]byte{withFooter(cat([]byte{TypeList}, body), 9),
			withFooter(cat([]byte{TypeListZiplist}, rs(ziplistOf(items))), 9)} {
			restore(p)
			rd := c.do(t, bs("DUMP", "back")...).([]byte)
			conv, err := collectNodes(t, p)
			if err != nil {
				t.Fatalf("%s type %d: %v", name, p[0], err)
			}
			if !same(dumpNodes(conv), rd) {
				t.Errorf("%s type %d: converted nodes differ from Redis's", name, p[0])
			}
		}
		restore(ours)
		if got := lrange("back"); !slices.EqualFunc(got, want, bytes.Equal) {
			t.Errorf("%s: RESTOREd list differs", name)
		}
	}

	hashes := map[string][]string{"small": bs2("f1", "v1", "n", "42", "neg", "-7", "e", ""), "big": nil}
	for i := range 600 {
		hashes["big"] = append(hashes["big"], fmt.Sprintf("field:%d", i), strconv.Itoa(i*3))
	}
	for name, kv := range hashes {
		c.do(t, bs("DEL", "k")...)
		c.do(t, append(bs("HSET", "k"), bs(kv...)...)...)
		want := hgetall("k")
		d := c.do(t, bs("DUMP", "k")...).([]byte)
		var ours []byte
		if d[0] == TypeHashListpack {
			lp, err := HashListpack(d)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if ours = DumpHashListpack(nil, lp); !same(ours, d) {
				t.Errorf("%s: DumpHashListpack differs from Redis's DUMP", name)
			}
		} else {
			pairs := hashPairs(t, d)
			ours = dumpPairs(pairs)
			if !slices.Equal(hashPairs(t, ours), pairs) {
				t.Errorf("%s: DumpHash does not decode back", name)
			}
		}
		restore(ours)
		if got := hgetall("back"); !slices.Equal(got, want) {
			t.Errorf("%s: RESTOREd hash differs", name)
		}
	}
}

func bs2(s ...string) []string { return s }
