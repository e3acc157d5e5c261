package shard

import (
	"bytes"
	"sync/atomic"

	"github.com/zeebo/xxh3"
)

// Client-side caching (CLIENT TRACKING): each shard remembers which clients
// read which of its keys, and a write to such a key tells the server, which
// sends the invalidations and the shard forgets the key. The table is keyed
// by name alone, not by database, as Redis's is: a key name always lives on
// the same shard.
//
// The table holds no Go pointer per key: a map from the key's 64-bit hash to
// an entry index (a map whose keys and values hold no pointer is not
// scanned by the collector), entries in one slice, the key names end to end
// in one byte arena, and the readers' client ids in linked nodes of one
// slice. Its garbage collection cost is that of four slices, whatever the
// number of keys.

// Tracker is the server's side of the table: it is called on the shard's
// goroutine, during the write that caused the call.
type Tracker interface {
	// Invalidate reports that key, read by the clients ids (valid during
	// the call only), was written; the shard has forgotten it.
	Invalidate(sh *Shard, key []byte, ids []int64)
	// Broadcast reports a write to key while broadcast tracking is on.
	Broadcast(sh *Shard, key []byte)
	// Flushed reports that a database of the shard was emptied (FLUSHDB,
	// FLUSHALL); the shard has forgotten every key.
	// keys and items are the numbers of keys and (key, client) pairs
	// forgotten.
	Flushed(sh *Shard, keys, items int)
}

type trackEntry struct {
	hash uint64
	off  uint32 // the name in keys
	klen uint32
	head int32 // first reader in ids, -1 none
	next int32 // next entry with the same hash, -1 none; the free list's link
}

type trackID struct {
	id   int64
	next int32
}

type trackTable struct {
	index    map[uint64]int32
	ents     []trackEntry
	freeEnt  int32
	ids      []trackID
	freeID   int32
	keys     []byte
	garbage  int
	n, items int
	scratch  []int64
	evict    int // where the next eviction looks
}

// SetTracker installs the server's side of client tracking, and the
// switch, shared by every shard, that turns on the calls to
// Tracker.Broadcast on every write: an atomic read by each write rather
// than a per-shard flag posted to each shard, so that a broadcast client
// hears of every write made after its CLIENT TRACKING's reply. Before the
// shard runs.
func (s *Shard) SetTracker(t Tracker, bcast *atomic.Bool) {
	s.tracker = t
	s.bcast = bcast
}

// TrackWriter is the id of the client whose command runs on the shard now,
// when tracking is on (NOLOOP, and the invalidation of the writer's own
// keys after its reply). Owner only.
func (s *Shard) SetTrackWriter(id int64) { s.trackWriter = id }

// TrackWriter returns what SetTrackWriter set.
func (s *Shard) TrackWriter() int64 { return s.trackWriter }

// TrackingCounts returns the number of keys tracked on the shard and of
// (key, client) pairs. Owner only.
func (s *Shard) TrackingCounts() (keys, items int) { return s.track.n, s.track.items }

func (t *trackTable) find(h uint64, key []byte) int32 {
	i, ok := t.index[h]
	if !ok {
		return -1
	}
	for ; i >= 0; i = t.ents[i].next {
		e := &t.ents[i]
		if e.hash == h && bytes.Equal(t.keys[e.off:e.off+e.klen], key) {
			return i
		}
	}
	return -1
}

// Track remembers that client id read key. It reports whether the key is
// new to the table and whether the pair is. Owner only.
func (s *Shard) Track(key []byte, id int64) (newKey, newItem bool) {
	t := &s.track
	if t.index == nil {
		t.index = make(map[uint64]int32)
		t.freeEnt, t.freeID = -1, -1
	}
	h := xxh3.Hash(key)
	i := t.find(h, key)
	if i < 0 {
		e := trackEntry{hash: h, off: uint32(len(t.keys)), klen: uint32(len(key)), head: -1, next: -1}
		t.keys = append(t.keys, key...)
		if first, ok := t.index[h]; ok {
			e.next = first
		}
		if t.freeEnt >= 0 {
			i = t.freeEnt
			t.freeEnt = t.ents[i].next
			t.ents[i] = e
		} else {
			i = int32(len(t.ents))
			t.ents = append(t.ents, e)
		}
		t.index[h] = i
		t.n++
		s.trackListen++
		newKey = true
	}
	for j := t.ents[i].head; j >= 0; j = t.ids[j].next {
		if t.ids[j].id == id {
			return newKey, false
		}
	}
	node := trackID{id: id, next: t.ents[i].head}
	var j int32
	if t.freeID >= 0 {
		j = t.freeID
		t.freeID = t.ids[j].next
		t.ids[j] = node
	} else {
		j = int32(len(t.ids))
		t.ids = append(t.ids, node)
	}
	t.ents[i].head = j
	t.items++
	return newKey, true
}

