package shard

import (
	"crypto/rand"
	"encoding/binary"
	"sync/atomic"

	"github.com/anaxdb/anax/dashtable"
	"github.com/anaxdb/anax/shard/arena"
	"github.com/zeebo/xxh3"
)

// Value types, as TYPE reports them.
const (
	TypeString byte = 0
)

// String encodings, as OBJECT ENCODING reports them.
const (
	EncAuto byte = 0 // int / embstr / raw decided from the bytes
	EncRaw  byte = 1 // forced raw (after APPEND or SETRANGE, as Redis does)
)

// The entry layout (docs/architecture.md, "Keyspace"): a header in one of
// two forms, the 8-byte absolute expiry when the key has a TTL, the key,
// the value, and for a memcache item its trailer (db_memcache.go).
//
//	short: flags u8 | enc u8 | lfu u8 | access u32 | keyLen u8 | valLen u16              (10 bytes)
//	long:  flags u8 | enc u8 | lfu u8 | access u32 | 0 u8 | keyLen u32 | valLen u32      (16 bytes)
//	then:  [expireAt i64] | key | value
//
// flags holds flagExpire (bit 7), flagLong (bit 6), the type (bits 3..5)
// and the memcache item bits (bits 0..2, MCFetched ...). An entry takes
// the short form when its key has at most 255 bytes and its value at most
// 65535, so the common entry pays 10 bytes; the long form holds any
// lengths. The first seven bytes are the same in both forms, so only the
// lengths and what follows them depend on the form. A value that grows
// past what a short header can say widens the header (widen, copyPrefix):
// in its cell when there is room, else in a new cell, as adding a TTL
// does. An entry never narrows in place; a rewrite (SET, RENAME...) picks
// the form its lengths need.
const (
	shortHeader = 10
	longHeader  = 16
	longExtra   = longHeader - shortHeader
	expireSize  = 8 // the expiry, present when flags has flagExpire

	offFlags  = 0 // flagExpire | flagLong | type | memcache item bits
	offEnc    = 1 // encoding; bit mcMeta marks a memcache trailer
	offLFU    = 2 // LFU counter (OBJECT FREQ)
	offAccess = 3 // last access, Unix seconds (OBJECT IDLETIME, LRU)

	offShortKeyLen = 7 // u8
	offShortValLen = 8 // u16
	offLongKeyLen  = 8 // u32
	offLongValLen  = 12

	maxShortKey = 1<<8 - 1
	maxShortVal = 1<<16 - 1
)

// Bits of the flags byte.
const (
	flagExpire byte = 0x80 // the entry has a TTL: its 8 bytes follow the header
	flagLong   byte = 0x40 // the header is in the long form
	typeShift       = 3
	typeMask   byte = 7 << typeShift
)

// keyOffs is where the key starts, by flags>>6 (flagExpire, flagLong).
var keyOffs = [4]uint8{shortHeader, longHeader, shortHeader + expireSize, longHeader + expireSize}

// keyOff returns where the key of entry b starts: after the header and,
// when there is one, the expiry.
func keyOff(b []byte) int { return int(keyOffs[b[offFlags]>>6]) }

// hdrLen returns the length of the header of entry b (where the expiry,
// or else the key, starts).
func hdrLen(b []byte) int { return int(keyOffs[b[offFlags]>>6&1]) }

// isLong reports whether an entry with a kl-byte key and a vl-byte value
// needs the long header.
func isLong(kl, vl int) bool { return kl > maxShortKey || vl > maxShortVal }

// prefixSize returns the bytes before the key of an entry with a kl-byte
// key, a vl-byte value and TTL expireAt (0 = none).
func prefixSize(kl, vl int, expireAt int64) int {
	n := shortHeader
	if isLong(kl, vl) {
		n = longHeader
	}
	if expireAt != 0 {
		n += expireSize
	}
	return n
}

