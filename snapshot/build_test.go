package snapshot

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/snapshot/rdb"
)

// TestBuildZSetListpack: a sorted set's listpack whose members are in
// order is kept byte for byte, as Redis keeps it (DUMP then gives back
// the same bytes); one out of order is rebuilt sorted.
func TestBuildZSetListpack(t *testing.T) {
	sh := testShards(t, 1, 1)[0]
	now := time.Now().UnixMilli()
	pack := func(items ...string) []byte {
		lp := listpack.FromBytes(listpack.AppendEmpty(nil))
		for _, it := range items {
			lp.Append([]byte(it))
		}
		return lp.Bytes()
	}
	for _, tc := range []struct {
		name  string
		lp    []byte
		order string
		kept  bool
	}{
		{"in order", pack("a", "1", "b", "2.5", "c", "inf"), "a:1 b:2.5 c:+Inf", true},
		{"equal scores by member", pack("x", "1", "y", "1", "7", "2"), "x:1 y:1 7:2", true},
		{"scores out of order", pack("b", "2", "a", "1"), "a:1 b:2", false},
		{"members out of order", pack("b", "1", "a", "1"), "a:1 b:1", false},
	} {
		on(sh, func() {
			db := sh.DB(0)
			b, err := BuildZSet(db, rdb.TypeZSetListpack, rdb.AppendString(nil, tc.lp, false), limits.ZSet)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			key := []byte(tc.name)
			h := b.Store(key, now)
			z := db.OpenZSet(key, h)
			if got := bytes.Equal(z.ListpackBytes(), tc.lp); got != tc.kept {
				t.Errorf("%s: listpack kept as it is: %v, want %v", tc.name, got, tc.kept)
			}
			var order []string
			z.Range(0, false, func(m []byte, score float64) bool {
				order = append(order, fmt.Sprintf("%s:%v", m, score))
				return true
			})
			if got := fmt.Sprint(order); got != "["+tc.order+"]" {
				t.Errorf("%s: members %s, want [%s]", tc.name, got, tc.order)
			}
		})
	}
}
