package server

import (
	"strconv"
	"strings"
	"testing"

	"github.com/anaxdb/anax/protocol"
)

// taskQueue stands in for the event loops behind the shards: what is
// posted to any shard queues here, and runAll runs it in order on the
// test's goroutine (one goroutine playing every loop).
type taskQueue struct{ tasks []func() }

func (q *taskQueue) Wake(run func()) { q.tasks = append(q.tasks, run) }

func (q *taskQueue) Prepare(run func()) func() {
	return func() { q.tasks = append(q.tasks, run) }
}

func (q *taskQueue) runAll() {
	for i := 0; i < len(q.tasks); i++ {
		q.tasks[i]()
		q.tasks[i] = nil
	}
	q.tasks = q.tasks[:0]
}

// standIn is a two-shard server whose shards post to one taskQueue, with
// one test connection: every loop played by the test's goroutine.
type standIn struct {
	s *Server
	q *taskQueue
	c *protocol.Conn
}

func newStandIn(t *testing.T) *standIn {
	s := newBareServer(t, "2")
	q := &taskQueue{}
	for i := 0; i < s.router.N(); i++ {
		s.router.Shard(i).SetWaker(q)
	}
	c := protocol.NewTestConn(1, 0)
	s.Open(c)
	t.Cleanup(func() { s.Close(c) })
	return &standIn{s: s, q: q, c: c}
}

// batch runs cmds as one read batch of the connection, and what they
// posted, and returns the replies. A command told to retry (behind a
// squash) gets a new batch after the posts ran, as the loop would give it.
func (si *standIn) batch(t *testing.T, cmds [][][]byte) []byte {
	s, c := si.s, si.c
	c.TestBatch(func() {
		s.BeginBatch(c)
		for _, args := range cmds {
			tries := 0
			for {
				r := s.Command(c, args)
				if r == protocol.Done {
					break
				}
				if r != protocol.Retry {
					t.Fatalf("%s: result %v", args[0], r)
				}
				if tries++; tries > 100 {
					t.Fatalf("%s: told to retry 100 times", args[0])
				}
				s.EndBatch(c)
				si.q.runAll()
				s.BeginBatch(c)
			}
		}
		s.EndBatch(c)
		si.q.runAll()
	})
	return c.TakeTestOutput()
}

// TestHopDoesNotAllocate runs commands whose keys live on the other shard
// through Command, the shards' inboxes and back: once the hop records are
// pooled, a hop allocates nothing of the server's own (gnet's task queue,
// which the real loops post through, is not in the path here).
func TestHopDoesNotAllocate(t *testing.T) {
	si := newStandIn(t)
	s := si.s

	var keys []string // owned by shard 1, not the connection's
	for i := 0; len(keys) < 10; i++ {
		if k := "key:" + strconv.Itoa(i); s.router.Route([]byte(k)) == 1 {
			keys = append(keys, k)
		}
	}
	val := make([]byte, 100)
	set := [][][]byte{{[]byte("SET"), []byte(keys[0]), val}}
	get := [][][]byte{benchArgs("GET", keys[0])}
	var pipeline [][][]byte
	for _, k := range keys[1:] {
		pipeline = append(pipeline, benchArgs("INCR", k), benchArgs("GET", keys[0]))
	}

	var out []byte
	batch := func(cmds [][][]byte) { out = si.batch(t, cmds) }
	for _, bc := range []struct {
		name string
		cmds [][][]byte
	}{{"SET", set}, {"GET", get}, {"9 INCR and 9 GET", pipeline}} {
		batch(bc.cmds) // sizes the pools and the queues
		batch(bc.cmds)
		if allocs := testing.AllocsPerRun(1000, func() { batch(bc.cmds) }); allocs != 0 {
			t.Errorf("%s: %v allocations per batch, want 0", bc.name, allocs)
		}
	}
	batch(get)
	if want := "$100\r\n" + string(val) + "\r\n"; string(out) != want {
		t.Errorf("GET reply %q, want %q", out, want)
	}
	batch(pipeline)
	if !strings.HasPrefix(string(out), ":") || strings.Count(string(out), "$100\r\n") != 9 || strings.Contains(string(out), "-ERR") {
		t.Errorf("pipeline reply %q", out)
	}
}

// TestCrossShardTransactionsReuseTheirRecords runs commands whose keys
// span both shards, as transactions of the scheduler, through the same
// stand-in loops: a pipeline of MGETs squashed into one transaction, an
// MSET alone, a MULTI/EXEC body, and a pipeline of MULTI/EXEC blocks
// squashed into one transaction. Their transactions, split plans and
// EXEC runs come back to pools, so what is left per batch is a handful of
// closures and copies, not a few per key (before the pools: 368, 34 and 96
// allocations).
func TestCrossShardTransactionsReuseTheirRecords(t *testing.T) {
	si := newStandIn(t)
	s := si.s

	var keys [2][]string // by shard
	for i := 0; len(keys[0]) < 6 || len(keys[1]) < 6; i++ {
		k := "key:" + strconv.Itoa(i)
		sh := s.router.Route([]byte(k))
		keys[sh] = append(keys[sh], k)
	}
	mixed := append(append([]string{}, keys[0][:5]...), keys[1][:5]...)
	mget := benchArgs(append([]string{"MGET"}, mixed...)...)
	var mgets [][][]byte
	for range 16 {
		mgets = append(mgets, mget)
	}
	mset := [][][]byte{benchArgs("MSET", keys[0][0], "a", keys[1][0], "b")}
	exec := [][][]byte{benchArgs("MULTI")}
	for _, k := range mixed {
		exec = append(exec, benchArgs("INCR", k+":n"))
	}
	exec = append(exec, benchArgs(append([]string{"MGET"}, mixed...)...), benchArgs("EXEC"))
	var execs, remote [][][]byte // 16 pipelined transactions, squashed into one
	for range 16 {
		execs = append(execs, benchArgs("MULTI"), benchArgs("INCR", keys[0][5]), benchArgs("INCR", keys[1][5]), benchArgs("EXEC"))
		remote = append(remote, benchArgs("MULTI"), benchArgs("INCR", keys[1][5]), benchArgs("EXEC"))
	}

	var out []byte
	batch := func(cmds [][][]byte) { out = si.batch(t, cmds) }
	for _, bc := range []struct {
		name string
		cmds [][][]byte
		max  float64
	}{
		{"16 MGET", mgets, 2},   // the squash's reply hand-over
		{"MSET", mset, 2},       // likewise: a squash of one command
		{"MULTI/EXEC", exec, 4}, // the body's hand-over
		{"16 MULTI/EXEC", execs, 2},
		{"16 MULTI/EXEC on the other shard", remote, 2},
	} {
		batch(bc.cmds)
		batch(bc.cmds)
		allocs := testing.AllocsPerRun(1000, func() { batch(bc.cmds) })
		t.Logf("%s: %v allocations per batch", bc.name, allocs)
		if !raceEnabled && allocs > bc.max {
			t.Errorf("%s: %v allocations per batch, want at most %v", bc.name, allocs, bc.max)
		}
	}
	batch(mset)
	batch(mgets[:2])
	want := "*10\r\n$1\r\na\r\n" + strings.Repeat("$-1\r\n", 4) + "$1\r\nb\r\n" + strings.Repeat("$-1\r\n", 4)
	if string(out) != want+want {
		t.Errorf("MGET replies %q, want %q twice", out, want)
	}
}
