// Package resp reads Redis requests and writes RESP2/RESP3 replies. It is a
// leaf: it knows nothing of connections, commands or the keyspace, and
// imports only the standard library.
//
// # Requests
//
// A client sends either a multibulk request, an array of bulk strings
// ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"), or an inline command, one line of
// blank-separated words ("GET k\r\n") as typed into telnet. RESP3 changes
// replies only; requests are the same in both protocol versions.
//
// Parser.Parse takes the connection's unconsumed input and returns one
// command and the number of bytes it used, or ErrIncomplete, or a
// *ProtocolError. The connection loop calls it until ErrIncomplete, running
// (or queueing) each command, then discards the bytes consumed:
//
//	for {
//		args, n, err := p.Parse(in, argv, &lim)
//		if err == ErrIncomplete { break }   // wait for more; p.Need() says how much
//		if err != nil { reply "-ERR " + err.Error(); close after the reply }
//		in = in[n:]
//		if len(args) > 0 { run(args) }      // empty commands are ignored, as in Redis
//	}
//
// Parsing matches Redis 7's networking.c byte for byte on everything a
// client can send, including its error messages and its quirks: the two
// bytes after a bulk string are skipped unchecked, a header line needs a
// '\r' and any one byte after it, "*0" and "*-N" are empty commands, and
// inline words are split like sdssplitargs. The documented differences are
// both about input Redis itself cannot handle: a NUL byte in a header or
// inline line (Redis, reading it as a C string, stalls; here it is an
// ordinary byte), and lines over the inline limit (Redis's verdict depends
// on how the bytes were split into reads; here a terminator further than
// MaxInlineLen bytes from the start of its line is always an error, so the
// result never depends on read boundaries).
//
// # Zero copy and lifetimes
//
// Arguments are slices into the caller's buffer, not copies. They are valid
// until the caller modifies or reuses those bytes; for a network connection,
// until it discards them from its read buffer. Anything that outlives that
// (a command handed to another shard's loop, a key stored in the keyspace)
// must be copied first. Each argument's capacity equals its length, so
// appending to one reallocates rather than overwriting its neighbour.
//
// Inline words that contained quotes are decoded into an arena owned by the
// Parser. The arena is append-only and replaced, never rewritten, when full,
// so those arguments stay valid for as long as they are referenced: parsing
// the next command does not clobber them.
//
// While a multibulk command is incomplete the Parser remembers offsets into
// the buffer, so the next call must pass the same bytes (extended, possibly
// moved); Reset forgets them. A call that still lacks the awaited bulk string
// returns in O(1), so a 512 MB value arriving in 64 KB reads is not parsed
// over and over; Need tells the caller how many bytes to wait for. Once a
// command's first 256 KiB are parsed, Need is a lower bound of where the
// whole command ends (6 bytes per argument still to come), so a command of
// a million small arguments is looked at a few dozen times, not once per
// read; the price is that a malformed header past those 256 KiB is
// reported only once that many bytes have arrived.
//
// # Limits
//
// Every length is checked against Limits before it is used, and nothing is
// allocated in proportion to a claimed length: "*2147483647" costs nothing
// until the arguments actually arrive. The defaults are Redis's: bulk
// strings up to 512 MB (proto-max-bulk-len), arrays up to 2^31-1 elements,
// header and inline lines up to 64 KB. With Limits.Unauthenticated, Redis's
// pre-AUTH limits also apply (arrays of 10, bulk strings of 16384 bytes).
// The total size of the query buffer (client-query-buffer-limit) is the
// connection's to enforce.
//
// # Replies
//
// The Append* functions append one reply, or an aggregate's header, to a
// buffer the caller owns and return it, like strconv.AppendInt; they never
// allocate when dst has room. Those taking proto write RESP3 when proto >= 3
// and the RESP2 form otherwise: a map becomes a flat array, a double a bulk
// string, a boolean an integer, a null "$-1" or "*-1".
package resp
