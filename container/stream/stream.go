package stream

import (
	"encoding/binary"
	"slices"
	"sort"

	"github.com/anaxdb/anax/container/listpack"
)

// Store holds node bytes, named by non-zero uint64 handles. Bytes(h)
// returns the whole cell, which may be longer than what Alloc was asked
// for; the listpack's header says how much of it the node uses.
type Store interface {
	Alloc(n int) (h uint64, b []byte)
	Bytes(h uint64) []byte
	Free(h uint64)
}

// Entry flags, Redis's STREAM_ITEM_FLAG_*.
const (
	flagDeleted    = 1
	flagSameFields = 2
)

// MaxListpackSize is Redis's STREAM_LISTPACK_MAX_SIZE: the largest node,
// and the largest sum of one entry's field and value lengths.
const MaxListpackSize = 1 << 30

// nodePrealloc is the cell size (at most stream-node-max-bytes) a node
// moves to at its second entry, Redis's STREAM_LISTPACK_MAX_PRE_ALLOCATE
// (Redis allocates it for the first entry): a node that stays under the
// byte limit then never moves while it fills, the next node's start
// shrinks it to fit, and a stream of one entry stays small.
const nodePrealloc = 4096

// Config holds the node limits, stream-node-max-bytes and
// stream-node-max-entries (0 for no limit).
type Config struct {
	MaxBytes   int
	MaxEntries int
}

// DefaultConfig is Redis's default node limits.
var DefaultConfig = Config{MaxBytes: 4096, MaxEntries: 100}

// nodeRec is one node: its master id and cell. No Go pointer.
type nodeRec struct {
	master ID
	h      uint64
}

// nodeRecSize is what a node costs in the index.
const nodeRecSize = 24

// Stream is one stream. The zero value is an empty stream.
type Stream struct {
	// tail is a copy of the last node's record (zero when there is no
	// node), next to LastID, so that an append finds the node without
	// reading the index (setTail keeps it).
	tail nodeRec
	// tailEnd is where the tail node's listpack ended after the last
	// append, a hint that other edits leave stale: Append reads the byte
	// before it into touched as it reads the node's head, so that the
	// loads of the node's head and of its end overlap.
	tailEnd uint32
	touched byte
	// LastID is the id of the last entry ever added (or set by XSETID),
	// FirstID the first live entry's (0-0 when empty), MaxDeletedID the
	// largest id deleted, EntriesAdded the count of entries ever added.
	LastID, FirstID, MaxDeletedID ID
	nodes                         []nodeRec
	// Length is the number of live entries.
	length       uint64
	EntriesAdded uint64
	groups       []*Group // ordered by name
}

// New returns an empty stream.
func New() *Stream { return &Stream{} }

// Len returns the number of live entries.
func (s *Stream) Len() int { return int(s.length) }

// setTail copies the last node's record to tail, after any change of the
// node index.
func (s *Stream) setTail() {
	if n := len(s.nodes); n > 0 {
		s.tail = s.nodes[n-1]
	} else {
		s.tail = nodeRec{}
	}
}

// NodeCount returns the number of nodes.
func (s *Stream) NodeCount() int { return len(s.nodes) }

// lpOf returns node i's listpack, with capacity to the end of its cell.
func (s *Stream) lpOf(st Store, i int) listpack.Listpack {
	c := st.Bytes(s.nodes[i].h)
	n := int(binary.LittleEndian.Uint32(c))
	return listpack.FromBytes(c[:n:len(c)])
}

// room makes sure node i's cell has extra spare bytes, moving the node to
// a bigger cell (doubling) when it has not.
func (s *Stream) room(st Store, i, extra int) {
	c := st.Bytes(s.nodes[i].h)
	n := int(binary.LittleEndian.Uint32(c))
	if n+extra <= len(c) {
		return
	}
	s.move(st, i, c, n, max(2*len(c), n+extra))
}

