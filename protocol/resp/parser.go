package resp

import (
	"bytes"
	"errors"
	"math"
)

// Default limits. They are Redis 7's own values.
const (
	// DefaultMaxBulkLen is Redis's proto-max-bulk-len default (512 MB).
	DefaultMaxBulkLen = 512 << 20
	// DefaultMaxMultibulkLen is the largest array length Redis 7 accepts in a
	// request: networking.c rejects a count above INT_MAX.
	DefaultMaxMultibulkLen = math.MaxInt32
	// DefaultMaxInlineLen is Redis's PROTO_INLINE_MAX_SIZE: the longest inline
	// line, and the longest "*N" or "$N" header line, that may be buffered
	// without its terminator.
	DefaultMaxInlineLen = 64 << 10

	// Pre-authentication limits (Redis 6.2.6+, CVE-2021-32675).
	unauthMaxMultibulkLen = 10
	unauthMaxBulkLen      = 16384
)

// Limits bounds what a single request may claim. Every length read off the
// wire is checked against them before it is used; the parser never allocates
// memory in proportion to a claimed length, only to bytes actually received.
type Limits struct {
	// MaxBulkLen is the largest accepted "$N" (proto-max-bulk-len). A larger
	// one is "Protocol error: invalid bulk length".
	MaxBulkLen int64
	// MaxMultibulkLen is the largest accepted "*N". A larger one is
	// "Protocol error: invalid multibulk length".
	MaxMultibulkLen int64
	// MaxInlineLen is how many bytes of an inline line or header line may be
	// buffered without finding its terminator ("too big ..." errors).
	MaxInlineLen int
	// Unauthenticated applies Redis's pre-auth limits on top of the others:
	// "*N" with N > 10 and "$N" with N > 16384 are rejected.
	Unauthenticated bool
}

// DefaultLimits returns Redis 7's defaults.
func DefaultLimits() Limits {
	return Limits{
		MaxBulkLen:      DefaultMaxBulkLen,
		MaxMultibulkLen: DefaultMaxMultibulkLen,
		MaxInlineLen:    DefaultMaxInlineLen,
	}
}

// ErrIncomplete is returned by Parse when buf does not yet hold a complete
// command. The caller keeps the bytes, reads more, and calls Parse again with
// the same bytes extended; Need tells it how many are worth waiting for.
var ErrIncomplete = errors.New("resp: incomplete command")

// ProtocolError is a malformed request. Msg is Redis's exact message; the
// server replies "-ERR " + Msg and closes the connection after the reply, as
// Redis does. Use errors.As to tell it from ErrIncomplete.
type ProtocolError struct {
	Msg string // e.g. "Protocol error: invalid multibulk length"
}

func (e *ProtocolError) Error() string { return e.Msg }

// The fixed protocol errors. They are shared values: callers must not modify
// them.
var (
	errInvalidMultibulk = &ProtocolError{"Protocol error: invalid multibulk length"}
	errInvalidBulk      = &ProtocolError{"Protocol error: invalid bulk length"}
	errUnauthMultibulk  = &ProtocolError{"Protocol error: unauthenticated multibulk length"}
	errUnauthBulk       = &ProtocolError{"Protocol error: unauthenticated bulk length"}
	errBigMbulkCount    = &ProtocolError{"Protocol error: too big mbulk count string"}
	errBigBulkCount     = &ProtocolError{"Protocol error: too big bulk count string"}
	errBigInline        = &ProtocolError{"Protocol error: too big inline request"}
	errUnbalancedQuotes = &ProtocolError{"Protocol error: unbalanced quotes in request"}
)

// expectedDollar builds "expected '$', got 'X'". CR and LF are shown as a
// space, as Redis's addReplyErrorFormat does, so the reply stays one line.
func expectedDollar(c byte) *ProtocolError {
	if c == '\r' || c == '\n' {
		c = ' '
	}
	return &ProtocolError{"Protocol error: expected '$', got '" + string([]byte{c}) + "'"}
}

