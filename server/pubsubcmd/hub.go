// Package pubsubcmd is the Pub/Sub family: SUBSCRIBE, PSUBSCRIBE,
// SSUBSCRIBE and their UNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB.
//
// Subscriptions live in a Hub shared by every loop. Channels (and shard
// channels) are spread over stripes, each a read-write lock over a map
// whose subscriber lists are copy-on-write: PUBLISH takes one stripe's read
// lock for a map lookup and leaves with an immutable list. Patterns are one
// copy-on-write list behind an atomic pointer, read without a lock.
//
// A message is encoded once (Message); the publisher posts it, with the
// immutable subscriber lists, to each loop that has a subscriber, and that
// loop writes it to its own clients. The publisher never waits for a
// subscriber: a post only appends to the loop's inbox. Messages of one
// publisher reach each loop in order (a loop's inbox is a FIFO), so every
// client receives them in publish order.
package pubsubcmd

import (
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/anaxdb/anax/internal/glob"
)

// Sub is one subscribed client as the server lends it.
type Sub interface {
	// PubSub is the client's subscription state (its loop only).
	PubSub() *State
	// Loop is the index of the client's loop.
	Loop() int
	// Push writes a message to the client (its loop only); first is the
	// message's first byte in RESP2 ('*'), which a RESP3 client reads as
	// a push ('>').
	Push(m []byte)
	// Subscribed is called on the client's loop when the client enters
	// (true) or leaves (false) the subscribed state.
	Subscribed(on bool)
}

// Kinds of subscription.
const (
	KindChannel = iota
	KindPattern
	KindShard
	kinds
)

const stripes = 64

type stripe struct {
	mu sync.RWMutex
	m  map[string][]Sub // copy-on-write lists
	_  [40]byte
}

type patEntry struct {
	pat  string
	pb   []byte // pat, for matching without a conversion
	subs []Sub
}

// Hub is the server's registry of subscriptions (any goroutine).
type Hub struct {
	seed    maphash.Seed
	chans   [stripes]stripe
	shards  [stripes]stripe
	patMu   sync.Mutex
	pats    atomic.Pointer[[]patEntry] // copy-on-write
	nchans  atomic.Int64
	nshards atomic.Int64
	npats   atomic.Int64
	// scratch[l] is loop l's buffer for a message it writes to its own
	// subscribers (publishHere). Loop l's goroutine only.
	scratch [][]byte
}

// NewHub returns an empty registry for a server of loops loops.
func NewHub(loops int) *Hub {
	h := &Hub{seed: maphash.MakeSeed(), scratch: make([][]byte, loops)}
	for i := range h.chans {
		h.chans[i].m = map[string][]Sub{}
		h.shards[i].m = map[string][]Sub{}
	}
	empty := []patEntry{}
	h.pats.Store(&empty)
	return h
}

func (h *Hub) table(kind int) (*[stripes]stripe, *atomic.Int64) {
	if kind == KindShard {
		return &h.shards, &h.nshards
	}
	return &h.chans, &h.nchans
}

func (h *Hub) stripeOf(t *[stripes]stripe, name []byte) *stripe {
	return &t[maphash.Bytes(h.seed, name)%stripes]
}

// add registers s for name.
func (h *Hub) add(kind int, name string, s Sub) {
	if kind == KindPattern {
		h.patMu.Lock()
		old := *h.pats.Load()
		nw := make([]patEntry, 0, len(old)+1)
		found := false
		for _, e := range old {
			if e.pat == name {
				e.subs = append(slices.Clip(e.subs), s)
				found = true
			}
			nw = append(nw, e)
		}
		if !found {
			nw = append(nw, patEntry{pat: name, pb: []byte(name), subs: []Sub{s}})
			h.npats.Add(1)
		}
		h.pats.Store(&nw)
		h.patMu.Unlock()
		return
	}
	t, n := h.table(kind)
	st := h.stripeOf(t, []byte(name))
	st.mu.Lock()
	old, ok := st.m[name]
	if !ok {
		n.Add(1)
	}
	st.m[name] = append(slices.Clip(old), s)
	st.mu.Unlock()
}

// remove unregisters s from name.
func (h *Hub) remove(kind int, name string, s Sub) {
	if kind == KindPattern {
		h.patMu.Lock()
		old := *h.pats.Load()
		nw := make([]patEntry, 0, len(old))
		for _, e := range old {
			if e.pat == name {
				e.subs = without(e.subs, s)
				if len(e.subs) == 0 {
					h.npats.Add(-1)
					continue
				}
			}
			nw = append(nw, e)
		}
		h.pats.Store(&nw)
		h.patMu.Unlock()
		return
	}
	t, n := h.table(kind)
	st := h.stripeOf(t, []byte(name))
	st.mu.Lock()
	if old, ok := st.m[name]; ok {
		if subs := without(old, s); len(subs) == 0 {
			delete(st.m, name)
			n.Add(-1)
		} else {
			st.m[name] = subs
		}
	}
	st.mu.Unlock()
}

// without returns a new list of subs but s.
func without(subs []Sub, s Sub) []Sub {
	out := make([]Sub, 0, len(subs))
	for _, x := range subs {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// subscribers returns the immutable list of name's subscribers.
func (h *Hub) subscribers(kind int, name []byte) []Sub {
	t, _ := h.table(kind)
	st := h.stripeOf(t, name)
	st.mu.RLock()
	subs := st.m[string(name)]
	st.mu.RUnlock()
	return subs
}

// Counts returns the numbers of channels, patterns and shard channels with
// at least one subscriber (INFO stats).
func (h *Hub) Counts() (channels, patterns, shardChannels int64) {
	return h.nchans.Load(), h.npats.Load(), h.nshards.Load()
}

// names returns the channels of kind with a subscriber matching pattern
// (nil: all).
func (h *Hub) names(kind int, pattern []byte) []string {
	t, _ := h.table(kind)
	var out []string
	for i := range t {
		st := &t[i]
		st.mu.RLock()
		for name := range st.m {
			if pattern == nil || glob.Match(pattern, []byte(name), false) {
				out = append(out, name)
			}
		}
		st.mu.RUnlock()
	}
	return out
}

// Message is one published message, encoded once as a RESP2 array and
// shared read-only by every subscriber it reaches.
type Message struct {
	Wire []byte
	kind int
	name string // the channel or pattern the subscribers subscribed to
	subs []Sub
}

// delivery is what one PUBLISH hands to each loop with a subscriber.
type delivery []*Message

// run writes the messages to the subscribers of loop that still hold the
// subscription. Loop goroutine only.
func (d delivery) run(loop int) {
	for _, m := range d {
		for _, s := range m.subs {
			if s.Loop() == loop && s.PubSub().has(m.kind, m.name) {
				s.Push(m.Wire)
			}
		}
	}
}
