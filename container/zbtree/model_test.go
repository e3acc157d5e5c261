package zbtree

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// chooser is where the op interpreter gets its choices: a seeded random
// source in TestModel, the fuzzer's bytes in FuzzOps.
type chooser interface {
	intn(n int) int // in [0, n)
	done() bool
}

type randChooser struct {
	r    *rand.Rand
	left int
}

func (c *randChooser) intn(n int) int { return c.r.IntN(n) }
func (c *randChooser) done() bool     { c.left--; return c.left < 0 }

type byteChooser struct{ b []byte }

func (c *byteChooser) intn(n int) int {
	if len(c.b) == 0 {
		return 0
	}
	v := int(c.b[0])
	if n > 256 && len(c.b) > 1 {
		v = v<<8 | int(c.b[1])
		c.b = c.b[1:]
	}
	c.b = c.b[1:]
	return v % n
}
func (c *byteChooser) done() bool { return len(c.b) == 0 }

// scorePool has many equal scores, infinities and both zeros.
var scorePool = []float64{math.Inf(-1), -1e300, -2.5, -1, math.Copysign(0, -1), 0, 0.5, 1, 1, 2, 3, 1e300, math.Inf(1)}

// harness runs ops against the tree and the model side by side.
type harness struct {
	t          testing.TB
	c          chooser
	s          *checkStore
	mt         *memberTable
	tree       Tree
	md         model
	lexOnly    bool // every score is ±0, so lex counts are meaningful
	checkEvery int
	ops        int
}

func (h *harness) pickMember() string {
	// A small alphabet of short strings makes prefixes and repeats likely.
	n := h.c.intn(4)
	var sb strings.Builder
	for range n {
		sb.WriteByte("ab\x00\xff"[h.c.intn(4)])
	}
	return sb.String()
}

func (h *harness) pickScore() float64 {
	if h.lexOnly {
		if h.c.intn(2) == 0 {
			return math.Copysign(0, -1)
		}
		return 0
	}
	if h.c.intn(8) == 0 {
		return float64(h.c.intn(1000)) / 7
	}
	return scorePool[h.c.intn(len(scorePool))]
}

func (h *harness) check(op string) {
	h.ops++
	if h.checkEvery > 1 && h.ops%h.checkEvery != 0 {
		return
	}
	if _, err := h.tree.Check(h.s, h.mt); err != nil {
		h.t.Fatalf("after %s (op %d, len %d): %v", op, h.ops, h.tree.Len(), err)
	}
	if h.tree.Len() != len(h.md) {
		h.t.Fatalf("after %s: Len %d, model %d", op, h.tree.Len(), len(h.md))
	}
}

func (h *harness) insert() {
	member := h.pickMember()
	for _, e := range h.md {
		if e.member == member {
			return // a set holds each member once
		}
	}
	score := h.pickScore()
	ref := h.mt.add([]byte(member))
	e := elem{score, member, ref}
	i, _ := h.md.find(score, member)
	h.md = slices.Insert(h.md, i, e)
	h.tree.Insert(h.s, h.mt, score, ref)
	h.check("insert")
}

// appendMax appends an element after all others with AppendSorted.
func (h *harness) appendMax() {
	score := h.pickScore()
	member := h.pickMember()
	if len(h.md) > 0 {
		last := h.md[len(h.md)-1]
		if score < last.score {
			score = last.score
		}
		if score == last.score {
			member = last.member + member + "z"
		}
		for _, e := range h.md {
			if e.member == member {
				return
			}
		}
	}
	ref := h.mt.add([]byte(member))
	h.md = append(h.md, elem{score, member, ref})
	h.tree.AppendSorted(h.s, score, ref)
	h.check("append")
}

func (h *harness) pickExisting() (elem, bool) {
	if len(h.md) == 0 || h.c.intn(5) == 0 {
		return elem{score: h.pickScore(), member: h.pickMember()}, false
	}
	return h.md[h.c.intn(len(h.md))], true
}

func (h *harness) del() {
	e, _ := h.pickExisting()
	i, found := h.md.find(e.score, e.member)
	ref, ok := h.tree.Delete(h.s, h.mt, e.score, []byte(e.member))
	if ok != found {
		h.t.Fatalf("Delete(%v %q) = %v, model %v", e.score, e.member, ok, found)
	}
	if found {
		if ref != h.md[i].ref {
			h.t.Fatalf("Delete ref %d, want %d", ref, h.md[i].ref)
		}
		h.md = slices.Delete(h.md, i, i+1)
	}
	h.check("delete")
}

