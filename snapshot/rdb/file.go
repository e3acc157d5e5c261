package rdb

import (
	"encoding/binary"
	"io"
	"strconv"
)

// RDB files: the snapshot format of redis-server, written and read as a
// stream.
//
//	"REDIS" <version, 4 ASCII digits>
//	{ OpcodeAux <name string> <value string> }           redis-ver, ctime, ...
//	{ OpcodeFunction2 <library code string> }            function libraries
//	{ OpcodeSelectDB <db length>
//	  [ OpcodeResizeDB <keys length> <expires length> ]
//	  { [ OpcodeExpireTimeMs <8 bytes LE> ]
//	    [ OpcodeIdle <seconds length> | OpcodeFreq <1 byte> ]   by maxmemory-policy
//	    <type byte> <key string> <value> } }
//	OpcodeEOF <CRC64 of everything before it, 8 bytes LE; 0 with rdbchecksum no>
//
// FileWriter writes version FileVersion (Redis 7.0's); FileReader reads
// versions MinFileVersion to MaxFileVersion (Redis 6.2 to 7.2, Valkey 7
// and 8), and also Redis 7.4's hash types with field expiries
// (TypeHashMetadata, TypeHashListpackEx) should such a file hold them. Records are built by the Append* functions (AppendRecordHeader,
// then a value encoder: AppendString, AppendListNodes, AppendHashListpack,
// ...) into the caller's buffers, so a shard can serialise its entries on
// its own goroutine and hand the bytes to the one goroutine that writes
// the file.

// FileVersion is the RDB version FileWriter writes: 10, Redis 7.0's, which
// every type Anax writes belongs to, so that Redis 7.0 and later load the
// file. What RDB 10 cannot say (Memcached flags, hash field expiries)
// rides in aux fields that redis-server skips (AuxMCFlags,
// AuxHashFieldTTLs).
const FileVersion = 10

// The RDB versions FileReader accepts: 9 (Redis 5.0 to 6.2), 10 (7.0), 11
// (7.2, Valkey 7.2 and 8.0), 12 (7.4: hashes with field expiries, and the
// slot-info opcode of a cluster node's file, skipped).
const (
	MinFileVersion = 9
	MaxFileVersion = 12
)

// AuxMCFlags is the name of the aux field written just before a key that
// is a Memcached item with non-zero client flags: its value is the flags
// as decimal text. redis-server skips aux fields it does not know, so the
// file still loads there (the item becomes a plain string).
const AuxMCFlags = "anax-mcflags"

// AuxHashFieldTTLs is the name of the aux field written just before a hash
// some of whose fields expire (Redis 7.4's HEXPIRE): its value is a
// listpack of field, expiry (absolute Unix ms) pairs. The hash itself is
// an ordinary TypeHash, so redis-server 7.0 and 7.2 load the file (with
// no field expiries, which they do not have).
const AuxHashFieldTTLs = "anax-hfttl"

// AuxMemberTTLs is the name of the aux field written just before a set or
// sorted set some of whose members expire (KeyDB's EXPIREMEMBER), in the
// form of AuxHashFieldTTLs: a listpack of member, expiry pairs. The value
// itself is an ordinary TypeSet or TypeZSet2.
const AuxMemberTTLs = "anax-mttl"

// fileBufSize is how many bytes FileWriter gathers before writing.
const fileBufSize = 64 << 10

// FileWriter streams an RDB file to w. Its methods record the first write
// error and do nothing after it; Close reports it. Not safe for concurrent
// use.
type FileWriter struct {
	w        io.Writer
	buf      []byte
	crc      uint64
	checksum bool
	compress bool
	err      error
	written  int64
	db       int
}

// NewFileWriter starts a file on w. checksum is rdbchecksum (when off the
// EOF marker is followed by a CRC of 0, which readers take as "not
// computed"); compress is rdbcompression, used by the aux fields it writes
// (records carry their own choice).
func NewFileWriter(w io.Writer, checksum, compress bool) *FileWriter {
	return &FileWriter{w: w, buf: make([]byte, 0, fileBufSize), checksum: checksum, compress: compress, db: -1}
}

// Header writes the magic string and version.
func (fw *FileWriter) Header() {
	fw.buf = append(fw.buf, "REDIS"...)
	fw.buf = append(fw.buf, fileVersionText(FileVersion)...)
}

