package memcache

import (
	"bytes"
	"errors"
	"math"
)

// Limits, as memcached 1.6 has them.
const (
	// MaxKeyLen is KEY_MAX_LENGTH: a longer key is "CLIENT_ERROR bad
	// command line format".
	MaxKeyLen = 250
	// DefaultMaxItemSize is memcached's default -I (1 MB), counted as
	// ItemSize counts.
	DefaultMaxItemSize = 1 << 20
	// DefaultMaxGetLine bounds a get/gets line that has no newline yet.
	// memcached lets a multiget grow without bound; Anax stops at 1 MB
	// (about 4,000 keys of 250 bytes) and closes the connection.
	DefaultMaxGetLine = 1 << 20
	// MaxOpaqueLen is the longest meta O(opaque) token, flag letter
	// included.
	MaxOpaqueLen = 32

	// lineLimit: memcached closes a connection that has buffered this
	// many bytes without a newline, unless the line is a get or gets.
	lineLimit = 2048
	// maxTokens is MAX_TOKENS: commands other than the get family see at
	// most maxTokens-1 words; more make them ERROR.
	maxTokens = 24
	// maxMetaTokens is MFLAG_MAX_OPT_LENGTH, counted like maxTokens.
	maxMetaTokens = 20
	// itemOverhead is what memcached adds to key and value when it sizes an
	// item on a 64-bit build: sizeof(item) (48), the key's NUL and the CAS.
	itemOverhead = 48 + 1 + 8
	// retainedWords: a token list grown larger than this by one huge
	// multiget is dropped after use.
	retainedWords = 4096
)

// Errors that end the connection without a reply. ErrIncomplete only asks
// for more bytes.
var (
	// ErrIncomplete: the buffer does not hold a complete request; keep the
	// bytes, read more and call Parse again (Need says how many are worth
	// waiting for).
	ErrIncomplete = errors.New("memcache: incomplete request")
	// ErrBinary: the connection opened with the binary protocol's magic
	// byte 0x80, which Anax does not serve.
	ErrBinary = errors.New("memcache: binary protocol is not supported")
	// ErrLineTooLong: a line over 2048 bytes (over MaxGetLine for a
	// get/gets/gat/gats), which memcached answers by closing.
	ErrLineTooLong = errors.New("memcache: request line too long")
	// ErrHTTP: an HTTP request line or header (see isHTTP), or an unknown
	// command whose last word starts with "HTTP/" (memcached's own rule);
	// the connection is closed without a reply and nothing after the line
	// is run.
	ErrHTTP = errors.New("memcache: HTTP request on the memcache port")
)

// Reply lines for parse errors, worded as memcached words them.
const (
	errUnknown        = "ERROR"
	errBadFormat      = "CLIENT_ERROR bad command line format"
	errBadChunk       = "CLIENT_ERROR bad data chunk"
	errTooLarge       = "SERVER_ERROR object too large for cache"
	errBadExptime     = "CLIENT_ERROR invalid exptime argument"
	errBadDelta       = "CLIENT_ERROR invalid numeric delta argument"
	errDeleteUsage    = "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]"
	errMetaTooLong    = "CLIENT_ERROR options flags too long"
	errMGetTooLong    = "CLIENT_ERROR options flags are too long"
	errMetaFlag       = "CLIENT_ERROR invalid or duplicate flag"
	errOpaqueTooLong  = "CLIENT_ERROR opaque token too long"
	errBadToken       = "CLIENT_ERROR bad token in command line format"
	errMSetMode       = "CLIENT_ERROR invalid mode for ms M token"
	errMArithMode     = "CLIENT_ERROR invalid mode for ma M token"
	errShutdownDenied = "ERROR: shutdown not enabled"
)

// ItemSize is the size memcached gives an item of this key length, flags
// and value length (item header, key and NUL, 4 bytes of flags unless they
// are 0, value and CRLF, CAS); an item whose size is over the item size
// limit is "SERVER_ERROR object too large for cache".
func ItemSize(keyLen int, flags uint32, valueLen int) int {
	n := itemOverhead + keyLen + valueLen + 2
	if flags != 0 {
		n += 4
	}
	return n
}