// entrySize returns the bytes of an entry with a kl-byte key, a vl-byte
// value and TTL expireAt, trailer not included.
func entrySize(kl, vl int, expireAt int64) int { return prefixSize(kl, vl, expireAt) + kl + vl }

func entryKeyLen(b []byte) int {
	if b[offFlags]&flagLong == 0 {
		return int(b[offShortKeyLen])
	}
	return int(binary.LittleEndian.Uint32(b[offLongKeyLen:]))
}

func entryValLen(b []byte) int {
	if b[offFlags]&flagLong == 0 {
		return int(binary.LittleEndian.Uint16(b[offShortValLen:]))
	}
	return int(binary.LittleEndian.Uint32(b[offLongValLen:]))
}

// widenBy returns the bytes the header of entry b must grow by for its
// value to be n bytes long: longExtra when a short header cannot say n.
func widenBy(b []byte, n int) int {
	if b[offFlags]&flagLong == 0 && n > maxShortVal {
		return longExtra
	}
	return 0
}

// setValLen records n as the value length of entry b, whose header must be
// able to say it (widenBy(b, n) == 0).
func setValLen(b []byte, n int) {
	if b[offFlags]&flagLong == 0 {
		binary.LittleEndian.PutUint16(b[offShortValLen:], uint16(n))
		return
	}
	binary.LittleEndian.PutUint32(b[offLongValLen:], uint32(n))
}

// widen turns the short header of entry b into the long form in its cell:
// the bytes after the header, up to end, move longExtra bytes on, so the
// cell needs end+longExtra bytes.
func widen(b []byte, end int) {
	kl, vl := uint32(b[offShortKeyLen]), uint32(binary.LittleEndian.Uint16(b[offShortValLen:]))
	copy(b[longHeader:], b[shortHeader:end])
	b[offShortKeyLen] = 0
	binary.LittleEndian.PutUint32(b[offLongKeyLen:], kl)
	binary.LittleEndian.PutUint32(b[offLongValLen:], vl)
	b[offFlags] |= flagLong
}

// copyPrefix writes into the cell dst the header, expiry and key of entry
// src with value length vl, in src's form unless vl needs the long one (or
// long asks for it), and returns where dst's value starts. Everything else
// in the header (type, encoding, flags, access, LFU) is src's.
func copyPrefix(dst, src []byte, vl int, long bool) int {
	kl := entryKeyLen(src)
	koff := keyOff(src)
	f := src[offFlags]
	copy(dst[:offShortKeyLen], src[:offShortKeyLen])
	var off int
	if f&flagLong != 0 || long || vl > maxShortVal {
		dst[offFlags] = f | flagLong
		dst[offShortKeyLen] = 0
		binary.LittleEndian.PutUint32(dst[offLongKeyLen:], uint32(kl))
		binary.LittleEndian.PutUint32(dst[offLongValLen:], uint32(vl))
		off = longHeader
	} else {
		dst[offShortKeyLen] = byte(kl)
		binary.LittleEndian.PutUint16(dst[offShortValLen:], uint16(vl))
		off = shortHeader
	}
	if f&flagExpire != 0 {
		copy(dst[off:off+expireSize], src[hdrLen(src):])
		off += expireSize
	}
	copy(dst[off:], src[koff:koff+kl])
	return off + kl
}

// entryType returns the value type of entry b.
func entryType(b []byte) byte { return b[offFlags] & typeMask >> typeShift }

// entryAccess returns the last access time of entry b, Unix seconds.
func entryAccess(b []byte) int64 { return int64(binary.LittleEndian.Uint32(b[offAccess:])) }

// setAccess records sec (Unix seconds) as the last access time of entry b.
func setAccess(b []byte, sec int64) { binary.LittleEndian.PutUint32(b[offAccess:], uint32(sec)) }

// valOff returns where the value of entry b starts.
func valOff(b []byte) int { return keyOff(b) + entryKeyLen(b) }