// move moves node i, whose cell is c and listpack n bytes long, to a cell
// of at least want bytes.
func (s *Stream) move(st Store, i int, c []byte, n, want int) {
	nh, nb := st.Alloc(want)
	copy(nb, c[:n])
	st.Free(s.nodes[i].h)
	s.nodes[i].h = nh
	s.setTail()
}

// shrink moves node i to a cell that fits it when its cell is much bigger
// (Redis's lpShrinkToFit when a node is closed).
func (s *Stream) shrink(st Store, i int) {
	c := st.Bytes(s.nodes[i].h)
	n := int(binary.LittleEndian.Uint32(c))
	if n+n/4 >= len(c) {
		return
	}
	nh, nb := st.Alloc(n)
	copy(nb, c[:n])
	st.Free(s.nodes[i].h)
	s.nodes[i].h = nh
	s.setTail()
}

// checkSame panics when an edit of a node moved it off its cell: room
// should have been made first.
func checkSame(lp listpack.Listpack, c []byte) {
	if len(lp.Bytes()) > 0 && &lp.Bytes()[0] != &c[0] {
		panic("BUG: stream node edit outgrew its cell")
	}
}

// nodeView is a parsed master entry.
type nodeView struct {
	lp      listpack.Listpack
	master  ID
	count   int // live entries
	deleted int // entries flagged deleted
	nf      int // master fields
	mfield  int // position of the first master field (or the terminator)
	first   int // position of the first entry's flags, -1 when none
}

func lpInt(lp listpack.Listpack, p int) int64 {
	n, _ := lpIntNext(lp, p)
	return n
}

// lpIntNext is lpInt and the position after p (listpack.ReadTo).
func lpIntNext(lp listpack.Listpack, p int) (int64, int) {
	var v listpack.Value
	next := lp.ReadTo(p, &v)
	if v.IsInt {
		return v.Int, next
	}
	n, _ := listpack.ParseInt(v.Str)
	return n, next
}

func (s *Stream) view(st Store, i int) nodeView {
	lp := s.lpOf(st, i)
	return openNode(lp, s.nodes[i].master)
}

func openNode(lp listpack.Listpack, master ID) nodeView {
	v := nodeView{lp: lp, master: master}
	p := lp.First()
	v.count = int(lpInt(lp, p))
	p = lp.Next(p)
	v.deleted = int(lpInt(lp, p))
	p = lp.Next(p)
	v.nf = int(lpInt(lp, p))
	p = lp.Next(p)
	v.mfield = p
	for range v.nf {
		p = lp.Next(p)
	}
	v.first = lp.Next(p) // past the master terminator
	return v
}

// Entry is one entry read from a node; its values alias the node's cell.
type Entry struct {
	ID     ID
	lp     listpack.Listpack
	flags  int
	n      int // field-value pairs
	mfield int // the master's first field, for a same-fields entry
	fv     int // the first field (or value, for a same-fields entry)
	pos    int // the flags element
	next   int // the element after the entry, -1 at the end
}

// Len returns the number of field-value pairs.
func (e *Entry) Len() int { return e.n }

// Deleted reports whether the entry is flagged deleted.
func (e *Entry) Deleted() bool { return e.flags&flagDeleted != 0 }

// Pairs appends the entry's fields and values, alternating, to dst.
func (e *Entry) Pairs(dst []listpack.Value) []listpack.Value {
	lp := e.lp
	p := e.fv
	k := len(dst)
	dst = slices.Grow(dst, 2*e.n)[:k+2*e.n]
	if e.flags&flagSameFields != 0 {
		m := e.mfield
		for i := k; i < len(dst); i += 2 {
			m = lp.ReadTo(m, &dst[i])
			p = lp.ReadTo(p, &dst[i+1])
		}
		return dst
	}
	for i := k; i < len(dst); i++ {
		p = lp.ReadTo(p, &dst[i])
	}
	return dst
}

// entryAt parses the entry whose flags element is at p.
func (v *nodeView) entryAt(p int) Entry {
	var e Entry
	v.readEntry(p, &e)
	return e
}

