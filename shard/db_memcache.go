package shard

import "encoding/binary"

// Memcache items (the memcache port shares database 0 with RESP).
//
// A memcache item is a string entry that carries memcached's per-item
// metadata in the same arena cell, after the value:
//
//	header | key | value | flags u32 | cas u64
//
// (header includes the expiry when there is one) with bit mcMeta set in
// the encoding byte and the memcache item bits (MCFetched, MCStale, MCWon)
// in the low bits of the flags byte (db.go). The value length in the
// header excludes the 12 trailing bytes, so GET, STRLEN and every RESP
// read see the value alone.
//
// Only entries written through the memcache port carry the trailer: a key
// written through RESP stays exactly as large as before. A RESP write
// drops the metadata: SetString refills the encoding and flags bytes, and
// APPEND/SETRANGE end with SetEncoding. EXPIRE and friends keep it (like
// memcached's touch, they change neither flags nor CAS; adding or removing
// a TTL moves the value and trailer along with the key).
//
// An entry without metadata reads as client flags 0 and no CAS yet. A
// command that must show or compare its CAS (gets, gats, mg c, ...) gives
// it metadata first, with a fresh CAS from its shard's CASSeq (MCSetMeta);
// the entry keeps those 12 bytes until a RESP write drops them. A RESP
// write after that changes the value and drops the CAS, and the next
// gets hands out a new, larger one, so a CAS changes on every
// modification, whichever protocol made it. A compare against an entry
// without a CAS fails: any CAS the client holds predates the last write.
//
// The CAS of an item is unique on its shard (CASSeq) and across shards.
//
// CopyFrom (RENAME, COPY, MOVE) copies the trailer with the value, so a
// moved item keeps its client flags and CAS.

const (
	mcMeta    = 0x80 // encoding-byte bit: the cell holds a memcache trailer
	mcTrailer = 12   // flags u32 | cas u64
	mcBits    = MCFetched | MCStale | MCWon
)

// Memcache item bits, meaningful only on an entry with metadata.
const (
	MCFetched byte = 1 << iota // read since it was stored (mg h)
	MCStale                    // marked stale by md I or ms I (mg X)
	MCWon                      // a client was handed the recache token (mg W, then Z)
)

// CASSeq hands out the CAS uniques of one shard. Shard i of n gives
// k*n+i for k = 1, 2, ...: never 0, increasing, and distinct from every
// other shard's. Owner only.
type CASSeq struct{ k, stride, base uint64 }

// NewCASSeq returns the sequence of shard id out of n shards.
func NewCASSeq(id, n int) CASSeq { return CASSeq{stride: uint64(n), base: uint64(id)} }

// Next returns a CAS never returned before.
func (q *CASSeq) Next() uint64 {
	q.k++
	return q.k*q.stride + q.base
}

// MCStatus is the outcome of MCLookup.
type MCStatus uint8

const (
	MCMiss      MCStatus = iota // no such key
	MCHit                       // a live string entry
	MCExpired                   // the key had expired; it is gone now
	MCOtherType                 // the key holds another type (not a memcache item)
)

// MCItem describes the entry MCLookup found, as it was before the lookup
// touched it. Handle is valid until the next write to the database.
type MCItem struct {
	Handle   Handle
	Flags    uint32
	CAS      uint64 // 0: no CAS yet (no metadata)
	ExpireAt int64  // absolute Unix ms, 0 = none
	Access   int64  // last access, Unix seconds
	Bits     byte   // MCFetched | MCStale | MCWon
	Meta     bool   // the entry carries memcache metadata
}

// trailerOff returns where the trailer of cell b starts, if it has one.
// The length check keeps a cell whose header was copied without its
// trailer (CopyFrom) from being read past its end.
func trailerOff(b []byte) (int, bool) {
	if b[offEnc]&mcMeta == 0 {
		return 0, false
	}
	off := valOff(b) + entryValLen(b)
	if off+mcTrailer > len(b) {
		return 0, false
	}
	return off, true
}

// MCLookup finds key for a memcache command. An expired entry is deleted
// (lazy expiry, counted in ExpiredKeys) and reported MCExpired. Hits and
// misses count in the shard's keyspace statistics unless flags has
// NoStats; the access time moves to now (Unix ms) unless flags has
// NoTouch.
func (db *DB) MCLookup(key []byte, now int64, flags int) (MCItem, MCStatus) {
	h, ok := db.find(key)
	st := MCMiss
	var it MCItem
	if ok {
		b := db.sh.arena.Bytes(h)
		exp := entryExpire(b)
		switch {
		case exp != 0 && exp <= now:
			db.deleteHandle(key, h)
			db.sh.Stats.ExpiredKeys.Add(1)
			db.sh.keyEvent(db.index, EventExpired, key)
			st = MCExpired
		case entryType(b) != TypeString:
			return MCItem{Handle: h, ExpireAt: exp}, MCOtherType
		default:
			st = MCHit
			it = MCItem{Handle: h, ExpireAt: exp, Access: entryAccess(b)}
			if off, ok := trailerOff(b); ok {
				it.Meta = true
				it.Flags = binary.LittleEndian.Uint32(b[off:])
				it.CAS = binary.LittleEndian.Uint64(b[off+4:])
				it.Bits = b[offFlags] & mcBits
			}
			if flags&NoTouch == 0 {
				setAccess(b, now/1000)
			}
		}
	}
	if flags&NoStats == 0 {
		if st == MCHit {
			db.sh.Stats.Hits.Add(1)
		} else {
			db.sh.Stats.Misses.Add(1)
		}
	}
	return it, st
}

