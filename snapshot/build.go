package snapshot

import (
	"bytes"
	"cmp"
	"slices"

	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/snapshot/rdb"
)

// The builders of collections from their RDB value encodings, shared by
// the file loader and RESTORE (server/keycmd, which hands them the body of
// a DUMP payload, rdb.DumpBody): each decodes with the checks of package
// rdb and builds the value outside the keyspace, in the encoding Redis 7.2
// would load it in under the given limits, so that a corrupt value leaves
// nothing behind. The caller stores the builder (Store) or discards it.

// BuildList builds a list from the value encoding val of type typ. The
// nodes of a quicklist are kept as they are, as Redis keeps them; the
// elements of a plain or ziplist list are pushed one by one, so that they
// fill nodes as fill says (Redis's quicklistPushTail on loading).
func BuildList(db *shard.DB, typ byte, val []byte, fill int) (*shard.ListBuilder, error) {
	return new(listBuild).build(db, typ, val, fill, nil)
}

// builders is the memory a goroutine that builds many values one after
// another (a loader's batch) lends the builders: package rdb's scratch,
// and the builders' state with their callbacks made once, so that
// building a small collection allocates nothing of its own. What a
// builder returns may alias it until the next value is built.
type builders struct {
	sc   rdb.Scratch
	list listBuild
	set  setBuild
}

// listBuild is the state of building one list.
type listBuild struct {
	db         *shard.DB
	fill       int
	sc         *rdb.Scratch
	perElement bool
	b          *shard.ListBuilder
	first      []byte // the first node, while it is the only one
	buf        [20]byte
	yield      func(lp []byte) error // node, made once
}

// build is BuildList that decodes LZF nodes into sc's memory (sc may be
// nil). A list of one node, the usual small list, is built from a copy of
// it that sc keeps (Scratch.Keep) until stored; a node yielded may alias
// the decoding memory only until the next is read.
func (lb *listBuild) build(db *shard.DB, typ byte, val []byte, fill int, sc *rdb.Scratch) (*shard.ListBuilder, error) {
	if lb.yield == nil {
		lb.yield = lb.node
	}
	lb.db, lb.fill, lb.sc, lb.b, lb.first = db, fill, sc, nil, nil
	lb.perElement = typ == rdb.TypeList || typ == rdb.TypeListZiplist
	_, err := sc.ReadListNodes(typ, val, lb.yield)
	b := lb.b
	if err == nil && lb.first != nil {
		b = db.NewListBuilderNode(lb.first, fill)
	}
	lb.b, lb.first, lb.db = nil, nil, nil
	if err == nil && (b == nil || b.Len() == 0) {
		err = rdb.ErrBadFormat // rdb refuses empty lists; this is a second guard
	}
	if err != nil {
		if b != nil {
			b.Discard()
		}
		return nil, err
	}
	return b, nil
}

func (lb *listBuild) node(lp []byte) error {
	if !lb.perElement {
		switch {
		case lb.b == nil && lb.first == nil:
			lb.first = lb.sc.Keep(lp)
		case lb.b == nil:
			lb.b = lb.db.NewListBuilder(lb.fill)
			lb.b.AppendNode(lb.first)
			lb.first = nil
			fallthrough
		default:
			lb.b.AppendNode(lp)
		}
		return nil
	}
	if lb.b == nil {
		lb.b = lb.db.NewListBuilder(lb.fill)
	}
	for it := listpack.FromBytes(lp).Iter(); it.Next(); {
		lb.b.PushTail(it.Value().AppendTo(lb.buf[:0]))
	}
	return nil
}

// FieldExpiry is a hash field's expiry (Unix ms), to set once the hash is
// stored.
type FieldExpiry struct {
	Field []byte
	At    int64
}

// SetFieldExpiries gives the fields of the hash just stored under key (at
// h) the expiries BuildHash returned, and returns the hash's handle, which
// setting them may move.
func SetFieldExpiries(db *shard.DB, key []byte, h shard.Handle, ttls []FieldExpiry, now int64) shard.Handle {
	for _, ft := range ttls {
		db.HashExpire(key, h, [][]byte{ft.Field}, ft.At, 0, now, func(int64) {})
		h, _ = db.Peek(key)
	}
	return h
}

