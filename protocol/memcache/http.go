package memcache

import "bytes"

// httpMethods are HTTP's request methods, in upper case as clients send
// them. memcached's commands are all lower case, so no command is taken
// for one.
var httpMethods = [...]string{"GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"}

// isHTTP reports whether a line's words look like the start of an HTTP
// request or one of its headers: what a browser sends when a web page
// makes it post to the memcache port (cross-protocol scripting), with
// commands hidden in the body. The connection must then run nothing more.
// The line is HTTP when
//
//   - its first word is an HTTP method (upper case) and its second word
//     starts with "/" or its last word starts with "HTTP/": a request line
//     ("GET / HTTP/1.1", "OPTIONS * HTTP/1.1", "POST /x");
//   - its first word is "POST": Redis closes on a POST command too;
//   - its first word starts with "Host:", in any case: the header every
//     HTTP/1.1 request carries.
//
// A lower-case "get /" or "get / HTTP/1.1" is a retrieval of those keys,
// as in memcached.
func isHTTP(words [][]byte) bool {
	if len(words) == 0 {
		return false
	}
	w := words[0]
	switch c := w[0]; {
	case c == 'h' || c == 'H':
		if len(w) >= 5 && bytes.EqualFold(w[:5], []byte("host:")) {
			return true
		}
	case c < 'A' || c > 'Z':
		return false // every memcached command
	}
	if is(w, "POST") {
		return true
	}
	if len(words) < 2 {
		return false
	}
	for _, m := range httpMethods {
		if is(w, m) {
			return words[1][0] == '/' || bytes.HasPrefix(words[len(words)-1], []byte("HTTP/"))
		}
	}
	return false
}
