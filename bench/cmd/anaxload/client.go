package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// The wire protocols anaxload speaks. It builds requests by appending to a
// buffer the connection reuses, writes a whole pipeline with one write, and
// parses replies straight out of its read buffer: no allocation per
// request, so the generator stays cheaper than the server it drives.
const (
	protoRESP     = "resp"
	protoMemcache = "memcache"
)

// request builds one protocol's requests. key and val are only read.
type request interface {
	set(dst, key, val []byte) []byte
	get(dst, key []byte) []byte
	mget(dst []byte, keys [][]byte) []byte
	incr(dst, key []byte) []byte
	ping(dst []byte) []byte
}

type respRequest struct{}

func appendBulk(dst, b []byte) []byte {
	dst = append(dst, '$')
	dst = strconv.AppendInt(dst, int64(len(b)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}

func (respRequest) set(dst, key, val []byte) []byte {
	dst = append(dst, "*3\r\n$3\r\nSET\r\n"...)
	return appendBulk(appendBulk(dst, key), val)
}

func (respRequest) get(dst, key []byte) []byte {
	return appendBulk(append(dst, "*2\r\n$3\r\nGET\r\n"...), key)
}

func (respRequest) mget(dst []byte, keys [][]byte) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(keys)+1), 10)
	dst = append(dst, "\r\n$4\r\nMGET\r\n"...)
	for _, k := range keys {
		dst = appendBulk(dst, k)
	}
	return dst
}

func (respRequest) incr(dst, key []byte) []byte {
	return appendBulk(append(dst, "*2\r\n$4\r\nINCR\r\n"...), key)
}

func (respRequest) ping(dst []byte) []byte { return append(dst, "*1\r\n$4\r\nPING\r\n"...) }

// The requests below are RESP only, outside the request interface:
// memcached's text protocol has neither MSET nor transactions, and
// options.check refuses -cmd mset and multi with -proto memcache.

// mset appends MSET with every key set to val.
func (respRequest) mset(dst []byte, keys [][]byte, val []byte) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(2*len(keys)+1), 10)
	dst = append(dst, "\r\n$4\r\nMSET\r\n"...)
	for _, k := range keys {
		dst = appendBulk(appendBulk(dst, k), val)
	}
	return dst
}

func (respRequest) multi(dst []byte) []byte { return append(dst, "*1\r\n$5\r\nMULTI\r\n"...) }

func (respRequest) exec(dst []byte) []byte { return append(dst, "*1\r\n$4\r\nEXEC\r\n"...) }

// memcacheRequest speaks memcached's text protocol (doc/protocol.txt).
type memcacheRequest struct{}

