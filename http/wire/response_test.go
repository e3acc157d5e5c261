package wire

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"testing"
)

// roundTrip serialises rw as the answer to a request with method and
// proto, and reads it back with net/http.
func roundTrip(t *testing.T, rw *Response, method, proto string, closeConn bool) (*http.Response, string) {
	t.Helper()
	req, _, ref := ParseRequest([]byte(method + " / " + proto + "\r\nHost: x\r\n\r\n"))
	if req == nil {
		t.Fatalf("request refused: %+v", ref)
	}
	out := rw.AppendTo([]byte("prefix"), req, closeConn)
	if !bytes.HasPrefix(out, []byte("prefixHTTP/1.1 ")) {
		t.Fatalf("AppendTo did not append: %q", out)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(out[len("prefix"):])), req)
	if err != nil {
		t.Fatalf("cannot read back %q: %v", out, err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestResponse(t *testing.T) {
	var rw Response // the zero value works
	_, _ = rw.Write([]byte("<html>hi</html>"))
	rw.WriteHeader(http.StatusTeapot) // too late: 200 was written
	resp, body := roundTrip(t, &rw, "GET", "HTTP/1.1", false)
	if resp.StatusCode != 200 || body != "<html>hi</html>" || resp.ContentLength != 15 ||
		resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || resp.Header.Get("Date") == "" || resp.Close {
		t.Fatalf("got %d %v %q", resp.StatusCode, resp.Header, body)
	}

	rw = Response{}
	rw.Header().Set("Content-Type", "text/plain")
	_, _ = rw.Write([]byte("abc"))
	resp, body = roundTrip(t, &rw, "HEAD", "HTTP/1.1", true)
	if body != "" || resp.ContentLength != 3 || resp.Header.Get("Content-Type") != "text/plain" || !resp.Close {
		t.Fatalf("HEAD: got %v %q", resp.Header, body)
	}

	rw = Response{}
	rw.WriteHeader(http.StatusNoContent)
	rw.Header().Set("Content-Length", "9")
	resp, body = roundTrip(t, &rw, "GET", "HTTP/1.0", false)
	if resp.StatusCode != 204 || body != "" || resp.Header.Get("Content-Length") != "" || resp.Header.Get("Connection") != "keep-alive" {
		t.Fatalf("204 to HTTP/1.0: got %d %v %q", resp.StatusCode, resp.Header, body)
	}

	rw = Response{}
	resp, body = roundTrip(t, &rw, "GET", "HTTP/1.1", false)
	if resp.StatusCode != 200 || body != "" || resp.ContentLength != 0 || resp.Header.Get("Content-Type") != "" {
		t.Fatalf("empty: got %d %v %q", resp.StatusCode, resp.Header, body)
	}
}

func TestAppendPlainResponse(t *testing.T) {
	out := AppendPlainResponse(nil, http.StatusRequestHeaderFieldsTooLarge, "too large")
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(out)), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 431 || resp.Status != "431 Request Header Fields Too Large" || string(body) != "too large\n" ||
		!resp.Close || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("got %q", out)
	}
	if got := string(AppendStatusLine(nil, 503)); got != "HTTP/1.1 503 Service Unavailable\r\n" {
		t.Fatalf("AppendStatusLine = %q", got)
	}
	if Continue != "HTTP/1.1 100 Continue\r\n\r\n" {
		t.Fatal("Continue")
	}
}
