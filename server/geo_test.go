package server_test

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/anaxdb/anax/internal/servertest"
)

// geoScript exercises the geo family; every reply must be byte-identical
// to Redis's, errors and their order included.
var geoScript = [][]string{
	{"GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"},
	{"GEOADD", "Sicily", "13.361389", "38.115556", "Palermo"}, {"GEOADD", "Sicily", "CH", "13.4", "38.1", "Palermo"},
	{"GEOADD", "Sicily", "NX", "CH", "1", "1", "Palermo", "2", "2", "Nowhere"}, {"GEOADD", "Sicily", "XX", "CH", "13.361389", "38.115556", "Palermo", "3", "3", "Other"},
	{"GEOADD", "Sicily", "NX", "XX", "1", "1", "a"}, {"GEOADD", "Sicily", "1", "1"}, {"GEOADD", "Sicily", "CH", "CH", "CH"},
	{"GEOADD", "Sicily", "200", "1", "a"}, {"GEOADD", "Sicily", "1", "86", "a"}, {"GEOADD", "Sicily", "x", "1", "a"},
	{"GEOADD", "Sicily", "1", "y", "a"}, {"GEOADD", "Sicily", "inf", "1", "a"}, {"GEOADD", "Sicily", "1", "1", "ok", "1", "100", "bad"},
	{"ZRANGE", "Sicily", "0", "-1", "WITHSCORES"}, {"ZSCORE", "Sicily", "Palermo"}, {"TYPE", "Sicily"}, {"OBJECT", "ENCODING", "Sicily"},
	{"GEOPOS", "Sicily", "Palermo", "Catania", "NonExisting"}, {"GEOPOS", "nokey", "a", "b"}, {"GEOPOS", "Sicily"},
	{"GEODIST", "Sicily", "Palermo", "Catania"}, {"GEODIST", "Sicily", "Palermo", "Catania", "km"},
	{"GEODIST", "Sicily", "Palermo", "Catania", "MI"}, {"GEODIST", "Sicily", "Palermo", "Catania", "ft"},
	{"GEODIST", "Sicily", "Palermo", "Foo"}, {"GEODIST", "nokey", "a", "b"}, {"GEODIST", "Sicily", "Palermo", "Catania", "yd"},
	{"GEODIST", "Sicily", "Palermo", "Catania", "km", "x"}, {"GEODIST", "nokey", "a", "b", "yd"}, {"GEODIST", "Sicily", "Palermo", "Palermo"},
	{"GEOHASH", "Sicily", "Palermo", "Catania", "nope"}, {"GEOHASH", "nokey", "a"}, {"GEOHASH", "Sicily"},
	// Searches: every option, alone and together.
	{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"},
	{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "DESC", "WITHCOORD", "WITHDIST", "WITHHASH"},
	{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "ASC", "WITHCOORD", "WITHDIST"},
	{"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "100", "km"}, {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "1000", "1000", "km", "COUNT", "1"},
	{"GEOSEARCH", "Sicily", "FROMMEMBER", "Nope", "BYRADIUS", "100", "km"}, {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "m"},
	{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "1", "ANY"},
	{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ANY"},
	{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "0"},
	{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "x"},
	{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "-1", "km"}, {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "x", "km"},
	{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "-1", "1", "km"}, {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "x", "1", "km"},
	{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "x", "km"}, {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "yd"},
	{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37"}, {"GEOSEARCH", "Sicily", "BYRADIUS", "1", "km", "ASC"},
	{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km"},
	{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"},
	{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "STORE", "x"},
	{"GEOSEARCH", "Sicily", "FROMLONLAT", "200", "37", "BYRADIUS", "1", "km"}, {"GEOSEARCH", "nokey", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km"},
	{"GEOSEARCH", "nokey", "FROMMEMBER", "x", "BYRADIUS", "1", "km"}, {"GEOSEARCH", "nokey", "FROMMEMBER", "x", "BYRADIUS", "1", "km", "ANY"},
	{"GEOSEARCH", "nokey", "BYRADIUS", "1", "km"},
	// Storing searches, destination on this shard and elsewhere.
	{"GEOSEARCHSTORE", "{Sicily}dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"}, {"ZRANGE", "{Sicily}dst", "0", "-1", "WITHSCORES"},
	{"GEOSEARCHSTORE", "far", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST", "ASC", "COUNT", "1"}, {"ZRANGE", "far", "0", "-1"},
	{"GEOSEARCHSTORE", "far", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "m"}, {"EXISTS", "far"},
	{"GEOSEARCHSTORE", "far", "nokey", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "m"},
	{"GEOSEARCHSTORE", "far", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "WITHDIST"},
	{"GEOSEARCHSTORE", "far", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STORE", "x"},
	{"SET", "str", "x"}, {"GEOSEARCHSTORE", "str", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"}, {"TYPE", "str"},
	// GEORADIUS and GEORADIUSBYMEMBER.
	{"GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "ASC"}, {"GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "1"},
	{"GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "r1"}, {"ZRANGE", "r1", "0", "-1", "WITHSCORES"},
	{"GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "r2"}, {"ZRANGE", "r2", "0", "-1"},
	{"GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "r3", "STOREDIST", "r4"}, {"EXISTS", "r3", "r4"},
	{"GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "r1", "WITHDIST"}, {"GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE"},
	{"GEORADIUS", "Sicily", "15", "37", "-5", "km"}, {"GEORADIUS", "Sicily", "15", "37", "5", "furlong"}, {"GEORADIUS", "Sicily", "x", "37", "5", "km"},
	{"GEORADIUS", "Sicily", "15", "37", "200", "km", "FROMLONLAT", "1", "1"}, {"GEORADIUS", "nokey", "15", "37", "200", "km"},
	{"GEORADIUS", "nokey", "15", "37", "200", "km", "STORE", "r1"}, {"EXISTS", "r1"},
	{"GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "WITHDIST", "DESC"}, {"GEORADIUSBYMEMBER", "Sicily", "Nope", "200", "km"},
	{"GEORADIUSBYMEMBER", "nokey", "Nope", "x", "y"}, {"GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "STORE", "{Sicily}x"},
	{"ZCARD", "{Sicily}x"}, {"GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "STORE", "x"}, {"GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "ASC"},
	{"GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", "200", "km", "WITHHASH"},
	// Wrong types, first of all.
	{"GEOADD", "str", "1", "1", "a"}, {"GEOADD", "str", "1", "100", "a"}, {"GEOPOS", "str", "a"}, {"GEODIST", "str", "a", "b"},
	{"GEODIST", "str", "a", "b", "yd"}, {"GEOHASH", "str", "a"}, {"GEOSEARCH", "str", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"},
	{"GEOSEARCH", "str", "BYRADIUS", "x"}, {"GEORADIUS", "str", "15", "37", "200", "km"}, {"GEORADIUSBYMEMBER", "str", "a", "200", "km"},
	{"GEOSEARCHSTORE", "dst", "str", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"},
	// Edges of the world: poles of the projection, the antimeridian.
	{"GEOADD", "edge", "180", "85.05112878", "ne", "-180", "-85.05112878", "sw", "0", "0", "zero", "-0.0001", "0.0001", "nz", "179.9999", "0", "am"},
	{"GEOPOS", "edge", "ne", "sw", "zero", "nz", "am"}, {"GEOHASH", "edge", "ne", "sw", "zero", "nz", "am"},
	{"GEODIST", "edge", "ne", "sw"}, {"GEODIST", "edge", "zero", "nz", "m"},
	{"GEOSEARCH", "edge", "FROMLONLAT", "-179.9999", "0", "BYRADIUS", "50", "km", "WITHDIST"},
	{"GEOSEARCH", "edge", "FROMLONLAT", "0", "0", "BYRADIUS", "30000", "km", "ASC", "WITHDIST"},
	{"GEOSEARCH", "edge", "FROMLONLAT", "0", "0", "BYBOX", "40000", "20000", "km", "DESC", "WITHDIST"},
	{"GEOSEARCH", "edge", "FROMMEMBER", "zero", "BYRADIUS", "0", "m", "WITHDIST"},
	// Arity.
	{"GEOADD", "k", "1", "1"}, {"GEOPOS"}, {"GEODIST", "k", "a"}, {"GEOSEARCH", "k", "FROMLONLAT", "1", "1", "BYRADIUS"},
	{"GEOSEARCHSTORE", "a", "b", "FROMLONLAT", "1", "1", "BYRADIUS"}, {"GEORADIUS", "k", "1", "1", "1"},
	{"GEORADIUSBYMEMBER", "k", "m", "1"}, {"FLUSHALL"},
}

func TestGeoMatchesRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			anax := servertest.Start(t, "--threads", threads)
			servertest.Dial(t, redisAddr).Do("FLUSHALL")
			servertest.Compare(t, anax, redisAddr, geoScript)
		})
	}
}

// geoScript3: the reply shapes RESP3 changes (coordinates are doubles).
var geoScript3 = [][]string{
	{"GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"},
	{"GEOPOS", "Sicily", "Palermo", "nope"}, {"GEOPOS", "nokey", "a"}, {"GEODIST", "Sicily", "Palermo", "Catania"},
	{"GEODIST", "Sicily", "Palermo", "nope"}, {"GEOHASH", "Sicily", "nope", "Palermo"},
	{"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC", "WITHCOORD", "WITHDIST", "WITHHASH"},
	{"FLUSHALL"},
}

func TestGeoMatchesRedisRESP3(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	anax := servertest.Start(t)
	a, r := servertest.Dial(t, anax), servertest.Dial(t, redisAddr)
	a.Do("HELLO", "3")
	r.Do("HELLO", "3")
	r.Do("FLUSHALL")
	for _, cmd := range geoScript3 {
		if ga, gr := a.Do(cmd...), r.Do(cmd...); ga != gr {
			t.Errorf("%q:\n  anax:  %q\n  redis: %q", cmd, ga, gr)
		}
	}
}

// TestRandomGeoCommandsMatchRedis sends a seeded random stream of GEOADD
// and searches of every form (circles and boxes of every size, from
// coordinates and from members, sorted, counted, stored on this shard or
// another) to Anax and redis-server and compares every reply. Small
// listpack limits make the indexes convert between encodings as they grow.
func TestRandomGeoCommandsMatchRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	for _, threads := range []string{"1", "4"} {
		t.Run("threads="+threads, func(t *testing.T) {
			anaxAddr := servertest.Start(t, "--threads", threads)
			a, r := servertest.Dial(t, anaxAddr), servertest.Dial(t, redisAddr)
			r.Do("FLUSHALL")
			for _, c := range []*servertest.Raw{a, r} {
				c.Do("CONFIG", "SET", "zset-max-listpack-entries", "16")
			}
			defer r.Do("CONFIG", "SET", "zset-max-listpack-entries", "128")
			rng := rand.New(rand.NewSource(5))
			keys := []string{"g1", "g2", "{g1}s", "s2"}
			key := func() string { return keys[rng.Intn(2)] }
			coord := func() (string, string) {
				// Clusters around a few centres, and now and then anywhere.
				if rng.Intn(5) == 0 {
					return fmt.Sprintf("%.6f", rng.Float64()*360-180), fmt.Sprintf("%.6f", rng.Float64()*170-85)
				}
				cx := []float64{2.35, -73.98, 151.2, 179.9}[rng.Intn(4)]
				cy := []float64{48.85, 40.75, -33.86, 0.1}[rng.Intn(4)]
				return fmt.Sprintf("%.6f", cx+rng.NormFloat64()*0.5), fmt.Sprintf("%.6f", cy+rng.NormFloat64()*0.5)
			}
			member := func() string { return fmt.Sprint("m", rng.Intn(60)) }
			unit := func() string { return []string{"m", "km", "mi", "ft"}[rng.Intn(4)] }
			radius := func() string { return fmt.Sprint([]int{1, 10, 100, 1000, 50000, 5000000}[rng.Intn(6)]) }
			opts := func(store bool) []string {
				var o []string
				if !store {
					for _, w := range []string{"WITHDIST", "WITHCOORD", "WITHHASH"} {
						if rng.Intn(3) == 0 {
							o = append(o, w)
						}
					}
				}
				switch rng.Intn(3) {
				case 0:
					o = append(o, "ASC")
				case 1:
					o = append(o, "DESC")
				}
				if rng.Intn(3) == 0 {
					o = append(o, "COUNT", fmt.Sprint(1+rng.Intn(5)))
					if rng.Intn(2) == 0 {
						o = append(o, "ANY")
					}
				}
				return o
			}
			from := func() []string {
				if rng.Intn(2) == 0 {
					return []string{"FROMMEMBER", member()}
				}
				x, y := coord()
				return []string{"FROMLONLAT", x, y}
			}
			by := func() []string {
				if rng.Intn(2) == 0 {
					return []string{"BYRADIUS", radius(), unit()}
				}
				return []string{"BYBOX", radius(), radius(), unit()}
			}
			for i := 0; i < 1500; i++ {
				var cmd []string
				switch rng.Intn(10) {
				case 0, 1, 2:
					x, y := coord()
					x2, y2 := coord()
					cmd = []string{"GEOADD", key(), x, y, member(), x2, y2, member()}
				case 3, 4:
					cmd = append(append(append([]string{"GEOSEARCH", key()}, from()...), by()...), opts(false)...)
				case 5:
					cmd = append(append(append([]string{"GEOSEARCHSTORE", keys[2+rng.Intn(2)], key()}, from()...), by()...), opts(true)...)
					if rng.Intn(2) == 0 {
						cmd = append(cmd, "STOREDIST")
					}
				case 6:
					x, y := coord()
					cmd = append([]string{"GEORADIUS", key(), x, y, radius(), unit()}, opts(false)...)
				case 7:
					cmd = append([]string{"GEORADIUSBYMEMBER", key(), member(), radius(), unit()}, opts(true)...)
					cmd = append(cmd, []string{"STORE", "STOREDIST"}[rng.Intn(2)], keys[2+rng.Intn(2)])
				case 8:
					cmd = []string{"GEODIST", key(), member(), member(), unit()}
				default:
					// Stored distances are doubles, which Redis 7.0
					// prints with %.17g and 7.2 (and Anax) shortest:
					// only the geohash scores, integers, are compared.
					cmd = []string{"ZRANGE", keys[rng.Intn(4)], "0", "-1"}
					if rng.Intn(2) == 0 {
						cmd = []string{"ZRANGE", key(), "0", "-1", "WITHSCORES"}
					}
				}
				ga, gr := a.Do(cmd...), r.Do(cmd...)
				if ga != gr {
					t.Fatalf("step %d %q:\n  anax:  %q\n  redis: %q", i, cmd, ga, gr)
				}
			}
		})
	}
}
