package zbtree

import (
	"encoding/binary"
	"math"
)

// Node layout. Every node is one Store cell of layout.size bytes, in
// columns of 8-byte little-endian words so that a binary search over the
// scores reads them contiguously and a shift is one copy per column:
//
//	leaf:  count u32 | cap u16 | lo u16 | prev u64 | next u64 | score[cap] | ref[cap]
//	inner: count u32 | pad u32 | score[innerCap] | ref[innerCap] | child[innerCap] | size[innerCap]
//
// A leaf's entries are slots [lo, lo+count) of its columns: removing the
// first entries (ZPOPMIN, a DeleteRange from rank 0) moves lo instead of
// the rest of the leaf, as a skiplist pops its head without moving the
// others. An insertion that finds no room after them moves them back to
// slot 0 first.
//
// An inner entry i names child i, the (score, ref) of the smallest element
// of child i's subtree (its separator, kept exact so that a freed member cell
// is never compared) and the number of elements under it. Leaves are linked
// both ways for iteration.
const (
	leafHeader  = 24
	innerHeader = 8

	colScore = 0
	colRef   = 1
	colChild = 2
	colSize  = 3

	// maxHeight bounds a descent path; a tree of even the smallest test
	// layout holding 2^32 elements stays well below it.
	maxHeight = 40
)

// DefaultNodeSize is the node cell size: 4088 bytes is a size class of the
// shard's arena (no rounding), and holds 254 leaf entries or 127 inner ones.
const DefaultNodeSize = 4088

// nodeLayout fixes the capacities; tests shrink them to exercise deep trees.
type nodeLayout struct {
	size     int
	leafCap  int
	innerCap int
}

func layoutFor(size int) nodeLayout {
	return nodeLayout{
		size:     size,
		leafCap:  (size - leafHeader) / 16,
		innerCap: (size - innerHeader) / 32,
	}
}

var layout = layoutFor(DefaultNodeSize)

// node is a view of one node's cell.
type node struct {
	b []byte
	// start is the byte offset of entry 0 in the first column: the header
	// and, in a leaf, lo slots (kept here by the methods that move lo).
	// Four fields keep a node in registers: a fifth made the compiler copy
	// it through memory (iteration took twice as long).
	start int
	cap   int
	leaf  bool
}

// leafView reads a leaf's capacity from its header: layout.leafCap but for
// a tree's first root leaf, which starts small and grows (Tree.growRoot).
// Every leaf made gets it written (newLeaf); a Store may hand out cells
// longer than asked, so the cell's length does not say it.
func leafView(b []byte) node {
	return node{b: b, start: leafHeader + 8*int(binary.LittleEndian.Uint16(b[6:])), cap: int(binary.LittleEndian.Uint16(b[4:])), leaf: true}
}

// newLeaf makes the cell b a leaf of capacity c with no entries and no
// neighbours.
func newLeaf(b []byte, c int) node {
	binary.LittleEndian.PutUint16(b[4:], uint16(c))
	binary.LittleEndian.PutUint16(b[6:], 0)
	n := leafView(b)
	n.setCount(0)
	n.setPrev(0)
	n.setNext(0)
	return n
}

// firstLeafCap is the capacity of a new tree's root leaf: a sorted set of a
// few long members (a skiplist by zset-max-listpack-value) should not cost
// a whole node.
const firstLeafCap = 8

// leafSize is the cell size of a leaf of capacity c.
func leafSize(c int) int      { return leafHeader + 16*c }
func innerView(b []byte) node { return node{b: b, start: innerHeader, cap: layout.innerCap} }

func (n node) ncol() int {
	if n.leaf {
		return 2
	}
	return 4
}

func (n node) count() int         { return int(binary.LittleEndian.Uint32(n.b)) }
func (n node) setCount(c int)     { binary.LittleEndian.PutUint32(n.b, uint32(c)) }
func (n node) off(col, i int) int { return n.start + 8*(n.cap*col+i) }

