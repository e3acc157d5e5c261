package rdb

import (
	"encoding/binary"
	"math"
	"strconv"
)

// Value encoders: the bytes after a value's type byte, shared by the DUMP
// payloads (Dump*, with compression on) and the records of RDB files (with
// rdbcompression's choice). Each writes what Redis 7.0 writes for the
// encoding the value is held in.

// AppendListNodes appends a TypeListQuicklist2 value: the node count, then
// for each node (node(0) to node(nodes-1), each a non-empty listpack) the
// packed container and the listpack as a string.
func AppendListNodes(dst []byte, nodes int, node func(i int) []byte, compress bool) []byte {
	dst = AppendLength(dst, uint64(nodes))
	for i := range nodes {
		dst = append(dst, QuicklistNodePacked)
		dst = AppendString(dst, node(i), compress)
	}
	return dst
}

// AppendHashListpack appends a TypeHashListpack value: the listpack lp
// (field, value, ...) as a string.
func AppendHashListpack(dst, lp []byte, compress bool) []byte {
	return AppendString(dst, lp, compress)
}

// AppendHashEach appends a TypeHash value: n, then the n field, value
// pairs walk yields. A walk that yields other than n pairs panics.
func AppendHashEach(dst []byte, n int, walk func(yield func(field, value []byte) bool), compress bool) []byte {
	dst = AppendLength(dst, uint64(n))
	seen := 0
	walk(func(f, v []byte) bool {
		dst = AppendString(dst, f, compress)
		dst = AppendString(dst, v, compress)
		seen++
		return true
	})
	if seen != n {
		panic("BUG: rdb.AppendHashEach: the walk yielded " + strconv.Itoa(seen) + " pairs, not " + strconv.Itoa(n))
	}
	return dst
}

// AppendHashMetadata appends a TypeHashMetadata value (RDB 12, Redis 7.4's
// hash with field expiries, read back by ReadHashFields): the smallest
// expiry minExpire (Unix ms) as 8 bytes LE, n, then per field its TTL
// (0: none, else expireAt - minExpire + 1, a length), the field and the
// value. walk yields n fields with their expiries (0: none); every
// expiry is at least minExpire and at most 2^48-1.
func AppendHashMetadata(dst []byte, n int, minExpire int64, walk func(yield func(field, value []byte, expireAt int64) bool), compress bool) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, uint64(minExpire))
	dst = AppendLength(dst, uint64(n))
	seen := 0
	walk(func(f, v []byte, exp int64) bool {
		var ttl uint64
		if exp != 0 {
			ttl = uint64(exp-minExpire) + 1
		}
		dst = AppendLength(dst, ttl)
		dst = AppendString(dst, f, compress)
		dst = AppendString(dst, v, compress)
		seen++
		return true
	})
	if seen != n {
		panic("BUG: rdb.AppendHashMetadata: the walk yielded " + strconv.Itoa(seen) + " fields, not " + strconv.Itoa(n))
	}
	return dst
}

// AppendSetIntset appends a TypeSetIntset value: the intset as a string.
func AppendSetIntset(dst, is []byte, compress bool) []byte {
	return AppendString(dst, is, compress)
}

// AppendSetEach appends a TypeSet value: n, then the n members walk
// yields. A walk that yields other than n members panics.
func AppendSetEach(dst []byte, n int, walk func(yield func(m []byte) bool), compress bool) []byte {
	dst = AppendLength(dst, uint64(n))
	seen := 0
	walk(func(m []byte) bool {
		dst = AppendString(dst, m, compress)
		seen++
		return true
	})
	if seen != n {
		panic("BUG: rdb.AppendSetEach: the walk yielded " + strconv.Itoa(seen) + " members, not " + strconv.Itoa(n))
	}
	return dst
}

// AppendZSetListpack appends a TypeZSetListpack value: the listpack lp
// (member, score, ... ascending) as a string.
func AppendZSetListpack(dst, lp []byte, compress bool) []byte {
	return AppendString(dst, lp, compress)
}

// AppendZSet2 appends a TypeZSet2 value: n, then the n members walk yields,
// each followed by its score as 8 bytes of LE binary64. Redis writes the
// highest score first. A walk that yields other than n members panics.
func AppendZSet2(dst []byte, n int, walk func(yield func(member []byte, score float64) bool), compress bool) []byte {
	dst = AppendLength(dst, uint64(n))
	seen := 0
	walk(func(m []byte, s float64) bool {
		dst = AppendString(dst, m, compress)
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(s))
		seen++
		return true
	})
	if seen != n {
		panic("BUG: rdb.AppendZSet2: the walk yielded " + strconv.Itoa(seen) + " members, not " + strconv.Itoa(n))
	}
	return dst
}
