package shard

import (
	"encoding/binary"

	"github.com/anaxdb/anax/shard/arena"
)

// Typed values: what every type beyond strings shares.
//
// An entry's type byte is Redis's OBJ_* number and its encoding byte, for
// types other than strings, Redis's OBJ_ENCODING_* number, so TYPE and
// OBJECT ENCODING are table lookups. A value has one of two tiers:
//
//   - small: Redis's own bytes (a listpack) are the entry's value, in the
//     key's arena cell. DUMP is a copy; an edit moves bytes inside the cell
//     and reallocates the cell only when it outgrows it (storeValue).
//   - big: the entry's value is a 4-byte object id. The object (one Go value
//     per collection, never one per element) lives in the shard's registry
//     and keeps its elements in arena cells named by integers. The object
//     implements bigValue, through which the keyspace frees, measures,
//     copies and exports it without knowing its type.
//
// Every change to a key, small or big, goes through DB.touch (watch.go),
// the one write hook that WATCH and blocked clients listen to.

// Value types beyond TypeString, with Redis's OBJ_* numbers.
const (
	TypeList byte = 1
	TypeSet  byte = 2
	TypeZSet byte = 3
	TypeHash byte = 4
)

// Encodings of the non-string types, with Redis's OBJ_ENCODING_* numbers.
const (
	EncHashtable byte = 2
	EncQuicklist byte = 9
	EncListpack  byte = 11
)

// bigEncoding reports whether a value of type typ with encoding enc is a big
// (registry) value.
func bigEncoding(typ, enc byte) bool {
	if typ == TypeString {
		return false
	}
	return enc == EncHashtable || enc == EncQuicklist || enc == EncSkiplist || enc == EncStream
}

// objectIDSize is the length of a big value in its entry: the object id.
const objectIDSize = 4

// bigValue is the Go side of a big collection. Its methods run on the
// owner goroutine; a is the shard's arena.
type bigValue interface {
	// release frees up to budget of the value's arena cells (all of them
	// when budget <= 0) and reports whether none is left.
	release(a *arena.Arena, budget int) bool
	// memory is the bytes the value holds: cells and index.
	memory(a *arena.Arena) int
	// clone returns a deep copy whose cells are new cells of a.
	clone(a *arena.Arena) bigValue
	// appendFlat appends the value's portable form (see importFlat) to dst.
	appendFlat(a *arena.Arena, dst []byte) []byte
}

// importFlat rebuilds in a the big value that appendFlat wrote for a
// value of type typ and encoding enc, on any shard. The flat form of every
// big value is a sequence of listpacks, each preceded by its length as a
// 4-byte little-endian integer: the nodes of a quicklist, or field and value
// pairs of a hash. Types add themselves to this switch.
func importFlat(a *arena.Arena, typ, enc byte, flat []byte) bigValue {
	switch {
	case typ == TypeHash && enc == EncHashtable:
		return importHashTable(a, flat)
	case typ == TypeList && enc == EncQuicklist:
		return importList(a, flat)
	case typ == TypeSet && enc == EncHashtable:
		return importSetTable(a, flat)
	case typ == TypeZSet && enc == EncSkiplist:
		return importZSetBig(a, flat)
	case typ == TypeStream && enc == EncStream:
		return importStream(a, flat)
	}
	panic("BUG: no big value of type " + string(rune('0'+typ)) + " to import")
}

// flatChunks calls fn with each listpack of a flat form.
func flatChunks(flat []byte, fn func(lp []byte)) {
	for len(flat) >= 4 {
		n := int(binary.LittleEndian.Uint32(flat))
		fn(flat[4 : 4+n])
		flat = flat[4+n:]
	}
}

// appendFlatChunk appends one listpack of a flat form.
func appendFlatChunk(dst, lp []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(lp)))
	return append(dst, lp...)
}

// objects is a shard's registry of big values. Ids are never 0, so a zeroed
// value never names an object.
type objects struct {
	live []bigValue // id-1 → value; nil when free
	free []uint32
	// lazy holds values whose key is gone and whose cells are still being
	// freed, a bounded number per step (reclaimLazy).
	lazy []bigValue
}

func (o *objects) add(v bigValue) uint32 {
	if n := len(o.free); n > 0 {
		id := o.free[n-1]
		o.free = o.free[:n-1]
		o.live[id-1] = v
		return id
	}
	o.live = append(o.live, v)
	return uint32(len(o.live))
}

func (o *objects) get(id uint32) bigValue { return o.live[id-1] }

