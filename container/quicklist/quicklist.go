package quicklist

import (
	"encoding/binary"
	"unsafe"

	"github.com/anaxdb/anax/container/listpack"
)

// Store holds node bytes, named by non-zero uint64 handles. Bytes(h) returns
// the whole cell: its length may exceed what Alloc was asked for, and the
// listpack's own header says how much of it the node uses.
type Store interface {
	Alloc(n int) (h uint64, b []byte)
	Bytes(h uint64) []byte
	Free(h uint64)
}

const (
	// sizeSafetyLimit caps a multi-element node under a positive (count)
	// fill, as Redis's SIZE_SAFETY_LIMIT does.
	sizeSafetyLimit = 8192
	// sizeEstimateOverhead is what Redis adds to an element's length to
	// estimate the bytes its entry takes when deciding whether it fits.
	sizeEstimateOverhead = 8
	// entryOverhead bounds the bytes an entry takes beyond its element's
	// length: 5 of encoding and 5 of backlen for a string; an integer
	// takes at most 10 and its text at least one byte.
	entryOverhead = 10
	emptySize     = 7 // an empty listpack: header and terminator
	headerSize    = 6
	countUnknown  = 65535
	minCell       = 64

	// FillMax and FillMin bound list-max-listpack-size as Redis clamps it.
	FillMax = 1<<15 - 1
	FillMin = -5
)

// optimizationLevel is the byte limit of a node for fill -1 .. -5.
var optimizationLevel = [...]int{4096, 8192, 16384, 32768, 65536}

// ExceedsLimit reports whether a node (or a small listpack-encoded list) of
// size bytes and count elements is over the limit fill sets: the byte limit
// of a negative fill, or for a positive fill the count and the 8 KB safety
// limit. It is Redis's quicklistNodeExceedsLimit; the list's owner also asks
// it before growing a plain listpack, to decide when to convert.
func ExceedsLimit(fill, size, count int) bool {
	fill = clampFill(fill)
	if fill < 0 {
		return size > optimizationLevel[-fill-1]
	}
	if size > sizeSafetyLimit {
		return true
	}
	return count > max(fill, 1)
}

func clampFill(fill int) int {
	return min(max(fill, FillMin), FillMax)
}

// record is one node: its cell, element count and listpack size. It holds
// no Go pointer, so the node index costs the garbage collector nothing.
type record struct {
	h     uint64
	count uint32
	size  uint32
}

// List is a quicklist. The zero value is not usable: start from New.
type List struct {
	recs   []record // the live nodes are recs[lo:hi], head first
	lo, hi int
	fill   int
	count  int // elements
	bytes  int // sum of node sizes
}

// New returns an empty list whose nodes follow fill
// (list-max-listpack-size), clamped to [FillMin, FillMax] as Redis does.
func New(fill int) *List {
	return &List{fill: clampFill(fill)}
}

// SetFill changes the limit for nodes made or grown from now on.
func (l *List) SetFill(fill int) { l.fill = clampFill(fill) }

// Fill returns the list's fill.
func (l *List) Fill() int { return l.fill }

// Len returns the number of elements.
func (l *List) Len() int { return l.count }

// NodeCount returns the number of nodes.
func (l *List) NodeCount() int { return l.hi - l.lo }

// Bytes returns the sum of the nodes' listpack sizes (MEMORY USAGE counts
// the cells' overhead on top).
func (l *List) Bytes() int { return l.bytes }

// rec returns the record of node i (0 is the head).
func (l *List) rec(i int) *record { return &l.recs[l.lo+i] }

// insertRec makes r node i, moving the shorter side of the deque.
func (l *List) insertRec(i int, r record) {
	n := l.hi - l.lo
	if (i == 0 && l.lo == 0) || (i == n && l.hi == len(l.recs)) ||
		(l.lo == 0 && l.hi == len(l.recs)) {
		l.regrow(n + 1)
	}
	switch {
	case i == 0:
		l.lo--
	case i == n:
		l.hi++
	case l.hi < len(l.recs) && (i >= n/2 || l.lo == 0):
		copy(l.recs[l.lo+i+1:l.hi+1], l.recs[l.lo+i:l.hi])
		l.hi++
	default:
		copy(l.recs[l.lo-1:l.lo+i-1], l.recs[l.lo:l.lo+i])
		l.lo--
	}
	l.recs[l.lo+i] = r
}

