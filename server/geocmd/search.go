package geocmd

import (
	"fmt"
	"slices"

	"github.com/anaxdb/anax/container/geohash"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// What a search command is (Redis's georadiusGeneric flags).
const (
	flagCoords      = 1 << iota // GEORADIUS: centre from coordinates
	flagMember                  // GEORADIUSBYMEMBER: centre from a member
	flagNoStore                 // the _RO forms: no STORE or STOREDIST
	flagSearch                  // GEOSEARCH's arguments
	flagSearchStore             // GEOSEARCHSTORE: the destination first
)

// Sort orders of a search's reply.
const (
	sortNone = iota
	sortAsc
	sortDesc
)

// search is a parsed search command and, once run, what it found.
type search struct {
	shape                         geohash.Shape
	withDist, withHash, withCoord bool
	any                           bool
	order                         int
	count                         int64 // 0: no limit
	store                         []byte
	storeDist                     bool

	srcFound bool
	hits     []hit
}

// hit is one member found in the shape.
type hit struct {
	member   []byte // a copy
	dist     float64
	score    float64
	lon, lat float64
}

// wrongType is WRONGTYPE's text, for a search that reports its error as a
// string (the source's shard of a Cross).
var wrongType = command.ErrWrongType.Error()

// runSearch parses and runs the search on the source key's shard, in
// Redis's order: the source's lookup and type, the options (FROMMEMBER
// reads its member as it goes), the checks between options, then the
// search itself when the source exists. It writes no reply: an error comes
// back as its text.
func runSearch(x *command.Exec, src int, flags int) (s search, errMsg string) {
	key := x.Args[src]
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, x.LookupFlags())
	var z shard.ZSet
	if found {
		if db.Type(h) != shard.TypeZSet {
			return s, wrongType
		}
		z = db.OpenZSet(key, h)
	}
	s.srcFound = found
	args := x.Args
	base := 0
	switch {
	case flags&flagCoords != 0:
		base = 6
		var msg string
		if s.shape.Lon, s.shape.Lat, msg = parseLonLat(args[2], args[3]); msg != "" {
			return s, msg
		}
		if msg := parseDistance(&s.shape, args[4], args[5]); msg != "" {
			return s, msg
		}
	case flags&flagMember != 0 && !found:
		base = 5 // parse on, to know which reply a missing key gets
	case flags&flagMember != 0:
		base = 5
		score, ok := z.Score(args[2])
		if !ok {
			return s, "ERR could not decode requested zset member"
		}
		s.shape.Lon, s.shape.Lat = geohash.Position(score)
		if msg := parseDistance(&s.shape, args[3], args[4]); msg != "" {
			return s, msg
		}
	case flags&flagSearchStore != 0:
		base = 3
		s.store = args[1]
	default:
		base = 2
	}
	fromMember, fromLoc, byRadius, byBox := false, false, false, false
	for i := base; i < len(args); i++ {
		arg, rest := args[i], len(args)-i-1
		switch {
		case command.EqFold(arg, "withdist"):
			s.withDist = true
		case command.EqFold(arg, "withhash"):
			s.withHash = true
		case command.EqFold(arg, "withcoord"):
			s.withCoord = true
		case command.EqFold(arg, "any"):
			s.any = true
		case command.EqFold(arg, "asc"):
			s.order = sortAsc
		case command.EqFold(arg, "desc"):
			s.order = sortDesc
		case command.EqFold(arg, "count") && rest >= 1:
			n, ok := command.ParseInt(args[i+1])
			if !ok {
				return s, command.ErrNotInt.Error()
			}
			if n <= 0 {
				return s, "ERR COUNT must be > 0"
			}
			s.count = n
			i++
		case (command.EqFold(arg, "store") || command.EqFold(arg, "storedist")) && rest >= 1 &&
			flags&(flagNoStore|flagSearch) == 0:
			s.store, s.storeDist = args[i+1], command.EqFold(arg, "storedist")
			i++
		case command.EqFold(arg, "storedist") && flags&flagSearchStore != 0:
			s.storeDist = true
		case command.EqFold(arg, "frommember") && rest >= 1 && flags&flagSearch != 0 && !fromLoc:
			if found {
				score, ok := z.Score(args[i+1])
				if !ok {
					return s, "ERR could not decode requested zset member"
				}
				s.shape.Lon, s.shape.Lat = geohash.Position(score)
			}
			fromMember = true
			i++
		case command.EqFold(arg, "fromlonlat") && rest >= 2 && flags&flagSearch != 0 && !fromMember:
			var msg string
			if s.shape.Lon, s.shape.Lat, msg = parseLonLat(args[i+1], args[i+2]); msg != "" {
				return s, msg
			}
			fromLoc = true
			i += 2
		case command.EqFold(arg, "byradius") && rest >= 2 && flags&flagSearch != 0 && !byBox:
			if msg := parseDistance(&s.shape, args[i+1], args[i+2]); msg != "" {
				return s, msg
			}
			s.shape.Box = false
			byRadius = true
			i += 2
		case command.EqFold(arg, "bybox") && rest >= 3 && flags&flagSearch != 0 && !byRadius:
			if msg := parseBox(&s.shape, args[i+1], args[i+2], args[i+3]); msg != "" {
				return s, msg
			}
			s.shape.Box = true
			byBox = true
			i += 3
		default:
			return s, command.ErrSyntax.Error()
		}
	}
	switch {
	case s.store != nil && (s.withDist || s.withHash || s.withCoord):
		what := "STORE option in GEORADIUS"
		if flags&flagSearchStore != 0 {
			what = "GEOSEARCHSTORE"
		}
		return s, "ERR " + what + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
	case flags&flagSearch != 0 && !fromMember && !fromLoc:
		return s, fmt.Sprintf("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for %s", args[0])
	case flags&flagSearch != 0 && !byRadius && !byBox:
		return s, fmt.Sprintf("ERR exactly one of BYRADIUS and BYBOX can be specified for %s", args[0])
	case s.any && s.count == 0:
		return s, "ERR the ANY argument requires COUNT argument"
	}
	if !found {
		return s, ""
	}
	// COUNT without an order means the nearest ones: sort ascending
	// (unless ANY, which takes the first found).
	if s.count != 0 && s.order == sortNone && !s.any {
		s.order = sortAsc
	}
	limit := 0
	if s.any {
		limit = int(s.count)
	}
	s.hits = collect(z, &s.shape, limit)
	if s.order != sortNone {
		slices.SortStableFunc(s.hits, func(a, b hit) int {
			c := 0
			switch {
			case a.dist < b.dist:
				c = -1
			case a.dist > b.dist:
				c = 1
			}
			if s.order == sortDesc {
				c = -c
			}
			return c
		})
	}
	if s.count != 0 && int64(len(s.hits)) > s.count {
		s.hits = s.hits[:s.count]
	}
	return s, ""
}

