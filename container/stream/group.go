package stream

import (
	"slices"
	"sort"
	"strings"
)

// InvalidEntriesRead is Redis's SCG_INVALID_ENTRIES_READ: a group's read
// counter that is not known.
const InvalidEntriesRead = -1

// Pending is one entry of a group's pending entries list (Redis's NACK):
// 40 bytes, no Go pointer.
type Pending struct {
	ID            ID
	DeliveryTime  int64 // unix ms of the last delivery
	DeliveryCount uint64
	Consumer      uint32 // slot of the owning consumer
}

// Consumer is one consumer of a group.
type Consumer struct {
	Name     string
	SeenTime int64 // unix ms
	Pending  int   // entries of the group's PEL it owns
}

// Group is a consumer group.
type Group struct {
	Name        string
	LastID      ID
	EntriesRead int64
	// PEL is ordered by id.
	PEL       []Pending
	consumers []*Consumer // by slot; nil slots are free
	nconsumer int
}

const pendingSize = 40

func (g *Group) memory() int {
	n := 128 + len(g.Name) + pendingSize*cap(g.PEL) + 8*cap(g.consumers)
	for _, c := range g.consumers {
		if c != nil {
			n += 48 + len(c.Name)
		}
	}
	return n
}

func (g *Group) clone() *Group {
	c := *g
	c.PEL = slices.Clone(g.PEL)
	c.consumers = make([]*Consumer, len(g.consumers))
	for i, k := range g.consumers {
		if k != nil {
			kk := *k
			c.consumers[i] = &kk
		}
	}
	return &c
}

// Groups returns the groups ordered by name (the slice is the stream's).
func (s *Stream) Groups() []*Group { return s.groups }

// Group returns the group called name, or nil.
func (s *Stream) Group(name []byte) *Group {
	i, ok := s.groupIndex(name)
	if !ok {
		return nil
	}
	return s.groups[i]
}

func (s *Stream) groupIndex(name []byte) (int, bool) {
	i := sort.Search(len(s.groups), func(i int) bool { return s.groups[i].Name >= string(name) })
	return i, i < len(s.groups) && s.groups[i].Name == string(name)
}

// CreateGroup adds a group; nil when one of that name exists.
func (s *Stream) CreateGroup(name []byte, last ID, entriesRead int64) *Group {
	i, ok := s.groupIndex(name)
	if ok {
		return nil
	}
	g := &Group{Name: string(name), LastID: last, EntriesRead: entriesRead}
	s.groups = slices.Insert(s.groups, i, g)
	return g
}

// DestroyGroup removes a group and reports whether it existed.
func (s *Stream) DestroyGroup(name []byte) bool {
	i, ok := s.groupIndex(name)
	if ok {
		s.groups = slices.Delete(s.groups, i, i+1)
	}
	return ok
}

// Consumer returns the consumer called name and its slot.
func (g *Group) Consumer(name []byte) (*Consumer, uint32, bool) {
	for i, c := range g.consumers {
		if c != nil && c.Name == string(name) {
			return c, uint32(i), true
		}
	}
	return nil, 0, false
}

// ConsumerAt returns the consumer in slot i.
func (g *Group) ConsumerAt(i uint32) *Consumer { return g.consumers[i] }

// ConsumerCount returns the number of consumers.
func (g *Group) ConsumerCount() int { return g.nconsumer }

// AddConsumer creates a consumer (the caller checked it does not exist).
func (g *Group) AddConsumer(name []byte, now int64) (*Consumer, uint32) {
	c := &Consumer{Name: string(name), SeenTime: now}
	g.nconsumer++
	for i, k := range g.consumers {
		if k == nil {
			g.consumers[i] = c
			return c, uint32(i)
		}
	}
	g.consumers = append(g.consumers, c)
	return c, uint32(len(g.consumers) - 1)
}

// DeleteConsumer removes the consumer in slot i and its pending entries
// and returns how many it had.
func (g *Group) DeleteConsumer(i uint32) int {
	n := g.consumers[i].Pending
	if n > 0 {
		g.PEL = slices.DeleteFunc(g.PEL, func(p Pending) bool { return p.Consumer == i })
	}
	g.consumers[i] = nil
	g.nconsumer--
	return n
}

