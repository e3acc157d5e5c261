package server

import (
	"strconv"
	"testing"

	"github.com/anaxdb/anax/protocol"
)

// BenchmarkServerCommand measures (*Server).Command, the method the event
// loop calls, on one GET alone (pipeline 1), on batches of 16 GETs or SETs (a pipeline of depth 16 as one
// read), one MGET of 10 keys, and MULTI, 10 INCR, EXEC, with one shard: the
// paths `make bench` measures, without the network. Compare old and new trees with benchstat.
func BenchmarkServerCommand(b *testing.B) {
	s := newBareServer(b, "1")
	c := protocol.NewTestConn(1, 0)
	s.Open(c)
	defer s.Close(c)
	val := make([]byte, 100)
	var gets, sets [][][]byte
	mget := [][]byte{[]byte("MGET")}
	tx := [][][]byte{{[]byte("MULTI")}}
	for i := range 16 {
		k := []byte("key:" + strconv.Itoa(i))
		sets = append(sets, [][]byte{[]byte("SET"), k, val})
		gets = append(gets, [][]byte{[]byte("GET"), k})
		if i < 10 {
			mget = append(mget, k)
			tx = append(tx, [][]byte{[]byte("INCR"), []byte("counter:" + strconv.Itoa(i))})
		}
	}
	tx = append(tx, [][]byte{[]byte("EXEC")})
	for _, bc := range []struct {
		name string
		cmds [][][]byte
	}{{"GET-P1", gets[:1]}, {"SET-P16", sets}, {"GET-P16", gets}, {"MGET10", [][][]byte{mget}}, {"MULTI-10INCR-EXEC", tx}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				s.BeginBatch(c)
				for _, args := range bc.cmds {
					s.Command(c, args)
				}
				s.EndBatch(c)
				c.TakeTestOutput()
			}
		})
	}
}
