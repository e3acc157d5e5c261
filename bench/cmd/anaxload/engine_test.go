package main

import (
	"bufio"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeRESP serves a tiny RESP server on loopback: GET answers a 100-byte
// value ("miss:..." keys get nil), MGET an array of them, SET +OK, INCR :1,
// PING +PONG, anything else an error.
func fakeRESP(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	val := strings.Repeat("v", 100)
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
					args, err := readCommand(br)
					if err != nil {
						return
					}
					switch strings.ToUpper(args[0]) {
					case "GET":
						bw.WriteString("$100\r\n" + val + "\r\n")
					case "MGET":
						bw.WriteString("*" + strconv.Itoa(len(args)-1) + "\r\n")
						for range args[1:] {
							bw.WriteString("$100\r\n" + val + "\r\n")
						}
					case "SET":
						bw.WriteString("+OK\r\n")
					case "INCR":
						bw.WriteString(":1\r\n")
					case "PING":
						bw.WriteString("+PONG\r\n")
					default:
						bw.WriteString("-ERR unknown command\r\n")
					}
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
		if _, err := br.ReadString('\n'); err != nil { // $len
			return nil, err
		}
		a, err := br.ReadString('\n')
		if err != nil {
			return nil, err
		}
		args[i] = strings.TrimSuffix(a, "\r\n")
	}
	return args, nil
}

func TestEnginesAgainstFakeServer(t *testing.T) {
	addr := fakeRESP(t)
	engines := []string{"go"}
	if defaultEngine == "epoll" {
		engines = append(engines, "epoll")
	}
	for _, engine := range engines {
		for _, cmd := range []string{"get", "set", "mix", "mget", "incr"} {
			for _, p := range []int{1, 16} {
				o := &options{addr: addr, proto: protoRESP, cmd: cmd, conns: 4, pipeline: p, size: 100,
					keys: 1000, prefix: "key:", pad: 12, dist: "zipf", theta: 0.99, writes: 1, reads: 10,
					mget: 10, duration: 150 * time.Millisecond, warmup: 20 * time.Millisecond,
					timeout: 2 * time.Second, engine: engine, seed: 1}
				st, err := load(o)
				if err != nil {
					t.Fatalf("%s %s P%d: %v", engine, cmd, p, err)
				}
				if st.hist.Count() == 0 || st.errs != 0 || st.misses != 0 {
					t.Fatalf("%s %s P%d: %d requests, %d errors (%s), %d misses", engine, cmd, p,
						st.hist.Count(), st.errs, st.firstErr, st.misses)
				}
				if (cmd == "get" || cmd == "mget") && st.values == 0 {
					t.Fatalf("%s %s P%d: no values read", engine, cmd, p)
				}
			}
		}
	}
}

func TestWaitReadyAndPrefill(t *testing.T) {
	addr := fakeRESP(t)
	o := &options{addr: addr, proto: protoRESP, cmd: "ping", conns: 3, pipeline: 1, size: 10, keys: 1000,
		prefix: "key:", pad: 12, duration: time.Second, timeout: time.Second}
	if err := waitReady(o); err != nil {
		t.Fatal(err)
	}
	if err := prefill(o); err != nil {
		t.Fatal(err)
	}
	o.addr = "127.0.0.1:1"
	o.duration = 100 * time.Millisecond
	if err := waitReady(o); err == nil {
		t.Fatal("waitReady on a closed port succeeded")
	}
}
