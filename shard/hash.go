package shard

import (
	"encoding/binary"
	"strconv"
	"unsafe"

	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/shard/arena"
)

// Hashes (Redis's t_hash.c, type API half).
//
// A small hash is a listpack of field, value pairs in the key's cell
// (EncListpack), in insertion order, exactly Redis's bytes. A big hash
// (EncHashtable) is a hashTable: one Go object holding a member index of
// its own (memberindex.go) whose handles name one arena cell per field:
//
//	[uvarint flen<<1 | ttl][uvarint vlen][expireAt u64 LE, when ttl][field][value]
//
// The ttl bit marks a field with an expiry (Redis 7.4's HEXPIRE, see
// hash_ttl.go); only big hashes have such fields: a listpack converts on
// its first field TTL. A big hash thus costs one Go object plus one per
// table segment (~840 fields), never one per field.
//
// Conversion follows Redis: a listpack becomes a table when it would hold
// more than hash-max-listpack-entries pairs, a field or value longer than
// hash-max-listpack-value bytes, or more than a listpack may hold; a table
// never becomes a listpack again. A hash that loses its last field loses
// its key.
//
// Every edit calls DB.written(key) before it changes anything.

// HashLimits are the listpack thresholds (hash-max-listpack-entries and
// hash-max-listpack-value) a write obeys.
type HashLimits struct {
	Entries int64
	Value   int64
}

// hashTable is a big hash. It is its own table's Hasher and Matcher: it
// reads cells through the shard's arena, and want is the field a Find,
// Update or Delete looks for (set around each call, nil otherwise, so no
// argument buffer stays reachable).
type hashTable struct {
	a     *arena.Arena
	t     memberIndex
	cells int64 // bytes of the field cells (arena cell sizes)
	want  []byte
	// freeAt is release's table cursor; freeing is set once it began.
	freeAt  uint64
	freeing bool

	// Field expiry (hash_ttl.go). ttls counts the cells that carry an
	// expiry; minExp is a lower bound of their expiries (0 when ttls is
	// 0), so the active sweep skips a hash none of whose fields can be
	// dead yet. sweepAt is the sweep's table cursor in this hash and
	// sweepMin the smallest expiry it met in the current pass, which
	// becomes minExp when the pass ends. tmp holds a value while its own
	// cell is rewritten.
	ttls     int
	minExp   int64
	sweepAt  uint64
	sweepMin int64
	tmp      []byte
}

func newHashTable(a *arena.Arena) *hashTable {
	ht := &hashTable{a: a}
	ht.t = newMemberIndex(ht)
	return ht
}

// Hash is the table hash of the field of cell h (dashtable.Hasher).
func (ht *hashTable) Hash(h uint64) uint64 {
	f, _ := cellPair(ht.a.Bytes(arena.Handle(h)))
	return Hash(f)
}

// Match reports whether cell h holds the field ht.want (dashtable.Matcher).
func (ht *hashTable) Match(h uint64) bool {
	f, _ := cellPair(ht.a.Bytes(arena.Handle(h)))
	return string(f) == string(ht.want)
}

// Field cells.

const cellTTLBit = 1

// cellParts returns the field, value and expiry (Unix ms, 0 = none) of a
// field cell.
func cellParts(c []byte) (field, value []byte, exp int64) {
	fl, n := binary.Uvarint(c)
	vl, m := binary.Uvarint(c[n:])
	p := n + m
	if fl&cellTTLBit != 0 {
		exp = int64(binary.LittleEndian.Uint64(c[p:]))
		p += 8
	}
	f := int(fl >> 1)
	return c[p : p+f], c[p+f : p+f+int(vl)], exp
}

// cellPair returns the field and value of a field cell.
func cellPair(c []byte) (field, value []byte) {
	field, value, _ = cellParts(c)
	return field, value
}