func (h *harness) update() {
	e, _ := h.pickExisting()
	i, found := h.md.find(e.score, e.member)
	newScore := h.pickScore()
	if h.c.intn(2) == 0 && found && !h.lexOnly {
		// A nudge, which mostly keeps the element in place.
		newScore = math.Nextafter(e.score, math.Inf(1))
	}
	ok := h.tree.Update(h.s, h.mt, e.score, []byte(e.member), newScore)
	if ok != found {
		h.t.Fatalf("Update(%v %q) = %v, model %v", e.score, e.member, ok, found)
	}
	if found {
		e = h.md[i]
		h.md = slices.Delete(h.md, i, i+1)
		e.score = newScore
		j, _ := h.md.find(e.score, e.member)
		h.md = slices.Insert(h.md, j, e)
	}
	h.check("update")
}

func (h *harness) rank() {
	e, _ := h.pickExisting()
	i, found := h.md.find(e.score, e.member)
	r, ok := h.tree.Rank(h.s, h.mt, e.score, []byte(e.member))
	if ok != found || found && r != i {
		h.t.Fatalf("Rank(%v %q) = %d %v, model %d %v", e.score, e.member, r, ok, i, found)
	}
}

func (h *harness) at() {
	if len(h.md) == 0 {
		return
	}
	i := h.c.intn(len(h.md))
	sc, ref := h.tree.At(h.s, i)
	if math.Float64bits(sc) != math.Float64bits(h.md[i].score) || ref != h.md[i].ref {
		h.t.Fatalf("At(%d) = %v %d, model %v %d", i, sc, ref, h.md[i].score, h.md[i].ref)
	}
}

func (h *harness) countBelow() {
	sc := h.pickScore()
	incl := h.c.intn(2) == 0
	if got, want := h.tree.CountBelow(h.s, sc, incl), h.md.countBelow(sc, incl); got != want {
		h.t.Fatalf("CountBelow(%v, %v) = %d, model %d", sc, incl, got, want)
	}
	if h.lexOnly {
		m := []byte(h.pickMember())
		if got, want := h.tree.CountBelowLex(h.s, h.mt, m, incl), h.md.countBelowLex(m, incl); got != want {
			h.t.Fatalf("CountBelowLex(%q, %v) = %d, model %d", m, incl, got, want)
		}
	}
}

func (h *harness) iterate() {
	r := h.c.intn(len(h.md)+2) - 1
	it := h.tree.SeekRank(h.s, r)
	if it.Valid() != (r >= 0 && r < len(h.md)) {
		h.t.Fatalf("SeekRank(%d) valid %v with len %d", r, it.Valid(), len(h.md))
	}
	if !it.Valid() {
		return
	}
	fwd := h.c.intn(2) == 0
	for steps := h.c.intn(3 * layout.leafCap); steps >= 0; steps-- {
		if !it.Valid() {
			if r >= 0 && r < len(h.md) {
				h.t.Fatalf("iterator ended at rank %d of %d", r, len(h.md))
			}
			return
		}
		e := h.md[r]
		if it.Rank() != r || it.Ref() != e.ref || math.Float64bits(it.Score()) != math.Float64bits(e.score) {
			h.t.Fatalf("iterator at rank %d: %d %v %d, model %v %d", r, it.Rank(), it.Score(), it.Ref(), e.score, e.ref)
		}
		if fwd {
			it.Next(h.s)
			r++
		} else {
			it.Prev(h.s)
			r--
		}
	}
}

func (h *harness) deleteRange() {
	if len(h.md) == 0 {
		return
	}
	from := h.c.intn(len(h.md))
	if h.c.intn(4) == 0 {
		from = 0 // ZPOPMIN: the leaves' first slots move (node.remove)
	}
	to := from + h.c.intn(min(len(h.md)-from, 2*layout.leafCap+3))
	if h.c.intn(10) == 0 {
		to = len(h.md) + 5 // clamped
	}
	want := h.md[from:min(to+1, len(h.md))]
	var got []elem
	h.tree.DeleteRange(h.s, from, to, func(sc float64, ref uint64) {
		got = append(got, elem{score: sc, ref: ref})
	})
	if len(got) != len(want) {
		h.t.Fatalf("DeleteRange(%d, %d) removed %d, model %d", from, to, len(got), len(want))
	}
	for i := range got {
		if got[i].ref != want[i].ref || math.Float64bits(got[i].score) != math.Float64bits(want[i].score) {
			h.t.Fatalf("DeleteRange(%d, %d) element %d: %v %d, model %v %d", from, to, i, got[i].score, got[i].ref, want[i].score, want[i].ref)
		}
	}
	h.md = slices.Delete(h.md, from, min(to+1, len(h.md)))
	h.check("deleteRange")
}