// entryExpire returns the TTL of entry b, absolute Unix ms, 0 when none.
func entryExpire(b []byte) int64 {
	if b[offFlags]&flagExpire == 0 {
		return 0
	}
	return int64(binary.LittleEndian.Uint64(b[hdrLen(b):]))
}

// entryEnd returns the bytes entry b uses: through its value and, for a
// memcache item, its trailer.
func entryEnd(b []byte) int {
	end := valOff(b) + entryValLen(b)
	if b[offEnc]&mcMeta != 0 && end+mcTrailer <= len(b) {
		end += mcTrailer
	}
	return end
}

// writeHeader fills the header and expiry of entry b, in the form the
// lengths need: key and value lengths, TTL expireAt (0 = none), access time
// now (Unix ms), type and encoding. The LFU counter is set to its initial
// value when fresh, else left as it is; the memcache item bits are
// cleared.
func writeHeader(b []byte, kl, vl int, expireAt, now int64, typ, enc byte, fresh bool) {
	f := typ << typeShift
	off := shortHeader
	if isLong(kl, vl) {
		f |= flagLong
		b[offShortKeyLen] = 0
		binary.LittleEndian.PutUint32(b[offLongKeyLen:], uint32(kl))
		binary.LittleEndian.PutUint32(b[offLongValLen:], uint32(vl))
		off = longHeader
	} else {
		b[offShortKeyLen] = byte(kl)
		binary.LittleEndian.PutUint16(b[offShortValLen:], uint16(vl))
	}
	setAccess(b, now/1000)
	b[offEnc] = enc
	if fresh {
		b[offLFU] = lfuInitVal
	}
	if expireAt != 0 {
		f |= flagExpire
		binary.LittleEndian.PutUint64(b[off:], uint64(expireAt))
	}
	b[offFlags] = f
}

// Handle names an entry; valid until the next write to its database.
type Handle = arena.Handle

// DB is one numbered database inside a shard. Owner only.
type DB struct {
	sh      *Shard
	index   int
	table   *dashtable.Table
	expires int // keys with a TTL

	keysPub    atomic.Int64
	expiresPub atomic.Int64
	// avgTTL is INFO keyspace's avg_ttl in milliseconds: Redis's running
	// average of the TTLs the expiry sweep meets (activeExpire), 0 while no
	// key has one; avgTTLPub publishes it.
	avgTTL    int64
	avgTTLPub atomic.Int64

	match   keyMatcher
	cursor  uint64 // active-expiry scan position
	victims []Handle

	// The field-expiry sweep (hash_ttl.go): fieldTTLs says the database may
	// hold hashes with field expiries; fcursor is the sweep's table cursor
	// and fieldTTLsSeen whether its current pass met such a hash.
	fieldTTLs     bool
	fieldTTLsSeen bool
	fcursor       uint64

	// evictCursor is where the volatile policies' sampling walk resumes;
	// evictSeg the segment cache mode's eviction pass visits next.
	evictCursor uint64
	evictSeg    int
}

type keyMatcher struct {
	a   *arena.Arena
	key []byte
}

func (m *keyMatcher) Match(h uint64) bool {
	b := m.a.Bytes(arena.Handle(h))
	kl := entryKeyLen(b)
	if kl != len(m.key) {
		return false
	}
	off := keyOff(b)
	return string(b[off:off+kl]) == string(m.key)
}

func newDB(s *Shard, index int) *DB {
	db := &DB{sh: s, index: index}
	db.table = dashtable.New(&shardHasher{s})
	db.match.a = s.arena
	return db
}

// shardHasher reads the arena through the shard so that FlushAll's arena
// reset stays visible.
type shardHasher struct{ s *Shard }

func (h *shardHasher) Hash(x uint64) uint64 {
	return Hash(keyBytes(h.s.arena.Bytes(arena.Handle(x))))
}

