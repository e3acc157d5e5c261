package shard

import (
	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/container/quicklist"
	"github.com/anaxdb/anax/shard/arena"
)

// Lists, Redis 7.2's two encodings:
//
//   - small (EncListpack): one listpack, the entry's value in the key's
//     cell, while it stays within one quicklist node's limit;
//   - big (EncQuicklist): a quicklist whose nodes are listpacks in arena
//     cells, a bigValue in the shard's registry.
//
// The conversions are Redis's (listTypeTryConversion* in t_list.c): a list
// turns big *before* an addition (push, insert, set) that would take its
// listpack past the limit of list-max-listpack-size, counting the added
// elements' lengths and number; it turns small again after a removal
// leaves it one node within half the limit (half, so that a list on the
// boundary does not convert at every push and pop). Every change calls
// db.written(key) first, and a list that a removal empties loses its key:
// no empty list is ever stored.

// nodeStore is the shard's arena as quicklist's Store: the handles are
// arena handles, and a node's cell is the arena cell.
type nodeStore arena.Arena

func (s *nodeStore) Alloc(n int) (uint64, []byte) {
	h, b := (*arena.Arena)(s).Alloc(n)
	return uint64(h), b
}

func (s *nodeStore) Bytes(h uint64) []byte { return (*arena.Arena)(s).Bytes(arena.Handle(h)) }
func (s *nodeStore) Free(h uint64)         { (*arena.Arena)(s).Free(arena.Handle(h)) }

func storeOf(a *arena.Arena) *nodeStore { return (*nodeStore)(a) }

// listValue is a big list: a bigValue around a quicklist.
type listValue struct {
	ql *quicklist.List
}

// nodeIndexSize is what one node costs in the quicklist's index.
const nodeIndexSize = 16

func (v *listValue) release(a *arena.Arena, budget int) bool {
	if budget <= 0 {
		v.ql.Free(storeOf(a))
		return true
	}
	return v.ql.FreeSome(storeOf(a), budget)
}

func (v *listValue) memory(a *arena.Arena) int {
	n := 0
	v.ql.ForEachNode(storeOf(a), func(lp []byte) bool {
		n += cap(lp) // a node's bytes alias its whole cell
		return true
	})
	return n + nodeIndexSize*v.ql.NodeCount()
}

func (v *listValue) clone(a *arena.Arena) bigValue {
	s := storeOf(a)
	c := quicklist.New(v.ql.Fill())
	v.ql.ForEachNode(s, func(lp []byte) bool {
		c.AppendNode(s, lp) // copies into a new cell; lp's cell stays put
		return true
	})
	return &listValue{ql: c}
}

func (v *listValue) appendFlat(a *arena.Arena, dst []byte) []byte {
	v.ql.ForEachNode(storeOf(a), func(lp []byte) bool {
		dst = appendFlatChunk(dst, lp)
		return true
	})
	return dst
}

// importList rebuilds a big list from its flat form: its nodes as they were.
// The fill is the default's until the next change sets the current one.
func importList(a *arena.Arena, flat []byte) bigValue {
	s := storeOf(a)
	ql := quicklist.New(defaultListFill)
	flatChunks(flat, func(lp []byte) { ql.AppendNode(s, lp) })
	return &listValue{ql: ql}
}

// defaultListFill is list-max-listpack-size's default.
const defaultListFill = -2

// List is the list entry of one key, opened for one command. Its methods
// keep its handle current across their own edits. Writes to other keys
// leave it valid (no write moves another key's cell); anything else that
// changes the key (a delete, an overwrite, another List of the same key)
// invalidates it.
type List struct {
	db  *DB
	key []byte
	h   Handle
	big *listValue // nil while the list is small
}

// OpenList opens the list entry h of key (TypeList).
func (db *DB) OpenList(key []byte, h Handle) List {
	l := List{db: db, key: key, h: h}
	if db.Encoding(h) == EncQuicklist {
		l.big = db.object(h).(*listValue)
	}
	return l
}

// NewList stores an empty small list under key, replacing what key held,
// for a push to fill at once: the caller must add elements before anything
// else runs on the shard, since no empty list may be seen.
func (db *DB) NewList(key []byte, now int64) List {
	var empty [7]byte
	h := db.NewValue(key, TypeList, EncListpack, listpack.AppendEmpty(empty[:0]), now)
	return List{db: db, key: key, h: h}
}