// cloneSwap clones the tree, releases the original in small steps and
// carries on with the clone.
func (h *harness) cloneSwap() {
	c := h.tree.Clone(h.s)
	if c.Memory() != h.tree.Memory() {
		h.t.Fatalf("clone memory %d, original %d", c.Memory(), h.tree.Memory())
	}
	if h.c.intn(2) == 0 {
		// The copy gets its own member cells, as COPY gives it.
		i := 0
		c.Remap(h.s, func(ref uint64) uint64 {
			if ref != h.md[i].ref {
				h.t.Fatalf("Remap saw ref %d at %d, model %d", ref, i, h.md[i].ref)
			}
			h.md[i].ref = h.mt.add(slices.Clone(h.mt.Member(ref)))
			i++
			return h.md[i-1].ref
		})
		if i != len(h.md) {
			h.t.Fatalf("Remap saw %d refs of %d", i, len(h.md))
		}
	}
	h.release(&h.tree)
	h.tree = c
	h.check("clone")
}

func (h *harness) release(t *Tree) {
	for i := 0; ; i++ {
		if t.Release(h.s, 1+h.c.intn(3)) {
			break
		}
		if i > 1<<20 {
			h.t.Fatal("Release never finished")
		}
	}
	if t.Len() != 0 || t.Memory() != 0 || t.Height() != 0 {
		h.t.Fatalf("released tree: len %d memory %d height %d", t.Len(), t.Memory(), t.Height())
	}
}

func (h *harness) run() {
	for !h.c.done() {
		switch op := h.c.intn(22); {
		case op < 7:
			h.insert()
		case op < 8:
			h.appendMax()
		case op < 11:
			h.del()
		case op < 13:
			h.rank()
		case op < 14:
			h.at()
		case op < 15:
			h.countBelow()
		case op < 17:
			h.iterate()
		case op < 18:
			if h.c.intn(4) == 0 {
				h.deleteRange()
			}
		case op < 19:
			if h.c.intn(30) == 0 {
				h.cloneSwap()
			}
		case op < 21:
			h.update()
		default:
			// Grow fast now and then, so that splits cascade.
			for range h.c.intn(4 * layout.leafCap) {
				h.insert()
			}
		}
	}
	h.checkEvery = 1
	h.check("end")
	h.release(&h.tree)
	if len(h.s.cells) != 0 {
		h.t.Fatalf("%d cells leaked", len(h.s.cells))
	}
}

var testLayouts = []struct{ leaf, inner int }{
	{3, 3}, {4, 4}, {5, 8}, {16, 5}, {0, 0},
}

func TestModel(t *testing.T) {
	for _, lay := range testLayouts {
		for _, lexOnly := range []bool{false, true} {
			for seed := range uint64(6) {
				name := fmt.Sprintf("leaf%d-inner%d-lex%v-seed%d", lay.leaf, lay.inner, lexOnly, seed)
				t.Run(name, func(t *testing.T) {
					withLayout(t, lay.leaf, lay.inner, func() {
						h := &harness{
							t:       t,
							c:       &randChooser{r: rand.New(rand.NewPCG(seed, 99)), left: 4000},
							s:       newCheckStore(t),
							mt:      &memberTable{},
							lexOnly: lexOnly,
						}
						h.run()
					})
				})
			}
		}
	}
}

// TestBigRandom builds bigger trees under the small layouts, with fewer
// invariant checks, so that heights of 5+ see merges and splits cascade.
func TestBigRandom(t *testing.T) {
	for _, lay := range testLayouts[:3] {
		t.Run(fmt.Sprintf("leaf%d-inner%d", lay.leaf, lay.inner), func(t *testing.T) {
			withLayout(t, lay.leaf, lay.inner, func() {
				h := &harness{
					t:          t,
					c:          &randChooser{r: rand.New(rand.NewPCG(7, 7)), left: 30000},
					s:          newCheckStore(t),
					mt:         &memberTable{},
					checkEvery: 97,
				}
				// Members from a bigger alphabet, so that the tree grows.
				for i := range 3000 {
					m := fmt.Sprintf("m%05d", (i*7919)%3000)
					sc := scorePool[i%len(scorePool)]
					ref := h.mt.add([]byte(m))
					e := elem{sc, m, ref}
					j, _ := h.md.find(sc, m)
					h.md = slices.Insert(h.md, j, e)
					h.tree.Insert(h.s, h.mt, sc, ref)
				}
				h.check("load")
				if h.tree.Height() < 4 {
					t.Fatalf("height %d: the layout does not exercise deep trees", h.tree.Height())
				}
				h.run()
			})
		})
	}
}

func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte("\x13\x13\x13\x13\x13\x13\x00\x01\x02\x0e\x0f\x11\x11\x05"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 2 {
			return
		}
		lay := testLayouts[int(b[0])%len(testLayouts)]
		lexOnly := b[1]&1 == 1
		withLayout(t, lay.leaf, lay.inner, func() {
			h := &harness{
				t:       t,
				c:       &byteChooser{b: b[2:]},
				s:       newCheckStore(t),
				mt:      &memberTable{},
				lexOnly: lexOnly,
			}
			h.run()
		})
	})
}
