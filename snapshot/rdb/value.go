package rdb

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"strconv"

	"github.com/anaxdb/anax/container/listpack"
)

// Value is a decoded DUMP payload in a plain Go form. Type is the payload's
// RDB type byte as written (TypeListQuicklist2, TypeHashListpack, ...); Kind
// folds it to TypeString, TypeList, TypeSet, TypeZSet or TypeHash, and the
// one field of that kind is set:
//
//	TypeString  Str
//	TypeList    List, head to tail
//	TypeSet     Set, in payload order (intsets ascending; hashtable sets in
//	            Redis's iteration order)
//	TypeHash    Hash, (field, value) pairs in payload order
//	TypeZSet    ZSet, in payload order (listpacks and ziplists ascending by
//	            score; TypeZSet2 as Redis writes it, descending)
//
// Byte slices may alias the payload (or share a buffer with one another;
// each has its capacity clipped): copy them before the payload's memory is
// reused. Integer elements of listpacks, ziplists and intsets become their
// canonical decimal text.
type Value struct {
	Type byte
	Str  []byte
	List [][]byte
	Set  [][]byte
	Hash [][2][]byte
	ZSet []ZMember
	// Listpack is the validated listpack a TypeZSetListpack value was
	// decoded from (its members and scores are in ZSet), nil otherwise.
	Listpack []byte
}

// ZMember is one sorted-set member and its score (never NaN).
type ZMember struct {
	Member []byte
	Score  float64
}

// Kind returns the logical type of v: TypeString, TypeList, TypeSet,
// TypeZSet or TypeHash (or v.Type itself for a type this package does not
// decode).
func (v *Value) Kind() byte {
	return kindOf(v.Type)
}

func kindOf(t byte) byte {
	switch t {
	case TypeList, TypeListZiplist, TypeListQuicklist, TypeListQuicklist2:
		return TypeList
	case TypeSet, TypeSetIntset, TypeSetListpack:
		return TypeSet
	case TypeZSet, TypeZSet2, TypeZSetZiplist, TypeZSetListpack:
		return TypeZSet
	case TypeHash, TypeHashZiplist, TypeHashListpack:
		return TypeHash
	}
	return t
}

// DecodeDumpValue verifies a DUMP payload (VerifyDump) and decodes its value:
// strings and every list, set, sorted set and hash encoding Redis up to 7.2
// writes (plain, ziplist, listpack, intset, quicklist 1 and 2). Streams,
// modules and zipmaps return ErrUnsupportedType; anything malformed
// ErrBadFormat, including empty collections, NaN scores and duplicate set
// members, hash fields or sorted-set members (Redis looks for duplicates
// inside a listpack only with sanitize-dump-payload yes; here always). On
// error the Value holds only Type, when the footer was valid.
//
// It never panics. Strings are bounded by MaxStringLen, LZF output by 88
// times its input, and no count the payload claims is trusted for
// allocation, so memory is at most a constant factor of what the payload
// decodes to (the factor is the 24-byte slice header per element plus
// decimal text for integers; a small highly compressed payload may still
// decode to many elements, as it would in Redis).
func DecodeDumpValue(payload []byte) (Value, error) {
	typ, body, err := DumpBody(payload)
	if err != nil {
		return Value{}, err
	}
	return DecodeValue(typ, body)
}

// DecodeValue is DecodeDumpValue for the value encoding b of type typ (the
// bytes after the type byte, in a DUMP payload without its footer or in a
// record of an RDB file). Bytes after the value are ignored.
func DecodeValue(typ byte, body []byte) (Value, error) {
	return decodeValue(typ, body, nil)
}

