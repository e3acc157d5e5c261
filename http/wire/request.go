package wire

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
)

// The request limits.
const (
	MaxHeader = 64 << 10 // header block, through its blank line
	MaxBody   = 1 << 20  // decoded body
)

// Refusal is why a request is refused: the status to answer and a short
// text for the body. The zero value refuses nothing.
type Refusal struct {
	Status int
	Msg    string
}

// ParseRequest parses the request at the start of in. It returns:
//   - a request and its length n > 0 (blank lines before it included)
//     when it is complete, its body read into memory;
//   - n == 0 and a zero Refusal when more bytes are needed (req, when not
//     nil, has complete headers and awaits its body: see WantsContinue);
//   - a Refusal with a status when the request must be refused.
//
// The request's Body reads a copy of the body; nothing in req refers to in.
func ParseRequest(in []byte) (req *http.Request, n int, ref Refusal) {
	// Blank lines before a request line are ignored (RFC 9112 §2.2).
	skip := 0
	for skip < len(in) && (in[skip] == '\r' || in[skip] == '\n') {
		skip++
	}
	in = in[skip:]
	if len(in) == 0 {
		return nil, 0, Refusal{}
	}
	hend := headerEnd(in)
	if hend < 0 || hend > MaxHeader {
		if hend > MaxHeader || len(in) > MaxHeader {
			return nil, 0, Refusal{http.StatusRequestHeaderFieldsTooLarge, "request headers are over 64 KB"}
		}
		return nil, 0, Refusal{}
	}
	rd := bytes.NewReader(in)
	br := bufio.NewReaderSize(rd, 4096)
	req, err := http.ReadRequest(br)
	if err != nil {
		return nil, 0, Refusal{http.StatusBadRequest, "malformed HTTP request: " + err.Error()}
	}
	if req.ProtoAtLeast(1, 1) && req.Host == "" {
		return nil, 0, Refusal{http.StatusBadRequest, "missing required Host header"}
	}
	if req.ContentLength > MaxBody {
		return nil, 0, Refusal{http.StatusRequestEntityTooLarge, "request body is over 1 MB"}
	}
	chunked := len(req.TransferEncoding) > 0 // net/http accepts only "chunked"
	body, err := io.ReadAll(io.LimitReader(req.Body, MaxBody+1))
	if err != nil && trailerCut(err, in[len(in)-rd.Len()-br.Buffered():]) {
		err = io.ErrUnexpectedEOF
	}
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		if len(in) > MaxHeader+2*MaxBody {
			return nil, 0, Refusal{http.StatusRequestEntityTooLarge, "request body is over 1 MB"}
		}
		return req, 0, Refusal{} // the body is still coming
	case err != nil:
		return nil, 0, Refusal{http.StatusBadRequest, "malformed request body: " + err.Error()}
	case len(body) > MaxBody:
		return nil, 0, Refusal{http.StatusRequestEntityTooLarge, "request body is over 1 MB"}
	}
	end := len(in) - rd.Len() - br.Buffered()
	if chunked && !bytes.HasSuffix(in[:end], []byte("\r\n\r\n")) {
		// net/http ends a trailer at a bare LF line only when it has seen
		// a CRLF CRLF further on, so whether it did would depend on the
		// bytes after the request.
		return nil, 0, Refusal{http.StatusBadRequest, "malformed request body: the chunked trailer does not end in CRLF CRLF"}
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.TransferEncoding = nil
	return req, skip + end, Refusal{}
}

// trailerCut reports whether err, from reading a chunked body, comes of
// the buffer ending inside the body's trailer: net/http then says
// "unexpected EOF reading trailer", or "suspiciously long trailer" when
// the end of the trailer is not in its buffer. Neither error is
// exported, so they are known by their text. unread is what the body's
// reader left of the buffer: the trailer is cut when it holds no blank
// line yet (and is not already over MaxHeader).
func trailerCut(err error, unread []byte) bool {
	switch err.Error() {
	case "http: unexpected EOF reading trailer", "http: suspiciously long trailer after chunked body":
		return headerEnd(unread) < 0 && len(unread) <= MaxHeader
	}
	return false
}

// WantsContinue reports whether the client of req waits for a 100
// Continue before it sends the body (Expect: 100-continue).
func WantsContinue(req *http.Request) bool {
	return strings.EqualFold(req.Header.Get("Expect"), "100-continue")
}

// headerEnd returns the length of the header block (through its blank
// line), or -1 while it is incomplete.
func headerEnd(b []byte) int {
	for i := 0; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		if i+1 < len(b) && b[i+1] == '\n' {
			return i + 2
		}
		if i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n' {
			return i + 3
		}
	}
	return -1
}
