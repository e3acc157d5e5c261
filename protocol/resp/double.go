package resp

import (
	"math"
	"strconv"
)

// AppendDoubleText appends f as Redis 7.2+ prints a double reply (ZSCORE,
// ZINCRBY, GEODIST, RESP3 doubles; Redis's d2string):
//
//   - nan, inf, -inf, 0 and -0 are literal;
//   - an integral value within ±2^62 is printed as an integer: 3, -1000000;
//   - otherwise the shortest digits D that read back as exactly f are laid
//     out by the value D × 10^K: for 0 <= K <= 7 as D followed by K zeros;
//     for K < 0 when K >= -6 or the leading digit's exponent E is within ±3
//     as a plain decimal ("0.000123", "3.14", "123.4567891"); else in
//     scientific notation with no exponent padding ("1e+19", "1.5e-7",
//     "1.2345678901e+4").
//
// Redis takes its digits from Grisu2, which in rare cases yields one digit
// more than the shortest; here they are always the shortest. Redis 7.0
// printed "%.17g" instead (1.1 came out as 1.1000000000000001). Clients
// parse every form to the same float64.
func AppendDoubleText(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	case f >= -(1<<62) && f <= 1<<62 && f == math.Trunc(f):
		return strconv.AppendInt(dst, int64(f), 10)
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	// strconv's shortest 'e' form is "d.ddde±XX" or "de±XX".
	var tmp [32]byte
	s := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64)
	var digits [24]byte
	nd := 0
	i := 0
	for ; s[i] != 'e'; i++ {
		if s[i] != '.' {
			digits[nd] = s[i]
			nd++
		}
	}
	e := 0 // exponent of the leading digit
	for _, c := range s[i+2:] {
		e = e*10 + int(c-'0')
	}
	if s[i+1] == '-' {
		e = -e
	}
	d := digits[:nd]
	k := e - (nd - 1) // f = D × 10^k

	switch {
	case k >= 0 && k <= 7:
		dst = append(dst, d...)
		for ; k > 0; k-- {
			dst = append(dst, '0')
		}
		return dst
	case k < 0 && (k >= -6 || (e > -4 && e < 4)):
		whole := nd + k // digits before the point
		if whole <= 0 {
			dst = append(dst, '0', '.')
			for ; whole < 0; whole++ {
				dst = append(dst, '0')
			}
			return append(dst, d...)
		}
		dst = append(dst, d[:whole]...)
		dst = append(dst, '.')
		return append(dst, d[whole:]...)
	}
	dst = append(dst, d[0])
	if nd > 1 {
		dst = append(dst, '.')
		dst = append(dst, d[1:]...)
	}
	dst = append(dst, 'e')
	if e < 0 {
		dst = append(dst, '-')
		e = -e
	} else {
		dst = append(dst, '+')
	}
	return strconv.AppendInt(dst, int64(e), 10)
}