// Parser reads requests off one connection. The zero value is ready; set
// MaxItemSize and MaxGetLine to change the limits. It is not safe for
// concurrent use.
//
// Between calls it remembers a storage command still waiting for its data
// block (Need) and data it must skip after rejecting a command (memcached's
// "swallow"), so a large value arriving over many reads costs O(1) per read
// until it is complete, and a claimed length is never allocated.
type Parser struct {
	MaxItemSize int // 0: DefaultMaxItemSize
	MaxGetLine  int // 0: DefaultMaxGetLine

	// lineMax replaces lineLimit when positive. Only tests set it: the
	// fuzz target lowers it so that short inputs reach every branch.
	lineMax int

	sniffed bool // the first byte of the connection was checked
	scan    int  // bytes already searched for '\n' without success
	need    int  // bytes the pending storage command needs in all
	swallow int  // bytes still to discard
	words   [][]byte
	key     [MaxKeyLen]byte // base64-decoded keys
}

// Need returns how many buffered bytes the next Parse needs before it can
// make progress (a storage command waiting for its data block), or 0.
func (p *Parser) Need() int { return p.need }

// Parse parses one request from the start of buf into r and returns the
// number of bytes it used.
//
// On success n > 0 and r.Cmd says what to do: CmdNone (skipped bytes),
// CmdError (reply r.Err unless r.NoReply), or a command to run. The
// slices in r alias buf (see Request). ErrIncomplete means: read more and
// call again with the same bytes extended. Any other error means: close
// the connection without a reply.
func (p *Parser) Parse(buf []byte, r *Request) (n int, err error) {
	r.reset()
	if p.swallow > 0 {
		return p.swallowed(buf)
	}
	eol, err := p.readLine(buf, true)
	if err != nil {
		return 0, err
	}
	return p.command(buf, eol+1, r)
}

// swallowed discards up to p.swallow bytes of buf.
func (p *Parser) swallowed(buf []byte) (int, error) {
	if len(buf) == 0 {
		return 0, ErrIncomplete
	}
	n := min(len(buf), p.swallow)
	p.swallow -= n
	return n, nil
}

// readLine finds the line at the start of buf, applies the line limits
// (getLines: a multi-key retrieval may be longer) and tokenizes it into
// p.words. It returns the index of the line's '\n'.
func (p *Parser) readLine(buf []byte, getLines bool) (eol int, err error) {
	if len(buf) == 0 || len(buf) < p.need {
		return 0, ErrIncomplete
	}
	if !p.sniffed {
		p.sniffed = true
		if buf[0] == 0x80 {
			return 0, ErrBinary
		}
	}
	i := bytes.IndexByte(buf[p.scan:], '\n')
	if i < 0 {
		p.scan = len(buf)
		if p.tooLong(buf, len(buf), getLines) {
			return 0, ErrLineTooLong
		}
		return 0, ErrIncomplete
	}
	eol = p.scan + i
	p.scan = 0
	if p.tooLong(buf, eol, getLines) {
		return 0, ErrLineTooLong
	}
	line := buf[:eol]
	// memcached strips a CR before the LF unless the line is a lone "\r".
	if len(line) > 1 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	// It reads the line as a C string: a NUL ends it.
	if z := bytes.IndexByte(line, 0); z >= 0 {
		line = line[:z]
	}
	if cap(p.words) > retainedWords {
		p.words = nil
	}
	p.words = tokenize(line, p.words[:0])
	if isHTTP(p.words) {
		return 0, ErrHTTP
	}
	return eol, nil
}

func (p *Parser) maxGetLine() int {
	if p.MaxGetLine > 0 {
		return p.MaxGetLine
	}
	return DefaultMaxGetLine
}

func (p *Parser) maxItemSize() int {
	if p.MaxItemSize > 0 {
		return p.MaxItemSize
	}
	return DefaultMaxItemSize
}

// tooLong applies memcached's line limit to a line of n bytes (so far)
// at the start of buf: over 2048 bytes only a multi-key retrieval line is
// acceptable (if getLines), up to MaxGetLine. memcached applies it only to
// bytes still waiting for their newline, so its verdict depends on how the
// line was split into reads; here it depends on the line alone.
func (p *Parser) tooLong(buf []byte, n int, getLines bool) bool {
	limit := lineLimit
	if p.lineMax > 0 {
		limit = p.lineMax
	}
	return n > limit && (!getLines || !isGetLine(buf) || n > p.maxGetLine())
}

