// Package rdb is the codec for Redis's RDB value encodings: the bytes of
// DUMP and RESTORE payloads, and the value part of RDB snapshot files. It is
// a leaf package (the standard library, and container/listpack for Redis's
// listpacks) with no I/O and no state beyond a pool of compression tables, so
// every function is safe for concurrent use.
//
// # DUMP payloads
//
//	<type byte> <value encoding> <RDB version, 2 bytes LE> <CRC64, 8 bytes LE>
//
// The CRC64 (CRC64: Jones polynomial, reflected, initial value 0, no final
// xor) covers everything before it, version included. RESTORE refuses a
// payload whose version is newer than the server's own RDB version or whose
// CRC differs (VerifyDump), then decodes the value (DecodeDump,
// DecodeDumpValue). This package writes and accepts DumpRDBVersion, 11, the
// version of Redis 7.2 (7.0 writes 10 and refuses 11; 7.4 and 8.x write 12,
// which VerifyDump refuses just as Redis 7.2 does). A CRC of zero is an
// ordinary CRC here: Redis skips checksums only in RDB files saved with
// rdbchecksum off, never for DUMP payloads.
//
// # Lengths and strings
//
// A length is 1, 2, 5 or 9 bytes (6-bit, 14-bit big-endian, 0x80 + 32-bit
// big-endian, 0x81 + 64-bit big-endian); a first byte 11xxxxxx instead says
// that a string is encoded (AppendLength, ReadLength). A string is a length
// and raw bytes, or one of:
//
//	0xC0 <int8>, 0xC1 <int16 LE>, 0xC2 <int32 LE>
//	    the canonical decimal text of an integer that fits (at most 11 bytes,
//	    no '+', leading zeros, "-0" or spaces: "007" stays a raw string)
//	0xC3 <compressed length> <uncompressed length> <LZF data>
//	    when compression is on (Redis's default) and the string is longer
//	    than 20 bytes and compresses into at most its length minus 4
//
// AppendString makes the same choices as Redis, and its LZF compressor is
// liblzf's algorithm with Redis's settings (hash, 64 Ki-slot table, match
// limits), so DumpString's payload equals Redis's DUMP byte for byte apart
// from the version and CRC when the versions differ. testdata/gen checks
// that against a live redis-server (30000 random strings of varied
// compressibility, all equal) and regenerates the vectors in testdata.
//
// # Collections (DecodeDumpValue)
//
//   - TypeList, TypeSet, TypeHash: a count, then strings (hashes: field,
//     value pairs). TypeZSet2: a count, then member strings each followed by
//     an 8-byte LE binary64 score; TypeZSet has scores as length-prefixed
//     text (253 NaN, 254 +inf, 255 -inf).
//   - TypeSetIntset: a string holding an intset (element width 2, 4 or 8,
//     a count, elements LE, strictly ascending).
//   - TypeHashListpack, TypeZSetListpack, TypeSetListpack: a string holding
//     a listpack of the elements (hash and sorted-set pairs flattened);
//     TypeHashZiplist, TypeZSetZiplist, TypeListZiplist: the same with a
//     ziplist (Redis < 7.0). Listpacks are validated and read by
//     container/listpack; the ziplist layout is described in packed.go.
//   - TypeListQuicklist2: a count of nodes, each a container (1 plain: the
//     string is one element; 2 packed: the string is a listpack) and a
//     string; TypeListQuicklist: a count of ziplist strings. Node strings
//     are often LZF-compressed.
//
// Streams, modules and zipmaps are not decoded (ErrUnsupportedType).
//
// # Lists and hashes without a slice per element
//
// ListNodes yields a list's nodes as validated listpacks, ready to be copied
// into a quicklist: TypeListQuicklist2's packed nodes as they are, anything
// else converted as Redis 7 converts it on loading (plain and ziplist lists
// split at 8 KiB by Redis's rule, each ziplist node of TypeListQuicklist to
// one listpack, each plain node to a listpack of its one element).
// HashListpack returns a small hash's one listpack (converted from a
// ziplist), HashPairs a hash's pairs one at a time. The Read* forms take the
// value encoding after the type byte, for an RDB file loader; ReadHashFields
// also reads Redis 7.4's hashes with field TTLs (TypeHashMetadata,
// TypeHashListpackEx), which a DUMP payload never holds here (VerifyDump
// refuses version 12).
//
// DumpListNodes (TypeListQuicklist2), DumpHashListpack and DumpHash write
// RDB version 10 in the footer, Redis 7.0's, which has all three types: Redis
// 7.0 and 7.2 RESTORE them, and for the nodes or listpack Redis holds the
// payload is Redis 7.0's DUMP byte for byte (checked against redis-server
// 7.0.15 by the tests and fixtures). DumpString still writes
// DumpRDBVersion.
//
// # Safety rules
//
// Payloads come from clients, so decoding treats every byte as hostile:
//
//   - No input makes a function panic (FuzzDecodeDump, FuzzLZF).
//   - Every length is checked against the bytes that remain before it is
//     used; nothing is read past the value, nor from the footer.
//   - Nothing is allocated by a claimed size alone. A string is bounded by
//     MaxStringLen (ReadString's maxLen), and LZF output also by 88 times its
//     compressed size, the most LZF can expand, before anything is
//     allocated; counts of elements and nodes are capped by the bytes left.
//     Memory is thus a constant factor of the payload's decoded size.
//   - Decoding validates all of a listpack, ziplist or intset (sizes,
//     terminators, back-lengths, prevlen chains, counts, order) and refuses
//     what RESTORE refuses (empty collections, duplicate set members, hash
//     fields and sorted-set members, NaN scores). Redis checks duplicates in
//     listpacks only with sanitize-dump-payload yes, so this is stricter
//     than its default; it is as strict as Redis with sanitizing on.
//   - Decoded byte slices may alias the payload (their capacity is clipped,
//     so appending never writes into it). Copy them before the payload's
//     buffer is reused.
//   - Bytes between the value and the footer are ignored, as RESTORE
//     ignores them.
//
// # Errors
//
// Functions return the sentinel values themselves, never wrapped. RESTORE
// replies "ERR DUMP payload version or checksum are wrong" for
// ErrBadChecksum and "ERR Bad data format" for ErrBadFormat and
// ErrUnsupportedType.
package rdb
