package main

import (
	"bufio"
	"math/rand/v2"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestScriptRequests checks the EVALSHA requests of the script loads, keys
// from a fixed sequence.
func TestScriptRequests(t *testing.T) {
	f := func(cmd, prefix, want string) {
		t.Helper()
		o := &options{cmd: cmd, pipeline: 2, prefix: prefix, proto: protoRESP}
		g := newGen(o, &seqGen{i: 7}, rand.New(rand.NewPCG(1, 1)), []byte("vv"))
		if got := string(g.batch(nil)); got != want {
			t.Errorf("%s: got\n%q, want\n%q", cmd, got, want)
		}
	}
	sha := "$40\r\n" + scriptSHA(incrScript) + "\r\n"
	incr := func(key string) string {
		return "*5\r\n$7\r\nEVALSHA\r\n" + sha + "$1\r\n1\r\n$" + strconv.Itoa(len(key)) + "\r\n" + key + "\r\n$2\r\n60\r\n"
	}
	f("evalsha-incr", "rl:", incr("rl:7")+incr("rl:8"))

	sha = "$40\r\n" + scriptSHA(bullmqScript) + "\r\n"
	want := "*12\r\n$7\r\nEVALSHA\r\n" + sha + "$1\r\n6\r\n" +
		"$8\r\n{q:7}:id\r\n$10\r\n{q:7}:wait\r\n$12\r\n{q:7}:active\r\n$9\r\n{q:7}:job\r\n$10\r\n{q:7}:prio\r\n$12\r\n{q:7}:events\r\n" +
		"$3\r\njob\r\n$2\r\nvv\r\n$13\r\n1764720000000\r\n"
	f("evalsha-bullmq", "q:", want+strings.ReplaceAll(want, "{q:7}", "{q:8}"))
}

// TestScriptSHA: EVALSHA's name of a script is the SHA1 of its text in
// hex, as redis-server 7.0's SCRIPT LOAD answers it.
func TestScriptSHA(t *testing.T) {
	if got, want := scriptSHA("return 1"), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestScriptBatchesDoNotAllocate(t *testing.T) {
	for _, cmd := range []string{"evalsha-incr", "evalsha-bullmq"} {
		o := &options{proto: protoRESP, cmd: cmd, pipeline: 16, keys: 1000, prefix: "q:", pad: 0}
		rng := rand.New(rand.NewPCG(1, 1))
		g := newGen(o, &uniformGen{rng: rng, n: o.keys}, rng, make([]byte, 100))
		buf := g.batch(nil)
		if n := testing.AllocsPerRun(100, func() { buf = g.batch(buf[:0]) }); n != 0 {
			t.Errorf("%s: %v allocations per pipeline", cmd, n)
		}
	}
}

// TestScriptRefused: a server that refuses SCRIPT LOAD gets the load all
// the same, and every EVALSHA's error counts.
func TestScriptRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br, bw := bufio.NewReader(c), bufio.NewWriter(c)
				for {
					if _, err := readCommand(br); err != nil {
						return
					}
					bw.WriteString("-ERR unknown command\r\n")
					if br.Buffered() == 0 && bw.Flush() != nil {
						return
					}
				}
			}()
		}
	}()
	o := &options{addr: ln.Addr().String(), proto: protoRESP, cmd: "evalsha-bullmq", conns: 2, pipeline: 4, keys: 10,
		prefix: "q:", dist: "uniform", duration: 100 * time.Millisecond, timeout: 2 * time.Second, engine: "go", seed: 1}
	st, err := load(o)
	if err != nil {
		t.Fatal(err)
	}
	if st.hist.Count() == 0 || st.errs < st.hist.Count() || st.firstErr != "ERR unknown command" {
		t.Fatalf("%d requests, %d errors (%s)", st.hist.Count(), st.errs, st.firstErr)
	}
}

// TestScriptsOnRedis runs both scripts on the installed redis-server (the
// test is skipped without one): no error reply, and the queue keeps its
// shape.
func TestScriptsOnRedis(t *testing.T) {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("no redis-server on PATH")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	srv := exec.Command(path, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	o := &options{addr: addr, proto: protoRESP, cmd: "ping", conns: 2, pipeline: 4, size: 100, keys: 3,
		prefix: "q:", dist: "uniform", duration: 5 * time.Second, timeout: 2 * time.Second, engine: defaultEngine, seed: 1}
	if err := waitReady(o); err != nil {
		t.Fatal(err)
	}
	o.duration = 200 * time.Millisecond
	for _, cmd := range []string{"evalsha-incr", "evalsha-bullmq"} {
		o.cmd = cmd
		st, err := load(o)
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		if st.hist.Count() == 0 || st.errs != 0 {
			t.Fatalf("%s: %d requests, %d errors (%s)", cmd, st.hist.Count(), st.errs, st.firstErr)
		}
		if cmd == "evalsha-bullmq" && st.values == 0 {
			t.Fatalf("%s: no job moved", cmd)
		}
	}
	// The rate limiter's keys expire; the queue's lists and zset stay at
	// 100 jobs, its wait list empty.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	for _, q := range [][2]string{{"TTL q:0", ":60"}, {"LLEN {q:0}:active", ":100"}, {"ZCARD {q:0}:prio", ":100"},
		{"EXISTS {q:0}:wait", ":0"}, {"HLEN {q:0}:job", ":7"}} {
		args := strings.Fields(q[0])
		req := appendArray(nil, len(args))
		for _, a := range args {
			req = appendBulkString(req, a)
		}
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSuffix(l, "\r\n"); got != q[1] && !(args[0] == "TTL" && got == ":59") {
			t.Errorf("%s: got %s, want %s", q[0], got, q[1])
		}
	}
}