// parseDistance reads "<radius> <unit>" into sh.
func parseDistance(sh *geohash.Shape, radius, unit []byte) string {
	r, ok := command.ParseDouble(radius)
	if !ok {
		return "ERR need numeric radius"
	}
	if r < 0 {
		return "ERR radius cannot be negative"
	}
	toMeters, msg := unitMeters(unit)
	if msg != "" {
		return msg
	}
	sh.Radius, sh.Conversion = r, toMeters
	return ""
}

// parseBox reads "<width> <height> <unit>" into sh.
func parseBox(sh *geohash.Shape, width, height, unit []byte) string {
	w, ok := command.ParseDouble(width)
	if !ok {
		return "ERR need numeric width"
	}
	h, ok := command.ParseDouble(height)
	if !ok {
		return "ERR need numeric height"
	}
	if h < 0 || w < 0 {
		return "ERR height or width cannot be negative"
	}
	toMeters, msg := unitMeters(unit)
	if msg != "" {
		return msg
	}
	sh.Width, sh.Height, sh.Conversion = w, h, toMeters
	return ""
}

// unitMeters returns the meters in one unit, or the error text.
func unitMeters(unit []byte) (float64, string) {
	if m, ok := geohash.Unit(unit); ok {
		return m, ""
	}
	return 0, "ERR unsupported unit provided. please use M, KM, FT, MI"
}

