package server

import (
	"strconv"
	"testing"

	"github.com/anaxdb/anax/protocol"
)

// TestHashCommandsDoNotAllocate runs HSET of an existing field with a value
// of the same size, HGET, HLEN and HEXISTS through (*Server).Command, on a
// listpack hash and on a big one: none allocates.
func TestHashCommandsDoNotAllocate(t *testing.T) {
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
	big := benchArgs("HSET", "big")
	for i := range 1000 {
		big = append(big, []byte("field:"+strconv.Itoa(i)), []byte("value:"+strconv.Itoa(i)))
	}
	run(big)
	run(benchArgs("HSET", "small", "a", "value:1", "b", "2"))
	run(benchArgs("OBJECT", "ENCODING", "big"))
	if string(out) != "$9\r\nhashtable\r\n" {
		t.Fatalf("OBJECT ENCODING big: %q", out)
	}
	for _, key := range []string{"small", "big"} {
		field := "a"
		if key == "big" {
			field = "field:500"
		}
		for _, args := range [][][]byte{
			benchArgs("HSET", key, field, "value:2"),
			benchArgs("HGET", key, field),
			benchArgs("HGET", key, "missing"),
			benchArgs("HLEN", key),
			benchArgs("HEXISTS", key, field),
		} {
			run(args)
			if allocs := testing.AllocsPerRun(1000, func() { run(args) }); allocs != 0 {
				t.Errorf("%s %s: %v allocations, want 0", args[0], key, allocs)
			}
		}
	}
}
