package stream

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/anaxdb/anax/container/listpack"
)

// mapStore is a Store of Go slices that hands out cells longer than asked
// and poisons freed ones.
type mapStore struct {
	cells map[uint64][]byte
	next  uint64
}

func newMapStore() *mapStore { return &mapStore{cells: map[uint64][]byte{}} }

func (m *mapStore) Alloc(n int) (uint64, []byte) {
	m.next++
	b := make([]byte, n+int(m.next%13))
	m.cells[m.next] = b
	return m.next, b
}

func (m *mapStore) Bytes(h uint64) []byte {
	b, ok := m.cells[h]
	if !ok {
		panic(fmt.Sprintf("use of freed or unknown handle %d", h))
	}
	return b
}

func (m *mapStore) Free(h uint64) {
	b, ok := m.cells[h]
	if !ok {
		panic(fmt.Sprintf("double free of %d", h))
	}
	for i := range b {
		b[i] = 0xEE
	}
	delete(m.cells, h)
}

type modelEntry struct {
	id ID
	fv []string
}

func entryStrings(e *Entry) []string {
	var out []string
	for _, v := range e.Pairs(nil) {
		out = append(out, string(v.AppendTo(nil)))
	}
	return out
}

// check compares the stream with the model: ranges both ways, length,
// first id, and node invariants.
func check(t testing.TB, s *Stream, st *mapStore, model []modelEntry) {
	t.Helper()
	if s.Len() != len(model) {
		t.Fatalf("len %d, model %d", s.Len(), len(model))
	}
	var got []modelEntry
	s.Range(st, ID{}, MaxID, false, func(e *Entry) bool {
		got = append(got, modelEntry{e.ID, entryStrings(e)})
		return true
	})
	if len(got) != len(model) {
		t.Fatalf("range gave %d entries, model %d", len(got), len(model))
	}
	for i := range got {
		if got[i].id != model[i].id || !slices.Equal(got[i].fv, model[i].fv) {
			t.Fatalf("entry %d: %v %v, model %v %v", i, got[i].id, got[i].fv, model[i].id, model[i].fv)
		}
	}
	n := 0
	s.Range(st, ID{}, MaxID, true, func(e *Entry) bool {
		n++
		if want := model[len(model)-n].id; e.ID != want {
			t.Fatalf("reverse entry %d: %v, want %v", n, e.ID, want)
		}
		return true
	})
	if n != len(model) {
		t.Fatalf("reverse gave %d", n)
	}
	if len(model) > 0 && s.FirstID != model[0].id {
		t.Fatalf("first id %v, want %v", s.FirstID, model[0].id)
	}
	if len(model) == 0 && !s.FirstID.IsZero() {
		t.Fatalf("first id %v of empty stream", s.FirstID)
	}
	if n := len(s.nodes); n > 0 && s.tail != s.nodes[n-1] || n == 0 && s.tail != (nodeRec{}) {
		t.Fatalf("tail record %v is not the last node's", s.tail)
	}
	live := 0
	for i := range s.nodes {
		v := s.view(st, i)
		if v.count == 0 {
			t.Fatalf("node %d has no live entry", i)
		}
		if i > 0 && !s.nodes[i-1].master.Less(v.master) {
			t.Fatalf("nodes out of order")
		}
		live += v.count
		c, d := 0, 0
		for p := v.first; p >= 0; {
			e := v.entryAt(p)
			p = e.next
			if e.Deleted() {
				d++
			} else {
				c++
			}
		}
		if c != v.count || d != v.deleted {
			t.Fatalf("node %d counters %d/%d, walked %d/%d", i, v.count, v.deleted, c, d)
		}
	}
	if live != len(model) {
		t.Fatalf("nodes hold %d live entries, model %d", live, len(model))
	}
}

func TestStreamModel(t *testing.T) {
	for seed := int64(1); seed <= 30; seed++ {
		runModel(t, seed, 600)
	}
}