func (o *objects) remove(id uint32) bigValue {
	v := o.live[id-1]
	o.live[id-1] = nil
	o.free = append(o.free, id)
	return v
}

func (o *objects) reset() { *o = objects{} }

// BigValues returns the number of live big values and of values still being
// freed.
func (s *Shard) BigValues() (live, freeing int) {
	return len(s.objs.live) - len(s.objs.free), len(s.objs.lazy)
}

// lazyFreeCells is how many cells one step of lazy freeing releases: small
// enough that a step stays well under a millisecond.
const lazyFreeCells = 64 << 10

// eagerFreeBytes is the size below which a big value is freed at once:
// freeing it costs less than queueing it.
const eagerFreeBytes = 64 << 10

// dropValue lets go of the value of the entry whose bytes are b, before
// its cell is freed or reused: a big value leaves the registry and its
// cells are freed at once when small, else in bounded steps.
func (s *Shard) dropValue(b []byte) {
	if !bigEncoding(entryType(b), b[offEnc]) {
		return
	}
	v := s.objs.remove(objectID(b))
	if v.memory(s.arena) <= eagerFreeBytes {
		v.release(s.arena, 0)
		return
	}
	s.objs.lazy = append(s.objs.lazy, v)
	s.Stats.LazyPending.Store(int64(len(s.objs.lazy)))
}

// reclaimLazy frees up to lazyFreeCells cells of dropped big values.
func (s *Shard) reclaimLazy() {
	if len(s.objs.lazy) == 0 || !s.objs.lazy[0].release(s.arena, lazyFreeCells) {
		return
	}
	s.objs.lazy[0] = nil
	s.objs.lazy = s.objs.lazy[1:]
	s.Stats.LazyPending.Store(int64(len(s.objs.lazy)))
	s.Stats.LazyFreed.Add(1)
}

// objectID reads the object id of a big entry.
func objectID(b []byte) uint32 { return binary.LittleEndian.Uint32(b[valOff(b):]) }

// Lazy reports whether dropped big values are still being freed.
func (s *Shard) Lazy() bool { return len(s.objs.lazy) > 0 }

// ReclaimLazy runs one bounded step of freeing dropped big values.
func (s *Shard) ReclaimLazy() { s.reclaimLazy() }

// ValueMemory returns the bytes a value holds beyond its entry cell (0 for
// small values), for MEMORY USAGE.
func (db *DB) ValueMemory(h Handle) int {
	b := db.sh.arena.Bytes(h)
	if !bigEncoding(entryType(b), b[offEnc]) {
		return 0
	}
	return db.sh.objs.get(objectID(b)).memory(db.sh.arena)
}

// object returns the big value of entry h.
func (db *DB) object(h Handle) bigValue {
	return db.sh.objs.get(objectID(db.sh.arena.Bytes(h)))
}

// NewValue stores under key a new entry of type typ, encoding enc and value
// bytes val (a small value), replacing what key held; no TTL. It returns
// the entry's handle.
func (db *DB) NewValue(key []byte, typ, enc byte, val []byte, now int64) Handle {
	if db.sh.listening() {
		db.touch(key, false)
	}
	nh, nb := db.sh.arena.Alloc(entrySize(len(key), len(val), 0))
	db.fillTyped(nb, key, typ, enc, len(val), now)
	copy(nb[valOff(nb):], val)
	db.put(key, nh, 0)
	return nh
}

// newBig stores under key a new entry holding the big value v, replacing
// what key held; no TTL.
func (db *DB) newBig(key []byte, typ, enc byte, v bigValue, now int64) Handle {
	if db.sh.listening() {
		db.touch(key, false)
	}
	id := db.sh.objs.add(v)
	nh, nb := db.sh.arena.Alloc(entrySize(len(key), objectIDSize, 0))
	db.fillTyped(nb, key, typ, enc, objectIDSize, now)
	binary.LittleEndian.PutUint32(nb[valOff(nb):], id)
	db.put(key, nh, 0)
	return nh
}

// fillTyped writes the header (no TTL) and key of a new entry.
func (db *DB) fillTyped(b, key []byte, typ, enc byte, vl int, now int64) {
	writeHeader(b, len(key), vl, 0, now, typ, enc, true)
	copy(b[keyOff(b):], key)
}

// valueRoom returns the value bytes of the small entry h with their
// capacity extended to the end of the cell, so that an edit may grow into
// the cell's slack without moving (arena invariant 3).
func (db *DB) valueRoom(h Handle) []byte {
	b := db.sh.arena.Bytes(h)
	off := valOff(b)
	return b[off : off+entryValLen(b) : len(b)]
}

