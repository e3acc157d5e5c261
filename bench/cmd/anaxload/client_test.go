package main

import (
	"net"
	"strings"
	"testing"
	"time"
)

// replies serves s on a pipe, split into small writes so the reader's
// refill and compaction paths run, and returns the client end.
func replies(t *testing.T, s string, chunk int) *reader {
	t.Helper()
	c, srv := net.Pipe()
	go func() {
		defer srv.Close()
		for len(s) > 0 {
			n := min(chunk, len(s))
			if _, err := srv.Write([]byte(s[:n])); err != nil {
				return
			}
			s = s[n:]
		}
	}()
	t.Cleanup(func() { c.Close() })
	return newReader(c, time.Now())
}

func TestRESPReplies(t *testing.T) {
	big := strings.Repeat("x", 200000)
	in := "+OK\r\n$5\r\nhello\r\n$-1\r\n:42\r\n-ERR wrong type\r\n*3\r\n$1\r\na\r\n$-1\r\n*1\r\n:1\r\n$" +
		"200000\r\n" + big + "\r\n+PONG\r\n"
	for _, chunk := range []int{1, 7, 4096, len(in)} {
		rd := replies(t, in, chunk)
		for i := range 8 {
			if err := rd.respReply(); err != nil {
				t.Fatalf("chunk %d: reply %d: %v", chunk, i, err)
			}
		}
		if rd.values != 3 || rd.nils != 2 || rd.errs != 1 || rd.firstErr != "ERR wrong type" {
			t.Fatalf("chunk %d: values %d nils %d errs %d first %q", chunk, rd.values, rd.nils, rd.errs, rd.firstErr)
		}
		if rd.r != rd.w {
			t.Fatalf("chunk %d: %d bytes left unread", chunk, rd.w-rd.r)
		}
	}
}

func TestMemcacheReplies(t *testing.T) {
	in := "STORED\r\nVALUE k 0 5\r\nhello\r\nEND\r\nEND\r\nVALUE a 0 1\r\nx\r\nVALUE b 0 2\r\nyy\r\nEND\r\n" +
		"NOT_FOUND\r\n11\r\nSERVER_ERROR out of memory\r\nVERSION 1.6.18\r\n"
	for _, chunk := range []int{1, 5, len(in)} {
		rd := replies(t, in, chunk)
		for i := range 8 {
			if err := rd.memcacheReply(); err != nil {
				t.Fatalf("chunk %d: reply %d: %v", chunk, i, err)
			}
		}
		if rd.values != 3 || rd.nils != 2 || rd.errs != 1 {
			t.Fatalf("chunk %d: values %d nils %d errs %d", chunk, rd.values, rd.nils, rd.errs)
		}
	}
}

func TestRequests(t *testing.T) {
	k, v := []byte("key:1"), []byte("abc")
	f := func(got []byte, want string) {
		t.Helper()
		if string(got) != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	r, m := respRequest{}, memcacheRequest{}
	f(r.set(nil, k, v), "*3\r\n$3\r\nSET\r\n$5\r\nkey:1\r\n$3\r\nabc\r\n")
	f(r.get(nil, k), "*2\r\n$3\r\nGET\r\n$5\r\nkey:1\r\n")
	f(r.mget(nil, [][]byte{k, k}), "*3\r\n$4\r\nMGET\r\n$5\r\nkey:1\r\n$5\r\nkey:1\r\n")
	f(r.incr(nil, k), "*2\r\n$4\r\nINCR\r\n$5\r\nkey:1\r\n")
	f(m.set(nil, k, v), "set key:1 0 0 3\r\nabc\r\n")
	f(m.get(nil, k), "get key:1\r\n")
	f(m.mget(nil, [][]byte{k, k}), "get key:1 key:1\r\n")
	f(m.incr(nil, k), "incr key:1 1\r\n")
}

func TestRequestBuildingDoesNotAllocate(t *testing.T) {
	o := &options{prefix: "key:", pad: 12}
	buf, key, val := make([]byte, 0, 4096), make([]byte, 0, 64), make([]byte, 100)
	n := testing.AllocsPerRun(100, func() {
		key = o.appendKey(key[:0], 123456)
		buf = respRequest{}.set(buf[:0], key, val)
	})
	if n != 0 {
		t.Fatalf("%v allocations per request", n)
	}
}