// isGetLine reports whether a line may be a long multi-key retrieval: at
// most 100 leading spaces, then "get ", "gets " (memcached's rule), "gat "
// or "gats ".
func isGetLine(b []byte) bool {
	i := 0
	for i < len(b) && b[i] == ' ' {
		i++
	}
	if i > 100 {
		return false
	}
	b = b[i:]
	for _, prefix := range []string{"get ", "gets ", "gat ", "gats "} {
		if len(b) >= len(prefix) && string(b[:len(prefix)]) == prefix {
			return true
		}
	}
	return false
}

// tokenize splits line on spaces (only spaces, as memcached does).
func tokenize(line []byte, dst [][]byte) [][]byte {
	i := 0
	for i < len(line) {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		if i == len(line) {
			break
		}
		j := i
		for j < len(line) && line[j] != ' ' {
			j++
		}
		dst = append(dst, line[i:j:j])
		i = j
	}
	return dst
}

func (r *Request) fail(msg string) {
	r.Cmd = CmdError
	r.Err = msg
}

// failAlways is memcached's out_errstring: the error is sent even with
// noreply.
func (r *Request) failAlways(msg string) {
	r.NoReply = false
	r.fail(msg)
}

func is(b []byte, s string) bool { return string(b) == s }

// command dispatches on the command word. n is the length of the line
// including its newline.
func (p *Parser) command(buf []byte, n int, r *Request) (int, error) {
	words := p.words
	// ntok is memcached's token count: at most maxTokens-1 words plus the
	// terminal token; last is tokens[ntokens-2], where noreply is looked for.
	visible := min(len(words), maxTokens-1)
	ntok := visible + 1
	if len(words) == 0 || len(words[0]) < 2 {
		r.fail(errUnknown)
		return n, nil
	}
	last := words[visible-1]
	name := words[0]

	if len(name) == 2 && name[0] == 'm' {
		switch name[1] {
		case 'g':
			return p.metaGet(words, ntok, n, r)
		case 's':
			return p.metaSet(buf, words, ntok, n, r)
		case 'd':
			return p.metaDelete(words, ntok, n, r)
		case 'a':
			return p.metaArithmetic(words, ntok, n, r)
		case 'n':
			r.Cmd = CmdMetaNoop
			return n, nil
		case 'e':
			return p.metaDebug(words, ntok, n, r)
		}
		r.fail(errUnknown)
		return n, nil
	}

	switch {
	case name[0] == 'g' || is(name, "bget"):
		if ntok < 3 {
			r.fail(errUnknown)
			return n, nil
		}
		switch {
		case is(name, "get"), is(name, "bget"):
			r.Cmd = CmdGet
		case is(name, "gets"):
			r.Cmd = CmdGets
		case is(name, "gat"):
			r.Cmd = CmdGat
		case is(name, "gats"):
			r.Cmd = CmdGats
		default:
			r.fail(errUnknown)
			return n, nil
		}
		keys := words[1:]
		if r.Cmd == CmdGat || r.Cmd == CmdGats {
			exp, ok := ParseInt32(words[1])
			if !ok {
				r.fail(errBadExptime)
				return n, nil
			}
			r.Exptime = exp
			keys = words[2:]
		}
		for _, k := range keys {
			if len(k) > MaxKeyLen {
				r.fail(errBadFormat)
				return n, nil
			}
		}
		r.Keys = keys
		return n, nil

	case is(name, "set"), is(name, "add"), is(name, "replace"), is(name, "append"), is(name, "prepend"):
		if ntok != 6 && ntok != 7 {
			r.fail(errUnknown)
			return n, nil
		}
		return p.storage(buf, words, last, n, storageCmd(name), r)
	case is(name, "cas"):
		if ntok != 7 && ntok != 8 {
			r.fail(errUnknown)
			return n, nil
		}
		return p.storage(buf, words, last, n, CmdCas, r)

	case is(name, "incr"), is(name, "decr"):
		if ntok != 4 && ntok != 5 {
			r.fail(errUnknown)
			return n, nil
		}
		r.Cmd = CmdIncr
		if is(name, "decr") {
			r.Cmd = CmdDecr
		}
		r.NoReply = is(last, "noreply")
		if len(words[1]) > MaxKeyLen {
			r.fail(errBadFormat)
			return n, nil
		}
		d, ok := ParseUint64(words[2])
		if !ok {
			r.fail(errBadDelta)
			return n, nil
		}
		r.Key, r.Delta = words[1], d
		return n, nil

	case is(name, "delete"):
		if ntok < 3 || ntok > 5 {
			r.fail(errUnknown)
			return n, nil
		}
		r.Cmd = CmdDelete
		if ntok > 3 {
			holdZero := is(words[2], "0")
			r.NoReply = is(last, "noreply")
			valid := (ntok == 4 && (holdZero || r.NoReply)) || (ntok == 5 && holdZero && r.NoReply)
			if !valid {
				r.fail(errDeleteUsage)
				return n, nil
			}
		}
		if len(words[1]) > MaxKeyLen {
			r.fail(errBadFormat)
			return n, nil
		}
		r.Key = words[1]
		return n, nil

	case is(name, "touch"):
		if ntok != 4 && ntok != 5 {
			r.fail(errUnknown)
			return n, nil
		}
		r.Cmd = CmdTouch
		r.NoReply = is(last, "noreply")
		if len(words[1]) > MaxKeyLen {
			r.fail(errBadFormat)
			return n, nil
		}
		exp, ok := ParseInt32(words[2])
		if !ok {
			r.fail(errBadExptime)
			return n, nil
		}
		r.Key, r.Exptime = words[1], exp
		return n, nil

	case is(name, "flush_all"):
		if ntok < 2 || ntok > 4 {
			r.fail(errUnknown)
			return n, nil
		}
		r.Cmd = CmdFlushAll
		r.NoReply = is(last, "noreply")
		want := 2
		if r.NoReply {
			want = 3
		}
		if ntok != want {
			exp, ok := ParseInt32(words[1])
			if !ok {
				r.fail(errBadExptime)
				return n, nil
			}
			r.Exptime, r.HasDelay = exp, true
		}
		return n, nil

	case is(name, "version"):
		r.Cmd = CmdVersion
		return n, nil
	case is(name, "quit"):
		r.Cmd = CmdQuit
		return n, nil
	case is(name, "shutdown"):
		r.fail(errShutdownDenied)
		return n, nil
	case is(name, "stats"):
		r.Cmd = CmdStats
		r.Args = words[1:visible]
		return n, nil
	case is(name, "verbosity"):
		if ntok != 3 && ntok != 4 {
			r.fail(errUnknown)
			return n, nil
		}
		r.Cmd = CmdVerbosity
		r.NoReply = is(last, "noreply")
		if _, ok := ParseUint32(words[1]); !ok {
			r.fail(errBadFormat)
		}
		return n, nil
	}
	if bytes.HasPrefix(last, []byte("HTTP/")) {
		return 0, ErrHTTP
	}
	r.fail(errUnknown)
	return n, nil
}

