package shard

import (
	"encoding/binary"
	"strconv"
	"unsafe"

	"github.com/anaxdb/anax/container/listpack"
)

// Member expiry of sets and sorted sets (KeyDB's EXPIREMEMBER on set and
// sorted-set members; hash fields are hash_ttl.go's).
//
// Storage. Only a big set (setTable) or a big sorted set (zsetBig) holds
// member expiries: the first one set on a small set (intset or listpack)
// or a small sorted set (listpack) converts it, as a hash converts on its
// first field TTL (docs/compat.md). The big object then points to one
// memberTTLs, nil while none of its members has an expiry, so a set
// without member TTLs costs one nil pointer and nothing per member. A
// memberTTLs names a member by its ref: the table handle of its cell (a
// set's) or its member ref (a sorted set's), both fixed for the member's
// lifetime (a score update rewrites the cell in place). It holds
//
//   - at, a map from ref to expiry (absolute Unix ms); uint64 keys and
//     int64 values make it a map the garbage collector does not scan;
//   - heap, a binary min-heap of (expiry, ref) marks over a plain slice,
//     also pointer-free. Every expiry in at has a mark with the same
//     expiry; marks of refs whose expiry changed or went away stay until
//     they surface at the top (or a rebuild drops them, once stale marks
//     outnumber live ones).
//
// A member removed by any command (SREM, SPOP, SMOVE, ZREM, ZPOPMIN,
// ZREMRANGEBY*...) has its entry in at deleted on the way, where its cell
// is freed, so a member added again later has no expiry (KeyDB keeps the
// old one: its subkey expiry outlives the member; docs/compat.md).
//
// Death. A member is dead once its expiry is in the past (exp < now, as
// for hash fields); setting an expiry at or before now removes it at once.
// A dead member is invisible to every command, because DB.Lookup reclaims
// the dead members of a big set or sorted set before it returns the entry
// (and reports a key whose last member died as missing): the top mark
// says in O(1) whether anything may be dead, and reclaiming pops marks in
// expiry order, O(log n) per member, never a walk of the whole set. The
// check costs Lookup one bool load in a database without member or field
// TTLs (the fieldTTLs flag of hash_ttl.go, which covers both). Members nobody
// reads are reclaimed by the field sweep of hash_ttl.go, which meets big
// sets and sorted sets in its keyspace walk as it meets big hashes, and
// pops their due marks within its budget.
//
// A set or sorted set whose last member is reclaimed loses its key; every
// reclaim goes through the write hook (DB.written), so WATCH sees it.

// memberTTLs holds the member expiries of one big set or sorted set.
type memberTTLs struct {
	at   map[uint64]int64
	heap []ttlMark
	tmp  []byte // a member being reclaimed, copied out of its cell
}

// ttlMark is one heap entry: ref had expiry at when it was pushed.
type ttlMark struct {
	at  int64
	ref uint64
}

func newMemberTTLs() *memberTTLs { return &memberTTLs{at: make(map[uint64]int64)} }

// get returns ref's expiry, 0 when it has none (m may be nil).
func (m *memberTTLs) get(ref uint64) int64 {
	if m == nil {
		return 0
	}
	return m.at[ref]
}

// set gives ref the expiry at (not 0).
func (m *memberTTLs) set(ref uint64, at int64) {
	if m.at[ref] == at {
		return
	}
	m.at[ref] = at
	m.push(ttlMark{at, ref})
	if len(m.heap) > 2*len(m.at)+64 {
		m.rebuild()
	}
}

// forget drops ref's expiry, if any, and reports whether none is left.
func (m *memberTTLs) forget(ref uint64) bool {
	delete(m.at, ref)
	return len(m.at) == 0
}

// due reports whether some member may be dead at now.
func (m *memberTTLs) due(now int64) bool { return len(m.heap) > 0 && m.heap[0].at < now }

// nextDead pops marks until one names a member dead at now, and returns
// its ref; false when no member is dead.
func (m *memberTTLs) nextDead(now int64) (uint64, bool) {
	for m.due(now) {
		top := m.pop()
		if at, ok := m.at[top.ref]; ok && at == top.at {
			return top.ref, true
		}
	}
	return 0, false
}

// earliest returns the earliest expiry, 0 when none (stale marks are
// dropped on the way).
func (m *memberTTLs) earliest() int64 {
	for len(m.heap) > 0 {
		top := m.heap[0]
		if at, ok := m.at[top.ref]; ok && at == top.at {
			return top.at
		}
		m.pop()
	}
	return 0
}

