package shard

import (
	"encoding/binary"
	"strconv"
	"unsafe"

	"github.com/anaxdb/anax/container/intset"
	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/shard/arena"
)

// Sets (Redis 7.2's t_set.c, type API half).
//
// A set has Redis 7.2's three encodings:
//
//   - intset (EncIntset): all members are integers and there are at most
//     set-max-intset-entries of them; Redis's intset bytes in the key's cell.
//   - listpack (EncListpack): at most set-max-listpack-entries members of at
//     most set-max-listpack-value bytes; Redis's listpack bytes in the cell.
//   - hashtable (EncHashtable): a setTable, one Go object holding a member
//     index of its own (memberindex.go) whose handles name one arena cell per member,
//     [uvarint len][member]; no Go pointer per member.
//
// Every conversion is the one Redis makes at the same point (setTypeAddAux,
// setTypeMaybeConvert, maybeConvertIntset, maybeConvertToIntset), so OBJECT
// ENCODING answers what Redis answers after the same commands. A set never
// returns to a smaller encoding but where Redis rebuilds one (SPOP of most of
// a set, the *STORE commands, RESTORE). A set that loses its last member
// loses its key. Every edit calls DB.written(key) before it changes anything.

// EncIntset is Redis's OBJ_ENCODING_INTSET.
const EncIntset byte = 6

// SetLimits are the thresholds a write obeys: set-max-intset-entries,
// set-max-listpack-entries and set-max-listpack-value.
type SetLimits struct {
	IntsetEntries   int64
	ListpackEntries int64
	ListpackValue   int64
}

// intsetMax is intsetMaxEntries: Redis bounds an intset to 2^30 members
// whatever the setting says.
func (l SetLimits) intsetMax() int64 { return min(l.IntsetEntries, 1<<30) }

// setTable is a big set. It is its own table's Hasher and Matcher: it reads
// member cells through the shard's arena; want is the member a Find or
// Delete looks for (set around each call only).
type setTable struct {
	a      *arena.Arena
	t      memberIndex
	cells  int64 // bytes of the member cells (arena cell sizes)
	want   []byte
	tmp    []byte // a member being deleted, copied out of its cell
	freeAt uint64
	// ttl holds the member expiries (member_ttl.go); nil while no member
	// has one.
	ttl *memberTTLs
}

func newSetTable(a *arena.Arena, hint int) *setTable {
	st := &setTable{a: a}
	st.t = newMemberIndex(st)
	if hint > 0 {
		st.t.Reserve(hint)
	}
	return st
}

// Member cells. A member shorter than 4095 bytes is its cell's only
// content: its length rides in the table's handle, in bits 20 to 31, which
// an arena handle of a chunk cell leaves zero (its offset is below
// arena.ChunkSize, 1 MiB), as length+1. A longer member (and any member in
// a big arena allocation, whose handle uses those bits) has the bits zero
// and its cell starts with the length as a uvarint. A 16-byte member thus
// takes a 16-byte cell, not a 24-byte one.
const (
	memberLenShift = 20
	memberLenBits  = uint64(0xfff) << memberLenShift
	maxInlineLen   = 0xfff - 1
	bigCellClass   = 0xff // arena's class byte of big allocations
)

// The handle trick needs chunk offsets below 1<<20.
var _ [1<<memberLenShift - arena.ChunkSize]struct{}

// cellOf returns the arena handle of a table handle.
func cellOf(h uint64) arena.Handle {
	if h>>56 == bigCellClass {
		return arena.Handle(h)
	}
	return arena.Handle(h &^ memberLenBits)
}

// cellMember returns the member of a length-prefixed member cell.
func cellMember(c []byte) []byte {
	n, k := binary.Uvarint(c)
	return c[k : k+int(n)]
}

// member returns the member that table handle h names.
func (st *setTable) member(h uint64) []byte {
	if h>>56 != bigCellClass {
		if l := (h & memberLenBits) >> memberLenShift; l != 0 {
			return st.a.Bytes(arena.Handle(h &^ memberLenBits))[:l-1]
		}
	}
	return cellMember(st.a.Bytes(arena.Handle(h)))
}

// Hash is the table hash of handle h's member (dashtable.Hasher).
func (st *setTable) Hash(h uint64) uint64 { return Hash(st.member(h)) }

// Match reports whether handle h names st.want (dashtable.Matcher).
func (st *setTable) Match(h uint64) bool { return string(st.member(h)) == string(st.want) }

func (st *setTable) has(m []byte) bool {
	st.want = m
	_, ok := st.t.Find(Hash(m), st)
	st.want = nil
	return ok
}

