package zsetcmd

import (
	"bytes"
	"cmp"
	"math"
	"slices"

	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// ZUNION, ZINTER, ZDIFF, ZINTERCARD, ZUNIONSTORE, ZINTERSTORE and
// ZDIFFSTORE (Redis's zunionInterDiffGenericCommand). The inputs are read
// into Go values (items) wherever they live, the result is computed on
// the coordinator with Go maps, and a STORE form writes it on the
// destination's shard. Set inputs count as sorted sets whose every score
// is 1 (eachSetMember).

type setOp uint8

const (
	opUnion setOp = iota
	opInter
	opDiff
)

const (
	aggSum = iota
	aggMin
	aggMax
)

// setOpArgs are a set operation's parsed arguments.
type setOpArgs struct {
	op         setOp
	dst        []byte // the STORE forms' destination, else nil
	card       bool   // ZINTERCARD
	keys       [][]byte
	weights    []float64
	aggregate  int
	withScores bool
	limit      int64 // ZINTERCARD's LIMIT; 0: none
	optAt      int   // where the options start
}

// parseSetOp reads the command and its keys (numkeys and their count),
// writing the error unless quiet; the options come later (setOpOptions),
// after the keys' types were checked, as in Redis.
func parseSetOp(x *command.Exec, quiet bool) (a setOpArgs, ok bool) {
	fail := func(msg string) {
		if !quiet {
			x.Err(msg)
		}
	}
	name := x.Cmd.Name
	numAt := 1
	switch name {
	case "zunionstore", "zinterstore", "zdiffstore":
		a.dst = x.Args[1]
		numAt = 2
	case "zintercard":
		a.card = true
	}
	switch name {
	case "zinter", "zinterstore", "zintercard":
		a.op = opInter
	case "zdiff", "zdiffstore":
		a.op = opDiff
	}
	n, ok := command.ParseInt(x.Args[numAt])
	if !ok {
		fail(command.ErrNotInt.Error())
		return a, false
	}
	if n < 1 {
		fail("ERR at least 1 input key is needed for '" + name + "' command")
		return a, false
	}
	if n > int64(len(x.Args)-(numAt+1)) {
		fail(command.ErrSyntax.Error())
		return a, false
	}
	a.keys = x.Args[numAt+1 : numAt+1+int(n)]
	a.optAt = numAt + 1 + int(n)
	return a, true
}

// setOpOptions reads WEIGHTS, AGGREGATE, WITHSCORES and LIMIT as the
// command allows them.
func setOpOptions(x *command.Exec, a *setOpArgs, quiet bool) bool {
	fail := func(msg string) {
		if !quiet {
			x.Err(msg)
		}
	}
	for j := a.optAt; j < len(x.Args); {
		left := len(x.Args) - j
		arg := x.Args[j]
		switch {
		case a.op != opDiff && !a.card && left >= len(a.keys)+1 && command.EqFold(arg, "weights"):
			j++
			a.weights = make([]float64, len(a.keys))
			for i := range a.keys {
				w, ok := parseScore(x.Args[j])
				if !ok {
					fail("ERR weight value is not a float")
					return false
				}
				a.weights[i] = w
				j++
			}
		case a.op != opDiff && !a.card && left >= 2 && command.EqFold(arg, "aggregate"):
			switch v := x.Args[j+1]; {
			case command.EqFold(v, "sum"):
				a.aggregate = aggSum
			case command.EqFold(v, "min"):
				a.aggregate = aggMin
			case command.EqFold(v, "max"):
				a.aggregate = aggMax
			default:
				fail(command.ErrSyntax.Error())
				return false
			}
			j += 2
		case a.dst == nil && !a.card && command.EqFold(arg, "withscores"):
			a.withScores = true
			j++
		case a.card && left >= 2 && command.EqFold(arg, "limit"):
			n, ok := command.ParseInt(x.Args[j+1])
			if !ok || n < 0 {
				fail("ERR LIMIT can't be negative")
				return false
			}
			a.limit = n
			j += 2
		default:
			fail(command.ErrSyntax.Error())
			return false
		}
	}
	return true
}

// source is one input of a set operation.
type source struct {
	found bool
	items items
}

// eachSetMember calls fn with every member of the set entry h of db and
// reports true: a set input to ZUNION, ZINTER, ZDIFF and their kin counts
// as a sorted set whose every score is 1.
func eachSetMember(db *shard.DB, h shard.Handle, fn func(member []byte)) bool {
	db.SetEach(h, func(m []byte) bool {
		fn(m)
		return true
	})
	return true
}

// readSource copies out the members and scores of key; bad reports a key
// of another type than a sorted set or a set.
func readSource(x *command.Exec, key []byte) (src source, bad bool) {
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, x.LookupFlags())
	if !found {
		return src, false
	}
	src.found = true
	switch db.Type(h) {
	case shard.TypeZSet:
		z := db.OpenZSet(key, h)
		src.items.s = make([]float64, 0, z.Len())
		z.Range(0, false, func(m []byte, s float64) bool {
			src.items.add(m, s)
			return true
		})
		return src, false
	case shard.TypeSet:
		if eachSetMember(db, h, func(m []byte) { src.items.add(m, 1) }) {
			return src, false
		}
	}
	return src, true
}

