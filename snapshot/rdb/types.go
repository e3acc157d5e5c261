package rdb

import "errors"

// RDB value type bytes: the first byte of a DUMP payload and the byte before
// each key in an RDB file. The names follow Redis's RDB_TYPE_* constants.
const (
	TypeString = 0 // RDB_TYPE_STRING: one RDB string.
	TypeList   = 1 // RDB_TYPE_LIST: count + strings (linked list; written before Redis 3.2).
	TypeSet    = 2 // RDB_TYPE_SET: count + member strings (hashtable set).
	TypeZSet   = 3 // RDB_TYPE_ZSET: count + (member, score as text); RDB < 8 (Redis < 4.0).
	TypeHash   = 4 // RDB_TYPE_HASH: count + (field, value) strings (hashtable hash).
	TypeZSet2  = 5 // RDB_TYPE_ZSET_2: count + (member, score as 8-byte LE binary64).

	TypeModulePreGA = 6 // RDB_TYPE_MODULE_PRE_GA: Redis 4.0 release candidates; never loadable.
	TypeModule2     = 7 // RDB_TYPE_MODULE_2: module value (64-bit module id + opcode stream).
	// 8 was RDB_TYPE_MODULE and is unused.

	TypeHashZipmap    = 9  // RDB_TYPE_HASH_ZIPMAP: string holding a zipmap (Redis < 2.6).
	TypeListZiplist   = 10 // RDB_TYPE_LIST_ZIPLIST: string holding a ziplist (Redis < 3.2).
	TypeSetIntset     = 11 // RDB_TYPE_SET_INTSET: string holding an intset.
	TypeZSetZiplist   = 12 // RDB_TYPE_ZSET_ZIPLIST: string holding a ziplist of (member, score) (Redis < 7.0).
	TypeHashZiplist   = 13 // RDB_TYPE_HASH_ZIPLIST: string holding a ziplist of (field, value) (Redis < 7.0).
	TypeListQuicklist = 14 // RDB_TYPE_LIST_QUICKLIST: count + ziplist strings (Redis 3.2 to 6.2).

	TypeStreamListpacks = 15 // RDB_TYPE_STREAM_LISTPACKS (Redis 5.0 to 6.2).

	TypeHashListpack     = 16 // RDB_TYPE_HASH_LISTPACK: string holding a listpack of (field, value) (Redis 7.0+).
	TypeZSetListpack     = 17 // RDB_TYPE_ZSET_LISTPACK: string holding a listpack of (member, score) (Redis 7.0+).
	TypeListQuicklist2   = 18 // RDB_TYPE_LIST_QUICKLIST_2: count + (container, string) nodes (Redis 7.0+).
	TypeStreamListpacks2 = 19 // RDB_TYPE_STREAM_LISTPACKS_2 (Redis 7.0).
	TypeSetListpack      = 20 // RDB_TYPE_SET_LISTPACK: string holding a listpack of members (Redis 7.2+, RDB 11).
	TypeStreamListpacks3 = 21 // RDB_TYPE_STREAM_LISTPACKS_3 (Redis 7.2+, RDB 11).

	// Types added by RDB 12 (Redis 7.4, hash fields with TTLs): read in
	// files and RESTORE payloads (version 12), and TypeHashMetadata written
	// by DUMP for a hash with field expiries. The release candidates' two
	// are refused.
	TypeHashMetadataPreGA   = 22 // RDB_TYPE_HASH_METADATA_PRE_GA (7.4 release candidates).
	TypeHashListpackExPreGA = 23 // RDB_TYPE_HASH_LISTPACK_EX_PRE_GA (7.4 release candidates).
	TypeHashMetadata        = 24 // RDB_TYPE_HASH_METADATA (Redis 7.4+, RDB 12).
	TypeHashListpackEx      = 25 // RDB_TYPE_HASH_LISTPACK_EX (Redis 7.4+, RDB 12).
)

// Quicklist node containers in TypeListQuicklist2 (QUICKLIST_NODE_CONTAINER_*).
const (
	QuicklistNodePlain  = 1 // the node's string is one list element
	QuicklistNodePacked = 2 // the node's string is a listpack of elements
)

