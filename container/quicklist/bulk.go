package quicklist

import "github.com/anaxdb/anax/container/listpack"

// RemoveValue removes elements equal to v (LREM): the first count from the
// head when count > 0, the last -count from the tail when count < 0, all
// when count is 0. It returns how many it removed. Emptied nodes are freed;
// nothing merges, as in Redis.
func (l *List) RemoveValue(s Store, v []byte, count int) int {
	removed := 0
	limit := count
	if limit < 0 {
		limit = -limit
	}
	done := func() bool { return limit > 0 && removed == limit }
	if count >= 0 {
		for k := 0; k < l.NodeCount() && !done(); {
			lp := l.node(s, k)
			gone := false
			for p := lp.Find(lp.First(), v, 0); p >= 0 && !done(); {
				removed++
				if l.rec(k).count == 1 {
					l.dropNode(s, k)
					gone = true
					break
				}
				p = lp.Delete(p)
				l.update(s, k, lp)
				if p >= 0 {
					p = lp.Find(p, v, 0)
				}
			}
			if !gone {
				k++
			}
		}
		return removed
	}
	for k := l.NodeCount() - 1; k >= 0 && !done(); k-- {
		lp := l.node(s, k)
		for p := lp.Last(); p >= 0 && !done(); {
			prev := lp.Prev(p) // the bytes before p stay where they are
			if lp.At(p).Equal(v) {
				if l.rec(k).count == 1 {
					l.dropNode(s, k)
					removed++
					break
				}
				lp.Delete(p)
				l.update(s, k, lp)
				removed++
			}
			p = prev
		}
	}
	return removed
}

// DeleteRange removes up to n elements from index start (negative counts
// from the tail) towards the tail, as Redis's quicklistDelRange (LTRIM, the
// pops of many), and returns how many it removed. Whole nodes are freed
// without being read; nothing merges.
func (l *List) DeleteRange(s Store, start, n int) int {
	if n <= 0 {
		return 0
	}
	k, off, ok := l.locate(start)
	if !ok {
		return 0
	}
	if start < 0 {
		start += l.count
	}
	extent := min(n, l.count-start)
	removed := 0
	for extent > 0 {
		c := int(l.rec(k).count)
		if off == 0 && extent >= c {
			l.dropNode(s, k)
			extent -= c
			removed += c
			continue
		}
		del := min(c-off, extent)
		lp := l.node(s, k)
		lp.DeleteRange(off, del)
		l.update(s, k, lp)
		extent -= del
		removed += del
		k++
		off = 0
	}
	return removed
}

// Iterator walks elements from a starting index towards the tail (Iter) or
// the head (IterBack) without allocating:
//
//	for it := l.Iter(s, 0); it.Next(); { use(it.Value()) }
//
// Any edit of the list invalidates it.
type Iterator struct {
	l    *List
	s    Store
	node int
	it   listpack.Iterator
	back bool
	done bool
}

// Iter returns an iterator before element i (negative counts from the
// tail) that walks towards the tail; it yields nothing when i is out of
// range.
func (l *List) Iter(s Store, i int) Iterator {
	k, off, ok := l.locate(i)
	if !ok {
		return Iterator{done: true}
	}
	it := Iterator{l: l, s: s, node: k, it: l.node(s, k).Iter()}
	for ; off > 0; off-- {
		it.it.Next()
	}
	return it
}

// IterBack returns an iterator after element i (negative counts from the
// tail, so -1 starts at the last element) that walks towards the head.
func (l *List) IterBack(s Store, i int) Iterator {
	k, off, ok := l.locate(i)
	if !ok {
		return Iterator{done: true}
	}
	it := Iterator{l: l, s: s, node: k, it: l.node(s, k).IterBack(), back: true}
	for skip := int(l.rec(k).count) - 1 - off; skip > 0; skip-- {
		it.it.Prev()
	}
	return it
}

// Next moves to the next element in the iterator's direction and reports
// whether there is one.
func (it *Iterator) Next() bool {
	if it.done {
		return false
	}
	for {
		if it.back {
			if it.it.Prev() {
				return true
			}
			if it.node == 0 {
				it.done = true
				return false
			}
			it.node--
			it.it = it.l.node(it.s, it.node).IterBack()
			continue
		}
		if it.it.Next() {
			return true
		}
		if it.node+1 >= it.l.NodeCount() {
			it.done = true
			return false
		}
		it.node++
		it.it = it.l.node(it.s, it.node).Iter()
	}
}

// Value is the current element, valid until the list is edited.
func (it *Iterator) Value() listpack.Value { return it.it.Value() }

