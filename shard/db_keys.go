package shard

import "encoding/binary"

// Keyspace operations that act on whole entries (RENAME, COPY, MOVE,
// RESTORE, OBJECT). See db.go for the entry layout.

// CopyFrom stores under key in db a copy of the entry h of src: its type,
// encoding and value, with TTL expireAt (absolute Unix ms, 0 = none). An
// entry already under key in db is replaced. With keepMeta the copy keeps
// h's access time and LFU counter (RENAME and MOVE keep the object, as Redis
// does); otherwise they start afresh at now, as for a new key (COPY).
//
// src may be db itself or another database of the same shard (entries cross
// shards as bytes, through Export and ImportAs); h must not be the entry key
// already names in db (renaming a key to itself is the caller's no-op). It
// returns the new entry's handle.
//
// A big value (value.go) is deep-copied: the copy owns new cells.
func (db *DB) CopyFrom(src *DB, h Handle, key []byte, expireAt int64, keepMeta bool, now int64) Handle {
	sb := src.sh.arena.Bytes(h)
	// Allocating never moves other cells (arena invariant 3 and chunks that
	// are never reallocated), so sb stays valid across the Alloc in copyEntry.
	return db.copyEntry(sb, key, expireAt, keepMeta, copyClone, now)
}

// MoveFrom moves the entry h of srcKey in src (db itself or another
// database of the same shard) to key in db, with its TTL, access time and
// LFU counter, as RENAME and MOVE do: a big value changes hands without
// being copied, so moving it costs the same whatever its size. srcKey must
// not be key in the same database. It returns the new entry's handle.
func (db *DB) MoveFrom(src *DB, h Handle, srcKey, key []byte, now int64) Handle {
	sb := src.sh.arena.Bytes(h)
	nh := db.copyEntry(sb, key, src.ExpireAt(h), true, copyMove, now)
	src.deleteEntry(srcKey, h, false)
	return nh
}

// How copyEntry treats a big value.
const (
	copyClone    = iota // deep-copy it (a cell of this shard)
	copyMove            // take it over: the source entry goes without it
	copyImported        // rebuild it from its flat form (Export's bytes)
)

// ImportAs stores under key an entry exported by Export (from any shard),
// as CopyFrom does: with its TTL, and with its access time and LFU counter
// when keepMeta (RENAME), or afresh at now (COPY). It returns the new
// entry's handle.
func (db *DB) ImportAs(raw, key []byte, keepMeta bool, now int64) Handle {
	return db.copyEntry(raw, key, entryExpire(raw), keepMeta, copyImported, now)
}

// copyEntry stores under key a copy of the entry whose bytes are sb: a
// cell of this shard's arena, or, with copyImported, a copy made by Export
// (whose big value is in its flat form). how says what becomes of a big
// value.
func (db *DB) copyEntry(sb, key []byte, expireAt int64, keepMeta bool, how int, now int64) Handle {
	if db.sh.listening() {
		db.touch(key, false)
	}
	vl := entryValLen(sb)
	voff := valOff(sb)
	n := vl
	if _, ok := trailerOff(sb); ok {
		n += mcTrailer // a memcache item's flags and CAS travel with it
	}
	val := sb[voff : voff+n]
	var idb [objectIDSize]byte
	typ, enc := entryType(sb), sb[offEnc]
	if bigEncoding(typ, enc) {
		switch how {
		case copyMove:
			binary.LittleEndian.PutUint32(idb[:], objectID(sb))
		case copyImported:
			binary.LittleEndian.PutUint32(idb[:], db.sh.objs.add(importFlat(db.sh.arena, typ, enc, val)))
		default:
			binary.LittleEndian.PutUint32(idb[:], db.sh.objs.add(db.sh.objs.get(objectID(sb)).clone(db.sh.arena)))
		}
		val, n, vl = idb[:], objectIDSize, objectIDSize
		if hasSubkeyTTLs(db.sh.objs.get(binary.LittleEndian.Uint32(idb[:]))) {
			db.markFieldTTLs()
		}
	}

	nh, nb := db.sh.arena.Alloc(entrySize(len(key), vl, expireAt) + n - vl)
	writeHeader(nb, len(key), vl, expireAt, now, typ, enc, true)
	nb[offFlags] |= sb[offFlags] & mcBits
	if keepMeta {
		setAccess(nb, entryAccess(sb))
		nb[offLFU] = sb[offLFU]
	}
	koff := keyOff(nb)
	copy(nb[koff:], key)
	copy(nb[koff+len(key):], val)

	db.put(key, nh, expireAt)
	return nh
}

// put makes key name the complete cell nh (TTL expireAt), freeing the cell
// it named before.
func (db *DB) put(key []byte, nh Handle, expireAt int64) {
	hash := Hash(key)
	db.match.key = key
	old, exists := db.table.Find(hash, &db.match)
	if exists {
		oh := Handle(old)
		db.adjustExpires(db.ExpireAt(oh), expireAt)
		db.table.Update(hash, &db.match, uint64(nh))
		db.match.key = nil
		db.sh.dropValue(db.sh.arena.Bytes(oh))
		db.sh.arena.Free(oh)
		return
	}
	db.match.key = nil
	db.insertEntry(hash, nh)
	db.adjustExpires(0, expireAt)
	db.keysPub.Store(int64(db.table.Len()))
	db.sh.keyEvent(db.index, EventNew, key)
}

// SetAccessTime sets the entry's last access time (Unix seconds), as
// RESTORE ... IDLETIME does.
func (db *DB) SetAccessTime(h Handle, sec int64) {
	if sec < 0 {
		sec = 0
	}
	setAccess(db.sh.arena.Bytes(h), sec)
}

// SetFreq sets the entry's LFU counter, as RESTORE ... FREQ does.
func (db *DB) SetFreq(h Handle, f byte) { db.sh.arena.Bytes(h)[offLFU] = f }

// Export appends to dst the whole entry of key (header, key, value and
// memcache trailer: everything ImportAs needs to recreate it on any shard)
// and reports whether key has a live entry. An expired entry is deleted on
// the way, as by Lookup; the access time is left alone.
func (db *DB) Export(key []byte, now int64, dst []byte) ([]byte, bool) {
	h, ok := db.Lookup(key, now, NoTouch|NoStats)
	if !ok {
		return dst, false
	}
	b := db.sh.arena.Bytes(h)
	if bigEncoding(entryType(b), b[offEnc]) {
		// The flat form may be longer than a short header can say: the
		// copy has the long form, its value length set once it is known.
		start := len(dst)
		dst = append(dst, make([]byte, valOff(b)+longExtra)...)
		voff := copyPrefix(dst[start:], b, 0, true)
		dst = db.sh.objs.get(objectID(b)).appendFlat(db.sh.arena, dst[:start+voff])
		binary.LittleEndian.PutUint32(dst[start+offLongValLen:], uint32(len(dst)-start-voff))
		return dst, true
	}
	return append(dst, b[:entryEnd(b)]...), true
}
