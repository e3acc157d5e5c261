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

const headerSize = 24

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

	match   keyMatcher
	cursor  uint64 // active-expiry scan position
	victims []Handle

	// The field-expiry sweep (hash_ttl.go): fieldTTLs says the database may
	// hold hashes with field expiries; fcursor is the sweep's table cursor
	// and fieldTTLsSeen whether its current pass met such a hash.
	fieldTTLs     bool
	fieldTTLsSeen bool
	fcursor       uint64
}

type keyMatcher struct {
	a   *arena.Arena
	key []byte
}

func (m *keyMatcher) Match(h uint64) bool {
	b := m.a.Bytes(arena.Handle(h))
	kl := binary.LittleEndian.Uint32(b)
	return int(kl) == len(m.key) && string(b[headerSize:headerSize+kl]) == string(m.key)
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
	kl := binary.LittleEndian.Uint32(b)
	return b[headerSize : headerSize+kl]
}

func (db *DB) setCounts(keys, expires int) {
	db.expires = expires
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
	NoTouch = 1 << iota // keep the access time (OBJECT IDLETIME) as it was
	NoStats             // do not count a hit or a miss
)

// Lookup returns the live entry for key: an expired entry is deleted on the
// way (lazy expiry) and reported missing. now is Unix milliseconds.
func (db *DB) Lookup(key []byte, now int64, flags int) (Handle, bool) {
	h, ok := db.find(key)
	if ok {
		b := db.sh.arena.Bytes(h)
		if exp := int64(binary.LittleEndian.Uint64(b[8:])); exp != 0 && exp <= now {
			db.deleteHandle(key, h)
			db.sh.Stats.ExpiredKeys.Add(1)
			ok = false
		} else if flags&NoTouch == 0 {
			binary.LittleEndian.PutUint32(b[16:], uint32(now/1000))
		}
	}
	if flags&NoStats == 0 {
		if ok {
			db.sh.Stats.Hits.Add(1)
		} else {
			db.sh.Stats.Misses.Add(1)
		}
	}
	return h, ok
}

// Key returns the key bytes of h (valid until the next write).
func (db *DB) Key(h Handle) []byte { return keyBytes(db.sh.arena.Bytes(h)) }

// Value returns the value bytes of a string entry (valid until the next write).
func (db *DB) Value(h Handle) []byte {
	b := db.sh.arena.Bytes(h)
	kl := binary.LittleEndian.Uint32(b)
	vl := binary.LittleEndian.Uint32(b[4:])
	return b[headerSize+kl : headerSize+kl+vl]
}

// Type returns the entry's value type.
func (db *DB) Type(h Handle) byte { return db.sh.arena.Bytes(h)[20] }

// Encoding returns the entry's encoding flag.
func (db *DB) Encoding(h Handle) byte { return db.sh.arena.Bytes(h)[21] }

// ExpireAt returns the absolute expiry in Unix ms, 0 when none.
func (db *DB) ExpireAt(h Handle) int64 {
	return int64(binary.LittleEndian.Uint64(db.sh.arena.Bytes(h)[8:]))
}

// AccessTime returns the last access time in Unix seconds.
func (db *DB) AccessTime(h Handle) int64 {
	return int64(binary.LittleEndian.Uint32(db.sh.arena.Bytes(h)[16:]))
}

// Freq returns the LFU counter.
func (db *DB) Freq(h Handle) byte { return db.sh.arena.Bytes(h)[22] }

// SizeOf returns the bytes the entry takes in the arena plus its table
// slot, and, for a big value, the bytes the value holds (MEMORY USAGE).
func (db *DB) SizeOf(h Handle) int { return db.sh.arena.Size(h) + 16 + db.ValueMemory(h) }

// SetExpireAt changes the TTL of an existing entry; 0 removes it.
func (db *DB) SetExpireAt(h Handle, at int64) {
	b := db.sh.arena.Bytes(h)
	old := int64(binary.LittleEndian.Uint64(b[8:]))
	if db.sh.listening() && old != at {
		db.touch(keyBytes(b), false)
	}
	binary.LittleEndian.PutUint64(b[8:], uint64(at))
	switch {
	case old == 0 && at != 0:
		db.expires++
	case old != 0 && at == 0:
		db.expires--
	}
	db.expiresPub.Store(int64(db.expires))
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
	need := headerSize + len(key) + len(val)
	if exists {
		oh := Handle(old)
		ob := db.sh.arena.Bytes(oh)
		oldExp := int64(binary.LittleEndian.Uint64(ob[8:]))
		if keepTTL {
			expireAt = oldExp
		}
		db.sh.dropValue(ob)
		if need <= len(ob) {
			db.match.key = nil
			db.fill(ob, key, val, expireAt, enc, now, false)
			db.adjustExpires(oldExp, expireAt)
			return
		}
		nh, nb := db.sh.arena.Alloc(need)
		nb[22] = ob[22]
		db.fill(nb, key, val, expireAt, enc, now, false)
		db.table.Update(hash, &db.match, uint64(nh))
		db.match.key = nil
		db.sh.arena.Free(oh)
		db.adjustExpires(oldExp, expireAt)
		return
	}
	db.match.key = nil
	nh, nb := db.sh.arena.Alloc(need)
	db.fill(nb, key, val, expireAt, enc, now, true)
	db.table.Insert(hash, uint64(nh))
	db.adjustExpires(0, expireAt)
	db.keysPub.Store(int64(db.table.Len()))
}

