package server

import (
	"fmt"
	"testing"

	"github.com/anaxdb/anax/protocol"
)

// BenchmarkCommandXAdd is the bench's XADD load without the network: batches
// of 16 XADD key * f0 v f1 v (10-byte values) through (*Server).Command on
// one shard, the keys drawn across 10,000 streams of 50 entries, so that
// each append finds its key, stream and tail node out of cache as the load
// does. Every XADD adds an entry: run it with -benchtime 20000x or so.
func BenchmarkCommandXAdd(b *testing.B) {
	s := newBareServer(b, "1")
	c := protocol.NewTestConn(1, 0)
	s.Open(c)
	defer s.Close(c)
	const keys = 10000
	val := []byte("v000000000")
	args := func(k int) [][]byte {
		return benchArgs("XADD", fmt.Sprintf("xadd:%012d", k), "*", "f0", string(val), "f1", string(val))
	}
	for round := range 50 {
		s.BeginBatch(c)
		for k := range keys {
			s.Command(c, args((k*7919+round)%keys))
		}
		s.EndBatch(c)
		c.TakeTestOutput()
	}
	reqs := make([][][]byte, 4096)
	for i := range reqs {
		reqs[i] = args(i * 7919 % keys)
	}
	runBatches16(b, s, c, reqs)
}

// runBatches16 times b.N batches of 16 of reqs, taken in turn, as one read
// of a pipeline-16 client.
func runBatches16(b *testing.B, s *Server, c *protocol.Conn, reqs [][][]byte) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s.BeginBatch(c)
		for j := range 16 {
			s.Command(c, reqs[(i*16+j)%len(reqs)])
		}
		s.EndBatch(c)
		c.TakeTestOutput()
	}
}

// BenchmarkCommandXRange is the bench's XRANGE load without the network:
// XRANGE key - + COUNT 10 of one of 100 streams of 100 entries (two fields
// of 10-byte values, ids 1-0 up, as anaxload's fill-stream makes them).
func BenchmarkCommandXRange(b *testing.B) {
	s := newBareServer(b, "1")
	c := protocol.NewTestConn(1, 0)
	s.Open(c)
	defer s.Close(c)
	const keys = 100
	s.BeginBatch(c)
	for k := range keys {
		for e := 1; e <= 100; e++ {
			s.Command(c, benchArgs("XADD", fmt.Sprintf("xrange:%d", k), fmt.Sprintf("%d-0", e), "f0", fmt.Sprintf("v%09d", e), "f1", fmt.Sprintf("v%09d", e)))
		}
	}
	s.EndBatch(c)
	c.TakeTestOutput()
	reqs := make([][][]byte, keys)
	for k := range reqs {
		reqs[k] = benchArgs("XRANGE", fmt.Sprintf("xrange:%d", k), "-", "+", "COUNT", "10")
	}
	runBatches16(b, s, c, reqs)
}
