package server

import (
	"strconv"
	"testing"

	"github.com/anaxdb/anax/protocol"
)

// TestBitCommandsDoNotAllocate runs SETBIT, GETBIT, BITCOUNT, BITPOS,
// BITFIELD, PFADD (to a sparse and to a dense HLL) and PFCOUNT (cached and
// not, one key and several) through (*Server).Command: none allocates.
func TestBitCommandsDoNotAllocate(t *testing.T) {
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
	run(benchArgs("SETBIT", "bm", "100000", "1"))
	dense := benchArgs("PFADD", "dense")
	for i := range 3000 {
		dense = append(dense, []byte("e"+strconv.Itoa(i)))
	}
	run(dense)
	run(benchArgs("PFADD", "sparse", "a", "b", "c"))
	for key, want := range map[string]string{"dense": "+dense\r\n", "sparse": "+sparse\r\n"} {
		if run(benchArgs("PFDEBUG", "ENCODING", key)); string(out) != want {
			t.Fatalf("PFDEBUG ENCODING %s: %q", key, out)
		}
	}
	for _, args := range [][][]byte{
		benchArgs("SETBIT", "bm", "5000", "1"),
		benchArgs("SETBIT", "bm", "5000", "0"),
		benchArgs("GETBIT", "bm", "100000"),
		benchArgs("BITCOUNT", "bm"),
		benchArgs("BITCOUNT", "bm", "3", "-3", "BIT"),
		benchArgs("BITPOS", "bm", "1", "10", "-1", "BIT"),
		benchArgs("BITFIELD", "bm", "INCRBY", "u8", "#3", "1", "GET", "i16", "40"),
		benchArgs("PFADD", "dense", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"),
		benchArgs("PFADD", "sparse", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"),
		benchArgs("PFCOUNT", "dense"),
		benchArgs("PFCOUNT", "sparse", "dense", "missing"),
	} {
		run(args)
		if allocs := testing.AllocsPerRun(200, func() { run(args) }); allocs != 0 {
			t.Errorf("%s: %v allocations, want 0", args, allocs)
		}
	}
	// A PFCOUNT that recomputes the estimate after each PFADD.
	add, count := benchArgs("PFADD", "dense", ""), benchArgs("PFCOUNT", "dense")
	i := 0
	addCount := func() {
		i++
		add[2] = strconv.AppendInt(add[2][:0], int64(i), 10)
		run(add)
		run(count)
	}
	addCount()
	if allocs := testing.AllocsPerRun(200, addCount); allocs != 0 {
		t.Errorf("PFADD and PFCOUNT: %v allocations, want 0", allocs)
	}
}