// storeValue makes nv the value of the small entry h of key after an edit
// and returns the entry's (possibly new) handle. nv is either the cell's
// value bytes edited in place (valueRoom's slice, grown within its
// capacity) or bytes elsewhere (an edit that outgrew the cell), which are
// copied into a new cell. enc is the value's encoding now. It does not
// call the write hook: the caller did, before the edit.
func (db *DB) storeValue(key []byte, h Handle, nv []byte, enc byte) Handle {
	b := db.sh.arena.Bytes(h)
	start := valOff(b)
	// A value too long for a short header widens it (db.go): in the cell
	// only when the value is there already, since bytes from elsewhere in
	// the cell could be where the header grows.
	nstart := start + widenBy(b, len(nv))
	inPlace := len(nv) > 0 && start < len(b) && &b[start] == &nv[0]
	if nstart+len(nv) <= len(b) && !oversized(nstart+len(nv), len(b)) && (inPlace || nstart == start) {
		if nstart != start {
			widen(b, start+len(nv))
		}
		if !inPlace {
			copy(b[start:], nv)
		}
		setValLen(b, len(nv))
		b[offEnc] = enc
		return h
	}
	nh, nb := db.sh.arena.Alloc(nstart + len(nv))
	nstart = copyPrefix(nb, b, len(nv), false)
	copy(nb[nstart:], nv)
	nb[offEnc] = enc
	db.rehome(key, h, nh)
	return nh
}

// makeBig turns the small entry h of key into a big one holding v (a
// conversion: listpack → quicklist or hashtable). It returns the entry's
// (possibly new) handle; TTL, access time and LFU counter stay.
func (db *DB) makeBig(key []byte, h Handle, enc byte, v bigValue) Handle {
	id := db.sh.objs.add(v)
	var idb [objectIDSize]byte
	binary.LittleEndian.PutUint32(idb[:], id)
	return db.storeValue(key, h, idb[:], enc)
}

// makeSmall turns the big entry h of key into a small one with value val
// (quicklist → listpack); the big value is released at once, after val
// (which may point into its cells) has been copied. It returns the entry's
// (possibly new) handle.
func (db *DB) makeSmall(key []byte, h Handle, enc byte, val []byte) Handle {
	v := db.sh.objs.remove(objectID(db.sh.arena.Bytes(h)))
	h = db.storeValue(key, h, val, enc)
	v.release(db.sh.arena, 0)
	return h
}

// oversized reports whether a cell of have bytes is too big for need
// bytes: a quarter of it or more would be slack, so a class at least two
// steps smaller would hold them. A value that shrinks (a conversion to a
// 4-byte object id, a listpack losing fields) then moves to a smaller
// cell, as Redis's realloc gives memory back; the margin keeps a value
// that grows and shrinks by one element at a class boundary (a push and a
// pop in turn) from moving every time.
func oversized(need, have int) bool {
	if have > arena.MaxCellSize {
		return need < have-have/4
	}
	return arena.CellSize(need) <= have-have/4
}

// fitValue moves the small entry h of key to the smallest cell that holds
// it when its cell is bigger, and returns the entry's (possibly new)
// handle: a new value whose cell was sized by a bound on its bytes (a new
// hash's listpack) gives the slack back once it is written.
func (db *DB) fitValue(key []byte, h Handle) Handle {
	b := db.sh.arena.Bytes(h)
	n := entryEnd(b)
	if len(b) > arena.MaxCellSize || arena.CellSize(n) >= len(b) {
		return h
	}
	nh, nb := db.sh.arena.Alloc(n)
	copy(nb, b[:n])
	db.rehome(key, h, nh)
	return nh
}

// reserveValue makes room for extra more value bytes in the cell of the
// small entry h of key, moving the entry to a bigger cell when its slack
// is smaller, and returns the entry's (possibly new) handle. Editing the
// value in valueRoom's slice then grows inside the cell: no edit has to
// reallocate on the Go heap and be copied back (storeValue), which would
// leave garbage for the collector on every growing write.
func (db *DB) reserveValue(key []byte, h Handle, extra int) Handle {
	b := db.sh.arena.Bytes(h)
	vl := entryValLen(b)
	n := valOff(b) + vl
	// Room for a header that the longer value widens, too (storeValue).
	extra += widenBy(b, vl+extra)
	if n+extra <= len(b) {
		return h
	}
	nh, nb := db.sh.arena.Alloc(n + extra)
	copy(nb, b[:n])
	db.rehome(key, h, nh)
	return nh
}
