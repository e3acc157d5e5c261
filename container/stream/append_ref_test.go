package stream

import (
	"bytes"
	"testing"

	"github.com/anaxdb/anax/container/listpack"
)

// appendRef is Append written plainly, one listpack edit per element, as
// Redis's streamAppendItem writes it: the reference Append's node bytes
// are compared with.
func (s *Stream) appendRef(st Store, cfg Config, id ID, fv [][]byte) {
	nf := len(fv) / 2
	totlen := 0
	bound := 40
	for _, b := range fv {
		totlen += len(b)
		bound += len(b) + 10
	}
	maxBytes := cfg.MaxBytes
	if maxBytes <= 0 || maxBytes > MaxListpackSize {
		maxBytes = MaxListpackSize
	}
	i := len(s.nodes) - 1
	if i >= 0 {
		v := s.view(st, i)
		if len(v.lp.Bytes())+totlen >= maxBytes ||
			(cfg.MaxEntries > 0 && v.count+v.deleted >= cfg.MaxEntries) {
			s.shrink(st, i)
			i = -1
		}
	}
	flags := 0
	var master ID
	if i < 0 {
		master = id
		h, c := st.Alloc(7 + 2*bound + 40)
		lp := listpack.FromBytes(listpack.AppendEmpty(c[:0]))
		lp.AppendInt(1)
		lp.AppendInt(0)
		lp.AppendInt(int64(nf))
		for k := 0; k < nf; k++ {
			lp.Append(fv[2*k])
		}
		lp.AppendInt(0)
		checkSame(lp, c)
		s.nodes = append(s.nodes, nodeRec{master: id, h: h})
		s.setTail()
		i = len(s.nodes) - 1
		flags = flagSameFields
	} else {
		s.room(st, i, bound)
		v := s.view(st, i)
		master = v.master
		lp := v.lp
		lp.ReplaceInt(lp.First(), int64(v.count+1))
		v = openNode(lp, master)
		if nf == v.nf {
			same := true
			m := v.mfield
			for k := 0; k < nf; k++ {
				if !valueEq(lp.At(m), fv[2*k]) {
					same = false
					break
				}
				m = lp.Next(m)
			}
			if same {
				flags = flagSameFields
			}
		}
	}
	c := st.Bytes(s.nodes[i].h)
	lp := s.lpOf(st, i)
	lp.AppendInt(int64(flags))
	lp.AppendInt(int64(id.Ms - master.Ms))
	lp.AppendInt(int64(id.Seq - master.Seq))
	if flags&flagSameFields == 0 {
		lp.AppendInt(int64(nf))
	}
	for k := 0; k < nf; k++ {
		if flags&flagSameFields == 0 {
			lp.Append(fv[2*k])
		}
		lp.Append(fv[2*k+1])
	}
	lpCount := nf + 3
	if flags&flagSameFields == 0 {
		lpCount += nf + 1
	}
	lp.AppendInt(int64(lpCount))
	checkSame(lp, c)
	s.length++
	s.EntriesAdded++
	s.LastID = id
	if s.length == 1 {
		s.FirstID = id
	}
}

// sameNodes fails unless a and b have the same nodes, byte for byte, and
// every node of a passes ValidateNode.
func sameNodes(t testing.TB, a, b *Stream, st Store) {
	t.Helper()
	if len(a.nodes) != len(b.nodes) {
		t.Fatalf("%d nodes, reference %d", len(a.nodes), len(b.nodes))
	}
	var after *ID
	for i := range a.nodes {
		x, y := a.lpOf(st, i).Bytes(), b.lpOf(st, i).Bytes()
		if a.nodes[i].master != b.nodes[i].master || !bytes.Equal(x, y) {
			t.Fatalf("node %d differs from the reference:\n%x\n%x", i, x, y)
		}
		_, last, err := ValidateNode(x, a.nodes[i].master, after)
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		after = &last
	}
	if a.length != b.length || a.LastID != b.LastID || a.FirstID != b.FirstID || a.EntriesAdded != b.EntriesAdded {
		t.Fatalf("counters differ from the reference")
	}
}
