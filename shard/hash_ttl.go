package shard

import (
	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/shard/arena"
)

// Hash field expiry (Redis 7.4's HEXPIRE family, KeyDB's EXPIREMEMBER).
//
// Storage. A field's expiry lives in its own cell of a big hash: the ttl
// bit of the cell header and 8 bytes of absolute Unix ms (hash.go). A
// small (listpack) hash has no room for one, so the first field TTL set on
// it converts it to a table (Redis 7.4 keeps it small as "listpackex";
// docs/compat.md). The hashTable object counts its cells with an expiry
// and keeps a lower bound of their expiries.
//
// Death. A field is dead once its expiry is in the past (expireAt < now,
// Redis's rule for reads); setting an expiry at or before now deletes the
// field at once. A dead field is invisible to every read. It is reclaimed:
//
//   - lazily: a command that looks the field up by name (HGET, HMGET,
//     HEXISTS, HSTRLEN, HINCRBY, HSETNX, HEXPIRE...) deletes it on the way
//     (HashReap), and HRANDFIELD first deletes every dead field of its hash,
//     as Redis does; listing commands (HGETALL, HKEYS, HVALS, HSCAN) skip
//     dead fields without deleting them, and HLEN counts them until they
//     are reclaimed, as Redis 7.4's HLEN does;
//   - actively: Tick runs sweepFields on every database whose fieldTTLs
//     flag is set. It walks the keyspace with its own table cursor (the
//     same SCAN the key-expiry sweep uses), recognises a big hash by the
//     entry's type and encoding bytes and asks its object whether it holds
//     fields with an expiry and whether the earliest may have passed; such
//     a hash has its fields walked with a cursor kept in the object, a
//     bounded number of cells per tick. No Go pointer is kept per key or
//     per field: the flag is one bool per database, the rest lives in the
//     one object a big hash already has. The flag is set whenever a field
//     TTL is set or a hash with field TTLs arrives in the database (COPY,
//     RENAME, MOVE, across shards too) and cleared when a whole pass over
//     the keyspace met no such hash, so a database without field TTLs costs
//     the sweep nothing. The price is that finding a few such hashes among
//     many keys takes a pass over the keyspace, bounded per tick as the key
//     sweep is; reads never see a dead field meanwhile.
//
// A hash whose last field is reclaimed loses its key; every deletion goes
// through the write hook (DB.written), so WATCH sees it.
//
// The flag and the sweep serve the member expiries of sets and sorted sets
// too (member_ttl.go): fieldTTLs is set when a member TTL is set or such a
// set arrives, and the walk meets those sets as it meets big hashes.

// Conditions of HEXPIRE and its kin, as Redis's ExpireSetCond.
const (
	ExpireNX = 1 << iota // only fields without an expiry
	ExpireXX             // only fields with one
	ExpireGT             // only a later expiry (no expiry counts as infinite)
	ExpireLT             // only an earlier expiry (no expiry counts as infinite)
)

// Per-field replies of HEXPIRE and its kin (Redis's SetExRes and
// GetExpireTimeRes).
const (
	FieldNone      = -2 // no such field (or key)
	FieldNoTTL     = -1 // the field has no expiry
	FieldNotMet    = 0  // the NX/XX/GT/LT condition was not met
	FieldSet       = 1  // expiry set (or, for HPERSIST, removed)
	FieldDeletedAt = 2  // deleted: the expiry was not in the future
)

// markFieldTTLs records that the database holds a hash with field
// expiries, so the sweep runs (and its current pass cannot conclude that
// there is none).
func (db *DB) markFieldTTLs() {
	db.fieldTTLs = true
	db.fieldTTLsSeen = true
}

// fieldDead reports whether a field with expiry exp (0 = none) is dead at
// now.
func fieldDead(exp, now int64) bool { return exp != 0 && exp < now }

// noteExpire records a new expiry exp in the hash's lower bounds.
func (ht *hashTable) noteExpire(exp int64) {
	if ht.minExp == 0 || exp < ht.minExp {
		ht.minExp = exp
	}
	if ht.sweepMin == 0 || exp < ht.sweepMin {
		ht.sweepMin = exp
	}
}

// dropTTL records that a cell with an expiry lost it or went away.
func (ht *hashTable) dropTTL() {
	ht.ttls--
	if ht.ttls == 0 {
		ht.minExp, ht.sweepMin = 0, 0
	}
}