// mcFill writes a whole memcache item into cell b.
func (db *DB) mcFill(b, key, val []byte, flags uint32, cas uint64, bits byte, expireAt, now int64, fresh bool) {
	db.fill(b, key, val, expireAt, EncAuto, now, fresh)
	b[offEnc] = mcMeta | EncAuto
	b[offFlags] |= bits & mcBits
	off := keyOff(b) + len(key) + len(val)
	binary.LittleEndian.PutUint32(b[off:], flags)
	binary.LittleEndian.PutUint64(b[off+4:], cas)
}

// MCStore stores key = val as a memcache item with client flags, CAS,
// item bits and TTL expireAt (absolute Unix ms, 0 = none), replacing
// whatever key held (any type). now feeds the access time. val must not
// point into the arena. It returns the entry's handle.
func (db *DB) MCStore(key, val []byte, flags uint32, cas uint64, bits byte, expireAt, now int64) Handle {
	if db.sh.listening() {
		db.touch(key, false)
	}
	hash := Hash(key)
	db.match.key = key
	old, exists := db.table.Find(hash, &db.match)
	need := entrySize(len(key), len(val), expireAt) + mcTrailer
	if exists {
		oh := Handle(old)
		ob := db.sh.arena.Bytes(oh)
		oldExp := entryExpire(ob)
		db.sh.dropValue(ob)
		if need <= len(ob) {
			db.match.key = nil
			db.mcFill(ob, key, val, flags, cas, bits, expireAt, now, false)
			db.adjustExpires(oldExp, expireAt)
			return oh
		}
		nh, nb := db.sh.arena.Alloc(need)
		nb[offLFU] = ob[offLFU]
		db.mcFill(nb, key, val, flags, cas, bits, expireAt, now, false)
		db.table.Update(hash, &db.match, uint64(nh))
		db.match.key = nil
		db.sh.arena.Free(oh)
		db.adjustExpires(oldExp, expireAt)
		return nh
	}
	db.match.key = nil
	nh, nb := db.sh.arena.Alloc(need)
	db.mcFill(nb, key, val, flags, cas, bits, expireAt, now, true)
	db.insertEntry(hash, nh)
	db.adjustExpires(0, expireAt)
	db.keysPub.Store(int64(db.table.Len()))
	db.sh.keyEvent(db.index, EventNew, key)
	return nh
}

// MCConcat appends data to (or, with prepend, puts it before) the value of
// the string entry h of key, as memcached's append and prepend do: the
// client flags and TTL stay, the CAS becomes cas and the item bits are
// cleared (memcached makes a new item). data must not point into the
// arena. It returns the (possibly moved) handle.
func (db *DB) MCConcat(key []byte, h Handle, data []byte, prepend bool, cas uint64, now int64) Handle {
	if db.sh.listening() {
		db.touch(key, false)
	}
	b := db.sh.arena.Bytes(h)
	vl := entryValLen(b)
	var flags uint32
	if off, ok := trailerOff(b); ok {
		flags = binary.LittleEndian.Uint32(b[off:])
	}
	v0 := valOff(b)
	nvl := vl + len(data)
	widened := widenBy(b, nvl) != 0
	nv0 := v0 + widenBy(b, nvl)
	need := nv0 + nvl + mcTrailer
	if need <= len(b) {
		if widened {
			widen(b, v0+vl)
		}
		if prepend {
			copy(b[nv0+len(data):nv0+nvl], b[nv0:nv0+vl])
			copy(b[nv0:], data)
		} else {
			copy(b[nv0+vl:], data)
		}
	} else {
		// Allocating never moves other cells, so b stays valid.
		nh, nb := db.sh.arena.Alloc(need)
		nv0 = copyPrefix(nb, b, vl, widened)
		if prepend {
			copy(nb[nv0:], data)
			copy(nb[nv0+len(data):], b[v0:v0+vl])
		} else {
			copy(nb[nv0:], b[v0:v0+vl])
			copy(nb[nv0+vl:], data)
		}
		db.rehome(key, h, nh)
		h, b = nh, nb
	}
	setValLen(b, nvl)
	setAccess(b, now/1000)
	b[offEnc] = mcMeta | EncAuto
	b[offFlags] &^= mcBits
	off := nv0 + nvl
	binary.LittleEndian.PutUint32(b[off:], flags)
	binary.LittleEndian.PutUint64(b[off+4:], cas)
	return h
}

// MCSetMeta sets the client flags, CAS and item bits of the string entry
// h of key, keeping its value and TTL. An entry without metadata gets its
// 12 bytes here, in its cell when the cell has room, else in a new cell.
// It returns the (possibly moved) handle.
func (db *DB) MCSetMeta(key []byte, h Handle, flags uint32, cas uint64, bits byte) Handle {
	if db.sh.snap != nil {
		db.snapshotKey(key) // the flags are saved
	}
	b := db.sh.arena.Bytes(h)
	off := valOff(b) + entryValLen(b)
	if off+mcTrailer > len(b) {
		nh, nb := db.sh.arena.Alloc(off + mcTrailer)
		copy(nb, b[:off])
		db.rehome(key, h, nh)
		h, b = nh, nb
	}
	b[offEnc] |= mcMeta
	b[offFlags] = b[offFlags]&^mcBits | bits&mcBits
	binary.LittleEndian.PutUint32(b[off:], flags)
	binary.LittleEndian.PutUint64(b[off+4:], cas)
	return h
}

// MCSetBits replaces the item bits of h; an entry without metadata has
// none and is left alone.
func (db *DB) MCSetBits(h Handle, bits byte) {
	b := db.sh.arena.Bytes(h)
	if _, ok := trailerOff(b); ok {
		b[offFlags] = b[offFlags]&^mcBits | bits&mcBits
	}
}