// add inserts m and reports whether it was new.
func (st *setTable) add(m []byte) bool {
	hash := Hash(m)
	st.want = m
	_, ok := st.t.Find(hash, st)
	st.want = nil
	if ok {
		return false
	}
	st.insertNew(hash, m)
	return true
}

// insertNew inserts m, which the set lacks, and returns its table handle.
func (st *setTable) insertNew(hash uint64, m []byte) uint64 {
	var th uint64
	if len(m) <= maxInlineLen {
		h, c := st.a.Alloc(len(m))
		copy(c, m)
		st.cells += int64(st.a.Size(h))
		th = uint64(h) | uint64(len(m)+1)<<memberLenShift
	} else {
		n := uvarintLen(uint64(len(m)))
		h, c := st.a.Alloc(n + len(m))
		binary.PutUvarint(c, uint64(len(m)))
		copy(c[n:], m)
		st.cells += int64(st.a.Size(h))
		th = uint64(h)
	}
	st.t.Insert(hash, th)
	return th
}

// del removes m and reports whether it was there. m must not lie in the
// cell it names (copy it out first).
func (st *setTable) del(m []byte) bool {
	st.want = m
	h, ok := st.t.Delete(Hash(m), st)
	st.want = nil
	if ok {
		c := cellOf(h)
		st.cells -= int64(st.a.Size(c))
		st.a.Free(c)
		if st.ttl != nil && st.ttl.forget(h) {
			st.ttl = nil
		}
	}
	return ok
}

func (st *setTable) release(a *arena.Arena, budget int) bool {
	freed := 0
	for {
		st.freeAt = st.t.Scan(st.freeAt, func(h uint64) {
			a.Free(cellOf(h))
			freed++
		})
		if st.freeAt == 0 {
			st.t.Clear()
			st.cells = 0
			st.ttl = nil
			return true
		}
		if budget > 0 && freed >= budget {
			return false
		}
	}
}

func (st *setTable) memory(a *arena.Arena) int {
	return int(unsafe.Sizeof(*st)) + st.t.MemoryUsage() + int(st.cells) + st.ttl.memory()
}

func (st *setTable) clone(a *arena.Arena) bigValue {
	c := newSetTable(a, st.t.Len())
	st.t.ForEach(func(h uint64) bool {
		m := st.member(h)
		nh := c.insertNew(Hash(m), m)
		if at := st.ttl.get(h); at != 0 {
			c.setTTL(nh, at)
		}
		return true
	})
	return c
}

// appendFlat writes the members as listpacks of at most flatChunkBytes,
// then their expiries, if any (appendTTLFlat).
func (st *setTable) appendFlat(a *arena.Arena, dst []byte) []byte {
	lp := listpack.New()
	st.t.ForEach(func(h uint64) bool {
		lp.Append(st.member(h))
		if len(lp.Bytes()) >= flatChunkBytes {
			dst = appendFlatChunk(dst, lp.Bytes())
			lp = listpack.FromBytes(listpack.AppendEmpty(lp.Bytes()[:0]))
		}
		return true
	})
	if lp.Len() > 0 {
		dst = appendFlatChunk(dst, lp.Bytes())
	}
	return appendTTLFlat(dst, st.ttl, st.member)
}

// importSetTable rebuilds a big set from its flat form (appendFlat).
func importSetTable(a *arena.Arena, flat []byte) *setTable {
	st := newSetTable(a, 0)
	var ib [24]byte
	splitTTLFlat(flat, func(lp []byte) {
		it := listpack.FromBytes(lp).Iter()
		for it.Next() {
			m := lpText(it.Value(), ib[:0])
			st.insertNew(Hash(m), m)
		}
	}, func(m []byte, at int64) {
		if ref, ok := st.ref(m); ok {
			st.setTTL(ref, at)
		}
	})
	return st
}

// setVal is a set being read or edited: the bytes of a small set (which may
// be the key's cell, valueRoom's slice) or a big one's table. The same code
// edits a set in its cell and one being built outside the keyspace
// (SetBuilder), so both convert at the same points.
type setVal struct {
	enc byte
	b   []byte
	st  *setTable
	a   *arena.Arena
}

func (v *setVal) len() int {
	switch v.enc {
	case EncIntset:
		return intset.Len(v.b)
	case EncListpack:
		return listpack.FromBytes(v.b).Len()
	}
	return v.st.t.Len()
}

func (v *setVal) has(m []byte) bool {
	switch v.enc {
	case EncIntset:
		n, ok := listpack.ParseInt(m)
		return ok && intset.Find(v.b, n)
	case EncListpack:
		lp := listpack.FromBytes(v.b)
		return lp.Find(lp.First(), m, 0) >= 0
	}
	return v.st.has(m)
}

