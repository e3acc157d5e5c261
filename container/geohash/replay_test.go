package geohash

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func parseF(t *testing.T, s string) float64 {
	t.Helper()
	switch s {
	case "inf", "+inf":
		return math.Inf(1)
	case "-inf":
		return math.Inf(-1)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return f
}

func posStrings(lon, lat float64) []string {
	return []string{string(AppendCoord(nil, lon)), string(AppendCoord(nil, lat))}
}

// TestRedisPoints replays GEOADD, ZSCORE, GEOPOS and GEOHASH: the score of
// every pair, the error for every refused pair, the position and string
// every score decodes to.
func TestRedisPoints(t *testing.T) {
	tab := loadTable(t)
	for _, p := range tab.Points {
		lon, lat := parseF(t, p.Lon), parseF(t, p.Lat)
		score, ok := Score(lon, lat)
		if p.Err != "" {
			if ok || Valid(lon, lat) {
				t.Errorf("(%s, %s): accepted, Redis says %s", p.Lon, p.Lat, p.Err)
			}
			if got := string(AppendInvalidPairError(nil, lon, lat)); got != p.Err {
				t.Errorf("(%s, %s): error %q, Redis %q", p.Lon, p.Lat, got, p.Err)
			}
			continue
		}
		if !ok {
			t.Errorf("(%s, %s): refused, Redis accepts", p.Lon, p.Lat)
			continue
		}
		if want := parseF(t, p.Score); math.Float64bits(score) != math.Float64bits(want) {
			t.Errorf("(%s, %s): score %v, Redis %s", p.Lon, p.Lat, score, p.Score)
		}
		if got := posStrings(Position(score)); !slices.Equal(got, p.Pos) {
			t.Errorf("(%s, %s): GEOPOS %v, Redis %v", p.Lon, p.Lat, got, p.Pos)
		}
		if got := String(score); string(got[:]) != p.Hash {
			t.Errorf("(%s, %s): GEOHASH %s, Redis %s", p.Lon, p.Lat, got[:], p.Hash)
		}
	}
}

// TestRedisScores replays GEOPOS and GEOHASH of members whose scores are
// no geohash (negative, huge, infinite, fractional).
func TestRedisScores(t *testing.T) {
	tab := loadTable(t)
	for _, s := range tab.Scores {
		score := parseF(t, s.Score)
		if got := posStrings(Position(score)); !slices.Equal(got, s.Pos) {
			t.Errorf("score %s: GEOPOS %v, Redis %v", s.Score, got, s.Pos)
		}
		if got := String(score); string(got[:]) != s.Hash {
			t.Errorf("score %s: GEOHASH %s, Redis %s", s.Score, got[:], s.Hash)
		}
	}
}

// validScores are the recorded scores of members p0, p1, ...
func validScores(t *testing.T, tab *table) []float64 {
	var out []float64
	for _, p := range tab.Points {
		if p.Err == "" {
			out = append(out, parseF(t, p.Score))
		}
	}
	return out
}

// TestRedisDistances replays GEODIST in every unit.
func TestRedisDistances(t *testing.T) {
	tab := loadTable(t)
	scores := validScores(t, tab)
	for _, d := range tab.Dists {
		conv, ok := Unit([]byte(d.Unit))
		if !ok {
			t.Fatalf("unit %q", d.Unit)
		}
		lon1, lat1 := Position(scores[d.A])
		lon2, lat2 := Position(scores[d.B])
		if got := string(AppendDistance(nil, Distance(lon1, lat1, lon2, lat2)/conv)); got != d.Dist {
			t.Errorf("GEODIST p%d p%d %s = %s, Redis %s", d.A, d.B, d.Unit, got, d.Dist)
		}
	}
}

// member is a point of the search key, in sorted-set order.
type member struct {
	name  string
	score float64
}

// search runs a GEOSEARCH the way Redis does with this package: walk each
// range of the shape's areas in score order, keep what Contains accepts.
func search(sh *Shape, set []member) (hits []string, dists []float64) {
	a := sh.Areas()
	for _, r := range a.Ranges(nil) {
		i, _ := slices.BinarySearchFunc(set, r.Min, func(m member, x float64) int {
			if m.score < x {
				return -1
			}
			return 1
		})
		for ; i < len(set) && set[i].score < r.Max; i++ {
			if _, _, dist, ok := sh.Contains(set[i].score); ok {
				dist /= sh.Conversion
				hits = append(hits, fmt.Sprintf("%s %s %d", set[i].name, AppendDistance(nil, dist), int64(set[i].score)))
				dists = append(dists, dist)
			}
		}
	}
	return hits, dists
}

// parseSearch turns GEOSEARCH arguments into a Shape.
func parseSearch(t *testing.T, args []string, scores []float64) Shape {
	var sh Shape
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "FROMLONLAT":
			sh.Lon, sh.Lat = parseF(t, args[i+1]), parseF(t, args[i+2])
			i += 2
		case "FROMMEMBER":
			n, _ := strconv.Atoi(strings.TrimPrefix(args[i+1], "p"))
			sh.Lon, sh.Lat = Position(scores[n])
			i++
		case "BYRADIUS":
			sh.Radius = parseF(t, args[i+1])
			sh.Conversion, _ = Unit([]byte(args[i+2]))
			i += 2
		case "BYBOX":
			sh.Box = true
			sh.Width, sh.Height = parseF(t, args[i+1]), parseF(t, args[i+2])
			sh.Conversion, _ = Unit([]byte(args[i+3]))
			i += 3
		default:
			t.Fatalf("argument %q", args[i])
		}
	}
	return sh
}

// TestRedisSearches replays GEOSEARCH: the same members in the same order
// (Redis's walk of the areas when unsorted), with the same distances and
// hashes; and the distances GEOSEARCHSTORE STOREDIST stores, to the bit
// where the C library's trigonometry allows (counted and logged).
func TestRedisSearches(t *testing.T) {
	tab := loadTable(t)
	scores := validScores(t, tab)
	set := make([]member, len(scores))
	for i, s := range scores {
		set[i] = member{"p" + strconv.Itoa(i), s}
	}
	slices.SortFunc(set, func(a, b member) int {
		if a.score != b.score {
			if a.score < b.score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.name, b.name)
	})
	var stored, storedOff, hits int
	for _, s := range tab.Searches {
		if s.Err != "" {
			t.Fatalf("search %v: %s", s.Args, s.Err)
		}
		sh := parseSearch(t, s.Args, scores)
		got, dists := search(&sh, set)
		hits += len(got)
		if !slices.Equal(got, s.Hits) {
			t.Errorf("GEOSEARCH %v:\n got %d hits %.300v\nwant %d hits %.300v", s.Args, len(got), got, len(s.Hits), s.Hits)
			continue
		}
		byName := map[string]float64{}
		for i, h := range got {
			byName[h[:strings.IndexByte(h, ' ')]] = dists[i]
		}
		for _, st := range s.Stored {
			name, sc, _ := strings.Cut(st, " ")
			stored++
			if math.Float64bits(byName[name]) != math.Float64bits(parseF(t, sc)) {
				storedOff++
			}
		}
	}
	t.Logf("%d searches, %d hits; %d stored distances, %d differ from Redis's in the last bits", len(tab.Searches), hits, stored, storedOff)
	if stored == 0 || hits == 0 {
		t.Fatal("empty table")
	}
}