func (memcacheRequest) set(dst, key, val []byte) []byte {
	dst = append(dst, "set "...)
	dst = append(dst, key...)
	dst = append(dst, " 0 0 "...)
	dst = strconv.AppendInt(dst, int64(len(val)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, val...)
	return append(dst, '\r', '\n')
}

func (memcacheRequest) get(dst, key []byte) []byte {
	dst = append(append(dst, "get "...), key...)
	return append(dst, '\r', '\n')
}

func (memcacheRequest) mget(dst []byte, keys [][]byte) []byte {
	dst = append(dst, "get"...)
	for _, k := range keys {
		dst = append(append(dst, ' '), k...)
	}
	return append(dst, '\r', '\n')
}

func (memcacheRequest) incr(dst, key []byte) []byte {
	dst = append(append(dst, "incr "...), key...)
	return append(dst, " 1\r\n"...)
}

func (memcacheRequest) ping(dst []byte) []byte { return append(dst, "version\r\n"...) }

// reader parses replies out of a buffer filled from the connection. at is
// when the last read returned: the arrival time of every reply that read
// completed, measured from the run's start.
//
// With a nil c the reader never reads: the epoll engine fills the buffer
// (readFd) and a parse that runs out of bytes fails with errNeedMore; the
// caller then restores the position (mark, rewind) and waits for more.
type reader struct {
	c    net.Conn
	buf  []byte
	r, w int
	t0   time.Time
	at   time.Duration

	values, nils uint64 // bulk values read, and nil bulks / misses
	errs         uint64 // error replies
	firstErr     string
}

const minRead = 16 << 10

func newReader(c net.Conn, t0 time.Time) *reader {
	return &reader{c: c, buf: make([]byte, 64<<10), t0: t0}
}

var errNeedMore = errors.New("need more bytes")

// room makes at least minRead bytes free after w.
func (rd *reader) room() {
	if rd.r == rd.w {
		rd.r, rd.w = 0, 0
	}
	if len(rd.buf)-rd.w < minRead {
		if rd.r > 0 {
			rd.w = copy(rd.buf, rd.buf[rd.r:rd.w])
			rd.r = 0
		}
		if len(rd.buf)-rd.w < minRead {
			nb := make([]byte, 2*len(rd.buf))
			copy(nb, rd.buf[:rd.w])
			rd.buf = nb
		}
	}
}

// fill reads once more from the connection, making room first.
func (rd *reader) fill() error {
	if rd.c == nil {
		return errNeedMore
	}
	rd.room()
	n, err := rd.c.Read(rd.buf[rd.w:])
	rd.at = time.Since(rd.t0)
	rd.w += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// readMark is a reader position and the counters a reply may bump.
type readMark struct {
	r                  int
	values, nils, errs uint64
}

func (rd *reader) mark() readMark { return readMark{rd.r, rd.values, rd.nils, rd.errs} }

func (rd *reader) rewind(m readMark) {
	rd.r, rd.values, rd.nils, rd.errs = m.r, m.values, m.nils, m.errs
}

// line returns the next line without its "\r\n"; it is valid until the
// next call.
func (rd *reader) line() ([]byte, error) {
	scanned := rd.r
	for {
		if i := bytes.IndexByte(rd.buf[scanned:rd.w], '\n'); i >= 0 {
			end := scanned + i
			l := rd.buf[rd.r:end]
			rd.r = end + 1
			if len(l) == 0 || l[len(l)-1] != '\r' {
				return nil, fmt.Errorf("protocol error: line %q does not end in CRLF", l)
			}
			return l[:len(l)-1], nil
		}
		scanned = rd.w - rd.r // offset survives the compaction in fill
		if err := rd.fill(); err != nil {
			return nil, err
		}
		scanned += rd.r
	}
}

// skip consumes n bytes, reading as needed.
func (rd *reader) skip(n int) error {
	for rd.w-rd.r < n {
		n -= rd.w - rd.r
		rd.r = rd.w
		if err := rd.fill(); err != nil {
			return err
		}
	}
	rd.r += n
	return nil
}

func (rd *reader) noteErr(msg []byte) {
	if rd.errs == 0 {
		rd.firstErr = string(msg)
	}
	rd.errs++
}

var errProtocol = errors.New("protocol error")

// badReply counts a reply that is well formed but not the one due (want)
// as an error, like an error reply.
func (rd *reader) badReply(what, want string, got []byte) {
	if rd.errs == 0 {
		rd.firstErr = fmt.Sprintf("%s: want %s, got %q", what, want, got)
	}
	rd.errs++
}

// respReply consumes one RESP2 reply, nested arrays included.
func (rd *reader) respReply() error {
	l, err := rd.line()
	if err != nil {
		return err
	}
	return rd.respRest(l)
}

// respRest consumes the rest of the reply whose first line is l.
func (rd *reader) respRest(l []byte) error {
	if len(l) == 0 {
		return errProtocol
	}
	switch l[0] {
	case '+', ':':
		return nil
	case '-':
		rd.noteErr(l[1:])
		return nil
	case '$':
		n, err := strconv.Atoi(string(l[1:]))
		if err != nil {
			return fmt.Errorf("protocol error: bulk length %q", l)
		}
		if n < 0 {
			rd.nils++
			return nil
		}
		rd.values++
		return rd.skip(n + 2)
	case '*':
		n, err := strconv.Atoi(string(l[1:]))
		if err != nil {
			return fmt.Errorf("protocol error: array length %q", l)
		}
		for i := 0; i < n; i++ {
			if err := rd.respReply(); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("protocol error: unexpected reply %q", l)
}

// txReply consumes the replies to one transaction of n commands sent as
// MULTI, the n commands, EXEC: +OK, n times +QUEUED, then EXEC's array of
// n replies. Anything else (MULTI refused, a command not queued, EXEC
// aborted or answering nil or an array of another length, an error reply
// inside the array) makes the transaction one error: a transaction is one
// operation, and errs counts the operations that failed. Whatever the
// server answers, it answers each of the n+2 commands, so the reader stays
// in step.
//
// A reply left incomplete (errNeedMore) leaves the counters half-updated;
// the epoll engine rewinds to its mark and parses the whole transaction
// again once more bytes are in.
func (rd *reader) txReply(n int) error {
	errs0 := rd.errs
	if err := rd.simpleReply("MULTI", "+OK"); err != nil {
		return err
	}
	for range n {
		if err := rd.simpleReply("queued command", "+QUEUED"); err != nil {
			return err
		}
	}
	l, err := rd.line()
	if err != nil {
		return err
	}
	if len(l) == 0 || l[0] != '-' { // an error reply is counted by respRest
		if m, err := strconv.Atoi(string(l[min(1, len(l)):])); len(l) == 0 || l[0] != '*' || err != nil || m != n {
			rd.badReply("EXEC", "an array of "+strconv.Itoa(n)+" replies", l)
		}
	}
	if err := rd.respRest(l); err != nil {
		return err
	}
	if rd.errs > errs0 {
		rd.errs = errs0 + 1
	}
	return nil
}

// simpleReply consumes one reply that should be the simple string want
// ("+OK"); what names the command in the error.
func (rd *reader) simpleReply(what, want string) error {
	l, err := rd.line()
	if err != nil {
		return err
	}
	if string(l) == want {
		return nil
	}
	if len(l) == 0 || l[0] != '-' {
		rd.badReply(what, want, l)
	}
	return rd.respRest(l)
}

// memcacheReply consumes one reply of memcached's text protocol. A get
// answers with zero or more VALUE blocks and END.
func (rd *reader) memcacheReply() error {
	got := false
	for {
		l, err := rd.line()
		if err != nil {
			return err
		}
		switch {
		case bytes.HasPrefix(l, []byte("VALUE ")):
			sp := bytes.LastIndexByte(l, ' ')
			n, err := strconv.Atoi(string(l[sp+1:]))
			if err != nil {
				return fmt.Errorf("protocol error: %q", l)
			}
			rd.values++
			got = true
			if err := rd.skip(n + 2); err != nil {
				return err
			}
		case bytes.Equal(l, []byte("END")):
			if !got {
				rd.nils++
			}
			return nil
		case bytes.Equal(l, []byte("NOT_FOUND")):
			rd.nils++
			return nil
		case bytes.HasPrefix(l, []byte("ERROR")), bytes.HasPrefix(l, []byte("CLIENT_ERROR")),
			bytes.HasPrefix(l, []byte("SERVER_ERROR")):
			rd.noteErr(l)
			return nil
		default: // STORED, VERSION ..., an INCR result
			return nil
		}
	}
}