// tableSeed seeds the table hash. It is chosen per process so that the
// table's bits are independent of the router's (which hashes without a
// seed and picks the shard): otherwise every key of a shard would share
// hash bits that the table needs for fingerprints and splits. A random
// seed also denies clients a precomputed set of colliding keys.
var tableSeed = func() uint64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("FATAL: cannot read random bytes: " + err.Error())
	}
	return binary.LittleEndian.Uint64(b[:])
}()

// Hash is the table hash of a key.
func Hash(key []byte) uint64 { return xxh3.HashSeed(key, tableSeed) }

func keyBytes(b []byte) []byte {
	off := keyOff(b)
	return b[off : off+entryKeyLen(b)]
}

func (db *DB) setCounts(keys, expires int) {
	db.expires = expires
	if expires == 0 { // an emptied database (Redis's emptyDb clears avg_ttl too)
		db.avgTTL = 0
		db.avgTTLPub.Store(0)
	}
	db.keysPub.Store(int64(keys))
	db.expiresPub.Store(int64(expires))
}

func (db *DB) publish() {
	db.keysPub.Store(int64(db.table.Len()))
	db.expiresPub.Store(int64(db.expires))
}

// Len returns the number of keys, including expired ones not yet reclaimed.
func (db *DB) Len() int { return db.table.Len() }

// ExpiresCount returns the number of keys with a TTL.
func (db *DB) ExpiresCount() int { return db.expires }

func (db *DB) find(key []byte) (Handle, bool) {
	db.match.key = key
	h, ok := db.table.Find(Hash(key), &db.match)
	db.match.key = nil
	return Handle(h), ok
}

// Peek finds key without expiring it or touching its access time.
func (db *DB) Peek(key []byte) (Handle, bool) { return db.find(key) }

// Lookup flags.
const (
	NoTouch  = 1 << iota // keep the access time (OBJECT IDLETIME) as it was
	NoStats              // do not count a hit or a miss (a write's lookup: no "keymiss" either)
	NoNotify             // no "keymiss" event for a miss (OBJECT)
)

// Lookup returns the live entry for key: an expired entry is deleted on the
// way (lazy expiry) and reported missing, and the dead members of a set or
// sorted set are removed (member_ttl.go). now is Unix milliseconds.
func (db *DB) Lookup(key []byte, now int64, flags int) (Handle, bool) {
	c := db.sh.evcfg.Load()
	var h Handle
	var ok bool
	if c != nil && c.CacheMode && flags&NoTouch == 0 {
		h, ok = db.bump(key) // the table's order is cache mode's recency
	} else {
		h, ok = db.find(key)
	}
	if ok {
		b := db.sh.arena.Bytes(h)
		if exp := entryExpire(b); exp != 0 && exp <= now {
			if !db.sh.frozen.Load() {
				db.deleteHandle(key, h)
				db.sh.Stats.ExpiredKeys.Add(1)
				db.sh.keyEvent(db.index, EventExpired, key)
			}
			ok = false
		} else if db.fieldTTLs && db.reapOnLookup(key, h, b, now) {
			ok = false // its last member expired (member_ttl.go)
		} else if flags&NoTouch == 0 {
			if c != nil && c.LFU() {
				db.sh.lfuTouch(c, b, now)
			}
			setAccess(b, now/1000)
		}
	}
	if flags&NoStats == 0 {
		if ok {
			db.sh.Stats.Hits.Add(1)
		} else {
			db.sh.Stats.Misses.Add(1)
			if flags&NoNotify == 0 {
				db.sh.keyEvent(db.index, EventKeyMiss, key)
			}
		}
	}
	return h, ok
}

// Key returns the key bytes of h (valid until the next write).
func (db *DB) Key(h Handle) []byte { return keyBytes(db.sh.arena.Bytes(h)) }

// Value returns the value bytes of a string entry (valid until the next write).
func (db *DB) Value(h Handle) []byte {
	b := db.sh.arena.Bytes(h)
	off := valOff(b)
	return b[off : off+entryValLen(b)]
}

