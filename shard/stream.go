package shard

import (
	"github.com/anaxdb/anax/container/stream"
	"github.com/anaxdb/anax/shard/arena"
)

// Streams have one encoding, Redis's (OBJ_ENCODING_STREAM): a big value
// whose nodes are Redis's stream listpacks in arena cells, indexed by a
// pointer-free slice of (master id, cell) records, with its consumer
// groups (container/stream). A stream may be empty and keep its key
// (XDEL of every entry, XGROUP CREATE MKSTREAM), as in Redis.

// TypeStream is Redis's OBJ_STREAM.
const TypeStream byte = 6

// EncStream is Redis's OBJ_ENCODING_STREAM.
const EncStream byte = 10

// streamValue is a stream as a bigValue. The Stream is held by value, so
// that reaching it from the key costs one pointer less.
type streamValue struct {
	s stream.Stream
}

func (v *streamValue) release(a *arena.Arena, budget int) bool {
	return v.s.FreeSome(storeOf(a), budget)
}

func (v *streamValue) memory(a *arena.Arena) int { return v.s.Memory(storeOf(a)) }

func (v *streamValue) clone(a *arena.Arena) bigValue {
	return &streamValue{s: *v.s.Clone(storeOf(a))}
}

func (v *streamValue) appendFlat(a *arena.Arena, dst []byte) []byte {
	return v.s.AppendFlat(storeOf(a), dst)
}

func importStream(a *arena.Arena, flat []byte) bigValue {
	s, err := stream.FromFlat(storeOf(a), flat)
	if err != nil {
		panic("BUG: stream flat form: " + err.Error())
	}
	return &streamValue{s: *s}
}

// Stream is a stream entry opened for one command. The stream itself (S)
// stays valid across writes to other keys; Written must be called before
// each change to it, as the one write hook.
type Stream struct {
	db  *DB
	key []byte
	h   Handle
	v   *streamValue
}

// OpenStream opens the stream entry h of key (TypeStream).
func (db *DB) OpenStream(key []byte, h Handle) Stream {
	return Stream{db: db, key: key, h: h, v: db.object(h).(*streamValue)}
}

// NewStream stores an empty stream under key, replacing what key held.
func (db *DB) NewStream(key []byte, now int64) Stream {
	v := &streamValue{}
	h := db.newBig(key, TypeStream, EncStream, v, now)
	return Stream{db: db, key: key, h: h, v: v}
}

// StoreStream stores s, built outside the keyspace (RESTORE, loading),
// under key, replacing what key held, and returns its handle. The value
// takes s over by copy: the caller must not use s afterwards.
func (db *DB) StoreStream(key []byte, s *stream.Stream, now int64) Handle {
	return db.newBig(key, TypeStream, EncStream, &streamValue{s: *s}, now)
}

// StreamOf returns the stream of the stream entry h, for DUMP and saving.
func (db *DB) StreamOf(h Handle) *stream.Stream { return &db.object(h).(*streamValue).s }

// StreamStore returns the shard's arena as the stream package's Store.
func (db *DB) StreamStore() stream.Store { return storeOf(db.sh.arena) }

// S returns the stream.
func (s *Stream) S() *stream.Stream { return &s.v.s }

// Store returns the Store its nodes live in.
func (s *Stream) Store() stream.Store { return storeOf(s.db.sh.arena) }

// Handle returns the entry's handle.
func (s *Stream) Handle() Handle { return s.h }

// Written reports a change to come (watchers, blocked clients, snapshots):
// XADD, as Redis's signalModifiedKey and signalKeyAsReady.
func (s *Stream) Written() { s.db.written(s.key) }

// Edited reports a change to come that Redis signals to no one (consumer
// groups and their pending entries, XSETID: no signalModifiedKey, no
// signalKeyAsReady): only a snapshot in progress hears of it, so that it
// keeps the value as it was. WATCH, client tracking and blocked readers do
// not, as in Redis.
func (s *Stream) Edited() {
	if s.db.sh.snap != nil {
		s.db.snapshotKey(s.key)
	}
}

// Modified reports a change, made or to come, that Redis signals with
// signalModifiedKey alone (XDEL, XTRIM that removed entries): watchers
// become dirty and tracking clients are told, but blocked readers are not
// woken. Call Edited before the change.
func (s *Stream) Modified() {
	if s.db.sh.listening() {
		s.db.modified(s.key, false)
	}
}

// Ready wakes the readers blocked on the key, as Redis's signalKeyAsReady
// (XGROUP DESTROY: its XREADGROUP clients get their error). Call Edited
// before the change.
func (s *Stream) Ready() { s.db.signalWaiters(s.key, false) }