func storageCmd(name []byte) Command {
	switch string(name) {
	case "set":
		return CmdSet
	case "add":
		return CmdAdd
	case "replace":
		return CmdReplace
	case "append":
		return CmdAppend
	default:
		return CmdPrepend
	}
}

// storage parses set/add/replace/append/prepend/cas (process_update_command).
func (p *Parser) storage(buf []byte, words [][]byte, last []byte, n int, cmd Command, r *Request) (int, error) {
	r.Cmd = cmd
	r.NoReply = is(last, "noreply")
	key := words[1]
	if len(key) > MaxKeyLen {
		r.fail(errBadFormat)
		return n, nil
	}
	flags, ok1 := ParseUint32(words[2])
	exp, ok2 := ParseInt32(words[3])
	vlen, ok3 := ParseInt32(words[4])
	if !ok1 || !ok2 || !ok3 {
		r.fail(errBadFormat)
		return n, nil
	}
	if cmd == CmdCas {
		cas, ok := ParseUint64(words[5])
		if !ok {
			r.fail(errBadFormat)
			return n, nil
		}
		r.CAS = cas
	}
	if vlen < 0 || vlen > math.MaxInt32-2 {
		r.fail(errBadFormat)
		return n, nil
	}
	if ItemSize(len(key), flags, int(vlen)) > p.maxItemSize() {
		r.fail(errTooLarge)
		p.swallow = int(vlen) + 2
		return n, nil
	}
	r.Key, r.Flags, r.Exptime = key, flags, exp
	return p.data(buf, n, int(vlen), r)
}

