package setcmd

import (
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// SINTER, SINTERCARD, SUNION, SDIFF and their STORE forms.
//
// They run as Redis's sinterGenericCommand and sunionDiffGenericCommand
// run, on the sets where they are: all on one shard when the keys share it
// (runSetOp), else as a Cross (setOpCross) whose steps visit the shards.
// SINTER walks its smallest set and SDIFF its first, keeping the members
// that pass the probes of the other sets (chain); SUNION adds every set to
// its result. The result follows the conversions Redis's result set goes
// through (encTrack), so that the reply's order and the stored set's
// encoding are Redis's; Go values hold members end to end in one buffer
// (members), never one object per member. The stored set is written on
// the destination's shard.

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

// copySmall is the size up to which a cross-shard read copies a set at
// once (it is cheaper to carry than to visit with another hop).
const copySmall = 64

// keyInfo is what the read of one of the operation's keys found.
type keyInfo struct {
	pos    int
	found  bool
	wrong  bool
	enc    byte
	size   int
	copied bool
	m      members // the members in iteration order, when copied
}

// shardRead is one shard's read: its keys, and on the first shard that
// read, the coordinator's state of the operation.
type shardRead struct {
	keys []*keyInfo
	st   *opState
}

// opState is one set operation in progress, across shards or on one. Its
// steps (next) run on the shards that hold the sets; what they find stays
// in it as Go values.
type opState struct {
	o     op
	a     setArgs
	lim   shard.SetLimits
	keys  []*keyInfo // by position
	route func(key []byte) int
	wrong bool // a key of another type
	empty bool // the answer is empty (a missing key), nothing to visit

	// SINTER and SDIFF: the candidates, from the source set (the smallest
	// for SINTER, the first for SDIFF), through the other sets.
	src     int
	ch      chain
	walked  bool
	coord   []probeSet    // the copied other sets, probed here
	probed  bool          // coord has been applied
	pending []int         // the shards whose sets the candidates still visit
	at      map[int][]int // the positions of the sets probed on each shard

	// SUNION and SUNIONSTORE.
	united bool
	r      *result
	built  *shard.SetBuilder // SUNIONSTORE's result, on the destination's shard
	n      int
}

func newState(o op, a setArgs, lim shard.SetLimits, route func([]byte) int) *opState {
	return &opState{o: o, a: a, lim: lim, keys: make([]*keyInfo, len(a.keys)), route: route}
}

func (st *opState) inter() bool {
	return st.o == opInter || st.o == opInterCard || st.o == opInterStore
}
func (st *opState) union() bool { return st.o == opUnion || st.o == opUnionStore }

// plan chooses, once every key was looked up, the source set and where the
// other sets are probed, as sinterGenericCommand and
// sunionDiffGenericCommand choose.
func (st *opState) plan() {
	for _, k := range st.keys {
		if k.wrong {
			st.wrong = true
			return
		}
	}
	if st.union() {
		return
	}
	if st.inter() {
		for i, k := range st.keys {
			if !k.found {
				st.empty = true
				return
			}
			if k.size < st.keys[st.src].size {
				st.src = i // the first of the smallest
			}
		}
		st.ch.inter = true
		if st.o == opInterCard {
			st.ch.limit = st.a.limit
		}
	} else {
		if !st.keys[0].found {
			st.empty = true
			return
		}
		one, two := 0, 0
		for j, k := range st.keys {
			if !k.found {
				continue
			}
			if j > 0 && string(st.a.keys[j]) == string(st.a.keys[0]) {
				st.empty = true // the same set: nothing is left
				return
			}
			one += st.keys[0].size
			two += k.size
		}
		if one/2 > two {
			// Redis's second algorithm adds the whole first set to the
			// result, then removes: the result's encoding is the whole
			// first set's.
			t := newTrack(shard.EncIntset, st.lim)
			st.ch.track, st.ch.convAt = &t, -1
		}
	}
	srcKey := st.a.keys[st.src]
	srcShard := -1
	if !st.keys[st.src].copied {
		srcShard = st.route(srcKey)
	}
	for p, k := range st.keys {
		if p == st.src || !k.found || (st.ch.inter && string(st.a.keys[p]) == string(srcKey)) {
			continue
		}
		if k.copied {
			st.coord = append(st.coord, probeSet{m: &k.m})
			continue
		}
		sh := st.route(st.a.keys[p])
		if st.at == nil {
			st.at = map[int][]int{}
		}
		if _, ok := st.at[sh]; !ok && sh != srcShard {
			st.pending = append(st.pending, sh)
		}
		st.at[sh] = append(st.at[sh], p)
	}
}

// next does what the coordinator can do of the operation and returns the
// next step, to run on shard sh; nil when there is none left.
func (st *opState) next() (sh int, do func(p *command.Exec)) {
	if st.wrong || st.empty {
		return -1, nil
	}
	if st.union() {
		return st.unionStep()
	}
	if !st.walked {
		st.walked = true
		src := st.keys[st.src]
		st.ch.cands.reserve(src.size) // at most this many candidates
		st.ch.keep = make([]bool, 0, src.size)
		if src.copied {
			st.probed = true
			st.ch.walk(src.m.each, probe(st.ch.inter, st.coord), len(st.pending) == 0)
		} else {
			sh := st.route(st.a.keys[st.src])
			pos, last := st.at[sh], len(st.coord) == 0 && len(st.pending) == 0
			return sh, func(p *command.Exec) {
				db, h, ok := lookupSet(p, st.a.keys[st.src])
				if !ok {
					return
				}
				each := func(fn func(m []byte) bool) { db.SetEach(h, fn) }
				st.ch.walk(each, probe(st.ch.inter, st.inPlace(p, pos)), last)
			}
		}
	}
	if st.ch.kept == 0 {
		return -1, nil
	}
	if !st.probed {
		st.probed = true
		if len(st.coord) > 0 {
			st.ch.filter(probe(st.ch.inter, st.coord), len(st.pending) == 0)
			if st.ch.kept == 0 {
				return -1, nil
			}
		}
	}
	if len(st.pending) == 0 {
		return -1, nil
	}
	sh = st.pending[0]
	st.pending = st.pending[1:]
	pos, last := st.at[sh], len(st.pending) == 0
	return sh, func(p *command.Exec) {
		st.ch.filter(probe(st.ch.inter, st.inPlace(p, pos)), last)
	}
}

// unionStep: SUNIONSTORE builds its result as the destination set on the
// destination's shard, whose sets it reads in place (the others' members
// came with the reads); SUNION adds the sets to a result here (their
// members came with the reads) or, on one shard, there.
func (st *opState) unionStep() (int, func(p *command.Exec)) {
	if st.united {
		return -1, nil
	}
	st.united = true
	if st.o == opUnionStore {
		return st.route(st.a.dst), func(p *command.Exec) {
			b := p.DB(st.a.dst).NewSetBuilder(shard.EncIntset, st.lim)
			biggest := 0
			for _, k := range st.keys {
				biggest = max(biggest, k.size)
			}
			if int64(biggest) > max(st.lim.IntsetEntries, st.lim.ListpackEntries) {
				// The result will be a table at least as big as the
				// biggest set: made so at once, it does not grow by
				// splits all the way.
				b.ToTable(biggest)
			}
			st.feed(p, b.Add)
			st.built, st.n = b, b.Len()
		}
	}
	st.r = newResult(shard.EncIntset, st.lim)
	total, sh := 0, -1
	for i, k := range st.keys {
		total += k.size
		if k.found && !k.copied {
			sh = st.route(st.a.keys[i])
		}
	}
	st.r.m.reserve(total)
	st.r.m.fit(total)
	if sh < 0 {
		st.feed(nil, st.r.add)
		return -1, nil
	}
	return sh, func(p *command.Exec) { st.feed(p, st.r.add) }
}

// feed adds every set's members, in the order of the keys, with add: a
// copied set's from its copy, the others' in place on p's shard.
func (st *opState) feed(p *command.Exec, add func(m []byte) bool) {
	for i, k := range st.keys {
		switch {
		case !k.found:
		case k.copied:
			k.m.each(func(m []byte) bool { add(m); return true })
		default:
			if db, h, ok := lookupSet(p, st.a.keys[i]); ok {
				db.SetEach(h, func(m []byte) bool { add(m); return true })
			}
		}
	}
}

// inPlace returns the sets at positions pos, on p's shard.
func (st *opState) inPlace(p *command.Exec, pos []int) []probeSet {
	sets := make([]probeSet, len(pos))
	for i, j := range pos {
		db, h, ok := lookupSet(p, st.a.keys[j])
		sets[i] = probeSet{db: db, h: h, gone: !ok}
	}
	return sets
}

// lookupSet finds again a set the operation's read found (under its
// locks, so it is there), without counting a second hit.
func lookupSet(p *command.Exec, key []byte) (*shard.DB, shard.Handle, bool) {
	db := p.DB(key)
	h, ok := db.Lookup(key, p.Now, shard.NoTouch|shard.NoStats)
	return db, h, ok && db.Type(h) == shard.TypeSet
}

// answer writes the reply, and returns the result to store and whether
// there is a write (a STORE's, even when the result is empty).
func (st *opState) answer(x *command.Exec) (*result, bool) {
	o := st.o
	switch {
	case st.wrong:
		x.Fail(command.ErrWrongType)
		return nil, false
	case o == opUnionStore:
		x.Int(int64(st.n))
		return nil, true
	case o == opUnion:
		st.r.reply(x)
		return nil, false
	case st.empty:
		switch {
		case o.store():
			x.Int(0)
			return nil, true
		case o == opInterCard:
			x.Int(0)
		default:
			x.Set(0)
		}
		return nil, false
	case o == opInterCard:
		x.Int(int64(st.ch.kept))
		return nil, false
	case o == opInter:
		x.Set(st.ch.kept)
		st.ch.each(func(m []byte) { x.Bulk(m) })
		return nil, false
	}
	// The result is the kept candidates as they are, with the encoding
	// Redis's result set would have taken.
	var r *result
	switch {
	case o == opInterStore:
		// SINTERSTORE's result starts as its smallest source (an intset
		// or a listpack) and ends an intset when it may be one.
		enc := shard.EncListpack
		if st.keys[st.src].enc == shard.EncIntset {
			enc = shard.EncIntset
		}
		r = newResult(enc, st.lim)
		st.ch.each(r.t.add)
		if r.t.allInts && int64(st.ch.kept) <= min(st.lim.IntsetEntries, 1<<30) {
			r.t.enc = shard.EncIntset
		}
	case st.ch.track == nil:
		r = newResult(shard.EncIntset, st.lim)
		st.ch.each(r.t.add)
	default:
		r = &result{t: *st.ch.track}
		for i := range min(st.ch.convAt, len(st.ch.keep)) {
			if st.ch.keep[i] {
				r.sorted++
			}
		}
	}
	r.m, r.keep, r.n = st.ch.cands, st.ch.keep, st.ch.kept
	if o.store() {
		x.Int(int64(r.len()))
		return r, true
	}
	r.reply(x)
	return nil, false
}

// store writes the STORE's result under the destination, on its shard.
func (st *opState) store(p *command.Exec, r *result) {
	dst := st.a.dst
	db := p.DB(dst)
	if b := st.built; b != nil {
		st.built = nil
		if st.n > 0 {
			b.Store(dst, p.Now)
			p.Notify(command.NotifySet, storeEvent[st.o], dst)
			return
		}
		b.Discard()
	}
	if r == nil || r.n == 0 {
		if deleteKey(p, db, dst) {
			p.Notify(command.NotifyGeneric, "del", dst)
		}
		return
	}
	r.store(p, db, dst)
	p.Notify(command.NotifySet, storeEvent[st.o], dst)
}

// chain is SINTER's and SDIFF's candidates: the source set's members in
// its order, walked on its shard (or here, when it came with the reads),
// kept while they pass the probes of the other sets, shard by shard.
type chain struct {
	inter bool  // kept when in every other set (else: in none)
	limit int64 // SINTERCARD's LIMIT: the last probe stops there (0: none)
	cands members
	keep  []bool
	kept  int
	// track is the encoding of SDIFF's result when Redis adds the whole
	// first set to it; convAt, the candidates before it became a listpack.
	track  *encTrack
	convAt int
}

// walk takes the candidates from the source set (each), those that pass
// probe; the last probe stops at the limit.
func (c *chain) walk(each func(fn func(m []byte) bool), probe func(m []byte) bool, last bool) {
	each(func(m []byte) bool {
		if c.track != nil {
			was := c.track.enc
			c.track.add(m)
			if was == shard.EncIntset && c.track.enc == shard.EncListpack {
				c.convAt = c.cands.len()
			}
		}
		if probe != nil && !probe(m) {
			return true
		}
		c.cands.push(m)
		c.keep = append(c.keep, true)
		c.kept++
		return !last || c.limit == 0 || int64(c.kept) < c.limit
	})
}

// filter drops the candidates that fail probe.
func (c *chain) filter(probe func(m []byte) bool, last bool) {
	n := 0
	for i, keep := range c.keep {
		if !keep {
			continue
		}
		if (last && c.limit > 0 && int64(n) >= c.limit) || !probe(c.cands.at(i)) {
			c.keep[i] = false
			continue
		}
		n++
	}
	c.kept = n
}

// each calls fn with the kept candidates in order.
func (c *chain) each(fn func(m []byte)) {
	for i, keep := range c.keep {
		if keep {
			fn(c.cands.at(i))
		}
	}
}

// probeSet is one set a candidate is looked for in: in place on its shard,
// or its copy.
type probeSet struct {
	db   *shard.DB
	h    shard.Handle
	m    *members
	gone bool
}

func (s probeSet) has(m []byte) bool {
	switch {
	case s.m != nil:
		return s.m.has(m)
	case s.gone:
		return false
	}
	return s.db.SetHas(s.h, m)
}

// probe returns the test of a candidate against sets: in all of them
// (inter) or in none; nil when there are none.
func probe(inter bool, sets []probeSet) func(m []byte) bool {
	if len(sets) == 0 {
		return nil
	}
	return func(m []byte) bool {
		for _, s := range sets {
			if s.has(m) != inter {
				return false
			}
		}
		return true
	}
}

// runSetOp is o with all its keys on one shard: the sets are read in
// place, the source walked, the others probed, nothing copied but the
// candidates (and, for SUNIONSTORE, not even those).
func runSetOp(o op, _ int) func(x *command.Exec) {
	return func(x *command.Exec) {
		a, ok := parseSetOp(x, o, false)
		if !ok {
			return
		}
		st := newState(o, a, Limits(x.Env), func([]byte) int { return 0 })
		db := x.DB(a.keys[0])
		infos := make([]keyInfo, len(a.keys))
		for i, key := range a.keys {
			k := &infos[i]
			k.pos = i
			st.keys[i] = k
			h, found := db.Lookup(key, x.Now, x.LookupFlags())
			if !found {
				continue
			}
			k.found = true
			if db.Type(h) != shard.TypeSet {
				x.Fail(command.ErrWrongType)
				return
			}
			k.enc, k.size = db.Encoding(h), db.SetLen(h)
		}
		st.plan()
		for {
			_, do := st.next()
			if do == nil {
				break
			}
			do(x)
		}
		if r, write := st.answer(x); write {
			st.store(x, r)
		}
	}
}

// setOpCross is o across shards. Each shard's read looks its keys up and
// copies the sets the coordinator will need whole (SUNION's; SUNIONSTORE's
// not on the destination's shard) or that are small; the others stay
// where they are and only their sizes come back. SINTER and SDIFF then
// walk their source set on its shard and carry the candidates it gives,
// as Go values, from shard to shard through the other sets (Fetch, one
// shard a step), so that what moves is bounded by the source set;
// SUNIONSTORE builds its result as the destination set on the
// destination's shard. Apply replies and names the store.
func setOpCross(o op, _ int) *command.Cross {
	return &command.Cross{
		Read: func(x *command.Exec) {
			a, ok := parseSetOp(x, o, true)
			if !ok {
				return
			}
			copyAll := o == opUnion || (o == opUnionStore && x.Env.Route(a.dst) != x.Part)
			sr := &shardRead{}
			for i, key := range a.keys {
				if !x.OwnsKey(key) {
					continue
				}
				db := x.DB(key)
				h, found := db.Lookup(key, x.Now, x.LookupFlags())
				k := &keyInfo{pos: i, found: found}
				sr.keys = append(sr.keys, k)
				if !found {
					continue
				}
				if db.Type(h) != shard.TypeSet {
					k.wrong = true
					break
				}
				k.enc, k.size = db.Encoding(h), db.SetLen(h)
				if copyAll || k.size <= copySmall {
					k.copied = true
					k.m.reserve(k.size)
					db.SetEach(h, func(m []byte) bool { k.m.push(m); return true })
				}
			}
			x.Result.Value = sr
		},
		Fetch: func(x *command.Exec, reads []*command.Exec) []command.Write {
			st := stateOf(x, o, reads)
			if st == nil {
				return nil
			}
			sh, do := st.next()
			if do == nil {
				return nil
			}
			return []command.Write{{Shard: sh, Do: do}}
		},
		Apply: func(x *command.Exec, reads []*command.Exec) []command.Write {
			if _, ok := parseSetOp(x, o, false); !ok {
				return nil
			}
			st := stateOf(x, o, reads)
			r, write := st.answer(x)
			if !write {
				return nil
			}
			return []command.Write{{Shard: x.Env.Route(st.a.dst), Do: func(p *command.Exec) { st.store(p, r) }}}
		},
	}
}

// stateOf returns the operation's state, made from the reads the first
// time (nil when the arguments are wrong: Apply answers).
func stateOf(x *command.Exec, o op, reads []*command.Exec) *opState {
	var home *shardRead
	for _, rd := range reads {
		if rd == nil || rd.Result == nil {
			continue
		}
		if sr, ok := rd.Result.Value.(*shardRead); ok {
			home = sr
			break
		}
	}
	if home == nil {
		return nil
	}
	if home.st != nil {
		return home.st
	}
	a, ok := parseSetOp(x, o, true)
	if !ok {
		return nil
	}
	st := newState(o, a, Limits(x.Env), x.Env.Route)
	for _, rd := range reads {
		if rd == nil || rd.Result == nil {
			continue
		}
		if sr, ok := rd.Result.Value.(*shardRead); ok {
			for _, k := range sr.keys {
				st.keys[k.pos] = k
			}
		}
	}
	for i, k := range st.keys {
		if k == nil {
			st.keys[i] = &keyInfo{pos: i} // not read: a shard stopped at a wrong type
		}
	}
	home.st = st
	st.plan()
	return st
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
				if h, found := db.Lookup(src, p.Now, writeLookup|shard.NoTouch); found && db.SetRemove(src, h, member) > 0 {
					notifyRemoved(p, db, "srem", src)
				}
			}},
			{Shard: to, Do: func(p *command.Exec) {
				db := p.DB(dst)
				h, found := db.Lookup(dst, p.Now, writeLookup|shard.NoTouch)
				if _, added := db.SetAdd(dst, h, found, member, Limits(p.Env), p.Now); added > 0 {
					p.Notify(command.NotifySet, "sadd", dst)
				}
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
