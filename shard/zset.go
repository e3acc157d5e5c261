package shard

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
	"unsafe"

	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/container/zbtree"
	"github.com/anaxdb/anax/shard/arena"
)

// Sorted sets (Redis's t_zset.c, type API half).
//
// A small sorted set (EncListpack) is a listpack of member, score pairs in
// the key's cell, ordered by score, ties by member bytes: exactly Redis's
// bytes (a score is written as Redis's d2string writes it, so an integral
// score is a listpack integer). A big one (EncSkiplist, the name Redis
// shows) is a zsetBig: one Go object holding
//
//   - a member index of its own (memberindex.go) whose values are member refs, each naming one
//     arena cell that holds the member and its score (see "Member cells
//     and their refs"), for member → score lookups (the object is the
//     table's Hasher and Matcher, as the big hash is);
//   - an order-statistics B+tree (container/zbtree) over (score, ref),
//     ordered as the listpack, with ranks; its nodes are arena cells too.
//
// No Go pointer per member is kept. Conversion follows Redis 7.2: a
// listpack becomes big before an insert that would take it past
// zset-max-listpack-entries members, a member longer than
// zset-max-listpack-value bytes, or past a listpack's size limit; a big set
// becomes a listpack again only where Redis converts back (the results of
// ZUNIONSTORE and its kin, ZRANGESTORE). A sorted set that loses its last
// member loses its key.
//
// Every edit calls DB.written(key) before it changes anything.

// EncSkiplist is Redis's OBJ_ENCODING_SKIPLIST, a big sorted set.
const EncSkiplist byte = 7

// ZSetLimits are the listpack thresholds (zset-max-listpack-entries and
// zset-max-listpack-value) a write obeys.
type ZSetLimits struct {
	Entries int64
	Value   int64
}

// zsetBig is a big sorted set.
type zsetBig struct {
	a     *arena.Arena
	t     memberIndex
	order zbtree.Tree
	cells int64 // bytes of the member cells (arena cell sizes)
	want  []byte
	// freeAt is release's member-table cursor.
	freeAt uint64
	// ttl holds the member expiries (member_ttl.go); nil while no member
	// has one.
	ttl *memberTTLs
}

func newZSetBig(a *arena.Arena) *zsetBig {
	z := &zsetBig{a: a}
	z.t = newMemberIndex(z)
	return z
}

// zless orders (s1, m1) before (s2, m2), as a sorted set orders members.
func zless(s1 float64, m1 []byte, s2 float64, m2 []byte) bool {
	if s1 != s2 {
		return s1 < s2
	}
	return bytes.Compare(m1, m2) < 0
}

// Member cells and their refs.
//
// A member's cell is named by a ref, which both the member table and the
// tree hold. Most members are short, and a length prefix would often push
// a cell into the next size class (a 16-byte member: 25 bytes, a 32-byte
// cell), so a member of up to refMaxLen bytes in a chunk cell keeps its
// length in its ref instead, in bits the arena's chunk handles never use
// (an offset inside a chunk is below ChunkSize = 2^20, so bits 20-31 of
// the handle are zero), and its cell is [member][score float64 LE]: 24
// bytes for 16. Any other member (longer, or in a big allocation, whose
// handle uses those bits) has a ref that is its plain handle and a cell
// [uvarint len][member][score].
const (
	refLenShift = 20
	refLenMask  = 0xfff << refLenShift
	refMaxLen   = 0xfff - 1
	refBigClass = 0xff // the arena's class byte of a big allocation
)

// The packing above needs a chunk offset to fit below bit 20.
var _ [1<<refLenShift - arena.ChunkSize]struct{}

// refHandle returns the arena handle of a member ref.
func refHandle(ref uint64) arena.Handle {
	if ref>>56 != refBigClass {
		ref &^= refLenMask
	}
	return arena.Handle(ref)
}

// refLayout returns where the member in c, the cell of ref, starts and
// its length; the score follows it.
func refLayout(ref uint64, c []byte) (start, n int) {
	if ref>>56 != refBigClass {
		if l := ref & refLenMask >> refLenShift; l != 0 {
			return 0, int(l - 1)
		}
	}
	l, k := binary.Uvarint(c)
	return k, int(l)
}