// Parser parses requests off one connection. It is not safe for concurrent
// use; give each connection its own (the zero value is ready).
//
// Between calls it remembers how far it got in a multibulk command that is
// not complete yet, so a large bulk string (or a command with many
// arguments) arriving over many reads is parsed once, not once per read: a
// call that finds the awaited bulk still short costs O(1), and a header line
// arriving a byte at a time is searched once overall.
type Parser struct {
	// Resumable multibulk state, valid while multi is true. Offsets are
	// relative to the start of buf, which must be the first byte of the
	// command on every call (see Parse).
	multi bool
	pos   int   // next byte to parse
	first int   // offset of the first "$" header
	count int   // the command's number of arguments
	left  int64 // bulk strings still to read
	bulk  int64 // length announced by the last "$N" header, or -1 if the next header is unread

	// scan is how far the line being searched for its terminator (the
	// "*N" line, a "$N" line, or an inline line) was already searched
	// without success; 0 when no search is pending.
	scan int
	need int // see Need

	// arena holds inline arguments that needed unescaping. It is only ever
	// appended to; once full it is replaced, never overwritten, so arguments
	// handed out earlier stay intact for as long as the caller holds them.
	arena []byte
}

const (
	// An argv slice larger than this is not reused for the next command, so
	// one huge command does not pin its argument array (24 bytes an
	// argument) for the connection's lifetime.
	maxRetainedArgs = 4096
	arenaChunk      = 4096

	// minArgLen is the shortest a bulk string can be on the wire, "$0\r\n"
	// and the two bytes after it: with left arguments to go, a command
	// cannot end before pos + minArgLen*left.
	minArgLen = 6
	// bigPartial is where Need starts reporting that lower bound of the
	// command's end (see Need).
	bigPartial = 256 << 10
)

