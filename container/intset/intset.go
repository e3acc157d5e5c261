// Package intset reads and edits Redis's intset, the byte format Redis keeps
// small all-integer sets in, so that a small set in Anax holds the very bytes
// DUMP writes (RDB type 11) and RESTORE reads.
//
// # Format
//
//	<encoding u32 LE> <length u32 LE> <element> ...
//
// The encoding is the width of every element in bytes: 2, 4 or 8. Elements
// are signed little-endian integers, strictly ascending. Adding an element
// that the width cannot hold widens every element first (Redis's upgrade);
// an intset never narrows, as Redis's never does, so the bytes after any
// sequence of adds and removes are the ones Redis holds after the same
// sequence.
//
// # Model
//
// An intset is one []byte with no Go pointer per element, so it can live
// inside an arena cell. Editing functions take the bytes and return the
// edited bytes: in place when the capacity allows, else a new slice. They
// assume well-formed bytes: New, or bytes that passed Validate, the only
// function meant for untrusted input.
package intset

import (
	"encoding/binary"
	"errors"
	"math"
)

// HeaderSize is the length of the encoding and length fields.
const HeaderSize = 8

// Element widths (Redis's INTSET_ENC_*).
const (
	Enc16 = 2
	Enc32 = 4
	Enc64 = 8
)

// AppendEmpty appends an empty intset (width 2) to dst.
func AppendEmpty(dst []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, Enc16)
	return binary.LittleEndian.AppendUint32(dst, 0)
}

// New returns an empty intset.
func New() []byte { return AppendEmpty(make([]byte, 0, 16)) }

// Width returns the element width of is.
func Width(is []byte) int { return int(binary.LittleEndian.Uint32(is)) }

// Len returns the number of elements of is.
func Len(is []byte) int { return int(binary.LittleEndian.Uint32(is[4:])) }

// WidthOf is the smallest width that holds v (Redis's _intsetValueEncoding).
func WidthOf(v int64) int { return widthOf(v) }

func widthOf(v int64) int {
	switch {
	case v < math.MinInt32 || v > math.MaxInt32:
		return Enc64
	case v < math.MinInt16 || v > math.MaxInt16:
		return Enc32
	}
	return Enc16
}

func getW(is []byte, i, w int) int64 {
	p := HeaderSize + i*w
	switch w {
	case Enc16:
		return int64(int16(binary.LittleEndian.Uint16(is[p:])))
	case Enc32:
		return int64(int32(binary.LittleEndian.Uint32(is[p:])))
	}
	return int64(binary.LittleEndian.Uint64(is[p:]))
}

func setW(is []byte, i, w int, v int64) {
	p := HeaderSize + i*w
	switch w {
	case Enc16:
		binary.LittleEndian.PutUint16(is[p:], uint16(v))
	case Enc32:
		binary.LittleEndian.PutUint32(is[p:], uint32(v))
	default:
		binary.LittleEndian.PutUint64(is[p:], uint64(v))
	}
}

// Get returns element i (0 ≤ i < Len) of is.
func Get(is []byte, i int) int64 { return getW(is, i, Width(is)) }

// Min and Max return the smallest and largest element; is must not be empty.
func Min(is []byte) int64 { return Get(is, 0) }
func Max(is []byte) int64 { return Get(is, Len(is)-1) }

// search returns the position of v, or where it would be inserted, and
// whether it is there.
func search(is []byte, v int64) (int, bool) {
	w, n := Width(is), Len(is)
	if n == 0 {
		return 0, false
	}
	// Out of range of the extremes: Redis checks them first too.
	if v > getW(is, n-1, w) {
		return n, false
	}
	if v < getW(is, 0, w) {
		return 0, false
	}
	lo, hi := 0, n-1
	for lo <= hi {
		mid := int(uint(lo+hi) >> 1)
		switch x := getW(is, mid, w); {
		case x < v:
			lo = mid + 1
		case x > v:
			hi = mid - 1
		default:
			return mid, true
		}
	}
	return lo, false
}

// Find reports whether v is an element of is.
func Find(is []byte, v int64) bool {
	if widthOf(v) > Width(is) {
		return false
	}
	_, ok := search(is, v)
	return ok
}

// grow returns is extended by n bytes, in place when its capacity allows.
func grow(is []byte, n int) []byte {
	if len(is)+n <= cap(is) {
		return is[:len(is)+n]
	}
	nb := make([]byte, len(is)+n, 2*len(is)+n)
	copy(nb, is)
	return nb
}

// Add adds v to is and returns the edited intset and whether v was new.
func Add(is []byte, v int64) ([]byte, bool) {
	w, n := Width(is), Len(is)
	if vw := widthOf(v); vw > w {
		// Widen: v is beyond every element, so it goes first or last.
		is = grow(is, n*(vw-w)+vw)
		prepend := 0
		if v < 0 {
			prepend = 1
		}
		for i := n - 1; i >= 0; i-- {
			setW(is, i+prepend, vw, getW(is, i, w))
		}
		if prepend == 1 {
			setW(is, 0, vw, v)
		} else {
			setW(is, n, vw, v)
		}
		binary.LittleEndian.PutUint32(is, uint32(vw))
		binary.LittleEndian.PutUint32(is[4:], uint32(n+1))
		return is, true
	}
	pos, ok := search(is, v)
	if ok {
		return is, false
	}
	is = grow(is, w)
	p := HeaderSize + pos*w
	copy(is[p+w:], is[p:HeaderSize+n*w])
	setW(is, pos, w, v)
	binary.LittleEndian.PutUint32(is[4:], uint32(n+1))
	return is, true
}

// Remove removes v from is and returns the edited intset (in place) and
// whether v was there.
func Remove(is []byte, v int64) ([]byte, bool) {
	if widthOf(v) > Width(is) {
		return is, false
	}
	pos, ok := search(is, v)
	if !ok {
		return is, false
	}
	return RemoveAt(is, pos), true
}

// RemoveAt removes element i and returns the edited intset (in place).
func RemoveAt(is []byte, i int) []byte {
	w, n := Width(is), Len(is)
	p := HeaderSize + i*w
	copy(is[p:], is[p+w:HeaderSize+n*w])
	binary.LittleEndian.PutUint32(is[4:], uint32(n-1))
	return is[:HeaderSize+(n-1)*w]
}

// ErrInvalid is Validate's error.
var ErrInvalid = errors.New("intset: invalid bytes")

// Validate checks untrusted bytes (a RESTORE payload's intset) as Redis's
// intsetValidateIntegrity does with deep checking: a known width, a length
// that matches the bytes, and strictly ascending elements. An empty intset
// is valid here; the caller refuses one where Redis does.
func Validate(is []byte) error {
	if len(is) < HeaderSize {
		return ErrInvalid
	}
	w := binary.LittleEndian.Uint32(is)
	if w != Enc16 && w != Enc32 && w != Enc64 {
		return ErrInvalid
	}
	n := uint64(binary.LittleEndian.Uint32(is[4:]))
	if uint64(len(is)-HeaderSize) != n*uint64(w) {
		return ErrInvalid
	}
	for i := 1; i < int(n); i++ {
		if getW(is, i-1, int(w)) >= getW(is, i, int(w)) {
			return ErrInvalid
		}
	}
	return nil
}
