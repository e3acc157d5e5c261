package keycmd

import (
	"errors"

	"github.com/anaxdb/anax/container/stream"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/snapshot"
	"github.com/anaxdb/anax/snapshot/rdb"
)

// DUMP and RESTORE payloads of each value type. Strings are rdb.DumpString's
// and rdb.DecodeDump's (object.go). Lists and hashes are written in the RDB
// types Redis 7.2 writes for their encoding, with RDB version 10 in the
// footer (see rdb.DumpListNodes), and read from every list and hash type a
// Redis from 6.2 on writes; the value is built outside the keyspace
// (shard.ListBuilder, shard.HashBuilder) so that a corrupt payload leaves
// nothing behind.

// errDumpType answers DUMP of a value whose type has no payload writer yet:
// an error rather than bytes that would restore as something else.
const errDumpType = "ERR DUMP is not supported for this key's type yet"

// appendDump appends the DUMP payload of entry h of db to dst, or reports
// false when its type has no writer: a set or sorted set with member TTLs
// (KeyDB keeps subkey expiries out of the value's payload, and a payload
// without them would restore members that never expire). A hash with
// field TTLs is written as Redis 7.4 writes it (RDB 12).
func appendDump(dst []byte, db *shard.DB, h shard.Handle, now int64) ([]byte, bool) {
	switch db.Type(h) {
	case shard.TypeString:
		return rdb.DumpString(dst, db.Value(h)), true
	case shard.TypeList:
		nodes := db.ListNodes(h, nil)
		return rdb.DumpListNodes(dst, len(nodes), func(i int) []byte { return nodes[i] }), true
	case shard.TypeHash:
		if db.Encoding(h) == shard.EncListpack {
			return rdb.DumpHashListpack(dst, db.Value(h)), true
		}
		if db.HashHasFieldTTL(h) {
			// Redis 7.4's RDB 12 type, as it dumps such a hash; the dead
			// fields not yet reclaimed go too, as in Redis.
			n, minExp := 0, int64(0)
			db.HashEachTTL(h, func(_, _ []byte, exp int64) bool {
				n++
				if exp != 0 && (minExp == 0 || exp < minExp) {
					minExp = exp
				}
				return true
			})
			return rdb.DumpHashMetadata(dst, n, minExp, func(yield func(f, v []byte, exp int64) bool) {
				db.HashEachTTL(h, yield)
			}), true
		}
		return rdb.DumpHashEach(dst, db.HashLen(h), func(yield func(f, v []byte) bool) {
			db.HashEach(h, now, yield)
		}), true
	case shard.TypeSet:
		if db.Encoding(h) == shard.EncIntset {
			return rdb.DumpSetIntset(dst, db.SetBytes(h)), true
		}
		if db.HasMemberTTLs(h) {
			return dst, false
		}
		return rdb.DumpSetEach(dst, db.SetLen(h), func(yield func(m []byte) bool) {
			db.SetEach(h, yield)
		}), true
	case shard.TypeZSet:
		z := db.OpenZSet(nil, h)
		if lp := z.ListpackBytes(); lp != nil {
			return rdb.DumpZSetListpack(dst, lp), true
		}
		if db.HasMemberTTLs(h) {
			return dst, false
		}
		// Highest first, as Redis writes a skiplist.
		return rdb.DumpZSet2(dst, z.Len(), func(yield func(m []byte, s float64) bool) {
			z.Range(z.Len()-1, true, yield)
		}), true
	case shard.TypeStream:
		return rdb.DumpStream(dst, db.StreamOf(h), db.StreamStore()), true
	}
	return dst, false
}

// restored is a value decoded from a RESTORE payload and not yet stored.
type restored struct {
	str  []byte // a string value (may alias the payload)
	list *shard.ListBuilder
	hash *shard.HashBuilder
	// fieldTTLs are the hash's field expiries (RDB 12 types), set once it
	// is stored; empty reports a hash whose every field had expired.
	fieldTTLs []snapshot.FieldExpiry
	empty     bool
	set       *shard.SetBuilder
	zset      *shard.ZSetBuilder
	// a stream, its nodes in the cells of streamStore
	stream      *stream.Stream
	streamStore stream.Store
}

// store puts the value under key with TTL expireAt (0: none) and returns
// its handle.
func (r *restored) store(db *shard.DB, key []byte, expireAt, now int64) shard.Handle {
	var h shard.Handle
	switch {
	case r.list != nil:
		h = r.list.Store(key, now)
	case r.hash != nil:
		h = snapshot.SetFieldExpiries(db, key, r.hash.Store(key, now), r.fieldTTLs, now)
	case r.set != nil:
		h = r.set.Store(key, now)
	case r.zset != nil:
		h = r.zset.Store(key, now)
	case r.stream != nil:
		h = db.StoreStream(key, r.stream, now)
	default:
		db.SetString(key, r.str, expireAt, false, shard.EncAuto, now)
		h, _ = db.Peek(key)
		return h
	}
	if expireAt != 0 {
		h = db.SetExpireAt(h, expireAt)
	}
	return h
}