// untrack removes entry i and returns its readers in t.scratch.
func (s *Shard) untrack(i int32) []int64 {
	t := &s.track
	e := t.ents[i]
	t.scratch = t.scratch[:0]
	for j := e.head; j >= 0; {
		t.scratch = append(t.scratch, t.ids[j].id)
		next := t.ids[j].next
		t.ids[j] = trackID{next: t.freeID}
		t.freeID = j
		j = next
	}
	t.items -= len(t.scratch)
	// Unlink from the hash chain.
	if first := t.index[e.hash]; first == i {
		if e.next >= 0 {
			t.index[e.hash] = e.next
		} else {
			delete(t.index, e.hash)
		}
	} else {
		for p := first; p >= 0; p = t.ents[p].next {
			if t.ents[p].next == i {
				t.ents[p].next = e.next
				break
			}
		}
	}
	t.ents[i] = trackEntry{head: -1, next: t.freeEnt, klen: 0}
	t.freeEnt = i
	t.garbage += int(e.klen)
	t.n--
	s.trackListen--
	if t.n == 0 {
		t.keys, t.garbage = t.keys[:0], 0
	} else if t.garbage > 1<<16 && t.garbage > len(t.keys)/2 {
		t.compact()
	}
	return t.scratch
}

// compact rewrites the name arena without the names of removed entries.
func (t *trackTable) compact() {
	keys := make([]byte, 0, len(t.keys)-t.garbage)
	for i := range t.ents {
		e := &t.ents[i]
		if e.head < 0 && e.klen == 0 {
			continue
		}
		off := len(keys)
		keys = append(keys, t.keys[e.off:e.off+e.klen]...)
		e.off = uint32(off)
	}
	t.keys, t.garbage = keys, 0
}

// invalidate forgets key and tells the tracker who read it (the write
// hook).
func (db *DB) invalidate(key []byte) {
	s := db.sh
	if s.track.n != 0 {
		h := xxh3.Hash(key)
		if i := s.track.find(h, key); i >= 0 {
			ids := s.untrack(i)
			if len(ids) > 0 && s.tracker != nil {
				s.tracker.Invalidate(s, key, ids)
			}
		}
	}
	if s.bcast.Load() && s.tracker != nil {
		s.tracker.Broadcast(s, key)
	}
}

// EvictTracked forgets keys until the shard tracks at most max, telling
// the tracker of each as of a write (tracking-table-max-keys). Owner only.
func (s *Shard) EvictTracked(max int) {
	t := &s.track
	var name []byte
	for t.n > max && len(t.ents) > 0 {
		if t.evict >= len(t.ents) {
			t.evict = 0
		}
		i := int32(t.evict)
		t.evict++
		e := t.ents[i]
		if e.head < 0 && e.klen == 0 {
			continue
		}
		name = append(name[:0], t.keys[e.off:e.off+e.klen]...)
		ids := s.untrack(i)
		if len(ids) > 0 && s.tracker != nil {
			s.tracker.Invalidate(s, name, ids)
		}
	}
}

// forgetTracked empties the table after a flush and tells the tracker.
func (s *Shard) forgetTracked() {
	t := &s.track
	keys, items := t.n, t.items
	if t.n != 0 {
		s.trackListen -= t.n
		*t = trackTable{scratch: t.scratch[:0]}
	}
	if s.tracker != nil {
		s.tracker.Flushed(s, keys, items)
	}
}
