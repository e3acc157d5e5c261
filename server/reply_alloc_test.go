package server_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/anaxdb/anax/internal/servertest"
)

// TestBigReplyDoesNotAllocate: a reply of 100 KB (LRANGE 0 99 of 1 KB
// elements) asked for again and again, one command at a time, 16 in a
// pipeline, or inside MULTI/EXEC (alone, and twice with ten small
// commands), is built in buffers the loop and the connection keep, so the
// server allocates next to nothing per command once the first replies have
// sized them. The client is a bare socket with a fixed buffer, so the
// process's allocations are the server's.
func TestBigReplyDoesNotAllocate(t *testing.T) {
	addr := servertest.Start(t, "--threads", "1")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	elem := strings.Repeat("e", 1000)
	var fill []byte
	for i := 0; i < 100; i++ {
		fill = append(fill, servertest.Encode("RPUSH", "big", elem)...)
	}
	req := servertest.Encode("LRANGE", "big", "0", "99")
	// *100, then 100 times $1000, the element and their CRLFs.
	replyLen := len("*100\r\n") + 100*(len("$1000\r\n")+1000+2)
	buf := make([]byte, 1<<20)
	readN := func(n int) {
		if _, err := io.ReadFull(conn, buf[:n]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.Write(fill); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 100; i++ {
		readN(len(fmt.Sprintf(":%d\r\n", i)))
	}
	roundTrip := func() {
		if _, err := conn.Write(req); err != nil {
			t.Fatal(err)
		}
		readN(replyLen)
	}
	measure := func(what string, commands int, run func()) {
		t.Helper()
		for i := 0; i < 20; i++ {
			run()
		}
		const rounds = 200
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := 0; i < rounds; i++ {
			run()
		}
		runtime.ReadMemStats(&after)
		perCmd := float64(after.TotalAlloc-before.TotalAlloc) / rounds / float64(commands)
		t.Logf("%s: %.0f bytes allocated per LRANGE of a 100 KB reply", what, perCmd)
		if perCmd > 4<<10 {
			t.Errorf("%s: %.0f bytes allocated per LRANGE of a 100 KB reply, want next to none", what, perCmd)
		}
	}
	measure("one at a time", 1, roundTrip)
	// A pipeline of 16 (1.6 MB of replies): the batch writes as it goes
	// (earlyWrite) instead of growing one buffer past what is kept.
	req16 := bytes.Repeat(req, 16)
	measure("16 in a pipeline", 16, func() {
		if _, err := conn.Write(req16); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 16; i++ {
			readN(replyLen)
		}
	})
	if got := string(buf[:6]); got != "*100\r\n" {
		t.Fatalf("reply starts %q", got)
	}
	// MULTI, the body, EXEC: +OK, +QUEUED per command, then the EXEC's
	// array of the body's replies.
	transaction := func(body [][]byte, bodyReplies int) (func(), int) {
		req := servertest.Encode("MULTI")
		for _, cmd := range body {
			req = append(req, cmd...)
		}
		req = append(req, servertest.Encode("EXEC")...)
		n := len("+OK\r\n") + len(body)*len("+QUEUED\r\n") + len(fmt.Sprintf("*%d\r\n", len(body))) + bodyReplies
		return func() {
			if _, err := conn.Write(req); err != nil {
				t.Fatal(err)
			}
			readN(n)
		}, n
	}
	alone, _ := transaction([][]byte{req}, replyLen)
	measure("alone in MULTI/EXEC", 1, alone)
	var mixed [][]byte
	mixedLen := 0
	for i := 0; i < 2; i++ {
		mixed = append(mixed, req)
		mixedLen += replyLen
		for j := 0; j < 10; j++ {
			mixed = append(mixed, servertest.Encode("LLEN", "big"))
			mixedLen += len(":100\r\n")
		}
	}
	twice, n := transaction(mixed, mixedLen)
	measure("twice in MULTI/EXEC with 20 LLENs", 2, twice)
	if got := string(buf[n-len(":100\r\n") : n]); got != ":100\r\n" {
		t.Fatalf("the transaction's reply ends %q", got)
	}
}

// TestIdleConnectionsLetGoOfLargeBuffers: connections that each read one
// large reply and then stay idle give their output buffers back within a
// few seconds (Redis frees its reply blocks once written), and answer as
// before afterwards.
func TestIdleConnectionsLetGoOfLargeBuffers(t *testing.T) {
	addr := servertest.Start(t, "--threads", "1")
	const clients, size = 20, 300_000
	value := strings.Repeat("v", size)
	reply := fmt.Sprintf("$%d\r\n%s\r\n", size, value)
	buf := make([]byte, len(reply))
	conns := make([]net.Conn, clients)
	get := func(c net.Conn) {
		t.Helper()
		if _, err := c.Write(servertest.Encode("GET", "v")); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatal(err)
		}
		if string(buf) != reply {
			t.Fatalf("GET v: %q...", buf[:16])
		}
	}
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
		if i == 0 {
			if _, err := c.Write(servertest.Encode("SET", "v", value)); err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(c, buf[:5]); err != nil || string(buf[:5]) != "+OK\r\n" {
				t.Fatalf("SET: %q %v", buf[:5], err)
			}
		}
		get(c)
	}
	heap := func() int64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	before := heap()
	var freed int64
	for wait := 0; wait < 40; wait++ { // up to 6 s: the check runs each second
		time.Sleep(150 * time.Millisecond)
		if freed = before - heap(); freed >= clients*size*3/4 {
			break
		}
	}
	t.Logf("%d idle connections let go of %d bytes", clients, freed)
	if freed < clients*size*3/4 {
		t.Errorf("%d idle connections that each read %d bytes let go of %d bytes, want most of %d", clients, size, freed, clients*size)
	}
	for _, c := range conns {
		get(c)
	}
}
