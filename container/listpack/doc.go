// Package listpack reads and edits Redis's listpack, the byte format Redis 7
// keeps small lists, hashes, sets and sorted sets in, so that a small value in
// Anax holds the very bytes DUMP writes and RESTORE reads.
//
// # Format
//
//	<total bytes u32 LE> <count u16 LE> <entry> ... <0xFF>
//
// The count saturates at 65535, which means "unknown: walk to count". Each
// entry is an encoding (with an integer or a string length, then the string's
// bytes) followed by its backlen: the size of encoding and data in base-128
// digits, most significant first, every byte but the first with bit 7 set, so
// that the previous entry can be found from the start of the next one:
//
//	0xxxxxxx                   integer 0..127
//	10LLLLLL <L bytes>         string of up to 63 bytes
//	110xxxxx xxxxxxxx          13-bit signed integer
//	1110LLLL LLLLLLLL <...>    string of up to 4095 bytes
//	0xF0 <u32 LE> <...>        string of any length
//	0xF1/0xF2/0xF3/0xF4 <LE>   16/24/32/64-bit signed integer
//
// A string that reads as an int64 the way Redis's string2ll reads it
// (optional '-', no leading zero, no '+' or space, "-0" is not an integer) is
// stored as the smallest integer encoding that holds it; anything else is
// stored as a string with the smallest length encoding. These are Redis's
// choices, so a listpack built here is byte for byte the one Redis builds
// from the same operations.
//
// # Model
//
// A Listpack is one []byte: no Go pointer per element, so it can live inside
// an arena cell. Positions are byte offsets of entries; an edit returns the
// position to carry on from, and invalidates every other position and every
// Value read before it. A Value's Str aliases the listpack's bytes and is
// valid until the next edit. An edit may be given an element read from the
// same listpack (LSET of one element's value, RPOPLPUSH on one list): it is
// copied first, the one case in which an edit allocates.
//
// Editing methods assume well-formed bytes: New, or bytes that passed
// Validate. Validate is the only function meant for untrusted input and never
// panics.
package listpack
