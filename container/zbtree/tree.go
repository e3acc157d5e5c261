package zbtree

import (
	"bytes"
	"encoding/binary"
	"math"
)

// Store holds node cells, named by non-zero uint64 handles. Bytes(h)
// returns the whole cell (its length may exceed what Alloc was asked for).
// A cell's bytes stay where they are until it is freed: Alloc and Free do
// not move other cells.
type Store interface {
	Alloc(n int) (h uint64, b []byte)
	Bytes(h uint64) []byte
	Free(h uint64)
}

// Members gives the bytes of the member an element's ref names; the tree
// asks only to order elements of equal score.
type Members interface {
	Member(ref uint64) []byte
}

// Tree is an order-statistics B+tree of (score, ref) elements. The zero
// value is an empty tree. It holds no Go pointer: its nodes live in the
// caller's Store, and the caller passes the same Store (and Members) to
// every call.
type Tree struct {
	root   uint64
	height int // levels; 0 when empty, 1 when the root is a leaf
	count  int
	nodes  int
	// small is the cell size of the root leaf while it is smaller than a
	// node (growRoot); 0 otherwise.
	small int
}

// Len returns the number of elements.
func (t *Tree) Len() int { return t.count }

// Memory returns the bytes of the node cells the tree holds.
func (t *Tree) Memory() int {
	if t.height == 1 && t.small > 0 {
		return t.small
	}
	return t.nodes * layout.size
}

// Height returns the number of levels (0 for an empty tree).
func (t *Tree) Height() int { return t.height }

// NodeSize is the size of every node cell the tree allocates.
func NodeSize() int { return layout.size }

// path records a descent: at inner level l the node p.h[l] and the index
// p.i[l] of the child taken; at the leaf level the leaf and a position.
type path struct {
	h [maxHeight]uint64
	i [maxHeight]int
}

func (t *Tree) view(s Store, h uint64, level int) node {
	if level == t.height-1 {
		return leafView(s.Bytes(h))
	}
	return innerView(s.Bytes(h))
}

// cmpElem orders the stored element (score, ref) against the key
// (ks, km): by score, then by member bytes (shorter first on a common
// prefix), as Redis orders a sorted set. -0 and +0 are equal scores.
func cmpElem(m Members, score float64, ref uint64, ks float64, km []byte) int {
	if score < ks {
		return -1
	}
	if score > ks {
		return 1
	}
	return bytes.Compare(m.Member(ref), km)
}

