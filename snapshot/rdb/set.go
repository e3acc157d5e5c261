package rdb

import (
	is "github.com/anaxdb/anax/container/intset"
	"github.com/anaxdb/anax/container/listpack"
)

// Sets without a Go slice per member: a loader keeps a small set's intset or
// listpack as it is (SetSmall returns it, validated) and adds a hashtable
// set's members one at a time (SetMembers). The Dump functions write sets in
// the types Redis 7.0 writes: an intset as TypeSetIntset, any other set as
// TypeSet (7.0 has no set listpack; 7.2 reads both), with RDB version 10 in
// the footer, so that Redis 7.0 and 7.2 RESTORE them.

// SetSmall verifies a DUMP payload of a small set (TypeSetIntset or
// TypeSetListpack) and returns its type and its intset or listpack,
// validated: a well-formed, non-empty intset, or a well-formed, non-empty
// listpack with no member twice (an integer entry and its decimal text are
// the same member). The bytes alias payload unless they were LZF-compressed.
// TypeSet returns ErrUnsupportedType: read it with SetMembers.
func SetSmall(payload []byte) (typ byte, small []byte, err error) {
	typ, body, err := DumpBody(payload)
	if err != nil {
		return 0, nil, err
	}
	small, _, err = ReadSetSmall(typ, body)
	return typ, small, err
}

// ReadSetSmall is SetSmall for the value encoding at the start of b (after
// the type byte); it also returns the bytes the value took.
func ReadSetSmall(typ byte, b []byte) (small []byte, consumed int, err error) {
	return readSetSmall(typ, b, nil)
}

// ReadSetSmall is ReadSetSmall with s's memory for the intset or listpack
// when it was compressed: small may alias it.
func (s *Scratch) ReadSetSmall(typ byte, b []byte) (small []byte, consumed int, err error) {
	return readSetSmall(typ, b, s)
}

func readSetSmall(typ byte, b []byte, sc *Scratch) (small []byte, consumed int, err error) {
	if typ != TypeSetIntset && typ != TypeSetListpack {
		return nil, 0, notThisType(typ)
	}
	d := decoder{b: b, scratch: sc}
	blob, err := d.blob()
	if err != nil {
		return nil, 0, err
	}
	if typ == TypeSetIntset {
		if is.Validate(blob) != nil || is.Len(blob) == 0 {
			return nil, 0, ErrBadFormat
		}
	} else if listpack.Validate(blob) != nil || checkPackedHash(blob, 1) != nil {
		return nil, 0, ErrBadFormat
	}
	return blob, len(b) - len(d.b), nil
}

// SetMembers verifies a DUMP payload of a hashtable set (TypeSet) and calls
// start with its member count, then yield with each member in payload order
// (valid only during the call). The count is the payload's claim: it is
// not 0 and not more than the bytes left, but the members may repeat, which
// the caller refuses as Redis does when it adds them. yield's error stops
// the walk and is returned as it is.
func SetMembers(payload []byte, start func(n int), yield func(m []byte) error) error {
	typ, body, err := DumpBody(payload)
	if err != nil {
		return err
	}
	if typ != TypeSet {
		return notThisType(typ)
	}
	_, err = ReadSetMembers(body, start, yield)
	return err
}

// ReadSetMembers is SetMembers for the TypeSet value encoding at the start
// of b (after the type byte); it also returns the bytes the value took.
func ReadSetMembers(b []byte, start func(n int), yield func(m []byte) error) (int, error) {
	d := decoder{b: b}
	n, _, err := d.count(1)
	if err != nil {
		return 0, err
	}
	start(int(n))
	for range n {
		m, err := d.str()
		if err != nil {
			return 0, err
		}
		if err := yield(m); err != nil {
			return 0, err
		}
	}
	return len(b) - len(d.b), nil
}

// DumpSetIntset appends the DUMP payload of a set held as the intset is to
// dst and returns the extended slice: TypeSetIntset, is as AppendString
// writes it with compression on, and the footer with RDB version 10; Redis
// 7.0's DUMP of the same set byte for byte.
func DumpSetIntset(dst, is []byte) []byte {
	start := len(dst)
	dst = append(dst, TypeSetIntset)
	dst = AppendSetIntset(dst, is, true)
	return appendDumpFooter(dst, start, dumpListHashVersion)
}

// DumpSetEach appends the DUMP payload of a set of n members to dst and
// returns the extended slice: TypeSet, n, then each member walk yields (as
// AppendString writes it with compression on), and the footer with RDB
// version 10. A walk that yields other than n members is a bug of the
// caller's and panics.
func DumpSetEach(dst []byte, n int, walk func(yield func(m []byte) bool)) []byte {
	start := len(dst)
	dst = append(dst, TypeSet)
	dst = AppendSetEach(dst, n, walk, true)
	return appendDumpFooter(dst, start, dumpListHashVersion)
}
