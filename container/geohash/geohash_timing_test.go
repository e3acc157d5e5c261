package geohash

import (
	"math"
	"testing"
)

var sinkF float64

func BenchmarkDistance(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f := float64(i%1000) * 0.001
		sinkF += Distance(13.361389, 38.115556, 15.087269+f, 37.502669-f)
	}
}

func BenchmarkDistanceGoMath(b *testing.B) {
	// The same haversine with Go's math, for comparison.
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f := float64(i%1000) * 0.001
		lon1, lat1, lon2, lat2 := degRad(13.361389), degRad(38.115556), degRad(15.087269+f), degRad(37.502669-f)
		u, v := math.Sin((lat2-lat1)/2), math.Sin((lon2-lon1)/2)
		sinkF += 2 * EarthRadius * math.Asin(math.Sqrt(u*u+math.Cos(lat1)*math.Cos(lat2)*v*v))
	}
}

func BenchmarkScorePosition(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s, _ := Score(13.361389+float64(i%1000)*0.001, 38.115556)
		lon, lat := Position(s)
		sinkF += lon + lat
	}
}

func BenchmarkAreas(b *testing.B) {
	b.ReportAllocs()
	var buf [9]Range
	for i := 0; i < b.N; i++ {
		sh := Shape{Lon: 15, Lat: 37, Radius: 200, Conversion: 1000}
		a := sh.Areas()
		sinkF += a.Ranges(buf[:0])[0].Min
	}
}

func TestAllocs(t *testing.T) {
	var buf [9]Range
	var out [64]byte
	f := func(name string, fn func()) {
		t.Helper()
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s: %v allocations", name, n)
		}
	}
	f("search", func() {
		sh := Shape{Lon: 15, Lat: 37, Radius: 200, Conversion: 1000}
		a := sh.Areas()
		for _, r := range a.Ranges(buf[:0]) {
			_, _, d, _ := sh.Contains(r.Min)
			sinkF += d
		}
	})
	f("format", func() {
		s, _ := Score(13.361389, 38.115556)
		lon, lat := Position(s)
		b := AppendCoord(out[:0], lon)
		b = AppendCoord(b, lat)
		b = AppendDistance(b, 1234.56789)
		h := String(s)
		sinkF += float64(len(b) + int(h[0]))
	})
}

func TestUnit(t *testing.T) {
	for _, c := range []struct {
		name string
		m    float64
		ok   bool
	}{{"m", 1, true}, {"M", 1, true}, {"km", 1000, true}, {"KM", 1000, true}, {"kM", 1000, true},
		{"ft", 0.3048, true}, {"FT", 0.3048, true}, {"mi", 1609.34, true}, {"Mi", 1609.34, true},
		{"", 0, false}, {"meters", 0, false}, {"k", 0, false}, {"mm", 0, false}, {"m\x00", 0, false}} {
		if m, ok := Unit([]byte(c.name)); m != c.m || ok != c.ok {
			t.Errorf("Unit(%q) = %v %v, want %v %v", c.name, m, ok, c.m, c.ok)
		}
	}
	b := []byte("KM")
	if n := testing.AllocsPerRun(100, func() { sinkF, _ = Unit(b) }); n != 0 {
		t.Errorf("Unit allocates %v", n)
	}
}
