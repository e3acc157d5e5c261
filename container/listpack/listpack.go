package listpack

import (
	"encoding/binary"
	"math"
	"slices"
	"strconv"
	"unsafe"
)

const (
	headerSize   = 6
	terminator   = 0xFF
	countUnknown = 65535

	// MaxSize is the largest listpack Redis lets grow (lpSafeToAdd).
	MaxSize = 1 << 30
)

// Listpack is a listpack's bytes. The zero value is not a listpack: start
// from New or FromBytes.
type Listpack struct {
	b []byte
}

// New returns an empty listpack (7 bytes).
func New() Listpack {
	return Listpack{b: AppendEmpty(nil)}
}

// AppendEmpty appends the bytes of an empty listpack to dst.
func AppendEmpty(dst []byte) []byte {
	return append(dst, headerSize+1, 0, 0, 0, 0, 0, terminator)
}

// FromBytes wraps b without copying or checking it; b must be well formed
// (from Bytes, or checked by Validate). Edits may write into b's capacity.
func FromBytes(b []byte) Listpack { return Listpack{b: b} }

// Bytes returns the listpack's bytes, valid until the next edit.
func (l Listpack) Bytes() []byte { return l.b }

// Len returns the number of elements; it walks the listpack only when the
// header's count is saturated.
func (l Listpack) Len() int {
	n := int(binary.LittleEndian.Uint16(l.b[4:]))
	if n != countUnknown {
		return n
	}
	return l.walkCount()
}

func (l Listpack) walkCount() int {
	n := 0
	for p := l.First(); p >= 0; p = l.Next(p) {
		n++
	}
	return n
}

// SafeToAdd reports whether growing by add bytes keeps the listpack within
// MaxSize. Edits do not check it: like Redis's callers, the type that owns a
// listpack asks before it adds and converts to its big encoding instead.
func (l Listpack) SafeToAdd(add int) bool { return len(l.b)+add <= MaxSize }

// Value is one element: an integer when IsInt, else the bytes Str, which
// alias the listpack until its next edit.
type Value struct {
	Str   []byte
	Int   int64
	IsInt bool
}

// AppendTo appends the element's text (an integer in decimal) to dst.
func (v Value) AppendTo(dst []byte) []byte {
	if v.IsInt {
		return strconv.AppendInt(dst, v.Int, 10)
	}
	return append(dst, v.Str...)
}

// Equal reports whether the element's text is s.
func (v Value) Equal(s []byte) bool {
	if !v.IsInt {
		return string(v.Str) == string(s)
	}
	n, ok := ParseInt(s)
	return ok && n == v.Int
}

