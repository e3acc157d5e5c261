package console

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MaxReply is the most a ReplyReader reads from its connection: the
// console shows no reply larger than this.
const MaxReply = 16 << 20

// ErrReplyTooLarge is returned by ReplyReader.Read when a reply does not
// fit in MaxReply (or the connection ends inside it).
var ErrReplyTooLarge = fmt.Errorf("the reply is over %d MB, too large for the console", MaxReply>>20)

// maxReplyDepth bounds the nesting of aggregates a reply may have.
const maxReplyDepth = 128

// AppendCommand appends args as a RESP array of bulk strings, the form
// a client sends a command in.
func AppendCommand(dst []byte, args ...string) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(args)), 10)
	dst = append(dst, "\r\n"...)
	for _, a := range args {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, "\r\n"...)
		dst = append(dst, a...)
		dst = append(dst, "\r\n"...)
	}
	return dst
}

// ReplyReader reads RESP2 and RESP3 replies from a connection, at most
// MaxReply bytes in all. Attributes (|) are read and dropped; the reply
// they describe is returned.
type ReplyReader struct{ r *bufio.Reader }

// NewReplyReader returns a ReplyReader over r.
func NewReplyReader(r io.Reader) *ReplyReader {
	return &ReplyReader{r: bufio.NewReader(io.LimitReader(r, MaxReply))}
}

// Read reads the next reply.
func (rr *ReplyReader) Read() (Reply, error) { return rr.read(0) }

func (rr *ReplyReader) line() (string, error) {
	s, err := rr.r.ReadString('\n')
	if err != nil {
		if errors.Is(err, io.EOF) && len(s) > 0 {
			return "", ErrReplyTooLarge
		}
		return "", fmt.Errorf("cannot read the reply: %w", err)
	}
	return strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r"), nil
}

func (rr *ReplyReader) read(depth int) (Reply, error) {
	if depth > maxReplyDepth {
		return Reply{}, errors.New("the reply is nested too deeply")
	}
	l, err := rr.line()
	if err != nil {
		return Reply{}, err
	}
	if l == "" {
		return Reply{}, errors.New("empty reply line")
	}
	body := l[1:]
	switch l[0] {
	case '+':
		return Reply{Kind: Simple, Str: body}, nil
	case '-':
		return Reply{Kind: Error, Str: body}, nil
	case ':':
		n, err := strconv.ParseInt(body, 10, 64)
		if err != nil {
			return Reply{}, fmt.Errorf("bad integer reply %q", body)
		}
		return Reply{Kind: Integer, Int: n}, nil
	case '_':
		return Reply{Kind: Null}, nil
	case ',':
		return Reply{Kind: Double, Str: body}, nil
	case '#':
		v := int64(0)
		if body == "t" {
			v = 1
		}
		return Reply{Kind: Bool, Int: v}, nil
	case '(':
		return Reply{Kind: BigNum, Str: body}, nil
	case '$', '=', '!':
		return rr.blob(l[0], body)
	case '*', '~', '%', '>', '|':
		return rr.aggregate(l[0], body, depth)
	}
	return Reply{}, fmt.Errorf("unexpected reply %q", l)
}

// blob reads the payload of a bulk string ($), verbatim string (=) or
// blob error (!) whose length line was body.
func (rr *ReplyReader) blob(typ byte, body string) (Reply, error) {
	n, err := strconv.Atoi(body)
	if err != nil {
		return Reply{}, fmt.Errorf("bad length %q", body)
	}
	if n < 0 {
		return Reply{Kind: Null}, nil
	}
	if n > MaxReply {
		return Reply{}, ErrReplyTooLarge
	}
	buf := make([]byte, n+2)
	if _, err := io.ReadFull(rr.r, buf); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return Reply{}, ErrReplyTooLarge
		}
		return Reply{}, fmt.Errorf("cannot read the reply: %w", err)
	}
	s := string(buf[:n])
	switch typ {
	case '=':
		if len(s) >= 4 && s[3] == ':' { // "txt:" or "mkd:"
			s = s[4:]
		}
		return Reply{Kind: Verbatim, Str: s}, nil
	case '!':
		return Reply{Kind: Error, Str: s}, nil
	}
	return Reply{Kind: Bulk, Str: s}, nil
}

// aggregate reads the elements of an array (*), set (~), map (%), push
// (>) or attribute (|) whose count line was body.
func (rr *ReplyReader) aggregate(typ byte, body string, depth int) (Reply, error) {
	n, err := strconv.Atoi(body)
	if err != nil {
		return Reply{}, fmt.Errorf("bad length %q", body)
	}
	if n < 0 {
		return Reply{Kind: Null}, nil
	}
	if n > MaxReply { // every element takes 3 bytes or more
		return Reply{}, ErrReplyTooLarge
	}
	var kind Kind
	switch typ {
	case '*':
		kind = Array
	case '~':
		kind = Set
	case '>':
		kind = Push
	default: // '%', '|'
		kind = Map
		n *= 2
	}
	elems := make([]Reply, 0, min(n, 1024))
	for i := 0; i < n; i++ {
		e, err := rr.read(depth + 1)
		if err != nil {
			return Reply{}, err
		}
		elems = append(elems, e)
	}
	if typ == '|' { // attributes precede the reply they describe
		return rr.read(depth)
	}
	return Reply{Kind: kind, Elems: elems}, nil
}
