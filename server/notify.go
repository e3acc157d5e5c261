package server

import (
	"cmp"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/anaxdb/anax/config"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/pubsubcmd"
	"github.com/anaxdb/anax/shard"
)

// Keyspace notifications (docs/architecture.md, "Keyspace notifications").
// A family reports each write with Exec.Notify on the shard that made it;
// the shards report what they do by themselves (a new key, expiry,
// eviction, hash fields expired) through their key-event callback. Both
// end in notifyKey, which publishes __keyspace@<db>__:<key> <event> and
// __keyevent@<db>__:<event> <key> through the Pub/Sub hub, as Redis's
// notifyKeyspaceEvent does.

// notifyState is the server's copy of notify-keyspace-events.
type notifyState struct {
	// mask is the setting's classes, or 0 when neither K nor E is set
	// (nothing would be sent): one load and a test decide that a write
	// sends nothing.
	mask atomic.Uint32
	// hold[sh], when set, holds shard sh's events for a transaction's
	// continuation to publish (see heldNotes); shard sh's goroutine only.
	hold []*heldNotes
}

// notifyMask returns the mask Notify tests for a setting's value.
func notifyMask(v int64) uint32 {
	if v&(config.NotifyKeyspace|config.NotifyKeyevent) == 0 {
		return 0
	}
	return uint32(v)
}

// setupNotify follows notify-keyspace-events. Called by Start once the
// data is loaded (a load reports no new keys).
func (s *Server) setupNotify() {
	s.notify.hold = make([]*heldNotes, s.router.N())
	s.loadNotify()
	s.cfg.OnChange("notify-keyspace-events", func(string) { s.loadNotify() })
}

// loadNotify caches the setting and tells the shards which of their own
// events to report.
func (s *Server) loadNotify() {
	m := notifyMask(s.cfg.Int("notify-keyspace-events"))
	s.notify.mask.Store(m)
	var want uint32
	for ev, class := range shardEventClass {
		if m&uint32(class) != 0 {
			want |= 1 << ev
		}
	}
	for _, sh := range s.router.Shards() {
		sh.WantKeyEvents(want)
	}
}

// muteKeyEvents stops the shards' own events (a snapshot being loaded) and
// returns what starts them again. Before setupNotify they are off anyway.
func (s *Server) muteKeyEvents() func() {
	if s.notify.hold == nil {
		return func() {}
	}
	for _, sh := range s.router.Shards() {
		sh.WantKeyEvents(0)
	}
	return s.loadNotify
}

// Notify implements command.Env: x reports event on key of its database.
// With the class off (the usual case) it is one atomic load and a test.
func (s *Server) Notify(x *command.Exec, class command.NotifyClass, event string, key []byte) {
	if m := s.notify.mask.Load(); m&uint32(class) != 0 {
		here := -1
		if x.Home != nil {
			here = x.Home.ID
		}
		if !s.hold(here, x.DBIndex, event, key) {
			s.notifyKey(m, here, x.DBIndex, event, key)
		}
	}
}

// shardEventClass and shardEventName are the class and Redis's event name
// of each shard.KeyEvent.
var (
	shardEventClass = [...]command.NotifyClass{
		shard.EventNew:          command.NotifyNew,
		shard.EventExpired:      command.NotifyExpired,
		shard.EventEvicted:      command.NotifyEvicted,
		shard.EventFieldExpired: command.NotifyHash,
		shard.EventEmptied:      command.NotifyGeneric,
		shard.EventKeyMiss:      command.NotifyKeyMiss,
	}
	shardEventName = [...]string{
		shard.EventNew:          "new",
		shard.EventExpired:      "expired",
		shard.EventEvicted:      "evicted",
		shard.EventFieldExpired: "hexpired",
		shard.EventEmptied:      "del",
		shard.EventKeyMiss:      "keymiss",
	}
)

// shardEvent is shard sh's key-event callback (its goroutine).
func (s *Server) shardEvent(sh, db int, ev shard.KeyEvent, key []byte) {
	if m := s.notify.mask.Load(); m&uint32(shardEventClass[ev]) != 0 && !s.hold(sh, db, shardEventName[ev], key) {
		s.notifyKey(m, sh, db, shardEventName[ev], key)
	}
}