func fileVersionText(v int) string {
	s := strconv.Itoa(v)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

// Aux writes an aux field whose value is a string.
func (fw *FileWriter) Aux(name, value string) {
	fw.buf = AppendAux(fw.buf, []byte(name), []byte(value), fw.compress)
	fw.maybeFlush()
}

// AuxInt writes an aux field whose value is an integer (Redis writes it as
// decimal text, which the string encoding then stores as an integer).
func (fw *FileWriter) AuxInt(name string, v int64) {
	var b [20]byte
	fw.buf = AppendAux(fw.buf, []byte(name), strconv.AppendInt(b[:0], v, 10), fw.compress)
	fw.maybeFlush()
}

// Function writes a function library: OpcodeFunction2 and its code, as
// Redis 7.0 writes each library after the aux fields, before the
// databases.
func (fw *FileWriter) Function(code []byte) {
	fw.buf = append(fw.buf, OpcodeFunction2)
	fw.buf = AppendString(fw.buf, code, fw.compress)
	fw.maybeFlush()
}

// SelectDB writes OpcodeSelectDB for db unless db is the current database,
// and reports whether it wrote one (after which a ResizeDB may follow).
func (fw *FileWriter) SelectDB(db int) bool {
	if db == fw.db {
		return false
	}
	fw.db = db
	fw.buf = append(fw.buf, OpcodeSelectDB)
	fw.buf = AppendLength(fw.buf, uint64(db))
	return true
}

// ResizeDB writes the sizing hints of the current database: its number of
// keys and of keys with a TTL.
func (fw *FileWriter) ResizeDB(keys, expires uint64) {
	fw.buf = append(fw.buf, OpcodeResizeDB)
	fw.buf = AppendLength(fw.buf, keys)
	fw.buf = AppendLength(fw.buf, expires)
}

// Write copies p, whole records built by the Append* functions, into the
// file. It implements io.Writer; a write error is returned here and by
// every later call.
func (fw *FileWriter) Write(p []byte) (int, error) {
	if fw.err != nil {
		return 0, fw.err
	}
	if len(fw.buf)+len(p) <= cap(fw.buf) {
		fw.buf = append(fw.buf, p...)
		return len(p), nil
	}
	fw.flush()
	if len(p) >= cap(fw.buf) {
		fw.emit(p)
	} else {
		fw.buf = append(fw.buf, p...)
	}
	if fw.err != nil {
		return 0, fw.err
	}
	return len(p), nil
}

// Close writes OpcodeEOF and the checksum and flushes. It does not close
// the underlying writer.
func (fw *FileWriter) Close() error {
	fw.buf = append(fw.buf, OpcodeEOF)
	fw.flush()
	var crc uint64
	if fw.checksum {
		crc = fw.crc
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], crc)
	fw.emit(b[:])
	return fw.err
}

// Err returns the first write error.
func (fw *FileWriter) Err() error { return fw.err }

// Written returns the bytes handed to the underlying writer so far.
func (fw *FileWriter) Written() int64 { return fw.written }

func (fw *FileWriter) maybeFlush() {
	if len(fw.buf) >= fileBufSize {
		fw.flush()
	}
}

func (fw *FileWriter) flush() {
	if len(fw.buf) > 0 {
		fw.emit(fw.buf)
		fw.buf = fw.buf[:0]
	}
}

// emit writes p through, extending the checksum.
func (fw *FileWriter) emit(p []byte) {
	if fw.err != nil {
		return
	}
	if fw.checksum {
		fw.crc = CRC64(fw.crc, p)
	}
	n, err := fw.w.Write(p)
	fw.written += int64(n)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	fw.err = err
}

// AppendAux appends an aux field record (OpcodeAux, name, value).
func AppendAux(dst, name, value []byte, compress bool) []byte {
	dst = append(dst, OpcodeAux)
	dst = AppendString(dst, name, compress)
	return AppendString(dst, value, compress)
}

// AppendExpireMs appends OpcodeExpireTimeMs and ms, the absolute Unix time
// in milliseconds at which the next key expires.
func AppendExpireMs(dst []byte, ms int64) []byte {
	dst = append(dst, OpcodeExpireTimeMs)
	return binary.LittleEndian.AppendUint64(dst, uint64(ms))
}

// AppendIdle appends OpcodeIdle and sec, the next key's LRU idle time in
// seconds (written under an LRU maxmemory-policy, as Redis does).
func AppendIdle(dst []byte, sec uint64) []byte {
	dst = append(dst, OpcodeIdle)
	return AppendLength(dst, sec)
}

// AppendFreq appends OpcodeFreq and the next key's LFU counter (written
// under an LFU maxmemory-policy).
func AppendFreq(dst []byte, counter byte) []byte {
	return append(dst, OpcodeFreq, counter)
}

// AppendRecordHeader appends what starts a key's record: its value type
// and the key. The value's encoding follows (AppendString for TypeString,
// AppendListNodes for TypeListQuicklist2, ...).
func AppendRecordHeader(dst []byte, typ byte, key []byte, compress bool) []byte {
	dst = append(dst, typ)
	return AppendString(dst, key, compress)
}
