package shard

import "sync/atomic"

// Key events: changes the shard makes to keys on its own, without a command
// that could report them (keyspace notifications). The server installs one
// callback per shard and says which events it wants; an event nobody wants
// costs one atomic load where it happens.

// KeyEvent is a change the shard makes to a key by itself.
type KeyEvent uint8

const (
	EventNew          KeyEvent = iota // a key was created (Redis's "new")
	EventExpired                      // a key reclaimed by expiry ("expired")
	EventEvicted                      // a key evicted for maxmemory ("evicted")
	EventFieldExpired                 // hash fields reclaimed by expiry ("hexpired")
	EventEmptied                      // the key's last field expired: it is gone ("del")
	EventKeyMiss                      // a read found no key ("keymiss")
)

// keyEvents is a shard's callback and the events it wants.
type keyEvents struct {
	want atomic.Uint32 // 1<<KeyEvent
	fn   func(db int, ev KeyEvent, key []byte)
}

// OnKeyEvent sets the callback of the key events; it runs on the owner
// goroutine, with a key valid only during the call, and must not call
// into the shard. Set before the first Post.
func (s *Shard) OnKeyEvent(fn func(db int, ev KeyEvent, key []byte)) { s.events.fn = fn }

// WantKeyEvents says which events the callback gets (a mask of
// 1<<KeyEvent). Any goroutine.
func (s *Shard) WantKeyEvents(mask uint32) { s.events.want.Store(mask) }

// keyEvent reports ev on key of database db when it is wanted.
func (s *Shard) keyEvent(db int, ev KeyEvent, key []byte) {
	if s.events.want.Load()&(1<<ev) != 0 && s.events.fn != nil {
		s.events.fn(db, ev, key)
	}
}
