package resp

import "strconv"

// Reply writers. Each appends one RESP value, or the header of an aggregate,
// to dst and returns the extended slice, like strconv.AppendInt: with enough
// capacity in dst they do not allocate. Functions taking proto write RESP3
// when proto >= 3 and the RESP2 equivalent otherwise (Redis's HELLO 2/3).

const crlf = "\r\n"

// AppendSimple appends a simple string: "+" s CRLF. CR and LF inside s are
// written as spaces: a simple string cannot hold them.
func AppendSimple(dst []byte, s string) []byte {
	dst = append(dst, '+')
	return appendLine(dst, s)
}

// AppendError appends an error: "-" msg CRLF. msg carries its own prefix
// ("ERR ...", "WRONGTYPE ..."). CR and LF inside msg are written as spaces,
// as Redis does, so a quoted user argument cannot break the reply stream.
func AppendError(dst []byte, msg string) []byte {
	dst = append(dst, '-')
	return appendLine(dst, msg)
}

// AppendErrorBytes is AppendError for a message held in a byte slice.
func AppendErrorBytes(dst, msg []byte) []byte {
	dst = append(dst, '-')
	start := len(dst)
	dst = append(dst, msg...)
	sanitize(dst[start:])
	return append(dst, crlf...)
}

func appendLine(dst []byte, s string) []byte {
	start := len(dst)
	dst = append(dst, s...)
	sanitize(dst[start:])
	return append(dst, crlf...)
}

func sanitize(b []byte) {
	for i, c := range b {
		if c == '\r' || c == '\n' {
			b[i] = ' '
		}
	}
}

// AppendInt appends an integer: ":" n CRLF.
func AppendInt(dst []byte, n int64) []byte {
	dst = append(dst, ':')
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, crlf...)
}

// AppendBulk appends a bulk string: "$" len CRLF b CRLF. A nil b is an empty
// bulk string, not a null; use AppendNull for that.
func AppendBulk(dst, b []byte) []byte {
	dst = AppendBulkHeader(dst, len(b))
	dst = append(dst, b...)
	return append(dst, crlf...)
}

// AppendBulkString is AppendBulk for a string.
func AppendBulkString(dst []byte, s string) []byte {
	dst = AppendBulkHeader(dst, len(s))
	dst = append(dst, s...)
	return append(dst, crlf...)
}

// AppendBulkHeader appends only the "$" n CRLF header of a bulk string. The
// caller then writes exactly n bytes and a CRLF itself: this lets a large
// value go to the socket from where it lives (writev) instead of being
// copied into the output buffer.
func AppendBulkHeader(dst []byte, n int) []byte {
	return appendHeader(dst, '$', int64(n))
}

// appendHeader appends kind n CRLF. Most lengths in replies are below
// 100, and writing their digits here saves strconv's call (Redis keeps its
// short headers prebuilt for the same reason).
func appendHeader(dst []byte, kind byte, n int64) []byte {
	if uint64(n) < 10 {
		return append(dst, kind, byte('0'+n), '\r', '\n')
	}
	if uint64(n) < 100 {
		return append(dst, kind, byte('0'+n/10), byte('0'+n%10), '\r', '\n')
	}
	dst = append(dst, kind)
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, crlf...)
}

// AppendBulkInt appends n as a bulk string of its decimal digits, which is
// how Redis replies with an integer-encoded string value (GET of "42").
func AppendBulkInt(dst []byte, n int64) []byte {
	var tmp [20]byte
	d := strconv.AppendInt(tmp[:0], n, 10)
	return AppendBulk(dst, d)
}

// AppendArrayLen appends an array header: "*" n CRLF, followed by n values
// the caller appends.
func AppendArrayLen(dst []byte, n int) []byte {
	return appendHeader(dst, '*', int64(n))
}

// AppendNullArray appends a null array: "*-1" in RESP2, "_" in RESP3.
func AppendNullArray(dst []byte, proto int) []byte {
	if proto >= 3 {
		return append(dst, "_\r\n"...)
	}
	return append(dst, "*-1\r\n"...)
}

// AppendNull appends a null: the null bulk string "$-1" in RESP2, "_" in
// RESP3.
func AppendNull(dst []byte, proto int) []byte {
	if proto >= 3 {
		return append(dst, "_\r\n"...)
	}
	return append(dst, "$-1\r\n"...)
}

// AppendMapLen appends a map header for n key-value pairs: "%" n in RESP3; in
// RESP2 a flat array of 2n elements. The caller appends key, value, key, ...
func AppendMapLen(dst []byte, n int, proto int) []byte {
	if proto >= 3 {
		return appendHeader(dst, '%', int64(n))
	}
	return appendHeader(dst, '*', 2*int64(n))
}

// AppendSetLen appends a set header: "~" n in RESP3, an array in RESP2.
func AppendSetLen(dst []byte, n int, proto int) []byte {
	if proto >= 3 {
		return appendHeader(dst, '~', int64(n))
	}
	return appendHeader(dst, '*', int64(n))
}

// AppendPushLen appends the header of an out-of-band push message (pub/sub,
// client tracking): ">" n in RESP3, an array in RESP2.
func AppendPushLen(dst []byte, n int, proto int) []byte {
	if proto >= 3 {
		return appendHeader(dst, '>', int64(n))
	}
	return appendHeader(dst, '*', int64(n))
}

// AppendBool appends a boolean: "#t"/"#f" in RESP3, the integer 1/0 in RESP2.
func AppendBool(dst []byte, b bool, proto int) []byte {
	switch {
	case proto >= 3 && b:
		return append(dst, "#t\r\n"...)
	case proto >= 3:
		return append(dst, "#f\r\n"...)
	case b:
		return append(dst, ":1\r\n"...)
	default:
		return append(dst, ":0\r\n"...)
	}
}

// AppendDouble appends a double: "," text CRLF in RESP3, a bulk string of
// the same text in RESP2. The text is AppendDoubleText's (inf, -inf, nan,
// and the shortest round-trip digits laid out as Redis 7.2+ does).
func AppendDouble(dst []byte, f float64, proto int) []byte {
	var tmp [32]byte
	t := AppendDoubleText(tmp[:0], f)
	if proto >= 3 {
		dst = append(dst, ',')
		dst = append(dst, t...)
		return append(dst, crlf...)
	}
	return AppendBulk(dst, t)
}

// AppendVerbatim appends a verbatim string: "=" len CRLF format ":" b CRLF in
// RESP3, where format is the 3-byte type ("txt", "mkd"); a plain bulk string
// of b in RESP2. Redis uses it for INFO, CLIENT LIST and LATENCY DOCTOR.
func AppendVerbatim(dst []byte, format string, b []byte, proto int) []byte {
	if proto < 3 {
		return AppendBulk(dst, b)
	}
	dst = append(dst, '=')
	dst = strconv.AppendInt(dst, int64(len(format)+1+len(b)), 10)
	dst = append(dst, crlf...)
	dst = append(dst, format...)
	dst = append(dst, ':')
	dst = append(dst, b...)
	return append(dst, crlf...)
}

// AppendBigNum appends a big number given as its decimal text: "(" num in
// RESP3, a bulk string in RESP2 (Redis's addReplyBigNum).
func AppendBigNum(dst []byte, num string, proto int) []byte {
	if proto < 3 {
		return AppendBulkString(dst, num)
	}
	dst = append(dst, '(')
	dst = append(dst, num...)
	return append(dst, crlf...)
}