// refParts returns the member and score in the cell of ref.
func (z *zsetBig) refParts(ref uint64) ([]byte, float64) {
	c := z.a.Bytes(refHandle(ref))
	start, n := refLayout(ref, c)
	return c[start : start+n], math.Float64frombits(binary.LittleEndian.Uint64(c[start+n:]))
}

// newRef stores member and score in a new cell and returns its ref.
func (z *zsetBig) newRef(member []byte, score float64) uint64 {
	packed := len(member) <= refMaxLen
	n := len(member) + 8
	if !packed {
		n += uvarintLen(uint64(len(member)))
	}
	h, c := z.a.Alloc(n)
	ref := uint64(h)
	if packed && ref>>56 != refBigClass && ref&refLenMask == 0 {
		ref |= uint64(len(member)+1) << refLenShift
		copy(c, member)
		binary.LittleEndian.PutUint64(c[len(member):], math.Float64bits(score))
	} else {
		if packed { // a handle the packing cannot mark: the prefixed layout
			z.a.Free(h)
			h, c = z.a.Alloc(n + uvarintLen(uint64(len(member))))
			ref = uint64(h)
		}
		k := binary.PutUvarint(c, uint64(len(member)))
		copy(c[k:], member)
		binary.LittleEndian.PutUint64(c[k+len(member):], math.Float64bits(score))
	}
	z.cells += int64(z.a.Size(h))
	return ref
}

// setRefScore rewrites the score in the cell of ref.
func (z *zsetBig) setRefScore(ref uint64, score float64) {
	c := z.a.Bytes(refHandle(ref))
	start, n := refLayout(ref, c)
	binary.LittleEndian.PutUint64(c[start+n:], math.Float64bits(score))
}

// freeRef frees the cell of ref, forgetting its expiry.
func (z *zsetBig) freeRef(ref uint64) {
	h := refHandle(ref)
	z.cells -= int64(z.a.Size(h))
	z.a.Free(h)
	if z.ttl != nil && z.ttl.forget(ref) {
		z.ttl = nil
	}
}

// Hash is the table hash of the member of ref (dashtable.Hasher).
func (z *zsetBig) Hash(ref uint64) uint64 { return Hash(z.Member(ref)) }

// Match reports whether ref holds the member z.want (dashtable.Matcher).
func (z *zsetBig) Match(ref uint64) bool { return string(z.Member(ref)) == string(z.want) }

// Member returns the member of ref (the tree's Members).
func (z *zsetBig) Member(ref uint64) []byte {
	c := z.a.Bytes(refHandle(ref))
	start, n := refLayout(ref, c)
	return c[start : start+n]
}

func (z *zsetBig) store() *nodeStore { return storeOf(z.a) }

func (z *zsetBig) find(member []byte) (uint64, bool) {
	z.want = member
	ref, ok := z.t.Find(Hash(member), z)
	z.want = nil
	return ref, ok
}

func (z *zsetBig) score(member []byte) (float64, bool) {
	ref, ok := z.find(member)
	if !ok {
		return 0, false
	}
	_, s := z.refParts(ref)
	return s, true
}

// insert adds a member the set does not have.
func (z *zsetBig) insert(member []byte, score float64) {
	ref := z.newRef(member, score)
	z.t.Insert(Hash(member), ref)
	z.order.Insert(z.store(), z, score, ref)
}

// appendSorted adds a member the set does not have after every other (an
// ascending load) and returns its ref.
func (z *zsetBig) appendSorted(member []byte, score float64) uint64 {
	ref := z.newRef(member, score)
	z.t.Insert(Hash(member), ref)
	z.order.AppendSorted(z.store(), score, ref)
	return ref
}

// update moves member (in the set, with score old) to score.
func (z *zsetBig) update(member []byte, old, score float64) {
	ref, _ := z.find(member)
	z.order.Update(z.store(), z, old, member, score)
	z.setRefScore(ref, score)
}

// remove deletes member and reports whether it was there.
func (z *zsetBig) remove(member []byte) bool {
	ref, ok := z.find(member)
	if !ok {
		return false
	}
	_, score := z.refParts(ref)
	z.order.Delete(z.store(), z, score, member)
	z.want = member
	z.t.Delete(Hash(member), z)
	z.want = nil
	z.freeRef(ref)
	return true
}

