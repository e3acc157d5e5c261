package shard

// Blocked clients (BLPOP, BLMOVE...): a shard keeps, per database index,
// the clients waiting on each of its keys in arrival order, and the write
// hook (DB.touch) marks a key with waiters ready. The server takes the
// ready keys after each command and task (NextReady) and serves their
// waiters. Like watchers, waiters stay with the database index across
// SWAPDB, as Redis's blocking_keys dict belongs to the numbered database.

// Waiter is one blocked client as a shard sees it. Waiting turns false for
// good once the client was served, timed out, was unblocked or left; a
// shard drops such a waiter the next time it walks the key's list.
type Waiter interface{ Waiting() bool }

// waitList is the waiters of one key, oldest first.
type waitList struct {
	waiters []Waiter
	ready   bool // on the shard's ready list
}

// readyKey names a key whose waiters may now be served.
type readyKey struct {
	db  int
	key string
}

// Block adds w to the waiters of key in database db. When key holds a
// value already, it is marked ready at once: the value may have come
// between the command finding nothing and w's registration (on another
// shard), and serving checks again. Owner only.
func (s *Shard) Block(db int, key []byte, w Waiter) {
	if s.blocked == nil {
		s.blocked = make([]map[string]*waitList, len(s.dbs))
	}
	if s.blocked[db] == nil {
		s.blocked[db] = make(map[string]*waitList)
	}
	l := s.blocked[db][string(key)]
	if l == nil {
		l = &waitList{}
		s.blocked[db][string(key)] = l
		s.blockedKeys++
		s.blockedKeysPub.Store(int64(s.blockedKeys))
	}
	l.waiters = append(l.waiters, w)
	if _, ok := s.dbs[db].find(key); ok {
		s.markReady(db, key, l)
	}
}

// Unblock removes w from the waiters of key in database db. Owner only.
func (s *Shard) Unblock(db int, key []byte, w Waiter) {
	if s.blocked == nil || s.blocked[db] == nil {
		return
	}
	l := s.blocked[db][string(key)]
	if l == nil {
		return
	}
	for i, x := range l.waiters {
		if x == w {
			l.waiters = append(l.waiters[:i], l.waiters[i+1:]...)
			break
		}
	}
	s.dropIfEmpty(db, key, l)
}

// Waiters returns the waiters of key in database db, oldest first, having
// dropped those no longer waiting. The slice is the shard's: valid until
// the next Block or Unblock. Owner only.
func (s *Shard) Waiters(db int, key []byte) []Waiter {
	if s.blocked == nil || s.blocked[db] == nil {
		return nil
	}
	l := s.blocked[db][string(key)]
	if l == nil {
		return nil
	}
	live := l.waiters[:0]
	for _, w := range l.waiters {
		if w.Waiting() {
			live = append(live, w)
		}
	}
	clear(l.waiters[len(live):])
	l.waiters = live
	s.dropIfEmpty(db, key, l)
	return live
}

func (s *Shard) dropIfEmpty(db int, key []byte, l *waitList) {
	if len(l.waiters) == 0 && !l.ready {
		delete(s.blocked[db], string(key))
		s.blockedKeys--
		s.blockedKeysPub.Store(int64(s.blockedKeys))
	}
}

// BlockedKeys returns the number of keys with waiters. Owner only.
func (s *Shard) BlockedKeys() int { return s.blockedKeys }

// BlockedKeysPublished is BlockedKeys for any goroutine.
func (s *Shard) BlockedKeysPublished() int64 { return s.blockedKeysPub.Load() }

// HasReady reports whether some key with waiters was written since the
// last NextReady drained them. Owner only.
func (s *Shard) HasReady() bool { return s.readyHead < len(s.ready) }

// NextReady takes the oldest ready key, copying its name into buf, and
// reports false when there is none. Owner only.
func (s *Shard) NextReady(buf []byte) (db int, key []byte, ok bool) {
	if s.readyHead == len(s.ready) {
		return 0, buf, false
	}
	r := s.ready[s.readyHead]
	s.ready[s.readyHead] = readyKey{}
	s.readyHead++
	if s.readyHead == len(s.ready) {
		s.ready, s.readyHead = s.ready[:0], 0
	}
	key = append(buf[:0], r.key...)
	if m := s.blocked[r.db]; m != nil {
		if l := m[r.key]; l != nil {
			l.ready = false
			s.dropIfEmpty(r.db, key, l)
		}
	}
	return r.db, key, true
}

// markReady puts key on the ready list once.
func (s *Shard) markReady(db int, key []byte, l *waitList) {
	if l.ready {
		return
	}
	l.ready = true
	s.ready = append(s.ready, readyKey{db: db, key: string(key)})
}

// signalWaiters is the blocking half of the write hook: a write to a key
// with waiters makes it ready, and so does deleting it: a blocked
// XREADGROUP then fails as in Redis (unblockDeletedStreamReadgroupClients),
// while the other commands find nothing and wait on.
func (db *DB) signalWaiters(key []byte, deleted bool) {
	s := db.sh
	if s.blockedKeys == 0 || s.blocked[db.index] == nil {
		return
	}
	if l := s.blocked[db.index][string(key)]; l != nil && len(l.waiters) > 0 {
		s.markReady(db.index, key, l)
	}
}

// signalSwapped marks ready every key with waiters in database idx after
// SWAPDB: a key that now holds a value may serve them, as Redis's
// scanDatabaseForReadyKeys finds, and a blocked XREADGROUP whose stream is
// gone or is no stream now fails, as its scanDatabaseForDeletedStreams
// makes it; the other waiters of a missing key find nothing and wait on.
func (s *Shard) signalSwapped(idx int) { s.signalAll(idx) }

// signalFlushed marks ready every key with waiters in database idx after
// FLUSHDB or FLUSHALL, so that a blocked XREADGROUP fails as its key was
// deleted (Redis's scanDatabaseForDeletedStreams on a flush); the other
// waiters find nothing and wait on.
func (s *Shard) signalFlushed(idx int) { s.signalAll(idx) }

func (s *Shard) signalAll(idx int) {
	if s.blockedKeys == 0 || s.blocked[idx] == nil {
		return
	}
	for k, l := range s.blocked[idx] {
		if len(l.waiters) > 0 {
			s.markReady(idx, []byte(k), l)
		}
	}
}
