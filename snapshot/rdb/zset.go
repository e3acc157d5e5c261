package rdb

// Sorted sets: the DUMP payloads Redis 7.0 and 7.2 write for their two
// encodings, and reading every sorted-set type (ZSetMembers).

// DumpZSetListpack appends the DUMP payload of a small sorted set held as
// the listpack lp (member, score, ... ascending) to dst and returns the
// extended slice: TypeZSetListpack, lp as AppendString writes it with
// compression on, and the footer with RDB version 10 (which Redis 7.0
// RESTOREs; see dumpListHashVersion).
func DumpZSetListpack(dst []byte, lp []byte) []byte {
	start := len(dst)
	dst = append(dst, TypeZSetListpack)
	dst = AppendZSetListpack(dst, lp, true)
	return appendDumpFooter(dst, start, dumpListHashVersion)
}

// DumpZSet2 appends the DUMP payload of a big sorted set of n members to
// dst and returns the extended slice: TypeZSet2, n, then each member walk
// yields, as AppendString writes it with compression on, followed by its
// score as 8 bytes of little-endian binary64, and the footer with RDB
// version 10. Redis writes the members from the highest score down (so that
// loading inserts at the head); walk should yield them in that order. A walk
// that yields a number of members other than n is a bug of the caller's
// and panics.
func DumpZSet2(dst []byte, n int, walk func(yield func(member []byte, score float64) bool)) []byte {
	start := len(dst)
	dst = append(dst, TypeZSet2)
	dst = AppendZSet2(dst, n, walk, true)
	return appendDumpFooter(dst, start, dumpListHashVersion)
}

// ZSetMembers verifies a DUMP payload of a sorted set (TypeZSet, TypeZSet2,
// TypeZSetZiplist or TypeZSetListpack) and returns its members in payload
// order, refusing (ErrBadFormat) an empty set, a NaN or unreadable score,
// a repeated member and whatever is malformed. packed reports a listpack or
// ziplist payload (whose loading Redis converts by member count only). The
// member bytes may alias payload.
func ZSetMembers(payload []byte) (members []ZMember, packed bool, err error) {
	typ, body, err := DumpBody(payload)
	if err != nil {
		return nil, false, err
	}
	return ReadZSetMembers(typ, body)
}

// ReadZSetMembers is ZSetMembers for the value encoding of type typ at the
// start of b (after the type byte).
func ReadZSetMembers(typ byte, b []byte) (members []ZMember, packed bool, err error) {
	members, packed, _, err = readZSetMembers(typ, b, nil)
	return members, packed, err
}

// ReadZSetMembers is ReadZSetMembers with s's memory for a listpack's
// bytes and its members: the slice returned and its members' bytes may
// alias it.
func (s *Scratch) ReadZSetMembers(typ byte, b []byte) (members []ZMember, packed bool, err error) {
	members, packed, _, err = readZSetMembers(typ, b, s)
	return members, packed, err
}

// ReadZSetListpack is ReadZSetMembers with s's memory that also returns,
// for a TypeZSetListpack value, the validated listpack the members were
// read from (nil for other types): a loader can keep it as it is, as
// Redis keeps it, when its members are in order.
func (s *Scratch) ReadZSetListpack(typ byte, b []byte) (members []ZMember, lp []byte, err error) {
	members, _, lp, err = readZSetMembers(typ, b, s)
	return members, lp, err
}

func readZSetMembers(typ byte, b []byte, sc *Scratch) (members []ZMember, packed bool, lp []byte, err error) {
	if kindOf(typ) != TypeZSet {
		return nil, false, nil, notThisType(typ)
	}
	v, err := decodeValue(typ, b, sc)
	if err != nil {
		return nil, false, nil, err
	}
	if len(v.ZSet) == 0 {
		return nil, false, nil, ErrBadFormat
	}
	return v.ZSet, typ == TypeZSetZiplist || typ == TypeZSetListpack, v.Listpack, nil
}
