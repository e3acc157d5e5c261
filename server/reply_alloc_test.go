package server_test

import (
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"

	"github.com/anaxdb/anax/internal/servertest"
)

// TestBigReplyDoesNotAllocate: a reply of 100 KB (LRANGE 0 99 of 1 KB
// elements) asked for again and again, one command at a time, is built in
// buffers the loop and the connection keep, so the server allocates next to
// nothing per command once the first reply has sized them. The client is a
// bare socket with a fixed buffer, so the process's allocations are the
// server's.
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
	for i := 0; i < 20; i++ {
		roundTrip()
	}
	if got := string(buf[:6]); got != "*100\r\n" {
		t.Fatalf("reply starts %q", got)
	}
	const rounds = 500
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < rounds; i++ {
		roundTrip()
	}
	runtime.ReadMemStats(&after)
	perCmd := float64(after.TotalAlloc-before.TotalAlloc) / rounds
	t.Logf("%.0f bytes allocated per LRANGE of a 100 KB reply", perCmd)
	if perCmd > 4<<10 {
		t.Errorf("%.0f bytes allocated per LRANGE of a 100 KB reply, want next to none", perCmd)
	}
}
