// Package geohash computes what Redis's GEO commands compute, bit for bit:
// the 52-bit interleaved geohash that is a member's sorted-set score, the
// position a score decodes to, the 11-character GEOHASH string, haversine
// distances on Redis's earth, and the areas a radius or box search scans.
//
// The API, in the order a GEO command uses it:
//
//   - Score(lon, lat) is GEOADD's score; Valid(lon, lat) is its check and
//     InvalidPairError its error text.
//   - Position(score) is what GEOPOS (and every command that reads a
//     member's place: GEODIST, FROMMEMBER, WITHCOORD) decodes a score to;
//     String(score) is GEOHASH's reply.
//   - Distance(lon1, lat1, lon2, lat2) is GEODIST's distance in meters.
//   - A Shape (center, BYRADIUS radius or BYBOX width and height, and the
//     unit's meters from Unit) describes a search. shape.Areas() picks the
//     geohash step and the center cell with its neighbours, as Redis does,
//     and Areas.Ranges gives the [min, max) score ranges to walk in Redis's
//     order (its duplicates and useless neighbours already dropped).
//     shape.Contains(score) is Redis's test of each member found there,
//     with its position and its distance (meters) from the center.
//   - AppendCoord and AppendDistance format a coordinate (GEOPOS,
//     WITHCOORD) and a distance (GEODIST, WITHDIST) as Redis replies them.
//
// Everything is a pure function of float64s and allocates nothing.
//
// Bit-exactness: encoding, decoding, strings, steps, areas and ranges use
// only IEEE additions, multiplications and divisions, written so that Go
// cannot fuse them, and match Redis exactly. Distances need sine, cosine
// and arcsine; Redis takes them from the C library (glibc), whose results
// are not always correctly rounded, so a distance may differ from Redis's
// in its last bit (see trig.go); replies round distances to 4 decimals,
// where that never shows in practice.
package geohash

// Redis's limits (EPSG:900913): a pair outside them is refused.
const (
	LonMin = -180.0
	LonMax = 180.0
	LatMin = -85.05112878
	LatMax = 85.05112878

	// StepMax is the precision of a member's score: 26 steps of one
	// longitude and one latitude bit each, 52 bits.
	StepMax = 26

	// EarthRadius is Redis's earth radius in meters.
	EarthRadius = 6372797.560856

	mercatorMax = 20037726.37
)

// Hash is a geohash of Step*2 bits (Redis's GeoHashBits): longitude bits at
// the odd positions, latitude bits at the even ones, most significant first.
type Hash struct {
	Bits uint64
	Step uint8
}

// IsZero reports whether h is the zero Hash, which Redis uses for a
// neighbour it dropped.
func (h Hash) IsZero() bool { return h.Bits == 0 && h.Step == 0 }

// Align52 shifts h's bits to a 52-bit score prefix.
func (h Hash) Align52() uint64 { return h.Bits << (52 - 2*uint(h.Step)) }

// Area is the cell a Hash names.
type Area struct {
	Hash                           Hash
	LonMin, LonMax, LatMin, LatMax float64
}

// Valid reports whether (lon, lat) is a pair Redis accepts.
func Valid(lon, lat float64) bool {
	return lon >= LonMin && lon <= LonMax && lat >= LatMin && lat <= LatMax
}

// spread spaces the low 32 bits of v to the even bit positions.
func spread(v uint64) uint64 {
	v &= 0xFFFFFFFF
	v = (v | v<<16) & 0x0000FFFF0000FFFF
	v = (v | v<<8) & 0x00FF00FF00FF00FF
	v = (v | v<<4) & 0x0F0F0F0F0F0F0F0F
	v = (v | v<<2) & 0x3333333333333333
	v = (v | v<<1) & 0x5555555555555555
	return v
}

// squeeze gathers the even bit positions of v into its low 32 bits.
func squeeze(v uint64) uint64 {
	v &= 0x5555555555555555
	v = (v | v>>1) & 0x3333333333333333
	v = (v | v>>2) & 0x0F0F0F0F0F0F0F0F
	v = (v | v>>4) & 0x00FF00FF00FF00FF
	v = (v | v>>8) & 0x0000FFFF0000FFFF
	v = (v | v>>16) & 0x00000000FFFFFFFF
	return v
}

// Encode returns the step-bit hash of (lon, lat) over Redis's ranges; false
// if the pair is outside them or step is not in [1, 32].
func Encode(lon, lat float64, step uint8) (Hash, bool) {
	return encodeIn(LonMin, LonMax, LatMin, LatMax, lon, lat, step)
}

// encodeIn encodes over the given ranges; Redis checks the pair against
// its own limits whatever the ranges (GEOHASH's ±90 included).
func encodeIn(lonMin, lonMax, latMin, latMax, lon, lat float64, step uint8) (Hash, bool) {
	if step == 0 || step > 32 || !Valid(lon, lat) ||
		lat < latMin || lat > latMax || lon < lonMin || lon > lonMax {
		return Hash{}, false
	}
	latOff := (lat - latMin) / (latMax - latMin)
	lonOff := (lon - lonMin) / (lonMax - lonMin)
	scale := float64(uint64(1) << step)
	latOff *= scale
	lonOff *= scale
	// At the range's top the offset is exactly 2^step: its bit spills
	// above the hash, as Redis's does (the score of lat 85.05112878 or
	// lon 180 has bit 52 or 53 set).
	return Hash{Bits: spread(uint64(uint32(latOff))) | spread(uint64(uint32(lonOff)))<<1, Step: step}, true
}

// Decode returns the cell of h over Redis's ranges.
func Decode(h Hash) Area {
	return decodeIn(LonMin, LonMax, LatMin, LatMax, h)
}

