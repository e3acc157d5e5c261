package pubsubcmd

import "sync/atomic"

// State is one client's subscriptions, in the order it made them. It is
// touched on the client's loop only, but for the total, which the idle
// timeout reads from elsewhere.
type State struct {
	names [kinds][]string
	index [kinds]map[string]struct{}
	total atomic.Int32
	// counts are len(names[kind]), for CLIENT LIST on any loop.
	counts [kinds]atomic.Int32
}

// Counts returns the client's numbers of channels, patterns and shard
// channels (any goroutine).
func (st *State) Counts() (channels, patterns, shardChannels int) {
	return int(st.counts[KindChannel].Load()), int(st.counts[KindPattern].Load()), int(st.counts[KindShard].Load())
}

func (st *State) has(kind int, name string) bool {
	_, ok := st.index[kind][name]
	return ok
}

// hasBytes is has for a name in bytes (no conversion allocated).
func (st *State) hasBytes(kind int, name []byte) bool {
	_, ok := st.index[kind][string(name)]
	return ok
}

func (st *State) add(kind int, name string) bool {
	if st.has(kind, name) {
		return false
	}
	if st.index[kind] == nil {
		st.index[kind] = map[string]struct{}{}
	}
	st.index[kind][name] = struct{}{}
	st.names[kind] = append(st.names[kind], name)
	st.total.Add(1)
	st.counts[kind].Add(1)
	return true
}

func (st *State) remove(kind int, name string) bool {
	if !st.has(kind, name) {
		return false
	}
	delete(st.index[kind], name)
	for i, n := range st.names[kind] {
		if n == name {
			st.names[kind] = append(st.names[kind][:i], st.names[kind][i+1:]...)
			break
		}
	}
	st.total.Add(-1)
	st.counts[kind].Add(-1)
	return true
}

// Active reports whether the client is subscribed to anything (any
// goroutine).
func (st *State) Active() bool { return st.total.Load() > 0 }

// count is the number Redis reports in (un)subscribe replies: channels and
// patterns, or shard channels alone.
func (st *State) count(kind int) int {
	if kind == KindShard {
		return len(st.names[KindShard])
	}
	return len(st.names[KindChannel]) + len(st.names[KindPattern])
}

// Drop removes every subscription of s from h without replies (a closed
// connection, RESET). Client's loop only.
func Drop(h *Hub, s Sub) {
	st := s.PubSub()
	was := st.Active()
	for kind := range st.names {
		for _, name := range st.names[kind] {
			h.remove(kind, name, s)
		}
		st.names[kind] = nil
		st.index[kind] = nil
		st.counts[kind].Store(0)
	}
	st.total.Store(0)
	if was {
		s.Subscribed(false)
	}
}
