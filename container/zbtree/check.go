package zbtree

import (
	"fmt"
)

// Stats describes a tree's shape: its node counts and how full they are.
type Stats struct {
	Height, Leaves, Inners int
	LeafEntries            int // elements
	InnerEntries           int // child links
	LeafCap, InnerCap      int
}

// LeafFill is the mean fraction of leaf slots in use.
func (st Stats) LeafFill() float64 {
	if st.Leaves == 0 {
		return 0
	}
	return float64(st.LeafEntries) / float64(st.Leaves*st.LeafCap)
}

// Check verifies every invariant of the tree and returns its shape: node
// counts within capacity (a leaf's counted from its first slot) and
// non-empty, a root with one child only if it is a leaf, separators equal
// to their subtree's first element, subtree sizes exact, elements strictly
// ordered (by score, then member bytes), the leaf chain linked both ways in
// order, and the totals Len and Memory report.
// It is for tests: it walks the whole tree and allocates.
func (t *Tree) Check(s Store, m Members) (Stats, error) {
	st := Stats{Height: t.height, LeafCap: layout.leafCap, InnerCap: layout.innerCap}
	if t.height == 0 {
		if t.root != 0 || t.count != 0 || t.nodes != 0 {
			return st, fmt.Errorf("empty tree with root %d count %d nodes %d", t.root, t.count, t.nodes)
		}
		return st, nil
	}
	c := checker{t: t, s: s, m: m, st: &st}
	n, err := c.walk(t.root, 0)
	if err != nil {
		return st, err
	}
	if n != t.count {
		return st, fmt.Errorf("tree holds %d elements, Len says %d", n, t.count)
	}
	if st.Leaves+st.Inners != t.nodes {
		return st, fmt.Errorf("tree holds %d nodes, counted %d", st.Leaves+st.Inners, t.nodes)
	}
	if c.lastLeaf != 0 && leafView(s.Bytes(c.lastLeaf)).next() != 0 {
		return st, fmt.Errorf("last leaf %d has a next", c.lastLeaf)
	}
	if t.height > 1 && innerView(s.Bytes(t.root)).count() < 2 {
		return st, fmt.Errorf("inner root with one child")
	}
	return st, nil
}

type checker struct {
	t        *Tree
	s        Store
	m        Members
	st       *Stats
	lastLeaf uint64
	seen     bool
	score    float64
	ref      uint64
}

// walk checks the subtree at h and returns its element count.
func (c *checker) walk(h uint64, level int) (int, error) {
	n := c.t.view(c.s, h, level)
	cnt := n.count()
	if cnt < 1 || n.lo()+cnt > n.cap {
		return 0, fmt.Errorf("node %d at level %d holds %d entries from slot %d (cap %d)", h, level, cnt, n.lo(), n.cap)
	}
	if n.leaf {
		c.st.Leaves++
		c.st.LeafEntries += cnt
		if n.prev() != c.lastLeaf {
			return 0, fmt.Errorf("leaf %d prev %d, want %d", h, n.prev(), c.lastLeaf)
		}
		if c.lastLeaf != 0 && leafView(c.s.Bytes(c.lastLeaf)).next() != h {
			return 0, fmt.Errorf("leaf %d next is not %d", c.lastLeaf, h)
		}
		c.lastLeaf = h
		for i := range cnt {
			sc, rf := n.score(i), n.ref(i)
			if sc != sc {
				return 0, fmt.Errorf("NaN score in leaf %d", h)
			}
			if c.seen && cmpElem(c.m, c.score, c.ref, sc, c.m.Member(rf)) >= 0 {
				return 0, fmt.Errorf("leaf %d entry %d (%v %q) not after (%v %q)", h, i, sc, c.m.Member(rf), c.score, c.m.Member(c.ref))
			}
			c.seen, c.score, c.ref = true, sc, rf
		}
		return cnt, nil
	}
	c.st.Inners++
	c.st.InnerEntries += cnt
	total := 0
	for i := range cnt {
		ch := n.child(i)
		chView := c.t.view(c.s, ch, level+1)
		if chView.count() > 0 {
			sc, rf := chView.firstKey()
			if chView.word(colScore, 0) != n.word(colScore, i) || rf != n.ref(i) {
				return 0, fmt.Errorf("inner %d entry %d separator (%v %d), child starts (%v %d)", h, i, n.score(i), n.ref(i), sc, rf)
			}
		}
		k, err := c.walk(ch, level+1)
		if err != nil {
			return 0, err
		}
		if k != n.size(i) {
			return 0, fmt.Errorf("inner %d entry %d size %d, subtree holds %d", h, i, n.size(i), k)
		}
		total += k
	}
	return total, nil
}