// Parse parses one command from the start of buf.
//
// The arguments are appended to argv[:0] and returned. They alias buf: they
// stay valid until the caller modifies or reuses those bytes (for a network
// connection: until it discards them from its read buffer), so copy what must
// outlive that. Inline arguments that contained quotes are the exception:
// they live in the parser's arena and stay valid as long as they are
// referenced. Each argument's capacity is cut to its length, so appending to
// one cannot overwrite the bytes that follow it.
//
// n is the number of bytes consumed: the caller discards buf[:n] before the
// next call. On success n > 0. An empty command (an empty or blank inline
// line, "*0" or "*-1") is consumed and returns no arguments; Redis ignores
// it, and so should the caller.
//
// On ErrIncomplete n is 0 and the parser may keep state about buf; the next
// call must pass the same bytes, possibly extended (the buffer may have been
// moved or copied). Call Reset before passing anything else. Need reports how
// long buf must be before another call can make progress.
//
// On a *ProtocolError n is 0 and the parser is reset; the caller replies
// "-ERR " + Msg and closes the connection.
//
// lim may be nil, meaning DefaultLimits; a zero field of *lim also means its
// default.
//
// An argv with room for more than 4096 arguments (left by an earlier huge
// command) is not reused: the arguments go into a new slice sized for the
// command, so the caller's next argv is small again.
func (p *Parser) Parse(buf []byte, argv [][]byte, lim *Limits) (args [][]byte, n int, err error) {
	if cap(argv) > maxRetainedArgs {
		argv = nil
	}
	args = argv[:0]
	maxBulk, maxMulti, maxLine, unauth := int64(DefaultMaxBulkLen), int64(DefaultMaxMultibulkLen), DefaultMaxInlineLen, false
	if lim != nil {
		if lim.MaxBulkLen > 0 {
			maxBulk = lim.MaxBulkLen
		}
		if lim.MaxMultibulkLen > 0 {
			maxMulti = lim.MaxMultibulkLen
		}
		if lim.MaxInlineLen > 0 {
			maxLine = lim.MaxInlineLen
		}
		unauth = lim.Unauthenticated
	}
	p.need = 0
	var direct bool // arguments go straight into args (see below)
	if !p.multi {
		if len(buf) == 0 {
			return args, 0, ErrIncomplete
		}
		if buf[0] != '*' {
			return p.parseInline(buf, args, maxLine)
		}
		count, end, ok := quickLen(buf, 1, maxLine)
		if ok {
			p.scan = 0
		} else {
			end, err = p.findLine(buf, 0, '\r', maxLine, errBigMbulkCount)
			if err != nil {
				return args, 0, err
			}
			count, ok = parseLen(buf[1:end])
		}
		switch {
		case !ok || count > maxMulti:
			return args, 0, errInvalidMultibulk
		case unauth && count > unauthMaxMultibulkLen:
			return args, 0, errUnauthMultibulk
		case count <= 0:
			return args, end + 2, nil
		}
		p.multi, p.pos, p.left, p.bulk = true, end+2, count, -1
		p.first, p.count = p.pos, int(count)
		// The arguments go straight into args when buf may hold the whole
		// command (the usual case); args is then sized once, for at most
		// one argument per minArgLen bytes received.
		if rest := int64(len(buf) - p.pos); rest >= minArgLen*count {
			direct = true
			if int64(cap(args)) < count {
				args = make([][]byte, 0, count)
			}
		}
	} else if p.pos > len(buf) {
		panic("BUG: resp: Parse given fewer bytes than before ErrIncomplete; call Reset when input is discarded")
	}

	// A command parsed in one call (the usual case) goes straight into
	// args. Otherwise the loop only validates and moves pos (buf may move
	// between calls), and the arguments are collected once the last one
	// has arrived (collect).
	for p.left > 0 {
		if p.bulk < 0 {
			var l int64
			var end int
			var ok bool
			if p.pos < len(buf) && buf[p.pos] == '$' {
				l, end, ok = quickLen(buf, p.pos+1, maxLine)
			}
			if ok {
				p.scan = 0
			} else {
				end, err = p.findLine(buf, p.pos, '\r', maxLine, errBigBulkCount)
				if err == ErrIncomplete {
					return args[:0], 0, err
				}
				if err != nil {
					p.Reset()
					return args[:0], 0, err
				}
				if c := buf[p.pos]; c != '$' {
					p.Reset()
					return args[:0], 0, expectedDollar(c)
				}
				l, ok = parseLen(buf[p.pos+1 : end])
			}
			if !ok || l < 0 || l > maxBulk {
				p.Reset()
				return args[:0], 0, errInvalidBulk
			}
			if unauth && l > unauthMaxBulkLen {
				p.Reset()
				return args[:0], 0, errUnauthBulk
			}
			p.bulk, p.pos = l, end+2
		}
		// Like Redis, wait for the bulk plus two bytes and skip those two
		// bytes without checking that they are CRLF.
		if int64(len(buf)-p.pos)-2 < p.bulk {
			p.need = addClamp(p.pos+2, p.bulk)
			return args[:0], 0, ErrIncomplete
		}
		l := int(p.bulk)
		if direct {
			args = append(args, buf[p.pos:p.pos+l:p.pos+l])
		}
		p.pos += l + 2
		p.bulk = -1
		p.left--
	}

	if !direct {
		args = p.collect(buf, args)
	}
	n = p.pos
	p.Reset()
	return args, n, nil
}

// collect appends the arguments of the complete command in buf to args,
// sized once. Every header was validated on the way, and a valid header for
// length l is exactly '$', the canonical decimal of l (Redis accepts no sign
// and no leading zero), '\r' and one byte; the two bytes after each bulk are
// skipped. So one pass over the headers finds the arguments, without
// offsets kept per argument while the command was incomplete.
func (p *Parser) collect(buf []byte, args [][]byte) [][]byte {
	if cap(args) < p.count {
		args = make([][]byte, 0, p.count)
	}
	off := p.first
	for range p.count {
		l, i := 0, off+1
		for ; buf[i] != '\r'; i++ {
			l = l*10 + int(buf[i]-'0')
		}
		off = i + 2
		args = append(args, buf[off:off+l:off+l])
		off += l + 2
	}
	return args
}

