package rdb

import (
	"encoding/binary"
	"strconv"

	"github.com/anaxdb/anax/container/listpack"
)

// Lists and hashes without a Go slice per element: a loader rebuilds a list
// from the listpacks ListNodes yields and a small hash from the one listpack
// HashListpack returns, copying their bytes into its own memory; big hashes
// come a pair at a time (HashPairs, ReadHashFields). The Dump functions write
// lists and hashes back in the layout Redis 7.0 and 7.2 write.

// Quicklist nodes built from elements follow Redis 7's default
// list-max-listpack-size -2: an element joins the current node while the
// node's bytes, the element's length and an estimate of 8 bytes of entry
// overhead stay within 8 KiB (quicklist.c's SIZE_ESTIMATE_OVERHEAD and
// optimization_level[1]); else it starts a node. An element longer than that
// gets a node of its own. Redis 7.0 and 7.2 split RPUSHed elements, and the
// plain and ziplist lists they load, by this same rule, so the nodes match
// theirs.
const (
	listNodeLimit    = 8192
	listNodeOverhead = 8
)

// dumpListHashVersion is the RDB version in the footer of the list and hash
// payloads written here: 10, Redis 7.0's, which already has every type they
// use (TypeListQuicklist2, TypeHashListpack, TypeHash), so that Redis 7.0
// RESTOREs them and they equal its DUMP byte for byte; Redis 7.2 accepts
// them too.
const dumpListHashVersion = 10

// ListNodes verifies a DUMP payload of a list (VerifyDump) and calls yield
// with the list's nodes, head to tail, each a listpack that passed
// listpack.Validate (ReadListNodes says which nodes come out of each list
// type). lp is valid only during the call: it may alias payload or a buffer
// that is reused for the next node, so copy it to keep it. yield's error
// stops the walk and is returned as it is; the other errors are the
// package's. A payload of a type that is no list returns ErrUnsupportedType
// (ErrBadFormat for a type byte this package does not know).
func ListNodes(payload []byte, yield func(lp []byte) error) error {
	typ, body, err := DumpBody(payload)
	if err != nil {
		return err
	}
	if kindOf(typ) != TypeList {
		return notThisType(typ)
	}
	_, err = ReadListNodes(typ, body, yield)
	return err
}

func notThisType(typ byte) error {
	if knownType(typ) {
		return ErrUnsupportedType
	}
	return ErrBadFormat
}

// ReadListNodes reads the value encoding of a list of type typ (TypeList,
// TypeListZiplist, TypeListQuicklist or TypeListQuicklist2) from the start
// of b, as it follows the type byte in a DUMP payload or an RDB file, and
// calls yield with its nodes as ListNodes does. It returns the bytes the
// value took. The nodes are Redis 7's for the same value:
//
//   - TypeListQuicklist2: each packed node as it is (decompressed when it
//     was LZF); each plain node (one element) as a listpack of that element.
//   - TypeListQuicklist: each ziplist node converted to one listpack.
//   - TypeList, TypeListZiplist: the elements in listpacks of at most 8 KiB
//     (see listNodeLimit).
//
// As in Redis, empty listpacks and ziplists are skipped, an empty string
// where a node belongs is refused, and a list left with no element fails;
// every listpack and ziplist is validated whole before any of it is yielded,
// but nodes are yielded before later ones are read: on an error, drop what
// was built from the earlier ones. Memory is the payload's LZF output plus
// one node.
func ReadListNodes(typ byte, b []byte, yield func(lp []byte) error) (int, error) {
	r := listReader{d: decoder{b: b}, yield: yield}
	return r.read(typ, b)
}

// ReadListNodes is ReadListNodes with s's memory for the LZF strings (s
// may be nil): a node yielded may alias it, until the next node.
func (s *Scratch) ReadListNodes(typ byte, b []byte, yield func(lp []byte) error) (int, error) {
	if s == nil {
		return ReadListNodes(typ, b, yield)
	}
	r := listReader{d: decoder{b: b}, yield: yield, str: s.b}
	n, err := r.read(typ, b)
	s.b = r.str
	return n, err
}

func (r *listReader) read(typ byte, b []byte) (int, error) {
	var err error
	switch typ {
	case TypeList:
		err = r.plain()
	case TypeListZiplist:
		err = r.ziplist()
	case TypeListQuicklist, TypeListQuicklist2:
		err = r.quicklist(typ)
	default:
		return 0, notThisType(typ)
	}
	if err != nil {
		return 0, err
	}
	if r.elems == 0 {
		return 0, ErrBadFormat
	}
	return len(b) - len(r.d.b), nil
}