// Consumers returns the consumers ordered by name.
func (g *Group) Consumers() []*Consumer {
	out := make([]*Consumer, 0, g.nconsumer)
	for _, c := range g.consumers {
		if c != nil {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *Consumer) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// FindPending returns the index of id in the PEL (or where it would go).
func (g *Group) FindPending(id ID) (int, bool) {
	i := sort.Search(len(g.PEL), func(i int) bool { return !g.PEL[i].ID.Less(id) })
	return i, i < len(g.PEL) && g.PEL[i].ID == id
}

// Deliver records the delivery of id to the consumer in slot c at now, as
// XREADGROUP does: a new pending entry, or one already pending (after
// XGROUP SETID) handed to c with its count reset to 1.
func (g *Group) Deliver(id ID, c uint32, now int64) {
	i, ok := g.FindPending(id)
	if ok {
		p := &g.PEL[i]
		g.consumers[p.Consumer].Pending--
		p.Consumer = c
		p.DeliveryTime = now
		p.DeliveryCount = 1
		g.consumers[c].Pending++
		return
	}
	p := Pending{ID: id, DeliveryTime: now, DeliveryCount: 1, Consumer: c}
	if i == len(g.PEL) {
		g.PEL = append(g.PEL, p)
	} else {
		g.PEL = slices.Insert(g.PEL, i, p)
	}
	g.consumers[c].Pending++
}

// Claim makes the pending entry i belong to consumer c.
func (g *Group) Claim(i int, c uint32) {
	p := &g.PEL[i]
	if p.Consumer != c {
		g.consumers[p.Consumer].Pending--
		g.consumers[c].Pending++
		p.Consumer = c
	}
}

// AddPending inserts a pending entry that is not in the PEL (XCLAIM FORCE,
// loading) at index i (from FindPending).
func (g *Group) AddPending(i int, p Pending) {
	g.PEL = slices.Insert(g.PEL, i, p)
	g.consumers[p.Consumer].Pending++
}

// Ack removes the pending entry i.
func (g *Group) Ack(i int) {
	g.consumers[g.PEL[i].Consumer].Pending--
	g.PEL = slices.Delete(g.PEL, i, i+1)
}

// AdvanceTo moves the group's last id to id after it delivered it, with
// Redis 7.0's entries-read accounting (streamReplyWithRange).
func (s *Stream) AdvanceTo(g *Group, id ID) {
	if !g.LastID.Less(id) {
		return
	}
	if g.EntriesRead != InvalidEntriesRead && !s.RangeHasTombstones(id, MaxID) {
		g.EntriesRead++
	} else if s.EntriesAdded != 0 {
		g.EntriesRead = s.EstimateDistance(id)
	}
	g.LastID = id
}

// RangeHasTombstones reports whether [start, end] may hold a deleted
// entry (streamRangeHasTombstones).
func (s *Stream) RangeHasTombstones(start, end ID) bool {
	if s.length == 0 || s.MaxDeletedID.IsZero() {
		return false
	}
	if s.MaxDeletedID.Less(s.FirstID) {
		return false
	}
	return !s.MaxDeletedID.Less(start) && !end.Less(s.MaxDeletedID)
}

// EstimateDistance is Redis's streamEstimateDistanceFromFirstEverEntry.
func (s *Stream) EstimateDistance(id ID) int64 {
	if s.EntriesAdded == 0 {
		return 0
	}
	if s.length == 0 && id.Compare(s.LastID) < 1 {
		return int64(s.EntriesAdded)
	}
	switch id.Compare(s.LastID) {
	case 0:
		return int64(s.EntriesAdded)
	case 1:
		return InvalidEntriesRead
	}
	cmpFirst := id.Compare(s.FirstID)
	if s.MaxDeletedID.IsZero() || s.MaxDeletedID.Less(s.FirstID) {
		if cmpFirst < 0 {
			return int64(s.EntriesAdded - s.length)
		} else if cmpFirst == 0 {
			return int64(s.EntriesAdded - s.length + 1)
		}
	}
	return InvalidEntriesRead
}

// Lag is a group's lag, ok false when it cannot be known
// (streamReplyWithCGLag).
func (s *Stream) Lag(g *Group) (int64, bool) {
	if s.EntriesAdded == 0 {
		return 0, true
	}
	if g.EntriesRead != InvalidEntriesRead && !s.RangeHasTombstones(g.LastID, MaxID) {
		return int64(s.EntriesAdded) - g.EntriesRead, true
	}
	if er := s.EstimateDistance(g.LastID); er != InvalidEntriesRead {
		return int64(s.EntriesAdded) - er, true
	}
	return 0, false
}

// LoadGroup adds a group read from a dump, in name order or not; nil when
// a group of that name exists.
func (s *Stream) LoadGroup(name []byte, last ID, entriesRead int64) *Group {
	return s.CreateGroup(name, last, entriesRead)
}

// RaxNodes is the number of nodes Redis's radix tree would have for the
// stream's node keys (XINFO STREAM's radix-tree-nodes): the root, each
// key, each branching point and each child of one, in a tree of 16-byte
// big-endian master ids.
func (s *Stream) RaxNodes() int {
	set := map[string]struct{}{"": {}}
	var prev []byte
	for i := range s.nodes {
		k := s.nodes[i].master.AppendBinary(nil)
		set[string(k)] = struct{}{}
		if prev != nil {
			l := 0
			for l < len(k) && k[l] == prev[l] {
				l++
			}
			set[string(k[:l])] = struct{}{}
			if l < len(k) {
				set[string(k[:l+1])] = struct{}{}
				set[string(prev[:l+1])] = struct{}{}
			}
		}
		prev = k
	}
	return len(set)
}