// Need returns, after Parse returned ErrIncomplete, the total length buf must
// reach before Parse can make progress: the end of the bulk string being
// waited for, including its CRLF. It is 0 when unknown (a header or inline
// line is incomplete), meaning any new byte may help. Need is bounded by
// Limits.MaxBulkLen plus the bytes before the bulk, but a caller sizing a
// buffer from it should still apply its own query-buffer limit.
//
// Once 256 KiB of an incomplete multibulk command have been parsed, Need is
// instead a lower bound of the command's end: the remaining arguments cannot
// take fewer than 6 bytes each. A caller that hands Parse its whole buffer
// on every read (and may copy it each time) then calls it a few dozen times
// for a command of a million small arguments, not once per read. The cost:
// a malformed header beyond those first 256 KiB is reported only once the
// client has sent that many bytes, where Redis answers as soon as it arrives.
func (p *Parser) Need() int {
	if !p.multi || p.pos < bigPartial || p.left <= 0 {
		return p.need
	}
	rest := p.left * minArgLen
	if p.bulk >= 0 {
		rest = p.bulk + 2 + (p.left-1)*minArgLen
	}
	return max(p.need, addClamp(p.pos, rest))
}

// Reset discards any partly parsed command. Call it when the unconsumed
// input is thrown away (or the Parser is reused for another connection).
func (p *Parser) Reset() {
	p.multi, p.pos, p.left, p.bulk, p.scan, p.need = false, 0, 0, -1, 0, 0
	p.first, p.count = 0, 0
}

// findLine returns the index of the terminator term of the line starting at
// buf[start]. The terminator must lie within maxLine bytes of the start
// (index start+maxLine at most). If it is not there and more than maxLine
// bytes are buffered, it returns tooBig; if fewer are buffered, it returns
// ErrIncomplete and remembers how far it searched. A '\r' terminator also
// needs one more byte after it (Redis's "buffer should also contain \n"; that
// byte is not checked).
//
// Bounding the search by position, not by how much happens to be buffered,
// makes the result independent of how the input was split into reads.
func (p *Parser) findLine(buf []byte, start int, term byte, maxLine int, tooBig error) (int, error) {
	end := len(buf)
	if end-start > maxLine {
		end = start + maxLine + 1
	}
	from := max(start, p.scan)
	if from > end {
		panic("BUG: resp: Parse given fewer bytes than before ErrIncomplete; call Reset when input is discarded")
	}
	i := bytes.IndexByte(buf[from:end], term)
	if i < 0 {
		if len(buf)-start > maxLine {
			p.Reset()
			return 0, tooBig
		}
		p.scan = end
		return 0, ErrIncomplete
	}
	i += from
	if bytes.IndexByte(buf[start:i], 0) >= 0 {
		// Redis finds a line's end with strchr, which stops at a NUL: to
		// it a line with a NUL before its end is not finished, and the
		// client waits until what it sent passes the line limit. No later
		// terminator can finish it either, so the scan starts over.
		if len(buf)-start > maxLine {
			p.Reset()
			return 0, tooBig
		}
		return 0, ErrIncomplete
	}
	if term == '\r' && i+1 >= len(buf) {
		p.scan = i
		return 0, ErrIncomplete
	}
	p.scan = 0
	return i, nil
}

// quickLen is the fast path for the usual header: buf[i:] holds a
// non-negative decimal of at most 18 digits without leading zeros, then
// '\r' and at least one more byte, all within maxLine bytes of the line's
// start (i-1). It returns the value and the index of the '\r', or ok=false
// for anything else, which the general path (findLine, parseLen) then
// handles with identical results.
func quickLen(buf []byte, i, maxLine int) (v int64, end int, ok bool) {
	j := i
	for j < len(buf) && j-i < 18 {
		c := buf[j]
		if c < '0' || c > '9' {
			break
		}
		v = v*10 + int64(c-'0')
		j++
	}
	if j == i || j+1 >= len(buf) || buf[j] != '\r' || (buf[i] == '0' && j-i > 1) || j-(i-1) > maxLine {
		return 0, 0, false
	}
	return v, j, true
}

// parseLen parses a decimal integer exactly as Redis's string2ll does: no
// sign other than a leading '-', no leading zeros, no "-0", no spaces, at
// most 20 characters.
func parseLen(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) >= 21 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return int64(-v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// addClamp returns a+b capped at math.MaxInt; a >= 0, b >= 0.
func addClamp(a int, b int64) int {
	if b > int64(math.MaxInt-a) {
		return math.MaxInt
	}
	return a + int(b)
}