func runModel(t testing.TB, seed int64, steps int) {
	r := rand.New(rand.NewSource(seed))
	st := newMapStore()
	s := New()
	ref := New() // the same edits, appended by appendRef
	cfg := Config{MaxBytes: 50 + r.Intn(400), MaxEntries: r.Intn(8)}
	var model []modelEntry
	fields := []string{"a", "b", "123", "field", ""}
	for step := 0; step < steps; step++ {
		switch op := r.Intn(10); {
		case op < 6:
			id := s.LastID
			if r.Intn(3) == 0 {
				id.Ms += uint64(r.Intn(5))
			}
			id, _ = id.Incr()
			if r.Intn(20) == 0 {
				id.Seq = 1<<64 - 1 - uint64(r.Intn(2))
			}
			if !s.LastID.Less(id) {
				continue
			}
			nf := 1 + r.Intn(3)
			var fv [][]byte
			var fs []string
			for k := 0; k < nf; k++ {
				f := fields[r.Intn(len(fields))]
				v := fmt.Sprint(r.Intn(1000) - 500)
				if r.Intn(2) == 0 {
					v = fmt.Sprintf("v%d", r.Intn(100000))
				}
				fv = append(fv, []byte(f), []byte(v))
				fs = append(fs, f, v)
			}
			s.Append(st, cfg, id, fv)
			ref.appendRef(st, cfg, id, fv)
			model = append(model, modelEntry{id, fs})
		case op < 8:
			if len(model) == 0 {
				continue
			}
			k := r.Intn(len(model))
			id := model[k].id
			if !s.Delete(st, id) || !ref.Delete(st, id) {
				t.Fatalf("seed %d: delete %v failed", seed, id)
			}
			model = slices.Delete(model, k, k+1)
			if s.Delete(st, id) {
				t.Fatalf("seed %d: second delete %v succeeded", seed, id)
			}
		case op < 9:
			a := TrimArgs{Strategy: TrimMaxLen, MaxLen: int64(r.Intn(len(model) + 2)), Approx: r.Intn(2) == 0}
			n := s.Trim(st, a)
			ref.Trim(st, a)
			if !a.Approx {
				want := max(0, len(model)-int(a.MaxLen))
				if int(n) != want {
					t.Fatalf("seed %d: trim removed %d, want %d", seed, n, want)
				}
			}
			model = model[n:]
		default:
			if len(model) == 0 {
				continue
			}
			min := model[r.Intn(len(model))].id
			a := TrimArgs{Strategy: TrimMinID, MinID: min, Approx: r.Intn(2) == 0}
			n := s.Trim(st, a)
			ref.Trim(st, a)
			model = model[n:]
		}
		check(t, s, st, model)
		sameNodes(t, s, ref, st)
	}
	ref.Free(st)
	c := s.Clone(st)
	check(t, c, st, model)
	c.Free(st)
	s.Free(st)
	if len(st.cells) != 0 {
		t.Fatalf("seed %d: %d cells leaked", seed, len(st.cells))
	}
}

func FuzzStream(f *testing.F) {
	f.Add(int64(1), 50)
	f.Fuzz(func(t *testing.T, seed int64, steps int) {
		runModel(t, seed, min(max(steps, 0), 300))
	})
}

func TestParseID(t *testing.T) {
	for _, c := range []struct {
		in   string
		ok   bool
		want ID
	}{
		{"1-2", true, ID{1, 2}}, {"5", true, ID{5, 7}}, {"-1", false, ID{}},
		{"1-", false, ID{}}, {"+5-1", true, ID{5, 1}}, {"007-1", true, ID{7, 1}},
		{"18446744073709551615-18446744073709551615", true, MaxID},
		{"18446744073709551616", false, ID{}}, {"1-x", false, ID{}}, {"", false, ID{}},
		{"-05", false, ID{}}, {"1- 5", true, ID{1, 5}},
	} {
		id, _, ok := ParseID([]byte(c.in), 7, false)
		if ok != c.ok || (ok && id != c.want) {
			t.Errorf("ParseID(%q) = %v %v, want %v %v", c.in, id, ok, c.want, c.ok)
		}
	}
}