// Type returns the entry's value type.
func (db *DB) Type(h Handle) byte { return entryType(db.sh.arena.Bytes(h)) }

// Encoding returns the entry's encoding flag.
func (db *DB) Encoding(h Handle) byte { return db.sh.arena.Bytes(h)[offEnc] }

// ExpireAt returns the absolute expiry in Unix ms, 0 when none.
func (db *DB) ExpireAt(h Handle) int64 { return entryExpire(db.sh.arena.Bytes(h)) }

// AccessTime returns the last access time in Unix seconds.
func (db *DB) AccessTime(h Handle) int64 {
	return entryAccess(db.sh.arena.Bytes(h))
}

// Freq returns the LFU counter.
func (db *DB) Freq(h Handle) byte { return db.sh.arena.Bytes(h)[offLFU] }

// SizeOf returns the bytes the entry takes in the arena plus its table
// slot, and, for a big value, the bytes the value holds (MEMORY USAGE).
func (db *DB) SizeOf(h Handle) int { return db.sh.arena.Size(h) + 16 + db.ValueMemory(h) }

// SetExpireAt changes the TTL of the existing entry h to at (absolute Unix
// ms; 0 removes it) and returns the entry's handle. An entry that gets a
// TTL needs 8 more bytes: when its cell has no room for them, the entry
// moves to a new cell (the table follows) and h is no longer valid, so a
// caller that uses the entry afterwards takes the returned handle. Slices
// of the entry's key or value taken before the call are stale after it
// whenever the TTL was added or removed.
func (db *DB) SetExpireAt(h Handle, at int64) Handle {
	b := db.sh.arena.Bytes(h)
	old := entryExpire(b)
	if old == at {
		return h
	}
	if db.sh.listening() {
		db.touch(keyBytes(b), false)
	}
	hl := hdrLen(b)
	switch {
	case old != 0 && at != 0:
		binary.LittleEndian.PutUint64(b[hl:], uint64(at))
	case at == 0:
		// The cell keeps its size: a TTL that comes back fits again.
		copy(b[hl:], b[hl+expireSize:entryEnd(b)])
		b[offFlags] &^= flagExpire
	default:
		end := entryEnd(b)
		if end+expireSize <= len(b) {
			copy(b[hl+expireSize:], b[hl:end])
		} else {
			// Allocating never moves other cells, so b stays valid.
			nh, nb := db.sh.arena.Alloc(end + expireSize)
			copy(nb, b[:hl])
			copy(nb[hl+expireSize:], b[hl:end])
			db.rehome(keyBytes(b), h, nh)
			h, b = nh, nb
		}
		b[offFlags] |= flagExpire
		binary.LittleEndian.PutUint64(b[hl:], uint64(at))
	}
	db.adjustExpires(old, at)
	return h
}

// rehome makes key, whose entry was h, name the new cell nh (a copy of the
// entry), and frees h. key may point into h.
func (db *DB) rehome(key []byte, h, nh Handle) {
	db.match.key = key
	db.table.Update(Hash(key), &db.match, uint64(nh))
	db.match.key = nil
	db.sh.arena.Free(h)
}

