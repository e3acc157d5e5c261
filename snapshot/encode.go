package snapshot

import (
	"strconv"

	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/snapshot/rdb"
)

// AppendEntry appends the RDB record of entry h of db to dst: the
// Memcached flags as an aux field when the entry is a Memcached item with
// flags, the expiry, the idle time or LFU counter (f.Access), then the
// type, key and value in the encoding Redis 7.0 writes for how the value
// is held (see rdb.FileVersion). It only reads the shard: it may run
// inside a snapshot hook.
func AppendEntry(dst []byte, db *shard.DB, h shard.Handle, f Format) []byte {
	compress := f.Compress
	typ := db.Type(h)
	start := len(dst)
	if typ == shard.TypeString {
		if flags, ok := db.MCFlags(h); ok && flags != 0 {
			var b [10]byte
			dst = rdb.AppendAux(dst, []byte(rdb.AuxMCFlags), strconv.AppendUint(b[:0], uint64(flags), 10), compress)
		}
	}
	dst = appendHead(dst, db, h, f)
	key := db.Key(h)
	switch typ {
	case shard.TypeString:
		dst = rdb.AppendRecordHeader(dst, rdb.TypeString, key, compress)
		return rdb.AppendString(dst, db.Value(h), compress)
	case shard.TypeList:
		var stack [8][]byte
		nodes := db.ListNodes(h, stack[:0])
		dst = rdb.AppendRecordHeader(dst, rdb.TypeListQuicklist2, key, compress)
		return rdb.AppendListNodes(dst, len(nodes), func(i int) []byte { return nodes[i] }, compress)
	case shard.TypeHash:
		if db.Encoding(h) == shard.EncListpack {
			dst = rdb.AppendRecordHeader(dst, rdb.TypeHashListpack, key, compress)
			return rdb.AppendHashListpack(dst, db.Value(h), compress)
		}
		if db.HashHasFieldTTL(h) {
			// The expiries go before the key, in an aux field; the hash
			// is a plain one, which Redis 7.0 and 7.2 load.
			ttls := listpack.New()
			db.HashEachTTL(h, func(f, _ []byte, exp int64) bool {
				if exp != 0 {
					ttls.Append(f)
					ttls.AppendInt(exp)
				}
				return true
			})
			var rec []byte
			rec = rdb.AppendAux(rec, []byte(rdb.AuxHashFieldTTLs), ttls.Bytes(), compress)
			// The aux field must come before the expiry opcode and the
			// key: move what was appended for them behind it.
			dst = insertBefore(dst, start, rec)
		}
		n := 0
		db.HashEachTTL(h, func(_, _ []byte, _ int64) bool { n++; return true })
		dst = rdb.AppendRecordHeader(dst, rdb.TypeHash, key, compress)
		return rdb.AppendHashEach(dst, n, func(yield func(f, v []byte) bool) {
			db.HashEachTTL(h, func(f, v []byte, _ int64) bool { return yield(f, v) })
		}, compress)
	case shard.TypeSet:
		dst = memberTTLsBefore(dst, start, db, h, compress)
		if db.Encoding(h) == shard.EncIntset {
			dst = rdb.AppendRecordHeader(dst, rdb.TypeSetIntset, key, compress)
			return rdb.AppendSetIntset(dst, db.SetBytes(h), compress)
		}
		dst = rdb.AppendRecordHeader(dst, rdb.TypeSet, key, compress)
		return rdb.AppendSetEach(dst, db.SetLen(h), func(yield func(m []byte) bool) {
			db.SetEach(h, yield)
		}, compress)
	case shard.TypeZSet:
		dst = memberTTLsBefore(dst, start, db, h, compress)
		z := db.OpenZSet(nil, h)
		if lp := z.ListpackBytes(); lp != nil {
			dst = rdb.AppendRecordHeader(dst, rdb.TypeZSetListpack, key, compress)
			return rdb.AppendZSetListpack(dst, lp, compress)
		}
		dst = rdb.AppendRecordHeader(dst, rdb.TypeZSet2, key, compress)
		return rdb.AppendZSet2(dst, z.Len(), func(yield func(m []byte, s float64) bool) {
			z.Range(z.Len()-1, true, yield)
		}, compress)
	case shard.TypeStream:
		dst = rdb.AppendRecordHeader(dst, rdb.TypeStreamListpacks2, key, compress)
		return rdb.AppendStream(dst, db.StreamOf(h), db.StreamStore(), compress)
	}
	panic("BUG: snapshot: an entry of unknown type " + strconv.Itoa(int(typ)))
}

// appendHead appends what goes before the type of entry h's record, as
// Redis writes it: the expiry, then the idle time or the LFU counter.
func appendHead(dst []byte, db *shard.DB, h shard.Handle, f Format) []byte {
	if exp := db.ExpireAt(h); exp != 0 {
		dst = rdb.AppendExpireMs(dst, exp)
	}
	switch f.Access {
	case AccessIdle:
		dst = rdb.AppendIdle(dst, uint64(max(f.Now/1000-db.AccessTime(h), 0)))
	case AccessFreq:
		dst = rdb.AppendFreq(dst, db.FreqNow(h, f.Now))
	}
	return dst
}

// memberTTLsBefore puts the member expiries of the set or sorted set h, if
// it has some, in an AuxMemberTTLs aux field before the record that starts
// at start (they must come before its expiry opcode and key).
func memberTTLsBefore(dst []byte, start int, db *shard.DB, h shard.Handle, compress bool) []byte {
	if !db.HasMemberTTLs(h) {
		return dst
	}
	ttls := listpack.New()
	db.MemberEachTTL(h, func(m []byte, at int64) {
		ttls.Append(m)
		ttls.AppendInt(at)
	})
	rec := rdb.AppendAux(nil, []byte(rdb.AuxMemberTTLs), ttls.Bytes(), compress)
	return insertBefore(dst, start, rec)
}

// insertBefore inserts ins into dst at position at.
func insertBefore(dst []byte, at int, ins []byte) []byte {
	n := len(dst)
	dst = append(dst, ins...)
	copy(dst[at+len(ins):], dst[at:n])
	copy(dst[at:], ins)
	return dst
}