// regrow makes room for need records with space at both ends: it centres
// the live records in the same array when they fill at most half of it,
// else in one twice as big.
func (l *List) regrow(need int) {
	n := l.hi - l.lo
	recs := l.recs
	if need*2 > len(recs) {
		recs = make([]record, max(8, need*2))
	}
	lo := (len(recs) - n) / 2
	copy(recs[lo:], l.recs[l.lo:l.hi])
	if len(recs) == len(l.recs) { // centred in place: clear what it left
		clear(l.recs[:lo])
		clear(l.recs[lo+n:])
	}
	l.recs, l.lo, l.hi = recs, lo, lo+n
}

// removeRec drops node i's record, moving the shorter side.
func (l *List) removeRec(i int) {
	n := l.hi - l.lo
	if i < n/2 {
		copy(l.recs[l.lo+1:l.lo+i+1], l.recs[l.lo:l.lo+i])
		l.recs[l.lo] = record{}
		l.lo++
	} else {
		copy(l.recs[l.lo+i:l.hi-1], l.recs[l.lo+i+1:l.hi])
		l.hi--
		l.recs[l.hi] = record{}
	}
	if l.lo == l.hi {
		l.lo, l.hi = len(l.recs)/2, len(l.recs)/2
	}
}

// node returns node i's listpack, whose capacity is the rest of its cell.
func (l *List) node(s Store, i int) listpack.Listpack {
	r := l.rec(i)
	cell := s.Bytes(r.h)
	return listpack.FromBytes(cell[:r.size:len(cell)])
}

// update records node i's listpack after an edit, and checks that the edit
// stayed in the cell (room was made first, so the listpack package never
// moves a node to the Go heap).
func (l *List) update(s Store, i int, lp listpack.Listpack) {
	r := l.rec(i)
	b := lp.Bytes()
	if unsafe.SliceData(b) != unsafe.SliceData(s.Bytes(r.h)) {
		panic("BUG: quicklist: a listpack edit left its cell")
	}
	n := lp.Len()
	l.count += n - int(r.count)
	l.bytes += len(b) - int(r.size)
	r.count, r.size = uint32(n), uint32(len(b))
}

// maxCell is the cell size that growth by doubling stops at: a node of the
// fill's byte limit (8 KB under a count fill), past which only an element
// larger than the limit can take a node.
func (l *List) maxCell() int {
	if l.fill < 0 {
		return optimizationLevel[-l.fill-1]
	}
	return sizeSafetyLimit
}

// cellSize is the cell to ask for when a node of old cell length needs need
// bytes: double, up to maxCell, and never less than need.
func (l *List) cellSize(old, need int) int {
	return max(need, min(2*old, l.maxCell()), minCell)
}

// makeRoom makes sure node i's cell holds add bytes beyond its listpack,
// moving the node to a bigger cell when it does not. v is the element about
// to be written: if it lies in the old cell it is copied before that cell is
// freed, and the copy is returned in its place.
func (l *List) makeRoom(s Store, i, add int, v []byte) []byte {
	r := l.rec(i)
	cell := s.Bytes(r.h)
	need := int(r.size) + add
	if need <= len(cell) {
		return v
	}
	if within(v, cell) {
		v = append([]byte(nil), v...)
	}
	h, b := s.Alloc(l.cellSize(len(cell), need))
	copy(b, cell[:r.size])
	s.Free(r.h)
	r.h = h
	return v
}

// within reports whether v's bytes lie in cell.
func within(v, cell []byte) bool {
	if len(v) == 0 || len(cell) == 0 {
		return false
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(cell)))
	at := uintptr(unsafe.Pointer(unsafe.SliceData(v)))
	return at >= base && at < base+uintptr(len(cell))
}

