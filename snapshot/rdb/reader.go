package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// FileReader reads an RDB file as a stream of items (Next), with memory
// bounded by the largest key and value in the file, not by the file. It
// checks the structure of every record as it reads (lengths, string
// encodings, opcodes, the checksum at the end), but not what a value's
// bytes hold: a key's value comes out as its encoding, to be decoded where
// it is stored (ReadListNodes, ReadHashFields, ReadSetSmall,
// ReadSetMembers, ReadZSetMembers, ReadString), and a listpack in it may
// still be corrupt.
//
// Every failure is a *FileError that names the offset and what was wrong;
// a file that ends early is one too (never io.EOF or io.ErrUnexpectedEOF,
// which a caller might take for a clean end). Next returns io.EOF only
// after the EOF opcode and a matching checksum.
type FileReader struct {
	r        io.Reader
	buf      []byte
	pos, end int
	off      int64  // file offset of buf[pos]
	crc      uint64 // of the bytes before buf[crcPos]
	crcPos   int
	rerr     error // the error r returned, once it did

	version int
	db      int
	expire  int64
	idle    int64 // OpcodeIdle for the next key, -1 none
	freq    int16 // OpcodeFreq for the next key, -1 none
	done    bool

	key strBuf // the current key
	val []byte // the current value's encoding
	aux [2]strBuf
}

// FileError reports a file FileReader cannot read.
type FileError struct {
	Offset int64 // where in the file the problem was found
	Msg    string
}

func (e *FileError) Error() string {
	return "bad RDB file at byte " + strconv.FormatInt(e.Offset, 10) + ": " + e.Msg
}

// ItemKind says what an Item holds.
type ItemKind uint8

const (
	// ItemKey is a key and its value.
	ItemKey ItemKind = iota + 1
	// ItemAux is an aux field (redis-ver, ctime, AuxMCFlags, ...).
	ItemAux
	// ItemResizeDB gives the sizes of the current database.
	ItemResizeDB
	// ItemFunction is a function library (OpcodeFunction2): its code.
	ItemFunction
)

// Item is one thing Next read. Its byte slices are valid until the next
// call to Next.
type Item struct {
	Kind ItemKind
	DB   int // the database selected when the item was read

	// ItemKey: the value's type byte, the key, the value's encoding (the
	// bytes after the key) and its absolute expiry in Unix ms (0: none);
	// its LRU idle time in seconds (OpcodeIdle) and LFU counter
	// (OpcodeFreq), -1 when the file has none.
	Type     byte
	Key      []byte
	Value    []byte
	ExpireMs int64
	Idle     int64
	Freq     int16

	// ItemFunction: the library's code.
	Code []byte

	// ItemAux: the field's name and value.
	Name, AuxValue []byte

	// ItemResizeDB: the hints.
	Keys, Expires uint64
}

// readChunk is how much FileReader asks of its reader at a time.
const readChunk = 64 << 10

// NewFileReader reads the header of the file r holds and returns a reader
// positioned after it. It refuses a file that is no RDB file or whose
// version is outside MinFileVersion..MaxFileVersion.
func NewFileReader(r io.Reader) (*FileReader, error) {
	fr := &FileReader{r: r, buf: make([]byte, readChunk), idle: -1, freq: -1}
	magic, err := fr.take(9)
	if err != nil {
		return nil, err
	}
	if string(magic[:5]) != "REDIS" {
		return nil, &FileError{0, "not an RDB file (no REDIS signature)"}
	}
	v, err := strconv.Atoi(string(magic[5:9]))
	if err != nil || v < 0 {
		return nil, &FileError{5, "bad RDB version " + strconv.Quote(string(magic[5:9]))}
	}
	if v < MinFileVersion || v > MaxFileVersion {
		return nil, &FileError{5, fmt.Sprintf("RDB version %d is not supported (versions %d to %d are: Redis 5.0 to 7.2, Valkey 7 and 8)", v, MinFileVersion, MaxFileVersion)}
	}
	fr.version = v
	return fr, nil
}

// Version returns the file's RDB version.
func (fr *FileReader) Version() int { return fr.version }

// Offset returns how many bytes of the file have been read.
func (fr *FileReader) Offset() int64 { return fr.off }

func (fr *FileReader) fail(format string, args ...any) error {
	return &FileError{fr.off, fmt.Sprintf(format, args...)}
}

