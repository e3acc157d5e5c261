package memcache

import (
	"bytes"
	"errors"
)

// memcached's ASCII authentication (memcached -Y authfile), as 1.6 does it
// in try_read_command_asciiauth: until a connection has authenticated, the
// only request it accepts is a set whose data block is "<user> <password>";
// the key, flags and exptime are ignored, and noreply too.
//
//	set <any> <any> <any> <bytes> [...]\r\n
//	<user> <password>[ ...]\r\n
//
// Every reply is sent and none closes the connection:
//
//	STORED                                          credentials accepted
//	CLIENT_ERROR authentication failure             credentials refused
//	CLIENT_ERROR unauthenticated                    any other line
//	CLIENT_ERROR bad command line termination       the block does not end in "\r\n"
//	CLIENT_ERROR bad authentication token format    fewer than two words in the block
//
// Differences from memcached, which it shows only under pipelining or
// abuse: memcached answers a batch of requests read together before
// authentication with the last reply alone (it reuses one reply object);
// here each request gets its own reply. A line over 2048 bytes closes the
// connection whether or not its newline has arrived (memcached: only
// while it has not; it tokenizes a longer complete line). A claimed block
// over authMaxData closes the connection at once; memcached closes when
// the block overflows its 16 KB read buffer and, for a length near 2^32,
// wraps "bytes + 2" around.

// authMaxData bounds the data block of an authentication set, its CRLF
// included: memcached's read buffer (READ_BUFFER_SIZE).
const authMaxData = 16384

// ErrAuthTooLarge: an authentication set claims a data block over 16 KB
// (see authMaxData); the connection is closed without a reply.
var ErrAuthTooLarge = errors.New("memcache: authentication data block too large")

// ReplyAuthFailure answers credentials that are not accepted.
const ReplyAuthFailure = "CLIENT_ERROR authentication failure"

// Reply lines for requests refused before authentication, worded as
// memcached words them.
const (
	errUnauthenticated = "CLIENT_ERROR unauthenticated"
	errAuthTermination = "CLIENT_ERROR bad command line termination"
	errAuthFormat      = "CLIENT_ERROR bad authentication token format"
)

// ParseAuth parses one request from a connection that must authenticate
// first. It is Parse's counterpart and returns the same errors, and
// ErrAuthTooLarge; an HTTP line is ErrHTTP as with Parse. On success
// r.Cmd is CmdError (reply r.Err; NoReply is never set) or CmdAuth, with
// the user name in r.Key and the password in r.Value: reply STORED and
// switch the connection to Parse if they are right, ReplyAuthFailure if
// not. The slices alias buf.
//
// A connection may switch between ParseAuth and Parse between any two
// requests: a storage command waiting for its data block is parsed again
// from its line.
func (p *Parser) ParseAuth(buf []byte, r *Request) (int, error) {
	r.reset()
	if p.swallow > 0 {
		return p.swallowed(buf)
	}
	eol, err := p.readLine(buf, false)
	if err != nil {
		return 0, err
	}
	n := eol + 1
	words := p.words
	if len(words) < 5 || !is(words[0], "set") {
		r.fail(errUnauthenticated)
		return n, nil
	}
	size, ok := ParseUint32(words[4])
	if !ok {
		r.fail(errUnauthenticated)
		return n, nil
	}
	if int64(size)+2 > authMaxData {
		return 0, ErrAuthTooLarge
	}
	total := n + int(size) + 2
	if len(buf) < total {
		p.need = total
		return 0, ErrIncomplete
	}
	p.need = 0
	if buf[total-2] != '\r' || buf[total-1] != '\n' {
		r.fail(errAuthTermination)
		return total, nil
	}
	// The block is read as a C string too, and split on spaces.
	cred := buf[n : total-2]
	if z := bytes.IndexByte(cred, 0); z >= 0 {
		cred = cred[:z]
	}
	p.words = tokenize(cred, p.words[:0])
	if len(p.words) < 2 {
		r.fail(errAuthFormat)
		return total, nil
	}
	r.Cmd = CmdAuth
	r.Key, r.Value = p.words[0], p.words[1]
	return total, nil
}