// each calls fn with every member (valid during the call) in Redis's
// iteration order: ascending for an intset, listpack order, table order.
func (v *setVal) each(fn func(m []byte) bool) {
	var ib [24]byte
	switch v.enc {
	case EncIntset:
		for i := range intset.Len(v.b) {
			if !fn(strconv.AppendInt(ib[:0], intset.Get(v.b, i), 10)) {
				return
			}
		}
	case EncListpack:
		it := listpack.FromBytes(v.b).Iter()
		for it.Next() {
			if !fn(lpText(it.Value(), ib[:0])) {
				return
			}
		}
	default:
		v.st.t.ForEach(func(h uint64) bool { return fn(v.st.member(h)) })
	}
}

// toTable converts a small set to a table sized for hint members.
func (v *setVal) toTable(hint int) {
	st := newSetTable(v.a, max(hint, v.len()))
	v.each(func(m []byte) bool { st.insertNew(Hash(m), m); return true })
	v.enc, v.b, v.st = EncHashtable, nil, st
}

// toListpack converts an intset to a listpack (on the Go heap), with room
// for one more member of extra bytes.
func (v *setVal) toListpack(extra int) {
	n := intset.Len(v.b)
	lp := listpack.FromBytes(listpack.AppendEmpty(make([]byte, 0, 7+n*11+extra)))
	for i := range n {
		lp.AppendInt(intset.Get(v.b, i))
	}
	v.enc, v.b = EncListpack, lp.Bytes()
}

// maybeConvert is setTypeMaybeConvert: a small set about to take hint
// members that its encoding cannot hold becomes a table first.
func (v *setVal) maybeConvert(hint int, lim SetLimits) {
	if (v.enc == EncListpack && int64(hint) > lim.ListpackEntries) ||
		(v.enc == EncIntset && int64(hint) > lim.IntsetEntries) {
		v.toTable(hint)
	}
}

// digits10 is the length of v's decimal text.
func digits10(v int64) int {
	var b [24]byte
	return len(strconv.AppendInt(b[:0], v, 10))
}

// lpIntBound is the most bytes a listpack entry of the integer v takes
// (lpEstimateBytesRepeatedInteger for one).
func lpIntBound(v int64) int {
	switch {
	case v >= 0 && v <= 127:
		return 2
	case v >= -4096 && v <= 4095:
		return 3
	case v >= -32768 && v <= 32767:
		return 4
	case v >= -8388608 && v <= 8388607:
		return 5
	case v >= -2147483648 && v <= 2147483647:
		return 6
	}
	return 10
}

// add is setTypeAddAux for the member m: it reports whether m was new.
func (v *setVal) add(m []byte, lim SetLimits) bool {
	switch v.enc {
	case EncIntset:
		if n, ok := listpack.ParseInt(m); ok {
			return v.addInt(n, lim)
		}
		size := intset.Len(v.b)
		maxLen, total := 0, 0
		if size > 0 {
			lo, hi := intset.Min(v.b), intset.Max(v.b)
			maxLen = max(digits10(lo), digits10(hi))
			total = max(lpIntBound(lo), lpIntBound(hi)) * size
		}
		if int64(size) < lim.ListpackEntries && int64(len(m)) <= lim.ListpackValue &&
			int64(maxLen) <= lim.ListpackValue && total+len(m) <= listpack.MaxSize {
			v.toListpack(lpEntryBound(len(m)))
			lp := listpack.FromBytes(v.b)
			lp.Append(m)
			v.b = lp.Bytes()
			return true
		}
		v.toTable(size + 1)
		v.st.insertNew(Hash(m), m)
		return true
	case EncListpack:
		lp := listpack.FromBytes(v.b)
		if lp.Find(lp.First(), m, 0) >= 0 {
			return false
		}
		if n := lp.Len(); int64(n) < lim.ListpackEntries && int64(len(m)) <= lim.ListpackValue && lp.SafeToAdd(len(m)) {
			lp.Append(m)
			v.b = lp.Bytes()
			return true
		}
		v.toTable(lp.Len() + 1)
		v.st.insertNew(Hash(m), m)
		return true
	}
	return v.st.add(m)
}

