package shard

import (
	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/container/quicklist"
)

// DUMP and RESTORE of lists and hashes, the shard's half: reading a value
// as the pieces its RDB encoding is made of, and building a value from
// pieces that a RESTORE payload held.
//
// The shard knows no RDB bytes (snapshot/rdb is the codec; the server's key
// family decodes and encodes). A restored value is built outside the
// keyspace first, by a ListBuilder or a HashBuilder, so that a payload found
// corrupt halfway leaves nothing behind: Discard frees what was built. Store
// then puts it under its key through NewValue or newBig, which run the write
// hook (DB.touch), so clients blocked on the key wake up as for any write.

// ListNodes appends to dst the listpacks the list entry h is made of, head
// first: the one listpack of a small list, each quicklist node of a big one.
// They alias the entry's cells and are valid until the next write on the
// shard.
func (db *DB) ListNodes(h Handle, dst [][]byte) [][]byte {
	if db.Encoding(h) != EncQuicklist {
		return append(dst, db.Value(h))
	}
	db.object(h).(*listValue).ql.ForEachNode(storeOf(db.sh.arena), func(lp []byte) bool {
		dst = append(dst, lp)
		return true
	})
	return dst
}

// QuicklistInfo describes a big list for DEBUG OBJECT: its node count,
// element count, the sum of its nodes' listpack sizes and its fill
// (list-max-listpack-size when it was made). ok is false for a small list.
func (db *DB) QuicklistInfo(h Handle) (nodes, elems, size, fill int, ok bool) {
	if db.Encoding(h) != EncQuicklist {
		return 0, 0, 0, 0, false
	}
	ql := db.object(h).(*listValue).ql
	return ql.NodeCount(), ql.Len(), ql.Bytes(), ql.Fill(), true
}

// ListBuilder builds a list for RESTORE, outside the keyspace until Store.
// Its methods run on the owner goroutine; after Store or Discard it must not
// be used again.
type ListBuilder struct {
	db *DB
	ql *quicklist.List
	// single is the whole list when it is one node the caller keeps
	// (NewListBuilderNode); ql is nil then.
	single []byte
	fill   int
}

// NewListBuilder starts an empty list whose nodes follow fill
// (list-max-listpack-size).
func (db *DB) NewListBuilder(fill int) *ListBuilder {
	return &ListBuilder{db: db, ql: quicklist.New(fill)}
}

// NewListBuilderNode starts a list that is the one node lp (a payload of
// a quicklist of one node, validated with listpack.Validate and not
// empty), which the caller keeps unchanged until Store or Discard: a
// small list is then stored with one copy and no quicklist made for it.
func (db *DB) NewListBuilderNode(lp []byte, fill int) *ListBuilder {
	return &ListBuilder{db: db, single: lp, fill: fill}
}

// AppendNode adds lp as a node of its own, as it is (a copy): a node of a
// payload of quicklists, kept as Redis keeps it. lp must have passed
// listpack.Validate; an empty one is skipped.
func (b *ListBuilder) AppendNode(lp []byte) {
	b.materialize()
	b.ql.AppendNode(storeOf(b.db.sh.arena), lp)
}

// materialize makes the quicklist of a builder started with one node.
func (b *ListBuilder) materialize() {
	if b.single == nil {
		return
	}
	b.ql = quicklist.New(b.fill)
	b.ql.AppendNode(storeOf(b.db.sh.arena), b.single)
	b.single = nil
}

// PushTail adds one element at the tail, in the tail node while the fill
// allows, as Redis loads the elements of a plain or ziplist list.
func (b *ListBuilder) PushTail(elem []byte) {
	b.materialize()
	b.ql.PushTail(storeOf(b.db.sh.arena), elem)
}

// Len returns the number of elements added so far.
func (b *ListBuilder) Len() int {
	if b.single != nil {
		return listpack.FromBytes(b.single).Len()
	}
	return b.ql.Len()
}

// Discard frees what was built.
func (b *ListBuilder) Discard() {
	b.single = nil
	if b.ql != nil {
		b.ql.Free(storeOf(b.db.sh.arena))
		b.ql = nil
	}
}

