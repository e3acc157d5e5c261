package geohash

import (
	"math"
	"strconv"
)

// AppendCoord appends x as Redis replies a coordinate (GEOPOS, WITHCOORD):
// 17 decimals with the trailing zeros (and a bare point) trimmed, "-0" as
// "0", infinities as "inf" and "-inf".
func AppendCoord(dst []byte, x float64) []byte {
	if math.IsInf(x, 0) {
		if x > 0 {
			return append(dst, "inf"...)
		}
		return append(dst, "-inf"...)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, x, 'f', 17, 64)
	end := len(dst)
	for dst[end-1] == '0' {
		end--
	}
	if dst[end-1] == '.' {
		end--
	}
	dst = dst[:end]
	if end-start == 2 && dst[start] == '-' && dst[start+1] == '0' {
		dst = append(dst[:start], '0')
	}
	return dst
}

// AppendDistance appends d as Redis replies a distance (GEODIST,
// WITHDIST): rounded half to even to 4 decimals.
func AppendDistance(dst []byte, d float64) []byte {
	if d == 0 {
		return append(dst, "0.0000"...)
	}
	v := int64(math.RoundToEven(d * 10000))
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	var digits [24]byte
	s := strconv.AppendInt(digits[:0], v, 10)
	if len(s) <= 4 {
		dst = append(dst, '0', '.')
		for range 4 - len(s) {
			dst = append(dst, '0')
		}
		return append(dst, s...)
	}
	dst = append(dst, s[:len(s)-4]...)
	dst = append(dst, '.')
	return append(dst, s[len(s)-4:]...)
}

// AppendInvalidPairError appends Redis's error for a pair outside the
// limits, without the leading '-': "ERR invalid longitude,latitude pair
// %f,%f" with C's %f.
func AppendInvalidPairError(dst []byte, lon, lat float64) []byte {
	dst = append(dst, "ERR invalid longitude,latitude pair "...)
	dst = appendCFloat(dst, lon)
	dst = append(dst, ',')
	return appendCFloat(dst, lat)
}

// appendCFloat is C's printf %f.
func appendCFloat(dst []byte, x float64) []byte {
	switch {
	case math.IsInf(x, 1):
		return append(dst, "inf"...)
	case math.IsInf(x, -1):
		return append(dst, "-inf"...)
	case x != x:
		if math.Signbit(x) {
			return append(dst, "-nan"...)
		}
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, x, 'f', 6, 64)
}