// readEntry is entryAt into *e: an iterator's step fills its entry in
// place rather than copying one back through the stack.
func (v *nodeView) readEntry(p int, e *Entry) {
	lp := v.lp
	e.lp, e.pos, e.mfield = lp, p, v.mfield
	flags, p := lpIntNext(lp, p)
	ms, p := lpIntNext(lp, p)
	seq, p := lpIntNext(lp, p)
	e.flags = int(flags)
	e.ID.Ms = v.master.Ms + uint64(ms)
	e.ID.Seq = v.master.Seq + uint64(seq)
	skip := 0
	if e.flags&flagSameFields != 0 {
		e.n = v.nf
		skip = v.nf
	} else {
		n, next := lpIntNext(lp, p)
		e.n, p = int(n), next
		skip = 2 * e.n
	}
	e.fv = p
	for range skip {
		p = lp.Next(p)
	}
	e.next = lp.Next(p) // past lp-count
}

// lastEntry returns the flags position of the node's last entry, -1 when
// it has none.
func (v *nodeView) lastEntry() int {
	if v.first < 0 {
		return -1
	}
	return v.backFrom(v.lp.Last())
}

// prevEntry returns the flags position of the entry before the one at p.
func (v *nodeView) prevEntry(p int) int {
	if p == v.first {
		return -1
	}
	return v.backFrom(v.lp.Prev(p))
}

// backFrom walks back from an entry's lp-count element to its flags.
func (v *nodeView) backFrom(q int) int {
	c := int(lpInt(v.lp, q))
	for range c {
		q = v.lp.Prev(q)
	}
	return q
}

// seekNode returns the index of the last node whose master id is at most
// id, -1 when none is.
func (s *Stream) seekNode(id ID) int {
	i := sort.Search(len(s.nodes), func(i int) bool { return id.Less(s.nodes[i].master) })
	return i - 1
}

