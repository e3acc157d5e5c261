package txn

import (
	"fmt"
	"testing"

	"github.com/anaxdb/anax/shard"
)

func TestHashTag(t *testing.T) {
	f := func(key, want string) {
		t.Helper()
		if got := string(HashTag([]byte(key))); got != want {
			t.Errorf("HashTag(%q) = %q, want %q", key, got, want)
		}
	}
	f("user:1", "user:1")
	f("{user:1}:name", "user:1")
	f("a{b}c{d}", "b")
	f("{}abc", "{}abc") // empty tag: the whole key
	f("{abc", "{abc")
	f("abc}", "abc}")
	f("a{{b}}", "{b")
}

func TestRouteSpreadsAndKeepsTags(t *testing.T) {
	r := New(make([]*shard.Shard, 8))
	counts := make([]int, 8)
	for i := 0; i < 80000; i++ {
		counts[r.Route([]byte(fmt.Sprintf("key:%d", i)))]++
	}
	for i, c := range counts {
		if c < 9000 || c > 11000 {
			t.Errorf("shard %d got %d of 80000 keys", i, c)
		}
	}
	if r.Route([]byte("{u1}:a")) != r.Route([]byte("{u1}:b")) {
		t.Error("keys with the same hash tag landed on different shards")
	}
}

// loopWaker runs posted work on a dedicated goroutine, standing in for an
// event loop.
type loopWaker struct{ ch chan func() }

func (w *loopWaker) Wake(fn func()) { w.ch <- fn }

func newLoops(n int) []*shard.Shard {
	shards := make([]*shard.Shard, n)
	for i := range shards {
		shards[i] = shard.New(i, 1)
		w := &loopWaker{ch: make(chan func(), 1024)}
		go func() {
			for fn := range w.ch {
				fn()
			}
		}()
		shards[i].SetWaker(w)
	}
	return shards
}
