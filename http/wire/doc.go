// Package wire is HTTP/1.x framing for Anax's HTTP face: it cuts requests
// out of a connection's read buffer (ParseRequest) and serialises
// responses into a caller's buffer (Response, AppendPlainResponse). It
// holds no connection state and does no I/O, so the face (http/face) can
// run it on an event loop; it imports only the standard library.
//
// Limits: the header block (request line through its blank line) is at
// most MaxHeader bytes, answered 431 otherwise; a body at most MaxBody
// bytes once decoded, answered 413 otherwise. A malformed request is
// answered 400. Every refusal closes the connection.
package wire