// Range calls fn on elements start..stop inclusive, as LRANGE reads them
// (negative indexes count from the tail; the range is clamped to the list),
// until fn returns false.
func (l *List) Range(s Store, start, stop int, fn func(listpack.Value) bool) {
	if start < 0 {
		start = max(start+l.count, 0)
	}
	if stop < 0 {
		stop += l.count
	}
	stop = min(stop, l.count-1)
	if start > stop {
		return
	}
	n := stop - start + 1
	for it := l.Iter(s, start); n > 0 && it.Next(); n-- {
		if !fn(it.Value()) {
			return
		}
	}
}

// AppendNode adds lpBytes as a new tail node as it is (loading an RDB
// quicklist node, which the caller has validated with listpack.Validate).
// The bytes are copied into a cell. An empty listpack is skipped, as Redis's
// loader skips it.
func (l *List) AppendNode(s Store, lpBytes []byte) {
	n := listpack.FromBytes(lpBytes).Len()
	if n == 0 {
		return
	}
	h, b := s.Alloc(len(lpBytes))
	copy(b, lpBytes)
	l.insertRec(l.NodeCount(), record{h: h, count: uint32(n), size: uint32(len(lpBytes))})
	l.count += n
	l.bytes += len(lpBytes)
}

// FromListpack converts a listpack-encoded list into a quicklist as Redis
// 7.2's listTypeTryConvertListpack does: the whole listpack becomes the one
// node (Redis does not split it; the push that made it too big then goes to
// a new node), or the list is empty when the listpack is.
func FromListpack(s Store, lpBytes []byte, fill int) *List {
	l := New(fill)
	l.AppendNode(s, lpBytes)
	return l
}

// ForEachNode calls fn on each node's listpack bytes, head first, until fn
// returns false (DUMP writes each as one RDB string, container 2 "packed").
// The bytes alias the cell and are valid until the next edit.
func (l *List) ForEachNode(s Store, fn func(lp []byte) bool) {
	for k := 0; k < l.NodeCount(); k++ {
		r := l.rec(k)
		if !fn(s.Bytes(r.h)[:r.size]) {
			return
		}
	}
}

// Free releases every node; the list is then empty and usable.
func (l *List) Free(s Store) {
	l.FreeSome(s, l.NodeCount())
}

// FreeSome frees at most budget nodes from the tail, so a huge list can be
// released a slice at a time, and reports whether the list is now empty.
func (l *List) FreeSome(s Store, budget int) (done bool) {
	for ; budget > 0 && l.NodeCount() > 0; budget-- {
		l.dropNode(s, l.NodeCount()-1)
	}
	if l.NodeCount() == 0 {
		l.recs, l.lo, l.hi = nil, 0, 0
		return true
	}
	return false
}

// ConvertibleToListpack reports whether the owner should turn the list back
// into a plain listpack, Redis 7.2's listTypeTryConvertQuicklist rule: the
// list has one node, and its size and count are within the fill's limits,
// halved when the list is shrinking (after a removal, so that a list on the
// boundary does not convert back and forth). Take the node with
// DetachSingleNode.
func (l *List) ConvertibleToListpack(shrinking bool) bool {
	if l.NodeCount() != 1 {
		return false
	}
	r := l.rec(0)
	return FitsOneListpack(l.fill, int(r.size), int(r.count), shrinking)
}

// FitsOneListpack is ConvertibleToListpack's rule for a list whose one
// node has size bytes and count elements, under fill
// (list-max-listpack-size, clamped as New clamps it).
func FitsOneListpack(fill, size, count int, shrinking bool) bool {
	fill = clampFill(fill)
	sizeLimit, countLimit := int(^uint(0)>>1), int(^uint32(0))
	if fill < 0 {
		sizeLimit = optimizationLevel[-fill-1]
	} else {
		countLimit = max(fill, 1)
	}
	if shrinking {
		sizeLimit /= 2
		countLimit /= 2
	}
	return size <= sizeLimit && count <= countLimit
}

// DetachSingleNode hands the owner the only node's cell and its listpack
// size, leaving the list empty without freeing the cell; ok is false (and
// nothing changes) unless the list has exactly one node.
func (l *List) DetachSingleNode() (h uint64, size int, ok bool) {
	if l.NodeCount() != 1 {
		return 0, 0, false
	}
	r := *l.rec(0)
	l.recs, l.lo, l.hi = nil, 0, 0
	l.count, l.bytes = 0, 0
	return r.h, int(r.size), true
}
