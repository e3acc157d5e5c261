package geocmd

import (
	"github.com/anaxdb/anax/container/geohash"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// Commands returns the family's command specs.
func Commands() []*command.Spec {
	w := command.FlagWrite | command.FlagDenyOOM
	r := command.FlagReadOnly
	geo := func(c *command.Spec) *command.Spec {
		if c.FirstKey == 0 {
			// Also for the movable keys of GEORADIUS...: COMMAND INFO
			// shows Redis's legacy range, Keys finds the STORE key.
			c.FirstKey, c.LastKey, c.Step = 1, 1, 1
		}
		c.Group = "geo"
		return c
	}
	return []*command.Spec{
		geo(&command.Spec{Name: "geoadd", Arity: -5, Flags: w, Run: cmdGeoAdd, Summary: "Adds one or more members to a geospatial index. The key is created if it doesn't exist.", Since: "3.2.0", Complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set."}),
		geo(&command.Spec{Name: "geopos", Arity: -2, Flags: r, Run: cmdGeoPos, Summary: "Returns the longitude and latitude of members from a geospatial index.", Since: "3.2.0", Complexity: "O(1) for each member requested."}),
		geo(&command.Spec{Name: "geodist", Arity: -4, Flags: r, Run: cmdGeoDist, Summary: "Returns the distance between two members of a geospatial index.", Since: "3.2.0", Complexity: "O(1)"}),
		geo(&command.Spec{Name: "geohash", Arity: -2, Flags: r, Run: cmdGeoHash, Summary: "Returns members from a geospatial index as geohash strings.", Since: "3.2.0", Complexity: "O(1) for each member requested."}),
		geo(&command.Spec{Name: "geosearch", Arity: -7, Flags: r, Run: searchRun(1, flagSearch), Summary: "Queries a geospatial index for members inside an area of a box or a circle.", Since: "6.2.0", Complexity: "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape"}),
		geo(&command.Spec{Name: "geosearchstore", Arity: -8, Flags: w, FirstKey: 1, LastKey: 2, Step: 1, Run: searchRun(2, flagSearch|flagSearchStore), Cross: searchCross(2, flagSearch|flagSearchStore), Summary: "Queries a geospatial index for members inside an area of a box or a circle, optionally stores the result.", Since: "6.2.0", Complexity: "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape"}),
		geo(&command.Spec{Name: "georadius", Arity: -6, Flags: w, Keys: radiusKeys, Run: searchRun(1, flagCoords), Cross: searchCross(1, flagCoords), Summary: "Queries a geospatial index for members within a distance from a coordinate, optionally stores the result.", Since: "3.2.0", Complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index."}),
		geo(&command.Spec{Name: "georadiusbymember", Arity: -5, Flags: w, Keys: radiusKeys, Run: searchRun(1, flagMember), Cross: searchCross(1, flagMember), Summary: "Queries a geospatial index for members within a distance from a member, optionally stores the result.", Since: "3.2.0", Complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index."}),
		geo(&command.Spec{Name: "georadius_ro", Arity: -6, Flags: r, Run: searchRun(1, flagCoords|flagNoStore), Summary: "Returns members from a geospatial index that are within a distance from a coordinate.", Since: "3.2.10", Complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index."}),
		geo(&command.Spec{Name: "georadiusbymember_ro", Arity: -5, Flags: r, Run: searchRun(1, flagMember|flagNoStore), Summary: "Returns members from a geospatial index that are within a distance from a member.", Since: "3.2.10", Complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index."}),
	}
}

// radiusKeys finds GEORADIUS's and GEORADIUSBYMEMBER's keys as Redis's
// georadiusGetKeys does: the source, and the argument after the last STORE
// or STOREDIST from the sixth argument on.
func radiusKeys(args [][]byte, dst []int) []int {
	dst = append(dst, 1)
	stored := -1
	for i := 5; i < len(args); i++ {
		if (command.EqFold(args[i], "store") || command.EqFold(args[i], "storedist")) && i+1 < len(args) {
			stored = i + 1
			i++
		}
	}
	if stored > 0 {
		dst = append(dst, stored)
	}
	return dst
}

// limits returns the listpack thresholds now configured.
func limits(x *command.Exec) shard.ZSetLimits {
	return shard.ZSetLimits{
		Entries: x.Env.Limits().ZSetListpackEntries,
		Value:   x.Env.Limits().ZSetListpackValue,
	}
}

// getZSet looks key up for reading (Redis's lookupKeyRead). It returns
// ok=false after writing WRONGTYPE when the key holds another type.
func getZSet(x *command.Exec, db *shard.DB, key []byte, flags int) (z shard.ZSet, found, ok bool) {
	h, found := db.Lookup(key, x.Now, flags)
	if !found {
		return z, false, true
	}
	if db.Type(h) != shard.TypeZSet {
		x.Fail(command.ErrWrongType)
		return z, true, false
	}
	return db.OpenZSet(key, h), true, true
}

// parseLonLat reads a longitude and a latitude as Redis's
// extractLongLatOrReply: two doubles, then the range check.
func parseLonLat(lonArg, latArg []byte) (lon, lat float64, errMsg string) {
	var ok bool
	if lon, ok = command.ParseDouble(lonArg); !ok {
		return 0, 0, command.ErrNotFloat.Error()
	}
	if lat, ok = command.ParseDouble(latArg); !ok {
		return 0, 0, command.ErrNotFloat.Error()
	}
	if !geohash.Valid(lon, lat) {
		return 0, 0, string(geohash.AppendInvalidPairError(nil, lon, lat))
	}
	return lon, lat, ""
}

// cmdGeoAdd is ZADD with scores computed from coordinates: every pair is
// checked before anything is written, then the type of the key.
func cmdGeoAdd(x *command.Exec) {
	nx, xx, ch := false, false, false
	i := 2
	for ; i < len(x.Args); i++ {
		switch a := x.Args[i]; {
		case command.EqFold(a, "nx"):
			nx = true
		case command.EqFold(a, "xx"):
			xx = true
		case command.EqFold(a, "ch"):
			ch = true
		default:
			goto parsed
		}
	}
parsed:
	n := len(x.Args) - i
	if n%3 != 0 || (nx && xx) || n == 0 {
		x.Fail(command.ErrSyntax)
		return
	}
	scores := make([]float64, n/3)
	for j := range scores {
		lon, lat, msg := parseLonLat(x.Args[i+3*j], x.Args[i+3*j+1])
		if msg != "" {
			x.Err(msg)
			return
		}
		scores[j], _ = geohash.Score(lon, lat)
	}
	key := x.Args[1]
	db := x.DB(key)
	z, found, ok := getZSet(x, db, key, shard.NoStats)
	if !ok {
		return
	}
	if !found {
		if xx {
			x.Int(0)
			return
		}
		maxLen := 0
		for j := range scores {
			maxLen = max(maxLen, len(x.Args[i+3*j+2]))
		}
		z = db.NewZSet(key, len(scores), maxLen, limits(x), x.Now)
	} else {
		z.MaybeBig(len(scores), limits(x))
	}
	lim := limits(x)
	added, changed := 0, 0
	for j, score := range scores {
		member := x.Args[i+3*j+2]
		old, exists := z.Score(member)
		switch {
		case exists && nx, !exists && xx:
			continue
		case exists && old == score:
			continue
		case exists:
			z.Add(member, score, lim)
			changed++
		default:
			z.Add(member, score, lim)
			added++
		}
	}
	if added+changed > 0 {
		// GEOADD is ZADD in Redis, events included.
		x.Notify(command.NotifyZSet, "zadd", key)
	}
	if ch {
		x.Int(int64(added + changed))
		return
	}
	x.Int(int64(added))
}

// cmdGeoPos answers each member's position, the centre of its geohash
// cell, or a null array for a missing member.
func cmdGeoPos(x *command.Exec) {
	key := x.Args[1]
	db := x.DB(key)
	z, found, ok := getZSet(x, db, key, x.LookupFlags())
	if !ok {
		return
	}
	x.Array(len(x.Args) - 2)
	for _, member := range x.Args[2:] {
		score, exists := scoreOf(z, found, member)
		if !exists {
			x.NullArray()
			continue
		}
		lon, lat := geohash.Position(score)
		x.Array(2)
		replyCoord(x, lon)
		replyCoord(x, lat)
	}
}

// scoreOf returns member's score in z when the key exists.
func scoreOf(z shard.ZSet, keyFound bool, member []byte) (float64, bool) {
	if !keyFound {
		return 0, false
	}
	return z.Score(member)
}

// cmdGeoDist answers the distance between two members, or null when
// either (or the key) is missing. The unit is read before the key.
func cmdGeoDist(x *command.Exec) {
	toMeters := 1.0
	switch {
	case len(x.Args) == 5:
		var msg string
		if toMeters, msg = unitMeters(x.Args[4]); msg != "" {
			x.Err(msg)
			return
		}
	case len(x.Args) > 5:
		x.Fail(command.ErrSyntax)
		return
	}
	key := x.Args[1]
	db := x.DB(key)
	z, found, ok := getZSet(x, db, key, x.LookupFlags())
	if !ok {
		return
	}
	s1, ok1 := scoreOf(z, found, x.Args[2])
	s2, ok2 := scoreOf(z, found, x.Args[3])
	if !ok1 || !ok2 {
		x.Null()
		return
	}
	lon1, lat1 := geohash.Position(s1)
	lon2, lat2 := geohash.Position(s2)
	replyDistance(x, geohash.Distance(lon1, lat1, lon2, lat2)/toMeters)
}

// cmdGeoHash answers each member's 11-character standard geohash, or null.
func cmdGeoHash(x *command.Exec) {
	key := x.Args[1]
	db := x.DB(key)
	z, found, ok := getZSet(x, db, key, x.LookupFlags())
	if !ok {
		return
	}
	x.Array(len(x.Args) - 2)
	for _, member := range x.Args[2:] {
		score, exists := scoreOf(z, found, member)
		if !exists {
			x.Null()
			continue
		}
		s := geohash.String(score)
		x.Bulk(s[:])
	}
}

// replyCoord answers a coordinate as Redis's addReplyHumanLongDouble: the
// double's exact value to 17 decimals, trailing zeros dropped; a bulk
// string in RESP2, a double in RESP3.
func replyCoord(x *command.Exec, v float64) {
	var tmp [48]byte
	text := geohash.AppendCoord(tmp[:0], v)
	if x.Proto >= 3 {
		x.Out = append(append(append(x.Out, ','), text...), '\r', '\n')
		return
	}
	x.Bulk(text)
}

// replyDistance answers a distance with four decimals, as Redis's
// addReplyDoubleDistance (a bulk string in both protocols).
func replyDistance(x *command.Exec, d float64) {
	var tmp [48]byte
	x.Bulk(geohash.AppendDistance(tmp[:0], d))
}