// data takes the data block of a storage command whose line is n bytes.
func (p *Parser) data(buf []byte, n, vlen int, r *Request) (int, error) {
	total := n + vlen + 2
	if len(buf) < total {
		p.need = total
		return 0, ErrIncomplete
	}
	p.need = 0
	if buf[n+vlen] != '\r' || buf[n+vlen+1] != '\n' {
		if r.Cmd == CmdMetaSet {
			r.failAlways(errBadChunk)
		} else {
			r.fail(errBadChunk)
		}
		return total, nil
	}
	r.Value = buf[n : n+vlen : n+vlen]
	return total, nil
}

// metaFlags reads meta flag tokens as memcached's _meta_flag_preparse: a
// repeated or non-ASCII flag and an unknown flag stop at once; a bad token
// is remembered and parsing goes on. It returns "" or the error line.
func (p *Parser) metaFlags(toks [][]byte, r *Request) string {
	m := &r.Meta
	m.Tokens = toks
	errstr := errBadFormat
	failed := false
	for _, t := range toks {
		o := t[0]
		if o >= 127 || m.Has(o) {
			return "CLIENT_ERROR duplicate flag"
		}
		m.mark(o)
		arg := t[1:]
		var ok bool
		switch o {
		case 'b':
			k, good := decodeBase64(p.key[:0], r.Key)
			r.Key = k
			m.Base64 = true
			if !good {
				errstr, failed = "CLIENT_ERROR error decoding key", true
			}
		case 'N':
			if m.Vivify, ok = ParseInt32(arg); !ok {
				errstr, failed = errBadToken, true
			}
		case 'T':
			if m.TTL, ok = ParseInt32(arg); !ok {
				errstr, failed = errBadToken, true
			}
		case 'R':
			if m.Recache, ok = ParseInt32(arg); !ok {
				errstr, failed = errBadToken, true
			}
		case 'q':
			r.NoReply = true
		case 'l', 'O', 'P', 'L', 'k', 's', 't', 'c', 'f', 'v', 'h', 'u', 'I':
		case 'F':
			if m.ClientFlags, ok = ParseUint32(arg); !ok {
				failed = true
			}
		case 'C':
			if m.CompareCAS, ok = ParseUint64(arg); !ok {
				errstr, failed = errBadToken, true
			}
		case 'E':
			if m.NewCAS, ok = ParseUint64(arg); !ok {
				errstr, failed = errBadToken, true
			}
		case 'M':
			if len(t) != 2 {
				errstr, failed = "CLIENT_ERROR incorrect length for M token", true
			} else {
				m.Mode = t[1]
			}
		case 'J':
			if m.Initial, ok = ParseUint64(arg); !ok {
				errstr, failed = "CLIENT_ERROR invalid numeric initial value", true
			}
		case 'D':
			if m.Delta, ok = ParseUint64(arg); !ok {
				errstr, failed = "CLIENT_ERROR invalid numeric delta value", true
			}
		default:
			return "CLIENT_ERROR invalid flag"
		}
	}
	if failed {
		return errstr
	}
	return ""
}

// opaqueTooLong reports an O token over MaxOpaqueLen. memcached checks it
// while writing the reply, after the command ran; Anax checks it before.
func opaqueTooLong(toks [][]byte) bool {
	for _, t := range toks {
		if t[0] == 'O' && len(t) > MaxOpaqueLen {
			return true
		}
	}
	return false
}

func (p *Parser) metaGet(words [][]byte, ntok, n int, r *Request) (int, error) {
	if ntok < 3 {
		r.fail(errUnknown)
		return n, nil
	}
	r.Cmd = CmdMetaGet
	if len(words[1]) > MaxKeyLen {
		r.failAlways(errBadFormat)
		return n, nil
	}
	if ntok > maxMetaTokens {
		r.failAlways(errMGetTooLong)
		return n, nil
	}
	r.Key = words[1]
	if e := p.metaFlags(words[2:], r); e != "" {
		r.failAlways(e)
		return n, nil
	}
	if opaqueTooLong(r.Meta.Tokens) {
		r.failAlways(errOpaqueTooLong)
	}
	return n, nil
}