func decodeIn(lonMin, lonMax, latMin, latMax float64, h Hash) Area {
	// The cell numbers are 32-bit, and so is the +1 of a cell's far edge
	// (it wraps for the garbage hash of a score that is no geohash).
	latBits, lonBits := uint32(squeeze(h.Bits)), uint32(squeeze(h.Bits>>1))
	latCell, latNext := float64(latBits), float64(latBits+1)
	lonCell, lonNext := float64(lonBits), float64(lonBits+1)
	div := float64(uint64(1) << h.Step)
	latScale := latMax - latMin
	lonScale := lonMax - lonMin
	// float64() around each product keeps Go from fusing it with the sum
	// (Redis's C does not), which would change the last bit.
	return Area{
		Hash:   h,
		LatMin: latMin + float64(latCell/div*latScale),
		LatMax: latMin + float64(latNext/div*latScale),
		LonMin: lonMin + float64(lonCell/div*lonScale),
		LonMax: lonMin + float64(lonNext/div*lonScale),
	}
}

// Center is the cell's middle, clamped to Redis's limits: what GEOPOS
// reports for a member.
func (a Area) Center() (lon, lat float64) {
	lon = (a.LonMin + a.LonMax) / 2
	lon = min(max(lon, LonMin), LonMax)
	lat = (a.LatMin + a.LatMax) / 2
	lat = min(max(lat, LatMin), LatMax)
	return lon, lat
}

// Score is GEOADD's score for (lon, lat): the 52-bit hash as a float64;
// false if the pair is invalid.
func Score(lon, lat float64) (float64, bool) {
	h, ok := Encode(lon, lat, StepMax)
	if !ok {
		return 0, false
	}
	return float64(h.Align52()), true
}

// ScoreBits converts a score to the uint64 Redis's C cast gives on x86-64
// (any score a sorted set may hold, ±inf included, not only geohashes).
func ScoreBits(score float64) uint64 {
	const two63 = 9223372036854775808.0
	if score >= two63 {
		// The cast subtracts 2^63, converts signed, and flips the top bit;
		// at 2^64 and beyond the signed conversion overflows to 2^63.
		d := score - two63
		if d >= two63 {
			return 0
		}
		return uint64(int64(d)) ^ 1<<63
	}
	if score != score || score <= -two63 {
		return 1 << 63 // the x86 "integer indefinite"
	}
	return uint64(int64(score))
}

// Position is the (lon, lat) Redis decodes a member's score to (GEOPOS,
// GEODIST, FROMMEMBER, WITHCOORD): the center of its 52-bit cell.
func Position(score float64) (lon, lat float64) {
	return Decode(Hash{Bits: ScoreBits(score), Step: StepMax}).Center()
}

const base32 = "0123456789bcdefghjkmnpqrstuvwxyz"

// String is GEOHASH's reply for a member's score: the standard geohash
// (latitude range ±90) of its decoded position, 11 characters of which the
// last is always '0' (52 bits make 10.4 characters).
func String(score float64) [11]byte {
	lon, lat := Position(score)
	h, _ := encodeIn(-180, 180, -90, 90, lon, lat, StepMax)
	var s [11]byte
	for i := range 10 {
		s[i] = base32[(h.Bits>>(52-5*(i+1)))&0x1f]
	}
	s[10] = base32[0]
	return s
}

// Neighbors are the eight cells around a Hash, of the same step.
type Neighbors struct {
	North, South, East, West                   Hash
	NorthEast, NorthWest, SouthEast, SouthWest Hash
}

// move steps the hash one cell along one axis: odd is 1 for longitude
// (east/west), 0 for latitude; d is +1 or -1. It wraps around.
func move(h Hash, odd uint, d int) Hash {
	const evens = 0x5555555555555555
	const odds = 0xaaaaaaaaaaaaaaaa
	var axis, other, below uint64
	shift := 64 - 2*uint(h.Step)
	if odd == 1 {
		axis, other, below = h.Bits&odds, h.Bits&evens, uint64(evens)>>shift
	} else {
		axis, other, below = h.Bits&evens, h.Bits&odds, uint64(odds)>>shift
	}
	// Setting the other axis' positions to ones (for +1, carries pass
	// through them) makes the add or subtract act on this axis alone.
	if d > 0 {
		axis += below + 1
	} else {
		axis = (axis | below) - (below + 1)
	}
	if odd == 1 {
		axis &= uint64(odds) >> shift
	} else {
		axis &= uint64(evens) >> shift
	}
	return Hash{Bits: axis | other, Step: h.Step}
}

// NeighborsOf returns h's eight neighbours.
func NeighborsOf(h Hash) Neighbors {
	east, west := move(h, 1, 1), move(h, 1, -1)
	return Neighbors{
		East:      east,
		West:      west,
		North:     move(h, 0, 1),
		South:     move(h, 0, -1),
		NorthEast: move(east, 0, 1),
		NorthWest: move(west, 0, 1),
		SouthEast: move(east, 0, -1),
		SouthWest: move(west, 0, -1),
	}
}

// Range is a [Min, Max) range of scores.
type Range struct{ Min, Max float64 }

// ScoreRange is the range of 52-bit scores inside h's cell.
func ScoreRange(h Hash) Range {
	lo := h.Align52()
	h.Bits++
	return Range{Min: float64(lo), Max: float64(h.Align52())}
}

// EstimateSteps is Redis's step for a search of rangeMeters around
// latitude lat: the finest whose cell still spans the range, one or two
// coarser towards the poles, within [1, 26].
func EstimateSteps(rangeMeters, lat float64) uint8 {
	if rangeMeters == 0 {
		return 26
	}
	step := 1
	for rangeMeters < mercatorMax {
		rangeMeters *= 2
		step++
	}
	step -= 2
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	return uint8(min(max(step, 1), 26))
}