func (l *List) store() *nodeStore { return storeOf(l.db.sh.arena) }

// small returns the list's listpack with room to grow into the cell's slack.
func (l *List) small() listpack.Listpack { return listpack.FromBytes(l.db.valueRoom(l.h)) }

// keep stores the edited listpack lp back into the entry.
func (l *List) keep(lp listpack.Listpack) {
	l.h = l.db.storeValue(l.key, l.h, lp.Bytes(), EncListpack)
}

// Len returns the number of elements.
func (l *List) Len() int {
	if l.big != nil {
		return l.big.ql.Len()
	}
	return listpack.FromBytes(l.db.Value(l.h)).Len()
}

// Big reports whether the list has the quicklist encoding.
func (l *List) Big() bool { return l.big != nil }

// Index returns element i (negative counts from the tail), valid until the
// next edit.
func (l *List) Index(i int) (listpack.Value, bool) {
	if l.big != nil {
		return l.big.ql.Index(l.store(), i)
	}
	return listpack.FromBytes(l.db.Value(l.h)).Get(i)
}

// growing converts a small list to a quicklist when adding n elements of
// size bytes in all would take it past one node's limit under fill (Redis's
// listTypeTryConvertListpack, which runs before the addition). It calls no
// write hook: LINSERT and LSET convert even when they then change nothing,
// which Redis does not signal either, and the entry keeps its cell (the
// object id is shorter than the listpack it replaces).
func (l *List) growing(n, size, fill int) {
	if l.big != nil {
		return
	}
	lp := listpack.FromBytes(l.db.Value(l.h))
	if !quicklist.ExceedsLimit(fill, len(lp.Bytes())+size, lp.Len()+n) {
		return
	}
	// The listpack becomes the one node as it is (a copy in a cell of its
	// own); the addition then makes new nodes as the fill says.
	l.big = &listValue{ql: quicklist.FromListpack(l.store(), lp.Bytes(), fill)}
	l.h = l.db.makeBig(l.key, l.h, EncQuicklist, l.big)
}

// shrunk converts a big list back to a listpack after a removal, when it is
// one node within half of fill's limits (listTypeTryConvertQuicklist with
// shrinking set; the limits are the current setting's, as in Redis), or
// deletes the key when the list is empty. It reports whether the key is
// gone.
func (l *List) shrunk(fill int) bool {
	if l.Len() == 0 {
		l.db.Delete(l.key)
		return true
	}
	if l.big == nil || l.big.ql.NodeCount() != 1 {
		return false
	}
	sizeLimit, countLimit := int(^uint(0)>>1), int(^uint32(0))
	if fill = max(min(fill, quicklist.FillMax), quicklist.FillMin); fill < 0 {
		sizeLimit = 4096 << (-fill - 1)
	} else {
		countLimit = max(fill, 1)
	}
	if l.big.ql.Bytes() > sizeLimit/2 || l.big.ql.Len() > countLimit/2 {
		return false
	}
	node, size, _ := l.big.ql.DetachSingleNode()
	lp := l.store().Bytes(node)[:size]
	// makeSmall copies lp before it releases the (now empty) quicklist, and
	// allocating the entry's cell moves no other cell, so lp stays valid.
	l.h = l.db.makeSmall(l.key, l.h, EncListpack, lp)
	l.store().Free(node)
	l.big = nil
	return false
}

// elementsSize is the bytes of elements, as Redis counts an addition.
func elementsSize(elems [][]byte) int {
	n := 0
	for _, e := range elems {
		n += len(e)
	}
	return n
}

// Push adds elems one by one at the head (LPUSH order: the last ends
// first) or at the tail, converting first if they would not fit a
// listpack under fill.
func (l *List) Push(elems [][]byte, head bool, fill int) {
	l.db.written(l.key)
	l.push(elems, elementsSize(elems), head, fill)
}

// PushMoved adds one element that LMOVE takes from another list, as Push
// does, except that the conversion counts size bytes for it: what
// MovedSize said of it on its list.
func (l *List) PushMoved(elem []byte, size int, head bool, fill int) {
	l.db.written(l.key)
	l.push([][]byte{elem}, size, head, fill)
}