// addInt is setTypeAddAux for an integer member given as a number (what
// Redis adds as an integer: members read from an intset or a listpack's
// integer entries, and integers SINTERSTORE finds in a table).
func (v *setVal) addInt(n int64, lim SetLimits) bool {
	if v.enc == EncIntset {
		var added bool
		v.b, added = intset.Add(v.b, n)
		if added && int64(intset.Len(v.b)) > lim.intsetMax() {
			v.toTable(0)
		}
		return added
	}
	var ib [24]byte
	return v.add(strconv.AppendInt(ib[:0], n, 10), lim)
}

// remove is setTypeRemoveAux: it reports whether m was there.
func (v *setVal) remove(m []byte) bool {
	switch v.enc {
	case EncIntset:
		n, ok := listpack.ParseInt(m)
		if !ok {
			return false
		}
		var removed bool
		v.b, removed = intset.Remove(v.b, n)
		return removed
	case EncListpack:
		lp := listpack.FromBytes(v.b)
		p := lp.Find(lp.First(), m, 0)
		if p < 0 {
			return false
		}
		lp.Delete(p)
		v.b = lp.Bytes()
		return true
	}
	return v.st.del(m)
}

// at writes member i of a small set into buf and returns it.
func (v *setVal) at(i int, buf []byte) []byte {
	if v.enc == EncIntset {
		return strconv.AppendInt(buf[:0], intset.Get(v.b, i), 10)
	}
	lp := listpack.FromBytes(v.b)
	return lp.At(lp.Seek(i)).AppendTo(buf[:0])
}

// random returns a uniformly drawn member (written into buf for a small
// set; a big one's aliases its cell).
func (v *setVal) random(rnd func() uint64, buf []byte) []byte {
	if v.enc == EncHashtable {
		h, _ := v.st.t.Random(rnd())
		return v.st.member(h)
	}
	return v.at(int(rnd()%uint64(v.len())), buf)
}

// maybeToIntset is maybeConvertToIntset: a set whose members are all
// integers becomes an intset when it may be one.
func (v *setVal) maybeToIntset(lim SetLimits) {
	if v.enc == EncIntset || int64(v.len()) > lim.intsetMax() {
		return
	}
	is := intset.New()
	v.each(func(m []byte) bool {
		n, _ := listpack.ParseInt(m)
		is, _ = intset.Add(is, n)
		return true
	})
	if v.st != nil {
		v.st.release(v.a, 0)
		v.st = nil
	}
	v.enc, v.b = EncIntset, is
}

// Reading sets. h is a live set entry of db.

// setOf returns the set of entry h; its small bytes alias the cell.
func (db *DB) setOf(h Handle) setVal {
	if db.Encoding(h) == EncHashtable {
		return setVal{enc: EncHashtable, st: db.object(h).(*setTable), a: db.sh.arena}
	}
	return setVal{enc: db.Encoding(h), b: db.Value(h), a: db.sh.arena}
}

// SetLen returns the number of members.
func (db *DB) SetLen(h Handle) int {
	v := db.setOf(h)
	return v.len()
}

// SetHas reports whether m is a member.
func (db *DB) SetHas(h Handle, m []byte) bool {
	v := db.setOf(h)
	return v.has(m)
}

// SetEach calls fn with every member (valid during the call only) in
// Redis's iteration order until fn returns false. fn must not write.
func (db *DB) SetEach(h Handle, fn func(m []byte) bool) {
	v := db.setOf(h)
	v.each(fn)
}

// SetEachTyped is SetEach that also says which members Redis's iterator
// yields as integers: every one of an intset, and the integer entries of a
// listpack (SINTERSTORE tells integers from strings by it).
func (db *DB) SetEachTyped(h Handle, fn func(m []byte, isInt bool) bool) {
	var ib [24]byte
	switch v := db.setOf(h); v.enc {
	case EncListpack:
		it := listpack.FromBytes(v.b).Iter()
		for it.Next() {
			x := it.Value()
			if !fn(lpText(x, ib[:0]), x.IsInt) {
				return
			}
		}
	case EncIntset:
		v.each(func(m []byte) bool { return fn(m, true) })
	default:
		v.each(func(m []byte) bool { return fn(m, false) })
	}
}

// SetRandom returns a uniformly drawn member (in buf, which needs 24 bytes
// of capacity not to allocate, or aliasing its cell; valid until the next
// write).
func (db *DB) SetRandom(h Handle, rnd func() uint64, buf []byte) []byte {
	v := db.setOf(h)
	return v.random(rnd, buf)
}

// SetScan visits the members of one step of a big set's table cursor and
// returns the next cursor, 0 at the end; it reports false for a small set,
// which the caller returns whole (SetEach), as Redis does.
func (db *DB) SetScan(h Handle, cursor uint64, fn func(m []byte)) (uint64, bool) {
	v := db.setOf(h)
	if v.enc != EncHashtable {
		return 0, false
	}
	return v.st.t.Scan(cursor, func(c uint64) { fn(v.st.member(c)) }), true
}

