package setcmd

import (
	"slices"

	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// SINTER, SINTERCARD, SUNION, SDIFF and their STORE forms.
//
// The sets are read as Go values (setData: the members in their iteration
// order, copied out of the shard) on the shards that hold them: all on one
// shard when the keys share it (runSetOp), else as the reads of a Cross
// (setOpCross). The operation runs on those values as Redis's
// sinterGenericCommand and sunionDiffGenericCommand run on the sets, and
// builds a result that follows the conversions Redis's result set goes
// through (result), so that the reply's order and the stored set's encoding
// are Redis's. The stored set is written on the destination's shard.

type op int

const (
	opInter op = iota
	opInterCard
	opUnion
	opDiff
	opInterStore
	opUnionStore
	opDiffStore
)

func (o op) store() bool { return o == opInterStore || o == opUnionStore || o == opDiffStore }

// setArgs are a set operation's parsed arguments.
type setArgs struct {
	keys  [][]byte
	dst   []byte
	limit int64
}

// parseSetOp reads the arguments of o, replying with the error unless
// quiet.
func parseSetOp(x *command.Exec, o op, quiet bool) (setArgs, bool) {
	fail := func(msg string) (setArgs, bool) {
		if !quiet {
			x.Err(msg)
		}
		return setArgs{}, false
	}
	switch {
	case o == opInterCard:
		n, ok := command.ParseInt(x.Args[1])
		if !ok || n < 1 {
			return fail("ERR numkeys should be greater than 0")
		}
		if n > int64(len(x.Args)-2) {
			return fail("ERR Number of keys can't be greater than number of args")
		}
		a := setArgs{keys: x.Args[2 : 2+n]}
		for j := 2 + int(n); j < len(x.Args); j++ {
			if command.EqFold(x.Args[j], "limit") && j+1 < len(x.Args) {
				j++
				l, ok := command.ParseInt(x.Args[j])
				if !ok || l < 0 {
					return fail("ERR LIMIT can't be negative")
				}
				a.limit = l
				continue
			}
			return fail(command.ErrSyntax.Error())
		}
		return a, true
	case o.store():
		return setArgs{keys: x.Args[2:], dst: x.Args[1]}, true
	}
	return setArgs{keys: x.Args[1:]}, true
}

// sintercardKeys finds SINTERCARD's keys: numkeys of them after it.
func sintercardKeys(args [][]byte, dst []int) []int {
	if len(args) < 2 {
		return dst
	}
	n, ok := command.ParseInt(args[1])
	if !ok || n < 1 {
		return dst
	}
	for i := 2; i < len(args) && int64(i-2) < n; i++ {
		dst = append(dst, i)
	}
	return dst
}

// setData is one source set as read: its members in iteration order.
type setData struct {
	pos   int // the key's place among the operation's keys
	found bool
	wrong bool
	enc   byte
	vals  command.Values
	ints  int // members Redis's iterator yields as integers
	index map[string]struct{}
}

func (s *setData) size() int {
	if s == nil {
		return 0
	}
	return s.vals.Len()
}

func (s *setData) member(i int) []byte {
	m, _ := s.vals.At(i)
	return m
}

func (s *setData) has(m []byte) bool {
	if s.index == nil {
		s.index = make(map[string]struct{}, s.vals.Len())
		for i := range s.vals.Len() {
			s.index[string(s.member(i))] = struct{}{}
		}
	}
	_, ok := s.index[string(m)]
	return ok
}

// readSets reads the keys this shard owns (every key when the command runs
// whole) and returns them by position; it stops at a key of another type.
func readSets(x *command.Exec, keys [][]byte) []*setData {
	var out []*setData
	for i, key := range keys {
		if !x.OwnsKey(key) {
			continue
		}
		db := x.DB(key)
		h, found := db.Lookup(key, x.Now, x.LookupFlags())
		d := &setData{pos: i, found: found}
		out = append(out, d)
		if !found {
			continue
		}
		if db.Type(h) != shard.TypeSet {
			d.wrong = true
			return out
		}
		d.enc = db.Encoding(h)
		d.vals.Reserve(db.SetLen(h), 0)
		db.SetEachTyped(h, func(m []byte, isInt bool) bool {
			d.vals.Append(m, true)
			if isInt {
				d.ints++
			}
			return true
		})
	}
	return out
}

// result is the set a set operation builds, as Redis's result set: it
// starts as an intset (or as SINTERSTORE's rules say) and converts as
// setTypeAddAux converts it, which decides the reply's order and the
// stored set's encoding.
type result struct {
	lim     shard.SetLimits
	enc     byte
	order   [][]byte // members in insertion order; nil where removed
	index   map[string]int
	n       int
	lo, hi  int64 // the intset's extremes
	allInts bool
}

func newResult(enc byte, lim shard.SetLimits) *result {
	return &result{lim: lim, enc: enc, index: map[string]int{}, allInts: true}
}

func digits(v int64) int {
	var b [24]byte
	return len(appendInt(b[:0], v))
}

func (r *result) add(m []byte) bool {
	if _, ok := r.index[string(m)]; ok {
		return false
	}
	v, isInt := listpack.ParseInt(m)
	if !isInt {
		r.allInts = false
	}
	switch r.enc {
	case shard.EncIntset:
		if isInt {
			if r.n == 0 || v < r.lo {
				r.lo = v
			}
			if r.n == 0 || v > r.hi {
				r.hi = v
			}
			r.put(m)
			if int64(r.n) > min(r.lim.IntsetEntries, 1<<30) {
				r.enc = shard.EncHashtable
			}
			return true
		}
		maxLen := 0
		if r.n > 0 {
			maxLen = max(digits(r.lo), digits(r.hi))
		}
		if int64(r.n) < r.lim.ListpackEntries && int64(len(m)) <= r.lim.ListpackValue && int64(maxLen) <= r.lim.ListpackValue {
			r.enc = shard.EncListpack
		} else {
			r.enc = shard.EncHashtable
		}
		// The intset's members come out ascending.
		r.sortInts()
	case shard.EncListpack:
		if int64(r.n) >= r.lim.ListpackEntries || int64(len(m)) > r.lim.ListpackValue {
			r.enc = shard.EncHashtable
		}
	}
	r.put(m)
	return true
}

func (r *result) put(m []byte) {
	if m == nil {
		m = []byte{} // nil marks a removed member in order
	}
	r.index[string(m)] = len(r.order)
	r.order = append(r.order, m)
	r.n++
}

func (r *result) remove(m []byte) bool {
	i, ok := r.index[string(m)]
	if !ok {
		return false
	}
	delete(r.index, string(m))
	r.order[i] = nil
	r.n--
	return true
}

// sortInts puts the (integer) members in ascending order.
func (r *result) sortInts() {
	live := r.members()
	slices.SortFunc(live, func(a, b []byte) int {
		x, _ := listpack.ParseInt(a)
		y, _ := listpack.ParseInt(b)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
	r.order = live
	for i, m := range live {
		r.index[string(m)] = i
	}
}

// members returns the members in the result's iteration order.
func (r *result) members() [][]byte {
	out := make([][]byte, 0, r.n)
	for _, m := range r.order {
		if m != nil {
			out = append(out, m)
		}
	}
	return out
}

// ordered returns the members in the order Redis iterates the result.
func (r *result) ordered() [][]byte {
	if r.enc == shard.EncIntset {
		r.sortInts()
	}
	return r.members()
}

func (r *result) reply(x *command.Exec) {
	ms := r.ordered()
	x.Set(len(ms))
	for _, m := range ms {
		x.Bulk(m)
	}
}

// compute runs o over sets (by key position; nil for a missing key) and
// writes the reply. For a STORE it returns the result to store (nil: the
// destination is deleted).
func compute(x *command.Exec, o op, a setArgs, sets []*setData) *result {
	lim := Limits(x.Env)
	switch o {
	case opInter, opInterCard, opInterStore:
		return inter(x, o, a, sets, lim)
	}
	r := newResult(shard.EncIntset, lim)
	if o == opUnion || o == opUnionStore {
		for _, s := range sets {
			for i := range s.size() {
				r.add(s.member(i))
			}
		}
	} else {
		diff(a, sets, r)
	}
	if o.store() {
		x.Int(int64(r.n))
		if r.n == 0 {
			return nil
		}
		return r
	}
	r.reply(x)
	return nil
}

// diff is SDIFF: Redis's two algorithms, chosen by its estimate of their
// work, differ in what the result set went through (algorithm 2 adds the
// whole first set, then removes), so both are kept.
func diff(a setArgs, sets []*setData, r *result) {
	if sets[0] == nil {
		return
	}
	for j := 1; j < len(sets); j++ {
		if string(a.keys[j]) == string(a.keys[0]) && sets[j] != nil {
			return // the same set: nothing is left
		}
	}
	one, two := 0, 0
	for _, s := range sets {
		if s != nil {
			one += sets[0].size()
			two += s.size()
		}
	}
	if one/2 <= two {
		for i := range sets[0].size() {
			m := sets[0].member(i)
			in := false
			for _, s := range sets[1:] {
				if s != nil && s.has(m) {
					in = true
					break
				}
			}
			if !in {
				r.add(m)
			}
		}
		return
	}
	for j, s := range sets {
		for i := range s.size() {
			if j == 0 {
				r.add(s.member(i))
			} else {
				r.remove(s.member(i))
			}
		}
		if r.n == 0 {
			return
		}
	}
}

// inter is sinterGenericCommand.
func inter(x *command.Exec, o op, a setArgs, sets []*setData, lim shard.SetLimits) *result {
	for _, s := range sets {
		if s == nil {
			switch o {
			case opInterStore, opInterCard:
				x.Int(0)
			default:
				x.Set(0)
			}
			return nil
		}
	}
	sorted := slices.Clone(sets)
	slices.SortStableFunc(sorted, func(p, q *setData) int { return p.size() - q.size() })
	first := sorted[0]
	var r *result
	if o == opInterStore {
		enc := shard.EncListpack
		if first.enc == shard.EncIntset {
			enc = shard.EncIntset
		}
		r = newResult(enc, lim)
	}
	var out [][]byte
	card := int64(0)
	for i := range first.size() {
		m := first.member(i)
		in := true
		for _, s := range sorted[1:] {
			if s != first && !s.has(m) {
				in = false
				break
			}
		}
		if !in {
			continue
		}
		card++
		switch o {
		case opInterCard:
			if a.limit > 0 && card >= a.limit {
				x.Int(card)
				return nil
			}
		case opInter:
			out = append(out, m)
		default:
			r.add(m)
		}
	}
	switch o {
	case opInterCard:
		x.Int(card)
	case opInter:
		x.Set(len(out))
		for _, m := range out {
			x.Bulk(m)
		}
	default:
		x.Int(int64(r.n))
		if r.n == 0 {
			return nil
		}
		if r.allInts && int64(r.n) <= min(lim.IntsetEntries, 1<<30) {
			r.enc = shard.EncIntset
		}
		return r
	}
	return nil
}

// bySet lays the sets read out by key position.
func bySet(n int, reads ...[]*setData) ([]*setData, bool) {
	sets := make([]*setData, n)
	wrong := false
	for _, rs := range reads {
		for _, d := range rs {
			if d.wrong {
				wrong = true
			}
			if d.found {
				sets[d.pos] = d
			}
		}
	}
	return sets, wrong
}

// storeResult writes r (nil: delete) under dst on db.
func storeResult(x *command.Exec, db *shard.DB, dst []byte, r *result) {
	if r == nil {
		if _, found := db.Lookup(dst, x.Now, writeLookup|shard.NoTouch); found {
			db.Delete(dst)
		}
		return
	}
	ms := r.ordered()
	db.StoreSet(dst, r.enc, len(ms), func(i int) []byte { return ms[i] }, x.Now)
}

// runSetOp is o on one shard.
func runSetOp(o op, _ int) func(x *command.Exec) {
	return func(x *command.Exec) {
		a, ok := parseSetOp(x, o, false)
		if !ok {
			return
		}
		if o == opInter || o == opInterCard {
			interLocal(x, o, a)
			return
		}
		sets, wrong := bySet(len(a.keys), readSets(x, a.keys))
		if wrong {
			x.Fail(command.ErrWrongType)
			return
		}
		r := compute(x, o, a, sets)
		if o.store() {
			storeResult(x, x.DB(a.dst), a.dst, r)
		}
	}
}

// setOpCross is o across shards: each shard reads its sets, the
// coordinator computes, the destination's shard stores.
func setOpCross(o op, _ int) *command.Cross {
	return &command.Cross{
		Read: func(x *command.Exec) {
			a, ok := parseSetOp(x, o, true)
			if !ok {
				return
			}
			x.Result.Value = readSets(x, a.keys)
		},
		Apply: func(x *command.Exec, reads []*command.Exec) []command.Write {
			a, ok := parseSetOp(x, o, false)
			if !ok {
				return nil
			}
			var all [][]*setData
			for _, rd := range reads {
				if rd != nil && rd.Result.Value != nil {
					all = append(all, rd.Result.Value.([]*setData))
				}
			}
			sets, wrong := bySet(len(a.keys), all...)
			if wrong {
				x.Fail(command.ErrWrongType)
				return nil
			}
			r := compute(x, o, a, sets)
			if !o.store() {
				return nil
			}
			dst := a.dst
			return []command.Write{{Shard: x.Env.Route(dst), Do: func(p *command.Exec) {
				storeResult(p, p.DB(dst), dst, r)
			}}}
		},
	}
}

// smoveCross: the source's shard says whether the key exists, is a set and
// holds the member; the destination's whether its key is of another type.
// The coordinator answers as Redis checks, then the source's shard removes
// and the destination's adds.
var smoveCross = &command.Cross{
	Read: func(x *command.Exec) {
		src, dst, m := x.Args[1], x.Args[2], x.Args[3]
		key := dst
		if x.OwnsKey(src) {
			key = src
		}
		db := x.DB(key)
		h, found := db.Lookup(key, x.Now, writeLookup)
		switch {
		case !found:
		case db.Type(h) != shard.TypeSet:
			x.Result.Found = true
			x.Result.Err = command.ErrWrongType.Error()
		case x.OwnsKey(src):
			x.Result.Found = true
			if db.SetHas(h, m) {
				x.Result.N = 1
			}
		}
	},
	Apply: func(x *command.Exec, reads []*command.Exec) []command.Write {
		src, dst := x.Args[1], x.Args[2]
		from, to := x.Env.Route(src), x.Env.Route(dst)
		s, d := reads[from].Result, reads[to].Result
		switch {
		case !s.Found:
			x.Int(0)
			return nil
		case s.Err != "" || d.Err != "":
			x.Fail(command.ErrWrongType)
			return nil
		case s.N == 0:
			x.Int(0)
			return nil
		}
		x.Int(1)
		member := x.Args[3:4]
		return []command.Write{
			{Shard: from, Do: func(p *command.Exec) {
				db := p.DB(src)
				if h, found := db.Lookup(src, p.Now, writeLookup|shard.NoTouch); found {
					db.SetRemove(src, h, member)
				}
			}},
			{Shard: to, Do: func(p *command.Exec) {
				db := p.DB(dst)
				h, found := db.Lookup(dst, p.Now, writeLookup|shard.NoTouch)
				db.SetAdd(dst, h, found, member, Limits(p.Env), p.Now)
			}},
		}
	},
}

func appendInt(dst []byte, v int64) []byte {
	if v < 0 {
		dst = append(dst, '-')
		if v == -1<<63 {
			return append(dst, "9223372036854775808"...)
		}
		v = -v
	}
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(dst, b[i:]...)
}

// interLocal is SINTER and SINTERCARD with every set on this shard: the
// smallest set is walked in place and its members probed in the others,
// as Redis does, with nothing copied but the members of the reply.
func interLocal(x *command.Exec, o op, a setArgs) {
	db := x.DB(a.keys[0])
	hs := make([]shard.Handle, len(a.keys))
	missing := false
	for i, key := range a.keys {
		h, found := db.Lookup(key, x.Now, x.LookupFlags())
		if !found {
			missing = true
			continue
		}
		if db.Type(h) != shard.TypeSet {
			x.Fail(command.ErrWrongType)
			return
		}
		hs[i] = h
	}
	if missing {
		if o == opInterCard {
			x.Int(0)
		} else {
			x.Set(0)
		}
		return
	}
	slices.SortStableFunc(hs, func(p, q shard.Handle) int { return db.SetLen(p) - db.SetLen(q) })
	var found command.Values
	card := int64(0)
	db.SetEach(hs[0], func(m []byte) bool {
		for _, h := range hs[1:] {
			if h != hs[0] && !db.SetHas(h, m) {
				return true
			}
		}
		card++
		if o == opInter {
			found.Append(m, true)
			return true
		}
		return a.limit == 0 || card < a.limit
	})
	if o == opInterCard {
		x.Int(card)
		return
	}
	x.Set(found.Len())
	for i := range found.Len() {
		m, _ := found.At(i)
		x.Bulk(m)
	}
}
