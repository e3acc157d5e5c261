package rdb

import (
	"encoding/binary"
	"slices"

	"github.com/anaxdb/anax/container/stream"
)

// Streams: RDB_TYPE_STREAM_LISTPACKS_2 (19) is what Redis 7.0 writes and
// what Anax writes, in DUMP payloads (footer version 10) and RDB files;
// reading takes 15 (Redis 5 to 6.2), 19 and 21 (Redis 7.2, whose consumers
// also carry an active time).
//
// The layout: the node count, each node as its 16-byte big-endian master id
// and its listpack (strings); the length; the last id; for 19 and 21 the
// first id, the max deleted id and the entries added; the groups: name,
// last id, (19, 21) entries read, the PEL (16-byte id, delivery time as 8
// bytes little-endian, delivery count), the consumers (name, seen time,
// (21) active time, their PEL ids).

// AppendStream appends the type-19 encoding of s (its nodes in st).
func AppendStream(dst []byte, s *stream.Stream, st stream.Store, compress bool) []byte {
	dst = AppendLength(dst, uint64(s.NodeCount()))
	var key [16]byte
	s.Nodes(st, func(m stream.ID, lp []byte) bool {
		dst = AppendString(dst, m.AppendBinary(key[:0]), compress)
		dst = AppendString(dst, lp, compress)
		return true
	})
	dst = AppendLength(dst, uint64(s.Len()))
	dst = appendStreamID(dst, s.LastID)
	dst = appendStreamID(dst, s.FirstID)
	dst = appendStreamID(dst, s.MaxDeletedID)
	dst = AppendLength(dst, s.EntriesAdded)
	gs := s.Groups()
	dst = AppendLength(dst, uint64(len(gs)))
	for _, g := range gs {
		dst = AppendString(dst, []byte(g.Name), compress)
		dst = appendStreamID(dst, g.LastID)
		dst = AppendLength(dst, uint64(g.EntriesRead))
		dst = AppendLength(dst, uint64(len(g.PEL)))
		for _, p := range g.PEL {
			dst = p.ID.AppendBinary(dst)
			dst = binary.LittleEndian.AppendUint64(dst, uint64(p.DeliveryTime))
			dst = AppendLength(dst, p.DeliveryCount)
		}
		cs := g.Consumers()
		dst = AppendLength(dst, uint64(len(cs)))
		for _, c := range cs {
			dst = AppendString(dst, []byte(c.Name), compress)
			dst = binary.LittleEndian.AppendUint64(dst, uint64(c.SeenTime))
			_, slot, _ := g.Consumer([]byte(c.Name))
			dst = AppendLength(dst, uint64(c.Pending))
			for _, p := range g.PEL {
				if p.Consumer == slot {
					dst = p.ID.AppendBinary(dst)
				}
			}
		}
	}
	return dst
}

func appendStreamID(dst []byte, id stream.ID) []byte {
	dst = AppendLength(dst, id.Ms)
	return AppendLength(dst, id.Seq)
}

// DumpStream appends the DUMP payload of s: TypeStreamListpacks2, its
// encoding with compression on, and the footer with RDB version 10, as
// redis-server 7.0 writes it.
func DumpStream(dst []byte, s *stream.Stream, st stream.Store) []byte {
	start := len(dst)
	dst = append(dst, TypeStreamListpacks2)
	dst = AppendStream(dst, s, st, true)
	return appendDumpFooter(dst, start, dumpListHashVersion)
}

