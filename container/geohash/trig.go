package geohash

import "math"

// Redis takes sine, cosine and arcsine from the C library. These are the
// only functions here that may not match it bit for bit.
func sin(x float64) float64  { return math.Sin(x) }
func cos(x float64) float64  { return math.Cos(x) }
func asin(x float64) float64 { return math.Asin(x) }
