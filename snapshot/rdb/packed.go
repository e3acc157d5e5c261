package rdb

import (
	"encoding/binary"
	"slices"

	"github.com/anaxdb/anax/container/listpack"
)

// Listpacks (Redis 7.0+ small collections and quicklist nodes) are read with
// container/listpack, whose Validate checks every byte of untrusted input
// (the header's total and count, each entry's encoding, length and backlen,
// the terminator); the layout is described in that package.

// appendListpack validates a whole listpack and appends its elements (integers
// as decimal text) to out.
func (d *decoder) appendListpack(out [][]byte, lp []byte) ([][]byte, error) {
	if listpack.Validate(lp) != nil {
		return nil, ErrBadFormat
	}
	out = slices.Grow(out, min(listpack.FromBytes(lp).Len(), len(lp)))
	for it := listpack.FromBytes(lp).Iter(); it.Next(); {
		v := it.Value()
		if v.IsInt {
			out = append(out, d.intBytes(v.Int))
		} else {
			out = append(out, v.Str)
		}
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
	zlHeaderSize   = 10
	zlEnd          = 0xFF
	zlBigPrevLen   = 0xFE
	zlCountUnknown = 65535
)

// appendZiplist validates a whole ziplist (sizes, prevlen chain, tail offset,
// count) and appends its elements to out.
func (d *decoder) appendZiplist(out [][]byte, zl []byte) ([][]byte, error) {
	err := walkZiplist(zl, func(s []byte, v int64, isInt bool) error {
		if isInt {
			out = append(out, d.intBytes(v))
		} else {
			out = append(out, s)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// walkZiplist validates a whole ziplist (sizes, prevlen chain, tail offset,
// count) and calls fn with each element in order: a string s (aliasing zl)
// or, when isInt, the integer v. It stops at fn's first error and returns it.
// The checks of the chain and header that need the whole walk come last, so
// fn may have seen elements of a ziplist that then fails.
func walkZiplist(zl []byte, fn func(s []byte, v int64, isInt bool) error) error {
	if len(zl) < zlHeaderSize+1 || uint64(binary.LittleEndian.Uint32(zl)) != uint64(len(zl)) {
		return ErrBadFormat
	}
	tail := int(binary.LittleEndian.Uint32(zl[4:]))
	want := int(binary.LittleEndian.Uint16(zl[8:]))
	end := len(zl) - 1
	if zl[end] != zlEnd {
		return ErrBadFormat
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
			return ErrBadFormat
		}
		if prev != prevSize || k >= len(e) {
			return ErrBadFormat
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
				return ErrBadFormat
			}
			hdr, dlen = 2, int(c&0x3f)<<8|int(e[k+1])
		case c>>6 == 2:
			if len(e) < k+5 {
				return ErrBadFormat
			}
			l := binary.BigEndian.Uint32(e[k+1:])
			if uint64(l) > uint64(len(e)) {
				return ErrBadFormat
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
			return ErrBadFormat
		}
		size := k + hdr + dlen
		if dlen > len(e) || size > len(e) {
			return ErrBadFormat
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
		}
		if err := fn(data, v, isInt); err != nil {
			return err
		}
		last = p
		prevSize = size
		p += size
	}
	if tail != last || want != zlCountUnknown && n != want {
		return ErrBadFormat
	}
	return nil
}