// MovedSize is the length Redis counts, when it decides a conversion, of
// the element v that LMOVE pops from l: an integer popped from a quicklist
// becomes an integer object, whose length listTypeTryConvertListpack does
// not count; anything else counts its text.
func (l *List) MovedSize(v listpack.Value) int {
	if v.IsInt {
		if l.big != nil {
			return 0
		}
		var tmp [20]byte
		return len(v.AppendTo(tmp[:0]))
	}
	return len(v.Str)
}

// push adds elems, size bytes in all as Redis counts them for the
// conversion.
func (l *List) push(elems [][]byte, size int, head bool, fill int) {
	l.growing(len(elems), size, fill)
	if l.big != nil {
		s := l.store()
		for _, e := range elems {
			if head {
				l.big.ql.PushHead(s, e)
			} else {
				l.big.ql.PushTail(s, e)
			}
		}
		return
	}
	// Room first, in the arena, so that the edit never outgrows the cell
	// onto the Go heap (garbage for the collector on every such push).
	room := 0
	for _, e := range elems {
		room += listpack.EntrySize(e)
	}
	l.h = l.db.reserveValue(l.key, l.h, room)
	lp := l.small()
	for _, e := range elems {
		if head {
			lp.Prepend(e)
		} else {
			lp.Append(e)
		}
	}
	l.keep(lp)
}

// Insert adds elem before (or after) the first element equal to pivot and
// reports whether pivot was found. Like Redis, it converts as if the
// insertion will happen before it looks for the pivot.
func (l *List) Insert(pivot, elem []byte, after bool, fill int) bool {
	l.growing(1, len(elem), fill)
	if l.big != nil {
		// Find the pivot first: the write hook runs before a change, and a
		// missed pivot changed only the encoding, no logical change.
		i := l.indexOf(pivot)
		if i < 0 {
			return false
		}
		l.db.written(l.key)
		return l.big.ql.InsertAt(l.store(), i, elem, after)
	}
	lp := l.small()
	p := lp.Find(lp.First(), pivot, 0)
	if p < 0 {
		return false
	}
	l.db.written(l.key)
	if after {
		lp.InsertAfter(p, elem)
	} else {
		lp.InsertBefore(p, elem)
	}
	l.keep(lp)
	return true
}

// indexOf returns the index of the first element of the big list equal to
// v, or -1.
func (l *List) indexOf(v []byte) int {
	i := 0
	it := l.big.ql.Iter(l.store(), 0)
	for ; it.Next(); i++ {
		if it.Value().Equal(v) {
			return i
		}
	}
	return -1
}

// Set replaces element i with elem (LSET) and reports whether i was in
// range. Like Redis it converts for growth before it checks the index, and
// tries the shrinking conversion after a replacement.
func (l *List) Set(i int, elem []byte, fill int) bool {
	l.growing(1, len(elem), fill)
	if l.big != nil {
		if _, ok := l.big.ql.Index(l.store(), i); !ok {
			return false
		}
		l.db.written(l.key)
		l.big.ql.Replace(l.store(), i, elem)
		l.shrunk(fill)
		return true
	}
	lp := l.small()
	p := lp.Seek(i)
	if p < 0 {
		return false
	}
	l.db.written(l.key)
	lp.Replace(p, elem)
	l.keep(lp)
	return true
}

// RemoveEnd removes n elements from the head or the tail (the pops) and
// reports whether that deleted the key.
func (l *List) RemoveEnd(head bool, n, fill int) bool {
	l.db.written(l.key)
	l.removeEnd(head, n)
	return l.shrunk(fill)
}

// Rotate moves the element at one end of the list to one end of it (LMOVE
// with one key) as Redis does: it pops, pushes elem (a copy of the popped
// element), converting first if needed, then tries the shrinking
// conversion, so the encoding follows Redis's even at the limits. size is
// what MovedSize says of the element.
func (l *List) Rotate(fromHead, toHead bool, elem []byte, size, fill int) {
	l.db.written(l.key)
	l.removeEnd(fromHead, 1)
	l.push([][]byte{elem}, size, toHead, fill)
	l.shrunk(fill)
}