// BuildHash builds a hash from the value encoding val of type typ, with
// the field expiries the value holds (Redis 7.4's types) or fieldTTLs
// gives (an AuxHashFieldTTLs aux field of the file; nil for RESTORE).
// Fields whose expiry is not after now are left out; when that leaves
// none, it returns a nil builder and no error (no key, as Redis loads
// it). The expiries of the fields kept come back in ttls.
func BuildHash(db *shard.DB, typ byte, val []byte, lim shard.HashLimits, now int64, fieldTTLs map[string]int64) (b *shard.HashBuilder, ttls []FieldExpiry, err error) {
	return buildHash(db, typ, val, lim, now, fieldTTLs, nil)
}

// buildHash is BuildHash that decodes a compressed listpack into sc's
// memory (sc may be nil): the builder holds it until stored.
func buildHash(db *shard.DB, typ byte, val []byte, lim shard.HashLimits, now int64, fieldTTLs map[string]int64, sc *rdb.Scratch) (b *shard.HashBuilder, ttls []FieldExpiry, err error) {
	b = db.NewHashBuilder(lim)
	if typ == rdb.TypeHashZiplist || typ == rdb.TypeHashListpack {
		var lp []byte
		if lp, _, err = sc.ReadHashListpack(typ, val); err == nil {
			b.SetListpack(lp, typ == rdb.TypeHashZiplist)
		}
	} else {
		_, err = rdb.ReadHashFields(typ, val, func(f, v []byte, exp int64) error {
			if e, ok := fieldTTLs[string(f)]; ok && exp == 0 {
				exp = e
			}
			if exp != 0 && exp <= now {
				return nil // a field already expired
			}
			b.Add(f, v)
			if exp != 0 {
				ttls = append(ttls, FieldExpiry{bytes.Clone(f), exp})
			}
			return nil
		})
	}
	if err == nil && b.Len() == 0 {
		if typ == rdb.TypeHashMetadata || typ == rdb.TypeHashListpackEx || len(fieldTTLs) > 0 {
			b.Discard()
			return nil, nil, nil
		}
		err = rdb.ErrBadFormat
	}
	if err != nil {
		b.Discard()
		return nil, nil, err
	}
	return b, ttls, nil
}

// BuildSet builds a set as Redis 7.2 loads one (see rdbLoadObject), from
// the value encoding val of type typ (an RDB record's or a DUMP payload's): an
// intset or listpack as it is unless it has more members than its
// encoding's setting allows; the members of a hashtable set into an intset
// while they are integers and the count allows one, then a listpack while
// the members and the count allow one, else a table.
func BuildSet(db *shard.DB, typ byte, val []byte, lim shard.SetLimits) (*shard.SetBuilder, error) {
	return new(setBuild).build(db, typ, val, lim, nil)
}

// setBuild is the state of building one set.
type setBuild struct {
	b                    *shard.SetBuilder
	lim                  shard.SetLimits
	size, maxLen, sumLen int
	count                func(n int)          // made once
	member               func(m []byte) error // made once
}

// build is BuildSet that decodes a compressed intset or listpack into
// sc's memory (sc may be nil): the builder holds it until stored. The
// members of a plain set are copied in as they are read; its small
// encodings are built in sc's memory (Scratch.Buf).
func (sb *setBuild) build(db *shard.DB, typ byte, val []byte, lim shard.SetLimits, sc *rdb.Scratch) (*shard.SetBuilder, error) {
	if typ != rdb.TypeSet {
		b := db.NewSetBuilder(shard.EncIntset, lim)
		small, _, err := sc.ReadSetSmall(typ, val)
		if err != nil {
			return nil, err
		}
		if typ == rdb.TypeSetIntset {
			b.SetSmall(shard.EncIntset, small)
			if int64(b.Len()) > lim.IntsetEntries {
				b.ToTable(0)
			}
		} else {
			b.SetSmall(shard.EncListpack, small)
			if int64(b.Len()) > lim.ListpackEntries {
				b.ToTable(0)
			}
		}
		return b, nil
	}
	if sb.count == nil {
		sb.count, sb.member = sb.countFn, sb.memberFn
	}
	if sc != nil {
		sb.b = db.NewSetBuilderBuf(shard.EncIntset, lim, sc.Buf())
	} else {
		sb.b = db.NewSetBuilder(shard.EncIntset, lim)
	}
	sb.lim, sb.size, sb.maxLen, sb.sumLen = lim, 0, 0, 0
	_, err := rdb.ReadSetMembers(val, sb.count, sb.member)
	b := sb.b
	sb.b = nil
	if err != nil {
		b.Discard()
		return nil, err
	}
	return b, nil
}

