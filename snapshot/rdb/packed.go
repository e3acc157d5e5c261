package rdb

import "encoding/binary"

// Listpack (Redis 7.0+ small collections and quicklist nodes):
//
//	<total bytes uint32 LE> <count uint16 LE, 65535 = unknown> <entry>... 0xFF
//
// Each entry is an encoding byte (and data) followed by backlen, the size of
// encoding+data written as base-128 digits most significant first, every
// byte but the first with bit 7 set (1 to 5 bytes). Encodings:
//
//	0xxxxxxx                 7-bit unsigned integer
//	10LLLLLL <L bytes>       string, 6-bit length
//	110xxxxx yyyyyyyy        13-bit signed integer (x high bits)
//	1110LLLL LLLLLLLL <...>  string, 12-bit length
//	11110000 <4 LE> <...>    string, 32-bit length
//	11110001/0010/0011/0100  16/24/32/64-bit signed integer, LE
//
// 0xF5..0xFE are unassigned.
const (
	lpHeaderSize   = 6
	lpEOF          = 0xFF
	lpCountUnknown = 65535
)

// lpBacklenSize is how many bytes the backlen of an entry of size l takes
// (Redis's thresholds, which stop one short of each power of 128).
func lpBacklenSize(l int) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	default:
		return 5
	}
}

// lpBacklenOK reports whether bl (lpBacklenSize(l) bytes) encodes l.
func lpBacklenOK(bl []byte, l int) bool {
	// Digits most significant first; the first carries what is left.
	for i := len(bl) - 1; i >= 0; i-- {
		want := byte(l & 127)
		if i > 0 {
			want |= 128
		}
		if i == 0 && l > 127 {
			return false
		}
		if bl[i] != want {
			return false
		}
		l >>= 7
	}
	return l == 0
}

// appendListpack validates a whole listpack and appends its elements (integers
// as decimal text) to out.
func (d *decoder) appendListpack(out [][]byte, lp []byte) ([][]byte, error) {
	if len(lp) < lpHeaderSize+1 || uint64(binary.LittleEndian.Uint32(lp)) != uint64(len(lp)) {
		return nil, ErrBadFormat
	}
	want := int(binary.LittleEndian.Uint16(lp[4:]))
	end := len(lp) - 1 // index of the terminator
	if lp[end] != lpEOF {
		return nil, ErrBadFormat
	}
	n := 0
	for p := lpHeaderSize; p < end; n++ {
		e := lp[p:end]
		c := e[0]
		var (
			hdr, size int // encoding bytes; encoding + data bytes
			isInt     bool
			v         int64
		)
		need := func(k int) bool { return len(e) >= k }
		switch {
		case c&0x80 == 0:
			size, isInt, v = 1, true, int64(c)
		case c&0xC0 == 0x80:
			hdr = 1
			size = hdr + int(c&0x3f)
		case c&0xE0 == 0xC0:
			if !need(2) {
				return nil, ErrBadFormat
			}
			size, isInt = 2, true
			v = int64(c&0x1f)<<8 | int64(e[1])
			if v >= 1<<12 {
				v -= 1 << 13
			}
		case c&0xF0 == 0xE0:
			if !need(2) {
				return nil, ErrBadFormat
			}
			hdr = 2
			size = hdr + (int(c&0x0f)<<8 | int(e[1]))
		case c == 0xF0:
			if !need(5) {
				return nil, ErrBadFormat
			}
			l := binary.LittleEndian.Uint32(e[1:])
			if uint64(l) > uint64(len(e)) {
				return nil, ErrBadFormat
			}
			hdr = 5
			size = hdr + int(l)
		case c == 0xF1:
			if !need(3) {
				return nil, ErrBadFormat
			}
			size, isInt, v = 3, true, int64(int16(binary.LittleEndian.Uint16(e[1:])))
		case c == 0xF2:
			if !need(4) {
				return nil, ErrBadFormat
			}
			size, isInt = 4, true
			v = int64(int32(uint32(e[1])<<8|uint32(e[2])<<16|uint32(e[3])<<24) >> 8)
		case c == 0xF3:
			if !need(5) {
				return nil, ErrBadFormat
			}
			size, isInt, v = 5, true, int64(int32(binary.LittleEndian.Uint32(e[1:])))
		case c == 0xF4:
			if !need(9) {
				return nil, ErrBadFormat
			}
			size, isInt, v = 9, true, int64(binary.LittleEndian.Uint64(e[1:]))
		default:
			return nil, ErrBadFormat
		}
		bl := lpBacklenSize(size)
		if size > len(e) || bl > len(e)-size || !lpBacklenOK(e[size:size+bl], size) {
			return nil, ErrBadFormat
		}
		if isInt {
			out = append(out, d.intBytes(v))
		} else {
			out = append(out, e[hdr:size:size])
		}
		p += size + bl
	}
	if want != lpCountUnknown && n != want {
		return nil, ErrBadFormat
	}
	return out, nil
}