// newNode makes a node holding v alone and returns its record. With
// filling, the node is an end node that pushes will fill (the one before
// it was full): its cell is the size the node will reach, so that growing
// it costs no cell moves, whose freed cells (half the node's size in all)
// would sit unused in smaller classes.
func (l *List) newNode(s Store, v []byte, filling bool) record {
	need := emptySize + len(v) + entryOverhead
	size := max(need, minCell)
	if filling {
		full := l.maxCell()
		if l.fill > 0 {
			full = min(full, emptySize+l.fill*(len(v)+entryOverhead))
		}
		size = max(size, full)
	}
	h, b := s.Alloc(size)
	lp := listpack.FromBytes(listpack.AppendEmpty(b[:0:len(b)]))
	lp.Append(v)
	out := lp.Bytes()
	if unsafe.SliceData(out) != unsafe.SliceData(b) {
		panic("BUG: quicklist: a new node left its cell")
	}
	return record{h: h, count: 1, size: uint32(len(out))}
}

// addNode makes a node holding v alone at position i; filling says pushes
// will fill it (see newNode).
func (l *List) addNode(s Store, i int, v []byte, filling bool) {
	r := l.newNode(s, v, filling)
	l.insertRec(i, r)
	l.count++
	l.bytes += int(r.size)
}

// dropNode frees node i and removes it.
func (l *List) dropNode(s Store, i int) {
	r := *l.rec(i)
	s.Free(r.h)
	l.removeRec(i)
	l.count -= int(r.count)
	l.bytes -= int(r.size)
}

// allowInsert is Redis's _quicklistNodeAllowInsert: may an element of sz
// bytes join node r without passing the fill limit, by the estimate of its
// entry's size.
func (l *List) allowInsert(r *record, sz int) bool {
	return !ExceedsLimit(l.fill, int(r.size)+sz+sizeEstimateOverhead, int(r.count)+1)
}

// allowMerge is Redis's _quicklistNodeAllowMerge: would nodes a and b
// joined (one header and terminator fewer) stay within the limit.
func (l *List) allowMerge(a, b *record) bool {
	return !ExceedsLimit(l.fill, int(a.size)+int(b.size)-emptySize, int(a.count)+int(b.count))
}

// PushHead adds v before the first element: into the head node when the
// fill allows it, else into a new head node.
func (l *List) PushHead(s Store, v []byte) {
	if l.NodeCount() == 0 || !l.allowInsert(l.rec(0), len(v)) {
		l.addNode(s, 0, v, l.NodeCount() > 0)
		return
	}
	v = l.makeRoom(s, 0, len(v)+entryOverhead, v)
	lp := l.node(s, 0)
	lp.Prepend(v)
	l.update(s, 0, lp)
}

// PushTail adds v after the last element: into the tail node when the fill
// allows it, else into a new tail node.
func (l *List) PushTail(s Store, v []byte) {
	n := l.NodeCount()
	if n == 0 || !l.allowInsert(l.rec(n-1), len(v)) {
		l.addNode(s, n, v, n > 0)
		return
	}
	v = l.makeRoom(s, n-1, len(v)+entryOverhead, v)
	lp := l.node(s, n-1)
	lp.Append(v)
	l.update(s, n-1, lp)
}

// PopHead removes the first element, showing it to fn (when not nil) just
// before; it reports false when the list is empty. An emptied node is freed.
func (l *List) PopHead(s Store, fn func(listpack.Value)) bool {
	if l.count == 0 {
		return false
	}
	l.deleteAt(s, 0, headerSize, fn)
	return true
}

// PopTail removes the last element, showing it to fn (when not nil) just
// before; it reports false when the list is empty.
func (l *List) PopTail(s Store, fn func(listpack.Value)) bool {
	if l.count == 0 {
		return false
	}
	i := l.NodeCount() - 1
	l.deleteAt(s, i, l.node(s, i).Last(), fn)
	return true
}

