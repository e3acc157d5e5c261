package wire

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestParseRequest(t *testing.T) {
	// f parses in and checks the outcome: the request's length n (0: more
	// is needed), the refusal status, and for a complete request its body.
	f := func(in string, wantN, wantStatus int, wantBody string) {
		t.Helper()
		req, n, ref := ParseRequest([]byte(in))
		if n != wantN || ref.Status != wantStatus {
			t.Fatalf("ParseRequest(%q) = n %d, refusal %+v; want n %d, status %d", in, n, ref, wantN, wantStatus)
		}
		if ref.Status != 0 {
			if req != nil || ref.Msg == "" {
				t.Fatalf("ParseRequest(%q): a refusal with req %v, msg %q", in, req, ref.Msg)
			}
			return
		}
		if n == 0 {
			return
		}
		body, err := io.ReadAll(req.Body)
		if err != nil || string(body) != wantBody || req.ContentLength != int64(len(wantBody)) || req.TransferEncoding != nil {
			t.Fatalf("ParseRequest(%q): body %q (%v), length %d, TE %v; want %q", in, body, err, req.ContentLength, req.TransferEncoding, wantBody)
		}
	}
	get := "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
	f(get, len(get), 0, "")
	f("\r\n\n"+get, 3+len(get), 0, "")           // blank lines before the request line
	f(get+"GET / HTTP/1.1\r\n", len(get), 0, "") // a pipelined request behind it
	f("GET / HTTP/1.1\nHost: x\n\n", 24, 0, "")  // bare LF line ends
	f("GET / HTTP/1.0\r\n\r\n", 18, 0, "")       // HTTP/1.0 needs no Host
	post := "POST /api/command HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
	f(post, len(post), 0, "hello")
	chunked := "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
	f(chunked, len(chunked), 0, "abcde")

	// More is needed.
	f("", 0, 0, "")
	f("\r\n", 0, 0, "")
	f("GET / HTTP/1.1\r\nHost: x\r\n", 0, 0, "")
	f(post[:len(post)-1], 0, 0, "")
	f(chunked[:len(chunked)-8], 0, 0, "")
	f(chunked[:len(chunked)-1], 0, 0, "") // inside the (empty) trailer
	trailer := "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nT: v\r\n\r\n"
	f(trailer, len(trailer), 0, "a")
	f(trailer[:len(trailer)-1], 0, 0, "")
	f(trailer[:len(trailer)-5], 0, 0, "")
	bareLF := "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: v\n\n"
	f(bareLF, 0, http.StatusBadRequest, "") // net/http refuses a trailer without CRLF; it is complete, so it is refused at once

	// Refusals.
	f("GET / HTTP/1.1\r\n\r\n", 0, http.StatusBadRequest, "") // no Host
	f("NOT A REQUEST\r\n\r\n", 0, http.StatusBadRequest, "")
	f("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n", 0, http.StatusBadRequest, "")
	f("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, http.StatusBadRequest, "")
	f("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1048577\r\n\r\n", 0, http.StatusRequestEntityTooLarge, "")
	long := "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + strings.Repeat("a", MaxHeader) + "\r\n\r\n"
	f(long, 0, http.StatusRequestHeaderFieldsTooLarge, "")
	f(long[:MaxHeader+1], 0, http.StatusRequestHeaderFieldsTooLarge, "") // no end yet, already too long
	f(long[:MaxHeader], 0, 0, "")

	// A chunked body over the limit, complete or still coming.
	big := "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n" + strings.Repeat("a", MaxBody+1) + "\r\n0\r\n\r\n"
	f(big, 0, http.StatusRequestEntityTooLarge, "")
}

func TestParseRequestCopiesBody(t *testing.T) {
	in := []byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
	req, n, _ := ParseRequest(in)
	if n != len(in) {
		t.Fatalf("n = %d", n)
	}
	copy(in, bytes.Repeat([]byte{'z'}, len(in)))
	if b, _ := io.ReadAll(req.Body); string(b) != "abc" {
		t.Fatalf("the body changed with the buffer: %q", b)
	}
	if req.Method != "POST" || req.Host != "x" {
		t.Fatalf("the request changed with the buffer: %s %s", req.Method, req.Host)
	}
}

func TestWantsContinue(t *testing.T) {
	in := "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n"
	req, n, ref := ParseRequest([]byte(in))
	if req == nil || n != 0 || ref.Status != 0 || !WantsContinue(req) {
		t.Fatalf("ParseRequest = %v, %d, %+v; want headers awaiting a body that expects 100-continue", req, n, ref)
	}
	req, _, _ = ParseRequest([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n"))
	if WantsContinue(req) {
		t.Fatal("WantsContinue without Expect")
	}
}

func TestHeaderEnd(t *testing.T) {
	f := func(in string, want int) {
		t.Helper()
		if got := headerEnd([]byte(in)); got != want {
			t.Fatalf("headerEnd(%q) = %d, want %d", in, got, want)
		}
	}
	f("", -1)
	f("a\r\n", -1)
	f("a\r\n\r", -1)
	f("a\r\n\r\n", 5)
	f("a\n\n", 3)
	f("a\n\r\nb", 4)
	f("a\r\r\n", -1)
}