// fill makes at least n bytes available at buf[pos:].
func (fr *FileReader) fill(n int) error {
	if fr.end-fr.pos >= n {
		return nil
	}
	if fr.pos > 0 {
		fr.sumTo()
		copy(fr.buf, fr.buf[fr.pos:fr.end])
		fr.end -= fr.pos
		fr.pos, fr.crcPos = 0, 0
	}
	if n > len(fr.buf) {
		nb := make([]byte, max(n, 2*len(fr.buf)))
		copy(nb, fr.buf[:fr.end])
		fr.buf = nb
	}
	for fr.end < n {
		if fr.rerr != nil {
			if errors.Is(fr.rerr, io.EOF) {
				return &FileError{fr.off + int64(fr.end), "the file ends early (truncated)"}
			}
			return &FileError{fr.off + int64(fr.end), "read: " + fr.rerr.Error()}
		}
		k, err := fr.r.Read(fr.buf[fr.end:])
		fr.end += k
		if err != nil {
			fr.rerr = err
		}
	}
	return nil
}

// take consumes n bytes (n at most a few KB: larger amounts go through
// copyN) and returns them, valid until the next read.
func (fr *FileReader) take(n int) ([]byte, error) {
	if err := fr.fill(n); err != nil {
		return nil, err
	}
	b := fr.buf[fr.pos : fr.pos+n]
	fr.consume(n)
	return b, nil
}

// consume moves past n bytes. The checksum catches up with the bytes
// consumed in bulk (sumTo), when the buffer is refilled and at the end,
// rather than a few bytes at a time.
func (fr *FileReader) consume(n int) {
	fr.pos += n
	fr.off += int64(n)
}

// sumTo extends the checksum over the bytes consumed since the last call.
func (fr *FileReader) sumTo() {
	fr.crc = CRC64(fr.crc, fr.buf[fr.crcPos:fr.pos])
	fr.crcPos = fr.pos
}

// copyN appends the next n bytes to dst.
func (fr *FileReader) copyN(dst []byte, n uint64) ([]byte, error) {
	for n > 0 {
		k := int(min(n, readChunk))
		if err := fr.fill(k); err != nil {
			return dst, err
		}
		dst = append(dst, fr.buf[fr.pos:fr.pos+k]...)
		fr.consume(k)
		n -= uint64(k)
	}
	return dst, nil
}

// copyLength appends a length (or a string encoding's first byte) to dst
// and returns it decoded, as ReadLength does.
func (fr *FileReader) copyLength(dst []byte) ([]byte, uint64, bool, error) {
	if err := fr.fill(1); err != nil {
		return dst, 0, false, err
	}
	size := 1
	switch c := fr.buf[fr.pos]; {
	case c>>6 == len14Bit:
		size = 2
	case c == len32Bit:
		size = 5
	case c == len64Bit:
		size = 9
	case c>>6 == len6Bit || c>>6 == lenEnc:
	default:
		return dst, 0, false, fr.fail("bad length byte 0x%02x", c)
	}
	b, err := fr.take(size)
	if err != nil {
		return dst, 0, false, err
	}
	n, enc, _, err := ReadLength(b)
	if err != nil {
		return dst, 0, false, fr.fail("bad length")
	}
	return append(dst, b...), n, enc, nil
}

// length reads a length that is no string encoding.
func (fr *FileReader) length() (uint64, error) {
	var tmp [9]byte
	_, n, enc, err := fr.copyLength(tmp[:0])
	if err == nil && enc {
		err = fr.fail("a string encoding where a length was expected")
	}
	return n, err
}

// copyString appends a string's encoding to dst.
func (fr *FileReader) copyString(dst []byte) ([]byte, error) {
	dst, n, enc, err := fr.copyLength(dst)
	if err != nil {
		return dst, err
	}
	if !enc {
		if n > MaxStringLen {
			return dst, fr.fail("a string of %d bytes is longer than the %d allowed", n, MaxStringLen)
		}
		return fr.copyN(dst, n)
	}
	switch n {
	case EncInt8:
		return fr.copyN(dst, 1)
	case EncInt16:
		return fr.copyN(dst, 2)
	case EncInt32:
		return fr.copyN(dst, 4)
	case EncLZF:
		var clen, ulen uint64
		if dst, clen, enc, err = fr.copyLength(dst); err != nil {
			return dst, err
		}
		if enc || clen > MaxStringLen {
			return dst, fr.fail("bad compressed string length")
		}
		if dst, ulen, enc, err = fr.copyLength(dst); err != nil {
			return dst, err
		}
		if enc || ulen > MaxStringLen || ulen > lzfMaxRatio*clen {
			return dst, fr.fail("bad uncompressed string length")
		}
		return fr.copyN(dst, clen)
	}
	return dst, fr.fail("unknown string encoding %d", n)
}

