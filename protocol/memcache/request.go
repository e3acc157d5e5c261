package memcache

// Command names a parsed request.
type Command uint8

// Commands. CmdNone is a request with nothing to run (bytes swallowed after
// a rejected storage command); CmdError is a request the parser already
// answered: reply Request.Err unless Request.NoReply.
const (
	CmdNone Command = iota
	CmdError
	CmdGet
	CmdGets
	CmdGat
	CmdGats
	CmdSet
	CmdAdd
	CmdReplace
	CmdAppend
	CmdPrepend
	CmdCas
	CmdIncr
	CmdDecr
	CmdDelete
	CmdTouch
	CmdFlushAll
	CmdVersion
	CmdVerbosity
	CmdQuit
	CmdStats
	CmdMetaGet
	CmdMetaSet
	CmdMetaDelete
	CmdMetaArithmetic
	CmdMetaNoop
	CmdMetaDebug
	CmdAuth // credentials, from ParseAuth: Key is the user, Value the password
)

var commandNames = [...]string{
	CmdNone: "none", CmdError: "error", CmdGet: "get", CmdGets: "gets", CmdGat: "gat", CmdGats: "gats",
	CmdSet: "set", CmdAdd: "add", CmdReplace: "replace", CmdAppend: "append", CmdPrepend: "prepend",
	CmdCas: "cas", CmdIncr: "incr", CmdDecr: "decr", CmdDelete: "delete", CmdTouch: "touch",
	CmdFlushAll: "flush_all", CmdVersion: "version", CmdVerbosity: "verbosity", CmdQuit: "quit",
	CmdStats: "stats", CmdMetaGet: "mg", CmdMetaSet: "ms", CmdMetaDelete: "md",
	CmdMetaArithmetic: "ma", CmdMetaNoop: "mn", CmdMetaDebug: "me", CmdAuth: "auth",
}

func (c Command) String() string {
	if int(c) < len(commandNames) {
		return commandNames[c]
	}
	return "unknown"
}

// IsStorage reports whether c carries a data block (set add replace append
// prepend cas ms).
func (c Command) IsStorage() bool {
	return (c >= CmdSet && c <= CmdCas) || c == CmdMetaSet
}

// Request is one parsed command. Its byte slices alias the buffer given to
// Parse (or the parser's own key buffer for base64 keys): they are valid
// until the next Parse call or until the caller reuses those bytes. Clone
// makes a copy that owns its bytes.
type Request struct {
	Cmd     Command
	NoReply bool // "noreply", or 'q' on a meta command (see the meta reply rules)

	// Key is the key of single-key commands, decoded when the meta 'b' flag
	// was given. Keys holds every key of get/gets/gat/gats, in order.
	Key  []byte
	Keys [][]byte

	Value   []byte // storage commands: the data block, without its CRLF
	Flags   uint32 // storage commands: client flags (ms: the F flag)
	Exptime int32  // storage, touch, gat/gats, flush_all: exptime as sent (see ExpireAt)
	CAS     uint64 // cas: the compare value
	Delta   uint64 // incr/decr: the amount
	Args    [][]byte

	// HasDelay is set when flush_all was given a delay (in Exptime).
	HasDelay bool

	// Meta holds the flags of mg/ms/md/ma/me.
	Meta Meta

	// Err is the reply line of CmdError, without its CRLF.
	Err string
}

// Meta is a meta command's flags. Tokens keeps every flag token as sent,
// in order, since replies echo flags in request order.
type Meta struct {
	Tokens [][]byte
	seen   [2]uint64 // flag characters present, one bit per ASCII code

	Base64      bool   // b: the key was base64 and has been decoded
	TTL         int32  // T
	Vivify      int32  // N
	Recache     int32  // R
	ClientFlags uint32 // F
	CompareCAS  uint64 // C
	NewCAS      uint64 // E
	Initial     uint64 // J
	Delta       uint64 // D (1 when absent)
	Mode        byte   // M: the mode character, 0 when absent
}

// Has reports whether flag c was given.
func (m *Meta) Has(c byte) bool {
	if c >= 128 {
		return false
	}
	return m.seen[c>>6]&(1<<(c&63)) != 0
}

func (m *Meta) mark(c byte) { m.seen[c>>6] |= 1 << (c & 63) }

// reset clears r for the next Parse. Its slices only ever alias the
// parser's token list, so dropping them allocates nothing.
func (r *Request) reset() {
	*r = Request{}
	r.Meta.Delta = 1
}

// Clone returns a deep copy of r that owns its bytes, for running it after
// the input buffer has moved on (on another shard). It makes one byte
// allocation and at most three slice allocations.
func (r *Request) Clone() *Request {
	n := len(r.Key) + len(r.Value)
	for _, k := range r.Keys {
		n += len(k)
	}
	for _, a := range r.Args {
		n += len(a)
	}
	for _, t := range r.Meta.Tokens {
		n += len(t)
	}
	buf := make([]byte, 0, n)
	dup := func(b []byte) []byte {
		if b == nil {
			return nil
		}
		start := len(buf)
		buf = append(buf, b...)
		return buf[start:len(buf):len(buf)]
	}
	c := *r
	c.Key = dup(r.Key)
	c.Value = dup(r.Value)
	c.Keys, c.Args, c.Meta.Tokens = nil, nil, nil
	if len(r.Keys) > 0 {
		c.Keys = make([][]byte, len(r.Keys))
		for i, k := range r.Keys {
			c.Keys[i] = dup(k)
		}
	}
	if len(r.Args) > 0 {
		c.Args = make([][]byte, len(r.Args))
		for i, a := range r.Args {
			c.Args[i] = dup(a)
		}
	}
	if len(r.Meta.Tokens) > 0 {
		c.Meta.Tokens = make([][]byte, len(r.Meta.Tokens))
		for i, t := range r.Meta.Tokens {
			c.Meta.Tokens[i] = dup(t)
		}
	}
	return &c
}