// SetRandomMembers is SRANDMEMBER with a count: count members drawn with
// repetitions unless unique, in the shapes of Redis's cases (a unique draw
// of the whole set returns it in iteration order; of a listpack, in its
// order; else distinct random members). fn must not write.
func (db *DB) SetRandomMembers(h Handle, count int, unique bool, rnd func() uint64, fn func(m []byte)) {
	v := db.setOf(h)
	size := v.len()
	var ib [24]byte
	if !unique || count == 1 {
		for range count {
			fn(v.random(rnd, ib[:0]))
		}
		return
	}
	if count >= size {
		v.each(func(m []byte) bool { fn(m); return true })
		return
	}
	if v.enc != EncHashtable {
		// Listpack (and intset): count distinct positions in order, each
		// taken with the probability of Redis's lpNextRandom.
		remaining, i := count, 0
		v.each(func(m []byte) bool {
			if rnd()%uint64(size-i) < uint64(remaining) {
				fn(m)
				remaining--
			}
			i++
			return remaining > 0
		})
		return
	}
	if count*3 > size {
		// Most of the set: drop random members from a copy of the handles.
		cells := make([]uint64, 0, size)
		v.st.t.ForEach(func(c uint64) bool { cells = append(cells, c); return true })
		for len(cells) > count {
			j := int(rnd() % uint64(len(cells)))
			cells[j] = cells[len(cells)-1]
			cells = cells[:len(cells)-1]
		}
		for _, c := range cells {
			fn(v.st.member(c))
		}
		return
	}
	seen := make(map[uint64]struct{}, count)
	for len(seen) < count {
		c, _ := v.st.t.Random(rnd())
		if _, dup := seen[c]; dup {
			continue
		}
		seen[c] = struct{}{}
		fn(v.st.member(c))
	}
}

// Writing sets.

// setMaxGrowth is the most bytes adding m may add to a small set: an
// intset's element (every element, when m widens it), or a listpack entry.
// A string that an intset cannot hold converts it on the heap: no room is
// needed in the cell.
func setMaxGrowth(v *setVal, m []byte) int {
	if v.enc == EncIntset {
		x, ok := listpack.ParseInt(m)
		if !ok {
			return 0
		}
		w := max(intset.Width(v.b), intset.WidthOf(x))
		return intset.HeaderSize + (intset.Len(v.b)+1)*w - len(v.b)
	}
	return lpEntryBound(len(m))
}

// newSetRoom is the room a new small set needs for members: the cell is
// sized once, not grown member by member.
func newSetRoom(enc byte, members [][]byte) int {
	if enc == EncIntset {
		w := intset.Enc16
		for _, m := range members {
			x, ok := listpack.ParseInt(m)
			if !ok {
				return 0 // it will be a listpack, on the heap first
			}
			w = max(w, intset.WidthOf(x))
		}
		return len(members) * w
	}
	n := 0
	for _, m := range members {
		n += lpEntryBound(len(m))
	}
	return n
}

// SetAdd adds members to the set under key, whose entry is h when found
// (else a set is made as Redis's setTypeCreate makes one for the first
// member and the member count), and returns the entry's (possibly new)
// handle and how many members it added.
func (db *DB) SetAdd(key []byte, h Handle, found bool, members [][]byte, lim SetLimits, now int64) (Handle, int) {
	// The write hook runs before the first member added: adding only
	// members already there changes nothing (WATCH stays clean), as in
	// Redis, though a conversion for the member count may happen.
	wrote := !found
	if found {
		v := db.setOf(h)
		if v.enc != EncHashtable {
			v.maybeConvert(len(members), lim)
			if v.enc == EncHashtable {
				h = db.makeBig(key, h, EncHashtable, v.st)
			}
		}
	} else {
		h = db.newSet(key, members[0], len(members), lim, now)
		if enc := db.Encoding(h); enc != EncHashtable {
			if room := newSetRoom(enc, members); room <= arena.MaxCellSize {
				h = db.reserveValue(key, h, room)
			}
		}
	}
	added := 0
	for _, m := range members {
		if db.Encoding(h) == EncHashtable {
			st := db.object(h).(*setTable)
			hash := Hash(m)
			st.want = m
			_, had := st.t.Find(hash, st)
			st.want = nil
			if had {
				continue
			}
			if !wrote {
				db.written(key)
				wrote = true
			}
			st.insertNew(hash, m)
			added++
			continue
		}
		if db.SetHas(h, m) {
			continue
		}
		if !wrote {
			db.written(key)
			wrote = true
		}
		h, _ = db.setAddSmall(key, h, m, lim)
		added++
	}
	return h, added
}

