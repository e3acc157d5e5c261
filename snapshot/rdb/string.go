package rdb

import (
	"encoding/binary"
	"slices"
	"strconv"
)

// Length encoding: the top two bits of the first byte select the form.
//
//	00LLLLLL                       6-bit length
//	01LLLLLL LLLLLLLL              14-bit length, big-endian
//	10000000 <4 bytes BE>          32-bit length
//	10000001 <8 bytes BE>          64-bit length
//	11EEEEEE                       not a length: a string encoded as EncInt8,
//	                               EncInt16, EncInt32 or EncLZF (E = low 6 bits)
const (
	len6Bit  = 0
	len14Bit = 1
	len32Bit = 0x80
	len64Bit = 0x81
	lenEnc   = 3
)

// lengthSize is how many bytes AppendLength uses for n.
func lengthSize(n uint64) int {
	switch {
	case n < 1<<6:
		return 1
	case n < 1<<14:
		return 2
	case n <= 1<<32-1:
		return 5
	default:
		return 9
	}
}

// AppendLength appends n in the shortest RDB length encoding (as Redis
// writes it) and returns the extended slice.
func AppendLength(dst []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(dst, byte(n))
	case n < 1<<14:
		return append(dst, len14Bit<<6|byte(n>>8), byte(n))
	case n <= 1<<32-1:
		dst = append(dst, len32Bit)
		return binary.BigEndian.AppendUint32(dst, uint32(n))
	default:
		dst = append(dst, len64Bit)
		return binary.BigEndian.AppendUint64(dst, n)
	}
}

// ReadLength decodes the length at the start of b. If the first byte's top
// bits are 11 it is not a length but a string encoding: isEncoded is true and
// n is the encoding (EncInt8 ... EncLZF, or an unknown value up to 63 that
// ReadString rejects). Longer forms than necessary are accepted, as Redis
// accepts them. Errors: ErrBadFormat when b is empty or truncated, or for
// the unassigned first bytes 0x82..0xBF.
func ReadLength(b []byte) (n uint64, isEncoded bool, consumed int, err error) {
	if len(b) == 0 {
		return 0, false, 0, ErrBadFormat
	}
	c := b[0]
	switch c >> 6 {
	case len6Bit:
		return uint64(c & 0x3f), false, 1, nil
	case len14Bit:
		if len(b) < 2 {
			return 0, false, 0, ErrBadFormat
		}
		return uint64(c&0x3f)<<8 | uint64(b[1]), false, 2, nil
	case lenEnc:
		return uint64(c & 0x3f), true, 1, nil
	}
	switch c {
	case len32Bit:
		if len(b) < 5 {
			return 0, false, 0, ErrBadFormat
		}
		return uint64(binary.BigEndian.Uint32(b[1:])), false, 5, nil
	case len64Bit:
		if len(b) < 9 {
			return 0, false, 0, ErrBadFormat
		}
		return binary.BigEndian.Uint64(b[1:]), false, 9, nil
	}
	return 0, false, 0, ErrBadFormat
}

// canonicalInt reports whether s is the canonical decimal form of an int64
// (what Redis's string2ll followed by ll2string gives back unchanged: no
// sign but '-', no leading zeros, no "-0", no spaces) and returns the value.
func canonicalInt(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	digits := s
	if s[0] == '-' {
		digits = s[1:]
	}
	if len(digits) == 0 || digits[0] < '0' || digits[0] > '9' ||
		(digits[0] == '0' && (len(digits) > 1 || len(s) > 1)) {
		return 0, false
	}
	v, err := strconv.ParseInt(string(s), 10, 64)
	return v, err == nil
}

// AppendString appends s as RDB writes a string and returns the extended
// slice, choosing the encoding as Redis does:
//   - an integer encoding (EncInt8/16/32, the value little-endian) when s is
//     at most 11 bytes, the canonical decimal form of an integer (see
//     canonicalInt) and fits in 32 bits;
//   - else, if compress is set (Redis's rdbcompression, on by default) and
//     len(s) > 20, EncLZF when LZF output fits in len(s)-4 bytes;
//   - else a length and the raw bytes.
//
// With the same choices the output equals Redis's byte for byte.
func AppendString(dst []byte, s []byte, compress bool) []byte {
	if len(s) <= 11 {
		if v, ok := canonicalInt(s); ok {
			switch {
			case v >= -1<<7 && v < 1<<7:
				return append(dst, lenEnc<<6|EncInt8, byte(v))
			case v >= -1<<15 && v < 1<<15:
				dst = append(dst, lenEnc<<6|EncInt16)
				return binary.LittleEndian.AppendUint16(dst, uint16(v))
			case v >= -1<<31 && v < 1<<31:
				dst = append(dst, lenEnc<<6|EncInt32)
				return binary.LittleEndian.AppendUint32(dst, uint32(v))
			}
		}
	}
	if compress && len(s) > 20 {
		if out := appendLZFString(dst, s); out != nil {
			return out
		}
	}
	dst = AppendLength(dst, uint64(len(s)))
	return append(dst, s...)
}