// aggregate folds v into *t.
func aggregate(t *float64, v float64, how int) {
	switch how {
	case aggSum:
		*t += v
		if math.IsNaN(*t) {
			*t = 0
		}
	case aggMin: // Redis's comparison: -0 does not replace 0, nor 0 -0
		if v < *t {
			*t = v
		}
	case aggMax:
		if v > *t {
			*t = v
		}
	}
}

// weighted returns w*s, 0 for NaN (0 × inf), as Redis.
func weighted(w, s float64) float64 {
	v := w * s
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// compute works out the set operation over srcs (in key order) and returns
// its members and scores (unordered), or only their count for ZINTERCARD.
func compute(a *setOpArgs, srcs []source) (res items, card int64) {
	weight := func(i int) float64 {
		if a.weights == nil {
			return 1
		}
		return a.weights[i]
	}
	order := make([]int, len(srcs))
	for i := range order {
		order[i] = i
	}
	if a.op != opDiff {
		// Smallest first, as Redis sorts its inputs.
		slices.SortStableFunc(order, func(i, j int) int { return cmp.Compare(srcs[i].items.len(), srcs[j].items.len()) })
	}
	scoreMap := func(i int) map[string]float64 {
		m := make(map[string]float64, srcs[i].items.len())
		for k := range srcs[i].items.len() {
			v, _ := srcs[i].items.m.At(k)
			m[string(v)] = srcs[i].items.s[k]
		}
		return m
	}
	switch a.op {
	case opUnion:
		acc := make(map[string]float64)
		var keys []string
		for _, i := range order {
			it := &srcs[i].items
			for k := range it.len() {
				m, _ := it.m.At(k)
				s := weighted(weight(i), it.s[k])
				if t, ok := acc[string(m)]; ok {
					aggregate(&t, s, a.aggregate)
					acc[string(m)] = t
					continue
				}
				acc[string(m)] = s
				keys = append(keys, string(m))
			}
		}
		for _, k := range keys {
			res.add([]byte(k), acc[k])
		}
	case opInter:
		first := order[0]
		if srcs[first].items.len() == 0 {
			return res, 0
		}
		maps := make([]map[string]float64, len(srcs))
		for _, i := range order[1:] {
			if !bytes.Equal(a.keys[i], a.keys[first]) && maps[i] == nil {
				maps[i] = scoreMap(i)
			}
		}
		it := &srcs[first].items
	members:
		for k := range it.len() {
			m, _ := it.m.At(k)
			score := weighted(weight(first), it.s[k])
			for _, i := range order[1:] {
				var v float64
				if bytes.Equal(a.keys[i], a.keys[first]) {
					v = it.s[k] * weight(i)
				} else if s, ok := maps[i][string(m)]; ok {
					v = s * weight(i)
				} else {
					continue members
				}
				aggregate(&score, v, a.aggregate)
			}
			if a.card {
				card++
				if a.limit > 0 && card >= a.limit {
					break
				}
				continue
			}
			res.add(m, score)
		}
	case opDiff:
		it := &srcs[0].items
		maps := make([]map[string]float64, len(srcs))
		for i := 1; i < len(srcs); i++ {
			maps[i] = scoreMap(i)
		}
	diff:
		for k := range it.len() {
			m, _ := it.m.At(k)
			for i := 1; i < len(srcs); i++ {
				if _, ok := maps[i][string(m)]; ok {
					continue diff
				}
			}
			res.add(m, it.s[k])
		}
	}
	return res, card
}

// answer writes the reply of a set operation whose result is res (and
// card, for ZINTERCARD): the count stored, the count, or the members in
// order, with their scores when asked.
func answer(x *command.Exec, a *setOpArgs, res *items, card int64) {
	switch {
	case a.card:
		x.Int(card)
		return
	case a.dst != nil:
		x.Int(int64(res.len()))
		return
	}
	n := res.len()
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int {
		if c := cmp.Compare(res.s[i], res.s[j]); c != 0 {
			return c
		}
		mi, _ := res.m.At(i)
		mj, _ := res.m.At(j)
		return bytes.Compare(mi, mj)
	})
	if a.withScores && x.Proto == 2 {
		x.Array(2 * n)
	} else {
		x.Array(n)
	}
	for _, i := range idx {
		if a.withScores && x.Proto > 2 {
			x.Array(2)
		}
		m, _ := res.m.At(i)
		x.Bulk(m)
		if a.withScores {
			x.Double(res.s[i])
		}
	}
}

