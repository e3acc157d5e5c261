package shard

import (
	"fmt"
	"math/rand"
	"testing"
)

// benchDB returns a database of n keys "key:N" holding 100-byte values,
// and the keys in a random order.
func benchDB(n int) (*DB, [][]byte) {
	db := New(0, 1).DB(0)
	keys := make([][]byte, n)
	val := make([]byte, 100)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("key:%d", i))
		db.SetString(keys[i], val, 0, false, EncAuto, 1)
	}
	rand.New(rand.NewSource(1)).Shuffle(n, func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	return db, keys
}

// BenchmarkDBGet is GET's work in the keyspace: a lookup (matching the key
// in the entry) and copying the value out, as into a reply, over 1M keys
// in random order.
func BenchmarkDBGet(b *testing.B) {
	db, keys := benchDB(1 << 20)
	out := make([]byte, 0, 128)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		h, _ := db.Lookup(keys[i&(len(keys)-1)], 2000, 0)
		out = append(out[:0], db.Value(h)...)
		n += len(out)
	}
	if n != 100*b.N {
		b.Fatal("missing keys")
	}
}

// BenchmarkDBSet is SET's work in the keyspace: overwriting the 100-byte
// value of existing keys, over 1M keys in random order.
func BenchmarkDBSet(b *testing.B) {
	db, keys := benchDB(1 << 20)
	val := make([]byte, 100)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		db.SetString(keys[i&(len(keys)-1)], val, 0, false, EncAuto, 2000)
	}
}