// removeRanks deletes the members of ranks from to to (inclusive).
func (z *zsetBig) removeRanks(from, to int) {
	z.order.DeleteRange(z.store(), from, to, func(_ float64, ref uint64) {
		z.want = z.Member(ref)
		z.t.Delete(Hash(z.want), z)
		z.want = nil
		z.freeRef(ref)
	})
}

// bigValue.

func (z *zsetBig) release(a *arena.Arena, budget int) bool {
	freed := 0
	// The member cells first, by the table's cursor (the tree is not
	// read meanwhile: the set is out of the keyspace), then the nodes.
	for z.t.Len() > 0 {
		z.freeAt = z.t.Scan(z.freeAt, func(ref uint64) {
			a.Free(refHandle(ref))
			freed++
		})
		if z.freeAt == 0 {
			z.t.Clear()
			z.cells = 0
			z.ttl = nil
			break
		}
		if budget > 0 && freed >= budget {
			return false
		}
	}
	nodes := budget - freed
	if budget <= 0 {
		nodes = math.MaxInt
	}
	if nodes <= 0 || !z.order.Release(z.store(), nodes) {
		return false
	}
	return true
}

func (z *zsetBig) memory(a *arena.Arena) int {
	return int(unsafe.Sizeof(*z)) + z.t.MemoryUsage() + z.order.Memory() + int(z.cells) + z.ttl.memory()
}

func (z *zsetBig) clone(a *arena.Arena) bigValue {
	c := newZSetBig(a)
	c.t.Reserve(z.t.Len())
	s := z.store()
	it := z.order.SeekRank(s, 0)
	for ; it.Valid(); it.Next(s) {
		ref := c.appendSorted(z.Member(it.Ref()), it.Score())
		if at := z.ttl.get(it.Ref()); at != 0 {
			c.setTTL(ref, at)
		}
	}
	return c
}

// appendFlat writes listpacks of member, score pairs in order, scores as
// their 8 raw bytes (exact for every double, NaN never occurs), then the
// members' expiries, if any (appendTTLFlat).
func (z *zsetBig) appendFlat(a *arena.Arena, dst []byte) []byte {
	lp := listpack.New()
	s := z.store()
	var sb [8]byte
	it := z.order.SeekRank(s, 0)
	for ; it.Valid(); it.Next(s) {
		lp.Append(z.Member(it.Ref()))
		binary.LittleEndian.PutUint64(sb[:], math.Float64bits(it.Score()))
		lp.Append(sb[:])
		if len(lp.Bytes()) >= flatChunkBytes {
			dst = appendFlatChunk(dst, lp.Bytes())
			lp = listpack.FromBytes(listpack.AppendEmpty(lp.Bytes()[:0]))
		}
	}
	if lp.Len() > 0 {
		dst = appendFlatChunk(dst, lp.Bytes())
	}
	return appendTTLFlat(dst, z.ttl, z.Member)
}

// importZSetBig rebuilds a big sorted set from its flat form.
func importZSetBig(a *arena.Arena, flat []byte) *zsetBig {
	z := newZSetBig(a)
	var ib [24]byte
	splitTTLFlat(flat, func(b []byte) {
		it := listpack.FromBytes(b).Iter()
		for it.Next() {
			m := lpText(it.Value(), ib[:0])
			it.Next()
			var sb [8]byte
			raw := it.Value().AppendTo(sb[:0])
			z.appendSorted(m, math.Float64frombits(binary.LittleEndian.Uint64(raw)))
		}
	}, func(m []byte, at int64) {
		if ref, ok := z.find(m); ok {
			z.setTTL(ref, at)
		}
	})
	return z
}

// Listpack scores.

