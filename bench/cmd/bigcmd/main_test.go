package main

import (
	"testing"

	"github.com/anaxdb/anax/txn"
)

// TestUnionKeys: sunionstore's sources are on different shards, the
// destination on a third where there is one.
func TestUnionKeys(t *testing.T) {
	defer func(s int) { shards = s }(shards)
	for _, n := range []int{1, 2, 3, 4, 8} {
		shards = n
		k := unionKeys()
		var s [3]int
		for i := range k {
			s[i] = txn.ShardOf(k[i], uint64(n))
		}
		switch {
		case n == 1:
		case s[0] == s[1]:
			t.Errorf("%d shards: both sources on shard %d", n, s[0])
		case n == 2 && s[2] != s[0]:
			t.Errorf("2 shards: destination on %d, first source on %d", s[2], s[0])
		case n > 2 && (s[2] == s[0] || s[2] == s[1]):
			t.Errorf("%d shards: shards %v", n, s)
		}
	}
	if got := string(member(nil, 42)); got != "m000000000000042" {
		t.Errorf("member 42: %q", got)
	}
	shards = 1
	want := "*4\r\n$11\r\nSUNIONSTORE\r\n$13\r\nbig:set:dst:0\r\n$9\r\nbig:set:a\r\n$11\r\nbig:set:b:0\r\n"
	if got := string(request("sunionstore", 10)); got != want {
		t.Errorf("request: %q, want %q", got, want)
	}
}
