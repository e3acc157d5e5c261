package memcache

import (
	"encoding/base64"
	"strconv"
)

// Reply writers append to a buffer the caller owns and return it; none
// allocates beyond growing dst.

// AppendLine appends s and CRLF ("STORED", "END", "CLIENT_ERROR ...").
func AppendLine(dst []byte, s string) []byte {
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendUintLine appends v and CRLF (the reply to incr and decr).
func AppendUintLine(dst []byte, v uint64) []byte {
	dst = strconv.AppendUint(dst, v, 10)
	return append(dst, '\r', '\n')
}

// AppendValue appends one item of a get/gets reply:
// "VALUE <key> <flags> <bytes>[ <cas>]\r\n<data>\r\n".
func AppendValue(dst, key []byte, flags uint32, data []byte, cas uint64, withCAS bool) []byte {
	dst = append(dst, "VALUE "...)
	dst = append(dst, key...)
	dst = append(dst, ' ')
	dst = strconv.AppendUint(dst, uint64(flags), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendUint(dst, uint64(len(data)), 10)
	if withCAS {
		dst = append(dst, ' ')
		dst = strconv.AppendUint(dst, cas, 10)
	}
	dst = append(dst, '\r', '\n')
	dst = append(dst, data...)
	return append(dst, '\r', '\n')
}

// AppendEnd appends "END\r\n".
func AppendEnd(dst []byte) []byte { return append(dst, "END\r\n"...) }

// AppendStat appends "STAT <name> <value>\r\n".
func AppendStat(dst []byte, name, value string) []byte {
	dst = append(dst, "STAT "...)
	dst = append(dst, name...)
	dst = append(dst, ' ')
	dst = append(dst, value...)
	return append(dst, '\r', '\n')
}

// AppendStatUint appends "STAT <name> <v>\r\n".
func AppendStatUint(dst []byte, name string, v uint64) []byte {
	dst = append(dst, "STAT "...)
	dst = append(dst, name...)
	dst = append(dst, ' ')
	dst = strconv.AppendUint(dst, v, 10)
	return append(dst, '\r', '\n')
}

// Meta replies are a two-letter code ("VA <size>", "HD", "EN", "NS", "EX",
// "NF", "MN"), the return flags in request order, then CRLF and, for VA,
// the data block.

// AppendMetaValue appends "VA <size>".
func AppendMetaValue(dst []byte, size int) []byte {
	dst = append(dst, "VA "...)
	return strconv.AppendUint(dst, uint64(size), 10)
}

// AppendMetaUint appends a return flag with a number: " <c><v>".
func AppendMetaUint(dst []byte, c byte, v uint64) []byte {
	dst = append(dst, ' ', c)
	return strconv.AppendUint(dst, v, 10)
}

// AppendMetaInt appends a return flag with a signed number (t-1).
func AppendMetaInt(dst []byte, c byte, v int64) []byte {
	dst = append(dst, ' ', c)
	return strconv.AppendInt(dst, v, 10)
}

// AppendMetaFlag appends a bare return flag: " <c>" (W, X, Z).
func AppendMetaFlag(dst []byte, c byte) []byte { return append(dst, ' ', c) }

// AppendMetaToken appends a request token verbatim: " <token>" (O).
func AppendMetaToken(dst, tok []byte) []byte {
	dst = append(dst, ' ')
	return append(dst, tok...)
}

// AppendMetaKey appends " k<key>", base64-encoded and followed by " b"
// when the request's key was base64 ('b').
func AppendMetaKey(dst, key []byte, b64 bool) []byte {
	dst = append(dst, ' ', 'k')
	if !b64 {
		return append(dst, key...)
	}
	dst = base64.StdEncoding.AppendEncode(dst, key)
	return append(dst, ' ', 'b')
}

// AppendBase64 appends key base64-encoded (me with a binary key).
func AppendBase64(dst, key []byte) []byte { return base64.StdEncoding.AppendEncode(dst, key) }

// AppendCRLF appends "\r\n".
func AppendCRLF(dst []byte) []byte { return append(dst, '\r', '\n') }

// decodeBase64 decodes src as memcached's base64_decode does: characters
// outside the alphabet are skipped, the rest must come in groups of four,
// and '=' padding (at most two) ends the input. It appends to dst, which
// must have room for len(src)*3/4 bytes, and reports failure as memcached
// does (no output).
func decodeBase64(dst, src []byte) ([]byte, bool) {
	count := 0
	for _, c := range src {
		if b64Value(c) >= 0 {
			count++
		}
	}
	if count == 0 || count%4 != 0 || count/4*3 > cap(dst)-len(dst) {
		return dst[:0], false
	}
	var block [4]byte
	pad, k := 0, 0
	out := dst
	for _, c := range src {
		v := b64Value(c)
		if v < 0 {
			continue
		}
		if c == '=' {
			pad++
		}
		block[k] = byte(v)
		k++
		if k == 4 {
			out = append(out, block[0]<<2|block[1]>>4, block[1]<<4|block[2]>>2, block[2]<<6|block[3])
			k = 0
			if pad > 0 {
				if pad > 2 {
					return dst[:0], false
				}
				out = out[:len(out)-pad]
				break
			}
		}
	}
	if len(out) == len(dst) {
		return dst[:0], false // memcached's 0 means failure
	}
	return out, true
}

// b64Value is the value of a base64 character ('=' counts as 0), or -1.
func b64Value(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 26
	case '0' <= c && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	case c == '=':
		return 0
	}
	return -1
}