// collect walks the score ranges of the shape's cell and its neighbours, in
// Redis's order, and keeps the members inside the shape; with limit > 0
// (ANY) it stops once it has that many.
func collect(z shard.ZSet, sh *geohash.Shape, limit int) []hit {
	var hits []hit
	areas := sh.Areas()
	var rb [9]geohash.Range
	for _, r := range areas.Ranges(rb[:0]) {
		if limit > 0 && len(hits) >= limit {
			break
		}
		// The members with Min <= score < Max, ascending.
		z.Range(z.CountBelow(r.Min, false), false, func(member []byte, score float64) bool {
			if score >= r.Max {
				return false
			}
			if lon, lat, d, in := sh.Contains(score); in {
				hits = append(hits, hit{member: append([]byte(nil), member...), dist: d, score: score, lon: lon, lat: lat})
			}
			return limit == 0 || len(hits) < limit
		})
	}
	return hits
}

// searchRun is a search run whole on one shard (its keys share it).
func searchRun(src, flags int) func(x *command.Exec) {
	return func(x *command.Exec) {
		s, msg := runSearch(x, src, flags)
		if msg != "" {
			x.Err(msg)
			return
		}
		if s.store == nil {
			replyHits(x, &s)
			return
		}
		x.Int(int64(len(s.hits)))
		storeHits(x, &s)
	}
}

// replyHits answers a search that stores nothing.
func replyHits(x *command.Exec, s *search) {
	extra := 0
	for _, on := range []bool{s.withDist, s.withCoord, s.withHash} {
		if on {
			extra++
		}
	}
	x.Array(len(s.hits))
	for _, h := range s.hits {
		if extra > 0 {
			x.Array(extra + 1)
		}
		x.Bulk(h.member)
		if s.withDist {
			replyDistance(x, h.dist/s.shape.Conversion)
		}
		if s.withHash {
			x.Int(int64(h.score))
		}
		if s.withCoord {
			x.Array(2)
			replyCoord(x, h.lon)
			replyCoord(x, h.lat)
		}
	}
}

// storeHits writes the search's result under its destination on this
// shard: a sorted set of the members with their scores, or their distances
// in the command's unit (STOREDIST); an empty result deletes the key.
func storeHits(x *command.Exec, s *search) {
	db := x.DB(s.store)
	if len(s.hits) == 0 {
		if db.Delete(s.store) {
			x.Notify(command.NotifyGeneric, "del", s.store)
		}
		return
	}
	maxLen := 0
	for _, h := range s.hits {
		maxLen = max(maxLen, len(h.member))
	}
	lim := limits(x)
	z := db.NewZSet(s.store, len(s.hits), maxLen, lim, x.Now)
	for _, h := range s.hits {
		score := h.score
		if s.storeDist {
			score = h.dist / s.shape.Conversion
		}
		z.Add(h.member, score, lim)
	}
	event := "georadiusstore"
	if x.Cmd.Name == "geosearchstore" {
		event = "geosearchstore"
	}
	x.Notify(command.NotifyZSet, event, s.store)
}

// searchCross is a storing search whose destination lives on another
// shard: the source's shard searches, the coordinator answers, and the
// destination's shard stores.
func searchCross(src, flags int) *command.Cross {
	return &command.Cross{
		Read: func(x *command.Exec) {
			if !x.OwnsKey(x.Args[src]) {
				return
			}
			s, msg := runSearch(x, src, flags)
			x.Result.Err = msg
			x.Result.Value = &s
		},
		Apply: func(x *command.Exec, reads []*command.Exec) []command.Write {
			r := reads[x.Env.Route(x.Args[src])]
			if r.Result.Err != "" {
				x.Err(r.Result.Err)
				return nil
			}
			s := r.Result.Value.(*search)
			if s.store == nil {
				replyHits(x, s) // not reached: without a destination the keys share a shard
				return nil
			}
			x.Int(int64(len(s.hits)))
			return []command.Write{{Shard: x.Env.Route(s.store), Do: func(p *command.Exec) { storeHits(p, s) }}}
		},
	}
}
