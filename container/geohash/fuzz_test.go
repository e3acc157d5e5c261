package geohash

import (
	"encoding/binary"
	"math"
	"testing"
)

// lonHalf and latHalf are half a 52-bit cell in degrees, with room for
// the rounding of cell edges computed as min + offset (ulps of 180).
const (
	lonHalf = 360.0/(1<<26)/2 + 1e-12
	latHalf = (LatMax-LatMin)/(1<<26)/2 + 1e-12
)

// FuzzRoundTrip: a valid pair encodes to a 52-bit (or edge 54-bit) score
// whose position lies within half a cell of it, whose own score is the same
// (a cell's center encodes to its cell), and whose neighbours step back; an
// invalid pair is refused; any score decodes to a position within the
// limits; no shape makes the search code panic.
func FuzzRoundTrip(f *testing.F) {
	seed := func(vals ...float64) []byte {
		var b []byte
		for _, v := range vals {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		return b
	}
	f.Add(seed(13.361389, 38.115556, 200, 5))
	f.Add(seed(180, LatMax, 0, 1e300))
	f.Add(seed(-180, LatMin, math.Inf(1), -1))
	f.Add(seed(181, 0, math.NaN(), 1e-300))
	f.Add(seed(179.99999999999997, 0, 0, 0)) // rounds to the top: spills like 180
	f.Fuzz(func(t *testing.T, b []byte) {
		var v [4]float64
		for i := range v {
			if len(b) >= 8 {
				v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b))
				b = b[8:]
			}
		}
		lon, lat := v[0], v[1]
		score, ok := Score(lon, lat)
		if ok != Valid(lon, lat) {
			t.Fatalf("Score(%v, %v) ok %v", lon, lat, ok)
		}
		if ok {
			plon, plat := Position(score)
			// A pair whose offset in its range rounds to 1 (lon 180, but
			// also 179.99999999999997) spills past 52 bits, as Redis's
			// does; at the longitude's top the score passes 2^53 and, as a
			// float64, loses latitude bits.
			lonTop := (lon-LonMin)/(LonMax-LonMin) >= 1
			latTop := (lat-LatMin)/(LatMax-LatMin) >= 1
			if !lonTop && (math.Abs(plon-lon) > lonHalf || math.Abs(plat-lat) > latHalf) {
				t.Fatalf("(%v, %v) -> %v -> (%v, %v): outside its cell", lon, lat, score, plon, plat)
			}
			if !lonTop && !latTop {
				if score >= 1<<52 {
					t.Fatalf("(%v, %v): score %v beyond 52 bits", lon, lat, score)
				}
				if s2, _ := Score(plon, plat); s2 != score {
					t.Fatalf("(%v, %v): center re-encodes to %v, not %v", lon, lat, s2, score)
				}
				// (At the top edges the hash spills past its step, as
				// Redis's does, and neighbours drop the spilled bit.)
				h, _ := Encode(lon, lat, uint8(1+uint64(math.Float64bits(v[2]))%26))
				n := NeighborsOf(h)
				if move(n.East, 1, -1) != h || move(n.North, 0, -1) != h || move(move(n.SouthWest, 1, 1), 0, 1) != h {
					t.Fatalf("neighbours of %+v do not step back", h)
				}
			}
			if String(score)[10] != '0' {
				t.Fatal("GEOHASH string's last character")
			}
		}
		// Any score decodes inside the limits.
		plon, plat := Position(v[2])
		if !Valid(plon, plat) {
			t.Fatalf("Position(%v) = (%v, %v)", v[2], plon, plat)
		}
		// Searches of any size never panic.
		if Valid(lon, lat) {
			for _, sh := range []Shape{
				{Lon: lon, Lat: lat, Radius: math.Abs(v[2]), Conversion: 1},
				{Lon: lon, Lat: lat, Box: true, Width: math.Abs(v[2]), Height: math.Abs(v[3]), Conversion: 1609.34},
			} {
				a := sh.Areas()
				for _, r := range a.Ranges(nil) {
					if !(r.Min < r.Max) {
						t.Fatalf("empty range %+v", r)
					}
					sh.Contains(r.Min)
				}
			}
		}
	})
}