// deleteAt removes the element at position p of node i, freeing the node
// if that empties it (Redis's quicklistDelIndex: no merge follows). It
// reports whether the node went.
func (l *List) deleteAt(s Store, i, p int, fn func(listpack.Value)) (gone bool) {
	lp := l.node(s, i)
	if fn != nil {
		fn(lp.At(p))
	}
	if l.rec(i).count == 1 {
		l.dropNode(s, i)
		return true
	}
	lp.Delete(p)
	l.update(s, i, lp)
	return false
}

// locate finds element i (negative counts from the tail): its node and its
// offset in that node, walking the records from the nearer end.
func (l *List) locate(i int) (node, off int, ok bool) {
	if i < 0 {
		i += l.count
	}
	if i < 0 || i >= l.count {
		return 0, 0, false
	}
	n := l.NodeCount()
	if i <= (l.count-1)/2 {
		acc := 0
		for k := 0; k < n; k++ {
			c := int(l.recs[l.lo+k].count)
			if i < acc+c {
				return k, i - acc, true
			}
			acc += c
		}
	} else {
		acc := l.count
		for k := n - 1; k >= 0; k-- {
			c := int(l.recs[l.lo+k].count)
			acc -= c
			if i >= acc {
				return k, i - acc, true
			}
		}
	}
	panic("BUG: quicklist: record counts do not add up to Len")
}

// Index returns element i (negative counts from the tail, -1 the last).
func (l *List) Index(s Store, i int) (listpack.Value, bool) {
	k, off, ok := l.locate(i)
	if !ok {
		return listpack.Value{}, false
	}
	return l.node(s, k).Get(off)
}

// Replace sets element i to v (LSET) and reports whether i was in range.
// As in Redis 7.2, the node is edited in place even if that takes it past
// its fill limit.
func (l *List) Replace(s Store, i int, v []byte) bool {
	k, off, ok := l.locate(i)
	if !ok {
		return false
	}
	v = l.makeRoom(s, k, len(v)+entryOverhead, v)
	lp := l.node(s, k)
	lp.Replace(lp.Seek(off), v)
	l.update(s, k, lp)
	return true
}

// Insert adds v before (or after) the first element equal to pivot,
// counting from the head (LINSERT), and reports whether pivot was found.
// Integer elements match pivot's integer reading, as in Redis.
func (l *List) Insert(s Store, pivot, v []byte, after bool) bool {
	for k := 0; k < l.NodeCount(); k++ {
		lp := l.node(s, k)
		p := lp.Find(lp.First(), pivot, 0)
		if p < 0 {
			continue
		}
		off := 0
		for q := lp.First(); q != p; q = lp.Next(q) {
			off++
		}
		l.insert(s, k, off, p, v, after)
		return true
	}
	return false
}

// InsertAt adds v before (or after) element i (negative counts from the
// tail) and reports whether i was in range. It takes the same decisions as
// Insert at that element.
func (l *List) InsertAt(s Store, i int, v []byte, after bool) bool {
	k, off, ok := l.locate(i)
	if !ok {
		return false
	}
	l.insert(s, k, off, l.node(s, k).Seek(off), v, after)
	return true
}