// SetString stores key = val with type string. expireAt is the absolute TTL
// (0 = none); with keepTTL an existing entry keeps its TTL and expireAt is
// ignored. enc is EncAuto or EncRaw. now feeds the access time.
func (db *DB) SetString(key, val []byte, expireAt int64, keepTTL bool, enc byte, now int64) {
	if db.sh.listening() {
		db.touch(key, false)
	}
	hash := Hash(key)
	db.match.key = key
	old, exists := db.table.Find(hash, &db.match)
	if exists && db.IsExpired(Handle(old), now) {
		// An expired key is reclaimed first, as Redis's lookup before a
		// write does: the new value is a new key.
		db.match.key = nil
		db.deleteHandle(key, Handle(old))
		db.sh.Stats.ExpiredKeys.Add(1)
		db.sh.keyEvent(db.index, EventExpired, key)
		exists = false
	}
	if exists {
		oh := Handle(old)
		ob := db.sh.arena.Bytes(oh)
		oldExp := entryExpire(ob)
		if keepTTL {
			expireAt = oldExp
		}
		need := entrySize(len(key), len(val), expireAt)
		db.sh.dropValue(ob)
		if need <= len(ob) {
			db.match.key = nil
			db.fill(ob, key, val, expireAt, enc, now, false)
			db.adjustExpires(oldExp, expireAt)
			return
		}
		nh, nb := db.sh.arena.Alloc(need)
		nb[offLFU] = ob[offLFU]
		db.fill(nb, key, val, expireAt, enc, now, false)
		db.table.Update(hash, &db.match, uint64(nh))
		db.match.key = nil
		db.sh.arena.Free(oh)
		db.adjustExpires(oldExp, expireAt)
		return
	}
	db.match.key = nil
	nh, nb := db.sh.arena.Alloc(entrySize(len(key), len(val), expireAt))
	db.fill(nb, key, val, expireAt, enc, now, true)
	db.insertEntry(hash, nh)
	db.adjustExpires(0, expireAt)
	db.keysPub.Store(int64(db.table.Len()))
	db.sh.keyEvent(db.index, EventNew, key)
}

// OverwriteString turns key's entry, whatever its type, into a string of n
// bytes with no TTL inside the cell it already has, and returns the value
// bytes for the caller to fill: their content is unspecified and nothing
// may run on the shard before they are filled. BITOP writes its result
// there rather than building it aside and copying it in (a third of its
// time on 1 MB bitmaps). It changes nothing and returns nil when key is
// absent or expired or its cell is too small; the caller then uses
// SetString. The caller must not read from the returned bytes' old content
// (a source that is also the destination is not passed here).
func (db *DB) OverwriteString(key []byte, n int, enc byte, now int64) []byte {
	db.match.key = key
	old, exists := db.table.Find(Hash(key), &db.match)
	db.match.key = nil
	if !exists || db.IsExpired(Handle(old), now) {
		return nil
	}
	b := db.sh.arena.Bytes(Handle(old))
	if entrySize(len(key), n, 0) > len(b) {
		return nil
	}
	if db.sh.listening() {
		db.touch(key, false)
	}
	oldExp := entryExpire(b)
	db.sh.dropValue(b)
	writeHeader(b, len(key), n, 0, now, TypeString, enc, false)
	off := keyOff(b)
	copy(b[off:], key)
	db.adjustExpires(oldExp, 0)
	return b[off+len(key) : off+len(key)+n]
}

// SetStringAt overwrites the value of h, the entry Lookup just returned for
// key, with the string val, keeping its TTL, when val fits in h's
// allocation; otherwise it changes nothing and reports false, and the caller
// uses SetString. It spares a read-modify-write such as INCR a second table
// lookup. h must still be key's entry: nothing may have run on the shard
// since the Lookup.
func (db *DB) SetStringAt(h Handle, key, val []byte, enc byte, now int64) bool {
	b := db.sh.arena.Bytes(h)
	exp := entryExpire(b)
	if entrySize(len(key), len(val), exp) > len(b) {
		return false
	}
	if db.sh.listening() {
		db.touch(key, false)
	}
	db.fill(b, key, val, exp, enc, now, false)
	return true
}

func (db *DB) adjustExpires(old, now int64) {
	switch {
	case old == 0 && now != 0:
		db.expires++
	case old != 0 && now == 0:
		db.expires--
	default:
		return
	}
	db.expiresPub.Store(int64(db.expires))
}

func (db *DB) fill(b, key, val []byte, expireAt int64, enc byte, now int64, fresh bool) {
	writeHeader(b, len(key), len(val), expireAt, now, TypeString, enc, fresh)
	off := keyOff(b)
	copy(b[off:], key)
	copy(b[off+len(key):], val)
}

const lfuInitVal = 5

