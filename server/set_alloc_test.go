package server

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/anaxdb/anax/protocol"
)

// TestSetCommandsDoNotAllocate runs SADD (of a member already there, and
// of a new one that SREM then takes away), SPOP (whose member SADD puts
// back), SISMEMBER, SMISMEMBER and SCARD through (*Server).Command on a set
// of each encoding: none allocates.
func TestSetCommandsDoNotAllocate(t *testing.T) {
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
	big := benchArgs("SADD", "big")
	for i := range 1000 {
		big = append(big, []byte("member:"+strconv.Itoa(i)))
	}
	run(big)
	run(benchArgs("SADD", "ints", "1", "2", "300", "-70000"))
	run(benchArgs("SADD", "small", "a", "b", "member:7"))
	for key, want := range map[string]string{"big": "hashtable", "ints": "intset", "small": "listpack"} {
		run(benchArgs("OBJECT", "ENCODING", key))
		if string(out) != "$"+strconv.Itoa(len(want))+"\r\n"+want+"\r\n" {
			t.Fatalf("OBJECT ENCODING %s: %q", key, out)
		}
	}
	for key, m := range map[string]string{"big": "member:500", "ints": "300", "small": "member:7"} {
		for _, args := range [][][]byte{
			benchArgs("SADD", key, m),
			benchArgs("SISMEMBER", key, m),
			benchArgs("SISMEMBER", key, "missing"),
			benchArgs("SMISMEMBER", key, m, "missing"),
			benchArgs("SCARD", key),
		} {
			run(args)
			if allocs := testing.AllocsPerRun(1000, func() { run(args) }); allocs != 0 {
				t.Errorf("%s %s: %v allocations, want 0", args[0], key, allocs)
			}
		}
		add, rem := benchArgs("SADD", key, "12345"), benchArgs("SREM", key, "12345")
		run(add)
		run(rem)
		if allocs := testing.AllocsPerRun(1000, func() { run(add); run(rem) }); allocs != 0 {
			t.Errorf("SADD and SREM %s: %v allocations, want 0", key, allocs)
		}
		pop, back := benchArgs("SPOP", key), benchArgs("SADD", key, "")
		var member [64]byte
		popAndBack := func() {
			run(pop)
			// out is "$<len>\r\n<member>\r\n".
			i := bytes.IndexByte(out, '\n')
			back[2] = append(member[:0], out[i+1:len(out)-2]...)
			run(back)
			if string(out) != ":1\r\n" {
				t.Fatalf("SADD of the popped member: %q", out)
			}
		}
		popAndBack()
		if allocs := testing.AllocsPerRun(1000, popAndBack); allocs != 0 {
			t.Errorf("SPOP %s: %v allocations, want 0", key, allocs)
		}
	}
}