// insert adds v next to the element at offset off (position p) of node k,
// as Redis's _quicklistInsert does: into that node when it has room; else
// at the head of the next node or the tail of the previous one when the
// element is at the node's edge and the neighbour has room; else a new node
// at the edge; else the node is split at the element, v joins the split-off
// part, and the nodes around the original merge where the fill allows.
func (l *List) insert(s Store, k, off, p int, v []byte, after bool) {
	r := l.rec(k)
	full := !l.allowInsert(r, len(v))
	atTail := after && off == int(r.count)-1
	atHead := !after && off == 0
	availNext := atTail && k+1 < l.NodeCount() && l.allowInsert(l.rec(k+1), len(v))
	availPrev := atHead && k > 0 && l.allowInsert(l.rec(k-1), len(v))
	switch {
	case !full:
		v = l.makeRoom(s, k, len(v)+entryOverhead, v)
		lp := l.node(s, k)
		if after {
			lp.InsertAfter(p, v)
		} else {
			lp.InsertBefore(p, v)
		}
		l.update(s, k, lp)
	case availNext:
		v = l.makeRoom(s, k+1, len(v)+entryOverhead, v)
		lp := l.node(s, k+1)
		lp.Prepend(v)
		l.update(s, k+1, lp)
	case availPrev:
		v = l.makeRoom(s, k-1, len(v)+entryOverhead, v)
		lp := l.node(s, k-1)
		lp.Append(v)
		l.update(s, k-1, lp)
	case atTail:
		l.addNode(s, k+1, v, false)
	case atHead:
		l.addNode(s, k, v, false)
	default:
		// v may lie in node k's cell, whose bytes the split moves.
		if within(v, s.Bytes(r.h)) {
			v = append([]byte(nil), v...)
		}
		nk := l.split(s, k, off, after)
		v = l.makeRoom(s, nk, len(v)+entryOverhead, v)
		lp := l.node(s, nk)
		if after {
			lp.Prepend(v)
		} else {
			lp.Append(v)
		}
		l.update(s, nk, lp)
		center := k
		if !after {
			center = k + 1
		}
		l.mergeAround(s, center)
	}
}

// split cuts node k at offset off into two nodes, as Redis's
// _quicklistSplitNode: when after, node k keeps [0, off] and a new node
// after it takes the rest; else a new node before it takes [0, off) and
// node k keeps the rest. It returns the new node's index.
func (l *List) split(s Store, k, off int, after bool) int {
	r := *l.rec(k)
	h, b := s.Alloc(l.cellSize(0, int(r.size)))
	copy(b, s.Bytes(r.h)[:r.size])
	nr := record{h: h, count: r.count, size: r.size}
	nk := k + 1
	if !after {
		nk = k
	}
	l.insertRec(nk, nr)
	l.count += int(r.count)
	l.bytes += int(r.size)
	if !after {
		k++
	}
	orig, fresh := l.node(s, k), l.node(s, nk)
	if after {
		orig.DeleteRange(off+1, int(r.count))
		fresh.DeleteRange(0, off+1)
	} else {
		orig.DeleteRange(0, off)
		fresh.DeleteRange(off, int(r.count))
	}
	l.update(s, k, orig)
	l.update(s, nk, fresh)
	return nk
}

// mergeAround is Redis's _quicklistMergeNodes after a split: it tries the
// pairs (prev-prev, prev), (next, next-next), (prev, center) and then
// (center or what it merged into, its next), each only if the fill allows.
func (l *List) mergeAround(s Store, c int) {
	if c >= 2 && l.allowMerge(l.rec(c-1), l.rec(c-2)) {
		l.merge(s, c-2)
		c--
	}
	if c+2 < l.NodeCount() && l.allowMerge(l.rec(c+1), l.rec(c+2)) {
		l.merge(s, c+1)
	}
	t := c
	if c >= 1 && l.allowMerge(l.rec(c), l.rec(c-1)) {
		l.merge(s, c-1)
		t = c - 1
	}
	if t+1 < l.NodeCount() && l.allowMerge(l.rec(t), l.rec(t+1)) {
		l.merge(s, t)
	}
}

// merge joins node k+1 onto the end of node k (Redis's lpMerge: the
// entries of both in order under one header) and frees node k+1.
func (l *List) merge(s Store, k int) {
	a, b := l.rec(k), l.rec(k+1)
	l.makeRoom(s, k, int(b.size)-emptySize, nil)
	a, b = l.rec(k), l.rec(k+1)
	cell := s.Bytes(a.h)
	src := s.Bytes(b.h)[headerSize:b.size] // b's entries and terminator
	size := int(a.size) - 1 + len(src)
	copy(cell[a.size-1:], src)
	binary.LittleEndian.PutUint32(cell, uint32(size))
	binary.LittleEndian.PutUint16(cell[4:], uint16(min(int(a.count)+int(b.count), countUnknown)))
	a.size, a.count = uint32(size), a.count+b.count
	s.Free(b.h)
	// removeRec may move a's record: it is not used after.
	l.removeRec(k + 1)
	l.bytes -= emptySize
}
