package zsetcmd

import (
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// ZRANGE, its older forms and ZRANGESTORE (Redis's zrangeGenericCommand).

type rangeKind uint8

const (
	byAuto rangeKind = iota
	byRank
	byScore
	byLex
)

// rangeSpec is a parsed range request.
type rangeSpec struct {
	kind       rangeKind
	rev        bool
	withScores bool
	start, end int64 // byRank
	smin, smax scoreBound
	lmin, lmax lexBound
	offset     int64
	limit      int64 // -1: no limit
}

// parseRange reads the arguments of a range from the source key at at on:
// <src> <min> <max> [BYSCORE|BYLEX] [REV] [WITHSCORES] [LIMIT offset count],
// the options a command allows as Redis's zrangeGenericCommand reads them.
// kind and rev are the command's own (byAuto and dirAuto leave them to the
// options). It writes the error unless quiet.
func parseRange(x *command.Exec, at int, store bool, kind rangeKind, dir int, quiet bool) (rangeSpec, bool) {
	fail := func(msg string) {
		if !quiet {
			x.Err(msg)
		}
	}
	sp := rangeSpec{kind: kind, limit: -1, rev: dir > 0}
	autoDir := dir < 0
	for j := at + 3; j < len(x.Args); j++ {
		left := len(x.Args) - j - 1
		a := x.Args[j]
		switch {
		case !store && command.EqFold(a, "withscores"):
			sp.withScores = true
		case command.EqFold(a, "limit") && left >= 2:
			var ok1, ok2 bool
			sp.offset, ok1 = command.ParseInt(x.Args[j+1])
			if ok1 {
				sp.limit, ok2 = command.ParseInt(x.Args[j+2])
			}
			if !ok1 || !ok2 {
				fail(command.ErrNotInt.Error())
				return sp, false
			}
			j += 2
		case autoDir && command.EqFold(a, "rev"):
			sp.rev, autoDir = true, false
		case kind == byAuto && sp.kind == byAuto && command.EqFold(a, "bylex"):
			sp.kind = byLex
		case kind == byAuto && sp.kind == byAuto && command.EqFold(a, "byscore"):
			sp.kind = byScore
		default:
			fail(command.ErrSyntax.Error())
			return sp, false
		}
	}
	if sp.kind == byAuto {
		sp.kind = byRank
	}
	if sp.limit != -1 && sp.kind == byRank {
		fail("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
		return sp, false
	}
	if sp.withScores && sp.kind == byLex {
		fail("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
		return sp, false
	}
	lo, hi := x.Args[at+1], x.Args[at+2]
	if sp.rev && sp.kind != byRank {
		lo, hi = hi, lo
	}
	switch sp.kind {
	case byRank:
		var ok1, ok2 bool
		sp.start, ok1 = command.ParseInt(lo)
		if ok1 {
			sp.end, ok2 = command.ParseInt(hi)
		}
		if !ok1 || !ok2 {
			fail(command.ErrNotInt.Error())
			return sp, false
		}
	case byScore:
		var ok1, ok2 bool
		sp.smin, ok1 = parseScoreBound(lo)
		sp.smax, ok2 = parseScoreBound(hi)
		if !ok1 || !ok2 {
			fail(errMinMaxFloat)
			return sp, false
		}
	case byLex:
		var ok1, ok2 bool
		sp.lmin, ok1 = parseLexBound(lo)
		sp.lmax, ok2 = parseLexBound(hi)
		if !ok1 || !ok2 {
			fail(errLexRange)
			return sp, false
		}
	}
	return sp, true
}

// selection returns where a range starts (an ascending rank), how many
// members it holds and whether it runs downwards.
func (sp *rangeSpec) selection(z *shard.ZSet) (first, n int, down bool) {
	size := int64(z.Len())
	switch sp.kind {
	case byRank:
		start, end := sp.start, sp.end
		if start < 0 {
			start += size
		}
		if end < 0 {
			end += size
		}
		start = max(start, 0)
		if start > end || start >= size {
			return 0, 0, false
		}
		end = min(end, size-1)
		n = int(end - start + 1)
		if sp.rev {
			return int(size - 1 - start), n, true
		}
		return int(start), n, false
	}
	var lo, hi int
	if sp.kind == byScore {
		lo, hi = scoreRanks(z, sp.smin, sp.smax)
	} else {
		lo, hi = lexRanks(z, sp.lmin, sp.lmax)
	}
	if sp.offset < 0 || (sp.offset > 0 && sp.offset >= size) {
		return 0, 0, false
	}
	var avail int64
	if sp.rev {
		first = hi - 1 - int(sp.offset)
		avail = int64(first - lo + 1)
	} else {
		first = lo + int(sp.offset)
		avail = int64(hi - first)
	}
	if avail <= 0 {
		return 0, 0, false
	}
	if sp.limit >= 0 {
		avail = min(avail, sp.limit)
	}
	return first, int(avail), sp.rev
}

func cmdZRange(x *command.Exec)           { zrange(x, byAuto, -1) }
func cmdZRevRange(x *command.Exec)        { zrange(x, byRank, 1) }
func cmdZRangeByScore(x *command.Exec)    { zrange(x, byScore, 0) }
func cmdZRevRangeByScore(x *command.Exec) { zrange(x, byScore, 1) }
func cmdZRangeByLex(x *command.Exec)      { zrange(x, byLex, 0) }
func cmdZRevRangeByLex(x *command.Exec)   { zrange(x, byLex, 1) }

// zrange replies with a range; dir is -1 when REV decides, else 1 for a
// reverse command.
func zrange(x *command.Exec, kind rangeKind, dir int) {
	sp, ok := parseRange(x, 1, false, kind, dir, false)
	if !ok {
		return
	}
	z, found, ok := getZSet(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Array(0)
		return
	}
	first, n, down := sp.selection(&z)
	if sp.withScores && x.Proto == 2 {
		x.Array(2 * n)
	} else {
		x.Array(n)
	}
	if n == 0 {
		return
	}
	nested := sp.withScores && x.Proto > 2
	z.Range(first, down, func(m []byte, s float64) bool {
		if nested {
			x.Array(2)
		}
		x.Bulk(m)
		if sp.withScores {
			x.Double(s)
		}
		n--
		return n > 0
	})
}

// items are members and scores taken out of a sorted set, as Go values
// (no reference into a shard's cells).
type items struct {
	m command.Values
	s []float64
}

func (it *items) add(m []byte, s float64) {
	it.m.Append(m, true)
	it.s = append(it.s, s)
}

func (it *items) len() int { return len(it.s) }

// rangeItems copies out the range sp of key, or reports WRONGTYPE (quiet:
// without writing it).
func rangeItems(x *command.Exec, key []byte, sp *rangeSpec) (it items, wrongType bool) {
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, x.LookupFlags())
	if !found {
		return it, false
	}
	if db.Type(h) != shard.TypeZSet {
		return it, true
	}
	z := db.OpenZSet(key, h)
	first, n, down := sp.selection(&z)
	if n == 0 {
		return it, false
	}
	it.s = make([]float64, 0, n)
	z.Range(first, down, func(m []byte, s float64) bool {
		it.add(m, s)
		n--
		return n > 0
	})
	return it, false
}

// storeItems makes the sorted set of it the value of dst (no TTL), or
// deletes dst when it is empty: the last step of ZRANGESTORE and the STORE
// forms, in the encoding Redis ends with. The set operations (hint < 0)
// build a skiplist and convert it to a listpack when it has at most
// zset-max-listpack-entries members of at most zset-max-listpack-value
// bytes. ZRANGESTORE creates the destination for hint members
// (zsetTypeCreate: the rank range's length, 0 for the others) and adds
// the members in the order the range yields them, converting as an insert
// requires; the members added while it was a listpack have lost a score's
// sign of zero, as in Redis.
func storeItems(x *command.Exec, dst []byte, it *items, hint int) {
	db := x.DB(dst)
	if it.len() == 0 {
		if db.Delete(dst) {
			x.Notify(command.NotifyGeneric, "del", dst)
		}
		return
	}
	maxLen := 0
	if hint < 0 {
		hint = it.len()
		for i := range it.len() {
			m, _ := it.m.At(i)
			maxLen = max(maxLen, len(m))
		}
	}
	lim := limits(x)
	z := db.NewZSet(dst, hint, maxLen, lim, x.Now)
	for i := range it.len() {
		m, _ := it.m.At(i)
		z.Add(m, it.s[i], lim)
	}
	// The event is the command's name: zrangestore, zunionstore,
	// zinterstore, zdiffstore.
	x.Notify(command.NotifyZSet, x.Cmd.Name, dst)
}

// storeHint is the size ZRANGESTORE creates its destination for: the rank
// range's length, 0 for a score or lex range (Redis's -1).
func (sp *rangeSpec) storeHint(it *items) int {
	if sp.kind == byRank {
		return it.len()
	}
	return 0
}

// cmdZRangeStore is ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV]
// [LIMIT offset count] with both keys on one shard.
func cmdZRangeStore(x *command.Exec) {
	sp, ok := parseRange(x, 2, true, byAuto, -1, false)
	if !ok {
		return
	}
	it, wrong := rangeItems(x, x.Args[2], &sp)
	if wrong {
		x.Fail(command.ErrWrongType)
		return
	}
	storeItems(x, x.Args[1], &it, sp.storeHint(&it))
	x.Int(int64(it.len()))
}

// rangeStoreCross: the source's shard copies out the range, the
// coordinator answers, the destination's shard stores it.
var rangeStoreCross = &command.Cross{
	Read: func(x *command.Exec) {
		src := x.Args[2]
		if !x.OwnsKey(src) {
			return
		}
		sp, ok := parseRange(x, 2, true, byAuto, -1, true)
		if !ok {
			return
		}
		it, wrong := rangeItems(x, src, &sp)
		if wrong {
			x.Result.Err = wrongType
			return
		}
		x.Result.Found = true
		x.Result.Value = &it
	},
	Apply: func(x *command.Exec, reads []*command.Exec) []command.Write {
		sp, ok := parseRange(x, 2, true, byAuto, -1, false)
		if !ok {
			return nil
		}
		r := reads[x.Env.Route(x.Args[2])].Result
		if r.Err != "" {
			x.Fail(command.ErrWrongType)
			return nil
		}
		it := &items{}
		if r.Value != nil {
			it = r.Value.(*items)
		}
		x.Int(int64(it.len()))
		dst := x.Args[1]
		hint := sp.storeHint(it)
		return []command.Write{{Shard: x.Env.Route(dst), Do: func(p *command.Exec) { storeItems(p, dst, it, hint) }}}
	},
}

// wrongType marks, in a read's Result.Err, a key of another type. The read
// does not reply: the coordinator answers the error once.
var wrongType = command.ErrWrongType.Error()