// Ziplist (Redis < 7.0 small collections and quicklist nodes):
//
//	<total bytes uint32 LE> <offset of last entry uint32 LE>
//	<count uint16 LE, 65535 = unknown> <entry>... 0xFF
//
// Each entry is prevlen (size of the previous entry: one byte if < 254,
// else 0xFE and 4 bytes LE), an encoding, and data:
//
//	00LLLLLL                  string, 6-bit length
//	01LLLLLL LLLLLLLL         string, 14-bit length, big-endian
//	10xxxxxx <4 bytes BE>     string, 32-bit length
//	11000000 / 11010000 / 11100000 / 11110000 / 11111110
//	                          int16 / int32 / int64 / int24 / int8, LE
//	1111xxxx (0001..1101)     immediate integer xxxx-1 (0..12)
const (
	zlHeaderSize = 10
	zlEnd        = 0xFF
	zlBigPrevLen = 0xFE
)

// appendZiplist validates a whole ziplist (sizes, prevlen chain, tail offset,
// count) and appends its elements to out.
func (d *decoder) appendZiplist(out [][]byte, zl []byte) ([][]byte, error) {
	if len(zl) < zlHeaderSize+1 || uint64(binary.LittleEndian.Uint32(zl)) != uint64(len(zl)) {
		return nil, ErrBadFormat
	}
	tail := int(binary.LittleEndian.Uint32(zl[4:]))
	want := int(binary.LittleEndian.Uint16(zl[8:]))
	end := len(zl) - 1
	if zl[end] != zlEnd {
		return nil, ErrBadFormat
	}
	n, prevSize, last := 0, 0, zlHeaderSize
	for p := zlHeaderSize; p < end; n++ {
		e := zl[p:end]
		// prevlen
		var prev, k int
		if e[0] < zlBigPrevLen {
			prev, k = int(e[0]), 1
		} else if e[0] == zlBigPrevLen && len(e) >= 5 {
			prev, k = int(binary.LittleEndian.Uint32(e[1:])), 5
		} else {
			return nil, ErrBadFormat
		}
		if prev != prevSize || k >= len(e) {
			return nil, ErrBadFormat
		}
		c := e[k]
		var (
			hdr, dlen int
			isInt     bool
			v         int64
		)
		switch {
		case c>>6 == 0:
			hdr, dlen = 1, int(c&0x3f)
		case c>>6 == 1:
			if len(e) < k+2 {
				return nil, ErrBadFormat
			}
			hdr, dlen = 2, int(c&0x3f)<<8|int(e[k+1])
		case c>>6 == 2:
			if len(e) < k+5 {
				return nil, ErrBadFormat
			}
			l := binary.BigEndian.Uint32(e[k+1:])
			if uint64(l) > uint64(len(e)) {
				return nil, ErrBadFormat
			}
			hdr, dlen = 5, int(l)
		case c == 0xC0:
			hdr, dlen, isInt = 1, 2, true
		case c == 0xD0:
			hdr, dlen, isInt = 1, 4, true
		case c == 0xE0:
			hdr, dlen, isInt = 1, 8, true
		case c == 0xF0:
			hdr, dlen, isInt = 1, 3, true
		case c == 0xFE:
			hdr, dlen, isInt = 1, 1, true
		case c >= 0xF1 && c <= 0xFD:
			hdr, isInt, v = 1, true, int64(c&0x0f)-1
		default:
			return nil, ErrBadFormat
		}
		size := k + hdr + dlen
		if dlen > len(e) || size > len(e) {
			return nil, ErrBadFormat
		}
		data := e[k+hdr : size : size]
		if isInt {
			switch len(data) {
			case 1:
				v = int64(int8(data[0]))
			case 2:
				v = int64(int16(binary.LittleEndian.Uint16(data)))
			case 3:
				v = int64(int32(uint32(data[0])<<8|uint32(data[1])<<16|uint32(data[2])<<24) >> 8)
			case 4:
				v = int64(int32(binary.LittleEndian.Uint32(data)))
			case 8:
				v = int64(binary.LittleEndian.Uint64(data))
			}
			out = append(out, d.intBytes(v))
		} else {
			out = append(out, data)
		}
		last = p
		prevSize = size
		p += size
	}
	if tail != last || want != lpCountUnknown && n != want {
		return nil, ErrBadFormat
	}
	return out, nil
}
