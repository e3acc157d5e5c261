package shard

import "sync/atomic"

// WATCH support: a shard keeps, per database index, the watchers of each
// watched key, and every change to a watched key marks its watchers dirty.
// Watchers stay with the database index when SWAPDB exchanges the DB
// values, as Redis's watched_keys dict belongs to the numbered database.

// Watcher is one client's WATCH session. Shards set Dirty; the client reads
// it at EXEC.
type Watcher struct {
	Dirty atomic.Bool
}

// watchEntry is one watcher of one key. stale records that the key existed
// but had already expired when it was watched: its deletion is then no
// logical change (Redis's watchedKey.expired).
type watchEntry struct {
	w     *Watcher
	stale bool
}

// Watch registers w on key in database db. Owner only.
func (s *Shard) Watch(db int, key []byte, w *Watcher, now int64) {
	if s.watched == nil {
		s.watched = make([]map[string][]*watchEntry, len(s.dbs))
	}
	if s.watched[db] == nil {
		s.watched[db] = make(map[string][]*watchEntry)
	}
	m := s.watched[db]
	for _, e := range m[string(key)] {
		if e.w == w {
			return
		}
	}
	stale := false
	if h, ok := s.dbs[db].find(key); ok {
		stale = s.dbs[db].IsExpired(h, now)
	}
	if len(m[string(key)]) == 0 {
		s.watchedKeys.Add(1)
	}
	m[string(key)] = append(m[string(key)], &watchEntry{w: w, stale: stale})
	s.watching++
}

// WatchedKeys returns the number of keys with a watcher, over every
// database (INFO's total_watched_keys); any goroutine.
func (s *Shard) WatchedKeys() int64 { return s.watchedKeys.Load() }

// Unwatch removes w from key in database db. Owner only.
func (s *Shard) Unwatch(db int, key []byte, w *Watcher) {
	if s.watched == nil || s.watched[db] == nil {
		return
	}
	m := s.watched[db]
	list, ok := m[string(key)]
	if !ok {
		return
	}
	for i, e := range list {
		if e.w == w {
			list = append(list[:i], list[i+1:]...)
			s.watching--
			break
		}
	}
	if len(list) == 0 {
		delete(m, string(key))
		s.watchedKeys.Add(-1)
	} else {
		m[string(key)] = list
	}
}

// CheckWatchExpired marks w dirty if key, live when watched, has expired
// since (Redis's isWatchedKeyExpired at EXEC). Owner only.
func (s *Shard) CheckWatchExpired(db int, key []byte, w *Watcher, now int64) {
	if s.watched == nil || s.watched[db] == nil {
		return
	}
	for _, e := range s.watched[db][string(key)] {
		if e.w != w || e.stale {
			continue
		}
		if h, ok := s.dbs[db].find(key); ok && s.dbs[db].IsExpired(h, now) {
			w.Dirty.Store(true)
		}
	}
}

// written is the write hook of typed values: every change to key's value,
// in place or not, calls it before the change. It is where WATCH and
// blocked clients (block.go) hear of writes, so no write path can forget
// one of them.
func (db *DB) written(key []byte) {
	if db.sh.listening() {
		db.touch(key, false)
	}
}

// touch reports a change to key: a key with blocked clients becomes ready,
// and every watcher becomes dirty, except that
// deleting a key that was stale when watched changes nothing logically.
func (db *DB) touch(key []byte, deleted bool) {
	s := db.sh
	if s.snap != nil {
		db.snapshotKey(key)
	}
	if s.blockedKeys != 0 {
		db.signalWaiters(key, deleted)
	}
	db.modified(key, deleted)
}

// modified is the part of touch that Redis's signalModifiedKey does:
// tracking clients are told and watchers become dirty. Commands that
// change a value without calling signalModifiedKey in Redis (a stream's
// consumer groups, XSETID) skip it (Stream.Edited).
func (db *DB) modified(key []byte, deleted bool) {
	s := db.sh
	if s.trackListen != 0 || s.bcast.Load() {
		db.invalidate(key)
	}
	if s.watching == 0 || s.watched[db.index] == nil {
		return
	}
	for _, e := range s.watched[db.index][string(key)] {
		if e.stale && deleted {
			e.stale = false
			continue
		}
		e.w.Dirty.Store(true)
	}
}

// touchEmptied reports that database index idx lost its content (emptied)
// and received replaced (nil when flushed), as Redis's
// touchAllWatchedKeysInDb does.
func (s *Shard) touchEmptied(idx int, emptied, replaced *DB, now int64) {
	if s.watching == 0 || s.watched[idx] == nil {
		return
	}
	for k, list := range s.watched[idx] {
		key := []byte(k)
		_, inEmptied := emptied.find(key)
		inReplaced, replacedExpired := false, false
		if replaced != nil {
			if h, ok := replaced.find(key); ok {
				inReplaced, replacedExpired = true, replaced.IsExpired(h, now)
			}
		}
		if !inEmptied && !inReplaced {
			continue
		}
		for _, e := range list {
			switch {
			case e.stale && !inReplaced:
				e.stale = false
				continue
			case e.stale && replacedExpired:
				continue
			case !e.stale && !inEmptied && replacedExpired:
				e.stale = true
				continue
			}
			e.w.Dirty.Store(true)
		}
	}
}
