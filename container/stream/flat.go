package stream

import (
	"encoding/binary"
	"errors"
)

// The flat form is a stream's portable copy between shards (COPY, RENAME,
// MOVE across shards): uvarints, the node listpacks as they are, the groups
// with their consumers and pending entries. It is only read back from
// bytes AppendFlat wrote in this process; RDB payloads, which are
// untrusted, go through the RDB codec.

func appendID(dst []byte, id ID) []byte {
	dst = binary.AppendUvarint(dst, id.Ms)
	return binary.AppendUvarint(dst, id.Seq)
}

func appendBytes(dst []byte, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// AppendFlat appends the flat form of s to dst.
func (s *Stream) AppendFlat(st Store, dst []byte) []byte {
	dst = binary.AppendUvarint(dst, s.length)
	dst = appendID(dst, s.LastID)
	dst = appendID(dst, s.FirstID)
	dst = appendID(dst, s.MaxDeletedID)
	dst = binary.AppendUvarint(dst, s.EntriesAdded)
	dst = binary.AppendUvarint(dst, uint64(len(s.nodes)))
	for i := range s.nodes {
		dst = appendID(dst, s.nodes[i].master)
		dst = appendBytes(dst, s.lpOf(st, i).Bytes())
	}
	dst = binary.AppendUvarint(dst, uint64(len(s.groups)))
	for _, g := range s.groups {
		dst = appendBytes(dst, []byte(g.Name))
		dst = appendID(dst, g.LastID)
		dst = binary.AppendVarint(dst, g.EntriesRead)
		dst = binary.AppendUvarint(dst, uint64(len(g.consumers)))
		for _, c := range g.consumers {
			if c == nil {
				dst = append(dst, 0)
				continue
			}
			dst = append(dst, 1)
			dst = appendBytes(dst, []byte(c.Name))
			dst = binary.AppendVarint(dst, c.SeenTime)
		}
		dst = binary.AppendUvarint(dst, uint64(len(g.PEL)))
		for _, p := range g.PEL {
			dst = appendID(dst, p.ID)
			dst = binary.AppendVarint(dst, p.DeliveryTime)
			dst = binary.AppendUvarint(dst, p.DeliveryCount)
			dst = binary.AppendUvarint(dst, uint64(p.Consumer))
		}
	}
	return dst
}

var errFlat = errors.New("stream: bad flat form")

type flatReader struct {
	b   []byte
	err error
}

func (r *flatReader) u() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errFlat
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *flatReader) i() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errFlat
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *flatReader) id() ID { return ID{r.u(), r.u()} }

func (r *flatReader) bytes() []byte {
	n := r.u()
	if n > uint64(len(r.b)) {
		r.err = errFlat
		r.b = nil
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *flatReader) byte1() byte {
	if len(r.b) == 0 {
		r.err = errFlat
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

// FromFlat rebuilds a stream from its flat form, its nodes in new cells
// of st.
func FromFlat(st Store, flat []byte) (*Stream, error) {
	r := &flatReader{b: flat}
	s := New()
	s.length = r.u()
	s.LastID = r.id()
	s.FirstID = r.id()
	s.MaxDeletedID = r.id()
	s.EntriesAdded = r.u()
	nn := r.u()
	for k := uint64(0); k < nn && r.err == nil; k++ {
		m := r.id()
		lp := r.bytes()
		if r.err == nil {
			s.AppendNode(st, m, lp)
		}
	}
	ng := r.u()
	for k := uint64(0); k < ng && r.err == nil; k++ {
		g := &Group{Name: string(r.bytes()), LastID: r.id(), EntriesRead: r.i()}
		nc := r.u()
		for j := uint64(0); j < nc && r.err == nil; j++ {
			if r.byte1() == 0 {
				g.consumers = append(g.consumers, nil)
				continue
			}
			g.consumers = append(g.consumers, &Consumer{Name: string(r.bytes()), SeenTime: r.i()})
			g.nconsumer++
		}
		np := r.u()
		for j := uint64(0); j < np && r.err == nil; j++ {
			p := Pending{ID: r.id(), DeliveryTime: r.i(), DeliveryCount: r.u(), Consumer: uint32(r.u())}
			if int(p.Consumer) >= len(g.consumers) || g.consumers[p.Consumer] == nil {
				r.err = errFlat
				break
			}
			g.consumers[p.Consumer].Pending++
			g.PEL = append(g.PEL, p)
		}
		s.groups = append(s.groups, g)
	}
	if r.err != nil {
		s.Free(st)
		return nil, r.err
	}
	return s, nil
}
