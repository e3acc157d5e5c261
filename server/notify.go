package server

import (
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

// Notify implements command.Env: x reports event on key of its database.
// With the class off (the usual case) it is one atomic load and a test.
func (s *Server) Notify(x *command.Exec, class command.NotifyClass, event string, key []byte) {
	if m := s.notify.mask.Load(); m&uint32(class) != 0 {
		here := -1
		if x.Home != nil {
			here = x.Home.ID
		}
		s.notifyKey(m, here, x.DBIndex, event, key)
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
	if m := s.notify.mask.Load(); m&uint32(shardEventClass[ev]) != 0 {
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