// GrowString resizes the value of the string entry h to n bytes, keeping its
// first min(old, n) bytes, and returns the (possibly moved) handle and the
// writable value bytes. New bytes are zeroed.
func (db *DB) GrowString(key []byte, h Handle, n int) (Handle, []byte) {
	if db.sh.listening() {
		db.touch(key, false)
	}
	b := db.sh.arena.Bytes(h)
	voff := valOff(b)
	vl := entryValLen(b)
	nvoff := voff + widenBy(b, n)
	if need := nvoff + n; need > len(b) {
		nh, nb := db.sh.arena.Alloc(need)
		nb = nb[:cap(nb)]
		nvoff = copyPrefix(nb, b, vl, nvoff != voff)
		copy(nb[nvoff:], b[voff:voff+vl])
		db.rehome(key, h, nh)
		h, b = nh, nb
	} else if nvoff != voff {
		widen(b, voff+vl)
	}
	clear(b[nvoff+vl : nvoff+max(vl, n)])
	setValLen(b, n)
	return h, b[nvoff : nvoff+n]
}

// GrowStringGreedy is GrowString for a string that grows again and again
// (SETBIT, BITFIELD): when the entry must move to a bigger cell, the cell
// gets room to spare as Redis's sdsMakeRoomFor leaves it (as much again up
// to 1 MB, 1 MB more past that), so that growing a bitmap bit by bit copies
// it a logarithmic number of times.
func (db *DB) GrowStringGreedy(key []byte, h Handle, n int) (Handle, []byte) {
	b := db.sh.arena.Bytes(h)
	if need := valOff(b) + widenBy(b, n) + n; need > len(b) {
		if db.sh.listening() {
			db.touch(key, false)
		}
		const step = 1 << 20
		spare := min(need, step)
		nh, nb := db.sh.arena.Alloc(need + spare)
		vl := entryValLen(b)
		voff := valOff(b)
		nvoff := copyPrefix(nb, b, vl, widenBy(b, n) != 0)
		copy(nb[nvoff:], b[voff:voff+vl])
		clear(nb[nvoff+vl:])
		db.rehome(key, h, nh)
		h = nh
	}
	return db.GrowString(key, h, n)
}

// SetEncoding records the encoding flag.
func (db *DB) SetEncoding(h Handle, enc byte) { db.sh.arena.Bytes(h)[offEnc] = enc }

// Delete removes key; it reports whether the key existed (expired or not).
func (db *DB) Delete(key []byte) bool {
	h, ok := db.find(key)
	if !ok {
		return false
	}
	db.deleteHandle(key, h)
	return true
}

func (db *DB) deleteHandle(key []byte, h Handle) { db.deleteEntry(key, h, true) }

// deleteEntry removes key's entry h; with dropValue false a big value
// stays alive, having been moved to another entry (MoveFrom).
func (db *DB) deleteEntry(key []byte, h Handle, dropValue bool) {
	if db.sh.listening() {
		db.touch(key, true)
	}
	if db.ExpireAt(h) != 0 {
		db.expires--
		db.expiresPub.Store(int64(db.expires))
	}
	db.match.key = key
	db.table.Delete(Hash(key), &db.match)
	db.match.key = nil
	if dropValue {
		db.sh.dropValue(db.sh.arena.Bytes(h))
	}
	db.sh.arena.Free(h)
	db.keysPub.Store(int64(db.table.Len()))
}

// Flush deletes every key of this database.
func (db *DB) Flush(now int64) {
	if db.sh.snap != nil {
		db.sh.snapshotFinish(db)
	}
	db.sh.touchEmptied(db.index, db, nil, now)
	db.sh.forgetTracked()
	a := db.sh.arena
	db.table.ForEach(func(h uint64) bool {
		db.sh.dropValue(a.Bytes(arena.Handle(h)))
		a.Free(arena.Handle(h))
		return true
	})
	db.table.Clear()
	db.setCounts(0, 0)
	db.fieldTTLs, db.fieldTTLsSeen, db.fcursor = false, false, 0
	db.sh.signalFlushed(db.index)
	db.sh.publishMemory()
}