// SetStringAt overwrites the value of h, the entry Lookup just returned for
// key, with the string val, keeping its TTL, when val fits in h's
// allocation; otherwise it changes nothing and reports false, and the caller
// uses SetString. It spares a read-modify-write such as INCR a second table
// lookup. h must still be key's entry: nothing may have run on the shard
// since the Lookup.
func (db *DB) SetStringAt(h Handle, key, val []byte, enc byte, now int64) bool {
	b := db.sh.arena.Bytes(h)
	if headerSize+len(key)+len(val) > len(b) {
		return false
	}
	if db.sh.listening() {
		db.touch(key, false)
	}
	db.fill(b, key, val, int64(binary.LittleEndian.Uint64(b[8:])), enc, now, false)
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
	binary.LittleEndian.PutUint32(b[0:], uint32(len(key)))
	binary.LittleEndian.PutUint32(b[4:], uint32(len(val)))
	binary.LittleEndian.PutUint64(b[8:], uint64(expireAt))
	binary.LittleEndian.PutUint32(b[16:], uint32(now/1000))
	b[20] = TypeString
	b[21] = enc
	if fresh {
		b[22] = lfuInitVal
	}
	b[23] = 0
	copy(b[headerSize:], key)
	copy(b[headerSize+len(key):], val)
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
	kl := int(binary.LittleEndian.Uint32(b))
	vl := int(binary.LittleEndian.Uint32(b[4:]))
	need := headerSize + kl + n
	if need > len(b) {
		nh, nb := db.sh.arena.Alloc(need)
		nb = nb[:cap(nb)]
		copy(nb, b[:headerSize+kl+vl])
		db.match.key = key
		db.table.Update(Hash(key), &db.match, uint64(nh))
		db.match.key = nil
		db.sh.arena.Free(h)
		h, b = nh, nb
	}
	for i := headerSize + kl + vl; i < headerSize+kl+n; i++ {
		b[i] = 0
	}
	binary.LittleEndian.PutUint32(b[4:], uint32(n))
	return h, b[headerSize+kl : headerSize+kl+n]
}

// SetEncoding records the encoding flag.
func (db *DB) SetEncoding(h Handle, enc byte) { db.sh.arena.Bytes(h)[21] = enc }

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
	a := db.sh.arena
	db.table.ForEach(func(h uint64) bool {
		db.sh.dropValue(a.Bytes(arena.Handle(h)))
		a.Free(arena.Handle(h))
		return true
	})
	db.table.Clear()
	db.setCounts(0, 0)
	db.fieldTTLs, db.fieldTTLsSeen, db.fcursor = false, false, 0
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

// ExpireIfNeeded deletes h when it is past its TTL; reports whether it did.
// key must be h's key (a copy: the entry is freed).
func (db *DB) ExpireIfNeeded(key []byte, h Handle, now int64) bool {
	if !db.IsExpired(h, now) {
		return false
	}
	db.deleteHandle(key, h)
	db.sh.Stats.ExpiredKeys.Add(1)
	return true
}

// activeExpire walks part of the table and deletes expired entries. It does
// a fixed number of scan steps per effort unit and keeps going while more
// than a tenth of what it saw had expired, within a hard cap.
func (db *DB) activeExpire(now int64, effort int) {
	steps := 16 * effort
	maxSteps := 1024 * effort
	seen, expired := 0, 0
	for i := 0; i < maxSteps; i++ {
		db.victims = db.victims[:0]
		db.cursor = db.table.Scan(db.cursor, func(h uint64) {
			seen++
			exp := db.ExpireAt(Handle(h))
			if exp != 0 && exp <= now {
				db.victims = append(db.victims, Handle(h))
			}
		})
		for _, h := range db.victims {
			key := db.Key(h)
			db.sh.Scratch = append(db.sh.Scratch[:0], key...)
			if _, ok := db.find(db.sh.Scratch); ok {
				db.deleteHandle(db.sh.Scratch, h)
				db.sh.Stats.ExpiredKeys.Add(1)
				expired++
			}
		}
		if db.expires == 0 {
			return
		}
		if i+1 >= steps && (seen == 0 || expired*10 < seen) {
			return
		}
		if db.cursor == 0 && i+1 >= steps {
			return
		}
	}
}
