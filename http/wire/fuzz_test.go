package wire

import (
	"bytes"
	"io"
	"testing"
)

// FuzzParseRequest checks ParseRequest on arbitrary bytes: it never
// panics; a refusal carries no request; an accepted request lies within
// the input, and parsing it alone gives the same request, while every
// proper prefix of it asks for more bytes.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
		"\r\nGET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n",
		"GET / HTTP/1.1\nHost: x\n\n",
		"POST /api/command HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\nTrailer: v\r\n\r\n",
		"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		"*1\r\n$4\r\nPING\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		req, n, ref := ParseRequest(in)
		if ref.Status != 0 {
			if req != nil || n != 0 || ref.Msg == "" {
				t.Fatalf("refusal %+v with req %v, n %d", ref, req != nil, n)
			}
			return
		}
		if n == 0 {
			return // more is needed
		}
		if req == nil || n > len(in) {
			t.Fatalf("accepted n %d of %d bytes, req %v", n, len(in), req != nil)
		}
		body, _ := io.ReadAll(req.Body)

		// The request alone parses the same.
		req2, n2, ref2 := ParseRequest(in[:n])
		if n2 != n || ref2.Status != 0 {
			t.Fatalf("alone: n %d, refusal %+v; with what follows: n %d", n2, ref2, n)
		}
		body2, _ := io.ReadAll(req2.Body)
		if req2.Method != req.Method || req2.RequestURI != req.RequestURI || req2.Host != req.Host || !bytes.Equal(body, body2) {
			t.Fatalf("alone: %s %s %q; with what follows: %s %s %q", req2.Method, req2.RequestURI, body2, req.Method, req.RequestURI, body)
		}

		// Every proper prefix needs more bytes. (Inputs are small here;
		// large ones are checked at a sample of cut points.)
		step := max(1, n/512)
		for k := 0; k < n; k += step {
			if _, nk, refk := ParseRequest(in[:k]); nk != 0 || refk.Status != 0 {
				t.Fatalf("prefix of %d bytes (of %d): n %d, refusal %+v", k, n, nk, refk)
			}
		}
	})
}