// notifyKey publishes one event on the channels mask asks for, from loop
// here's goroutine (-1: another one): subscribers on that loop get the
// messages at once, others through their loop's inbox, after what the
// shard posted there before.
func (s *Server) notifyKey(mask uint32, here, db int, event string, key []byte) {
	var buf [128]byte
	prefix := func(kind string) []byte {
		b := append(buf[:0], "__key"...)
		b = append(b, kind...)
		b = append(b, '@')
		b = strconv.AppendInt(b, int64(db), 10)
		return append(b, "__:"...)
	}
	n := s.router.N()
	if mask&config.NotifyKeyspace != 0 {
		ch := append(prefix("space"), key...)
		pubsubcmd.PublishFrom(s, pubsubcmd.KindChannel, ch, []byte(event), here, n)
	}
	if mask&config.NotifyKeyevent != 0 {
		ch := append(prefix("event"), event...)
		pubsubcmd.PublishFrom(s, pubsubcmd.KindChannel, ch, key, here, n)
	}
}

// Events of a transaction over several shards.
//
// The shards of a transaction run their parts at the same time, so the
// events of one command (MSET's keys, RENAME's two keys) or of one EXEC
// would reach a subscriber in whichever order the shards posted them.
// While notifications are on, a transaction's hops hold their shard's
// events instead (heldNotes), and its continuation publishes them in
// Redis's order: by command for an EXEC, by write for a Cross (whose Apply
// lists the writes in Redis's order), by key for a split command. The
// transaction keeps its locks until they are published, so that a later
// command on those keys cannot send its events first.

// heldNote is one held event.
type heldNote struct {
	order int // the command or write it belongs to
	db    int
	event string
	key   []byte
}

// heldNotes are one shard's held events in one transaction step; only
// that shard's goroutine touches them during the step.
type heldNotes struct {
	order int      // the order of the events being made now
	keys  [][]byte // a split piece's keys, in order
	notes []heldNote
}

// holdNotes returns a transaction step's buffers, one per shard, or nil
// when notifications are off.
func (s *Server) holdNotes() []*heldNotes {
	if s.notify.mask.Load() == 0 {
		return nil
	}
	held := make([]*heldNotes, s.router.N())
	for i := range held {
		held[i] = &heldNotes{}
	}
	return held
}

// holding makes shard sh hold its events in h (nil: publish them again).
// Shard sh's goroutine only.
func (s *Server) holding(sh int, h *heldNotes) { s.notify.hold[sh] = h }

// hold records an event if shard here holds its events.
func (s *Server) hold(here, db int, event string, key []byte) bool {
	if here < 0 || here >= len(s.notify.hold) {
		return false
	}
	h := s.notify.hold[here]
	if h == nil {
		return false
	}
	h.notes = append(h.notes, heldNote{order: h.order, db: db, event: event, key: append([]byte(nil), key...)})
	return true
}

// publishHeld publishes the held events of every shard by their order,
// those of one order shard by shard (each in the order they were made).
func (s *Server) publishHeld(held []*heldNotes) {
	var all []heldNote
	for _, h := range held {
		all = append(all, h.notes...)
		h.notes = nil
	}
	slices.SortStableFunc(all, func(a, b heldNote) int { return cmp.Compare(a.order, b.order) })
	s.publishNotes(all)
}

// publishHeldByKey publishes a split command's held events in the order of
// its keys: owner is each key's shard, in argument order, and each shard's
// piece recorded its keys (heldNotes.keys), so the i-th key of a shard is
// known; a key's events are those at the head of its shard's events with
// that key. Events of no key (there are none today) go last.
func (s *Server) publishHeldByKey(held []*heldNotes, owner []uint16) {
	var out []heldNote
	next := make([]int, len(held)) // each shard's next key
	for _, o := range owner {
		h := held[o]
		if next[o] >= len(h.keys) {
			continue
		}
		key := h.keys[next[o]]
		next[o]++
		for len(h.notes) > 0 && string(h.notes[0].key) == string(key) {
			out = append(out, h.notes[0])
			h.notes = h.notes[1:]
		}
	}
	for _, h := range held {
		out = append(out, h.notes...)
		h.notes = nil
	}
	s.publishNotes(out)
}

// publishNotes publishes events from a goroutine that may be no loop's.
func (s *Server) publishNotes(notes []heldNote) {
	m := s.notify.mask.Load()
	if m == 0 {
		return
	}
	for _, n := range notes {
		s.notifyKey(m, -1, n.db, n.event, n.key)
	}
}