// Scan visits the entries of one step of the table cursor (see
// dashtable.Table.Scan) and returns the next cursor. fn must not write.
func (db *DB) Scan(cursor uint64, fn func(h Handle)) uint64 {
	return db.table.Scan(cursor, func(h uint64) { fn(Handle(h)) })
}

// ForEach visits every entry; fn must not write. Return false to stop.
func (db *DB) ForEach(fn func(h Handle) bool) {
	db.table.ForEach(func(h uint64) bool { return fn(Handle(h)) })
}

// Random returns a random entry, or false when the database is empty.
func (db *DB) Random(r uint64) (Handle, bool) {
	h, ok := db.table.Random(r)
	return Handle(h), ok
}

// IsExpired reports whether h is past its TTL at now.
func (db *DB) IsExpired(h Handle, now int64) bool {
	exp := db.ExpireAt(h)
	return exp != 0 && exp <= now
}

// ExpireIfNeeded deletes h when it is past its TTL; reports whether it
// was past it (while the shard is frozen it is left in place). key must be
// h's key (a copy: the entry is freed).
func (db *DB) ExpireIfNeeded(key []byte, h Handle, now int64) bool {
	if !db.IsExpired(h, now) {
		return false
	}
	if db.sh.frozen.Load() {
		return true
	}
	db.deleteHandle(key, h)
	db.sh.Stats.ExpiredKeys.Add(1)
	db.sh.keyEvent(db.index, EventExpired, key)
	return true
}

// noteTTLs folds the mean TTL of one scan step's keys into avgTTL, as
// Redis's expiry cycle does after each sample: 2% the new figure, 98% the
// old one, which the first sample sets outright.
func (db *DB) noteTTLs(mean int64) {
	if db.avgTTL == 0 {
		db.avgTTL = mean
	}
	db.avgTTL = db.avgTTL/50*49 + mean/50
	db.avgTTLPub.Store(db.avgTTL)
}

// activeExpire walks part of the table and deletes expired entries. It
// looks at about 160 entries per effort unit, and goes on while more than a
// tenth of what it saw had expired, within a hard cap of scan steps; it
// stops at the end of a pass over the table. The budget counts entries, not
// scan steps (logical buckets): a small or sparse table is then walked whole
// each tick, so a key expires within about one tick, as in Redis (a budget
// of 16 steps took 3 to 5 ticks to reach a key in a one-segment table, and
// its invalidation reached tracking clients up to 470 ms late at hz 10).
func (db *DB) activeExpire(now int64, effort int) {
	budget := 160 * effort
	maxSteps := 1024 * effort
	seen, expired := 0, 0
	for i := 0; i < maxSteps; i++ {
		db.victims = db.victims[:0]
		var ttlSum, ttlSamples int64
		db.cursor = db.table.Scan(db.cursor, func(h uint64) {
			seen++
			exp := db.ExpireAt(Handle(h))
			if exp != 0 && exp <= now {
				db.victims = append(db.victims, Handle(h))
			} else if exp != 0 {
				ttlSum += exp - now
				ttlSamples++
			}
		})
		if ttlSamples > 0 {
			db.noteTTLs(ttlSum / ttlSamples)
		}
		for _, h := range db.victims {
			key := db.Key(h)
			db.sh.Scratch = append(db.sh.Scratch[:0], key...)
			if _, ok := db.find(db.sh.Scratch); ok {
				db.deleteHandle(db.sh.Scratch, h)
				db.sh.Stats.ExpiredKeys.Add(1)
				db.sh.keyEvent(db.index, EventExpired, db.sh.Scratch)
				expired++
			}
		}
		if db.expires == 0 || db.cursor == 0 {
			return
		}
		if seen >= budget && expired*10 < seen {
			return
		}
	}
}
