package wire

import (
	"bytes"
	"net/http"
	"strconv"
	"time"
)

// Continue is the interim response a client that sent Expect:
// 100-continue waits for before it sends the body.
const Continue = "HTTP/1.1 100 Continue\r\n\r\n"

// Response is an http.ResponseWriter that collects a handler's response
// in memory; AppendTo serialises it. The zero value is ready to use.
type Response struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// Header implements http.ResponseWriter.
func (r *Response) Header() http.Header {
	if r.header == nil {
		r.header = http.Header{}
	}
	return r.header
}

// WriteHeader implements http.ResponseWriter: the first status wins.
func (r *Response) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

// Write implements http.ResponseWriter.
func (r *Response) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

// AppendTo appends the response to req as HTTP/1.1: the status line
// (200 when none was written), the headers with Content-Length,
// Content-Type when the handler set none and there is a body, Date and
// Connection, then the body unless req is a HEAD or the status has none.
// closeConn says the connection closes after this response.
func (r *Response) AppendTo(dst []byte, req *http.Request, closeConn bool) []byte {
	status := r.status
	if status == 0 {
		status = http.StatusOK
	}
	h := r.Header()
	bodyAllowed := status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
	if bodyAllowed {
		if h.Get("Content-Type") == "" && r.body.Len() > 0 {
			h.Set("Content-Type", http.DetectContentType(r.body.Bytes()))
		}
		h.Set("Content-Length", strconv.Itoa(r.body.Len()))
	} else {
		h.Del("Content-Length")
	}
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	switch {
	case closeConn:
		h.Set("Connection", "close")
	case !req.ProtoAtLeast(1, 1):
		h.Set("Connection", "keep-alive")
	}
	dst = AppendStatusLine(dst, status)
	var hb bytes.Buffer
	_ = h.Write(&hb)
	dst = append(dst, hb.Bytes()...)
	dst = append(dst, "\r\n"...)
	if bodyAllowed && req.Method != http.MethodHead {
		dst = append(dst, r.body.Bytes()...)
	}
	return dst
}

// AppendStatusLine appends "HTTP/1.1 <status> <text>\r\n".
func AppendStatusLine(dst []byte, status int) []byte {
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, ' ')
	dst = append(dst, http.StatusText(status)...)
	return append(dst, "\r\n"...)
}

// AppendPlainResponse appends a short text response that closes the
// connection: the answer to a Refusal, or to a handler that failed.
func AppendPlainResponse(dst []byte, status int, msg string) []byte {
	body := msg + "\n"
	dst = AppendStatusLine(dst, status)
	dst = append(dst, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: "...)
	dst = strconv.AppendInt(dst, int64(len(body)), 10)
	dst = append(dst, "\r\nConnection: close\r\n\r\n"...)
	return append(dst, body...)
}