// readString reads a string: its encoding goes to s.enc's memory and, for
// an integer or LZF string, its text to s.dec's.
func (fr *FileReader) readString(s *strBuf) ([]byte, error) {
	start := fr.off
	enc, err := fr.copyString(s.enc[:0])
	s.enc = enc
	if err != nil {
		return nil, err
	}
	str, _, dec, err := ReadStringBuf(enc, MaxStringLen, s.dec)
	s.dec = dec
	if err != nil {
		return nil, &FileError{start, "a string does not decode (bad LZF data)"}
	}
	return str, nil
}

// strBuf is the memory a string read by readString is kept in.
type strBuf struct{ enc, dec []byte }

// Next reads the next item into it. At the end of the file it checks the
// checksum and returns io.EOF; any other error is a *FileError, and the
// reader is unusable after it.
func (fr *FileReader) Next(it *Item) error {
	if fr.done {
		return io.EOF
	}
	for {
		b, err := fr.take(1)
		if err != nil {
			return err
		}
		op := b[0]
		switch op {
		case OpcodeEOF:
			return fr.finish()
		case OpcodeSelectDB:
			n, err := fr.length()
			if err != nil {
				return err
			}
			if n > 1<<31 {
				return fr.fail("database number %d out of range", n)
			}
			fr.db = int(n)
		case OpcodeResizeDB:
			keys, err := fr.length()
			if err != nil {
				return err
			}
			expires, err := fr.length()
			if err != nil {
				return err
			}
			*it = Item{Kind: ItemResizeDB, DB: fr.db, Keys: keys, Expires: expires}
			return nil
		case OpcodeExpireTimeMs:
			b, err := fr.take(8)
			if err != nil {
				return err
			}
			fr.expire = int64(binary.LittleEndian.Uint64(b))
		case OpcodeExpireTime:
			b, err := fr.take(4)
			if err != nil {
				return err
			}
			fr.expire = int64(binary.LittleEndian.Uint32(b)) * 1000
		case OpcodeAux:
			name, err := fr.readString(&fr.aux[0])
			if err != nil {
				return err
			}
			value, err := fr.readString(&fr.aux[1])
			if err != nil {
				return err
			}
			*it = Item{Kind: ItemAux, DB: fr.db, Name: name, AuxValue: value}
			return nil
		case OpcodeFreq:
			b, err := fr.take(1)
			if err != nil {
				return err
			}
			fr.freq = int16(b[0])
		case OpcodeIdle:
			n, err := fr.length()
			if err != nil {
				return err
			}
			fr.idle = int64(min(n, 1<<62))
		case OpcodeSlotInfo:
			// A cluster node's per-slot sizes (slot, keys, expires): hints
			// only, which Anax has no use for.
			for range 3 {
				if _, err := fr.length(); err != nil {
					return err
				}
			}
		case OpcodeModuleAux:
			return fr.fail("the file holds module data (opcode MODULE_AUX), which Anax cannot load")
		case OpcodeFunction2:
			code, err := fr.readString(&fr.aux[0])
			if err != nil {
				return err
			}
			*it = Item{Kind: ItemFunction, DB: fr.db, Code: code}
			return nil
		case OpcodeFunctionPreGA:
			return fr.fail("the file holds function libraries in the format of Redis 7.0's release candidates (opcode FUNCTION), which Redis 7.0 and Anax refuse")
		default:
			return fr.readKey(op, it)
		}
	}
}

// readKey reads a key of type typ and its value.
func (fr *FileReader) readKey(typ byte, it *Item) error {
	start := fr.off - 1
	switch typ {
	case TypeModulePreGA, TypeModule2, 8:
		return &FileError{start, "the file holds a module value (type " + strconv.Itoa(int(typ)) + "), which Anax cannot load"}
	case TypeHashZipmap:
		return &FileError{start, "the file holds a zipmap hash (type 9, Redis < 2.6), which Anax cannot load"}
	case TypeHashMetadataPreGA, TypeHashListpackExPreGA:
		return &FileError{start, "the file holds a hash with field expiries in the format of Redis 7.4's release candidates (type " + strconv.Itoa(int(typ)) + "), which Anax cannot load"}
	}
	if !fileType(typ) {
		return &FileError{start, fmt.Sprintf("unknown opcode or value type 0x%02x", typ)}
	}
	key, err := fr.readString(&fr.key)
	if err != nil {
		return err
	}
	fr.val, err = fr.copyValue(typ, fr.val[:0])
	if err != nil {
		return err
	}
	*it = Item{Kind: ItemKey, DB: fr.db, Type: typ, Key: key, Value: fr.val, ExpireMs: fr.expire, Idle: fr.idle, Freq: fr.freq}
	fr.expire, fr.idle, fr.freq = 0, -1, -1
	return nil
}

