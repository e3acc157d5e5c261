package shard

import (
	"encoding/binary"

	"github.com/anaxdb/anax/dashtable"
	"github.com/anaxdb/anax/shard/arena"
)

// Fork-less snapshots, the shard's half. A snapshot of a shard holds every
// entry of every database as it was at StartSnapshot, whatever runs after:
// the walker (SnapshotStep) hands the tables' buckets to the sink a few at
// a time between other tasks, and every write hands its key's bucket over
// first (dashtable's hooks; snapshot.go there). The shard knows no RDB
// bytes: the sink (package snapshot) serialises what it is handed.
//
// What reaches the hooks: every change of a value in place goes through
// the write hook, touch (watch.go), which hands the key's bucket over;
// inserts, deletes, moves and table splits go through the table's own
// hooks. Emptying a database (FLUSHDB, FLUSHALL, SWAPDB, which replace or
// clear tables wholesale) first hands over everything of it the walker
// has not reached (snapshotFinish).

// SnapshotSink receives the entries of a snapshot on the owner goroutine:
// entry h of db, which was database index at the snapshot's start. It
// must only read (handle-based accessors: Key, Type, Value, ExpireAt,
// ListNodes, HashEachTTL, SetEach, OpenZSet(nil, h), MCFlags...), never
// look keys up, write, or use the shard's Scratch.
type SnapshotSink func(index int, db *DB, h Handle)

// snapState is a running snapshot of the shard.
type snapState struct {
	sink SnapshotSink
	dbs  []*DB // the databases by their index at the start
	done []bool
	// The walker's position: database, segment, physical bucket.
	db, seg, b int
	match      keyMatcher
	// holds[db][key] finishes the serialisation of a big entry the sink
	// takes in pieces (SnapshotHold), before anything changes it.
	holds map[*DB]map[string]func()
}

// StartSnapshot begins a snapshot of every database: from now on each
// entry as it is now reaches sink exactly once, through the walker or
// through a write that would change it. Owner only; no snapshot may be
// running.
func (s *Shard) StartSnapshot(sink SnapshotSink) {
	if s.snap != nil {
		panic("BUG: shard: a snapshot is already running")
	}
	sn := &snapState{sink: sink, dbs: append([]*DB(nil), s.dbs...), done: make([]bool, len(s.dbs))}
	sn.match.a = s.arena
	s.snap = sn
	for i, db := range sn.dbs {
		i, db := i, db
		db.table.StartSnapshot(func(seg, b int) {
			db.table.VisitBucket(seg, b, func(h uint64) { sn.sink(i, db, Handle(h)) })
		})
	}
}

// Snapshotting reports whether a snapshot is running. Owner only.
func (s *Shard) Snapshotting() bool { return s.snap != nil }

// SnapshotStep walks the tables, handing over buckets not handed over yet,
// while more returns true (asked before each bucket), and reports whether
// the snapshot is complete (every bucket handed over, no hold left); it
// then has ended. Owner only.
func (s *Shard) SnapshotStep(more func() bool) bool {
	sn := s.snap
	if sn == nil {
		return true
	}
	for {
		if sn.db >= len(sn.dbs) {
			if len(sn.holds) != 0 {
				return false // big entries still being serialised
			}
			s.snap = nil
			return true
		}
		if sn.done[sn.db] {
			sn.db, sn.seg, sn.b = sn.db+1, 0, 0
			continue
		}
		if !more() {
			return false
		}
		t := sn.dbs[sn.db].table
		if sn.seg >= t.SegmentCount() {
			t.SnapshotBucket(-1, 0)
			t.EndSnapshot()
			sn.done[sn.db] = true
			continue
		}
		t.SnapshotBucket(sn.seg, sn.b)
		if sn.b++; sn.b == dashBuckets {
			sn.seg, sn.b = sn.seg+1, 0
		}
	}
}

// AbortSnapshot ends a running snapshot at once (its file failed). Owner
// only.
func (s *Shard) AbortSnapshot() {
	if s.snap == nil {
		return
	}
	for _, db := range s.snap.dbs {
		db.table.EndSnapshot()
	}
	s.snap = nil
}