func (l *List) removeEnd(head bool, n int) {
	start := 0
	if !head {
		start = -n
	}
	if l.big != nil {
		l.big.ql.DeleteRange(l.store(), start, n)
	} else {
		lp := l.small()
		lp.DeleteRange(start, n)
		l.keep(lp)
	}
}

// Trim keeps elements start..stop (LTRIM's indexes, negative counting from
// the tail) and reports whether the list was emptied and its key deleted.
func (l *List) Trim(start, stop, fill int) bool {
	n := l.Len()
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	start = max(start, 0)
	ltrim, rtrim := n, 0
	if start <= stop && start < n {
		stop = min(stop, n-1)
		ltrim, rtrim = start, n-stop-1
	}
	l.db.written(l.key)
	if l.big != nil {
		l.big.ql.DeleteRange(l.store(), 0, ltrim)
		l.big.ql.DeleteRange(l.store(), -rtrim, rtrim)
	} else {
		lp := l.small()
		lp.DeleteRange(0, ltrim)
		lp.DeleteRange(-rtrim, rtrim)
		l.keep(lp)
	}
	return l.shrunk(fill)
}

// Remove removes elements equal to v (LREM): the first count from the head
// when count > 0, the last -count from the tail when count < 0, all when
// count is 0. It returns how many it removed; an emptied list loses its key.
func (l *List) Remove(v []byte, count, fill int) int {
	removed := 0
	if l.big != nil {
		if l.indexOf(v) < 0 {
			return 0
		}
		l.db.written(l.key)
		removed = l.big.ql.RemoveValue(l.store(), v, count)
	} else {
		removed = l.removeSmall(v, count)
	}
	if removed > 0 {
		l.shrunk(fill)
	}
	return removed
}

func (l *List) removeSmall(v []byte, count int) int {
	lp := l.small()
	removed := 0
	if count >= 0 {
		for p := lp.Find(lp.First(), v, 0); p >= 0; p = lp.Find(p, v, 0) {
			if removed == 0 {
				l.db.written(l.key)
			}
			p = lp.Delete(p)
			removed++
			if removed == count || p < 0 {
				break
			}
		}
	} else {
		for p := lp.Last(); p >= 0; {
			prev := lp.Prev(p) // the bytes before p do not move
			if lp.At(p).Equal(v) {
				if removed == 0 {
					l.db.written(l.key)
				}
				lp.Delete(p)
				removed++
				if removed == -count {
					break
				}
			}
			p = prev
		}
	}
	if removed > 0 {
		l.keep(lp)
	}
	return removed
}

// ListIter walks a list from an index towards the tail or the head:
//
//	for it := l.Iter(i, false); it.Next(); { use(it.Value()) }
//
// Any edit of the list invalidates it.
type ListIter struct {
	lp   listpack.Listpack
	p    int
	back bool
	big  bool
	ql   quicklist.Iterator
	v    listpack.Value
}

// Iter returns an iterator that starts at element i (negative counts from
// the tail) and walks towards the head when back, else towards the tail.
// It yields nothing when i is out of range.
func (l *List) Iter(i int, back bool) ListIter {
	if l.big != nil {
		it := ListIter{big: true}
		if back {
			it.ql = l.big.ql.IterBack(l.store(), i)
		} else {
			it.ql = l.big.ql.Iter(l.store(), i)
		}
		return it
	}
	lp := listpack.FromBytes(l.db.Value(l.h))
	return ListIter{lp: lp, p: lp.Seek(i), back: back}
}

// Next moves to the next element and reports whether there is one.
func (it *ListIter) Next() bool {
	if it.big {
		return it.ql.Next()
	}
	if it.p < 0 {
		return false
	}
	// Decoded into it.v, not copied there: a Value copied right after its
	// fields were stored stalls on the store buffer (listpack.ReadTo).
	if it.back {
		it.lp.ReadTo(it.p, &it.v)
		it.p = it.lp.Prev(it.p)
	} else {
		it.p = it.lp.ReadTo(it.p, &it.v)
	}
	return true
}

// Value is the current element, valid until the list is edited.
func (it *ListIter) Value() listpack.Value {
	if it.big {
		return it.ql.Value()
	}
	return it.v
}