// AppendScore appends a score's text as Redis 7.2's d2string writes it in
// a listpack: integers within ±2^62 without a fraction, "inf", "-inf",
// else the shortest digits that read back the same, laid out as
// fpconv_dtoa does. It is the layout of protocol/resp.AppendDoubleText
// (a double reply), which the shard may not import; TestZSetScoreText
// checks it against Redis 7.2's texts.
func AppendScore(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	case f >= -(1<<62) && f <= 1<<62 && f == math.Trunc(f):
		return strconv.AppendInt(dst, int64(f), 10)
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	var tmp [32]byte
	s := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64)
	var digits [24]byte
	nd, i := 0, 0
	for ; s[i] != 'e'; i++ {
		if s[i] != '.' {
			digits[nd] = s[i]
			nd++
		}
	}
	e := 0 // the exponent of the leading digit
	for _, c := range s[i+2:] {
		e = e*10 + int(c-'0')
	}
	if s[i+1] == '-' {
		e = -e
	}
	d := digits[:nd]
	k := e - (nd - 1) // f = d × 10^k
	switch {
	case k >= 0 && k <= 7:
		dst = append(dst, d...)
		for ; k > 0; k-- {
			dst = append(dst, '0')
		}
		return dst
	case k < 0 && (k >= -6 || (e > -4 && e < 4)):
		whole := nd + k
		if whole <= 0 {
			dst = append(dst, '0', '.')
			for ; whole < 0; whole++ {
				dst = append(dst, '0')
			}
			return append(dst, d...)
		}
		dst = append(dst, d[:whole]...)
		dst = append(dst, '.')
		return append(dst, d[whole:]...)
	}
	dst = append(dst, d[0])
	if nd > 1 {
		dst = append(dst, '.')
		dst = append(dst, d[1:]...)
	}
	dst = append(dst, 'e')
	if e < 0 {
		dst = append(dst, '-')
		e = -e
	} else {
		dst = append(dst, '+')
	}
	return strconv.AppendInt(dst, int64(e), 10)
}

// lpScore reads a listpack score element.
func lpScore(v listpack.Value) float64 {
	if v.IsInt {
		return float64(v.Int)
	}
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(v.Str), len(v.Str)), 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0
	}
	return f
}

// lpCompare compares element v's text with member, as bytes.Compare.
func lpCompare(v listpack.Value, member []byte) int {
	if v.IsInt {
		var b [24]byte
		return bytes.Compare(strconv.AppendInt(b[:0], v.Int, 10), member)
	}
	return bytes.Compare(v.Str, member)
}

// ZSet is a sorted set opened for one command: reads, and writes that keep
// its entry handle current. It must not be kept past the command.
type ZSet struct {
	db  *DB
	key []byte
	h   Handle
	big *zsetBig
	// gone is set once a removal emptied the set and deleted its key: Len
	// is then 0 and nothing else may be called.
	gone bool
}

// OpenZSet opens the sorted set entry h of key.
func (db *DB) OpenZSet(key []byte, h Handle) ZSet {
	z := ZSet{db: db, key: key, h: h}
	if db.Encoding(h) == EncSkiplist {
		z.big = db.object(h).(*zsetBig)
	}
	return z
}

// NewZSet creates an empty sorted set under key (replacing what it held),
// in the encoding Redis's zsetTypeCreate picks for about size members of
// at most maxLen bytes. It holds no member until Add: the caller adds at
// least one or deletes the key.
func (db *DB) NewZSet(key []byte, size, maxLen int, lim ZSetLimits, now int64) ZSet {
	if int64(size) <= lim.Entries && int64(maxLen) <= lim.Value {
		var empty [7]byte
		h := db.NewValue(key, TypeZSet, EncListpack, listpack.AppendEmpty(empty[:0]), now)
		return ZSet{db: db, key: key, h: h}
	}
	z := newZSetBig(db.sh.arena)
	z.t.Reserve(size)
	h := db.newBig(key, TypeZSet, EncSkiplist, z, now)
	return ZSet{db: db, key: key, h: h, big: z}
}

// Handle returns the entry's current handle.
func (z *ZSet) Handle() Handle { return z.h }

// Big reports whether the set is in its big encoding.
func (z *ZSet) Big() bool { return z.big != nil }

func (z *ZSet) lp() listpack.Listpack { return listpack.FromBytes(z.db.Value(z.h)) }

// Len returns the number of members (0 once the set is gone).
func (z *ZSet) Len() int {
	if z.gone {
		return 0
	}
	if z.big != nil {
		return z.big.order.Len()
	}
	return z.lp().Len() / 2
}

// Score returns member's score.
func (z *ZSet) Score(member []byte) (float64, bool) {
	if z.big != nil {
		return z.big.score(member)
	}
	lp := z.lp()
	p := lp.Find(lp.First(), member, 1)
	if p < 0 {
		return 0, false
	}
	return lpScore(lp.At(lp.Next(p))), true
}