// listReader turns a list's encoding into listpacks for yield.
type listReader struct {
	d     decoder
	yield func([]byte) error
	node  listpack.Listpack // node being built; its buffer is reused
	n     int               // elements in node
	elems int               // elements yielded or in node
	str   []byte            // buffer for integer and LZF strings
}

// push adds an element (s, or the integer v when isInt, whose text is
// textLen bytes long) to the node being built, first yielding the node when
// the element does not fit by listNodeLimit.
func (r *listReader) push(s []byte, v int64, isInt bool, textLen int) error {
	if r.n > 0 && len(r.node.Bytes())+textLen+listNodeOverhead > listNodeLimit {
		if err := r.flush(); err != nil {
			return err
		}
	}
	if r.n == 0 {
		r.node = listpack.FromBytes(listpack.AppendEmpty(r.node.Bytes()[:0]))
	}
	if isInt {
		r.node.AppendInt(v)
	} else {
		r.node.Append(s)
	}
	r.n++
	r.elems++
	return nil
}

// flush yields the node being built, if it holds anything.
func (r *listReader) flush() error {
	if r.n == 0 {
		return nil
	}
	r.n = 0
	return r.yield(r.node.Bytes())
}

// plain reads TypeList: a count, then the elements as strings.
func (r *listReader) plain() error {
	n, _, err := r.d.count(1)
	if err != nil {
		return err
	}
	for range n {
		var s []byte
		s, err = r.str1()
		if err != nil {
			return err
		}
		if err = r.push(s, 0, false, len(s)); err != nil {
			return err
		}
	}
	return r.flush()
}

// str1 reads one string, integer and LZF strings into r.str.
func (r *listReader) str1() ([]byte, error) {
	s, k, buf, err := readStringBuf(r.d.b, MaxStringLen, r.str)
	r.str = buf
	if err != nil {
		return nil, err
	}
	r.d.b = r.d.b[k:]
	return s, nil
}

// ziplist reads TypeListZiplist: one string holding a ziplist, validated
// whole before its elements are pushed.
func (r *listReader) ziplist() error {
	zl, err := r.str1()
	if err != nil {
		return err
	}
	if err := walkZiplist(zl, func([]byte, int64, bool) error { return nil }); err != nil {
		return err
	}
	err = walkZiplist(zl, func(s []byte, v int64, isInt bool) error {
		if isInt {
			return r.push(nil, v, true, intLen(v))
		}
		return r.push(s, 0, false, len(s))
	})
	if err != nil {
		return err
	}
	return r.flush()
}