// setExpire gives the field of cell oh the expiry exp (0 removes it),
// rewriting the cell in place when the size class allows, else moving the
// field to a new cell.
func (ht *hashTable) setExpire(oh arena.Handle, exp int64) {
	c := ht.a.Bytes(oh)
	f, v, had := cellParts(c)
	if arena.CellSize(cellSize(f, v, exp)) == ht.a.Size(oh) {
		ht.tmp = append(ht.tmp[:0], v...) // v lies in the cell being rewritten
		rewriteValue(c, ht.tmp, exp)
		switch {
		case had == 0 && exp != 0:
			ht.ttls++
			ht.noteExpire(exp)
		case had != 0 && exp == 0:
			ht.dropTTL()
		case exp != 0:
			ht.noteExpire(exp)
		}
		return
	}
	// The new cell is written before the old one is freed, so f and v
	// (in the old cell) stay valid, and the table's matcher reads f.
	nh := ht.newCell(f, v, exp)
	ht.want = f
	ht.t.Update(Hash(f), ht, uint64(nh))
	ht.want = nil
	ht.freeCell(oh)
}

// fieldCell finds field in a big hash and its expiry.
func (ht *hashTable) fieldCell(field []byte) (arena.Handle, int64, bool) {
	c, ok := ht.find(field)
	if !ok {
		return 0, 0, false
	}
	return c, cellExpire(ht.a.Bytes(c)), true
}

// HashReap deletes field from the hash under key (entry h) when it is
// dead at now (lazy expiry) and reports whether that emptied the hash,
// whose key is then gone too.
func (db *DB) HashReap(key []byte, h Handle, field []byte, now int64) (keyGone bool) {
	_, keyGone = db.hashReap(key, h, field, now, true)
	return keyGone
}

// HashReapQuiet is HashReap without the keyspace events, for a command
// that reports the expiry of several fields at once (NoteFieldsExpired);
// reaped says whether field was dead and is deleted.
func (db *DB) HashReapQuiet(key []byte, h Handle, field []byte, now int64) (reaped, keyGone bool) {
	return db.hashReap(key, h, field, now, false)
}

func (db *DB) hashReap(key []byte, h Handle, field []byte, now int64, notify bool) (reaped, keyGone bool) {
	ht := db.hashOf(h)
	if ht == nil || ht.ttls == 0 || ht.minExp >= now {
		return false, false
	}
	if _, exp, ok := ht.fieldCell(field); !ok || !fieldDead(exp, now) {
		return false, false
	}
	db.written(key)
	ht.del(field)
	db.sh.Stats.ExpiredFields.Add(1)
	if notify {
		db.sh.keyEvent(db.index, EventFieldExpired, key)
	}
	if ht.t.Len() == 0 {
		db.Delete(key)
		if notify {
			db.sh.keyEvent(db.index, EventEmptied, key)
		}
		return true, true
	}
	return true, false
}

// NoteFieldsExpired publishes the keyspace events of quiet reaps
// (HashReapQuiet) as Redis 7.4's HMGET does: one "hexpired", then "del"
// when the hash is emptied.
func (db *DB) NoteFieldsExpired(key []byte, emptied bool) {
	db.sh.keyEvent(db.index, EventFieldExpired, key)
	if emptied {
		db.sh.keyEvent(db.index, EventEmptied, key)
	}
}

// HashReapAll deletes every field of the hash under key (entry h) that is
// dead at now, as Redis does before HRANDFIELD, and reports whether that
// emptied the hash, whose key is then gone too.
func (db *DB) HashReapAll(key []byte, h Handle, now int64) (keyGone bool) {
	ht := db.hashOf(h)
	if ht == nil || ht.ttls == 0 || ht.minExp >= now {
		return false
	}
	var dead []uint64
	ht.t.ForEach(func(c uint64) bool {
		if fieldDead(cellExpire(db.sh.arena.Bytes(arena.Handle(c))), now) {
			dead = append(dead, c)
		}
		return true
	})
	return db.reapCells(key, ht, dead)
}

// reapCells deletes the (dead) field cells cells of the hash ht under key
// and reports whether that emptied the hash, whose key is then gone too.
func (db *DB) reapCells(key []byte, ht *hashTable, cells []uint64) (keyGone bool) {
	if len(cells) == 0 {
		return false
	}
	db.written(key)
	for _, c := range cells {
		f, _ := cellPair(db.sh.arena.Bytes(arena.Handle(c)))
		ht.del(f)
	}
	db.sh.Stats.ExpiredFields.Add(int64(len(cells)))
	db.sh.keyEvent(db.index, EventFieldExpired, key)
	if ht.t.Len() == 0 {
		db.Delete(key)
		db.sh.keyEvent(db.index, EventEmptied, key)
		return true
	}
	return false
}

