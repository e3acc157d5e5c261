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
			k := wakeKey("wake:", i, n)
			if got := txn.ShardOf([]byte(k), uint64(n)); got != i%n {
				t.Fatalf("wakeKey(%d, %d) = %q on shard %d", i, n, k, got)
			}
		}
	}
	if k := wakeKey("wake:", 7, 0); k != "wake:7" {
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

// TestXreadCommands: the n-th wake of an XREAD client is the XADD of id
// n-0, and after it the client blocks at n-0.
func TestXreadCommands(t *testing.T) {
	if got, want := string(blockCommand("xread", "k", 3)), "*6\r\n$5\r\nXREAD\r\n$5\r\nBLOCK\r\n$1\r\n0\r\n$7\r\nSTREAMS\r\n$1\r\nk\r\n$3\r\n3-0\r\n"; got != want {
		t.Errorf("block: %q, want %q", got, want)
	}
	if got, want := string(pushCommand("xread", "k", 4)), "*5\r\n$4\r\nXADD\r\n$1\r\nk\r\n$3\r\n4-0\r\n$1\r\nf\r\n$1\r\nv\r\n"; got != want {
		t.Errorf("push: %q, want %q", got, want)
	}
	if got, want := string(blockCommand("blpop", "k", 3)), "*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n"; got != want {
		t.Errorf("blpop: %q, want %q", got, want)
	}
}