// childFor is the index of the child whose subtree holds the key: the last
// entry whose separator is <= key, or 0.
func (n node) childFor(m Members, ks float64, km []byte) int {
	lo, hi := 1, n.count()
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if cmpElem(m, n.score(mid), n.ref(mid), ks, km) > 0 {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo - 1
}

// lowerBound is the first index whose element is >= key.
func (n node) lowerBound(m Members, ks float64, km []byte) int {
	lo, hi := 0, n.count()
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if cmpElem(m, n.score(mid), n.ref(mid), ks, km) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// descend walks to the leaf where key is or would go, filling p; it returns
// the leaf, the key's lower bound in it and, if wantRank, its global rank.
func (t *Tree) descend(s Store, m Members, ks float64, km []byte, p *path, wantRank bool) (n node, pos, rank int) {
	h := t.root
	leafLevel := t.height - 1
	for level := range leafLevel {
		in := innerView(s.Bytes(h))
		i := in.childFor(m, ks, km)
		p.h[level], p.i[level] = h, i
		if wantRank {
			rank += in.weight(0, i)
		}
		h = in.child(i)
	}
	n = leafView(s.Bytes(h))
	pos = n.lowerBound(m, ks, km)
	p.h[leafLevel], p.i[leafLevel] = h, pos
	return n, pos, rank + pos
}

// descendRank walks to the leaf holding rank (0 <= rank < Len).
func (t *Tree) descendRank(s Store, rank int, p *path) (n node, pos int) {
	h, pos := t.leafAtRank(s, rank, p)
	return leafView(s.Bytes(h)), pos
}

// leafAtRank returns the leaf holding rank and the position in it,
// recording the path in p unless p is nil (a reader's descent).
func (t *Tree) leafAtRank(s Store, rank int, p *path) (leaf uint64, pos int) {
	h := t.root
	leafLevel := t.height - 1
	for level := range leafLevel {
		in := innerView(s.Bytes(h))
		c := in.count()
		i := 0
		for ; i < c-1; i++ {
			w := in.size(i)
			if rank < w {
				break
			}
			rank -= w
		}
		if p != nil {
			p.h[level], p.i[level] = h, i
		}
		h = in.child(i)
	}
	if p != nil {
		p.h[leafLevel], p.i[leafLevel] = h, rank
	}
	return h, rank
}

// descendLast walks to the last leaf; the position is its end.
func (t *Tree) descendLast(s Store, p *path) (n node, pos int) {
	h := t.root
	leafLevel := t.height - 1
	for level := range leafLevel {
		in := innerView(s.Bytes(h))
		i := in.count() - 1
		p.h[level], p.i[level] = h, i
		h = in.child(i)
	}
	n = leafView(s.Bytes(h))
	pos = n.count()
	p.h[leafLevel], p.i[leafLevel] = h, pos
	return n, pos
}

// addSizes adds d to the subtree sizes along p's inner levels.
func (t *Tree) addSizes(s Store, p *path, d int) {
	for l := range t.height - 1 {
		innerView(s.Bytes(p.h[l])).addSize(p.i[l], d)
	}
}

// fixMin sets the separators naming the subtree of p's node at level, whose
// smallest key is now (score, ref), as far up as that subtree is leftmost.
func (t *Tree) fixMin(s Store, p *path, level int, score float64, ref uint64) {
	for l := level - 1; l >= 0; l-- {
		innerView(s.Bytes(p.h[l])).setKey(p.i[l], score, ref)
		if p.i[l] != 0 {
			return
		}
	}
}

// Insert adds the element (score, ref); m.Member(ref) must already give its
// member, and that member must not be in the tree (the caller checks).
func (t *Tree) Insert(s Store, m Members, score float64, ref uint64) {
	t.insert(s, m, score, ref, false)
}

// AppendSorted adds (score, ref) after every element: the caller guarantees
// that it orders after them (bulk loads of sorted input). Leaves filled this
// way are full but for one entry.
func (t *Tree) AppendSorted(s Store, score float64, ref uint64) {
	t.insert(s, nil, score, ref, true)
}

func (t *Tree) insert(s Store, m Members, score float64, ref uint64, atEnd bool) {
	if t.height == 0 {
		c := min(firstLeafCap, layout.leafCap)
		h, b := s.Alloc(leafAlloc(c))
		n := newLeaf(b, c)
		n.setCount(1)
		n.setKey(0, score, ref)
		t.root, t.height, t.count, t.nodes = h, 1, 1, 1
		t.setSmall(c)
		return
	}
	leafLevel := t.height - 1
	for {
		var p path
		var n node
		var pos int
		if atEnd {
			n, pos = t.descendLast(s, &p)
			if c := n.count(); c > 0 && n.score(c-1) > score {
				panic("zbtree: AppendSorted out of order")
			}
		} else {
			n, pos, _ = t.descend(s, m, score, m.Member(ref), &p, false)
		}
		leafLevel = t.height - 1
		if n.count() < n.cap {
			n.open(pos, 1)
			n.setKey(pos, score, ref)
			t.addSizes(s, &p, 1)
			if pos == 0 {
				t.fixMin(s, &p, leafLevel, score, ref)
			}
			t.count++
			return
		}
		if t.height == 1 && n.cap < layout.leafCap {
			t.growRoot(s, n)
			continue
		}
		t.makeRoom(s, &p, leafLevel, pos)
	}
}

// growRoot moves the full root leaf n, smaller than a node, to a cell of
// twice its capacity (at most a node's).
func (t *Tree) growRoot(s Store, n node) {
	nc := min(2*n.cap, layout.leafCap)
	h, b := s.Alloc(leafAlloc(nc))
	nn := newLeaf(b, nc)
	c := n.count()
	copyEntries(nn, 0, n, 0, c)
	nn.setCount(c)
	s.Free(t.root)
	t.root = h
	t.setSmall(nc)
}

// leafAlloc is the cell size to ask for a leaf of capacity c: a whole node
// at a node's capacity, so that every leaf but a small root is one.
func leafAlloc(c int) int {
	if c >= layout.leafCap {
		return layout.size
	}
	return leafSize(c)
}

// setSmall records the root leaf's capacity c (Memory, Clone).
func (t *Tree) setSmall(c int) {
	t.small = 0
	if c < layout.leafCap {
		t.small = leafSize(c)
	}
}

// makeRoom acts on the full node p.h[level], where an entry was to go at
// index at, so that a fresh descent finds room: it shifts entries into a
// sibling with room, or splits the node (first making room in its parent,
// or growing a new root). The caller descends again after it.
func (t *Tree) makeRoom(s Store, p *path, level, at int) {
	if level == 0 {
		b := s.Bytes(t.root)
		var first node
		if t.height == 1 {
			first = leafView(b)
		} else {
			first = innerView(b)
		}
		sc, rf := first.firstKey()
		h, nb := s.Alloc(layout.size)
		t.small = 0 // the root leaf split is full: a whole node
		nr := innerView(nb)
		nr.setCount(1)
		nr.setKey(0, sc, rf)
		nr.setWord(colChild, 0, t.root)
		nr.setWord(colSize, 0, uint64(t.count))
		t.root = h
		t.height++
		t.nodes++
		return
	}
	n := t.view(s, p.h[level], level)
	par := innerView(s.Bytes(p.h[level-1]))
	ci, pc := p.i[level-1], par.count()
	c := n.count()
	// Inserts at a node's edge are most likely sequential (ascending
	// loads append, Redis's RDB order prepends): split there so that the
	// node left behind stays full. Elsewhere fill a sibling first.
	edge := at <= 1 || at >= c
	if !edge {
		minShift := max(1, n.cap/16)
		if ci > 0 {
			left := t.view(s, par.child(ci-1), level)
			if room := n.cap - left.count(); room >= minShift {
				moveLeft(par, ci-1, left, n, (room+1)/2)
				return
			}
		}
		if ci+1 < pc {
			right := t.view(s, par.child(ci+1), level)
			if room := n.cap - right.count(); room >= minShift {
				moveRight(par, ci, n, right, (room+1)/2)
				return
			}
		}
	}
	if pc == par.cap {
		t.makeRoom(s, p, level-1, ci+1)
		return
	}
	keep := c / 2
	switch {
	case at <= 1:
		keep = 1
	case at >= c:
		keep = c - 1
	}
	h, nb := s.Alloc(layout.size)
	nn := node{b: nb, start: innerHeader, cap: n.cap}
	if n.leaf {
		nn = newLeaf(nb, n.cap)
	}
	moved := c - keep
	copyEntries(nn, 0, n, keep, moved)
	nn.setCount(moved)
	w := n.weight(keep, moved)
	n.setCount(keep)
	if n.leaf {
		next := n.next()
		nn.setPrev(p.h[level])
		nn.setNext(next)
		if next != 0 {
			leafView(s.Bytes(next)).setPrev(h)
		}
		n.setNext(h)
	}
	par.open(ci+1, 1)
	sc, rf := nn.firstKey()
	par.setKey(ci+1, sc, rf)
	par.setWord(colChild, ci+1, h)
	par.setWord(colSize, ci+1, uint64(w))
	par.addSize(ci, -w)
	t.nodes++
}

// moveLeft moves the first k entries of b (child j+1 of par) to the end of
// a (child j).
func moveLeft(par node, j int, a, b node, k int) {
	ac := a.count()
	w := b.weight(0, k)
	a.compact(k)
	copyEntries(a, ac, b, 0, k)
	a.setCount(ac + k)
	b.remove(0, k)
	par.addSize(j, w)
	par.addSize(j+1, -w)
	sc, rf := b.firstKey()
	par.setKey(j+1, sc, rf)
}

// moveRight moves the last k entries of a (child j of par) to the front of
// b (child j+1).
func moveRight(par node, j int, a, b node, k int) {
	ac := a.count()
	w := a.weight(ac-k, k)
	b.open(0, k)
	copyEntries(b, 0, a, ac-k, k)
	a.setCount(ac - k)
	par.addSize(j, -w)
	par.addSize(j+1, w)
	sc, rf := b.firstKey()
	par.setKey(j+1, sc, rf)
}

// minFill is the count below which a node merges with or borrows from a
// sibling after a delete.
func minFill(n node) int { return max(1, n.cap/3) }

// unlink takes leaf n (handle h) out of the leaf chain.
func unlink(s Store, n node) {
	prev, next := n.prev(), n.next()
	if prev != 0 {
		leafView(s.Bytes(prev)).setNext(next)
	}
	if next != 0 {
		leafView(s.Bytes(next)).setPrev(prev)
	}
}

// rebalance repairs the nodes along p after entries left its leaf: an empty
// node goes, an underfull one merges with or borrows from a sibling, and a
// root with one child gives way to it.
func (t *Tree) rebalance(s Store, p *path) {
	for level := t.height - 1; level > 0; level-- {
		n := t.view(s, p.h[level], level)
		c := n.count()
		par := innerView(s.Bytes(p.h[level-1]))
		ci := p.i[level-1]
		if c == 0 {
			if n.leaf {
				unlink(s, n)
			}
			s.Free(p.h[level])
			t.nodes--
			par.remove(ci, 1)
			if ci == 0 && par.count() > 0 {
				sc, rf := par.firstKey()
				t.fixMin(s, p, level-1, sc, rf)
			}
			continue
		}
		if c >= minFill(n) || par.count() == 1 {
			break
		}
		j := ci
		if ci > 0 {
			j = ci - 1
		}
		a := t.view(s, par.child(j), level)
		b := t.view(s, par.child(j+1), level)
		ac, bc := a.count(), b.count()
		if ac+bc <= n.cap {
			w := b.weight(0, bc)
			a.compact(bc)
			copyEntries(a, ac, b, 0, bc)
			a.setCount(ac + bc)
			if a.leaf {
				unlink(s, b)
			}
			s.Free(par.child(j + 1))
			t.nodes--
			par.addSize(j, w)
			par.remove(j+1, 1)
			continue
		}
		if half := (ac + bc) / 2; ac < half {
			moveLeft(par, j, a, b, half-ac)
		} else if ac > half {
			moveRight(par, j, a, b, ac-half)
		}
		break
	}
	t.collapse(s)
}

// collapse drops an empty root, and a root with a single child.
func (t *Tree) collapse(s Store) {
	for t.height > 0 {
		n := t.view(s, t.root, 0)
		c := n.count()
		if c == 0 {
			s.Free(t.root)
			t.root, t.height, t.nodes = 0, 0, t.nodes-1
			return
		}
		if n.leaf || c > 1 {
			return
		}
		child := n.child(0)
		s.Free(t.root)
		t.nodes--
		t.root = child
		t.height--
	}
}

// found reports whether the element at pos of leaf n is (score, member).
func found(m Members, n node, pos int, score float64, member []byte) bool {
	return pos < n.count() && n.score(pos) == score && bytes.Equal(m.Member(n.ref(pos)), member)
}

// Delete removes the element (score, member) and returns its ref.
func (t *Tree) Delete(s Store, m Members, score float64, member []byte) (ref uint64, ok bool) {
	if t.height == 0 {
		return 0, false
	}
	var p path
	n, pos, _ := t.descend(s, m, score, member, &p, false)
	if !found(m, n, pos, score, member) {
		return 0, false
	}
	ref = n.ref(pos)
	n.remove(pos, 1)
	t.addSizes(s, &p, -1)
	t.count--
	if pos == 0 && n.count() > 0 {
		sc, rf := n.firstKey()
		t.fixMin(s, &p, t.height-1, sc, rf)
	}
	t.rebalance(s, &p)
	return ref, true
}

// Update changes the score of the element (oldScore, member) to newScore,
// keeping its ref, as ZADD and ZINCRBY do to a member already there; false
// if the element is not in the tree. When the new score keeps the element
// between its neighbours in its leaf it is rewritten in place (one
// descent), else it is deleted and inserted again.
func (t *Tree) Update(s Store, m Members, oldScore float64, member []byte, newScore float64) bool {
	if t.height == 0 {
		return false
	}
	var p path
	n, pos, _ := t.descend(s, m, oldScore, member, &p, false)
	if !found(m, n, pos, oldScore, member) {
		return false
	}
	ref := n.ref(pos)
	c := n.count()
	if pos > 0 && pos < c-1 &&
		cmpElem(m, n.score(pos-1), n.ref(pos-1), newScore, member) < 0 &&
		cmpElem(m, n.score(pos+1), n.ref(pos+1), newScore, member) > 0 {
		n.setKey(pos, newScore, ref)
		return true
	}
	if _, ok := t.Delete(s, m, oldScore, member); !ok {
		panic("zbtree: Update lost its element")
	}
	t.Insert(s, m, newScore, ref)
	return true
}

// Rank returns the 0-based ascending rank of (score, member).
func (t *Tree) Rank(s Store, m Members, score float64, member []byte) (rank int, ok bool) {
	if t.height == 0 {
		return 0, false
	}
	var p path
	n, pos, rank := t.descend(s, m, score, member, &p, true)
	if !found(m, n, pos, score, member) {
		return 0, false
	}
	return rank, true
}

// At returns the element of rank (0 <= rank < Len).
func (t *Tree) At(s Store, rank int) (score float64, ref uint64) {
	if rank < 0 || rank >= t.count {
		panic("zbtree: At out of range")
	}
	var p path
	n, pos := t.descendRank(s, rank, &p)
	return n.score(pos), n.ref(pos)
}

// CountBelow returns the number of elements whose score is < score, or
// <= score if inclusive.
func (t *Tree) CountBelow(s Store, score float64, inclusive bool) int {
	if t.height == 0 {
		return 0
	}
	below := func(x float64) bool {
		if inclusive {
			return x <= score
		}
		return x < score
	}
	h, total := t.root, 0
	for range t.height - 1 {
		n := innerView(s.Bytes(h))
		k := firstNot(n, below)
		if k == 0 {
			return total
		}
		total += n.weight(0, k-1)
		h = n.child(k - 1)
	}
	return total + firstNot(leafView(s.Bytes(h)), below)
}

// firstNot is the first index whose score is not below (scores ascend).
func firstNot(n node, below func(float64) bool) int {
	lo, hi := 0, n.count()
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if below(n.score(mid)) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// CountBelowLex returns the number of elements whose member is < member
// (<= if inclusive), comparing member bytes alone, as Redis's lex ranges
// do: meaningful when all scores are equal.
func (t *Tree) CountBelowLex(s Store, m Members, member []byte, inclusive bool) int {
	if t.height == 0 {
		return 0
	}
	limit := 0
	if inclusive {
		limit = 1
	}
	h, total := t.root, 0
	for range t.height - 1 {
		n := innerView(s.Bytes(h))
		k := firstNotLex(n, m, member, limit)
		if k == 0 {
			return total
		}
		total += n.weight(0, k-1)
		h = n.child(k - 1)
	}
	return total + firstNotLex(leafView(s.Bytes(h)), m, member, limit)
}

// firstNotLex is the first index whose member compares >= limit against
// member (limit 0: not <; limit 1: not <=).
func firstNotLex(n node, m Members, member []byte, limit int) int {
	lo, hi := 0, n.count()
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if bytes.Compare(m.Member(n.ref(mid)), member) < limit {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// DeleteRange removes the elements of ranks [from, to] (clamped to the
// tree), calling fn (if not nil) on each in ascending order before it goes.
// It works leaf by leaf: O(log n) per leaf touched plus O(1) per element.
func (t *Tree) DeleteRange(s Store, from, to int, fn func(score float64, ref uint64)) {
	from = max(from, 0)
	to = min(to, t.count-1)
	for remaining := to - from + 1; remaining > 0; {
		var p path
		n, pos := t.descendRank(s, from, &p)
		k := min(remaining, n.count()-pos)
		if fn != nil {
			for i := pos; i < pos+k; i++ {
				fn(n.score(i), n.ref(i))
			}
		}
		n.remove(pos, k)
		t.addSizes(s, &p, -k)
		t.count -= k
		remaining -= k
		if pos == 0 && n.count() > 0 {
			sc, rf := n.firstKey()
			t.fixMin(s, &p, t.height-1, sc, rf)
		}
		t.rebalance(s, &p)
	}
}

// Release frees the tree's nodes, about budget of them per call, last leaf
// first, so that a huge tree can be freed in slices. It returns true once
// the tree is empty. Once called, only Release, Len and Memory may be used
// until it returns true; Len is 0 from the first call.
func (t *Tree) Release(s Store, budget int) (done bool) {
	t.count = 0
	for t.height > 0 {
		if budget <= 0 {
			return false
		}
		var p path
		h := t.root
		for level := range t.height - 1 {
			p.h[level] = h
			n := innerView(s.Bytes(h))
			h = n.child(n.count() - 1)
		}
		s.Free(h)
		t.nodes--
		budget--
		level := t.height - 2
		for ; level >= 0; level-- {
			n := innerView(s.Bytes(p.h[level]))
			c := n.count() - 1
			n.setCount(c)
			if c > 0 {
				break
			}
			s.Free(p.h[level])
			t.nodes--
			budget--
		}
		if level < 0 {
			t.root, t.height = 0, 0
		}
	}
	return true
}

// Clone returns a deep copy of the tree's nodes in s; refs are copied as
// they are.
func (t *Tree) Clone(s Store) Tree {
	c := Tree{height: t.height, count: t.count, nodes: t.nodes, small: t.small}
	if t.height > 0 {
		var last uint64
		c.root = t.cloneNode(s, t.root, 0, &last)
	}
	return c
}

func (t *Tree) cloneNode(s Store, h uint64, level int, last *uint64) uint64 {
	src := s.Bytes(h)
	size := layout.size
	if t.height == 1 && t.small > 0 {
		size = t.small // a small root leaf
	}
	nh, nb := s.Alloc(size)
	copy(nb[:size], src[:size])
	if level == t.height-1 {
		n := leafView(nb)
		n.setPrev(*last)
		n.setNext(0)
		if *last != 0 {
			leafView(s.Bytes(*last)).setNext(nh)
		}
		*last = nh
		return nh
	}
	n := innerView(nb)
	for i := range n.count() {
		ch := t.cloneNode(s, n.child(i), level+1, last)
		innerView(s.Bytes(nh)).setWord(colChild, i, ch)
	}
	return nh
}

// Remap replaces every ref r by fn(r), in ascending order, separators
// included: after a Clone whose copy gets its own member cells (COPY), the
// caller copies each member in fn and returns the new cell's handle. The
// new refs must name the same members (the order is not checked).
func (t *Tree) Remap(s Store, fn func(ref uint64) uint64) {
	if t.height > 0 {
		t.remapNode(s, t.root, 0, fn)
	}
}

func (t *Tree) remapNode(s Store, h uint64, level int, fn func(uint64) uint64) {
	n := t.view(s, h, level)
	c := n.count()
	if n.leaf {
		for i := range c {
			n.setWord(colRef, i, fn(n.ref(i)))
		}
		return
	}
	for i := range c {
		ch := n.child(i)
		t.remapNode(s, ch, level+1, fn)
		// The child's first entry is its subtree's first element, now
		// remapped: the separator takes its new ref.
		n = t.view(s, h, level)
		n.setWord(colRef, i, t.view(s, ch, level+1).ref(0))
	}
}

// Iter is a position in the tree: a value, no allocation. Any change to
// the tree invalidates it.
//
// It keeps the leaf's cell and the byte offsets of its two columns rather
// than a node view: a step inside a leaf is then two loads at computed
// offsets, where a view copied through memory on every step cost as much
// again as the loads.
type Iter struct {
	leaf   uint64 // 0 when not valid
	b      []byte // the leaf's cell: a step inside a leaf asks the Store nothing
	scores int    // byte offset of slot idx 0's score (the leaf's lo included)
	refs   int    // likewise of its ref
	cnt    int    // the leaf's count, read once per leaf
	idx    int
	rank   int
	score  float64
	ref    uint64
}

// SeekRank returns an Iter at rank; it is not valid if rank is out of
// range.
func (t *Tree) SeekRank(s Store, rank int) Iter {
	if rank < 0 || rank >= t.count {
		return Iter{}
	}
	h, pos := t.leafAtRank(s, rank, nil)
	var it Iter
	it.enter(s, h, pos)
	it.rank = rank
	return it
}

// enter moves to entry pos of leaf h; pos -1 is its last entry.
func (it *Iter) enter(s Store, h uint64, pos int) {
	n := leafView(s.Bytes(h))
	it.leaf, it.b, it.cnt = h, n.b, n.count()
	if pos < 0 {
		pos = it.cnt - 1
	}
	it.idx = pos
	it.scores, it.refs = n.off(colScore, 0), n.off(colRef, 0)
	it.load()
}

// load reads the entry at idx.
func (it *Iter) load() {
	o := 8 * it.idx
	it.score = math.Float64frombits(binary.LittleEndian.Uint64(it.b[it.scores+o:]))
	it.ref = binary.LittleEndian.Uint64(it.b[it.refs+o:])
}

// Valid reports whether the Iter is at an element.
func (it *Iter) Valid() bool { return it.leaf != 0 }

// Score returns the current element's score.
func (it *Iter) Score() float64 { return it.score }

// Ref returns the current element's ref.
func (it *Iter) Ref() uint64 { return it.ref }

// Rank returns the current element's rank.
func (it *Iter) Rank() int { return it.rank }

// Next moves to the next element (the Iter becomes invalid past the last).
func (it *Iter) Next(s Store) {
	it.idx++
	it.rank++
	if it.idx >= it.cnt {
		it.nextLeaf(s)
		return
	}
	it.load()
}

// nextLeaf moves to the first entry of the next leaf, out of Next's line.
func (it *Iter) nextLeaf(s Store) {
	h := node{b: it.b}.next()
	if h == 0 {
		*it = Iter{}
		return
	}
	it.enter(s, h, 0)
}

// Prev moves to the previous element (invalid before the first).
func (it *Iter) Prev(s Store) {
	it.idx--
	it.rank--
	if it.idx < 0 {
		it.prevLeaf(s)
		return
	}
	it.load()
}

// prevLeaf moves to the last entry of the previous leaf.
func (it *Iter) prevLeaf(s Store) {
	h := node{b: it.b}.prev()
	if h == 0 {
		*it = Iter{}
		return
	}
	it.enter(s, h, -1)
}
