package command

import (
	"math"
	"strconv"
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
	f, err := strconv.ParseFloat(string(b), 64)
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
