package server

import (
	"strconv"
	"testing"

	"github.com/anaxdb/anax/protocol"
)

// TestZSetCommandsDoNotAllocate runs ZADD (a new score for a member, and
// a member added then popped, and 100 pairs at once), ZINCRBY, ZSCORE, ZRANK, ZRANGE 0 9 WITHSCORES
// and ZPOPMIN through (*Server).Command, on a listpack sorted set and on a
// big one: none allocates.
func TestZSetCommandsDoNotAllocate(t *testing.T) {
	s := newBareServer(t, "1")
	c := protocol.NewTestConn(1, 0)
	s.Open(c)
	defer s.Close(c)
	var out []byte
	run := func(args [][]byte) {
		s.BeginBatch(c)
		if r := s.Command(c, args); r != protocol.Done {
			t.Fatalf("%s: result %v", args[0], r)
		}
		s.EndBatch(c)
		out = c.TakeTestOutput()
	}
	big := benchArgs("ZADD", "big")
	for i := range 1000 {
		big = append(big, []byte(strconv.Itoa(i)), []byte("member:"+strconv.Itoa(i)))
	}
	run(big)
	run(benchArgs("ZADD", "small", "1", "a", "2", "member:500", "3", "c"))
	run(benchArgs("OBJECT", "ENCODING", "big"))
	if string(out) != "$8\r\nskiplist\r\n" {
		t.Fatalf("OBJECT ENCODING big: %q", out)
	}
	// A ZADD of many pairs (past the scores it keeps on the stack), all
	// members already there at their scores: a bulk load's shape.
	many := benchArgs("ZADD", "big")
	for i := range 100 {
		many = append(many, []byte(strconv.Itoa(i)), []byte("member:"+strconv.Itoa(i)))
	}
	for _, key := range []string{"small", "big"} {
		for _, cmds := range [][][][]byte{
			{many},
			{benchArgs("ZADD", key, "7.5", "member:500"), benchArgs("ZADD", key, "2", "member:500")},
			{benchArgs("ZINCRBY", key, "1", "member:500")},
			{benchArgs("ZSCORE", key, "member:500")},
			{benchArgs("ZSCORE", key, "missing")},
			{benchArgs("ZRANK", key, "member:500")},
			{benchArgs("ZRANGE", key, "0", "9", "WITHSCORES")},
			{benchArgs("ZCARD", key)},
			{benchArgs("ZADD", key, "-5", "first"), benchArgs("ZPOPMIN", key)},
		} {
			once := func() {
				for _, args := range cmds {
					run(args)
				}
			}
			once()
			if allocs := testing.AllocsPerRun(1000, once); allocs != 0 {
				t.Errorf("%s %s: %v allocations, want 0", cmds[len(cmds)-1][0], key, allocs)
			}
		}
	}
}