// ReadStream decodes the encoding b of a stream of type typ (15, 19 or 21)
// into a new stream whose nodes are new cells of st. Anything malformed or
// inconsistent is ErrBadFormat, with nothing left in st: nodes that fail
// the node checks of Redis's deep sanitization (and the stricter ones of
// stream.ValidateNode), repeated node keys, groups or consumers, a PEL
// entry of a consumer missing from its group's PEL or claimed twice, and a
// group PEL entry that no consumer owns. It never panics.
func ReadStream(typ byte, b []byte, st stream.Store) (*stream.Stream, error) {
	d := decoder{b: b}
	s := stream.New()
	fail := func() (*stream.Stream, error) {
		s.Free(st)
		return nil, ErrBadFormat
	}
	n, err := d.length()
	if err != nil || n > uint64(len(d.b)) {
		return fail()
	}
	type node struct {
		master stream.ID
		lp     []byte
	}
	nodes := make([]node, 0, min(n, 1024))
	for ; n > 0; n-- {
		k, err := d.str()
		if err != nil || len(k) != 16 {
			return fail()
		}
		lp, err := d.str()
		if err != nil {
			return fail()
		}
		nodes = append(nodes, node{stream.IDFromBinary(k), lp})
	}
	slices.SortFunc(nodes, func(a, b node) int { return a.master.Compare(b.master) })
	var live uint64
	var prev *stream.ID
	var last stream.ID
	for i, nd := range nodes {
		if i > 0 && nodes[i-1].master == nd.master {
			return fail()
		}
		c, l, err := stream.ValidateNode(nd.lp, nd.master, prev)
		if err != nil {
			return fail()
		}
		live += uint64(c)
		last = l
		prev = &last
		s.AppendNode(st, nd.master, nd.lp)
	}
	id := func() (stream.ID, bool) {
		ms, err1 := d.length()
		seq, err2 := d.length()
		return stream.ID{Ms: ms, Seq: seq}, err1 == nil && err2 == nil
	}
	length, err := d.length()
	if err != nil || length != live {
		return fail()
	}
	s.SetLength(length)
	var ok bool
	if s.LastID, ok = id(); !ok {
		return fail()
	}
	if prev != nil && s.LastID.Less(last) {
		return fail()
	}
	if typ >= TypeStreamListpacks2 {
		var ok1, ok2 bool
		s.FirstID, ok1 = id()
		s.MaxDeletedID, ok2 = id()
		if s.EntriesAdded, err = d.length(); !ok1 || !ok2 || err != nil {
			return fail()
		}
	} else {
		s.EntriesAdded = length
		if length > 0 {
			s.FirstID, _ = s.Edge(st, true, true)
		}
	}
	ng, err := d.length()
	if err != nil || ng > uint64(len(d.b)) {
		return fail()
	}
	for ; ng > 0; ng-- {
		name, err := d.str()
		if err != nil {
			return fail()
		}
		gid, ok := id()
		if !ok {
			return fail()
		}
		er := int64(stream.InvalidEntriesRead)
		if typ >= TypeStreamListpacks2 {
			v, err := d.length()
			if err != nil {
				return fail()
			}
			er = int64(v)
		} else {
			er = s.EstimateDistance(gid)
		}
		g := s.CreateGroup(name, gid, er)
		if g == nil {
			return fail()
		}
		np, err := d.length()
		if err != nil || np > uint64(len(d.b)/17) {
			return fail()
		}
		pel := make([]stream.Pending, 0, np)
		for ; np > 0; np-- {
			if len(d.b) < 24 {
				return fail()
			}
			p := stream.Pending{ID: stream.IDFromBinary(d.b), DeliveryTime: int64(binary.LittleEndian.Uint64(d.b[16:])), Consumer: ^uint32(0)}
			d.b = d.b[24:]
			if p.DeliveryCount, err = d.length(); err != nil {
				return fail()
			}
			pel = append(pel, p)
		}
		slices.SortFunc(pel, func(a, b stream.Pending) int { return a.ID.Compare(b.ID) })
		for i := 1; i < len(pel); i++ {
			if pel[i-1].ID == pel[i].ID {
				return fail()
			}
		}
		nc, err := d.length()
		if err != nil || nc > uint64(len(d.b)) {
			return fail()
		}
		for ; nc > 0; nc-- {
			cname, err := d.str()
			if err != nil || len(d.b) < 8 {
				return fail()
			}
			if _, _, dup := g.Consumer(cname); dup {
				return fail()
			}
			seen := int64(binary.LittleEndian.Uint64(d.b))
			d.b = d.b[8:]
			if typ >= TypeStreamListpacks3 {
				if len(d.b) < 8 {
					return fail()
				}
				d.b = d.b[8:] // active time: Redis 7.0 has none
			}
			_, slot := g.AddConsumer(cname, seen)
			k, err := d.length()
			if err != nil || k > uint64(len(d.b)/16) {
				return fail()
			}
			for ; k > 0; k-- {
				pid := stream.IDFromBinary(d.b)
				d.b = d.b[16:]
				i, found := slices.BinarySearchFunc(pel, pid, func(p stream.Pending, id stream.ID) int { return p.ID.Compare(id) })
				if !found || pel[i].Consumer != ^uint32(0) {
					return fail()
				}
				pel[i].Consumer = slot
			}
		}
		for _, p := range pel {
			if p.Consumer == ^uint32(0) {
				return fail()
			}
			g.AddPending(len(g.PEL), p)
		}
	}
	return s, nil
}