// Store puts the list under key, replacing what key held, with no TTL, and
// returns its handle. As Redis 7.2 after loading a list (listTypeTryConversion
// with LIST_CONV_AUTO), a list of one node within the fill's whole limits
// becomes a listpack; any other stays a quicklist of the nodes it has. The
// list must not be empty.
func (b *ListBuilder) Store(key []byte, now int64) Handle {
	if lp := b.single; lp != nil && quicklist.FitsOneListpack(b.fill, len(lp), listpack.FromBytes(lp).Len(), false) {
		b.single = nil
		return b.db.NewValue(key, TypeList, EncListpack, lp, now)
	}
	b.materialize()
	ql := b.ql
	b.ql = nil
	if ql.Len() == 0 {
		panic("BUG: ListBuilder.Store of an empty list")
	}
	if ql.ConvertibleToListpack(false) {
		node, size, _ := ql.DetachSingleNode()
		s := storeOf(b.db.sh.arena)
		// NewValue copies the node before the cell is freed; allocating
		// moves no other cell.
		h := b.db.NewValue(key, TypeList, EncListpack, s.Bytes(node)[:size], now)
		s.Free(node)
		return h
	}
	return b.db.newBig(key, TypeList, EncQuicklist, &listValue{ql: ql}, now)
}

// HashBuilder builds a hash for RESTORE, outside the keyspace until Store,
// with Redis 7.2's choice of encoding on loading. Its methods run on the
// owner goroutine; after Store or Discard it must not be used again.
type HashBuilder struct {
	db  *DB
	lim HashLimits
	lp  listpack.Listpack // the small hash, until ht exists
	ht  *hashTable
}

// NewHashBuilder starts an empty hash that obeys lim.
func (db *DB) NewHashBuilder(lim HashLimits) *HashBuilder {
	return &HashBuilder{db: db, lim: lim}
}

// Add adds a field the hash does not have yet (the caller checks that a
// payload repeats no field), as Redis loads a hashtable hash (RDB_TYPE_HASH):
// into the listpack while the hash has at most lim.Entries fields, no field
// or value longer than lim.Value and a listpack may grow, else into a table.
func (b *HashBuilder) Add(field, value []byte) {
	if b.ht == nil && b.lp.Bytes() == nil {
		// Made here, not by NewHashBuilder: a listpack payload brings its
		// own (SetListpack).
		b.lp = listpack.New()
	}
	if b.ht == nil {
		lim := b.lim
		if int64(len(field)) > lim.Value || int64(len(value)) > lim.Value ||
			int64(b.lp.Len()/2) >= lim.Entries || !b.lp.SafeToAdd(len(field)+len(value)) {
			b.toTable()
		}
	}
	if b.ht != nil {
		b.ht.set(field, value, false, 0)
		return
	}
	b.lp.Append(field)
	b.lp.Append(value)
}

// SetListpack makes the validated listpack lp (field, value, ...; no field
// twice) the whole hash, as Redis loads a listpack or ziplist hash: lp kept
// as it is (copied by Store) unless it has more than lim.Entries fields or,
// with checkValues (a ziplist payload, which Redis 7.2 checks so and a
// listpack one not), a field or value longer than lim.Value; then a table.
func (b *HashBuilder) SetListpack(lp []byte, checkValues bool) {
	l := listpack.FromBytes(lp)
	big := int64(l.Len()/2) > b.lim.Entries
	if checkValues && !big {
		var ib [24]byte
		it := l.Iter()
		for it.Next() {
			if int64(len(lpText(it.Value(), ib[:0]))) > b.lim.Value {
				big = true
				break
			}
		}
	}
	b.lp = l
	if big {
		b.toTable()
	}
}

// toTable moves the pairs so far into a table.
func (b *HashBuilder) toTable() {
	ht := newHashTable(b.db.sh.arena)
	ht.t.Reserve(b.lp.Len() / 2)
	var ib [2][24]byte
	it := b.lp.Iter()
	for it.Next() {
		f := lpText(it.Value(), ib[0][:0])
		it.Next()
		ht.set(f, lpText(it.Value(), ib[1][:0]), false, 0)
	}
	b.ht = ht
	b.lp = listpack.Listpack{}
}

// Len returns the number of fields added so far.
func (b *HashBuilder) Len() int {
	if b.ht != nil {
		return b.ht.t.Len()
	}
	if b.lp.Bytes() == nil {
		return 0
	}
	return b.lp.Len() / 2
}

// Discard frees what was built.
func (b *HashBuilder) Discard() {
	if b.ht != nil {
		b.ht.release(b.db.sh.arena, 0)
		b.ht = nil
	}
}

// Store puts the hash under key, replacing what key held, with no TTL, and
// returns its handle. The hash must not be empty.
func (b *HashBuilder) Store(key []byte, now int64) Handle {
	if b.Len() == 0 {
		panic("BUG: HashBuilder.Store of an empty hash")
	}
	if ht := b.ht; ht != nil {
		b.ht = nil
		return b.db.newBig(key, TypeHash, EncHashtable, ht, now)
	}
	return b.db.NewValue(key, TypeHash, EncListpack, b.lp.Bytes(), now)
}