func decodeValue(typ byte, body []byte, sc *Scratch) (Value, error) {
	var err error
	v := Value{Type: typ}
	d := decoder{b: body, scratch: sc}
	switch typ {
	case TypeString:
		v.Str, err = d.str()
	case TypeList:
		v.List, err = d.plainStrings(1)
	case TypeSet:
		v.Set, err = d.plainStrings(1)
		if err == nil {
			err = checkUnique(v.Set)
		}
	case TypeHash:
		var flat [][]byte
		if flat, err = d.plainStrings(2); err == nil {
			v.Hash, err = pairs(flat)
		}
	case TypeZSet, TypeZSet2:
		v.ZSet, err = d.plainZSet(typ == TypeZSet2)
	case TypeSetIntset:
		v.Set, err = d.intset()
	case TypeListZiplist, TypeListQuicklist, TypeListQuicklist2:
		v.List, err = d.list(typ)
	case TypeSetListpack:
		v.Set, err = d.packed(typ)
		if err == nil {
			err = checkUnique(v.Set)
		}
	case TypeHashZiplist, TypeHashListpack:
		var flat [][]byte
		if flat, err = d.packed(typ); err == nil {
			v.Hash, err = pairs(flat)
		}
	case TypeZSetListpack:
		v.ZSet, v.Listpack, err = d.listpackZSet()
	case TypeZSetZiplist:
		var flat [][]byte
		if flat, err = d.packed(typ); err == nil {
			v.ZSet, err = packedZSet(flat)
		}
	default:
		if knownType(typ) {
			return Value{Type: typ}, ErrUnsupportedType
		}
		return Value{Type: typ}, ErrBadFormat
	}
	if err != nil {
		return Value{Type: typ}, err
	}
	return v, nil
}

// decoder reads values from b and keeps the buffer that decimal text of
// integer elements is cut from.
type decoder struct {
	b       []byte
	arena   []byte
	scratch *Scratch // where blob decodes, when set
}

// Scratch is memory a caller that reads many values one after another
// (a loader) lends the reading functions that are its methods, for the
// one compressed string of a packed value: what they return may alias it,
// until the next call with the same Scratch. The zero value is ready.
type Scratch struct {
	b    []byte
	zs   []ZMember
	kept []byte // Keep's
}

// Keep copies b into memory of s that the reading functions do not use
// (Buf's), valid until the next Keep or Buf: a caller keeps what one of
// them returned while it reads on. With a nil s it returns a copy of its
// own.
func (s *Scratch) Keep(b []byte) []byte {
	if s == nil {
		return append([]byte(nil), b...)
	}
	s.kept = append(s.Buf(), b...)
	return s.kept
}

// Buf returns s's memory that the reading functions do not use, empty,
// with room for a small collection (4 KiB), for the caller to build a
// value in while it reads; valid until the next Keep or Buf.
func (s *Scratch) Buf() []byte {
	if cap(s.kept) < 4<<10 {
		s.kept = make([]byte, 0, 4<<10)
	}
	return s.kept[:0]
}

// blob reads the one string of a packed value (a listpack, ziplist or
// intset), into d.scratch's memory when there is one.
func (d *decoder) blob() ([]byte, error) {
	if d.scratch == nil {
		return d.str()
	}
	s, k, buf, err := ReadStringBuf(d.b, MaxStringLen, d.scratch.b)
	d.scratch.b = buf
	if err != nil {
		return nil, err
	}
	d.b = d.b[k:]
	return s, nil
}

func (d *decoder) length() (uint64, error) {
	n, enc, k, err := ReadLength(d.b)
	if err != nil || enc {
		return 0, ErrBadFormat
	}
	d.b = d.b[k:]
	return n, nil
}

func (d *decoder) str() ([]byte, error) {
	s, k, err := ReadString(d.b, MaxStringLen)
	if err != nil {
		return nil, err
	}
	d.b = d.b[k:]
	return s, nil
}

// count reads a collection's element count, refusing zero (RESTORE refuses
// empty keys), and returns it with a capacity hint no larger than the bytes
// left (each element takes at least one byte per string).
func (d *decoder) count(per int) (n uint64, hint int, err error) {
	if n, err = d.length(); err != nil {
		return 0, 0, err
	}
	if n == 0 || n > uint64(len(d.b)/per) {
		return 0, 0, ErrBadFormat
	}
	return n, int(n) * per, nil
}