// Rank returns member's ascending rank (0 first) and score.
func (z *ZSet) Rank(member []byte) (int, float64, bool) {
	if z.big != nil {
		score, ok := z.big.score(member)
		if !ok {
			return 0, 0, false
		}
		r, _ := z.big.order.Rank(z.big.store(), z.big, score, member)
		return r, score, true
	}
	lp := z.lp()
	rank := 0
	it := lp.Iter()
	for ; it.Next(); rank++ {
		m := it.Value()
		it.Next()
		if m.Equal(member) {
			return rank, lpScore(it.Value()), true
		}
	}
	return 0, 0, false
}

// CountBelow returns how many members score below score (at or below it
// when inclusive).
func (z *ZSet) CountBelow(score float64, inclusive bool) int {
	if z.big != nil {
		return z.big.order.CountBelow(z.big.store(), score, inclusive)
	}
	n := 0
	it := z.lp().Iter()
	for ; it.Next(); n++ {
		it.Next()
		s := lpScore(it.Value())
		if s > score || (s == score && !inclusive) {
			break
		}
	}
	return n
}

// CountBelowLex returns how many members sort below member (at or below
// it when inclusive), comparing bytes only: what the lex ranges mean when
// every score is equal, as Redis requires of them.
func (z *ZSet) CountBelowLex(member []byte, inclusive bool) int {
	if z.big != nil {
		return z.big.order.CountBelowLex(z.big.store(), z.big, member, inclusive)
	}
	n := 0
	it := z.lp().Iter()
	for ; it.Next(); n++ {
		c := lpCompare(it.Value(), member)
		if c > 0 || (c == 0 && !inclusive) {
			break
		}
		it.Next()
	}
	return n
}

// Range calls fn with the members from ascending rank rank on, upwards or
// (rev) downwards, until fn returns false or the set ends. The member
// bytes are valid during the call only; fn must not write.
func (z *ZSet) Range(rank int, rev bool, fn func(member []byte, score float64) bool) {
	if rank < 0 || rank >= z.Len() {
		return
	}
	if b := z.big; b != nil {
		s := b.store()
		it := b.order.SeekRank(s, rank)
		for it.Valid() {
			if !fn(b.Member(it.Ref()), it.Score()) {
				return
			}
			if rev {
				it.Prev(s)
			} else {
				it.Next(s)
			}
		}
		return
	}
	lp := z.lp()
	p := lp.Seek(2 * rank)
	ib := &z.db.sh.ztext[0]
	for p >= 0 {
		sp := lp.Next(p)
		if !fn(lpText(lp.At(p), ib[:0]), lpScore(lp.At(sp))) {
			return
		}
		if rev {
			p = lp.Prev(p)
			if p >= 0 {
				p = lp.Prev(p)
			}
		} else {
			p = lp.Next(sp)
		}
	}
}

// At returns the member and score of ascending rank rank (in range).
func (z *ZSet) At(rank int, fn func(member []byte, score float64)) {
	z.Range(rank, false, func(m []byte, s float64) bool { fn(m, s); return false })
}

// Scan visits one step of a big set's member table cursor and returns the
// next cursor (0 at the end); false for a listpack, which the caller
// returns whole, as Redis does.
func (z *ZSet) Scan(cursor uint64, fn func(member []byte, score float64)) (uint64, bool) {
	b := z.big
	if b == nil {
		return 0, false
	}
	return b.t.Scan(cursor, func(ref uint64) { fn(b.refParts(ref)) }), true
}

// ListpackBytes returns a small set's listpack (nil for a big one), valid
// until the next write.
func (z *ZSet) ListpackBytes() []byte {
	if z.big != nil {
		return nil
	}
	return z.db.Value(z.h)
}

// Writing.

