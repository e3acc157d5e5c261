package geohash_test

import (
	"fmt"
	"slices"

	"github.com/anaxdb/anax/container/geohash"
)

// Example walks GEOADD, GEOPOS, GEOHASH, GEODIST and GEOSEARCH over a
// sorted slice standing in for the sorted set.
func Example() {
	type member struct {
		name  string
		score float64
	}
	var set []member
	for _, p := range []struct {
		name     string
		lon, lat float64
	}{{"Palermo", 13.361389, 38.115556}, {"Catania", 15.087269, 37.502669}, {"Rome", 12.496366, 41.902782}} {
		score, ok := geohash.Score(p.lon, p.lat) // GEOADD
		if !ok {
			fmt.Printf("%s\n", geohash.AppendInvalidPairError(nil, p.lon, p.lat))
			continue
		}
		set = append(set, member{p.name, score})
	}
	slices.SortFunc(set, func(a, b member) int {
		if a.score < b.score {
			return -1
		}
		return 1
	})

	lon, lat := geohash.Position(set[0].score) // GEOPOS
	h := geohash.String(set[0].score)          // GEOHASH
	fmt.Printf("%s %s %s %s\n", set[0].name, geohash.AppendCoord(nil, lon), geohash.AppendCoord(nil, lat), h[:])

	lon2, lat2 := geohash.Position(set[1].score) // GEODIST in km
	fmt.Printf("%s-%s %s km\n", set[0].name, set[1].name, geohash.AppendDistance(nil, geohash.Distance(lon, lat, lon2, lat2)/1000))

	// GEOSEARCH FROMLONLAT 15 37 BYRADIUS 200 km: walk each range, test
	// each member found.
	km, _ := geohash.Unit([]byte("km"))
	shape := geohash.Shape{Lon: 15, Lat: 37, Radius: 200, Conversion: km}
	areas := shape.Areas()
	for _, r := range areas.Ranges(nil) {
		for _, m := range set {
			if m.score < r.Min || m.score >= r.Max {
				continue
			}
			if _, _, dist, ok := shape.Contains(m.score); ok {
				fmt.Printf("found %s at %s km\n", m.name, geohash.AppendDistance(nil, dist/shape.Conversion))
			}
		}
	}
	// Output:
	// Palermo 13.36138933897018433 38.11555639549629859 sqc8b49rny0
	// Palermo-Catania 166.2742 km
	// found Palermo at 190.4424 km
	// found Catania at 56.4413 km
}