// quicklist reads TypeListQuicklist and TypeListQuicklist2: a count of
// nodes, each (in version 2) a container, and a string.
func (r *listReader) quicklist(typ byte) error {
	nodes, err := r.d.length()
	if err != nil || nodes == 0 || nodes > uint64(len(r.d.b)) {
		return ErrBadFormat
	}
	for range nodes {
		container := uint64(QuicklistNodePacked)
		if typ == TypeListQuicklist2 {
			if container, err = r.d.length(); err != nil {
				return err
			}
			if container != QuicklistNodePacked && container != QuicklistNodePlain {
				return ErrBadFormat
			}
		}
		blob, err := r.str1()
		if err != nil {
			return err
		}
		if len(blob) == 0 {
			return ErrBadFormat // Redis refuses an empty node string, plain or packed
		}
		switch {
		case container == QuicklistNodePlain:
			err = r.push(blob, 0, false, len(blob))
			if err == nil {
				err = r.flush()
			}
		case typ == TypeListQuicklist2:
			if listpack.Validate(blob) != nil {
				return ErrBadFormat
			}
			if n := listpack.FromBytes(blob).Len(); n > 0 {
				r.elems += n
				err = r.yield(blob)
			}
		default:
			err = r.ziplistNode(blob)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ziplistNode converts one ziplist node of TypeListQuicklist into one
// listpack, as Redis does on loading (no re-splitting).
func (r *listReader) ziplistNode(zl []byte) error {
	r.node = listpack.FromBytes(listpack.AppendEmpty(r.node.Bytes()[:0]))
	err := walkZiplist(zl, func(s []byte, v int64, isInt bool) error {
		if isInt {
			r.node.AppendInt(v)
		} else {
			r.node.Append(s)
		}
		r.n++
		r.elems++
		return nil
	})
	if err != nil {
		return err
	}
	return r.flush()
}

// intLen is the length of v's decimal text.
func intLen(v int64) int {
	var b [20]byte
	return len(strconv.AppendInt(b[:0], v, 10))
}

// HashListpack verifies a DUMP payload of a small hash (TypeHashListpack or
// TypeHashZiplist) and returns its fields and values as one validated
// listpack (field, value, field, value ...): the payload's own listpack
// (aliasing payload unless it was LZF-compressed), or a new one converted
// from the ziplist as Redis converts it. It refuses, with ErrBadFormat, an
// empty hash, an odd element count and a repeated field (an integer field
// and its decimal text are the same field). TypeHash (a hashtable hash)
// returns ErrUnsupportedType: read it with HashPairs.
func HashListpack(payload []byte) ([]byte, error) {
	typ, body, err := DumpBody(payload)
	if err != nil {
		return nil, err
	}
	if typ != TypeHashListpack && typ != TypeHashZiplist {
		return nil, notThisType(typ)
	}
	lp, _, err := ReadHashListpack(typ, body)
	return lp, err
}

// ReadHashListpack is HashListpack for the value encoding at the start of b
// (after the type byte), in a DUMP payload or an RDB file; it also returns
// the bytes the value took.
func ReadHashListpack(typ byte, b []byte) (lp []byte, consumed int, err error) {
	return readHashListpack(typ, b, nil)
}

// ReadHashListpack is ReadHashListpack with s's memory for the listpack
// when it was compressed: lp may alias it.
func (s *Scratch) ReadHashListpack(typ byte, b []byte) (lp []byte, consumed int, err error) {
	return readHashListpack(typ, b, s)
}

func readHashListpack(typ byte, b []byte, sc *Scratch) (lp []byte, consumed int, err error) {
	d := decoder{b: b, scratch: sc}
	blob, err := d.blob()
	if err != nil {
		return nil, 0, err
	}
	switch typ {
	case TypeHashListpack:
		if listpack.Validate(blob) != nil {
			return nil, 0, ErrBadFormat
		}
		lp = blob
	case TypeHashZiplist:
		if err := walkZiplist(blob, func([]byte, int64, bool) error { return nil }); err != nil {
			return nil, 0, err
		}
		l := listpack.FromBytes(listpack.AppendEmpty(make([]byte, 0, len(blob))))
		_ = walkZiplist(blob, func(s []byte, v int64, isInt bool) error {
			if isInt {
				l.AppendInt(v)
			} else {
				l.Append(s)
			}
			return nil
		})
		lp = l.Bytes()
	default:
		return nil, 0, notThisType(typ)
	}
	if err := checkPackedHash(lp, 2); err != nil {
		return nil, 0, err
	}
	return lp, len(b) - len(d.b), nil
}

// fieldSet finds repeated hash fields.
type fieldSet struct {
	seen uniq
	text [20]byte
}

// add reports whether field (or the integer v when isInt) is new.
func (f *fieldSet) add(field []byte, v int64, isInt bool) bool {
	if isInt {
		field = strconv.AppendInt(f.text[:0], v, 10)
	}
	return f.seen.add(field)
}

// checkPackedHash checks a validated listpack of tuples of tuple elements
// (2: field, value; 3: field, value, TTL): not empty, whole tuples, no
// repeated field.
func checkPackedHash(lp []byte, tuple int) error {
	var fields fieldSet
	n := 0
	for it := listpack.FromBytes(lp).Iter(); it.Next(); n++ {
		if n%tuple == 0 {
			v := it.Value()
			if !fields.add(v.Str, v.Int, v.IsInt) {
				return ErrBadFormat
			}
		}
	}
	if n == 0 || n%tuple != 0 {
		return ErrBadFormat
	}
	return nil
}

// HashPairs verifies a DUMP payload of a hash (TypeHash, TypeHashZiplist or
// TypeHashListpack) and calls yield with each field and value in payload
// order, refusing what HashListpack refuses. field and value are valid only
// during the call (they may alias payload or reused buffers). yield's error
// stops the walk and is returned as it is.
func HashPairs(payload []byte, yield func(field, value []byte) error) error {
	typ, body, err := DumpBody(payload)
	if err != nil {
		return err
	}
	if kindOf(typ) != TypeHash {
		return notThisType(typ)
	}
	_, err = ReadHashFields(typ, body, func(f, v []byte, _ int64) error { return yield(f, v) })
	return err
}

// Field TTLs of Redis 7.4 (RDB 12) are absolute Unix times in milliseconds
// up to 2^48-1 (ebuckets.h's EB_EXPIRE_TIME_MAX); 2^48 means "none".
const (
	maxFieldExpire   = 1<<48 - 1
	noFieldMinExpire = 1 << 48
)

// ReadHashFields reads the value encoding of a hash of type typ from the
// start of b (after the type byte, in a DUMP payload or an RDB file), calls
// yield with each field, its value and its expiry time, and returns the
// bytes the value took. expireAt is an absolute Unix time in milliseconds,
// or 0 for a field without a TTL (always 0 but in the Redis 7.4 types).
// Types:
//
//   - TypeHash: a count, then field and value strings.
//   - TypeHashZiplist, TypeHashListpack: a string holding a ziplist or
//     listpack of field, value pairs.
//   - TypeHashMetadata (RDB 12): an 8-byte LE minimum expiry time (ms), a
//     count, then per field a length-encoded TTL (0: none; else the field
//     expires at TTL + minimum - 1), the field and the value.
//   - TypeHashListpackEx (RDB 12): an 8-byte LE minimum expiry time (unused
//     on loading, as in Redis), then a string holding a listpack of field,
//     value, expiry triples; the expiry is an integer, 0 for none, the
//     fields with one first and in ascending order (as Redis 7.4 checks).
//
// It refuses (ErrBadFormat) an empty hash, a repeated field, an expiry past
// 2^48-1, and whatever is malformed. field and value are valid only during
// the call. yield's error stops the walk and is returned as it is.
func ReadHashFields(typ byte, b []byte, yield func(field, value []byte, expireAt int64) error) (int, error) {
	d := decoder{b: b}
	var err error
	switch typ {
	case TypeHash, TypeHashMetadata:
		err = d.plainHash(typ == TypeHashMetadata, yield)
	case TypeHashZiplist, TypeHashListpack:
		var lp []byte
		var k int
		if lp, k, err = ReadHashListpack(typ, b); err == nil {
			d.b = b[k:]
			err = packedFields(lp, 2, yield)
		}
	case TypeHashListpackEx:
		if len(d.b) < 8 {
			return 0, ErrBadFormat
		}
		d.b = d.b[8:]
		var lp []byte
		if lp, err = d.str(); err != nil {
			return 0, err
		}
		if listpack.Validate(lp) != nil || checkPackedHash(lp, 3) != nil || checkFieldTTLs(lp) != nil {
			return 0, ErrBadFormat
		}
		err = packedFields(lp, 3, yield)
	default:
		return 0, notThisType(typ)
	}
	if err != nil {
		return 0, err
	}
	return len(b) - len(d.b), nil
}

// plainHash reads TypeHash, or TypeHashMetadata when meta is set.
func (d *decoder) plainHash(meta bool, yield func(field, value []byte, expireAt int64) error) error {
	var minExpire uint64
	if meta {
		if len(d.b) < 8 {
			return ErrBadFormat
		}
		minExpire = binary.LittleEndian.Uint64(d.b)
		d.b = d.b[8:]
		if minExpire > noFieldMinExpire {
			return ErrBadFormat
		}
	}
	per := 2
	if meta {
		per = 3
	}
	n, _, err := d.count(per)
	if err != nil {
		return err
	}
	var (
		fields     fieldSet
		fbuf, vbuf []byte
	)
	for range n {
		var expireAt uint64
		if meta {
			ttl, err := d.length()
			if err != nil {
				return err
			}
			if ttl != 0 {
				if ttl-1 > maxFieldExpire-min(minExpire, maxFieldExpire) || minExpire > maxFieldExpire {
					return ErrBadFormat
				}
				expireAt = ttl - 1 + minExpire
			}
		}
		var f, v []byte
		var k int
		if f, k, fbuf, err = readStringBuf(d.b, MaxStringLen, fbuf); err != nil {
			return err
		}
		d.b = d.b[k:]
		if v, k, vbuf, err = readStringBuf(d.b, MaxStringLen, vbuf); err != nil {
			return err
		}
		d.b = d.b[k:]
		if !fields.add(f, 0, false) {
			return ErrBadFormat
		}
		if err := yield(f, v, int64(expireAt)); err != nil {
			return err
		}
	}
	return nil
}

// checkFieldTTLs checks the expiry elements of a TypeHashListpackEx
// listpack (every third): integers in [0, 2^48-1], those that are not 0
// first and ascending.
func checkFieldTTLs(lp []byte) error {
	last := int64(-1)
	n := 0
	for it := listpack.FromBytes(lp).Iter(); it.Next(); n++ {
		if n%3 != 2 {
			continue
		}
		v := it.Value()
		t, ok := v.Int, v.IsInt
		if !ok {
			t, ok = listpack.ParseInt(v.Str)
		}
		if !ok || t < 0 || t > maxFieldExpire || t != 0 && (last == 0 || t < last) {
			return ErrBadFormat
		}
		last = t
	}
	return nil
}

// packedFields calls yield for each tuple of a checked listpack of tuples
// (2: field, value; 3: field, value, expiry), integers as decimal text.
func packedFields(lp []byte, tuple int, yield func(field, value []byte, expireAt int64) error) error {
	var fbuf, vbuf [20]byte
	var f, v []byte
	n := 0
	for it := listpack.FromBytes(lp).Iter(); it.Next(); n++ {
		e := it.Value()
		switch n % tuple {
		case 0:
			f = e.Str
			if e.IsInt {
				f = strconv.AppendInt(fbuf[:0], e.Int, 10)
			}
		case 1:
			v = e.Str
			if e.IsInt {
				v = strconv.AppendInt(vbuf[:0], e.Int, 10)
			}
			if tuple == 2 {
				if err := yield(f, v, 0); err != nil {
					return err
				}
			}
		case 2:
			t, ok := e.Int, e.IsInt
			if !ok {
				t, _ = listpack.ParseInt(e.Str)
			}
			if err := yield(f, v, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// DumpListNodes appends the DUMP payload of a list to dst and returns the
// extended slice: TypeListQuicklist2, the node count, then for each node
// (node(0) to node(nodes-1), each a non-empty listpack) the packed
// container and the listpack as AppendString writes it with compression on
// (Redis's rdbcompression yes: LZF when longer than 20 bytes and it saves
// at least 4), then the footer with RDB version 10 (see
// dumpListHashVersion). Given the nodes Redis 7.0 or 7.2 holds (with
// list-compress-depth 0, the default), it is Redis 7.0's DUMP byte for byte
// and Redis 7.2's but for the version and CRC.
func DumpListNodes(dst []byte, nodes int, node func(i int) []byte) []byte {
	start := len(dst)
	dst = append(dst, TypeListQuicklist2)
	dst = AppendListNodes(dst, nodes, node, true)
	return appendDumpFooter(dst, start, dumpListHashVersion)
}

// DumpHashListpack appends the DUMP payload of a small hash held as the
// listpack lp (field, value ...) to dst and returns the extended slice:
// TypeHashListpack, lp as AppendString writes it with compression on, and
// the footer with RDB version 10. For the listpack Redis holds it is Redis
// 7.0's DUMP byte for byte.
func DumpHashListpack(dst []byte, lp []byte) []byte {
	start := len(dst)
	dst = append(dst, TypeHashListpack)
	dst = AppendHashListpack(dst, lp, true)
	return appendDumpFooter(dst, start, dumpListHashVersion)
}

// DumpHash appends the DUMP payload of a hashtable hash of n fields to dst
// and returns the extended slice: TypeHash, n, then for i from 0 to n-1 the
// field and value pair(i) returns, each as AppendString writes it with
// compression on, and the footer with RDB version 10. Redis writes its
// fields in its dict's order, so two payloads of one hash may differ in
// order; each is what Redis would write for that order.
func DumpHash(dst []byte, n int, pair func(i int) (field, value []byte)) []byte {
	start := len(dst)
	dst = append(dst, TypeHash)
	dst = AppendLength(dst, uint64(n))
	for i := range n {
		f, v := pair(i)
		dst = AppendString(dst, f, true)
		dst = AppendString(dst, v, true)
	}
	return appendDumpFooter(dst, start, dumpListHashVersion)
}

// DumpHashEach is DumpHash for a hash whose n pairs come from a walk
// rather than by index: walk calls yield once per field, in the order they
// are written, and stops early only when yield returns false (it never does
// here). A walk that yields a number of pairs other than n is a bug of the
// caller's and panics.
func DumpHashEach(dst []byte, n int, walk func(yield func(field, value []byte) bool)) []byte {
	start := len(dst)
	dst = append(dst, TypeHash)
	dst = AppendHashEach(dst, n, walk, true)
	return appendDumpFooter(dst, start, dumpListHashVersion)
}

// DumpHashMetadata appends the DUMP payload of a hash with field expiries
// as Redis 7.4 writes one: a TypeHashMetadata value (AppendHashMetadata)
// and RDB version 12 in the footer, which Redis 7.2 and older refuse.
func DumpHashMetadata(dst []byte, n int, minExpire int64, walk func(yield func(field, value []byte, expireAt int64) bool)) []byte {
	start := len(dst)
	dst = append(dst, TypeHashMetadata)
	dst = AppendHashMetadata(dst, n, minExpire, walk, true)
	return appendDumpFooter(dst, start, DumpRDB74Version)
}