// Add sets member's score, adding it when new (the caller decided so: NX,
// XX, GT, LT and INCR are the command's), and reports whether it was
// added. A listpack converts first when the insert would take it past lim.
func (z *ZSet) Add(member []byte, score float64, lim ZSetLimits) bool {
	z.db.written(z.key)
	if z.big == nil {
		lp := z.lp()
		if p := lp.Find(lp.First(), member, 1); p >= 0 {
			if lpScore(lp.At(lp.Next(p))) == score {
				return false
			}
			z.lpDelete(p)
			z.lpInsert(member, score)
			return false
		}
		if int64(lp.Len()/2)+1 > lim.Entries || int64(len(member)) > lim.Value || !lp.SafeToAdd(len(member)+32) {
			z.toBig(lp.Len()/2 + 1)
		} else {
			z.lpInsert(member, score)
			return true
		}
	}
	if old, ok := z.big.score(member); ok {
		if old != score {
			z.big.update(member, old, score)
		}
		return false
	}
	z.big.insert(member, score)
	return true
}

// MaybeBig converts a listpack set that is about to receive size members
// to the big encoding when size alone passes lim.Entries (Redis's
// zsetTypeMaybeConvert, before ZADD's inserts).
func (z *ZSet) MaybeBig(size int, lim ZSetLimits) {
	if z.big == nil && int64(size) > lim.Entries {
		z.db.written(z.key)
		z.toBig(size)
	}
}

// lpDelete removes the pair whose member is at p.
func (z *ZSet) lpDelete(p int) {
	lp := listpack.FromBytes(z.db.valueRoom(z.h))
	lp.Delete(lp.Delete(p))
	z.h = z.db.storeValue(z.key, z.h, lp.Bytes(), EncListpack)
}

// lpInsert inserts member with score at its place.
func (z *ZSet) lpInsert(member []byte, score float64) {
	if score == 0 {
		score = 0 // -0 is the integer 0 in a listpack, as in Redis's
	}
	st := AppendScore(z.db.sh.ztext[1][:0], score)
	// Room for exactly this pair, so that a set grown one member at a
	// time ends in the cell its bytes need.
	z.h = z.db.reserveValue(z.key, z.h, listpack.EntrySize(member)+listpack.EntrySize(st))
	lp := listpack.FromBytes(z.db.valueRoom(z.h))
	lpInsertPair(&lp, member, score, st)
	z.h = z.db.storeValue(z.key, z.h, lp.Bytes(), EncListpack)
}

// lpInsertPair inserts member with score (whose listpack text is st) at its
// place in a sorted set's listpack.
func lpInsertPair(lp *listpack.Listpack, member []byte, score float64, st []byte) {
	p := lp.First()
	for p >= 0 {
		sp := lp.Next(p)
		s := lpScore(lp.At(sp))
		if s > score || (s == score && lpCompare(lp.At(p), member) > 0) {
			break
		}
		p = lp.Next(sp)
	}
	if p < 0 {
		lp.Append(member)
		lp.Append(st)
		return
	}
	q := lp.InsertBefore(p, member)
	lp.InsertAfter(q, st)
}

// toBig converts a listpack set to the big encoding, sized for size members.
func (z *ZSet) toBig(size int) {
	b := newZSetBig(z.db.sh.arena)
	b.t.Reserve(size)
	lp := z.lp()
	var ib [24]byte
	it := lp.Iter()
	for it.Next() {
		m := lpText(it.Value(), ib[:0])
		it.Next()
		b.appendSorted(m, lpScore(it.Value()))
	}
	z.h = z.db.makeBig(z.key, z.h, EncSkiplist, b)
	z.big = b
}

// Remove deletes member and reports whether it was there. A set left
// empty loses its key (Len is then 0 and the set must not be used).
func (z *ZSet) Remove(member []byte) bool {
	if b := z.big; b != nil {
		if _, ok := b.find(member); !ok {
			return false
		}
		z.db.written(z.key)
		b.remove(member)
		z.dropIfEmpty()
		return true
	}
	lp := z.lp()
	p := lp.Find(lp.First(), member, 1)
	if p < 0 {
		return false
	}
	z.db.written(z.key)
	z.lpDelete(p)
	z.dropIfEmpty()
	return true
}

// RemoveRange deletes the members of ascending ranks from to to
// (inclusive, in range); a set left empty loses its key.
func (z *ZSet) RemoveRange(from, to int) {
	if from > to {
		return
	}
	z.db.written(z.key)
	if b := z.big; b != nil {
		b.removeRanks(from, to)
	} else {
		lp := listpack.FromBytes(z.db.valueRoom(z.h))
		lp.DeleteRange(2*from, 2*(to-from+1))
		z.h = z.db.storeValue(z.key, z.h, lp.Bytes(), EncListpack)
	}
	z.dropIfEmpty()
}