// HashLiveLen returns the number of fields alive at now (HGETALL's count;
// HLEN counts dead fields not yet reclaimed, as Redis does).
func (db *DB) HashLiveLen(h Handle, now int64) int {
	ht := db.hashOf(h)
	if ht == nil {
		return db.HashLen(h)
	}
	n := ht.t.Len()
	if ht.ttls == 0 || ht.minExp >= now {
		return n
	}
	ht.t.ForEach(func(c uint64) bool {
		if fieldDead(cellExpire(db.sh.arena.Bytes(arena.Handle(c))), now) {
			n--
		}
		return true
	})
	return n
}

// HashHasFieldTTL reports whether some field of the hash h has an expiry.
func (db *DB) HashHasFieldTTL(h Handle) bool {
	ht := db.hashOf(h)
	return ht != nil && ht.ttls > 0
}

// HashFieldExpire returns the expiry of field in the hash h (Unix ms),
// FieldNoTTL when it has none, FieldNone when it is absent or dead at now.
func (db *DB) HashFieldExpire(h Handle, field []byte, now int64) int64 {
	ht := db.hashOf(h)
	if ht == nil {
		lp := listpack.FromBytes(db.Value(h))
		if lp.Find(lp.First(), field, 1) < 0 {
			return FieldNone
		}
		return FieldNoTTL
	}
	_, exp, ok := ht.fieldCell(field)
	switch {
	case !ok || fieldDead(exp, now):
		return FieldNone
	case exp == 0:
		return FieldNoTTL
	}
	return exp
}

// HashExpire gives each of fields of the hash under key (entry h) the
// expiry at (absolute Unix ms) under the condition cond (Expire* bits, 0
// for none), as Redis 7.4's hashTypeSetEx, and calls reply with each
// field's outcome: FieldNone, FieldNotMet, FieldSet, or FieldDeletedAt when
// at is not after now (the field is deleted). A dead field is reclaimed and
// answers FieldNone. A hash left empty loses its key; the fields after that
// answer FieldNone. The write hook runs before the first change.
func (db *DB) HashExpire(key []byte, h Handle, fields [][]byte, at int64, cond int, now int64, reply func(int64)) {
	wrote, gone := false, false
	for _, f := range fields {
		if gone {
			reply(FieldNone)
			continue
		}
		if db.hashOf(h) == nil {
			// A listpack: no field has an expiry.
			lp := listpack.FromBytes(db.Value(h))
			if lp.Find(lp.First(), f, 1) < 0 {
				reply(FieldNone)
				continue
			}
			if cond&(ExpireXX|ExpireGT) != 0 {
				reply(FieldNotMet)
				continue
			}
			if !wrote {
				db.written(key)
				wrote = true
			}
			if at <= now {
				// Deleting may move the entry or remove the key.
				db.HashDelete(key, h, [][]byte{f})
				var left bool
				h, left = db.find(key)
				gone = !left
				reply(FieldDeletedAt)
				continue
			}
			h = db.hashToTable(key, h)
		}
		ht := db.hashOf(h)
		c, prev, ok := ht.fieldCell(f)
		if ok && fieldDead(prev, now) {
			gone = db.HashReap(key, h, f, now)
			ok = false
		}
		if !ok {
			reply(FieldNone)
			continue
		}
		if prev == 0 {
			if cond&(ExpireXX|ExpireGT) != 0 {
				reply(FieldNotMet)
				continue
			}
		} else if cond&ExpireNX != 0 || (cond&ExpireGT != 0 && prev >= at) || (cond&ExpireLT != 0 && prev <= at) {
			reply(FieldNotMet)
			continue
		}
		if !wrote {
			db.written(key)
			wrote = true
		}
		if at <= now {
			ht.del(f)
			if ht.t.Len() == 0 {
				db.Delete(key)
				gone = true
			}
			reply(FieldDeletedAt)
			continue
		}
		ht.setExpire(c, at)
		db.markFieldTTLs()
		reply(FieldSet)
	}
}

