package protocol

import (
	"strings"
	"testing"
)

func TestSniffHTTP(t *testing.T) {
	f := func(in string, wantHTTP, wantDecided bool) {
		t.Helper()
		isHTTP, decided := sniffHTTP([]byte(in))
		if isHTTP != wantHTTP || decided != wantDecided {
			t.Errorf("sniffHTTP(%q) = %v, %v; want %v, %v", in, isHTTP, decided, wantHTTP, wantDecided)
		}
	}
	f("", false, false)
	f("*1\r\n$4\r\nPING\r\n", false, true)
	f("G", false, false)
	f("GET", false, false)
	f("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", true, true)
	f("POST /api HTTP/1.0\r\n", true, true)
	f("GET /metrics", false, false)
	f("GET /key\r\n", false, true) // an inline RESP GET of the key "/key"
	f("GET key\r\n", false, true)
	f("PING\r\n", false, true)
	f("SET a b\r\n", false, true)
}

// TestSniffLongRequestLine: a request line that starts like HTTP is never
// taken for RESP however long it is or however it is split: what follows
// it would run as commands.
func TestSniffLongRequestLine(t *testing.T) {
	long := "POST /" + strings.Repeat("a", 9000)
	if isHTTP, decided := sniffHTTP([]byte(long)); decided {
		t.Errorf("9 KB request line without its end: decided (HTTP %v), want undecided", isHTTP)
	}
	longer := "GET /" + strings.Repeat("a", maxSniffLine)
	if isHTTP, decided := sniffHTTP([]byte(longer)); !decided || !isHTTP {
		t.Errorf("request line over %d bytes: HTTP %v decided %v, want HTTP", maxSniffLine, isHTTP, decided)
	}
	if isHTTP, decided := sniffHTTP([]byte(long + " HTTP/1.1\r\n")); !decided || !isHTTP {
		t.Errorf("9 KB request line: HTTP %v decided %v, want HTTP", isHTTP, decided)
	}
}