// cmdSetOp runs a set operation whose keys share a shard.
func cmdSetOp(x *command.Exec) {
	a, ok := parseSetOp(x, false)
	if !ok {
		return
	}
	srcs := make([]source, len(a.keys))
	for i, key := range a.keys {
		var bad bool
		if srcs[i], bad = readSource(x, key); bad {
			x.Fail(command.ErrWrongType)
			return
		}
	}
	if !setOpOptions(x, &a, false) {
		return
	}
	res, card := compute(&a, srcs)
	answer(x, &a, &res, card)
	if a.dst != nil {
		storeItems(x, a.dst, &res, -1)
	}
}

// setOpRead is what one shard found of a set operation's inputs.
type setOpRead struct {
	at   []int // the keys' places among the keys
	srcs []source
}

// setOpCross: every shard copies out its inputs, the coordinator checks,
// computes and answers, the destination's shard stores the result.
var setOpCross = &command.Cross{
	Read: func(x *command.Exec) {
		a, ok := parseSetOp(x, true)
		if !ok {
			return
		}
		r := &setOpRead{}
		for i, key := range a.keys {
			if !x.OwnsKey(key) {
				continue
			}
			src, bad := readSource(x, key)
			if bad {
				x.Result.Err = wrongType
				return
			}
			r.at = append(r.at, i)
			r.srcs = append(r.srcs, src)
		}
		x.Result.Value = r
	},
	Apply: func(x *command.Exec, reads []*command.Exec) []command.Write {
		a, ok := parseSetOp(x, false)
		if !ok {
			return nil
		}
		srcs := make([]source, len(a.keys))
		for _, rd := range reads {
			if rd == nil {
				continue
			}
			if rd.Result.Err != "" {
				x.Fail(command.ErrWrongType)
				return nil
			}
			if r, _ := rd.Result.Value.(*setOpRead); r != nil {
				for k, i := range r.at {
					srcs[i] = r.srcs[k]
				}
			}
		}
		if !setOpOptions(x, &a, false) {
			return nil
		}
		res, card := compute(&a, srcs)
		answer(x, &a, &res, card)
		if a.dst == nil {
			return nil
		}
		dst := a.dst
		return []command.Write{{Shard: x.Env.Route(dst), Do: func(p *command.Exec) { storeItems(p, dst, &res, -1) }}}
	},
}