// plainStrings reads a count then count*per strings (per is 2 for hashes).
func (d *decoder) plainStrings(per int) ([][]byte, error) {
	n, hint, err := d.count(per)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, hint)
	for i := uint64(0); i < n*uint64(per); i++ {
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// plainZSet reads TypeZSet (scores as text) or TypeZSet2 (scores as binary64).
func (d *decoder) plainZSet(binary64 bool) ([]ZMember, error) {
	n, _, err := d.count(2)
	if err != nil {
		return nil, err
	}
	out := make([]ZMember, 0, n)
	for range n {
		m, err := d.str()
		if err != nil {
			return nil, err
		}
		var score float64
		if binary64 {
			if len(d.b) < 8 {
				return nil, ErrBadFormat
			}
			score = math.Float64frombits(binary.LittleEndian.Uint64(d.b))
			d.b = d.b[8:]
		} else if score, err = d.textScore(); err != nil {
			return nil, err
		}
		if math.IsNaN(score) {
			return nil, ErrBadFormat
		}
		out = append(out, ZMember{Member: m, Score: score})
	}
	if err := checkUniqueMembers(out); err != nil {
		return nil, err
	}
	return out, nil
}

// textScore reads an old-style score: a length byte, 253 NaN, 254 +inf,
// 255 -inf, else that many bytes of text.
func (d *decoder) textScore() (float64, error) {
	if len(d.b) == 0 {
		return 0, ErrBadFormat
	}
	n := int(d.b[0])
	d.b = d.b[1:]
	switch n {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	if n > len(d.b) {
		return 0, ErrBadFormat
	}
	text := d.b[:n]
	d.b = d.b[n:]
	return parseScore(text)
}

// parseScore parses a score stored as text (Redis uses strtod).
func parseScore(s []byte) (float64, error) {
	f, err := strconv.ParseFloat(string(s), 64)
	if err != nil && !isRangeErr(err) {
		return 0, ErrBadFormat
	}
	return f, nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// intBytes returns the decimal text of v, cut from a shared buffer.
func (d *decoder) intBytes(v int64) []byte {
	if cap(d.arena)-len(d.arena) < 20 {
		d.arena = make([]byte, 0, min(max(2*cap(d.arena), 256), 64<<10))
	}
	start := len(d.arena)
	d.arena = strconv.AppendInt(d.arena, v, 10)
	return d.arena[start:len(d.arena):len(d.arena)]
}

// intset decodes TypeSetIntset: a string holding a 4-byte LE element width
// (2, 4 or 8), a 4-byte LE count, then the elements, signed LE, strictly
// ascending.
func (d *decoder) intset() ([][]byte, error) {
	is, err := d.str()
	if err != nil {
		return nil, err
	}
	if len(is) < 8 {
		return nil, ErrBadFormat
	}
	width := binary.LittleEndian.Uint32(is)
	n := uint64(binary.LittleEndian.Uint32(is[4:]))
	if width != 2 && width != 4 && width != 8 || n == 0 || n*uint64(width) != uint64(len(is)-8) {
		return nil, ErrBadFormat
	}
	out := make([][]byte, 0, n)
	var prev int64
	for i := range int(n) {
		p := is[8+i*int(width):]
		var v int64
		switch width {
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(p)))
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(p)))
		default:
			v = int64(binary.LittleEndian.Uint64(p))
		}
		if i > 0 && v <= prev {
			return nil, ErrBadFormat
		}
		prev = v
		out = append(out, d.intBytes(v))
	}
	return out, nil
}

// list decodes the ziplist and quicklist list encodings.
func (d *decoder) list(typ byte) ([][]byte, error) {
	if typ == TypeListZiplist {
		return d.packed(typ)
	}
	nodes, err := d.length()
	if err != nil || nodes == 0 || nodes > uint64(len(d.b)) {
		return nil, ErrBadFormat
	}
	var out [][]byte
	for range nodes {
		container := uint64(QuicklistNodePacked)
		if typ == TypeListQuicklist2 {
			if container, err = d.length(); err != nil {
				return nil, err
			}
		}
		blob, err := d.str()
		if err != nil {
			return nil, err
		}
		if len(blob) == 0 {
			return nil, ErrBadFormat // Redis refuses an empty node string, plain or packed
		}
		switch {
		case container == QuicklistNodePlain:
			out = append(out, blob)
		case container != QuicklistNodePacked:
			return nil, ErrBadFormat
		case typ == TypeListQuicklist:
			out, err = d.appendZiplist(out, blob)
		default:
			out, err = d.appendListpack(out, blob)
		}
		if err != nil {
			return nil, err
		}
		// Empty nodes are skipped, as Redis does; an empty list fails below.
	}
	if len(out) == 0 {
		return nil, ErrBadFormat
	}
	return out, nil
}

// packed reads one string holding a ziplist or listpack (by typ) and returns
// its elements, refusing an empty one.
func (d *decoder) packed(typ byte) ([][]byte, error) {
	blob, err := d.str()
	if err != nil {
		return nil, err
	}
	var out [][]byte
	switch typ {
	case TypeListZiplist, TypeZSetZiplist, TypeHashZiplist:
		out, err = d.appendZiplist(nil, blob)
	default:
		out, err = d.appendListpack(nil, blob)
	}
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, ErrBadFormat
	}
	return out, nil
}

