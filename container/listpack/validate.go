package listpack

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrCorrupt is returned by Validate for bytes that are not a well-formed
// listpack.
var ErrCorrupt = errors.New("listpack: corrupt")

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// Validate checks untrusted bytes (a RESTORE payload, a loaded file) fully:
// the header's total is len(b), every entry has a known encoding that fits
// before the terminator, every backlen is the one Redis writes for its entry,
// the count matches unless saturated, and 0xFF ends b. It never panics, and a
// listpack that passes may be given to FromBytes.
func Validate(b []byte) error {
	if len(b) < headerSize+1 {
		return corrupt("%d bytes, shorter than header and terminator", len(b))
	}
	if t := binary.LittleEndian.Uint32(b); uint64(t) != uint64(len(b)) {
		return corrupt("header says %d bytes, have %d", t, len(b))
	}
	end := len(b) - 1
	if b[end] != terminator {
		return corrupt("no terminator")
	}
	want := int(binary.LittleEndian.Uint16(b[4:]))
	n := 0
	for p := headerSize; p < end; n++ {
		e := b[p:end]
		size, ok := entrySize(e)
		if !ok || size > len(e) {
			return corrupt("entry %d at %d overruns", n, p)
		}
		bl := backlenSize(size)
		if bl > len(e)-size || !backlenOK(e[size:size+bl], size) {
			return corrupt("entry %d at %d has a bad backlen", n, p)
		}
		p += size + bl
	}
	if want != countUnknown && n != want {
		return corrupt("header counts %d elements, have %d", want, n)
	}
	return nil
}

// entrySize reads the size (encoding and data) of the entry that e starts
// with, checking only that the encoding's own bytes are there.
func entrySize(e []byte) (int, bool) {
	c := e[0]
	switch {
	case c&0x80 == 0:
		return 1, true
	case c&0xC0 == 0x80:
		return 1 + int(c&0x3f), true
	case c&0xE0 == 0xC0:
		return 2, true
	case c&0xF0 == 0xE0:
		if len(e) < 2 {
			return 0, false
		}
		return 2 + (int(c&0x0f)<<8 | int(e[1])), true
	case c == 0xF0:
		if len(e) < 5 {
			return 0, false
		}
		n := uint64(binary.LittleEndian.Uint32(e[1:]))
		if n > uint64(len(e)) {
			return 0, false
		}
		return 5 + int(n), true
	case c == 0xF1:
		return 3, true
	case c == 0xF2:
		return 4, true
	case c == 0xF3:
		return 5, true
	case c == 0xF4:
		return 9, true
	}
	return 0, false // 0xF5..0xFF
}

// backlenOK reports whether bl (backlenSize(n) bytes) is the backlen Redis
// writes for an entry of size n.
func backlenOK(bl []byte, n int) bool {
	for i := len(bl) - 1; i >= 0; i-- {
		c := byte(n & 127)
		if i > 0 {
			c |= 128
		}
		if bl[i] != c {
			return false
		}
		n >>= 7
	}
	return n == 0
}