func (z *ZSet) dropIfEmpty() {
	if z.Len() == 0 {
		z.db.Delete(z.key)
		z.big, z.gone = nil, true
	}
}

// MaybeListpack converts a big set back to a listpack when it fits lim
// (Redis's zsetConvertToListpackIfNeeded, for the results of ZUNIONSTORE,
// ZINTERSTORE, ZDIFFSTORE and ZRANGESTORE): at most lim.Entries members,
// none longer than lim.Value bytes, and a listpack that may hold them.
func (z *ZSet) MaybeListpack(lim ZSetLimits) {
	b := z.big
	if b == nil || b.ttl != nil || int64(b.order.Len()) > lim.Entries {
		return
	}
	total, maxLen := 0, 0
	s := b.store()
	it := b.order.SeekRank(s, 0)
	for ; it.Valid(); it.Next(s) {
		n := len(b.Member(it.Ref()))
		total += n
		maxLen = max(maxLen, n)
	}
	if int64(maxLen) > lim.Value || total > listpack.MaxSize {
		return
	}
	lp := listpack.New()
	var sb [32]byte
	it = b.order.SeekRank(s, 0)
	for ; it.Valid(); it.Next(s) {
		lp.Append(b.Member(it.Ref()))
		lp.Append(AppendScore(sb[:0], it.Score()))
	}
	z.h = z.db.makeSmall(z.key, z.h, EncListpack, lp.Bytes())
	z.big = nil
}

// ZSetBuilder builds a sorted set outside the keyspace (RESTORE); Store
// puts it under its key. Its methods run on the owner goroutine; after
// Store or Discard it must not be used again.
type ZSetBuilder struct {
	db  *DB
	lp  listpack.Listpack
	big *zsetBig
	n   int
}

// NewZSetBuilder starts an empty sorted set of about size members, in the
// big encoding when big (the caller applies Redis's rule for the payload's
// type) and a listpack otherwise.
func (db *DB) NewZSetBuilder(big bool, size int) *ZSetBuilder {
	b := &ZSetBuilder{db: db}
	if big {
		b.big = newZSetBig(db.sh.arena)
		b.big.t.Reserve(size)
	} else {
		// Room for size members of a dozen bytes, so that appending
		// them seldom reallocates.
		b.lp = listpack.FromBytes(listpack.AppendEmpty(make([]byte, 0, min(7+size*20, 4096))))
	}
	return b
}

// NewZSetBuilderListpack starts a small sorted set that is the listpack
// lp as it is (Redis keeps a loaded listpack so): the caller has validated
// it, and its n members are unique, in ascending order (score, then member
// bytes), with scores that are not NaN. lp must stay unchanged until Store,
// which copies it.
func (db *DB) NewZSetBuilderListpack(lp []byte, n int) *ZSetBuilder {
	return &ZSetBuilder{db: db, lp: listpack.FromBytes(lp), n: n}
}

// Append adds a member after every other: the caller adds them in
// ascending order (score, then member bytes), each once.
func (b *ZSetBuilder) Append(member []byte, score float64) {
	b.n++
	if z := b.big; z != nil {
		z.appendSorted(member, score)
		return
	}
	if score == 0 {
		score = 0 // no -0 in a listpack (see lpInsert)
	}
	b.lp.Append(member)
	b.lp.Append(AppendScore(b.db.sh.ztext[1][:0], score))
}

// Len returns the number of members added so far.
func (b *ZSetBuilder) Len() int { return b.n }

// Discard frees what was built.
func (b *ZSetBuilder) Discard() {
	if b.big != nil {
		b.big.release(b.db.sh.arena, 0)
		b.big = nil
	}
}

// Store puts the set under key, replacing what key held, with no TTL, and
// returns its handle. The set must not be empty.
func (b *ZSetBuilder) Store(key []byte, now int64) Handle {
	if b.n == 0 {
		panic("BUG: ZSetBuilder.Store of an empty sorted set")
	}
	if z := b.big; z != nil {
		b.big = nil
		return b.db.newBig(key, TypeZSet, EncSkiplist, z, now)
	}
	return b.db.NewValue(key, TypeZSet, EncListpack, b.lp.Bytes(), now)
}
