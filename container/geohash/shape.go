package geohash

import (
	"math"
)

// degToRad is Redis's M_PI / 180.0, rounded once as its C compiler does.
var degToRad = func() float64 { pi := math.Pi; return pi / 180.0 }()

// float64() around each product keeps Go from fusing it into a later sum
// (Redis's C does not fuse), which would change last bits.
func degRad(a float64) float64 { return float64(a * degToRad) }
func radDeg(a float64) float64 { return a / degToRad }

// LatDistance is the distance in meters between two latitudes along a
// meridian.
func LatDistance(lat1, lat2 float64) float64 {
	return float64(EarthRadius * math.Abs(degRad(lat2)-degRad(lat1)))
}

// Distance is the haversine distance in meters between two points on
// Redis's spherical earth: GEODIST's distance.
func Distance(lon1, lat1, lon2, lat2 float64) float64 {
	lon1r, lon2r := degRad(lon1), degRad(lon2)
	v := sin((lon2r - lon1r) / 2)
	if v == 0 {
		// Same longitude: along the meridian, without the trigonometry.
		return LatDistance(lat1, lat2)
	}
	lat1r, lat2r := degRad(lat1), degRad(lat2)
	u := sin((lat2r - lat1r) / 2)
	a := float64(u*u) + float64(float64(float64(cos(lat1r)*cos(lat2r))*v)*v)
	return float64(2.0*EarthRadius) * asin(math.Sqrt(a))
}

// Unit returns the meters in one unit of a GEO command (m, km, ft, mi,
// any case); false for another name.
func Unit(name []byte) (float64, bool) {
	switch len(name) {
	case 1:
		if name[0]|0x20 == 'm' {
			return 1, true
		}
	case 2:
		switch string([]byte{name[0] | 0x20, name[1] | 0x20}) {
		case "km":
			return 1000, true
		case "ft":
			return 0.3048, true
		case "mi":
			return 1609.34, true
		}
	}
	return 0, false
}

// Shape is a search: around (Lon, Lat), within Radius (BYRADIUS) or inside
// a Width by Height box (BYBOX, Box set), those lengths in a unit of
// Conversion meters.
type Shape struct {
	Lon, Lat      float64
	Box           bool
	Radius        float64
	Width, Height float64
	Conversion    float64
}

// BoundingBox is the box in degrees that holds the shape, as Redis draws
// it (widest at the latitude edge nearer a pole).
func (s *Shape) BoundingBox() (minLon, minLat, maxLon, maxLat float64) {
	height, width := s.Conversion*s.Radius, s.Conversion*s.Radius
	if s.Box {
		height, width = s.Conversion*(s.Height/2), s.Conversion*(s.Width/2)
	}
	latDelta := radDeg(height / EarthRadius)
	lonDeltaTop := radDeg(width / EarthRadius / cos(degRad(s.Lat+latDelta)))
	lonDeltaBottom := radDeg(width / EarthRadius / cos(degRad(s.Lat-latDelta)))
	lonDelta := lonDeltaTop
	if s.Lat < 0 {
		lonDelta = lonDeltaBottom
	}
	return s.Lon - lonDelta, s.Lat - latDelta, s.Lon + lonDelta, s.Lat + latDelta
}

// Areas are the cells a search scans: the center's cell at the chosen step
// and its neighbours, those Redis found useless zeroed.
type Areas struct {
	Hash      Hash
	Area      Area
	Neighbors Neighbors
}

// Areas picks the step for the shape and its cells, as Redis's
// geohashCalculateAreasByShapeWGS84: the step estimated from the radius
// (a box's half diagonal), one coarser if a neighbour does not reach the
// bounding box's edge, and at step 2 and finer the neighbours beyond an
// edge the center cell already passes dropped.
func (s *Shape) Areas() Areas {
	minLon, minLat, maxLon, maxLat := s.BoundingBox()
	radius := s.Radius
	if s.Box {
		radius = math.Sqrt(float64(s.Width/2*(s.Width/2)) + float64(s.Height/2*(s.Height/2)))
	}
	radius *= s.Conversion
	step := EstimateSteps(radius, s.Lat)

	var a Areas
	a.Hash, _ = Encode(s.Lon, s.Lat, step)
	a.Neighbors = NeighborsOf(a.Hash)
	a.Area = Decode(a.Hash)

	n := &a.Neighbors
	if step > 1 && (Decode(n.North).LatMax < maxLat || Decode(n.South).LatMin > minLat ||
		Decode(n.East).LonMax < maxLon || Decode(n.West).LonMin > minLon) {
		step--
		a.Hash, _ = Encode(s.Lon, s.Lat, step)
		a.Neighbors = NeighborsOf(a.Hash)
		a.Area = Decode(a.Hash)
	}
	if step >= 2 {
		if a.Area.LatMin < minLat {
			n.South, n.SouthWest, n.SouthEast = Hash{}, Hash{}, Hash{}
		}
		if a.Area.LatMax > maxLat {
			n.North, n.NorthEast, n.NorthWest = Hash{}, Hash{}, Hash{}
		}
		if a.Area.LonMin < minLon {
			n.West, n.SouthWest, n.NorthWest = Hash{}, Hash{}, Hash{}
		}
		if a.Area.LonMax > maxLon {
			n.East, n.SouthEast, n.NorthEast = Hash{}, Hash{}, Hash{}
		}
	}
	return a
}

// Ranges appends to dst the score ranges to walk, in Redis's order (the
// center, then N, S, E, W, NE, NW, SE, SW), leaving out dropped
// neighbours and a cell equal to the one walked just before it (huge
// radii make neighbours coincide). A command walks each range in turn and
// tests each member found with Contains.
func (a *Areas) Ranges(dst []Range) []Range {
	n := &a.Neighbors
	cells := [9]Hash{a.Hash, n.North, n.South, n.East, n.West, n.NorthEast, n.NorthWest, n.SouthEast, n.SouthWest}
	last := 0
	for i, h := range cells {
		if h.IsZero() {
			continue
		}
		// Redis compares with the last walked cell only once a neighbour
		// was walked: never with the center.
		if last != 0 && h == cells[last] {
			continue
		}
		dst = append(dst, ScoreRange(h))
		last = i
	}
	return dst
}

// Contains reports whether the member of this score is inside the shape,
// with its position (as Position) and its distance in meters from the
// center: Redis's geoWithinShape.
func (s *Shape) Contains(score float64) (lon, lat, dist float64, ok bool) {
	lon, lat = Position(score)
	if !s.Box {
		dist = Distance(s.Lon, s.Lat, lon, lat)
		return lon, lat, dist, dist <= s.Radius*s.Conversion
	}
	widthM, heightM := s.Width*s.Conversion, s.Height*s.Conversion
	if LatDistance(lat, s.Lat) > heightM/2 {
		return lon, lat, 0, false
	}
	if Distance(lon, lat, s.Lon, lat) > widthM/2 {
		return lon, lat, 0, false
	}
	return lon, lat, Distance(s.Lon, s.Lat, lon, lat), true
}
