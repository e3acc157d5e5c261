package server

import (
	"strconv"
	"testing"

	"github.com/anaxdb/anax/protocol"
)

// TestStreamCommandsDoNotAllocate runs XADD (with and without trimming),
// XLEN and XRANGE of 10 entries through (*Server).Command: none allocates.
func TestStreamCommandsDoNotAllocate(t *testing.T) {
	s := newBareServer(t, "1")
	c := protocol.NewTestConn(1, 0)
	s.Open(c)
	defer s.Close(c)
	var last []byte
	run := func(args [][]byte) {
		s.BeginBatch(c)
		if r := s.Command(c, args); r != protocol.Done {
			t.Fatalf("%s: result %v", args[0], r)
		}
		s.EndBatch(c)
		last = c.TakeTestOutput()
	}
	for i := range 1000 {
		run(benchArgs("XADD", "s", strconv.Itoa(i+1)+"-0", "field", "value:"+strconv.Itoa(i), "n", "12"))
	}
	for _, cmds := range [][][]byte{
		benchArgs("XADD", "s", "*", "field", "value", "n", "12"),
		benchArgs("XADD", "s", "MAXLEN", "~", "2000", "*", "field", "value", "n", "12"),
		benchArgs("XLEN", "s"),
		benchArgs("XRANGE", "s", "500", "+", "COUNT", "10"),
		benchArgs("XREVRANGE", "s", "+", "-", "COUNT", "10"),
	} {
		once := func() { run(cmds) }
		once()
		if allocs := testing.AllocsPerRun(1000, once); allocs != 0 {
			t.Errorf("%s: %v allocations, want 0", cmds[0], allocs)
		}
	}
	// A consumer reads 10 new entries and acknowledges them.
	run(benchArgs("XGROUP", "CREATE", "s", "g", "$"))
	read := benchArgs("XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "STREAMS", "s", ">")
	ack := benchArgs("XACK", "s", "g")
	for range 10 {
		ack = append(ack, make([]byte, 0, 32))
	}
	add := benchArgs("XADD", "s", "", "field", "value", "n", "12")
	add[2] = make([]byte, 0, 32)
	next := int64(3_000_000_000_000)
	once := func() {
		for i := range 10 {
			add[2] = append(strconv.AppendInt(add[2][:0], next+int64(i), 10), "-0"...)
			run(add)
			ack[3+i] = append(strconv.AppendInt(ack[3+i][:0], next+int64(i), 10), "-0"...)
		}
		next += 10
		run(read)
		run(ack)
		if string(last) != ":10\r\n" {
			t.Fatalf("XACK: %q", last)
		}
	}
	once()
	if allocs := testing.AllocsPerRun(1000, once); allocs != 0 {
		t.Errorf("XADD, XREADGROUP COUNT 10, XACK: %v allocations, want 0", allocs)
	}
}