// newSet is setTypeCreate: an empty intset when first is an integer and
// hint fits one, else an empty listpack when hint fits one, else a table.
func (db *DB) newSet(key, first []byte, hint int, lim SetLimits, now int64) Handle {
	var empty [8]byte
	if _, ok := listpack.ParseInt(first); ok && int64(hint) <= lim.IntsetEntries {
		return db.NewValue(key, TypeSet, EncIntset, intset.AppendEmpty(empty[:0]), now)
	}
	if int64(hint) <= lim.ListpackEntries {
		return db.NewValue(key, TypeSet, EncListpack, listpack.AppendEmpty(empty[:0]), now)
	}
	return db.newBig(key, TypeSet, EncHashtable, newSetTable(db.sh.arena, hint), now)
}

// setAddSmall adds m, which the small set h of key lacks, in its cell,
// converting as Redis does, and returns the entry's handle.
func (db *DB) setAddSmall(key []byte, h Handle, m []byte, lim SetLimits) (Handle, bool) {
	v := db.setOf(h)
	h = db.reserveValue(key, h, setMaxGrowth(&v, m))
	v = setVal{enc: db.Encoding(h), b: db.valueRoom(h), a: db.sh.arena}
	added := v.add(m, lim)
	if v.enc == EncHashtable {
		return db.makeBig(key, h, EncHashtable, v.st), added
	}
	if added {
		h = db.storeValue(key, h, v.b, v.enc)
	}
	return h, added
}

// SetRemove removes members from the set under key (entry h) and returns
// how many it removed; a set left empty loses its key. Removing nothing is
// no write.
func (db *DB) SetRemove(key []byte, h Handle, members [][]byte) int {
	removed := 0
	v := db.setOf(h)
	if v.enc != EncHashtable {
		v.b = db.valueRoom(h)
	}
	for _, m := range members {
		if !v.has(m) {
			continue
		}
		if removed == 0 {
			db.written(key)
		}
		v.remove(m)
		removed++
		if v.len() == 0 {
			db.Delete(key)
			return removed
		}
	}
	if removed > 0 && v.enc != EncHashtable {
		db.storeValue(key, h, v.b, v.enc)
	}
	return removed
}

// SetPop removes a member drawn uniformly with the random number r and
// returns it, written into buf (which needs room for the member not to
// allocate: 24 bytes for an intset). A set left empty loses its key.
func (db *DB) SetPop(key []byte, h Handle, r uint64, buf []byte) []byte {
	db.written(key)
	v := db.setOf(h)
	var m []byte
	if v.enc == EncHashtable {
		// The member is copied out of its cell before the cell is freed,
		// into the table's own buffer: buf never reaches the table (it
		// stays on the caller's stack).
		c, _ := v.st.t.Random(r)
		v.st.tmp = append(v.st.tmp[:0], v.st.member(c)...)
		v.st.del(v.st.tmp)
		m = append(buf[:0], v.st.tmp...)
	} else {
		i := int(r % uint64(v.len()))
		m = v.at(i, buf)
		v.b = db.valueRoom(h)
		if v.enc == EncIntset {
			v.b = intset.RemoveAt(v.b, i)
		} else {
			lp := listpack.FromBytes(v.b)
			lp.Delete(lp.Seek(i))
			v.b = lp.Bytes()
		}
	}
	if v.len() == 0 {
		db.Delete(key)
	} else if v.enc != EncHashtable {
		db.storeValue(key, h, v.b, v.enc)
	}
	return m
}