// discard frees a value that will not be stored.
func (r *restored) discard() {
	switch {
	case r.list != nil:
		r.list.Discard()
	case r.hash != nil:
		r.hash.Discard()
	case r.set != nil:
		r.set.Discard()
	case r.zset != nil:
		r.zset.Discard()
	case r.stream != nil:
		r.stream.Free(r.streamStore)
	}
}

// decodeRestore checks and decodes a RESTORE payload for db, or returns the
// error reply: errBadPayload for a wrong version or CRC, errBadFormat for
// anything else it refuses.
func decodeRestore(x *command.Exec, db *shard.DB, payload []byte) (restored, string) {
	if rdb.VerifyDump(payload) != nil {
		return restored{}, errBadPayload
	}
	var r restored
	var err error
	switch payload[0] {
	case rdb.TypeList, rdb.TypeListZiplist, rdb.TypeListQuicklist, rdb.TypeListQuicklist2:
		r.list, err = decodeList(db, payload, int(x.Env.Limits().ListListpackSize))
	case rdb.TypeHash, rdb.TypeHashZiplist, rdb.TypeHashListpack, rdb.TypeHashMetadata, rdb.TypeHashListpackEx:
		r.hash, r.fieldTTLs, err = decodeHash(db, payload, shard.HashLimits{
			Entries: x.Env.Limits().HashListpackEntries,
			Value:   x.Env.Limits().HashListpackValue,
		}, x.Now)
		r.empty = err == nil && r.hash == nil
	case rdb.TypeSet, rdb.TypeSetIntset, rdb.TypeSetListpack:
		r.set, err = decodeSet(db, payload, shard.SetLimits{
			IntsetEntries:   x.Env.Limits().SetIntsetEntries,
			ListpackEntries: x.Env.Limits().SetListpackEntries,
			ListpackValue:   x.Env.Limits().SetListpackValue,
		})
	case rdb.TypeZSet, rdb.TypeZSet2, rdb.TypeZSetZiplist, rdb.TypeZSetListpack:
		r.zset, err = decodeZSet(db, payload, shard.ZSetLimits{
			Entries: x.Env.Limits().ZSetListpackEntries,
			Value:   x.Env.Limits().ZSetListpackValue,
		})
	case rdb.TypeStreamListpacks, rdb.TypeStreamListpacks2, rdb.TypeStreamListpacks3:
		typ, body, _ := rdb.DumpBody(payload)
		r.streamStore = db.StreamStore()
		r.stream, err = rdb.ReadStream(typ, body, r.streamStore)
	default:
		_, r.str, err = rdb.DecodeDump(payload)
	}
	switch {
	case err == nil:
		return r, ""
	case errors.Is(err, rdb.ErrBadChecksum):
		return restored{}, errBadPayload
	}
	return restored{}, errBadFormat
}

// The collections are built by the RDB loader's builders (snapshot.Build*),
// from the payload's body: the encodings Redis 7.2 picks on loading, as a
// snapshot file's values are built.

func decodeList(db *shard.DB, payload []byte, fill int) (*shard.ListBuilder, error) {
	typ, body, err := rdb.DumpBody(payload)
	if err != nil {
		return nil, err
	}
	return snapshot.BuildList(db, typ, body, fill)
}

// decodeHash builds a hash from a payload, leaving out the fields whose
// expiry is not after now: a nil builder and no error when none is left.
func decodeHash(db *shard.DB, payload []byte, lim shard.HashLimits, now int64) (*shard.HashBuilder, []snapshot.FieldExpiry, error) {
	typ, body, err := rdb.DumpBody(payload)
	if err != nil {
		return nil, nil, err
	}
	return snapshot.BuildHash(db, typ, body, lim, now, nil)
}

func decodeSet(db *shard.DB, payload []byte, lim shard.SetLimits) (*shard.SetBuilder, error) {
	typ, body, err := rdb.DumpBody(payload)
	if err != nil {
		return nil, err
	}
	return snapshot.BuildSet(db, typ, body, lim)
}

func decodeZSet(db *shard.DB, payload []byte, lim shard.ZSetLimits) (*shard.ZSetBuilder, error) {
	typ, body, err := rdb.DumpBody(payload)
	if err != nil {
		return nil, err
	}
	return snapshot.BuildZSet(db, typ, body, lim)
}