// appendLZFString appends s as an EncLZF string, or returns nil if the
// compressed form does not fit in len(s)-4 bytes (Redis's bound).
func appendLZFString(dst []byte, s []byte) []byte {
	start := len(dst)
	// Compress after room for the largest header, then slide the data back
	// behind the actual header: the compressed length is not known before.
	hdrMax := 1 + 2*lengthSize(uint64(len(s)))
	dst = slices.Grow(dst, hdrMax+len(s)-4)
	out := lzfCompress(dst[:start+hdrMax], s, len(s)-4)
	if out == nil {
		return nil
	}
	clen := len(out) - start - hdrMax
	var hdr [1 + 9 + 9]byte
	h := append(hdr[:0], lenEnc<<6|EncLZF)
	h = AppendLength(h, uint64(clen))
	h = AppendLength(h, uint64(len(s)))
	copy(out[start+len(h):], out[start+hdrMax:])
	copy(out[start:], h)
	return out[:start+len(h)+clen]
}

// ReadString decodes the RDB string at the start of b and returns it and the
// number of bytes it took. A raw string is returned as a sub-slice of b
// (capacity clipped, so appending to it never writes into b); integer and
// LZF strings are freshly allocated. A string longer than maxLen is refused
// with ErrBadFormat before anything is allocated: maxLen bounds LZF output,
// whose length the payload claims. ErrBadFormat also reports truncation, an
// unknown encoding, and LZF data that does not decode to its stated length.
func ReadString(b []byte, maxLen int) (s []byte, consumed int, err error) {
	s, consumed, _, err = readStringBuf(b, maxLen, nil)
	if err != nil {
		return nil, 0, err
	}
	if s == nil {
		s = []byte{} // a decoded string is never nil
	}
	return slices.Clip(s), consumed, nil
}

// ReadStringBuf is ReadString that decodes an integer or LZF string into
// buf's memory (from buf[:0], growing it as needed) instead of allocating,
// and returns buf for the next call; a raw string aliases b, with its
// capacity clipped. A loader of many strings thus allocates nothing per
// string.
func ReadStringBuf(b []byte, maxLen int, buf []byte) (s []byte, consumed int, bufOut []byte, err error) {
	s, consumed, buf, err = readStringBuf(b, maxLen, buf)
	if err != nil {
		return nil, 0, buf, err
	}
	if s == nil {
		s = []byte{}
	}
	return slices.Clip(s), consumed, buf, nil
}

// readStringBuf is ReadString that writes an integer or LZF string into
// buf's memory (from buf[:0], growing it as needed) and returns buf for
// reuse; a raw string still aliases b. With buf nil every such string is
// freshly allocated.
func readStringBuf(b []byte, maxLen int, buf []byte) (s []byte, consumed int, bufOut []byte, err error) {
	n, enc, k, err := ReadLength(b)
	if err != nil {
		return nil, 0, buf, err
	}
	if !enc {
		if n > uint64(len(b)-k) || n > uint64(max(maxLen, 0)) {
			return nil, 0, buf, ErrBadFormat
		}
		end := k + int(n)
		return b[k:end:end], end, buf, nil
	}
	var v int64
	switch n {
	case EncInt8:
		if len(b) < k+1 {
			return nil, 0, buf, ErrBadFormat
		}
		v, k = int64(int8(b[k])), k+1
	case EncInt16:
		if len(b) < k+2 {
			return nil, 0, buf, ErrBadFormat
		}
		v, k = int64(int16(binary.LittleEndian.Uint16(b[k:]))), k+2
	case EncInt32:
		if len(b) < k+4 {
			return nil, 0, buf, ErrBadFormat
		}
		v, k = int64(int32(binary.LittleEndian.Uint32(b[k:]))), k+4
	case EncLZF:
		return readLZFString(b, k, maxLen, buf)
	default:
		return nil, 0, buf, ErrBadFormat
	}
	var text [20]byte
	t := strconv.AppendInt(text[:0], v, 10)
	if len(t) > maxLen {
		return nil, 0, buf, ErrBadFormat
	}
	buf = append(buf[:0], t...)
	return buf, k, buf, nil
}

// readLZFString decodes an EncLZF string whose compressed and uncompressed
// lengths start at b[k], into buf's memory.
func readLZFString(b []byte, k, maxLen int, buf []byte) ([]byte, int, []byte, error) {
	clen, enc, n, err := ReadLength(b[k:])
	if err != nil || enc {
		return nil, 0, buf, ErrBadFormat
	}
	k += n
	ulen, enc, n, err := ReadLength(b[k:])
	if err != nil || enc {
		return nil, 0, buf, ErrBadFormat
	}
	k += n
	if clen > uint64(len(b)-k) || ulen > uint64(max(maxLen, 0)) {
		return nil, 0, buf, ErrBadFormat
	}
	end := k + int(clen)
	s, err := LZFDecompress(buf[:0], b[k:end], int(ulen))
	if err != nil {
		return nil, 0, buf, err
	}
	return s, end, s, nil
}
