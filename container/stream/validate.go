package stream

import (
	"errors"

	"github.com/anaxdb/anax/container/listpack"
)

// ErrCorrupt is returned for untrusted bytes that are not a well-formed
// stream.
var ErrCorrupt = errors.New("stream: corrupt")

// lpIntIfValid reads an element as an integer (a listpack integer, or a
// string that is one), as Redis's lpGetIntegerIfValid.
func lpIntIfValid(lp listpack.Listpack, p int) (int64, bool) {
	v := lp.At(p)
	if v.IsInt {
		return v.Int, true
	}
	return listpack.ParseInt(v.Str)
}

// ValidateNode checks an untrusted node listpack whose master id is master
// as Redis's deep streamValidateListpackIntegrity does, and more, so that
// no walk of the node can go wrong: its live and deleted counters match its
// entries' flags, it has a live entry, and its ids ascend, all above after
// (the previous node's last id; nil for the first node). It returns the
// node's live entry count and last id.
func ValidateNode(b []byte, master ID, after *ID) (live int, last ID, err error) {
	if listpack.Validate(b) != nil {
		return 0, last, ErrCorrupt
	}
	lp := listpack.FromBytes(b)
	p := lp.First()
	next := func() bool {
		if p < 0 {
			return false
		}
		p = lp.Next(p)
		return true
	}
	geti := func() (int64, bool) {
		if p < 0 {
			return 0, false
		}
		v, ok := lpIntIfValid(lp, p)
		if !ok {
			return 0, false
		}
		return v, next()
	}
	count, ok1 := geti()
	deleted, ok2 := geti()
	nf, ok3 := geti()
	if !ok1 || !ok2 || !ok3 || count < 0 || deleted < 0 || nf < 0 || nf > int64(len(b)) {
		return 0, last, ErrCorrupt
	}
	for range nf {
		if !next() {
			return 0, last, ErrCorrupt
		}
	}
	if z, ok := geti(); !ok || z != 0 {
		return 0, last, ErrCorrupt
	}
	total := count + deleted
	if total > int64(len(b)) {
		return 0, last, ErrCorrupt
	}
	var seenLive, seenDel int64
	prev := after
	for range total {
		flags, ok := geti()
		if !ok {
			return 0, last, ErrCorrupt
		}
		msd, ok1 := geti()
		seqd, ok2 := geti()
		if !ok1 || !ok2 {
			return 0, last, ErrCorrupt
		}
		fields, extra := nf, int64(3)
		if flags&flagSameFields == 0 {
			f, ok := geti()
			if !ok || f < 0 || f > int64(len(b)) {
				return 0, last, ErrCorrupt
			}
			fields = f
			for range fields {
				if !next() {
					return 0, last, ErrCorrupt
				}
			}
			extra += fields + 1
		}
		for range fields {
			if !next() {
				return 0, last, ErrCorrupt
			}
		}
		if p < 0 {
			return 0, last, ErrCorrupt
		}
		lc, ok := lpIntIfValid(lp, p)
		if !ok || lc != fields+extra {
			return 0, last, ErrCorrupt
		}
		p = lp.Next(p)
		id := ID{master.Ms + uint64(msd), master.Seq + uint64(seqd)}
		if prev != nil && !prev.Less(id) {
			return 0, last, ErrCorrupt
		}
		last = id
		prev = &last
		if flags&flagDeleted != 0 {
			seenDel++
		} else {
			seenLive++
		}
	}
	if p >= 0 || seenLive != count || seenDel != deleted || count == 0 {
		return 0, last, ErrCorrupt
	}
	return int(count), last, nil
}