// Opcodes of the RDB file format (RDB_OPCODE_*). They never appear in a DUMP
// payload; they are declared for the snapshot writer and loader.
const (
	OpcodeSlotInfo      = 0xF4 // a cluster slot's id and key counts: three lengths (Redis 7.4+)
	OpcodeFunction2     = 0xF5 // function library source (Redis 7.0+)
	OpcodeFunctionPreGA = 0xF6 // 7.0 release-candidate function format
	OpcodeModuleAux     = 0xF7 // module auxiliary data
	OpcodeIdle          = 0xF8 // LRU idle time of the next key
	OpcodeFreq          = 0xF9 // LFU frequency of the next key
	OpcodeAux           = 0xFA // aux field: two strings
	OpcodeResizeDB      = 0xFB // hash table size hints: two lengths
	OpcodeExpireTimeMs  = 0xFC // absolute expire time of the next key, ms, 8-byte LE
	OpcodeExpireTime    = 0xFD // absolute expire time of the next key, s, 4-byte LE (old)
	OpcodeSelectDB      = 0xFE // database number: a length
	OpcodeEOF           = 0xFF // end of file, followed by the 8-byte CRC64
)

// String encodings (RDB_ENC_*): the low 6 bits of a length byte whose top two
// bits are 11.
const (
	EncInt8  = 0 // 1-byte signed integer
	EncInt16 = 1 // 2-byte LE signed integer
	EncInt32 = 2 // 4-byte LE signed integer
	EncLZF   = 3 // LZF: compressed length, uncompressed length, data
)

// DumpRDBVersion is the RDB version written in the footer of DUMP payloads:
// 11, as Redis 7.2 writes it (Redis 7.0 writes 10, 6.2 writes 9, 7.4 and 8.x
// write 12).
//
// RESTORE accepts a payload whose version is not greater than its own RDB
// version, so a payload made here is refused by Redis 7.0 and older (with
// "ERR DUMP payload version or checksum are wrong"), and VerifyDump refuses
// payloads from Redis 7.4 and newer in the same way that Redis 7.2 does.
const DumpRDBVersion = 11

// DumpRDB74Version is the RDB version of Redis 7.4 and later (12): RESTORE
// accepts payloads up to it, and a hash with field expiries, which only
// its types can hold, is dumped with it (DumpHashMetadata).
const DumpRDB74Version = 12

// MaxStringLen bounds every string DecodeDump and DecodeDumpValue decode
// (Redis's default proto-max-bulk-len, 512 MiB). An LZF string is also
// bounded by 88 times its compressed size, the most LZF can expand.
const MaxStringLen = 512 << 20

// Errors. Every function of this package returns one of these values itself
// (never wrapped), so `err == ErrBadFormat` works.
//
// How a RESTORE implementation replies (the texts Redis 7.2 uses):
//
//	ErrBadChecksum     -> "ERR DUMP payload version or checksum are wrong"
//	ErrBadFormat       -> "ERR Bad data format"
//	ErrUnsupportedType -> "ERR Bad data format" (Redis has no separate reply; a
//	                      server that cannot hold the type may say more in its log)
var (
	// ErrBadChecksum: the payload is shorter than its 10-byte footer, its RDB
	// version is newer than DumpRDBVersion, or its CRC64 does not match.
	ErrBadChecksum = errors.New("DUMP payload version or checksum are wrong")
	// ErrBadFormat: the bytes are not a valid encoding (truncated, an unknown
	// encoding or type byte, a length beyond the limits, inconsistent
	// headers, an empty or duplicate-holding collection, a NaN score ...).
	ErrBadFormat = errors.New("Bad data format") //nolint:staticcheck // Redis's exact reply text
	// ErrUnsupportedType: a well-known RDB type that this package does not
	// decode (by DecodeDump: anything but TypeString; by DecodeDumpValue:
	// modules, streams and zipmaps).
	ErrUnsupportedType = errors.New("unsupported RDB value type")
)