// lo is a leaf's first slot (0 in an inner node).
func (n node) lo() int {
	if n.leaf {
		return (n.start - leafHeader) / 8
	}
	return 0
}

// setLo moves a leaf's first slot. The node values that are copies of n
// keep the old one: the methods that move it take a pointer, and the code
// views a leaf again (or uses the same variable) after changing it.
func (n *node) setLo(lo int) {
	n.start = leafHeader + 8*lo
	binary.LittleEndian.PutUint16(n.b[6:], uint16(lo))
}

// compact moves a leaf's entries to slot 0 when fewer than k slots are
// free after them, so that k entries can follow.
func (n *node) compact(k int) {
	lo, c := n.lo(), n.count()
	if !n.leaf || lo+c+k <= n.cap {
		return
	}
	n.setLo(0)
	for col := range n.ncol() {
		base := leafHeader + 8*n.cap*col
		copy(n.b[base:base+8*c], n.b[base+8*lo:base+8*(lo+c)])
	}
}

func (n node) word(col, i int) uint64 {
	return binary.LittleEndian.Uint64(n.b[n.off(col, i):])
}

func (n node) setWord(col, i int, v uint64) {
	binary.LittleEndian.PutUint64(n.b[n.off(col, i):], v)
}

func (n node) score(i int) float64 { return math.Float64frombits(n.word(colScore, i)) }
func (n node) ref(i int) uint64    { return n.word(colRef, i) }
func (n node) child(i int) uint64  { return n.word(colChild, i) }
func (n node) size(i int) int      { return int(n.word(colSize, i)) }

func (n node) setKey(i int, score float64, ref uint64) {
	n.setWord(colScore, i, math.Float64bits(score))
	n.setWord(colRef, i, ref)
}

func (n node) addSize(i, d int) { n.setWord(colSize, i, uint64(n.size(i)+d)) }

// leaf links
func (n node) prev() uint64     { return binary.LittleEndian.Uint64(n.b[8:]) }
func (n node) next() uint64     { return binary.LittleEndian.Uint64(n.b[16:]) }
func (n node) setPrev(h uint64) { binary.LittleEndian.PutUint64(n.b[8:], h) }
func (n node) setNext(h uint64) { binary.LittleEndian.PutUint64(n.b[16:], h) }

// open makes room for k entries at i, moving entries [i, count) up.
func (n *node) open(i, k int) {
	n.compact(k)
	c := n.count()
	for col := range n.ncol() {
		copy(n.b[n.off(col, i+k):n.off(col, c+k)], n.b[n.off(col, i):n.off(col, c)])
	}
	n.setCount(c + k)
}

// remove deletes entries [i, i+k).
func (n *node) remove(i, k int) {
	c := n.count()
	if n.leaf && i == 0 {
		if c == k {
			n.setLo(0)
		} else {
			n.setLo(n.lo() + k)
		}
		n.setCount(c - k)
		return
	}
	for col := range n.ncol() {
		copy(n.b[n.off(col, i):n.off(col, c-k)], n.b[n.off(col, i+k):n.off(col, c)])
	}
	n.setCount(c - k)
}

// copyEntries copies k entries from src[si:] over dst[di:] (counts
// untouched). Entries copied past dst's count need room after them
// (compact).
func copyEntries(dst node, di int, src node, si, k int) {
	for col := range dst.ncol() {
		copy(dst.b[dst.off(col, di):dst.off(col, di+k)], src.b[src.off(col, si):src.off(col, si+k)])
	}
}

// weight is the number of elements under entries [i, i+k): k in a leaf, the
// sum of their sizes in an inner node.
func (n node) weight(i, k int) int {
	if n.leaf {
		return k
	}
	w := 0
	for j := i; j < i+k; j++ {
		w += n.size(j)
	}
	return w
}

// firstKey is the node's smallest key: its entry 0 (exact in both kinds).
func (n node) firstKey() (float64, uint64) { return n.score(0), n.ref(0) }
