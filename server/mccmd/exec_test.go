package mccmd

import (
	"strings"
	"testing"

	"github.com/anaxdb/anax/protocol/memcache"
	"github.com/anaxdb/anax/shard"
)

// testNow is the clock of these tests, Unix ms.
const testNow = 1_700_000_000_000

// newTestExecutor returns an executor over n fresh shards and the shards.
func newTestExecutor(n int, maxItemSize int64) (*Executor, []*shard.Shard) {
	shards := make([]*shard.Shard, n)
	for i := range shards {
		shards[i] = shard.New(i, 1)
	}
	return NewExecutor(shards, func() int64 { return maxItemSize }), shards
}

// runLine parses one request and runs it on shard sh as the face would
// (the get family key by key, then END), appending the reply to out.
func runLine(t testing.TB, e *Executor, sh int, p *memcache.Parser, r *memcache.Request, in []byte, out []byte) []byte {
	t.Helper()
	n, err := p.Parse(in, r)
	if err != nil || n != len(in) {
		t.Fatalf("Parse(%q) = %d, %v", in, n, err)
	}
	switch r.Cmd {
	case memcache.CmdGet, memcache.CmdGets, memcache.CmdGat, memcache.CmdGats:
		withCAS := r.Cmd == memcache.CmdGets || r.Cmd == memcache.CmdGats
		touch := r.Cmd == memcache.CmdGat || r.Cmd == memcache.CmdGats
		exp := memcache.ExpireAt(r.Exptime, testNow)
		for _, key := range r.Keys {
			out = e.Get(sh, key, withCAS, touch, exp, testNow, out)
		}
		return memcache.AppendEnd(out)
	}
	return e.Run(sh, r, testNow, out)
}

// TestRunTranscript: requests run in order on one shard, with the replies
// memcached gives them.
func TestRunTranscript(t *testing.T) {
	e, _ := newTestExecutor(1, 128)
	var p memcache.Parser
	var r memcache.Request
	f := func(in, want string) {
		t.Helper()
		if got := string(runLine(t, e, 0, &p, &r, []byte(in), nil)); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
	f("get k\r\n", "END\r\n")
	f("add k 5 0 3\r\nabc\r\n", "STORED\r\n")
	f("add k 0 0 1\r\nx\r\n", "NOT_STORED\r\n")
	f("get k\r\n", "VALUE k 5 3\r\nabc\r\nEND\r\n")
	f("append k 0 0 2\r\nde\r\n", "STORED\r\n")
	f("prepend k 0 0 1\r\nz\r\n", "STORED\r\n")
	f("get k\r\n", "VALUE k 5 6\r\nzabcde\r\nEND\r\n")
	// The joined item would pass the item size limit: memcached cannot
	// allocate it and answers NOT_STORED.
	f("append k 0 0 60\r\n"+strings.Repeat("x", 60)+"\r\n", "NOT_STORED\r\n")
	f("replace n 0 0 1\r\n1\r\n", "NOT_STORED\r\n")
	f("set n 0 0 3\r\n100\r\n", "STORED\r\n")
	f("decr n 1\r\n", "99\r\n")
	f("get n\r\n", "VALUE n 0 3\r\n99 \r\nEND\r\n") // padded in place, as memcached does
	f("incr n 2\r\n", "101\r\n")
	f("incr k 1\r\n", "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n")
	f("incr none 1\r\n", "NOT_FOUND\r\n")
	f("cas n 0 0 1 12345\r\n7\r\n", "EXISTS\r\n")
	f("cas none 0 0 1 1\r\n7\r\n", "NOT_FOUND\r\n")
	f("touch n 100\r\n", "TOUCHED\r\n")
	f("touch none 100\r\n", "NOT_FOUND\r\n")
	f("delete n\r\n", "DELETED\r\n")
	f("delete n\r\n", "NOT_FOUND\r\n")
	f("mg n v\r\n", "EN\r\n")
	f("ms m 2 F9 T0\r\nhi\r\n", "HD\r\n")
	f("mg m v f k\r\n", "VA 2 f9 km\r\nhi\r\n")
	f("md m q\r\n", "")
	f("mg m\r\n", "EN\r\n")
	f("ma m N0 J13 v\r\n", "VA 2\r\n13\r\n")
}

// TestCASAndStats: gets hands out a CAS that cas then matches once; the
// counters count hits and misses on the shard that ran the command.
func TestCASAndStats(t *testing.T) {
	e, _ := newTestExecutor(2, 1<<20)
	var p memcache.Parser
	var r memcache.Request
	runLine(t, e, 1, &p, &r, []byte("set k 0 0 1\r\na\r\n"), nil)
	got := string(runLine(t, e, 1, &p, &r, []byte("gets k\r\n"), nil))
	// Shard 1 of 2 hands out CAS k*2+1: the set took the first, 3.
	if want := "VALUE k 0 1 3\r\na\r\nEND\r\n"; got != want {
		t.Fatalf("gets: got %q, want %q", got, want)
	}
	f := func(in, want string) {
		t.Helper()
		if got := string(runLine(t, e, 1, &p, &r, []byte(in), nil)); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
	f("cas k 0 0 1 3\r\nb\r\n", "STORED\r\n")
	f("cas k 0 0 1 3\r\nc\r\n", "EXISTS\r\n")
	f("get k miss\r\n", "VALUE k 0 1\r\nb\r\nEND\r\n")
	st := e.Stats(1)
	if st.CasHits.Load() != 1 || st.CasBadval.Load() != 1 || st.GetHits.Load() != 2 || st.GetMisses.Load() != 1 || st.CmdSet.Load() != 3 {
		t.Errorf("stats: cas hits %d badval %d, get hits %d misses %d, cmd_set %d; want 1 1 2 1 3",
			st.CasHits.Load(), st.CasBadval.Load(), st.GetHits.Load(), st.GetMisses.Load(), st.CmdSet.Load())
	}
	if e.Stats(0).CmdGet.Load() != 0 {
		t.Errorf("shard 0 counted commands it did not run")
	}
	st.Reset()
	if st.GetHits.Load() != 0 || st.BytesWritten.Load() != 0 {
		t.Errorf("Reset left counters set")
	}
}

// TestRunAllocs: the shard halves of the common commands allocate nothing
// once the reply buffer and the shard have grown.
func TestRunAllocs(t *testing.T) {
	e, _ := newTestExecutor(1, 1<<20)
	var p memcache.Parser
	var r memcache.Request
	out := make([]byte, 0, 4096)
	warm := []string{"set k 0 0 5\r\nhello\r\n", "set n 0 0 2\r\n10\r\n", "get k\r\n"}
	for _, in := range warm {
		runLine(t, e, 0, &p, &r, []byte(in), out)
	}
	for _, in := range []string{
		"get k\r\n",
		"gets k\r\n",
		"set k 0 0 5\r\nworld\r\n",
		"incr n 1\r\n",
		"touch k 100\r\n",
		"mg k v c f t k Oxx\r\n",
		"ms k 5 T10 F3 c\r\nhello\r\n",
		"me k\r\n",
	} {
		b := []byte(in)
		if a := testing.AllocsPerRun(100, func() { runLine(t, e, 0, &p, &r, b, out[:0]) }); a != 0 {
			t.Errorf("%q: %v allocations", in, a)
		}
	}
}