func TestFlatRoundTrip(t *testing.T) {
	st := newMapStore()
	s := New()
	var model []modelEntry
	for i := 1; i <= 250; i++ {
		id := ID{uint64(i), 0}
		s.Append(st, DefaultConfig, id, [][]byte{[]byte("f"), []byte(fmt.Sprint(i))})
		model = append(model, modelEntry{id, []string{"f", fmt.Sprint(i)}})
	}
	g := s.CreateGroup([]byte("g"), ID{3, 0}, 3)
	_, a := g.AddConsumer([]byte("alice"), 5)
	g.Deliver(ID{1, 0}, a, 10)
	g.Deliver(ID{2, 0}, a, 11)
	c, err := FromFlat(st, s.AppendFlat(st, nil))
	if err != nil {
		t.Fatal(err)
	}
	check(t, c, st, model)
	cg := c.Group([]byte("g"))
	if cg == nil || len(cg.PEL) != 2 || cg.ConsumerAt(0).Pending != 2 || cg.EntriesRead != 3 {
		t.Fatalf("group not copied: %+v", cg)
	}
}

func TestValidateNodes(t *testing.T) {
	st := newMapStore()
	s := New()
	for i := 1; i <= 300; i++ {
		s.Append(st, Config{MaxBytes: 300, MaxEntries: 50}, ID{uint64(i), 0}, [][]byte{[]byte("f"), []byte(fmt.Sprint(i)), []byte("g"), []byte("x")})
		if i%7 == 0 {
			s.Delete(st, ID{uint64(i - 3), 0})
		}
	}
	var prev *ID
	total := 0
	s.Nodes(st, func(m ID, lp []byte) bool {
		n, last, err := ValidateNode(lp, m, prev)
		if err != nil {
			t.Fatalf("node %v: %v", m, err)
		}
		total += n
		prev = &last
		// Every single-byte corruption is refused or still walks.
		for i := range lp {
			c := append([]byte(nil), lp...)
			c[i] ^= 0x5A
			if _, _, err := ValidateNode(c, m, nil); err == nil {
				v := openNode(listpack.FromBytes(c), m)
				for p := v.first; p >= 0; {
					e := v.entryAt(p)
					e.Pairs(nil)
					p = e.next
				}
			}
		}
		return true
	})
	if total != s.Len() {
		t.Fatalf("validated %d live entries, stream has %d", total, s.Len())
	}
}

func FuzzValidateNode(f *testing.F) {
	st := newMapStore()
	s := New()
	for i := 1; i <= 20; i++ {
		s.Append(st, DefaultConfig, ID{uint64(i), 0}, [][]byte{[]byte("f"), []byte(fmt.Sprint(i))})
	}
	s.Append(st, DefaultConfig, ID{30, 0}, [][]byte{[]byte("other"), []byte("x")})
	s.Delete(st, ID{3, 0})
	s.Nodes(st, func(m ID, lp []byte) bool { f.Add(append([]byte(nil), lp...)); return true })
	f.Fuzz(func(t *testing.T, b []byte) {
		m := ID{1, 0}
		if _, _, err := ValidateNode(b, m, nil); err != nil {
			return
		}
		// A valid node loads and every operation works on it.
		st := newMapStore()
		s := New()
		s.AppendNode(st, m, b)
		v := s.view(st, 0)
		s.SetLength(uint64(v.count))
		s.LastID, _ = s.Edge(st, false, false)
		s.FirstID, _ = s.Edge(st, true, true)
		s.Range(st, ID{}, MaxID, false, func(e *Entry) bool { e.Pairs(nil); return true })
		s.Range(st, ID{}, MaxID, true, func(e *Entry) bool { e.Pairs(nil); return true })
		if id := (ID{MaxID.Ms, 0}); s.LastID.Less(id) {
			s.Append(st, DefaultConfig, id, [][]byte{[]byte("a"), []byte("b")})
		}
		s.Delete(st, s.FirstID)
		s.Trim(st, TrimArgs{Strategy: TrimMaxLen, MaxLen: 1})
		s.Free(st)
	})
}