// ParseInt reads s as an int64 exactly as Redis's string2ll does: at most 20
// bytes, an optional '-', then digits with no leading zero ("0" alone is
// allowed, "-0" is not).
func ParseInt(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	if len(s) == 1 && s[0] == '0' {
		return 0, true
	}
	i, neg := 0, false
	if s[0] == '-' {
		neg, i = true, 1
		if len(s) == 1 {
			return 0, false
		}
	}
	if s[i] < '1' || s[i] > '9' {
		return 0, false
	}
	var u uint64
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if u > (math.MaxUint64-d)/10 {
			return 0, false
		}
		u = u*10 + d
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return int64(-u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// encoded is one entry being written: head holds the encoding byte and either
// the integer or the string length; data is the string's bytes.
type encoded struct {
	head [9]byte
	hn   int
	data []byte
}

// size is the entry's size without its backlen.
func (e *encoded) size() int { return e.hn + len(e.data) }

func encodeInt(e *encoded, v int64) {
	e.data = nil
	switch {
	case v >= 0 && v <= 127:
		e.head[0], e.hn = byte(v), 1
	case v >= -4096 && v <= 4095:
		u := uint64(v) & 0x1fff
		e.head[0], e.head[1], e.hn = 0xC0|byte(u>>8), byte(u), 2
	case v >= math.MinInt16 && v <= math.MaxInt16:
		e.head[0] = 0xF1
		binary.LittleEndian.PutUint16(e.head[1:], uint16(v))
		e.hn = 3
	case v >= -1<<23 && v < 1<<23:
		e.head[0] = 0xF2
		e.head[1], e.head[2], e.head[3] = byte(v), byte(v>>8), byte(v>>16)
		e.hn = 4
	case v >= math.MinInt32 && v <= math.MaxInt32:
		e.head[0] = 0xF3
		binary.LittleEndian.PutUint32(e.head[1:], uint32(v))
		e.hn = 5
	default:
		e.head[0] = 0xF4
		binary.LittleEndian.PutUint64(e.head[1:], uint64(v))
		e.hn = 9
	}
}

func encodeString(e *encoded, s []byte) {
	if v, ok := ParseInt(s); ok {
		encodeInt(e, v)
		return
	}
	n := len(s)
	switch {
	case n < 64:
		e.head[0], e.hn = 0x80|byte(n), 1
	case n < 4096:
		e.head[0], e.head[1], e.hn = 0xE0|byte(n>>8), byte(n), 2
	default:
		e.head[0] = 0xF0
		binary.LittleEndian.PutUint32(e.head[1:], uint32(n))
		e.hn = 5
	}
	e.data = s
}

// backlenSize is how many bytes the backlen of an entry of size n takes
// (Redis's thresholds stop one short of each power of 128).
func backlenSize(n int) int {
	switch {
	case n <= 127:
		return 1
	case n < 16383:
		return 2
	case n < 2097151:
		return 3
	case n < 268435455:
		return 4
	default:
		return 5
	}
}

// putBacklen writes the backlen of an entry of size n into dst, which is
// backlenSize(n) bytes long.
func putBacklen(dst []byte, n int) {
	for i := len(dst) - 1; i >= 0; i-- {
		c := byte(n & 127)
		if i > 0 {
			c |= 128
		}
		dst[i] = c
		n >>= 7
	}
}

// write puts e and its backlen at dst, which has room for them.
func (e *encoded) write(dst []byte) {
	copy(dst, e.head[:e.hn])
	copy(dst[e.hn:], e.data)
	s := e.size()
	putBacklen(dst[s:s+backlenSize(s)], s)
}

// total is the entry's size with its backlen.
func (e *encoded) total() int {
	s := e.size()
	return s + backlenSize(s)
}

// decodeTo reads the element at p into *v and returns its size without
// backlen. It writes where the caller keeps the Value: a Value returned by
// value goes through the stack, and reading it back in 16-byte moves from
// the 8-byte stores just made stalls the store buffer, which cost more than
// the decoding.
func (l Listpack) decodeTo(p int, v *Value) (size int) {
	b := l.b[p:]
	c := b[0]
	switch {
	case c&0x80 == 0:
		v.Str, v.Int, v.IsInt = nil, int64(c), true
		return 1
	case c&0xC0 == 0x80:
		n := int(c & 0x3f)
		v.Str, v.Int, v.IsInt = b[1:1+n:1+n], 0, false
		return 1 + n
	case c&0xE0 == 0xC0:
		x := int64(c&0x1f)<<8 | int64(b[1])
		if x >= 1<<12 {
			x -= 1 << 13
		}
		v.Str, v.Int, v.IsInt = nil, x, true
		return 2
	case c&0xF0 == 0xE0:
		n := int(c&0x0f)<<8 | int(b[1])
		v.Str, v.Int, v.IsInt = b[2:2+n:2+n], 0, false
		return 2 + n
	case c == 0xF0:
		n := int(binary.LittleEndian.Uint32(b[1:]))
		v.Str, v.Int, v.IsInt = b[5:5+n:5+n], 0, false
		return 5 + n
	case c == 0xF1:
		v.Str, v.Int, v.IsInt = nil, int64(int16(binary.LittleEndian.Uint16(b[1:]))), true
		return 3
	case c == 0xF2:
		x := int32(uint32(b[1])<<8|uint32(b[2])<<16|uint32(b[3])<<24) >> 8
		v.Str, v.Int, v.IsInt = nil, int64(x), true
		return 4
	case c == 0xF3:
		v.Str, v.Int, v.IsInt = nil, int64(int32(binary.LittleEndian.Uint32(b[1:]))), true
		return 5
	case c == 0xF4:
		v.Str, v.Int, v.IsInt = nil, int64(binary.LittleEndian.Uint64(b[1:])), true
		return 9
	}
	panic("BUG: listpack: bad encoding byte")
}

// dataSize is decodeTo's size without building the value: what a walk over
// elements it does not read needs.
func (l Listpack) dataSize(p int) int {
	b := l.b[p:]
	c := b[0]
	switch {
	case c&0x80 == 0:
		return 1
	case c&0xC0 == 0x80:
		return 1 + int(c&0x3f)
	case c&0xE0 == 0xC0:
		return 2
	case c&0xF0 == 0xE0:
		return 2 + (int(c&0x0f)<<8 | int(b[1]))
	case c == 0xF0:
		return 5 + int(binary.LittleEndian.Uint32(b[1:]))
	case c == 0xF1:
		return 3
	case c == 0xF2:
		return 4
	case c == 0xF3:
		return 5
	case c == 0xF4:
		return 9
	}
	panic("BUG: listpack: bad encoding byte")
}

// entryTotal is the full size of the entry at p, backlen included.
func (l Listpack) entryTotal(p int) int {
	s := l.dataSize(p)
	return s + backlenSize(s)
}

// First returns the position of the first element, or -1 when empty.
func (l Listpack) First() int {
	if l.b[headerSize] == terminator {
		return -1
	}
	return headerSize
}

// Last returns the position of the last element, or -1 when empty.
func (l Listpack) Last() int {
	return l.prevOf(len(l.b) - 1)
}

// Next returns the position after p, or -1 past the last element.
func (l Listpack) Next(p int) int {
	p += l.entryTotal(p)
	if l.b[p] == terminator {
		return -1
	}
	return p
}

// Prev returns the position before p, or -1 before the first element.
func (l Listpack) Prev(p int) int { return l.prevOf(p) }

// prevOf returns the start of the entry that ends at p, or -1 if p is the
// first entry (or the terminator of an empty listpack).
func (l Listpack) prevOf(p int) int {
	if p <= headerSize {
		return -1
	}
	q := p - 1
	n, shift := 0, 0
	for {
		c := l.b[q]
		n |= int(c&127) << shift
		if c&128 == 0 {
			break
		}
		shift += 7
		q--
	}
	return q - n
}

// At returns the element at position p.
func (l Listpack) At(p int) (v Value) {
	l.decodeTo(p, &v)
	return v
}

// ReadTo sets *v to the element at p and returns the position after it,
// -1 past the last: At and Next in one decoding, into the caller's Value
// (decodeTo).
func (l Listpack) ReadTo(p int, v *Value) int {
	size := l.decodeTo(p, v)
	p += size + backlenSize(size)
	if l.b[p] == terminator {
		return -1
	}
	return p
}

// Seek returns the position of the element at index i (negative counts from
// the end, -1 being the last), or -1 when out of range. It walks from the
// nearer end when the count is known.
func (l Listpack) Seek(i int) int {
	n := int(binary.LittleEndian.Uint16(l.b[4:]))
	if n != countUnknown {
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			return -1
		}
		if i > n/2 {
			i -= n
		}
	}
	if i >= 0 {
		p := l.First()
		for ; p >= 0 && i > 0; i-- {
			p = l.Next(p)
		}
		return p
	}
	p := l.Last()
	for ; p >= 0 && i < -1; i++ {
		p = l.Prev(p)
	}
	return p
}

// Get returns the element at index i (negative counts from the end).
func (l Listpack) Get(i int) (Value, bool) {
	p := l.Seek(i)
	if p < 0 {
		return Value{}, false
	}
	return l.At(p), true
}

// Find returns the position of the first element equal to s, starting at p
// and comparing every (skip+1)th element (skip 1 compares a hash's fields
// only), or -1. Integer elements match s's integer reading, string elements
// its bytes, as Redis's lpFind does.
func (l Listpack) Find(p int, s []byte, skip int) int {
	iv, isInt := ParseInt(s)
	var v Value
	for p >= 0 {
		size := l.decodeTo(p, &v)
		if v.IsInt {
			if isInt && v.Int == iv {
				return p
			}
		} else if string(v.Str) == string(s) {
			return p
		}
		p += size + backlenSize(size)
		for k := 0; k < skip && l.b[p] != terminator; k++ {
			p += l.entryTotal(p)
		}
		if l.b[p] == terminator {
			return -1
		}
	}
	return -1
}

// Iterator walks a listpack's elements without allocating:
//
//	for it := l.Iter(); it.Next(); { use(it.Value()) }
//	for it := l.IterBack(); it.Prev(); { ... }
type Iterator struct {
	l    Listpack
	p    int
	next int
	v    Value
}

// Iter returns an iterator before the first element.
func (l Listpack) Iter() Iterator { return Iterator{l: l, p: -1, next: l.First()} }

// IterBack returns an iterator after the last element.
func (l Listpack) IterBack() Iterator { return Iterator{l: l, p: -1, next: l.Last()} }

// Next moves to the next element and reports whether there is one.
func (it *Iterator) Next() bool {
	if it.next < 0 {
		return false
	}
	it.p = it.next
	it.next = it.l.ReadTo(it.p, &it.v)
	return true
}

// Prev moves to the previous element (of an IterBack iterator).
func (it *Iterator) Prev() bool {
	if it.next < 0 {
		return false
	}
	it.p = it.next
	it.l.decodeTo(it.p, &it.v)
	it.next = it.l.prevOf(it.p)
	return true
}

// Pos is the current element's position.
func (it *Iterator) Pos() int { return it.p }

// Value is the current element.
func (it *Iterator) Value() Value { return it.v }

// setCount adds d to the header's count, keeping it saturated once it is.
func (l *Listpack) setCount(d int) {
	n := int(binary.LittleEndian.Uint16(l.b[4:]))
	if n == countUnknown {
		if d > 0 {
			return
		}
		n = l.walkCount() // already reflects the edit
		if n >= countUnknown {
			return
		}
	} else {
		n += d
		if n > countUnknown {
			n = countUnknown
		}
	}
	binary.LittleEndian.PutUint16(l.b[4:], uint16(n))
}

// splice replaces the del bytes at p with the entry e (when e is not nil),
// growing or shrinking the listpack, and fixes the total in the header.
func (l *Listpack) splice(p, del int, e *encoded) {
	add := 0
	if e != nil {
		add = e.total()
	}
	old := len(l.b)
	n := old - del + add
	if add > del {
		l.b = slices.Grow(l.b, add-del)[:n]
	}
	if add != del { // an entry replaced by one of its size moves nothing
		copy(l.b[p+add:], l.b[p+del:old])
	}
	if add < del {
		l.b = l.b[:n]
	}
	if e != nil {
		e.write(l.b[p:])
	}
	binary.LittleEndian.PutUint32(l.b, uint32(n))
}

func (l *Listpack) insert(p int, e *encoded) int {
	l.splice(p, 0, e)
	l.setCount(1)
	return p
}

// encode encodes s for an edit of l. A string that lies in l's own memory (an
// element read from l) is copied first, since the edit moves those bytes.
func (l *Listpack) encode(e *encoded, s []byte) {
	encodeString(e, s)
	if len(e.data) > 0 && cap(l.b) > 0 {
		base := uintptr(unsafe.Pointer(unsafe.SliceData(l.b)))
		at := uintptr(unsafe.Pointer(unsafe.SliceData(e.data)))
		if at >= base && at < base+uintptr(cap(l.b)) {
			e.data = slices.Clone(e.data)
		}
	}
}

// EntrySize is the number of bytes s takes as an entry (encoding, data and
// backlen; an integer's text as the integer), so that an owner can make
// room before it adds.
func EntrySize(s []byte) int {
	var e encoded
	encodeString(&e, s)
	return e.total()
}

// Append adds s at the end.
func (l *Listpack) Append(s []byte) {
	var e encoded
	l.encode(&e, s)
	l.insert(len(l.b)-1, &e)
}

// AppendInt adds the integer v at the end.
func (l *Listpack) AppendInt(v int64) {
	var e encoded
	encodeInt(&e, v)
	l.insert(len(l.b)-1, &e)
}

// Prepend adds s at the front.
func (l *Listpack) Prepend(s []byte) {
	var e encoded
	l.encode(&e, s)
	l.insert(headerSize, &e)
}

// InsertBefore adds s before the element at p and returns s's position.
func (l *Listpack) InsertBefore(p int, s []byte) int {
	var e encoded
	l.encode(&e, s)
	return l.insert(p, &e)
}

// InsertAfter adds s after the element at p and returns s's position.
func (l *Listpack) InsertAfter(p int, s []byte) int {
	var e encoded
	l.encode(&e, s)
	return l.insert(p+l.entryTotal(p), &e)
}

// Replace sets the element at p to s and returns its position (p).
func (l *Listpack) Replace(p int, s []byte) int {
	var e encoded
	l.encode(&e, s)
	l.splice(p, l.entryTotal(p), &e)
	return p
}

// ReplaceInt sets the element at p to the integer v and returns p.
func (l *Listpack) ReplaceInt(p int, v int64) int {
	var e encoded
	encodeInt(&e, v)
	l.splice(p, l.entryTotal(p), &e)
	return p
}

// Delete removes the element at p and returns the position of the element
// that followed it, or -1 when it was the last.
func (l *Listpack) Delete(p int) int {
	l.splice(p, l.entryTotal(p), nil)
	l.setCount(-1)
	if l.b[p] == terminator {
		return -1
	}
	return p
}

// DeleteRange removes up to n elements from index i (negative counts from the
// end) and returns how many it removed.
func (l *Listpack) DeleteRange(i, n int) int {
	p := l.Seek(i)
	if p < 0 || n <= 0 {
		return 0
	}
	q, k := p, 0
	for ; k < n && l.b[q] != terminator; k++ {
		q += l.entryTotal(q)
	}
	l.splice(p, q-p, nil)
	l.setCount(-k)
	return k
}

// Appender adds elements at the end of a listpack in one pass: the bytes
// go straight after the last element and the header (total bytes and
// count) and terminator are written once, by Close. Until Close the bytes
// are not a listpack. Elements go into the listpack's capacity, and a
// bigger array is made only when it is full.
type Appender struct {
	b []byte // the listpack without its terminator
	n int    // elements added
}

// Appender starts appending to l; l must not be used until Close returns
// its new value.
func (l Listpack) Appender() Appender {
	return Appender{b: l.b[:len(l.b)-1]}
}

// add writes e and its backlen.
func (a *Appender) add(e *encoded) {
	s := e.size()
	b := append(a.b, e.head[:e.hn]...)
	b = append(b, e.data...)
	if s <= 127 {
		b = append(b, byte(s))
	} else {
		k := backlenSize(s)
		b = slices.Grow(b, k)[:len(b)+k]
		putBacklen(b[len(b)-k:], s)
	}
	a.b = b
	a.n++
}

// Int adds the integer v.
func (a *Appender) Int(v int64) {
	if v >= 0 && v <= 127 {
		a.b = append(a.b, byte(v), 1)
		a.n++
		return
	}
	var e encoded
	encodeInt(&e, v)
	a.add(&e)
}

// Str adds s, stored as Append stores it (an integer when it reads as one).
func (a *Appender) Str(s []byte) {
	var e encoded
	encodeString(&e, s)
	a.add(&e)
}

// Close ends the appending and returns the listpack.
func (a *Appender) Close() Listpack {
	l := Listpack{b: append(a.b, terminator)}
	binary.LittleEndian.PutUint32(l.b, uint32(len(l.b)))
	l.setCount(a.n)
	a.b, a.n = nil, 0
	return l
}
