package protocol

import (
	"bytes"
	"net"
)

// Face serves connections that do not speak RESP: the Memcached protocol
// on its own port, and HTTP sniffed on the RESP port. It runs on the
// connection's loop like a Handler and replies through Begin/End or Defer.
type Face interface {
	Open(c *Conn)
	// Traffic receives every buffered byte (valid during the call only)
	// and returns how many it consumed; close asks for the connection to
	// be closed once its replies are written. A face that calls c.Hold()
	// gets no Traffic until every pending reply is written; then it is
	// called again with what is still buffered.
	Traffic(c *Conn, in []byte) (consumed int, close bool)
	Close(c *Conn)
}

// FaceNeeder is implemented by a Face that can tell how many buffered
// bytes it needs before Traffic can make progress (a large value still
// arriving): the connection does not call Traffic, nor copy its buffer,
// until that many are buffered. 0 means any.
//
// A Face that stops consuming while bytes remain must call Conn.Hold
// first: the connection then offers the rest again once every pending
// reply is written (gnet does not signal bytes it already holds).
type FaceNeeder interface {
	Need(c *Conn) int
}

var httpMethods = [][]byte{
	[]byte("GET /"), []byte("POST /"), []byte("HEAD /"), []byte("PUT /"),
	[]byte("DELETE /"), []byte("OPTIONS /"), []byte("PATCH /"),
}

// maxSniffLine is the longest first line the sniffer waits for: RESP's
// longest inline command.
const maxSniffLine = 64 << 10

// sniffHTTP decides whether in starts an HTTP/1.x request. It answers
// (isHTTP, decided): undecided while in is a prefix of a method or the
// request line is not complete yet. A line is HTTP only when it starts with
// a method and "/" and ends with " HTTP/1.x", so an inline RESP command such
// as "GET /key" is never taken for HTTP.
func sniffHTTP(in []byte) (isHTTP, decided bool) {
	if len(in) == 0 {
		return false, false
	}
	if in[0] == '*' {
		return false, true
	}
	started := false
	for _, m := range httpMethods {
		if len(in) < len(m) {
			if bytes.HasPrefix(m, in) {
				return false, false
			}
			continue
		}
		if bytes.HasPrefix(in, m) {
			started = true
			break
		}
	}
	if !started {
		return false, true
	}
	eol := bytes.IndexByte(in, '\n')
	if eol < 0 {
		// A request line that starts like HTTP stays undecided however
		// it is split across reads; past the longest inline command RESP
		// allows it can only be HTTP (whose face refuses a line that
		// long). Falling back to RESP would run what follows it.
		if len(in) > maxSniffLine {
			return true, true
		}
		return false, false
	}
	line := bytes.TrimRight(in[:eol], "\r")
	return bytes.HasSuffix(line, []byte(" HTTP/1.1")) || bytes.HasSuffix(line, []byte(" HTTP/1.0")), true
}

// localPort returns the port a connection was accepted on.
func localPort(a net.Addr) int {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.Port
	}
	return 0
}
