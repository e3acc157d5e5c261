// Package memcache reads Memcached text and meta protocol requests and
// writes their replies. It is a leaf: it knows nothing of connections,
// shards or the keyspace, and imports only the standard library.
//
// # Requests
//
// A request is one line of space-separated words ending in "\n" (a "\r"
// before it is dropped), followed for storage commands (set add replace
// append prepend cas ms) by a data block of the announced length and
// "\r\n". Parser.Parse takes the connection's unconsumed input and returns
// one Request and the number of bytes it used:
//
//	for {
//		n, err := p.Parse(in, &req)
//		if err == ErrIncomplete { break }  // wait for more; p.Need() says how much
//		if err != nil { close the connection, no reply }
//		in = in[n:]
//		switch req.Cmd { case CmdNone: ; case CmdError: reply req.Err unless req.NoReply; default: run(&req) }
//	}
//
// Parsing follows memcached 1.6's proto_text.c byte for byte where a
// client can tell: the same tokenizer (spaces only, at most 24 tokens for
// commands other than the get family, a NUL ends the line), the same
// numeric quirks (see ParseInt32), the same error lines and the same
// noreply rules (a text command's errors honour "noreply"; a meta
// command's errors are always sent). A storage command rejected before
// its data block ("SERVER_ERROR object too large for cache", a bad meta
// flag) swallows the block, as memcached does, without buffering it; one
// with a negative length does not.
//
// Differences, all about input memcached handles differently only by
// accident of its buffering or ordering: a line over 2048 bytes closes the
// connection unless it is a multi-key retrieval (memcached applies that
// rule only to bytes still waiting for their newline, so its verdict
// depends on how the line was split into reads; here it does not), and a
// retrieval line is bounded by MaxGetLine (memcached lets a get grow
// without bound); an O(opaque) token over 32 bytes is rejected before the
// command runs (memcached notices it while writing the reply, after any
// side effect).
//
// Two rules guard the port. An HTTP request line or Host: header (see
// isHTTP) ends the connection (ErrHTTP) before anything after it is
// parsed: a browser made to post to the port cannot smuggle commands in
// the body. A connection that must authenticate (memcached -Y) reads its
// requests with ParseAuth instead of Parse until it has: only a set whose
// data block holds the credentials is accepted (see auth.go).
//
// # Zero copy and lifetimes
//
// A Request's slices point into the buffer given to Parse (a base64 key
// into the parser): valid until the next Parse or until those bytes are
// reused. Request.Clone makes a copy that owns its bytes, for running a
// command on another goroutine. Parsing a get or a set allocates nothing
// once the parser's token list has grown to the longest line seen.
//
// A storage command whose data block has not fully arrived is not
// buffered by the parser: Parse returns ErrIncomplete and Need reports how
// many bytes the command needs in all, so the caller can wait for them
// without calling Parse on every read. A claimed length is checked against
// the item size limit before anything waits for it.
//
// # Replies
//
// The Append* functions append one reply element to a buffer the caller
// owns. Meta replies are assembled from AppendMetaValue or a two-letter
// code, AppendMeta* return flags in request order, and AppendCRLF.
package memcache
