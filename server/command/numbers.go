package command

import (
	"math"
	"strconv"
	"strings"
)

// parseInt parses a decimal int64 exactly as Redis's string2ll does: an
// optional '-', no '+', no spaces, no leading zeros, at most 20 digits.
func ParseInt(b []byte) (int64, bool) {
	n := len(b)
	if n == 0 || n > 20 {
		return 0, false
	}
	if n == 1 && b[0] == '0' {
		return 0, true
	}
	neg := false
	i := 0
	if b[0] == '-' {
		neg = true
		i = 1
		if n == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < n; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > math.MaxUint64/10 {
			return 0, false
		}
		v *= 10
		if v > math.MaxUint64-uint64(c-'0') {
			return 0, false
		}
		v += uint64(c - '0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// parseFloat parses a float as Redis's string2ld does for INCRBYFLOAT:
// no spaces, no NaN, no infinity.
func ParseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || len(b) > 5000 {
		return 0, false
	}
	if b[0] == ' ' || b[0] == '\t' || b[len(b)-1] == ' ' || b[len(b)-1] == '\t' {
		return 0, false
	}
	text, ok := CFloatText(b)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, false
		}
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// formatFloatHuman formats like Redis's ld2string in human mode: plain
// decimal, no exponent, shortest digits that read back the same.
func FormatFloatHuman(dst []byte, f float64) []byte {
	if f == 0 {
		return append(dst, '0')
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}

// isCanonicalInt reports whether b is the canonical decimal form of an
// int64 (what Redis stores with the "int" encoding).
func IsCanonicalInt(b []byte) bool {
	_, ok := ParseInt(b)
	return ok
}

// Ratio is a/b rounded to two decimals, as Redis prints its ratios (INFO,
// MEMORY STATS); 0 when b is not positive.
func Ratio(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(int64(float64(a)/float64(b)*100+0.5)) / 100
}

// Percent is a as a percentage of b, rounded to two decimals; 0 when b is
// not positive.
func Percent(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(int64(float64(a)*100/float64(b)*100+0.5)) / 100
}

// ParseScanCursor parses a SCAN, HSCAN... cursor as Redis does (strtoull, base 10): an
// optional sign ('-' negates modulo 2^64), decimal digits, no spaces; the
// empty string is cursor 0.
func ParseScanCursor(b []byte) (uint64, bool) {
	neg := false
	i := 0
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		i = 1
		if len(b) == 1 {
			return 0, false
		}
	}
	var v uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (math.MaxUint64-uint64(c-'0'))/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// ParseDouble reads a double as Redis's getDoubleFromObject does (strtod
// over the whole argument): no leading space, no NaN, "inf" and
// "-inf" allowed, hexadecimal floats allowed, and an overflow to ±inf or an
// underflow to zero refused, as strtod's ERANGE makes Redis refuse them.
func ParseDouble(b []byte) (float64, bool) {
	if len(b) == 0 || isCSpace(b[0]) {
		return 0, false
	}
	s := string(b)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		ne, isNum := err.(*strconv.NumError)
		if isNum && ne.Err == strconv.ErrRange {
			return 0, false // overflow (Go reports no underflow; see below)
		}
		// strtod takes a hexadecimal mantissa without an exponent; Go wants one.
		if !hexMantissa(s) {
			return 0, false
		}
		if f, err = strconv.ParseFloat(s+"p0", 64); err != nil {
			return 0, false
		}
	}
	if math.IsNaN(f) || strings.ContainsRune(s, '_') {
		return 0, false
	}
	if f == 0 && nonZeroMantissa(s) {
		return 0, false // strtod's underflow to zero
	}
	return f, true
}

// isCSpace is C's isspace in the C locale.
func isCSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// hexMantissa reports whether s is a (signed) "0x" number with no
// exponent, which strtod reads and Go's ParseFloat does not.
func hexMantissa(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	return len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && !strings.ContainsAny(s, "pP")
}

// CFloatText readies a number's text, as C's strtod reads it, for Go's
// parsers: Go takes digit separators ("1_000") that C does not, so a text
// with one is refused (ok false), and C takes a hexadecimal mantissa
// without a binary exponent ("0x1A") that Go wants one for, so "p0" is
// appended. Go refuses "0b" and "0o" prefixes in floats, as C does.
func CFloatText(b []byte) (text string, ok bool) {
	s := string(b)
	if strings.IndexByte(s, '_') >= 0 {
		return "", false
	}
	if hexMantissa(s) {
		s += "p0"
	}
	return s, true
}

// nonZeroMantissa reports whether a number's digits before its exponent
// are not all zero (so that reading it as 0 was an underflow).
func nonZeroMantissa(s string) bool {
	hex := strings.HasPrefix(strings.TrimLeft(s, "+-"), "0x") || strings.HasPrefix(strings.TrimLeft(s, "+-"), "0X")
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case !hex && (c == 'e' || c == 'E'), hex && (c == 'p' || c == 'P'):
			return false
		case c >= '1' && c <= '9', hex && i > 1 && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')):
			return true
		}
	}
	return false
}
