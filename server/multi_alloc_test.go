package server_test

import (
	"bytes"
	"io"
	"net"
	"runtime"
	"testing"

	"github.com/anaxdb/anax/internal/servertest"
)

// TestExecDoesNotAllocate: a MULTI of ten INCRs and its EXEC, run in one
// piece on the client's shard, allocate nothing in the server once the
// client's first transaction has sized its reusable state. The client here
// is a bare socket with fixed buffers, so the process's allocation count is
// the server's (plus a little noise from the runtime, hence the bound).
func TestExecDoesNotAllocate(t *testing.T) {
	addr := servertest.Start(t, "--threads", "1")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var req []byte
	req = append(req, servertest.Encode("MULTI")...)
	for i := 0; i < 10; i++ {
		req = append(req, servertest.Encode("INCR", "counter:"+string(rune('a'+i)))...)
	}
	req = append(req, servertest.Encode("EXEC")...)
	buf := make([]byte, 4096)
	roundTrip := func() {
		if _, err := conn.Write(req); err != nil {
			t.Fatal(err)
		}
		// The reply ends with the EXEC array's tenth integer; replies are
		// small, so read until the 22nd CRLF (OK, 10 QUEUED, *10, 10 ints).
		n, lines := 0, 0
		for lines < 22 {
			m, err := conn.Read(buf[n:])
			if err != nil && err != io.EOF {
				t.Fatal(err)
			}
			lines += bytes.Count(buf[n:n+m], []byte("\r\n"))
			n += m
		}
	}
	for i := 0; i < 50; i++ {
		roundTrip()
	}
	const rounds = 2000
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < rounds; i++ {
		roundTrip()
	}
	runtime.ReadMemStats(&after)
	perTx := float64(after.Mallocs-before.Mallocs) / rounds
	t.Logf("%.2f allocations per transaction", perTx)
	if perTx > 1 {
		t.Errorf("%.2f allocations per MULTI/10 INCR/EXEC, want none", perTx)
	}
}
