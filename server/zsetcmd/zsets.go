package zsetcmd

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/anaxdb/anax/internal/glob"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// Commands returns the family's command specs.
func Commands() []*command.Spec {
	w := command.FlagWrite | command.FlagDenyOOM
	r := command.FlagReadOnly
	fast := command.FlagFast
	k1 := func(c *command.Spec) *command.Spec {
		c.FirstKey, c.LastKey, c.Step = 1, 1, 1
		c.Group = "sorted-set"
		return c
	}
	k2 := func(c *command.Spec) *command.Spec {
		c.FirstKey, c.LastKey, c.Step = 1, 2, 1
		c.Group = "sorted-set"
		return c
	}
	nk := func(c *command.Spec) *command.Spec {
		c.Group = "sorted-set"
		return c
	}
	// The STORE forms' first key is the destination (COMMAND INFO's
	// first, last and step: 1, 1, 1); Keys finds the sources.
	st := func(c *command.Spec) *command.Spec {
		c.FirstKey, c.LastKey, c.Step = 1, 1, 1
		return nk(c)
	}
	const logN = "O(log(N)) where N is the number of elements in the sorted set."
	return []*command.Spec{
		k1(&command.Spec{Name: "zadd", Arity: -4, Flags: w | fast, Run: cmdZAdd, Summary: "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.", Since: "1.2.0", Complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set."}),
		k1(&command.Spec{Name: "zincrby", Arity: 4, Flags: w | fast, Run: cmdZAdd, Summary: "Increments the score of a member in a sorted set.", Since: "1.2.0", Complexity: logN}),
		k1(&command.Spec{Name: "zscore", Arity: 3, Flags: r | fast, Run: cmdZScore, Summary: "Returns the score of a member in a sorted set.", Since: "1.2.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "zmscore", Arity: -3, Flags: r | fast, Run: cmdZMScore, Summary: "Returns the score of one or more members in a sorted set.", Since: "6.2.0", Complexity: "O(N) where N is the number of members being requested."}),
		k1(&command.Spec{Name: "zcard", Arity: 2, Flags: r | fast, Run: cmdZCard, Summary: "Returns the number of members in a sorted set.", Since: "1.2.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "zcount", Arity: 4, Flags: r | fast, Run: cmdZCount, Summary: "Returns the count of members in a sorted set that have scores within a range.", Since: "2.0.0", Complexity: "O(log(N)) with N being the number of elements in the sorted set."}),
		k1(&command.Spec{Name: "zlexcount", Arity: 4, Flags: r | fast, Run: cmdZLexCount, Summary: "Returns the number of members in a sorted set within a lexicographical range.", Since: "2.8.9", Complexity: "O(log(N)) with N being the number of elements in the sorted set."}),
		k1(&command.Spec{Name: "zrange", Arity: -4, Flags: r, Run: cmdZRange, Summary: "Returns members in a sorted set within a range of indexes.", Since: "1.2.0", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned."}),
		k2(&command.Spec{Name: "zrangestore", Arity: -5, Flags: w, Run: cmdZRangeStore, Cross: rangeStoreCross, Summary: "Stores a range of members from sorted set in a key.", Since: "6.2.0", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key."}),
		k1(&command.Spec{Name: "zrevrange", Arity: -4, Flags: r, Run: cmdZRevRange, Summary: "Returns members in a sorted set within a range of indexes in reverse order.", Since: "1.2.0", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned."}),
		k1(&command.Spec{Name: "zrangebyscore", Arity: -4, Flags: r, Run: cmdZRangeByScore, Summary: "Returns members in a sorted set within a range of scores.", Since: "1.0.5", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."}),
		k1(&command.Spec{Name: "zrevrangebyscore", Arity: -4, Flags: r, Run: cmdZRevRangeByScore, Summary: "Returns members in a sorted set within a range of scores in reverse order.", Since: "2.2.0", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."}),
		k1(&command.Spec{Name: "zrangebylex", Arity: -4, Flags: r, Run: cmdZRangeByLex, Summary: "Returns members in a sorted set within a lexicographical range.", Since: "2.8.9", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."}),
		k1(&command.Spec{Name: "zrevrangebylex", Arity: -4, Flags: r, Run: cmdZRevRangeByLex, Summary: "Returns members in a sorted set within a lexicographical range in reverse order.", Since: "2.8.9", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."}),
		k1(&command.Spec{Name: "zrank", Arity: -3, Flags: r | fast, Run: cmdZRank, Summary: "Returns the index of a member in a sorted set ordered by ascending scores.", Since: "2.0.0", Complexity: "O(log(N))"}),
		k1(&command.Spec{Name: "zrevrank", Arity: -3, Flags: r | fast, Run: cmdZRevRank, Summary: "Returns the index of a member in a sorted set ordered by descending scores.", Since: "2.0.0", Complexity: "O(log(N))"}),
		k1(&command.Spec{Name: "zrem", Arity: -3, Flags: command.FlagWrite | fast, Run: cmdZRem, Summary: "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.", Since: "1.2.0", Complexity: "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed."}),
		k1(&command.Spec{Name: "zremrangebyrank", Arity: 4, Flags: command.FlagWrite, Run: cmdZRemRangeByRank, Summary: "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.", Since: "2.0.0", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."}),
		k1(&command.Spec{Name: "zremrangebyscore", Arity: 4, Flags: command.FlagWrite, Run: cmdZRemRangeByScore, Summary: "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.", Since: "1.2.0", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."}),
		k1(&command.Spec{Name: "zremrangebylex", Arity: 4, Flags: command.FlagWrite, Run: cmdZRemRangeByLex, Summary: "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.", Since: "2.8.9", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."}),
		k1(&command.Spec{Name: "zpopmin", Arity: -2, Flags: command.FlagWrite | fast, Run: cmdZPopMin, Summary: "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", Since: "5.0.0", Complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped."}),
		k1(&command.Spec{Name: "zpopmax", Arity: -2, Flags: command.FlagWrite | fast, Run: cmdZPopMax, Summary: "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", Since: "5.0.0", Complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped."}),
		nk(&command.Spec{Name: "zmpop", Arity: -4, Flags: command.FlagWrite, Keys: numKeysAt(1), Run: cmdZMPop, Cross: zmpopCross, Summary: "Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.", Since: "7.0.0", Complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped."}),
		nk(&command.Spec{Name: "bzpopmin", Arity: -3, Flags: command.FlagWrite | fast | command.FlagBlocking | command.FlagNoScript, FirstKey: 1, LastKey: -2, Step: 1, Run: cmdBZPopMin, Cross: bzpopCross(false), Summary: "Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.", Since: "5.0.0", Complexity: "O(log(N)) with N being the number of elements in the sorted set."}),
		nk(&command.Spec{Name: "bzpopmax", Arity: -3, Flags: command.FlagWrite | fast | command.FlagBlocking | command.FlagNoScript, FirstKey: 1, LastKey: -2, Step: 1, Run: cmdBZPopMax, Cross: bzpopCross(true), Summary: "Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise.  Deletes the sorted set if the last element was popped.", Since: "5.0.0", Complexity: "O(log(N)) with N being the number of elements in the sorted set."}),
		nk(&command.Spec{Name: "bzmpop", Arity: -5, Flags: command.FlagWrite | command.FlagBlocking, Keys: numKeysAt(2), Run: cmdBZMPop, Cross: bzmpopCross, Summary: "Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.", Since: "7.0.0", Complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped."}),
		k1(&command.Spec{Name: "zrandmember", Arity: -2, Flags: r, Run: cmdZRandMember, Summary: "Returns one or more random members from a sorted set.", Since: "6.2.0", Complexity: "O(N) where N is the number of members returned"}),
		k1(&command.Spec{Name: "zscan", Arity: -3, Flags: r, Run: cmdZScan, Summary: "Iterates over members and scores of a sorted set.", Since: "2.8.0", Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection."}),
		nk(&command.Spec{Name: "zunion", Arity: -3, Flags: r, Keys: numKeysAt(1), Run: cmdSetOp, Cross: setOpCross, Summary: "Returns the union of multiple sorted sets.", Since: "6.2.0", Complexity: "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set."}),
		nk(&command.Spec{Name: "zinter", Arity: -3, Flags: r, Keys: numKeysAt(1), Run: cmdSetOp, Cross: setOpCross, Summary: "Returns the intersect of multiple sorted sets.", Since: "6.2.0", Complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set."}),
		nk(&command.Spec{Name: "zdiff", Arity: -3, Flags: r, Keys: numKeysAt(1), Run: cmdSetOp, Cross: setOpCross, Summary: "Returns the difference between multiple sorted sets.", Since: "6.2.0", Complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set."}),
		nk(&command.Spec{Name: "zintercard", Arity: -3, Flags: r, Keys: numKeysAt(1), Run: cmdSetOp, Cross: setOpCross, Summary: "Returns the number of members of the intersect of multiple sorted sets.", Since: "7.0.0", Complexity: "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets."}),
		st(&command.Spec{Name: "zunionstore", Arity: -4, Flags: w, Keys: storeKeys, Run: cmdSetOp, Cross: setOpCross, Summary: "Stores the union of multiple sorted sets in a key.", Since: "2.0.0", Complexity: "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set."}),
		st(&command.Spec{Name: "zinterstore", Arity: -4, Flags: w, Keys: storeKeys, Run: cmdSetOp, Cross: setOpCross, Summary: "Stores the intersect of multiple sorted sets in a key.", Since: "2.0.0", Complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set."}),
		st(&command.Spec{Name: "zdiffstore", Arity: -4, Flags: w, Keys: storeKeys, Run: cmdSetOp, Cross: setOpCross, Summary: "Stores the difference of multiple sorted sets in a key.", Since: "6.2.0", Complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set."}),
	}
}

// numKeysAt finds the keys of a command whose numkeys argument is at i:
// that many after it, as many as there are; none when numkeys is not a
// positive number (the command then answers its error wherever it runs).
func numKeysAt(i int) func(args [][]byte, dst []int) []int {
	return func(args [][]byte, dst []int) []int {
		if len(args) <= i {
			return dst
		}
		n, ok := command.ParseInt(args[i])
		if !ok || n < 1 {
			return dst
		}
		for j := i + 1; j < len(args) && int64(j-i-1) < n; j++ {
			dst = append(dst, j)
		}
		return dst
	}
}

// storeKeys finds the keys of ZUNIONSTORE, ZINTERSTORE and ZDIFFSTORE: the
// destination, then numkeys sources.
func storeKeys(args [][]byte, dst []int) []int {
	if len(args) < 2 {
		return dst
	}
	dst = append(dst, 1)
	return numKeysAt(2)(args, dst)
}

// Errors, as Redis words them.
const (
	errNaN         = "ERR resulting score is not a number (NaN)"
	errMinMaxFloat = "ERR min or max is not a float"
	errLexRange    = "ERR min or max not valid string range item"
)

// writeLookup is the lookup of a write (Redis's lookupKeyWrite): it
// expires a dead key and counts no hit or miss.
const writeLookup = shard.NoStats

// getZSet looks key up. It returns ok=false after writing WRONGTYPE when the
// key holds another type.
func getZSet(x *command.Exec, key []byte, flags int) (z shard.ZSet, found, ok bool) {
	db := x.DB(key)
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

// limits returns the listpack thresholds now configured.
func limits(x *command.Exec) shard.ZSetLimits {
	return shard.ZSetLimits{
		Entries: x.Env.Limits().ZSetListpackEntries,
		Value:   x.Env.Limits().ZSetListpackValue,
	}
}

// isCSpace is C's isspace.
func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// strtod reads b as C's strtod does when it must consume all of b: it
// returns the value and whether b was a number; rangeErr is set when the
// value overflowed to ±inf or underflowed to 0.
func strtod(b []byte) (f float64, rangeErr, ok bool) {
	s := unsafe.String(unsafe.SliceData(b), len(b))
	if strings.IndexByte(s, '_') >= 0 { // Go reads "1_000"; C does not
		return 0, false, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, isNum := err.(*strconv.NumError); isNum && ne.Err == strconv.ErrRange {
			return f, true, true
		}
		// C takes a hex mantissa without an exponent; Go wants "p".
		if len(s) > 2 && (s[0] == '0' || ((s[0] == '-' || s[0] == '+') && len(s) > 3 && s[1] == '0')) {
			if f, err = strconv.ParseFloat(s+"p0", 64); err == nil {
				return f, false, true
			}
		}
		return 0, false, false
	}
	if f == 0 {
		// strtod reports an underflow to zero as a range error.
		for _, c := range b {
			if c >= '1' && c <= '9' {
				return f, true, true
			}
			if c == 'e' || c == 'E' || c == 'p' || c == 'P' {
				break
			}
		}
	}
	return f, false, true
}

// parseScore reads a score as Redis's getDoubleFromObject (string2d): no
// leading space, the whole string, no overflow or underflow to zero, no
// NaN; "inf" and "-inf" are scores.
func parseScore(b []byte) (float64, bool) {
	if len(b) == 0 || isCSpace(b[0]) {
		return 0, false
	}
	f, rangeErr, ok := strtod(b)
	if !ok || math.IsNaN(f) || (rangeErr && (math.IsInf(f, 0) || f == 0)) {
		return 0, false
	}
	return f, true
}

// scoreBound is one end of a score range.
type scoreBound struct {
	v  float64
	ex bool // exclusive: "(" prefixed
}

// parseScoreBound reads one end of a score range as Redis's zslParseRange:
// an optional "(" then what strtod takes whole (leading space and an empty
// string included, which read as 0; no range check), never NaN.
func parseScoreBound(b []byte) (scoreBound, bool) {
	var sb scoreBound
	if len(b) > 0 && b[0] == '(' {
		sb.ex = true
		b = b[1:]
	}
	for len(b) > 0 && isCSpace(b[0]) {
		b = b[1:]
	}
	if len(b) == 0 {
		return sb, true
	}
	f, _, ok := strtod(b)
	if !ok || math.IsNaN(f) {
		return sb, false
	}
	sb.v = f
	return sb, true
}

// scoreRanks returns the ascending ranks [lo, hi) of the members within the
// score range min..max.
func scoreRanks(z *shard.ZSet, min, max scoreBound) (lo, hi int) {
	lo = z.CountBelow(min.v, min.ex)
	hi = z.CountBelow(max.v, !max.ex)
	if hi < lo {
		hi = lo
	}
	return lo, hi
}

// lexBound is one end of a lex range.
type lexBound struct {
	v    []byte
	ex   bool
	kind int8 // -1: "-", the least; 1: "+", the greatest; 0: v
}

// parseLexBound reads one end of a lex range as zslParseLexRangeItem.
func parseLexBound(b []byte) (lexBound, bool) {
	if len(b) == 0 {
		return lexBound{}, false
	}
	switch b[0] {
	case '+':
		return lexBound{kind: 1, ex: true}, len(b) == 1
	case '-':
		return lexBound{kind: -1, ex: true}, len(b) == 1
	case '(':
		return lexBound{v: b[1:], ex: true}, true
	case '[':
		return lexBound{v: b[1:]}, true
	}
	return lexBound{}, false
}

// lexRanks returns the ascending ranks [lo, hi) of the members within the
// lex range min..max.
func lexRanks(z *shard.ZSet, min, max lexBound) (lo, hi int) {
	n := z.Len()
	switch min.kind {
	case -1:
		lo = 0
	case 1:
		lo = n
	default:
		lo = z.CountBelowLex(min.v, min.ex)
	}
	switch max.kind {
	case -1:
		hi = 0
	case 1:
		hi = n
	default:
		hi = z.CountBelowLex(max.v, !max.ex)
	}
	if hi < lo {
		hi = lo
	}
	return lo, hi
}

// ZADD and ZINCRBY.

const (
	addNX = 1 << iota
	addXX
	addGT
	addLT
	addIncr
)

// cmdZAdd is ZADD and ZINCRBY (which is ZADD INCR with its arguments, as
// in Redis, where they share zaddGenericCommand).
func cmdZAdd(x *command.Exec) {
	flags, ch := 0, false
	if x.Cmd.Name == "zincrby" {
		flags = addIncr
	}
	at := 2
	for ; at < len(x.Args); at++ {
		switch a := x.Args[at]; {
		case command.EqFold(a, "nx"):
			flags |= addNX
		case command.EqFold(a, "xx"):
			flags |= addXX
		case command.EqFold(a, "ch"):
			ch = true
		case command.EqFold(a, "incr"):
			flags |= addIncr
		case command.EqFold(a, "gt"):
			flags |= addGT
		case command.EqFold(a, "lt"):
			flags |= addLT
		default:
			goto parsed
		}
	}
parsed:
	elements := len(x.Args) - at
	if elements%2 == 1 || elements == 0 {
		x.Fail(command.ErrSyntax)
		return
	}
	elements /= 2
	nx, xx, gt, lt, incr := flags&addNX != 0, flags&addXX != 0, flags&addGT != 0, flags&addLT != 0, flags&addIncr != 0
	switch {
	case nx && xx:
		x.Err("ERR XX and NX options at the same time are not compatible")
		return
	case (gt && nx) || (lt && nx) || (gt && lt):
		x.Err("ERR GT, LT, and/or NX options at the same time are not compatible")
		return
	case incr && elements > 1:
		x.Err("ERR INCR option supports a single increment-element pair")
		return
	}
	// Every score is checked before the key is touched, as Redis does. Up
	// to len(parsed) of them are kept; the rest are parsed again as they
	// are added, so that a bulk ZADD makes no garbage (a load of many big
	// ZADDs would otherwise grow the heap, and the RSS, by their slices).
	var parsed [32]float64
	for j := range elements {
		s, ok := parseScore(x.Args[at+2*j])
		if !ok {
			x.Fail(command.ErrNotFloat)
			return
		}
		if j < len(parsed) {
			parsed[j] = s
		}
	}
	key := x.Args[1]
	z, found, ok := getZSet(x, key, writeLookup)
	if !ok {
		return
	}
	added, updated, processed := 0, 0, 0
	var score float64
	lim := limits(x)
	if !found {
		if xx {
			goto reply
		}
		z = x.DB(key).NewZSet(key, elements, len(x.Args[at+1]), lim, x.Now)
	} else {
		z.MaybeBig(elements, lim)
	}
	for j := range elements {
		if j < len(parsed) {
			score = parsed[j]
		} else {
			score, _ = parseScore(x.Args[at+2*j])
		}
		member := x.Args[at+2*j+1]
		cur, exists := z.Score(member)
		switch {
		case exists && nx:
			continue
		case exists:
			if incr {
				score += cur
				if math.IsNaN(score) {
					x.Err(errNaN)
					return
				}
			}
			if (lt && score >= cur) || (gt && score <= cur) {
				continue
			}
			processed++
			if score != cur {
				z.Add(member, score, lim)
				updated++
			}
		case !xx:
			z.Add(member, score, lim)
			added++
			processed++
		}
	}
	if added+updated > 0 {
		x.Notify(command.NotifyZSet, addEvent(incr), key)
	}
reply:
	if incr {
		if processed > 0 {
			x.Double(score)
		} else {
			x.Null()
		}
		return
	}
	if ch {
		added += updated
	}
	x.Int(int64(added))
}

// Readers.

func cmdZScore(x *command.Exec) {
	z, found, ok := getZSet(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if found {
		if s, ok := z.Score(x.Args[2]); ok {
			x.Double(s)
			return
		}
	}
	x.Null()
}

func cmdZMScore(x *command.Exec) {
	z, found, ok := getZSet(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	x.Array(len(x.Args) - 2)
	for _, m := range x.Args[2:] {
		if found {
			if s, ok := z.Score(m); ok {
				x.Double(s)
				continue
			}
		}
		x.Null()
	}
}

func cmdZCard(x *command.Exec) {
	z, found, ok := getZSet(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	x.Int(int64(z.Len()))
}

func cmdZCount(x *command.Exec) {
	min, ok1 := parseScoreBound(x.Args[2])
	max, ok2 := parseScoreBound(x.Args[3])
	if !ok1 || !ok2 {
		x.Err(errMinMaxFloat)
		return
	}
	z, found, ok := getZSet(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	lo, hi := scoreRanks(&z, min, max)
	x.Int(int64(hi - lo))
}

func cmdZLexCount(x *command.Exec) {
	min, ok1 := parseLexBound(x.Args[2])
	max, ok2 := parseLexBound(x.Args[3])
	if !ok1 || !ok2 {
		x.Err(errLexRange)
		return
	}
	z, found, ok := getZSet(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	lo, hi := lexRanks(&z, min, max)
	x.Int(int64(hi - lo))
}

func cmdZRank(x *command.Exec)    { zrank(x, false) }
func cmdZRevRank(x *command.Exec) { zrank(x, true) }

// zrank is ZRANK and ZREVRANK [WITHSCORE] (Redis 7.2).
func zrank(x *command.Exec, rev bool) {
	if len(x.Args) > 4 {
		x.ErrArgs()
		return
	}
	withScore := false
	if len(x.Args) == 4 {
		if !command.EqFold(x.Args[3], "withscore") {
			x.Fail(command.ErrSyntax)
			return
		}
		withScore = true
	}
	z, found, ok := getZSet(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	var rank int
	var score float64
	if found {
		rank, score, found = z.Rank(x.Args[2])
	}
	switch {
	case !found && withScore:
		x.NullArray()
	case !found:
		x.Null()
	default:
		if rev {
			rank = z.Len() - 1 - rank
		}
		if withScore {
			x.Array(2)
		}
		x.Int(int64(rank))
		if withScore {
			x.Double(score)
		}
	}
}

// Removals.

func cmdZRem(x *command.Exec) {
	z, found, ok := getZSet(x, x.Args[1], writeLookup)
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	deleted := 0
	for _, m := range x.Args[2:] {
		if z.Remove(m) {
			deleted++
			if z.Len() == 0 {
				break
			}
		}
	}
	x.Int(int64(deleted))
	if deleted > 0 {
		notifyRemoved(x, "zrem", x.Args[1])
	}
}

func cmdZRemRangeByRank(x *command.Exec) {
	start, ok1 := command.ParseInt(x.Args[2])
	end, ok2 := command.ParseInt(x.Args[3])
	if !ok1 || !ok2 {
		x.Fail(command.ErrNotInt)
		return
	}
	z, found, ok := getZSet(x, x.Args[1], writeLookup)
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	n := int64(z.Len())
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start = max(start, 0)
	if start > end || start >= n {
		x.Int(0)
		return
	}
	end = min(end, n-1)
	z.RemoveRange(int(start), int(end))
	x.Int(end - start + 1)
	notifyRemoved(x, "zremrangebyrank", x.Args[1])
}

func cmdZRemRangeByScore(x *command.Exec) {
	min, ok1 := parseScoreBound(x.Args[2])
	max, ok2 := parseScoreBound(x.Args[3])
	if !ok1 || !ok2 {
		x.Err(errMinMaxFloat)
		return
	}
	z, found, ok := getZSet(x, x.Args[1], writeLookup)
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	lo, hi := scoreRanks(&z, min, max)
	z.RemoveRange(lo, hi-1)
	x.Int(int64(hi - lo))
	if hi > lo {
		notifyRemoved(x, "zremrangebyscore", x.Args[1])
	}
}

func cmdZRemRangeByLex(x *command.Exec) {
	min, ok1 := parseLexBound(x.Args[2])
	max, ok2 := parseLexBound(x.Args[3])
	if !ok1 || !ok2 {
		x.Err(errLexRange)
		return
	}
	z, found, ok := getZSet(x, x.Args[1], writeLookup)
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	lo, hi := lexRanks(&z, min, max)
	z.RemoveRange(lo, hi-1)
	x.Int(int64(hi - lo))
	if hi > lo {
		notifyRemoved(x, "zremrangebylex", x.Args[1])
	}
}

// ZRANDMEMBER.

func cmdZRandMember(x *command.Exec) {
	if len(x.Args) < 3 {
		z, found, ok := getZSet(x, x.Args[1], x.LookupFlags())
		if !ok {
			return
		}
		if !found {
			x.Null()
			return
		}
		z.At(int(x.Env.Rand()%uint64(z.Len())), func(m []byte, _ float64) { x.Bulk(m) })
		return
	}
	l, withScores, ok := command.ParseRandCount(x, "withscores")
	if !ok {
		return
	}
	z, found, ok := getZSet(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found || l == 0 {
		x.Array(0)
		return
	}
	size := z.Len()
	emit := func(m []byte, s float64) {
		if withScores && x.Proto > 2 {
			x.Array(2)
		}
		x.Bulk(m)
		if withScores {
			x.Double(s)
		}
	}
	header := func(n int) {
		if withScores && x.Proto == 2 {
			x.Array(2 * n)
		} else {
			x.Array(n)
		}
	}
	if l < 0 || l == 1 {
		count := l
		if count < 0 {
			count = -l
		}
		header(int(count))
		for range count {
			z.At(int(x.Env.Rand()%uint64(size)), emit)
		}
		return
	}
	if l >= int64(size) {
		// The whole set, highest first: Redis walks a sorted set from its
		// tail (zuiInitIterator) for this reply.
		header(size)
		z.Range(size-1, true, func(m []byte, s float64) bool { emit(m, s); return true })
		return
	}
	count := int(l)
	if z.Big() && count*3 <= size {
		// Few of many (Redis's CASE 4): distinct random ranks, in the
		// order drawn.
		seen := make(map[int]struct{}, count)
		header(count)
		for len(seen) < count {
			r := int(x.Env.Rand() % uint64(size))
			if _, dup := seen[r]; dup {
				continue
			}
			seen[r] = struct{}{}
			z.At(r, emit)
		}
		return
	}
	// Distinct members out of a listpack or of most of a big set: a
	// partial shuffle of the ranks, replied in rank order for a listpack
	// (as Redis's lpRandomPairsUnique), else in the order drawn.
	idx := make([]int, size)
	for i := range idx {
		idx[i] = i
	}
	for i := range count {
		j := i + int(x.Env.Rand()%uint64(size-i))
		idx[i], idx[j] = idx[j], idx[i]
	}
	if !z.Big() {
		slices.Sort(idx[:count]) // lpRandomPairsUnique keeps the listpack's order
	}
	header(count)
	for _, r := range idx[:count] {
		z.At(r, emit)
	}
}

// ZSCAN.

func cmdZScan(x *command.Exec) {
	cursor, ok := command.ParseScanCursor(x.Args[2])
	if !ok {
		x.Err("ERR invalid cursor")
		return
	}
	z, found, ok := getZSet(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Out = append(x.Out, command.EmptyScanReply...)
		return
	}
	opts, ok := command.ParseScanOptions(x, x.Args[3:], false)
	if !ok {
		return
	}
	count, pattern := opts.Count, opts.Pattern
	var body []byte
	items := 0
	var sb [32]byte
	big := z.Big()
	add := func(m []byte, s float64) {
		if pattern != nil && !glob.Match(pattern, m, false) {
			return
		}
		body = appendBulk(body, m)
		if big {
			body = appendBulk(body, appendScore17(sb[:0], s))
		} else {
			body = appendBulk(body, shard.AppendScore(sb[:0], s))
		}
		items += 2
	}
	seen := int64(0)
	next, big := z.Scan(cursor, func(m []byte, s float64) { seen++; add(m, s) })
	if big {
		for steps := count * 10; next != 0 && seen < count && steps > 0; steps-- {
			next, _ = z.Scan(next, func(m []byte, s float64) { seen++; add(m, s) })
		}
	} else {
		z.Range(0, false, func(m []byte, s float64) bool { add(m, s); return true })
	}
	x.Array(2)
	var tmp [24]byte
	x.Bulk(strconv.AppendUint(tmp[:0], next, 10))
	x.Array(items)
	x.Out = append(x.Out, body...)
}

// appendScore17 formats a score as Redis's ld2string in LD_STR_AUTO mode
// ("%.17Lg"), which ZSCAN of a big sorted set replies with; a listpack's
// scores are replied as stored (AppendScore's text).
func appendScore17(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}

func appendBulk(dst, b []byte) []byte {
	dst = append(dst, '$')
	dst = strconv.AppendInt(dst, int64(len(b)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}
