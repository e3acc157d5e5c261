package server

import (
	"fmt"
	"testing"

	"github.com/anaxdb/anax/protocol"
)

// BenchmarkCommandLRange is LRANGE key 0 99 of 100 lists, through
// (*Server).Command in batches of 16: lists of 100 elements of 10 bytes (a
// listpack) and of 1,000 (a quicklist), as the bench's LRANGE row reads
// them.
func BenchmarkCommandLRange(b *testing.B) {
	for _, elems := range []int{100, 1000} {
		b.Run(fmt.Sprint(elems), func(b *testing.B) {
			s := newBareServer(b, "1")
			c := protocol.NewTestConn(1, 0)
			s.Open(c)
			defer s.Close(c)
			const keys = 100
			reqs := make([][][]byte, keys)
			s.BeginBatch(c)
			for k := range keys {
				key := fmt.Sprintf("lrange:%d", k)
				for e := range elems {
					s.Command(c, benchArgs("RPUSH", key, fmt.Sprintf("v%09d", e)))
				}
				reqs[k] = benchArgs("LRANGE", key, "0", "99")
			}
			s.EndBatch(c)
			c.TakeTestOutput()
			runBatches16(b, s, c, reqs)
		})
	}
}