// Append adds an entry with id (above LastID: the caller checks) and the
// fields and values fv (alternating), as Redis's streamAppendItem does. The
// tail node's master entry is read once, and the entry is written in one
// pass at the node's end.
func (s *Stream) Append(st Store, cfg Config, id ID, fv [][]byte) {
	nf := len(fv) / 2
	totlen := 0
	bound := 40 // flags, ids, num-fields, lp-count and the master's counters
	for _, b := range fv {
		totlen += len(b)
		bound += len(b) + 10
	}
	maxBytes := cfg.MaxBytes
	if maxBytes <= 0 || maxBytes > MaxListpackSize {
		maxBytes = MaxListpackSize
	}
	flags := 0
	var master ID
	var lp listpack.Listpack
	var c []byte
	i := len(s.nodes) - 1
	if i >= 0 {
		c = st.Bytes(s.tail.h)
		if e := int(s.tailEnd); e > 0 && e <= len(c) {
			s.touched = c[e-1]
		}
		n := int(binary.LittleEndian.Uint32(c))
		lp = listpack.FromBytes(c[:n:len(c)])
		p := lp.First()
		count := int(lpInt(lp, p))
		p = lp.Next(p)
		deleted := int(lpInt(lp, p))
		if n+totlen >= maxBytes || (cfg.MaxEntries > 0 && count+deleted >= cfg.MaxEntries) {
			s.shrink(st, i)
			i = -1
		} else {
			master = s.tail.master
			p = lp.Next(p)
			if int(lpInt(lp, p)) == nf {
				same := true
				m := lp.Next(p)
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
			if n+bound > len(c) {
				want := max(2*len(c), n+bound)
				if pre := min(nodePrealloc, maxBytes); len(c) < pre {
					want = max(pre, n+bound)
				}
				s.move(st, i, c, n, want)
				c = st.Bytes(s.tail.h)
				lp = listpack.FromBytes(c[:n:len(c)])
			}
			lp.ReplaceInt(lp.First(), int64(count+1))
		}
	}
	var a listpack.Appender
	if i < 0 {
		// A new node: its master entry has the entry's fields.
		master = id
		size := 7 + bound + 40
		for k := 0; k < nf; k++ {
			size += len(fv[2*k]) + 10
		}
		var h uint64
		h, c = st.Alloc(max(size, 64))
		lp = listpack.FromBytes(listpack.AppendEmpty(c[:0]))
		s.nodes = append(s.nodes, nodeRec{master: id, h: h})
		s.setTail()
		flags = flagSameFields
		a = lp.Appender()
		a.Int(1)
		a.Int(0)
		a.Int(int64(nf))
		for k := 0; k < nf; k++ {
			a.Str(fv[2*k])
		}
		a.Int(0)
	} else {
		a = lp.Appender()
	}
	a.Int(int64(flags))
	a.Int(int64(id.Ms - master.Ms))
	a.Int(int64(id.Seq - master.Seq))
	lpCount := nf + 3
	if flags&flagSameFields == 0 {
		a.Int(int64(nf))
		lpCount += nf + 1
	}
	for k := 0; k < nf; k++ {
		if flags&flagSameFields == 0 {
			a.Str(fv[2*k])
		}
		a.Str(fv[2*k+1])
	}
	a.Int(int64(lpCount))
	lp = a.Close()
	checkSame(lp, c)
	s.tailEnd = uint32(len(lp.Bytes()))
	s.length++
	s.EntriesAdded++
	s.LastID = id
	if s.length == 1 {
		s.FirstID = id
	}
}

// valueEq reports whether the listpack element v is the string b.
func valueEq(v listpack.Value, b []byte) bool {
	if !v.IsInt {
		return string(v.Str) == string(b)
	}
	var buf [20]byte
	return string(v.AppendTo(buf[:0])) == string(b)
}

// Range calls fn with each live entry whose id is in [start, end],
// ascending (descending when rev), until fn returns false. fn must not
// edit the stream.
func (s *Stream) Range(st Store, start, end ID, rev bool, fn func(e *Entry) bool) {
	it := s.Iterate(st, start, end, rev)
	for it.Next() {
		if !fn(it.Entry()) {
			return
		}
	}
}

// Iter walks the live entries of an id range; it allocates nothing. The
// stream must not change while it is used.
type Iter struct {
	s          *Stream
	st         Store
	start, end ID
	rev, done  bool
	i          int // node
	p          int // next entry's flags position in node i, -1 past its end
	v          nodeView
	e          Entry
}

// Iterate returns an iterator over the live entries in [start, end],
// ascending (descending when rev).
func (s *Stream) Iterate(st Store, start, end ID, rev bool) Iter {
	it := Iter{s: s, st: st, start: start, end: end, rev: rev, p: -1}
	if end.Less(start) {
		it.done = true
		return it
	}
	if rev {
		it.i = s.seekNode(end)
	} else {
		it.i = max(s.seekNode(start), 0)
	}
	if it.i < 0 || it.i >= len(s.nodes) {
		it.done = true
		return it
	}
	it.open()
	return it
}

func (it *Iter) open() {
	it.v = it.s.view(it.st, it.i)
	if it.rev {
		it.p = it.v.lastEntry()
	} else {
		it.p = it.v.first
	}
}

// Next moves to the next entry and reports whether there is one.
func (it *Iter) Next() bool {
	for !it.done {
		if it.p < 0 {
			if it.rev {
				it.i--
			} else {
				it.i++
			}
			if it.i < 0 || it.i >= len(it.s.nodes) {
				it.done = true
				return false
			}
			it.open()
			continue
		}
		it.v.readEntry(it.p, &it.e)
		if it.rev {
			it.p = it.v.prevEntry(it.p)
		} else {
			it.p = it.e.next
		}
		if it.e.flags&flagDeleted != 0 {
			continue
		}
		if !it.rev {
			if it.e.ID.Less(it.start) {
				continue
			}
			if it.end.Less(it.e.ID) {
				it.done = true
				return false
			}
		} else {
			if it.end.Less(it.e.ID) {
				continue
			}
			if it.e.ID.Less(it.start) {
				it.done = true
				return false
			}
		}
		return true
	}
	return false
}

// Entry returns the current entry, valid until Next.
func (it *Iter) Entry() *Entry { return &it.e }

// Has reports whether a live entry with id exists.
func (s *Stream) Has(st Store, id ID) bool {
	found := false
	s.Range(st, id, id, false, func(*Entry) bool { found = true; return false })
	return found
}

// Edge returns the first (or last) entry's id, tombstones included unless
// skipTombstones; MaxID (first) or 0-0 (last) when there is none, as
// Redis's streamGetEdgeID.
func (s *Stream) Edge(st Store, first, skipTombstones bool) (ID, bool) {
	if first {
		for i := range s.nodes {
			v := s.view(st, i)
			for p := v.first; p >= 0; {
				e := v.entryAt(p)
				p = e.next
				if skipTombstones && e.flags&flagDeleted != 0 {
					continue
				}
				return e.ID, true
			}
		}
		return MaxID, false
	}
	for i := len(s.nodes) - 1; i >= 0; i-- {
		v := s.view(st, i)
		for p := v.lastEntry(); p >= 0; p = v.prevEntry(p) {
			e := v.entryAt(p)
			if skipTombstones && e.flags&flagDeleted != 0 {
				continue
			}
			return e.ID, true
		}
	}
	return ID{}, false
}

// LastValidID is the id of the last live entry, or 0-0 (Redis's
// streamLastValidID).
func (s *Stream) LastValidID(st Store) ID {
	id, _ := s.Edge(st, false, true)
	return id
}

// Delete removes the live entry with id as XDEL does: the entry is flagged
// deleted, its node's counters change and a node left with no live entry
// is dropped; the stream's first and max deleted ids follow. It reports
// whether the entry existed.
func (s *Stream) Delete(st Store, id ID) bool {
	i := s.seekNode(id)
	if i < 0 {
		return false
	}
	s.room(st, i, 16) // the deleted counter may grow by a byte or two
	v := s.view(st, i)
	p := v.first
	for p >= 0 {
		e := v.entryAt(p)
		if e.ID == id {
			if e.flags&flagDeleted != 0 {
				return false
			}
			break
		}
		if id.Less(e.ID) {
			return false
		}
		p = e.next
	}
	if p < 0 {
		return false
	}
	if v.count == 1 {
		st.Free(s.nodes[i].h)
		s.nodes = append(s.nodes[:i], s.nodes[i+1:]...)
		s.setTail()
	} else {
		c := st.Bytes(s.nodes[i].h)
		lp := v.lp
		lp.ReplaceInt(p, lpInt(lp, p)|flagDeleted)
		q := lp.First()
		lp.ReplaceInt(q, int64(v.count-1))
		q = lp.Next(q)
		lp.ReplaceInt(q, int64(v.deleted+1))
		checkSame(lp, c)
	}
	s.length--
	if s.MaxDeletedID.Less(id) {
		s.MaxDeletedID = id
	}
	if s.length == 0 {
		s.FirstID = ID{}
	} else if id == s.FirstID {
		s.FirstID, _ = s.Edge(st, true, true)
	}
	return true
}

// Trim strategies.
const (
	TrimNone = iota
	TrimMaxLen
	TrimMinID
)

// TrimArgs says how to trim: by MAXLEN (MaxLen) or MINID (MinID), Approx
// for "~" (whole nodes only), Limit the most entries to remove (0: none).
type TrimArgs struct {
	Strategy int
	MaxLen   int64
	MinID    ID
	Approx   bool
	Limit    int64
}

// Trim removes entries from the head as Redis's streamTrim does and
// returns how many it removed.
func (s *Stream) Trim(st Store, a TrimArgs) int64 {
	if a.Strategy == TrimNone {
		return 0
	}
	var deleted int64
	for len(s.nodes) > 0 {
		if a.Strategy == TrimMaxLen && int64(s.length) <= a.MaxLen {
			break
		}
		v := s.view(st, 0)
		entries := int64(v.count)
		if a.Limit > 0 && deleted+entries > a.Limit {
			break
		}
		var remove bool
		if a.Strategy == TrimMaxLen {
			remove = int64(s.length)-entries >= a.MaxLen
		} else {
			last := v.entryAt(v.lastEntry()).ID
			remove = last.Less(a.MinID)
		}
		if remove {
			st.Free(s.nodes[0].h)
			s.nodes = append(s.nodes[:0], s.nodes[1:]...)
			s.setTail()
			s.length -= uint64(entries)
			deleted += entries
			continue
		}
		if a.Approx {
			break
		}
		s.room(st, 0, 16)
		v = s.view(st, 0)
		c := st.Bytes(s.nodes[0].h)
		lp := v.lp
		var fromNode int64
		for p := v.first; p >= 0; {
			e := v.entryAt(p)
			var stop bool
			if a.Strategy == TrimMaxLen {
				stop = int64(s.length) <= a.MaxLen
			} else {
				stop = !e.ID.Less(a.MinID)
			}
			if stop {
				break
			}
			if e.flags&flagDeleted == 0 {
				lp.ReplaceInt(p, int64(e.flags|flagDeleted))
				fromNode++
				s.length--
			}
			p = e.next
		}
		deleted += fromNode
		q := lp.First()
		lp.ReplaceInt(q, entries-fromNode)
		q = lp.Next(q)
		lp.ReplaceInt(q, int64(v.deleted)+fromNode)
		checkSame(lp, c)
		break
	}
	if s.length == 0 {
		s.FirstID = ID{}
	} else if deleted > 0 {
		s.FirstID, _ = s.Edge(st, true, true)
	}
	return deleted
}

// Nodes calls fn with each node's master id and listpack bytes, in order,
// until fn returns false (RDB's node walk).
func (s *Stream) Nodes(st Store, fn func(master ID, lp []byte) bool) {
	for i := range s.nodes {
		if !fn(s.nodes[i].master, s.lpOf(st, i).Bytes()) {
			return
		}
	}
}

// AppendNode adds a node copied from lp (a loaded or cloned one), whose
// master id must be above every node's; the caller sets the counters
// (SetLength and the id fields) afterwards.
func (s *Stream) AppendNode(st Store, master ID, lp []byte) {
	h, c := st.Alloc(len(lp))
	copy(c, lp)
	s.nodes = append(s.nodes, nodeRec{master: master, h: h})
	s.setTail()
}

// SetLength sets the live entry count (loading).
func (s *Stream) SetLength(n uint64) { s.length = n }

// Free releases every node's cell.
func (s *Stream) Free(st Store) {
	s.FreeSome(st, 0)
}

// FreeSome frees up to budget node cells (all when budget <= 0) and
// reports whether none is left.
func (s *Stream) FreeSome(st Store, budget int) bool {
	n := len(s.nodes)
	if budget > 0 && budget < n {
		n = budget
	}
	for _, r := range s.nodes[len(s.nodes)-n:] {
		st.Free(r.h)
	}
	s.nodes = s.nodes[:len(s.nodes)-n]
	s.setTail()
	return len(s.nodes) == 0
}

// Memory returns the bytes the stream holds: node cells (their full
// length), the node index and the groups' pending lists and consumers.
func (s *Stream) Memory(st Store) int {
	n := nodeRecSize*cap(s.nodes) + 64
	for i := range s.nodes {
		n += len(st.Bytes(s.nodes[i].h))
	}
	for _, g := range s.groups {
		n += g.memory()
	}
	return n
}

// Clone returns a deep copy whose nodes are new cells of st.
func (s *Stream) Clone(st Store) *Stream {
	c := &Stream{length: s.length, LastID: s.LastID, FirstID: s.FirstID,
		MaxDeletedID: s.MaxDeletedID, EntriesAdded: s.EntriesAdded}
	c.nodes = make([]nodeRec, 0, len(s.nodes))
	for i := range s.nodes {
		c.AppendNode(st, s.nodes[i].master, s.lpOf(st, i).Bytes())
	}
	for _, g := range s.groups {
		c.groups = append(c.groups, g.clone())
	}
	return c
}