// fileType reports whether an RDB file may hold values of type t here.
func fileType(t byte) bool {
	switch t {
	case TypeString, TypeList, TypeSet, TypeZSet, TypeHash, TypeZSet2,
		TypeListZiplist, TypeSetIntset, TypeZSetZiplist, TypeHashZiplist, TypeListQuicklist,
		TypeHashListpack, TypeZSetListpack, TypeListQuicklist2, TypeSetListpack,
		TypeHashMetadata, TypeHashListpackEx,
		TypeStreamListpacks, TypeStreamListpacks2, TypeStreamListpacks3:
		return true
	}
	return false
}

// copyValue appends the encoding of a value of type typ to dst, checking
// its structure: counts, lengths and string encodings.
func (fr *FileReader) copyValue(typ byte, dst []byte) ([]byte, error) {
	var err error
	var n uint64
	count := func() {
		if err == nil {
			dst, n, _, err = fr.copyLength(dst)
		}
	}
	str := func() {
		if err == nil {
			dst, err = fr.copyString(dst)
		}
	}
	switch typ {
	case TypeString, TypeListZiplist, TypeSetIntset, TypeZSetZiplist, TypeHashZiplist,
		TypeHashListpack, TypeZSetListpack, TypeSetListpack:
		str()
	case TypeList, TypeSet, TypeListQuicklist:
		for count(); err == nil && n > 0; n-- {
			str()
		}
	case TypeHash:
		for count(); err == nil && n > 0; n-- {
			str()
			str()
		}
	case TypeZSet:
		for count(); err == nil && n > 0; n-- {
			str()
			if err != nil {
				break
			}
			var b []byte
			if b, err = fr.take(1); err == nil && b[0] < 253 {
				dst = append(dst, b[0])
				dst, err = fr.copyN(dst, uint64(b[0]))
			} else if err == nil {
				dst = append(dst, b[0])
			}
		}
	case TypeZSet2:
		for count(); err == nil && n > 0; n-- {
			str()
			if err == nil {
				dst, err = fr.copyN(dst, 8)
			}
		}
	case TypeListQuicklist2:
		for count(); err == nil && n > 0; n-- {
			var container uint64
			if dst, container, _, err = fr.copyLength(dst); err == nil && container != QuicklistNodePlain && container != QuicklistNodePacked {
				err = fr.fail("bad quicklist node container %d", container)
			}
			str()
		}
	case TypeHashMetadata:
		if dst, err = fr.copyN(dst, 8); err != nil {
			return dst, err
		}
		for count(); err == nil && n > 0; n-- {
			if dst, _, _, err = fr.copyLength(dst); err != nil {
				break
			}
			str()
			str()
		}
	case TypeHashListpackEx:
		if dst, err = fr.copyN(dst, 8); err != nil {
			return dst, err
		}
		str()
	case TypeStreamListpacks, TypeStreamListpacks2, TypeStreamListpacks3:
		dst, err = fr.copyStream(typ, dst)
	default:
		return dst, fr.fail("unknown value type %d", typ)
	}
	return dst, err
}

// finish reads the checksum after OpcodeEOF and checks it.
func (fr *FileReader) finish() error {
	fr.sumTo()
	want := fr.crc
	b, err := fr.take(8)
	if err != nil {
		return err
	}
	got := binary.LittleEndian.Uint64(b)
	if got != 0 && got != want {
		return &FileError{fr.off - 8, fmt.Sprintf("wrong checksum (the file says %016x, its bytes give %016x)", got, want)}
	}
	fr.done = true
	return io.EOF
}

// copyStream copies a stream's encoding (see stream.go), checking its
// structure; ReadStream checks its content.
func (fr *FileReader) copyStream(typ byte, dst []byte) ([]byte, error) {
	var err error
	var n uint64
	length := func() uint64 {
		var v uint64
		if err == nil {
			dst, v, _, err = fr.copyLength(dst)
		}
		return v
	}
	str := func() {
		if err == nil {
			dst, err = fr.copyString(dst)
		}
	}
	raw := func(k uint64) {
		if err == nil {
			dst, err = fr.copyN(dst, k)
		}
	}
	for n = length(); err == nil && n > 0; n-- {
		str()
		str()
	}
	length() // length
	length() // last id
	length()
	if typ >= TypeStreamListpacks2 {
		for range 5 { // first id, max deleted id, entries added
			length()
		}
	}
	for groups := length(); err == nil && groups > 0; groups-- {
		str()
		length()
		length()
		if typ >= TypeStreamListpacks2 {
			length() // entries read
		}
		for pel := length(); err == nil && pel > 0; pel-- {
			raw(24)
			length()
		}
		for cons := length(); err == nil && cons > 0; cons-- {
			str()
			raw(8)
			if typ >= TypeStreamListpacks3 {
				raw(8)
			}
			for pel := length(); err == nil && pel > 0; pel-- {
				raw(16)
			}
		}
	}
	return dst, err
}
