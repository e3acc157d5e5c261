package main

import (
	"bufio"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeRESP serves a tiny RESP server on loopback: GET answers a 100-byte
// value, MGET an array of them, SET and MSET +OK, INCR :1, PING +PONG,
// list and hash writes :1, LPOP, RPOP and HGET a value, HGETALL and LRANGE
// an array of four, set and zset writes, SISMEMBER and ZRANK :1, SPOP,
// ZSCORE and ZINCRBY a value, ZRANGE and ZPOPMIN an array of two,
// MULTI +OK and then +QUEUED until EXEC answers the queued replies;
// SCRIPT LOAD the script's SHA, EVALSHA of a SHA it answered :1;
// anything else, MULTI and EXEC too when noMulti is set, an error.
func fakeRESP(t *testing.T, noMulti bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	val := strings.Repeat("v", 100)
	var shas sync.Map // the scripts loaded, on any connection
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br, bw := bufio.NewReader(c), bufio.NewWriter(c)
				var queued []string // replies of the commands queued since MULTI; nil outside MULTI
				for {
					args, err := readCommand(br)
					if err != nil {
						return
					}
					name := strings.ToUpper(args[0])
					var r string
					switch {
					case name == "GET":
						r = "$100\r\n" + val + "\r\n"
					case name == "MGET":
						r = "*" + strconv.Itoa(len(args)-1) + "\r\n"
						for range args[1:] {
							r += "$100\r\n" + val + "\r\n"
						}
					case name == "SET" || name == "MSET" && len(args)%2 == 1:
						r = "+OK\r\n"
					case name == "INCR":
						r = ":1\r\n"
					case name == "PING":
						r = "+PONG\r\n"
					case name == "LPUSH" || name == "RPUSH" || name == "HSET" || name == "DEL":
						r = ":1\r\n"
					case name == "LPOP" || name == "RPOP" || name == "HGET":
						r = "$10\r\nv000000001\r\n"
					case name == "HGETALL" || name == "LRANGE":
						r = "*4\r\n$6\r\nfield0\r\n$1\r\nx\r\n$6\r\nfield1\r\n$1\r\ny\r\n"
					case name == "SADD" || name == "ZADD" || name == "SISMEMBER" || name == "ZRANK":
						r = ":1\r\n"
					case name == "SPOP" || name == "ZSCORE" || name == "ZINCRBY":
						r = "$4\r\n4042\r\n"
					case name == "ZRANGE" || name == "ZPOPMIN":
						r = "*2\r\n$16\r\nm000000000040106\r\n$4\r\n4042\r\n"
					case name == "SCRIPT" && len(args) == 3 && strings.ToUpper(args[1]) == "LOAD":
						sha := scriptSHA(args[2])
						shas.Store(sha, true)
						r = "$40\r\n" + sha + "\r\n"
					case name == "EVALSHA" && len(args) > 1 && func() bool { _, ok := shas.Load(args[1]); return ok }():
						r = ":1\r\n"
					case name == "MULTI" && !noMulti && queued == nil:
						r, queued = "+OK\r\n", []string{}
					case name == "EXEC" && !noMulti && queued != nil:
						r = "*" + strconv.Itoa(len(queued)) + "\r\n" + strings.Join(queued, "")
						queued = nil
					default:
						r = "-ERR unknown command\r\n"
					}
					if queued != nil && name != "MULTI" {
						queued = append(queued, r)
						r = "+QUEUED\r\n"
					}
					bw.WriteString(r)
					if br.Buffered() == 0 { // answer a whole pipeline at once
						if bw.Flush() != nil {
							return
						}
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func readCommand(br *bufio.Reader) ([]string, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(line[1:]))
	if err != nil || line[0] != '*' {
		return nil, io.ErrUnexpectedEOF
	}
	args := make([]string, n)
	for i := range args {
		l, err := br.ReadString('\n') // $len
		if err != nil {
			return nil, err
		}
		n, err := strconv.Atoi(strings.TrimSpace(l[1:]))
		if err != nil || l[0] != '$' {
			return nil, io.ErrUnexpectedEOF
		}
		a := make([]byte, n+2) // a script has lines of its own
		if _, err := io.ReadFull(br, a); err != nil {
			return nil, err
		}
		args[i] = string(a[:n])
	}
	return args, nil
}

func TestEnginesAgainstFakeServer(t *testing.T) {
	addr := fakeRESP(t, false)
	engines := []string{"go"}
	if defaultEngine == "epoll" {
		engines = append(engines, "epoll")
	}
	for _, engine := range engines {
		for _, cmd := range []string{"get", "set", "mix", "mget", "incr", "mset", "multi",
			"lpush", "rpush", "lpop", "rpop", "hset", "hget", "hgetall", "lrange",
			"sadd", "sismember", "spop", "zadd", "zincrby", "zscore", "zrank", "zrange", "zpopmin",
			"evalsha-incr", "evalsha-bullmq"} {
			for _, p := range []int{1, 16} {
				o := &options{addr: addr, proto: protoRESP, cmd: cmd, conns: 4, pipeline: p, size: 100,
					keys: 1000, prefix: "key:", pad: 12, dist: "zipf", theta: 0.99, writes: 1, reads: 10,
					mget: 10, mset: 2, multi: 10, multiCmd: "get", fields: 10, lrange: 100, zrange: 10, members: 1000, duration: 150 * time.Millisecond, warmup: 20 * time.Millisecond,
					timeout: 2 * time.Second, engine: engine, seed: 1}
				st, err := load(o)
				// On a loaded machine (the race detector, other tests) a
				// short run may end before its first reply: run longer.
				for _, d := range []time.Duration{time.Second, 5 * time.Second} {
					if err != nil || st.hist.Count() != 0 {
						break
					}
					o.duration = d
					st, err = load(o)
				}
				if err != nil {
					t.Fatalf("%s %s P%d: %v", engine, cmd, p, err)
				}
				if st.hist.Count() == 0 || st.errs != 0 || st.misses != 0 {
					t.Fatalf("%s %s P%d: %d requests, %d errors (%s), %d misses", engine, cmd, p,
						st.hist.Count(), st.errs, st.firstErr, st.misses)
				}
				if (cmd == "get" || cmd == "mget" || cmd == "multi" || cmd == "lpop" || cmd == "hgetall" || cmd == "sismember" || cmd == "zpopmin") && st.values == 0 {
					t.Fatalf("%s %s P%d: no values read", engine, cmd, p)
				}
			}
		}
	}
}

// TestMultiWithoutTransactions runs -cmd multi against a server that
// refuses MULTI and EXEC (and so runs the queued commands on their own):
// the load stays in step and every transaction counts as one error.
func TestMultiWithoutTransactions(t *testing.T) {
	addr := fakeRESP(t, true)
	engines := []string{"go"}
	if defaultEngine == "epoll" {
		engines = append(engines, "epoll")
	}
	for _, engine := range engines {
		o := &options{addr: addr, proto: protoRESP, cmd: "multi", conns: 2, pipeline: 4, size: 100, keys: 1000,
			prefix: "key:", pad: 12, dist: "uniform", multi: 3, multiCmd: "incr", duration: 100 * time.Millisecond,
			warmup: 0, timeout: 2 * time.Second, engine: engine, seed: 1}
		st, err := load(o)
		if err != nil {
			t.Fatalf("%s: %v", engine, err)
		}
		// Every transaction sent is answered, the measured ones and those
		// before the warm-up ended or after the end.
		if st.hist.Count() == 0 || st.errs < st.hist.Count() || st.errs%4 != 0 || st.firstErr != "ERR unknown command" {
			t.Fatalf("%s: %d transactions, %d errors (%s)", engine, st.hist.Count(), st.errs, st.firstErr)
		}
	}
}

func TestWaitReadyAndPrefill(t *testing.T) {
	addr := fakeRESP(t, false)
	o := &options{addr: addr, proto: protoRESP, cmd: "ping", conns: 3, pipeline: 1, size: 10, keys: 1000,
		prefix: "key:", pad: 12, duration: time.Second, timeout: time.Second}
	if err := waitReady(o); err != nil {
		t.Fatal(err)
	}
	if err := prefill(o); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"fill-list", "fill-hash", "fill-set", "fill-zset"} {
		o.cmd, o.elems, o.chunk, o.del, o.fieldPrefix, o.fieldPad = cmd, 25, 10, true, "f", 2
		if err := fill(o); err != nil {
			t.Fatal(err)
		}
	}
	o.addr = "127.0.0.1:1"
	o.duration = 100 * time.Millisecond
	if err := waitReady(o); err == nil {
		t.Fatal("waitReady on a closed port succeeded")
	}
}