// HashPersist removes the expiry of each of fields of the hash under key
// (entry h) and calls reply with each outcome: FieldNone (absent or dead
// at now), FieldNoTTL, or FieldSet (removed). The write hook runs before
// the first change.
func (db *DB) HashPersist(key []byte, h Handle, fields [][]byte, now int64, reply func(int64)) {
	ht := db.hashOf(h)
	wrote := false
	for _, f := range fields {
		exp := db.HashFieldExpire(h, f, now)
		if exp < 0 {
			reply(exp)
			continue
		}
		if !wrote {
			db.written(key)
			wrote = true
		}
		c, _ := ht.find(f)
		ht.setExpire(c, 0)
		reply(FieldSet)
	}
}

// fieldSweepCells bounds the field cells one tick's sweep of a database
// looks at per effort unit, over all its hashes.
const fieldSweepCells = 2048

// sweepFields is the active half of field expiry (see the file comment):
// it walks part of the keyspace with its own cursor and reclaims dead
// fields of the big hashes it meets, looking at most fieldSweepCells cells
// per effort unit and 16 table steps per effort unit, keeping on while
// more than a tenth of the cells it looked at were dead, within a cap.
func (db *DB) sweepFields(now int64, effort int) {
	steps, maxSteps := 16*effort, 1024*effort
	budget := fieldSweepCells * effort
	seen, dead := 0, 0
	for i := 0; i < maxSteps && budget > 0; i++ {
		db.victims = db.victims[:0]
		db.fcursor = db.fieldsCursorStep(db.fcursor, now)
		for _, h := range db.victims {
			key := db.Key(h)
			db.sh.Scratch = append(db.sh.Scratch[:0], key...)
			if db.Type(h) != TypeHash {
				// A set or sorted set: its due members, in expiry
				// order (member_ttl.go).
				if budget > 0 {
					n, _ := db.reapMembers(db.sh.Scratch, h, now, budget)
					budget -= n
					seen += n
					dead += n
				}
				continue
			}
			s, d := db.sweepHash(db.sh.Scratch, h, now, &budget)
			seen += s
			dead += d
		}
		if db.fcursor == 0 {
			// A whole pass is over: forget the flag if nothing was left.
			if !db.fieldTTLsSeen {
				db.fieldTTLs = false
				return
			}
			db.fieldTTLsSeen = false
			if i+1 >= steps {
				return
			}
		}
		if i+1 >= steps && (seen == 0 || dead*10 < seen) {
			return
		}
	}
}

// fieldsCursorStep makes one table step of the field sweep from cursor,
// noting in db.victims the big hashes with field expiries, and the big
// sets and sorted sets with member expiries (member_ttl.go), of which some
// may be dead at now, and returns the next cursor.
func (db *DB) fieldsCursorStep(cursor uint64, now int64) uint64 {
	return db.table.Scan(cursor, func(hv uint64) {
		b := db.sh.arena.Bytes(Handle(hv))
		if m := db.memberTTLsOf(b); m != nil {
			db.fieldTTLsSeen = true
			if m.due(now) {
				db.victims = append(db.victims, Handle(hv))
			}
			return
		}
		if entryType(b) != TypeHash || b[offEnc] != EncHashtable {
			return
		}
		ht := db.sh.objs.get(objectID(b)).(*hashTable)
		if ht.ttls == 0 {
			return
		}
		db.fieldTTLsSeen = true
		if ht.minExp < now {
			db.victims = append(db.victims, Handle(hv))
		}
	})
}

// sweepHash reclaims dead fields of the big hash h under key, continuing
// the hash's own field cursor, until the pass over its fields ends or
// *budget cells were looked at. It returns the cells looked at and the
// dead ones among them.
func (db *DB) sweepHash(key []byte, h Handle, now int64, budget *int) (seen, dead int) {
	ht := db.hashOf(h)
	a := db.sh.arena
	cells := db.sh.fieldCells[:0]
	ran := false
	for *budget > 0 {
		ran = true
		ht.sweepAt = ht.t.Scan(ht.sweepAt, func(c uint64) {
			seen++
			*budget--
			if exp := cellExpire(a.Bytes(arena.Handle(c))); fieldDead(exp, now) {
				cells = append(cells, c)
			} else if exp != 0 && (ht.sweepMin == 0 || exp < ht.sweepMin) {
				ht.sweepMin = exp
			}
		})
		if ht.sweepAt == 0 {
			break
		}
	}
	db.sh.fieldCells = cells[:0]
	passOver := ran && ht.sweepAt == 0
	dead = len(cells)
	if db.reapCells(key, ht, cells) {
		return seen, dead
	}
	if passOver {
		// Every live expiry was seen in this pass (or noted by a write
		// since it began): the smallest is the new bound.
		ht.minExp, ht.sweepMin = ht.sweepMin, 0
	}
	return seen, dead
}