// SnapshotHold tells the shard that the sink has taken entry key of db
// in pieces (a big collection, serialised across several steps): until
// SnapshotRelease, anything that would change the entry, delete it, or
// empty or swap db first calls finish, which must complete the entry's
// serialisation at once. Owner only, while a snapshot runs.
func (s *Shard) SnapshotHold(db *DB, key []byte, finish func()) {
	sn := s.snap
	if sn.holds == nil {
		sn.holds = make(map[*DB]map[string]func())
	}
	m := sn.holds[db]
	if m == nil {
		m = make(map[string]func())
		sn.holds[db] = m
	}
	m[string(key)] = finish
}

// SnapshotRelease ends a hold of SnapshotHold: the entry is complete.
func (s *Shard) SnapshotRelease(db *DB, key []byte) {
	sn := s.snap
	if sn == nil || sn.holds[db] == nil {
		return
	}
	delete(sn.holds[db], string(key))
	if len(sn.holds[db]) == 0 {
		delete(sn.holds, db)
	}
}

// SnapshotHolds reports whether the running snapshot holds key of db
// (SnapshotHold): a write to it now completes its record first. Owner
// only.
func (s *Shard) SnapshotHolds(db *DB, key []byte) bool {
	if s.snap == nil {
		return false
	}
	_, ok := s.snap.holds[db][string(key)]
	return ok
}

// finishHolds completes the held entries of db (every one when key is
// nil, else key's).
func (s *Shard) finishHolds(db *DB, key []byte) {
	sn := s.snap
	m := sn.holds[db]
	if m == nil {
		return
	}
	if key != nil {
		if fn, ok := m[string(key)]; ok {
			fn()
			s.SnapshotRelease(db, key)
		}
		return
	}
	for k, fn := range m {
		fn()
		s.SnapshotRelease(db, []byte(k))
	}
}

// snapshotKey hands over the bucket of key before its value changes in
// place (called by the write hook).
func (db *DB) snapshotKey(key []byte) {
	sn := db.sh.snap
	if len(sn.holds) != 0 {
		db.sh.finishHolds(db, key)
	}
	sn.match.key = key
	db.table.SnapshotEntry(Hash(key), &sn.match)
	sn.match.key = nil
}

// snapshotFinish hands over everything of db the walker has not reached,
// before db's table is cleared or db changes index (FLUSHDB, FLUSHALL,
// SWAPDB), and takes db off the walk.
func (s *Shard) snapshotFinish(db *DB) {
	sn := s.snap
	if len(sn.holds) != 0 {
		s.finishHolds(db, nil)
	}
	for i, d := range sn.dbs {
		if d != db || sn.done[i] {
			continue
		}
		t := db.table
		for seg := 0; seg < t.SegmentCount(); seg++ {
			for b := range dashBuckets {
				t.SnapshotBucket(seg, b)
			}
		}
		t.SnapshotBucket(-1, 0)
		t.EndSnapshot()
		sn.done[i] = true
	}
}

// snapshotFinishAll is snapshotFinish of every database.
func (s *Shard) snapshotFinishAll() {
	for _, db := range s.dbs {
		s.snapshotFinish(db)
	}
}

// MCFlags returns the Memcached client flags of the string entry h, and
// whether it is a Memcached item at all.
func (db *DB) MCFlags(h Handle) (uint32, bool) {
	if db.Type(h) != TypeString {
		return 0, false
	}
	b := db.sh.arena.Bytes(h)
	off, ok := trailerOff(b)
	if !ok {
		return 0, false
	}
	return binary.LittleEndian.Uint32(b[off:]), true
}

// HashEachTTL calls fn with every field of the hash h, its value and its
// expiry (absolute Unix ms, 0: none), dead fields included, until fn
// returns false. fn must not write.
func (db *DB) HashEachTTL(h Handle, fn func(field, value []byte, expireAt int64) bool) {
	ht := db.hashOf(h)
	if ht == nil {
		db.HashEach(h, 0, func(f, v []byte) bool { return fn(f, v, 0) })
		return
	}
	a := db.sh.arena
	ht.t.ForEach(func(c uint64) bool {
		f, v, exp := cellParts(a.Bytes(arena.Handle(c)))
		return fn(f, v, exp)
	})
}

// dashBuckets is the number of physical buckets of a table segment.
const dashBuckets = dashtable.BucketsPerSegment