// pairs groups a flat field, value, field, value ... list, refusing an odd
// count or a repeated field.
func pairs(flat [][]byte) ([][2][]byte, error) {
	if len(flat)%2 != 0 {
		return nil, ErrBadFormat
	}
	out := make([][2][]byte, len(flat)/2)
	var seen uniq
	for i := range out {
		f := flat[2*i]
		if !seen.add(f) {
			return nil, ErrBadFormat
		}
		out[i] = [2][]byte{f, flat[2*i+1]}
	}
	return out, nil
}

// packedZSet turns a flat member, score ... list into members; scores are
// decimal text (integers come out of the packed form as text too).
func packedZSet(flat [][]byte) ([]ZMember, error) {
	if len(flat)%2 != 0 {
		return nil, ErrBadFormat
	}
	out := make([]ZMember, len(flat)/2)
	for i := range out {
		s, err := parseScore(flat[2*i+1])
		if err != nil || math.IsNaN(s) {
			return nil, ErrBadFormat
		}
		out[i] = ZMember{Member: flat[2*i], Score: s}
	}
	if err := checkUniqueMembers(out); err != nil {
		return nil, err
	}
	return out, nil
}

// listpackZSet reads a string holding a listpack of member, score pairs,
// as packed and packedZSet would, without the list of elements between
// them: an integer score is taken as it is, not through its text.
func (d *decoder) listpackZSet() ([]ZMember, []byte, error) {
	lp, err := d.blob()
	if err != nil {
		return nil, nil, err
	}
	if listpack.Validate(lp) != nil {
		return nil, nil, ErrBadFormat
	}
	n := listpack.FromBytes(lp).Len()
	if n == 0 || n%2 != 0 {
		return nil, nil, ErrBadFormat
	}
	var out []ZMember
	if d.scratch != nil {
		out = slices.Grow(d.scratch.zs[:0], n/2)
		defer func() { d.scratch.zs = out[:0] }()
	} else {
		out = make([]ZMember, 0, n/2)
	}
	var member []byte
	i := 0
	for it := listpack.FromBytes(lp).Iter(); it.Next(); i++ {
		v := it.Value()
		if i%2 == 0 {
			if v.IsInt {
				member = d.intBytes(v.Int)
			} else {
				member = v.Str
			}
			continue
		}
		var score float64
		if v.IsInt {
			score = float64(v.Int) // what parsing its decimal text gives
		} else if score, err = parseScore(v.Str); err != nil || math.IsNaN(score) {
			return nil, nil, ErrBadFormat
		}
		out = append(out, ZMember{Member: member, Score: score})
	}
	if i != n {
		return nil, nil, ErrBadFormat
	}
	if err := checkUniqueMembers(out); err != nil {
		return nil, nil, err
	}
	return out, lp, nil
}

func checkUnique(members [][]byte) error {
	var seen uniq
	for _, m := range members {
		if !seen.add(m) {
			return ErrBadFormat
		}
	}
	return nil
}

func checkUniqueMembers(zs []ZMember) error {
	var seen uniq
	for _, z := range zs {
		if !seen.add(z.Member) {
			return ErrBadFormat
		}
	}
	return nil
}

// uniqFew is how many strings uniq compares one by one before it takes a
// map: most collections in a file are small, and a map per value is most
// of what checking them would cost.
const uniqFew = 16

// uniq finds a string added twice. The first uniqFew are copied into text
// (while they fit) and compared with each new one; from then on a map
// holds them all. The
// zero value is ready; the caller may reuse the slices it adds.
type uniq struct {
	text [uniqFew * 32]byte
	ends [uniqFew]int32
	n    int
	seen map[string]struct{}
}

// add reports whether s is new.
func (u *uniq) add(s []byte) bool {
	if u.seen == nil {
		start := 0 // of the i-th string in text, then the end of the last
		for i := range u.n {
			if bytes.Equal(u.text[start:u.ends[i]], s) {
				return false
			}
			start = int(u.ends[i])
		}
		if u.n < uniqFew && start+len(s) <= len(u.text) {
			u.ends[u.n] = int32(start + copy(u.text[start:], s))
			u.n++
			return true
		}
		u.seen = make(map[string]struct{}, 2*uniqFew)
		start = 0
		for i := range u.n {
			u.seen[string(u.text[start:u.ends[i]])] = struct{}{}
			start = int(u.ends[i])
		}
	}
	if _, dup := u.seen[string(s)]; dup {
		return false
	}
	u.seen[string(s)] = struct{}{}
	return true
}