func (p *Parser) metaSet(buf []byte, words [][]byte, ntok, n int, r *Request) (int, error) {
	if ntok < 3 {
		r.fail(errUnknown)
		return n, nil
	}
	r.Cmd = CmdMetaSet
	if len(words[1]) > MaxKeyLen || ntok == 3 {
		r.failAlways(errBadFormat)
		return n, nil
	}
	if ntok > maxMetaTokens {
		r.failAlways(errMetaTooLong)
		return n, nil
	}
	vlen, ok := ParseInt32(words[2])
	if !ok || vlen < 0 || vlen > math.MaxInt32-2 {
		r.failAlways(errBadFormat)
		return n, nil
	}
	r.Key = words[1]
	// From here on an error swallows the data block, as memcached does.
	reject := func(msg string) (int, error) {
		r.failAlways(msg)
		p.swallow = int(vlen) + 2
		return n, nil
	}
	if e := p.metaFlags(words[3:], r); e != "" {
		return reject(e)
	}
	if opaqueTooLong(r.Meta.Tokens) {
		return reject(errOpaqueTooLong)
	}
	switch r.Meta.Mode {
	case 0, 'E', 'A', 'P', 'R', 'S':
	default:
		return reject(errMSetMode)
	}
	if ItemSize(len(r.Key), r.Meta.ClientFlags, int(vlen)) > p.maxItemSize() {
		return reject(errTooLarge)
	}
	r.Flags, r.Exptime = r.Meta.ClientFlags, r.Meta.TTL
	return p.data(buf, n, int(vlen), r)
}

func (p *Parser) metaDelete(words [][]byte, ntok, n int, r *Request) (int, error) {
	if ntok < 3 {
		r.fail(errUnknown)
		return n, nil
	}
	r.Cmd = CmdMetaDelete
	if len(words[1]) > MaxKeyLen {
		r.failAlways(errBadFormat)
		return n, nil
	}
	if ntok > maxMetaTokens {
		r.failAlways(errMetaTooLong)
		return n, nil
	}
	r.Key = words[1]
	if e := p.metaFlags(words[2:], r); e != "" {
		r.failAlways(errMetaFlag)
		return n, nil
	}
	if opaqueTooLong(r.Meta.Tokens) {
		r.failAlways(errOpaqueTooLong)
	}
	return n, nil
}

func (p *Parser) metaArithmetic(words [][]byte, ntok, n int, r *Request) (int, error) {
	if ntok < 3 {
		r.fail(errUnknown)
		return n, nil
	}
	r.Cmd = CmdMetaArithmetic
	if len(words[1]) > MaxKeyLen {
		r.failAlways(errBadFormat)
		return n, nil
	}
	if ntok > maxMetaTokens {
		r.failAlways(errMetaTooLong)
		return n, nil
	}
	r.Key = words[1]
	if e := p.metaFlags(words[2:], r); e != "" {
		r.failAlways(errMetaFlag)
		return n, nil
	}
	switch r.Meta.Mode {
	case 0, 'I', '+', 'D', '-':
	default:
		r.failAlways(errMArithMode)
		return n, nil
	}
	if opaqueTooLong(r.Meta.Tokens) {
		r.failAlways(errOpaqueTooLong)
	}
	return n, nil
}

func (p *Parser) metaDebug(words [][]byte, ntok, n int, r *Request) (int, error) {
	r.Cmd = CmdMetaDebug
	if ntok < 3 || len(words[1]) > MaxKeyLen {
		r.failAlways(errBadFormat)
		return n, nil
	}
	r.Key = words[1]
	if ntok >= 4 && is(words[2], "b") {
		k, ok := decodeBase64(p.key[:0], r.Key)
		if !ok {
			r.failAlways(errBadFormat)
			return n, nil
		}
		r.Key = k
		r.Meta.Base64 = true
	}
	return n, nil
}
