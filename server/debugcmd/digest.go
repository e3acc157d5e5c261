package debugcmd

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"strconv"

	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/container/stream"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// DEBUG DIGEST and DEBUG DIGEST-VALUE: a SHA-1 based fingerprint of the
// data set or of single values, computed as Redis 7.4 computes it, so that
// equal data give equal digests here and there (tests compare a value
// before and after COPY, RESTORE or a reload).
//
// Two operations build every digest: xor folds SHA1(data) into the digest
// (order does not matter: set members, hash fields, keys), mix also
// rehashes the digest after the xor (order matters: list elements, a
// stream's entries). A value's digest mixes its type code (Redis's
// OBJ_* number, big-endian), then its content, then xors "!!expire!!"
// when the key has a TTL. The data set's digest, per database that holds
// keys in index order, mixes the index, then xors in each key's digest
// (its name mixed, then its value's) the xor way. Logically expired keys count, as in
// Redis: DEBUG does not expire.

type digest [sha1.Size]byte

func (d *digest) xor(b []byte) {
	h := sha1.Sum(b)
	for i := range d {
		d[i] ^= h[i]
	}
}

func (d *digest) mix(b []byte) {
	d.xor(b)
	*d = sha1.Sum(d[:])
}

// Redis's object type codes (OBJ_STRING...).
func redisTypeCode(t byte) uint32 {
	switch t {
	case shard.TypeList:
		return 1
	case shard.TypeSet:
		return 2
	case shard.TypeZSet:
		return 3
	case shard.TypeHash:
		return 4
	case shard.TypeStream:
		return 6
	}
	return 0 // string
}

// valueDigest folds the value of entry h (of key) into d as Redis's
// xorObjectDigest does.
func valueDigest(d *digest, db *shard.DB, key []byte, h shard.Handle) {
	var code [4]byte
	binary.BigEndian.PutUint32(code[:], redisTypeCode(db.Type(h)))
	d.mix(code[:])
	var buf []byte
	switch db.Type(h) {
	case shard.TypeString:
		d.mix(db.Value(h))
	case shard.TypeList:
		for _, node := range db.ListNodes(h, nil) {
			it := listpack.FromBytes(node).Iter()
			for it.Next() {
				buf = it.Value().AppendTo(buf[:0])
				d.mix(buf)
			}
		}
	case shard.TypeSet:
		db.SetEach(h, func(m []byte) bool {
			d.xor(m)
			return true
		})
	case shard.TypeZSet:
		z := db.OpenZSet(key, h)
		z.Range(0, false, func(m []byte, score float64) bool {
			var e digest
			e.mix(m)
			buf = shard.AppendScore(buf[:0], score)
			e.mix(buf)
			d.xor(e[:])
			return true
		})
	case shard.TypeHash:
		db.HashEachTTL(h, func(f, v []byte, expireAt int64) bool {
			var e digest
			e.mix(f)
			e.mix(v)
			if expireAt != 0 {
				e.xor([]byte("!!hexpire!!"))
			}
			d.xor(e[:])
			return true
		})
	case shard.TypeStream:
		st := db.OpenStream(key, h)
		it := st.S().Iterate(st.Store(), stream.ID{}, stream.MaxID, false)
		var pairs []listpack.Value
		for it.Next() {
			e := it.Entry()
			buf = strconv.AppendUint(buf[:0], e.ID.Ms, 10)
			buf = strconv.AppendUint(append(buf, '.'), e.ID.Seq, 10)
			d.mix(buf)
			pairs = e.Pairs(pairs[:0])
			for _, p := range pairs {
				buf = p.AppendTo(buf[:0])
				d.mix(buf)
			}
		}
	}
	if db.ExpireAt(h) != 0 {
		d.xor([]byte("!!expire!!"))
	}
}

// digestValues answers DEBUG DIGEST-VALUE key...: each key's value digest
// in the client's database, zeros for a missing key. A piece computes the
// keys of its shard and leaves the others zero; the merge xors the pieces.
func digestValues(x *command.Exec) {
	keys := x.Args[2:]
	out := make([]digest, len(keys))
	for i, key := range keys {
		if !x.OwnsKey(key) {
			continue
		}
		db := x.DB(key)
		if h, ok := db.Peek(key); ok {
			valueDigest(&out[i], db, key, h)
		}
	}
	if x.IsPiece() {
		x.Result.Value = out
		return
	}
	replyDigests(x, out)
}

func replyDigests(x *command.Exec, ds []digest) {
	x.Array(len(ds))
	for i := range ds {
		x.Simple(hex.EncodeToString(ds[i][:]))
	}
}

// dbDigests is one shard's part of DEBUG DIGEST: per database, the xor of
// the SHA-1s of its keys' digests and whether it holds any key.
type dbDigests struct {
	xor  []digest
	keys []bool
}

func shardDigests(sh *shard.Shard) dbDigests {
	n := sh.NumDB()
	out := dbDigests{xor: make([]digest, n), keys: make([]bool, n)}
	for i := range n {
		db := sh.DB(i)
		db.ForEach(func(h shard.Handle) bool {
			key := db.Key(h)
			var d digest
			d.mix(key)
			valueDigest(&d, db, key, h)
			out.xor[i].xor(d[:])
			out.keys[i] = true
			return true
		})
	}
	return out
}

// dataSetDigest combines the shards' parts in database order.
func dataSetDigest(parts []dbDigests) digest {
	var final digest
	if len(parts) == 0 {
		return final
	}
	for i := range parts[0].xor {
		any := false
		var x digest
		for _, p := range parts {
			any = any || p.keys[i]
			for j := range x {
				x[j] ^= p.xor[i][j]
			}
		}
		if !any {
			continue
		}
		var idx [4]byte
		binary.BigEndian.PutUint32(idx[:], uint32(i))
		final.mix(idx[:])
		for j := range final {
			final[j] ^= x[j]
		}
	}
	return final
}

// digestDataSet answers DEBUG DIGEST, or computes a piece's part of it.
func digestDataSet(x *command.Exec) {
	part := shardDigests(x.Home)
	if x.IsPiece() {
		x.Result.Value = part
		return
	}
	d := dataSetDigest([]dbDigests{part})
	x.Simple(hex.EncodeToString(d[:]))
}

// mergeDigests answers DEBUG DIGEST or DIGEST-VALUE from the pieces.
func mergeDigests(x *command.Exec, parts []*command.Exec) {
	if command.EqFold(x.Args[1], "digest") {
		var ds []dbDigests
		for _, p := range parts {
			if p == nil {
				continue
			}
			if d, ok := p.Result.Value.(dbDigests); ok {
				ds = append(ds, d)
			}
		}
		d := dataSetDigest(ds)
		x.Simple(hex.EncodeToString(d[:]))
		return
	}
	out := make([]digest, len(x.Args)-2)
	for _, p := range parts {
		if p == nil {
			continue
		}
		if ds, ok := p.Result.Value.([]digest); ok {
			for i := range out {
				for j := range out[i] {
					out[i][j] ^= ds[i][j]
				}
			}
		}
	}
	replyDigests(x, out)
}