// cellExpire returns the expiry of a field cell, 0 when it has none.
func cellExpire(c []byte) int64 {
	fl, n := binary.Uvarint(c)
	if fl&cellTTLBit == 0 {
		return 0
	}
	_, m := binary.Uvarint(c[n:])
	return int64(binary.LittleEndian.Uint64(c[n+m:]))
}

// cellSize is the bytes a cell of field, value and expiry exp (0 = none)
// needs.
func cellSize(field, value []byte, exp int64) int {
	n := uvarintLen(uint64(len(field))<<1) + uvarintLen(uint64(len(value))) + len(field) + len(value)
	if exp != 0 {
		n += 8
	}
	return n
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// putCellHeader writes a cell's header for a field of flen bytes, a value
// of vlen bytes and expiry exp, and returns its length.
func putCellHeader(c []byte, flen, vlen int, exp int64) int {
	fl := uint64(flen) << 1
	if exp != 0 {
		fl |= cellTTLBit
	}
	n := binary.PutUvarint(c, fl)
	n += binary.PutUvarint(c[n:], uint64(vlen))
	if exp != 0 {
		binary.LittleEndian.PutUint64(c[n:], uint64(exp))
		n += 8
	}
	return n
}

// putCell writes field, value and expiry into c (cellSize bytes at least).
func putCell(c, field, value []byte, exp int64) {
	n := putCellHeader(c, len(field), len(value), exp)
	copy(c[n:], field)
	copy(c[n+len(field):], value)
}

// rewriteValue replaces the value and expiry of cell c, which has room for
// them; value must not lie in c. The field moves first when the header's
// length changes, so that writing the header cannot clobber it.
func rewriteValue(c, value []byte, exp int64) {
	f, _ := cellPair(c)
	flen := len(f)
	n := uvarintLen(uint64(flen)<<1) + uvarintLen(uint64(len(value)))
	if exp != 0 {
		n += 8
	}
	copy(c[n:], f) // a memmove: the two places may overlap
	putCellHeader(c, flen, len(value), exp)
	copy(c[n+flen:], value)
}

// newCell allocates a cell holding field, value and expiry exp.
func (ht *hashTable) newCell(field, value []byte, exp int64) arena.Handle {
	h, c := ht.a.Alloc(cellSize(field, value, exp))
	putCell(c, field, value, exp)
	ht.cells += int64(ht.a.Size(h))
	if exp != 0 {
		ht.ttls++
		ht.noteExpire(exp)
	}
	return h
}

// freeCell frees the cell h, which the table no longer names.
func (ht *hashTable) freeCell(h arena.Handle) {
	if cellExpire(ht.a.Bytes(h)) != 0 {
		ht.dropTTL()
	}
	ht.cells -= int64(ht.a.Size(h))
	ht.a.Free(h)
}

func (ht *hashTable) find(field []byte) (arena.Handle, bool) {
	ht.want = field
	h, ok := ht.t.Find(Hash(field), ht)
	ht.want = nil
	return arena.Handle(h), ok
}

// set stores field = value and reports whether the field is new. An
// existing field loses its expiry, as HSET's overwrite does, unless
// keepTTL (HINCRBY, HINCRBYFLOAT) and it is still alive at now; a field
// already dead at now counts as new. An existing cell is rewritten in place
// when the new pair needs the same size class, else replaced (the table
// keeps the slot, only its handle changes).
func (ht *hashTable) set(field, value []byte, keepTTL bool, now int64) bool {
	hash := Hash(field)
	ht.want = field
	old, ok := ht.t.Find(hash, ht)
	if !ok {
		ht.want = nil
		ht.t.Insert(hash, uint64(ht.newCell(field, value, 0)))
		return true
	}
	oh := arena.Handle(old)
	c := ht.a.Bytes(oh)
	had := cellExpire(c)
	exp, added := had, false
	if had != 0 && (!keepTTL || fieldDead(had, now)) {
		added = fieldDead(had, now)
		exp = 0
	}
	need := cellSize(field, value, exp)
	if arena.CellSize(need) == ht.a.Size(oh) {
		ht.want = nil
		if had != 0 && exp == 0 {
			ht.dropTTL()
		}
		rewriteValue(c, value, exp)
		return added
	}
	nh := ht.newCell(field, value, exp)
	ht.t.Update(hash, ht, uint64(nh))
	ht.want = nil
	ht.freeCell(oh)
	return added
}

// del removes field and reports whether it was there.
func (ht *hashTable) del(field []byte) bool {
	ht.want = field
	h, ok := ht.t.Delete(Hash(field), ht)
	ht.want = nil
	if ok {
		ht.freeCell(arena.Handle(h))
	}
	return ok
}

// bigValue.

func (ht *hashTable) release(a *arena.Arena, budget int) bool {
	freed := 0
	ht.freeing = true
	for {
		ht.freeAt = ht.t.Scan(ht.freeAt, func(h uint64) {
			a.Free(arena.Handle(h))
			freed++
		})
		if ht.freeAt == 0 {
			ht.t.Clear()
			ht.cells = 0
			ht.ttls, ht.minExp = 0, 0
			return true
		}
		if budget > 0 && freed >= budget {
			return false
		}
	}
}

func (ht *hashTable) memory(a *arena.Arena) int {
	return int(unsafe.Sizeof(*ht)) + ht.t.MemoryUsage() + int(ht.cells)
}

func (ht *hashTable) clone(a *arena.Arena) bigValue {
	c := newHashTable(a)
	c.t.Reserve(ht.t.Len())
	ht.t.ForEach(func(h uint64) bool {
		src := ht.a.Bytes(arena.Handle(h))
		f, v, exp := cellParts(src)
		n := cellSize(f, v, exp)
		nh, nc := a.Alloc(n)
		copy(nc, src[:n])
		c.cells += int64(a.Size(nh))
		if exp != 0 {
			c.ttls++
			c.noteExpire(exp)
		}
		c.t.Insert(Hash(f), uint64(nh))
		return true
	})
	return c
}

// flatChunkBytes bounds one listpack of a flat form.
const flatChunkBytes = 32 << 10

// appendFlat writes listpacks of field, value pairs (the fields without an
// expiry); when some fields have one, an empty chunk (length 0, which no
// listpack has) follows, then listpacks of field, value, expiry triples
// (Unix ms as an integer element), so field TTLs cross shards with their
// hash (RENAME, COPY, MOVE).
func (ht *hashTable) appendFlat(a *arena.Arena, dst []byte) []byte {
	lp := listpack.New()
	flush := func(force bool) {
		if (force && lp.Len() > 0) || len(lp.Bytes()) >= flatChunkBytes {
			dst = appendFlatChunk(dst, lp.Bytes())
			lp = listpack.FromBytes(listpack.AppendEmpty(lp.Bytes()[:0]))
		}
	}
	ht.t.ForEach(func(h uint64) bool {
		f, v, exp := cellParts(a.Bytes(arena.Handle(h)))
		if exp == 0 {
			lp.Append(f)
			lp.Append(v)
			flush(false)
		}
		return true
	})
	flush(true)
	if ht.ttls == 0 {
		return dst
	}
	dst = binary.LittleEndian.AppendUint32(dst, 0)
	var nb [20]byte
	ht.t.ForEach(func(h uint64) bool {
		f, v, exp := cellParts(a.Bytes(arena.Handle(h)))
		if exp != 0 {
			lp.Append(f)
			lp.Append(v)
			lp.Append(strconv.AppendInt(nb[:0], exp, 10))
			flush(false)
		}
		return true
	})
	flush(true)
	return dst
}

// importHashTable rebuilds a big hash from its flat form (appendFlat).
func importHashTable(a *arena.Arena, flat []byte) *hashTable {
	ht := newHashTable(a)
	var ib [2][24]byte
	withTTL := false
	for len(flat) >= 4 {
		n := int(binary.LittleEndian.Uint32(flat))
		b := flat[4 : 4+n]
		flat = flat[4+n:]
		if n == 0 {
			withTTL = true
			continue
		}
		it := listpack.FromBytes(b).Iter()
		for it.Next() {
			f := lpText(it.Value(), ib[0][:0])
			if !it.Next() {
				panic("BUG: hash flat form with an odd element count")
			}
			v := lpText(it.Value(), ib[1][:0])
			if !withTTL {
				ht.set(f, v, false, 0)
				continue
			}
			if !it.Next() || !it.Value().IsInt {
				panic("BUG: hash flat form: a field with a TTL lacks its expiry")
			}
			ht.t.Insert(Hash(f), uint64(ht.newCell(f, v, it.Value().Int)))
		}
	}
	return ht
}

// Reading hashes. h is a live hash entry of db.

// hashOf returns the big hash of entry h, or nil for a listpack.
func (db *DB) hashOf(h Handle) *hashTable {
	if db.Encoding(h) != EncHashtable {
		return nil
	}
	return db.object(h).(*hashTable)
}

// HashLen returns the number of fields.
func (db *DB) HashLen(h Handle) int {
	if ht := db.hashOf(h); ht != nil {
		return ht.t.Len()
	}
	return listpack.FromBytes(db.Value(h)).Len() / 2
}

// HashGet returns the value of field and whether it exists. The bytes are
// valid until the next write; a listpack integer is written into buf
// (which needs 20 bytes of capacity to avoid allocating).
func (db *DB) HashGet(h Handle, field, buf []byte) ([]byte, bool) {
	if ht := db.hashOf(h); ht != nil {
		c, ok := ht.find(field)
		if !ok {
			return nil, false
		}
		_, v := cellPair(db.sh.arena.Bytes(c))
		return v, true
	}
	lp := listpack.FromBytes(db.Value(h))
	p := lp.Find(lp.First(), field, 1)
	if p < 0 {
		return nil, false
	}
	v := lp.At(lp.Next(p))
	if v.IsInt {
		return strconv.AppendInt(buf[:0], v.Int, 10), true
	}
	return v.Str, true
}

// HashEach calls fn with every field and value (valid during the call
// only) until fn returns false: in insertion order for a listpack, in
// table order for a big hash. Fields dead at now are skipped (now 0 skips
// none). fn must not write.
func (db *DB) HashEach(h Handle, now int64, fn func(field, value []byte) bool) {
	if ht := db.hashOf(h); ht != nil {
		a := db.sh.arena
		ht.t.ForEach(func(c uint64) bool {
			f, v, exp := cellParts(a.Bytes(arena.Handle(c)))
			if fieldDead(exp, now) {
				return true
			}
			return fn(f, v)
		})
		return
	}
	var ib [2][24]byte
	it := listpack.FromBytes(db.Value(h)).Iter()
	for it.Next() {
		f := it.Value()
		it.Next()
		if !fn(lpText(f, ib[0][:0]), lpText(it.Value(), ib[1][:0])) {
			return
		}
	}
}

// lpText returns an element's text, an integer formatted into buf.
func lpText(v listpack.Value, buf []byte) []byte {
	if v.IsInt {
		return strconv.AppendInt(buf, v.Int, 10)
	}
	return v.Str
}

// HashScan visits the fields of one step of a big hash's table cursor (see
// dashtable.Table.Scan: cursors survive growth, and a field present for
// the whole iteration is returned at least once) and returns the next
// cursor, 0 at the end. It reports false for a listpack, which has no
// cursor: the caller returns it whole (HashEach), as Redis does. Fields
// dead at now are skipped.
func (db *DB) HashScan(h Handle, cursor uint64, now int64, fn func(field, value []byte)) (uint64, bool) {
	ht := db.hashOf(h)
	if ht == nil {
		return 0, false
	}
	a := db.sh.arena
	return ht.t.Scan(cursor, func(c uint64) {
		if f, v, exp := cellParts(a.Bytes(arena.Handle(c))); !fieldDead(exp, now) {
			fn(f, v)
		}
	}), true
}

// HashRandom calls fn with count random fields (and values), drawn with
// the random numbers rnd returns: with repetitions unless unique, as
// HRANDFIELD with a negative or positive count. A unique draw of at least
// the whole hash returns every field once. fn must not write.
func (db *DB) HashRandom(h Handle, count int, unique bool, rnd func() uint64, fn func(field, value []byte)) {
	size := db.HashLen(h)
	if size == 0 || count <= 0 {
		return
	}
	if unique && count >= size {
		db.HashEach(h, 0, func(f, v []byte) bool { fn(f, v); return true })
		return
	}
	ht := db.hashOf(h)
	a := db.sh.arena
	var lp listpack.Listpack
	if ht == nil {
		lp = listpack.FromBytes(db.Value(h))
	}
	var ib [2][24]byte
	// pair calls fn with field i of a listpack, or the field of cell c.
	pairAt := func(i int) {
		p := lp.Seek(2 * i)
		f := lp.At(p)
		fn(lpText(f, ib[0][:0]), lpText(lp.At(lp.Next(p)), ib[1][:0]))
	}
	cellOf := func() uint64 {
		c, _ := ht.t.Random(rnd())
		return c
	}
	if !unique {
		for range count {
			if ht == nil {
				pairAt(int(rnd() % uint64(size)))
			} else {
				fn(cellPair(a.Bytes(arena.Handle(cellOf()))))
			}
		}
		return
	}
	if ht == nil || count*3 > size {
		// Near the whole hash (or a listpack, at most a few hundred
		// pairs): a partial Fisher-Yates shuffle of the positions.
		idx := make([]int, size)
		for i := range idx {
			idx[i] = i
		}
		var cells []uint64
		if ht != nil {
			cells = make([]uint64, 0, size)
			ht.t.ForEach(func(c uint64) bool { cells = append(cells, c); return true })
		}
		for i := range count {
			j := i + int(rnd()%uint64(size-i))
			idx[i], idx[j] = idx[j], idx[i]
			if ht == nil {
				pairAt(idx[i])
			} else {
				fn(cellPair(a.Bytes(arena.Handle(cells[idx[i]]))))
			}
		}
		return
	}
	// Few of many: draw until count distinct cells were seen.
	seen := make(map[uint64]struct{}, count)
	for len(seen) < count {
		c := cellOf()
		if _, dup := seen[c]; dup {
			continue
		}
		seen[c] = struct{}{}
		fn(cellPair(a.Bytes(arena.Handle(c))))
	}
}

// Writing hashes.

// HashSet sets the field, value pairs of pairs (alternating) in the hash
// under key, whose entry is h when found (else a new hash is made), and
// returns the entry's (possibly new) handle and how many fields it added.
// As Redis's hashTypeTryConversion, a field or value longer than
// lim.Value, or pairs too big for a listpack, convert first; the entry
// count converts after the insert that passes lim.Entries.
//
// An overwritten field loses its expiry, as with Redis's HSET; a field
// whose expiry has passed counts as added.
func (db *DB) HashSet(key []byte, h Handle, found bool, pairs [][]byte, lim HashLimits, now int64) (Handle, int) {
	return db.hashSet(key, h, found, pairs, lim, false, now)
}

// HashSetKeepTTL sets one field as HashSet does, but an existing field
// keeps its expiry (HINCRBY and HINCRBYFLOAT, Redis's HASH_SET_KEEP_TTL).
// The caller reaped the field first (HashReap) when it had expired.
func (db *DB) HashSetKeepTTL(key []byte, h Handle, found bool, field, value []byte, lim HashLimits, now int64) Handle {
	pair := [2][]byte{field, value}
	h, _ = db.hashSet(key, h, found, pair[:], lim, true, now)
	return h
}

func (db *DB) hashSet(key []byte, h Handle, found bool, pairs [][]byte, lim HashLimits, keepTTL bool, now int64) (Handle, int) {
	if found {
		db.written(key)
	} else {
		var empty [7]byte
		h = db.NewValue(key, TypeHash, EncListpack, listpack.AppendEmpty(empty[:0]), now)
		// Room for every pair at once: a new hash's cell is sized once.
		need := 0
		for _, s := range pairs {
			need += lpEntryBound(len(s))
		}
		h = db.reserveValue(key, h, need)
	}
	if db.Encoding(h) == EncListpack {
		sum := 0
		for _, s := range pairs {
			if int64(len(s)) > lim.Value {
				h = db.hashToTable(key, h)
				break
			}
			sum += len(s)
		}
		if db.Encoding(h) == EncListpack && !listpack.FromBytes(db.Value(h)).SafeToAdd(sum) {
			h = db.hashToTable(key, h)
		}
	}
	added := 0
	for i := 0; i+1 < len(pairs); i += 2 {
		if ht := db.hashOf(h); ht != nil {
			if ht.set(pairs[i], pairs[i+1], keepTTL, now) {
				added++
			}
			continue
		}
		h = db.reserveValue(key, h, lpEntryBound(len(pairs[i]))+lpEntryBound(len(pairs[i+1])))
		lp := listpack.FromBytes(db.valueRoom(h))
		if p := lp.Find(lp.First(), pairs[i], 1); p >= 0 {
			lp.Replace(lp.Next(p), pairs[i+1])
		} else {
			lp.Append(pairs[i])
			lp.Append(pairs[i+1])
			added++
		}
		// storeValue may move the entry to a smaller cell and free this
		// one, where lp lives: count first.
		fields := lp.Len() / 2
		h = db.storeValue(key, h, lp.Bytes(), EncListpack)
		if int64(fields) > lim.Entries {
			h = db.hashToTable(key, h)
		}
	}
	if !found && db.Encoding(h) == EncListpack {
		h = db.fitValue(key, h)
	}
	return h, added
}

// lpEntryBound is the most bytes a listpack entry of an n-byte string
// takes, backlen included: exact for strings that are not integers, and
// an integer's encoding is never longer.
func lpEntryBound(n int) int {
	switch {
	case n < 64:
		return n + 2
	case n < 4096:
		return n + 4
	}
	return n + 10
}

// HashDelete removes fields from the hash under key (entry h) and returns
// how many it removed; a hash left empty loses its key. Removing nothing
// is no write: the write hook runs before the first removal only.
func (db *DB) HashDelete(key []byte, h Handle, fields [][]byte) int {
	deleted := 0
	if ht := db.hashOf(h); ht != nil {
		for _, f := range fields {
			if _, ok := ht.find(f); !ok {
				continue
			}
			if deleted == 0 {
				db.written(key)
			}
			ht.del(f)
			deleted++
		}
		if ht.t.Len() == 0 {
			db.Delete(key)
		}
		return deleted
	}
	lp := listpack.FromBytes(db.valueRoom(h))
	for _, f := range fields {
		p := lp.Find(lp.First(), f, 1)
		if p < 0 {
			continue
		}
		if deleted == 0 {
			db.written(key)
		}
		lp.Delete(lp.Delete(p))
		deleted++
		if lp.Len() == 0 {
			db.Delete(key)
			return deleted
		}
	}
	if deleted > 0 {
		db.storeValue(key, h, lp.Bytes(), EncListpack)
	}
	return deleted
}

// hashToTable converts the listpack hash h of key to a big hash and
// returns the entry's (possibly new) handle.
func (db *DB) hashToTable(key []byte, h Handle) Handle {
	lp := listpack.FromBytes(db.Value(h))
	ht := newHashTable(db.sh.arena)
	ht.t.Reserve(lp.Len() / 2)
	var ib [2][24]byte
	it := lp.Iter()
	for it.Next() {
		f := lpText(it.Value(), ib[0][:0])
		it.Next()
		ht.set(f, lpText(it.Value(), ib[1][:0]), false, 0)
	}
	return db.makeBig(key, h, EncHashtable, ht)
}