func (sb *setBuild) countFn(n int) {
	sb.size = n
	if int64(n) > min(sb.lim.IntsetEntries, 1<<30) {
		sb.b.ToTable(n)
	}
}

func (sb *setBuild) memberFn(m []byte) error {
	b, lim := sb.b, &sb.lim
	sb.maxLen = max(sb.maxLen, len(m))
	sb.sumLen += len(m)
	if b.Encoding() == shard.EncIntset {
		if v, ok := listpack.ParseInt(m); ok {
			if !b.AddInt(v) {
				return rdb.ErrBadFormat
			}
			return nil
		}
		if int64(b.Len()) < lim.ListpackEntries && int64(sb.maxLen) <= lim.ListpackValue && sb.sumLen <= listpack.MaxSize {
			// Room for the members to come, if they are like this one.
			b.ToListpack(min((sb.size-b.Len())*(len(m)+2), 8<<10))
		} else {
			b.ToTable(sb.size)
		}
	}
	if b.Encoding() == shard.EncListpack {
		if int64(b.Len()) < lim.ListpackEntries && int64(len(m)) <= lim.ListpackValue {
			if !b.Add(m) {
				return rdb.ErrBadFormat
			}
			return nil
		}
		b.ToTable(sb.size)
	}
	if !b.Add(m) {
		return rdb.ErrBadFormat
	}
	return nil
}

// BuildZSet builds a sorted set from the value encoding val of type typ,
// in the encoding Redis 7.2 loads it in: a listpack or ziplist stays small
// unless it has more than lim.Entries members; a skiplist (TypeZSet,
// TypeZSet2) becomes small when it has at most lim.Entries members of at
// most lim.Value bytes. The members are sorted first: the order of the
// bytes is not trusted.
func BuildZSet(db *shard.DB, typ byte, val []byte, lim shard.ZSetLimits) (*shard.ZSetBuilder, error) {
	return buildZSet(db, typ, val, lim, nil)
}

// buildZSet is BuildZSet that decodes a compressed listpack into sc's
// memory (sc may be nil); the builder copies the members.
func buildZSet(db *shard.DB, typ byte, val []byte, lim shard.ZSetLimits, sc *rdb.Scratch) (*shard.ZSetBuilder, error) {
	members, lp, err := sc.ReadZSetListpack(typ, val)
	if err != nil {
		return nil, err
	}
	packed := lp != nil || typ == rdb.TypeZSetZiplist
	big := int64(len(members)) > lim.Entries
	if lp != nil && !big && slices.IsSortedFunc(members, compareZMembers) {
		// A listpack in order is kept as it is, as Redis keeps it.
		return db.NewZSetBuilderListpack(lp, len(members)), nil
	}
	if !packed && !big {
		total := 0
		for _, m := range members {
			total += len(m.Member)
			if int64(len(m.Member)) > lim.Value {
				big = true
			}
		}
		big = big || total > listpack.MaxSize
	}
	slices.SortFunc(members, compareZMembers)
	b := db.NewZSetBuilder(big, len(members))
	for _, m := range members {
		b.Append(m.Member, m.Score)
	}
	return b, nil
}

// compareZMembers orders sorted-set members as the set keeps them: by
// score, then by member bytes.
func compareZMembers(a, b rdb.ZMember) int {
	if c := cmp.Compare(a.Score, b.Score); c != 0 {
		return c
	}
	return bytes.Compare(a.Member, b.Member)
}