// SetPopMany is SPOP with a count smaller than the set: it removes count
// members and calls fn with each (valid during the call), in the shape of
// Redis's cases: random pops while many remain; else the set keeps a random
// remainder, rebuilt as Redis rebuilds it (an intset as an intset, a listpack
// as a listpack, a table as a listpack that converts as members are added),
// and the rest are returned in iteration order.
func (db *DB) SetPopMany(key []byte, h Handle, count int, lim SetLimits, rnd func() uint64, fn func(m []byte)) {
	db.written(key)
	v := db.setOf(h)
	size := v.len()
	remaining := size - count
	var ib [64]byte
	// A set with member expiries keeps its table (and them): members are
	// popped one by one rather than a remainder rebuilt.
	if remaining*5 > count || (v.enc == EncHashtable && v.st.ttl != nil) {
		if v.enc == EncHashtable {
			for range count {
				c, _ := v.st.t.Random(rnd())
				v.st.tmp = append(v.st.tmp[:0], v.st.member(c)...)
				v.st.del(v.st.tmp)
				fn(v.st.tmp)
			}
			return
		}
		// One pass, each position taken with lpNextRandom's probability.
		v.b = db.valueRoom(h)
		left := count
		if v.enc == EncIntset {
			for i, j := 0, 0; i < size && left > 0; i++ {
				if rnd()%uint64(size-i) < uint64(left) {
					fn(v.at(j, ib[:0]))
					v.b = intset.RemoveAt(v.b, j)
					left--
				} else {
					j++
				}
			}
		} else {
			lp := listpack.FromBytes(v.b)
			p := lp.First()
			for i := 0; i < size && left > 0; i++ {
				if rnd()%uint64(size-i) < uint64(left) {
					fn(lp.At(p).AppendTo(ib[:0]))
					p = lp.Delete(p)
					left--
				} else {
					p = lp.Next(p)
				}
			}
			v.b = lp.Bytes()
		}
		db.storeValue(key, h, v.b, v.enc)
		return
	}
	// Keep a random remainder; return the rest.
	keep := newSetBuilderVal(db.sh.arena, EncListpack, nil)
	if v.enc == EncIntset {
		keep = newSetBuilderVal(db.sh.arena, EncIntset, nil)
	}
	if v.enc != EncHashtable {
		// Positions to keep, by lpNextRandom's rule, in order.
		left := remaining
		keepPos := make([]bool, size)
		for i := 0; i < size && left > 0; i++ {
			if rnd()%uint64(size-i) < uint64(left) {
				keepPos[i] = true
				left--
			}
		}
		i := 0
		v.each(func(m []byte) bool {
			if keepPos[i] {
				keep.add(m, lim)
			} else {
				fn(m)
			}
			i++
			return true
		})
	} else {
		for range remaining {
			c, _ := v.st.t.Random(rnd())
			v.st.tmp = append(v.st.tmp[:0], v.st.member(c)...)
			keep.add(v.st.tmp, lim)
			v.st.del(v.st.tmp)
		}
		v.each(func(m []byte) bool { fn(m); return true })
	}
	db.replaceSet(key, h, &keep)
}

// replaceSet makes nv the value of the set entry h of key (TTL kept); nv
// must not alias the old value.
func (db *DB) replaceSet(key []byte, h Handle, nv *setVal) {
	var old bigValue
	if db.Encoding(h) == EncHashtable {
		old = db.sh.objs.remove(objectID(db.sh.arena.Bytes(h)))
	}
	if nv.enc == EncHashtable {
		var idb [objectIDSize]byte
		binary.LittleEndian.PutUint32(idb[:], db.sh.objs.add(nv.st))
		db.storeValue(key, h, idb[:], EncHashtable)
	} else {
		db.storeValue(key, h, nv.b, nv.enc)
	}
	if old != nil {
		old.release(db.sh.arena, 0)
	}
}

// newSetBuilderVal starts an empty intset or listpack (enc) in buf, or in
// memory of its own when buf is nil.
func newSetBuilderVal(a *arena.Arena, enc byte, buf []byte) setVal {
	if enc == EncIntset {
		if buf == nil {
			buf = make([]byte, 0, 16)
		}
		return setVal{enc: enc, b: intset.AppendEmpty(buf[:0]), a: a}
	}
	if buf == nil {
		buf = make([]byte, 0, 64)
	}
	return setVal{enc: enc, b: listpack.AppendEmpty(buf[:0]), a: a}
}

// SetBuilder builds a set outside the keyspace (the *STORE commands'
// results, RESTORE), converting as Redis converts the set it builds the
// same way; Store puts it under its key. Its methods run on the owner
// goroutine; after Store or Discard it must not be used again.
type SetBuilder struct {
	db  *DB
	lim SetLimits
	v   setVal
	buf []byte // NewSetBuilderBuf's memory for an intset or listpack
}

// NewSetBuilderBuf is NewSetBuilder with buf as the memory of the set
// while it is an intset or listpack (it is copied on Store): the caller
// keeps buf for no other use until Store or Discard.
func (db *DB) NewSetBuilderBuf(enc byte, lim SetLimits, buf []byte) *SetBuilder {
	return &SetBuilder{db: db, lim: lim, v: newSetBuilderVal(db.sh.arena, enc, buf), buf: buf[:0]}
}