func (m *memberTTLs) push(x ttlMark) {
	m.heap = append(m.heap, x)
	h := m.heap
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p].at <= h[i].at {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func (m *memberTTLs) pop() ttlMark {
	h := m.heap
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	for i := 0; ; {
		l, s := 2*i+1, i
		if l < n && h[l].at < h[s].at {
			s = l
		}
		if r := l + 1; r < n && h[r].at < h[s].at {
			s = r
		}
		if s == i {
			break
		}
		h[i], h[s] = h[s], h[i]
		i = s
	}
	m.heap = h
	return top
}

// rebuild makes the heap again from at alone, dropping stale marks.
func (m *memberTTLs) rebuild() {
	m.heap = m.heap[:0]
	if cap(m.heap) > 4*len(m.at)+64 {
		m.heap = make([]ttlMark, 0, len(m.at))
	}
	for ref, at := range m.at {
		m.push(ttlMark{at, ref})
	}
}

// memory estimates the bytes m holds: the map's slots (key, value and
// control byte, at a load of 7/8) and the heap's array.
func (m *memberTTLs) memory() int {
	if m == nil {
		return 0
	}
	return int(unsafe.Sizeof(*m)) + len(m.at)*19 + cap(m.heap)*int(unsafe.Sizeof(ttlMark{})) + cap(m.tmp)
}

// setTTL gives the member named by ref the expiry at (0 removes it).
func (st *setTable) setTTL(ref uint64, at int64) {
	if at == 0 {
		if st.ttl != nil && st.ttl.forget(ref) {
			st.ttl = nil
		}
		return
	}
	if st.ttl == nil {
		st.ttl = newMemberTTLs()
	}
	st.ttl.set(ref, at)
}

// ref returns the table handle of member m.
func (st *setTable) ref(m []byte) (uint64, bool) {
	st.want = m
	h, ok := st.t.Find(Hash(m), st)
	st.want = nil
	return h, ok
}

// setTTL gives the member of ref the expiry at (0 removes it).
func (z *zsetBig) setTTL(ref uint64, at int64) {
	if at == 0 {
		if z.ttl != nil && z.ttl.forget(ref) {
			z.ttl = nil
		}
		return
	}
	if z.ttl == nil {
		z.ttl = newMemberTTLs()
	}
	z.ttl.set(ref, at)
}

// memberTTLsOf returns the member expiries of the entry whose bytes are b
// when it is a big set or sorted set with some (nil otherwise).
func (db *DB) memberTTLsOf(b []byte) *memberTTLs {
	switch {
	case entryType(b) == TypeSet && b[offEnc] == EncHashtable:
		return db.sh.objs.get(objectID(b)).(*setTable).ttl
	case entryType(b) == TypeZSet && b[offEnc] == EncSkiplist:
		return db.sh.objs.get(objectID(b)).(*zsetBig).ttl
	}
	return nil
}

// reapOnLookup reclaims the dead members of the entry h of key (bytes b)
// when it is a big set or sorted set with member expiries, and reports
// whether that removed the key (Lookup's half of member expiry).
func (db *DB) reapOnLookup(key []byte, h Handle, b []byte, now int64) bool {
	if m := db.memberTTLsOf(b); m == nil || !m.due(now) {
		return false
	}
	_, gone := db.reapMembers(key, h, now, 0)
	return gone
}

// reapMembers removes up to limit (every one when limit <= 0) members of
// the big set or sorted set h under key that are dead at now. It returns
// how many it removed and whether that emptied the set, whose key is then
// gone too.
func (db *DB) reapMembers(key []byte, h Handle, now int64, limit int) (n int, gone bool) {
	b := db.sh.arena.Bytes(h)
	obj := db.sh.objs.get(objectID(b))
	for limit <= 0 || n < limit {
		switch v := obj.(type) {
		case *setTable:
			if v.ttl == nil {
				break
			}
			m := v.ttl
			ref, ok := m.nextDead(now)
			if !ok {
				break
			}
			if n == 0 {
				db.written(key)
			}
			m.tmp = append(m.tmp[:0], v.member(ref)...)
			v.del(m.tmp)
			n++
			if v.t.Len() == 0 {
				gone = true
			}
			continue
		case *zsetBig:
			if v.ttl == nil {
				break
			}
			m := v.ttl
			ref, ok := m.nextDead(now)
			if !ok {
				break
			}
			if n == 0 {
				db.written(key)
			}
			m.tmp = append(m.tmp[:0], v.Member(ref)...)
			v.remove(m.tmp)
			n++
			if v.order.Len() == 0 {
				gone = true
			}
			continue
		}
		break
	}
	if n > 0 {
		db.sh.Stats.ExpiredFields.Add(int64(n))
	}
	if gone {
		db.Delete(key)
	}
	return n, gone
}

// MemberExpire gives member of the set or sorted set under key (entry h,
// live at now, its dead members already reclaimed by Lookup) the expiry
// at (absolute Unix ms), as KeyDB's EXPIREMEMBER: FieldNone when there is
// no such member, FieldDeletedAt when at is not after now (the member is
// removed at once, and a set left empty loses its key), else FieldSet. A
// small set or sorted set becomes big first. The write hook runs before
// any change.
func (db *DB) MemberExpire(key []byte, h Handle, member []byte, at, now int64) int64 {
	switch db.Type(h) {
	case TypeSet:
		if !db.SetHas(h, member) {
			return FieldNone
		}
		db.written(key)
		if at <= now {
			db.SetRemove(key, h, [][]byte{member})
			return FieldDeletedAt
		}
		if db.Encoding(h) != EncHashtable {
			v := db.setOf(h)
			v.toTable(0)
			h = db.makeBig(key, h, EncHashtable, v.st)
		}
		st := db.object(h).(*setTable)
		ref, _ := st.ref(member)
		st.setTTL(ref, at)
	case TypeZSet:
		z := db.OpenZSet(key, h)
		if _, ok := z.Score(member); !ok {
			return FieldNone
		}
		db.written(key)
		if at <= now {
			z.Remove(member)
			return FieldDeletedAt
		}
		if z.big == nil {
			z.toBig(z.Len())
		}
		ref, _ := z.big.find(member)
		z.big.setTTL(ref, at)
	default:
		panic("BUG: MemberExpire of a key that is no set or sorted set")
	}
	db.markFieldTTLs()
	return FieldSet
}

// MemberExpireAt returns the expiry of member in the set or sorted set h
// (Unix ms), FieldNoTTL when it has none, FieldNone when it is absent or
// dead at now.
func (db *DB) MemberExpireAt(h Handle, member []byte, now int64) int64 {
	var ok bool
	var at int64
	switch db.Type(h) {
	case TypeSet:
		if db.Encoding(h) != EncHashtable {
			ok = db.SetHas(h, member)
			break
		}
		st := db.object(h).(*setTable)
		var ref uint64
		if ref, ok = st.ref(member); ok {
			at = st.ttl.get(ref)
		}
	case TypeZSet:
		z := db.OpenZSet(nil, h)
		if z.big == nil {
			_, ok = z.Score(member)
			break
		}
		var ref uint64
		if ref, ok = z.big.find(member); ok {
			at = z.big.ttl.get(ref)
		}
	}
	switch {
	case !ok || fieldDead(at, now):
		return FieldNone
	case at == 0:
		return FieldNoTTL
	}
	return at
}

// HasMemberTTLs reports whether some member of the set or sorted set h has
// an expiry.
func (db *DB) HasMemberTTLs(h Handle) bool {
	return db.memberTTLsOf(db.sh.arena.Bytes(h)) != nil
}

// appendTTLFlat appends the expiries of m to a big value's flat form: an
// empty chunk (which no listpack is), then listpacks of member, expiry
// pairs (Unix ms as an integer element); member returns the member of a
// ref. Nothing is appended when m is nil.
func appendTTLFlat(dst []byte, m *memberTTLs, member func(ref uint64) []byte) []byte {
	if m == nil {
		return dst
	}
	dst = binary.LittleEndian.AppendUint32(dst, 0)
	lp := listpack.New()
	var nb [20]byte
	for ref, at := range m.at {
		lp.Append(member(ref))
		lp.Append(strconv.AppendInt(nb[:0], at, 10))
		if len(lp.Bytes()) >= flatChunkBytes {
			dst = appendFlatChunk(dst, lp.Bytes())
			lp = listpack.FromBytes(listpack.AppendEmpty(lp.Bytes()[:0]))
		}
	}
	if lp.Len() > 0 {
		dst = appendFlatChunk(dst, lp.Bytes())
	}
	return dst
}

// splitTTLFlat calls members with each listpack of a flat form before its
// expiry marker and expiry with each member, expiry pair after it
// (appendTTLFlat).
func splitTTLFlat(flat []byte, members func(lp []byte), expiry func(m []byte, at int64)) {
	withTTL := false
	var ib [24]byte
	for len(flat) >= 4 {
		n := int(binary.LittleEndian.Uint32(flat))
		b := flat[4 : 4+n]
		flat = flat[4+n:]
		switch {
		case n == 0:
			withTTL = true
		case !withTTL:
			members(b)
		default:
			for it := listpack.FromBytes(b).Iter(); it.Next(); {
				m := lpText(it.Value(), ib[:0])
				if !it.Next() || !it.Value().IsInt {
					panic("BUG: flat form: a member with a TTL lacks its expiry")
				}
				expiry(m, it.Value().Int)
			}
		}
	}
}

// hasSubkeyTTLs reports whether the big value v holds hash fields or
// members with an expiry (the sweep must then run on its database).
func hasSubkeyTTLs(v bigValue) bool {
	switch v := v.(type) {
	case *hashTable:
		return v.ttls > 0
	case *setTable:
		return v.ttl != nil
	case *zsetBig:
		return v.ttl != nil
	}
	return false
}

// MemberEachTTL calls fn with each member of the set or sorted set h that
// has an expiry, and that expiry (Unix ms), dead members included: the
// snapshot writes them as they are and the loader drops those whose time
// has passed. The member bytes are valid only during the call.
func (db *DB) MemberEachTTL(h Handle, fn func(member []byte, at int64)) {
	b := db.sh.arena.Bytes(h)
	m := db.memberTTLsOf(b)
	if m == nil {
		return
	}
	var member func(ref uint64) []byte
	if o := db.sh.objs.get(objectID(b)); entryType(b) == TypeSet {
		member = o.(*setTable).member
	} else {
		member = o.(*zsetBig).Member
	}
	for ref, at := range m.at {
		fn(member(ref), at)
	}
}
