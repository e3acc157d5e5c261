package command

import (
	"math/big"
	"strings"
)

// Redis computes INCRBYFLOAT and HINCRBYFLOAT in C's long double (x87
// 80-bit extended on the platforms it ships on: a 64-bit mantissa) and
// prints the result with "%.17Lf". To give the same digits, Anax does the arithmetic in a
// big.Float with 64 bits of mantissa and prints its exact decimal value.

const longDoublePrec = 64

var (
	// Largest finite x87 extended value, ~1.19e4932, and the smallest
	// positive subnormal, ~3.65e-4951.
	maxLongDouble = new(big.Float).SetMantExp(new(big.Float).SetFloat64(1), 16384)
	minLongDouble = new(big.Float).SetMantExp(new(big.Float).SetFloat64(1), -16445)
)

// ParseLongDouble parses b as Redis's string2ld does: no leading space, the
// whole string consumed, finite or infinite but not NaN, within the range
// of a long double. inf reports an infinite value.
func ParseLongDouble(b []byte) (f *big.Float, inf, ok bool) {
	if len(b) == 0 || len(b) > 5*1024 {
		return nil, false, false
	}
	switch b[0] {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return nil, false, false
	}
	s := string(b)
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "inf", "infinity":
		return nil, true, true
	case "nan":
		return nil, false, false
	}
	base := 10
	if hexMantissa(s) || hexWithExponent(s) {
		// strtold reads hexadecimal floats, with or without "p";
		// base 0 takes the prefix (and would take "0b", "0o" and "_",
		// which only a hex prefix gets here, and "_" is refused).
		if strings.IndexByte(s, '_') >= 0 {
			return nil, false, false
		}
		base = 0
	}
	f, _, err := big.ParseFloat(s, base, longDoublePrec, big.ToNearestEven)
	if err != nil {
		return nil, false, false
	}
	abs := new(big.Float).Abs(f)
	if abs.Cmp(maxLongDouble) >= 0 || (abs.Sign() != 0 && abs.Cmp(minLongDouble) < 0) {
		return nil, false, false // ERANGE in strtold
	}
	return f, false, true
}

// AddLongDouble returns a+b rounded to a long double, and false when the
// sum overflows to infinity.
func AddLongDouble(a, b *big.Float) (*big.Float, bool) {
	z := new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven)
	z.Add(a, b)
	if new(big.Float).Abs(z).Cmp(maxLongDouble) >= 0 {
		return nil, false
	}
	return z, true
}

// FormatLongDoubleHuman prints like Redis's ld2string in human mode:
// "%.17Lf" with trailing zeros (and a trailing '.') removed, and "-0" as
// "0".
func FormatLongDoubleHuman(dst []byte, f *big.Float) []byte {
	s := f.Text('f', 17)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return append(dst, s...)
}

// hexWithExponent reports whether s is a (signed) "0x" number with a "p"
// exponent.
func hexWithExponent(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	return len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && strings.ContainsAny(s, "pP")
}