// NewSetBuilder starts an empty set of encoding enc (EncIntset or
// EncListpack), as Redis's createIntsetObject or createSetListpackObject.
func (db *DB) NewSetBuilder(enc byte, lim SetLimits) *SetBuilder {
	return &SetBuilder{db: db, lim: lim, v: newSetBuilderVal(db.sh.arena, enc, nil)}
}

// Add adds m (setTypeAddAux with a string) and reports whether it was new.
func (b *SetBuilder) Add(m []byte) bool { return b.v.add(m, b.lim) }

// AddInt adds the integer n (setTypeAddAux with an integer).
func (b *SetBuilder) AddInt(n int64) bool { return b.v.addInt(n, b.lim) }

// Remove removes m and reports whether it was there.
func (b *SetBuilder) Remove(m []byte) bool { return b.v.remove(m) }

// Has reports whether m was added.
func (b *SetBuilder) Has(m []byte) bool { return b.v.has(m) }

// Len returns the number of members.
func (b *SetBuilder) Len() int { return b.v.len() }

// Encoding returns the set's encoding now.
func (b *SetBuilder) Encoding() byte { return b.v.enc }

// ToTable makes the set a table sized for hint members (Redis's
// setTypeConvertAndExpand to a hashtable).
func (b *SetBuilder) ToTable(hint int) {
	if b.v.enc != EncHashtable {
		b.v.toTable(hint)
	}
}

// ToListpack makes an intset a listpack (setTypeConvert), with room for
// about room more bytes of members.
func (b *SetBuilder) ToListpack(room int) {
	if b.v.enc != EncIntset {
		return
	}
	if b.buf != nil && intset.Len(b.v.b) == 0 {
		// Nothing to convert (a set whose first member is not an
		// integer): the listpack starts in the caller's memory.
		b.v.enc, b.v.b = EncListpack, listpack.AppendEmpty(b.buf)
		return
	}
	b.v.toListpack(max(room, 0))
}

// MaybeToIntset is maybeConvertToIntset: every member must be an integer.
func (b *SetBuilder) MaybeToIntset() { b.v.maybeToIntset(b.lim) }

// SetSmall makes the validated bytes small (an intset when enc is
// EncIntset, else a listpack of distinct members) the whole set, kept as
// they are (copied by Store).
func (b *SetBuilder) SetSmall(enc byte, small []byte) {
	b.Discard()
	b.v = setVal{enc: enc, b: small, a: b.db.sh.arena}
}

// Each calls fn with every member (in iteration order).
func (b *SetBuilder) Each(fn func(m []byte) bool) { b.v.each(fn) }

// Discard frees what was built.
func (b *SetBuilder) Discard() {
	if b.v.st != nil {
		b.v.st.release(b.db.sh.arena, 0)
		b.v.st = nil
	}
}

// Store puts the set under key, replacing what key held, with no TTL, and
// returns its handle. The set must not be empty.
func (b *SetBuilder) Store(key []byte, now int64) Handle {
	if b.v.len() == 0 {
		panic("BUG: SetBuilder.Store of an empty set")
	}
	if b.v.enc == EncHashtable {
		st := b.v.st
		b.v.st = nil
		return b.db.newBig(key, TypeSet, EncHashtable, st, now)
	}
	return b.db.NewValue(key, TypeSet, b.v.enc, b.v.b, now)
}

// SetBytes returns the small set's bytes (intset or listpack) for DUMP, or
// nil for a big one.
func (db *DB) SetBytes(h Handle) []byte {
	if db.Encoding(h) == EncHashtable {
		return nil
	}
	return db.Value(h)
}

// StoreSet puts under key, replacing what key held (its TTL too), a set of
// encoding enc whose n distinct members member(i) returns (each valid until
// the next call; integers when enc is EncIntset), kept in that order by a
// listpack. The caller decided the encoding as Redis would have (the *STORE
// commands). n must not be 0.
func (db *DB) StoreSet(key []byte, enc byte, n int, member func(i int) []byte, now int64) Handle {
	v := newSetBuilderVal(db.sh.arena, enc, nil)
	switch enc {
	case EncIntset:
		for i := range n {
			x, _ := listpack.ParseInt(member(i))
			v.b, _ = intset.Add(v.b, x)
		}
	case EncListpack:
		lp := listpack.FromBytes(v.b)
		for i := range n {
			lp.Append(member(i))
		}
		v.b = lp.Bytes()
	default:
		v.enc, v.b, v.st = EncHashtable, nil, newSetTable(db.sh.arena, n)
		for i := range n {
			m := member(i)
			v.st.insertNew(Hash(m), m)
		}
	}
	b := &SetBuilder{db: db, v: v}
	return b.Store(key, now)
}
