package main

import (
	"bufio"
	"strings"
	"testing"

	"github.com/anaxdb/anax/txn"
)

// TestWakeKeySpreadsOverShards: client i's key is on shard i mod n.
func TestWakeKeySpreadsOverShards(t *testing.T) {
	for _, n := range []int{2, 3, 8} {
		for i := range 50 {
			k := wakeKey(i, n)
			if got := txn.ShardOf([]byte(k), uint64(n)); got != i%n {
				t.Fatalf("wakeKey(%d, %d) = %q on shard %d", i, n, k, got)
			}
		}
	}
	if k := wakeKey(7, 0); k != "wake:7" {
		t.Fatalf("wakeKey(7, 0) = %q", k)
	}
}

func TestReadReply(t *testing.T) {
	br := bufio.NewReader(strings.NewReader("*2\r\n$3\r\nkey\r\n$1\r\nv\r\n:3\r\n-ERR unknown command 'BLPOP'\r\n$-1\r\n"))
	for _, want := range []string{"", "", "ERR unknown command 'BLPOP'", ""} {
		e, err := readReply(br)
		if err != nil || e != want {
			t.Fatalf("got %q, %v; want %q", e, err, want)
		}
	}
}
