package server_test

import (
	"fmt"
	"testing"

	"github.com/anaxdb/anax/internal/servertest"
	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/txn"
)

// BenchmarkHop measures the round trip of GET at pipeline depth 1 when the
// key lives on the connection's own shard (inline) and on the other shard
// (one hop there, one back). The difference is the cost of a hop.
//
// The first client of a fresh two-loop server lands on loop 0 (gnet's
// least-connections balancer picks the first idle loop), which owns shard 0.
func BenchmarkHop(b *testing.B) {
	addr := servertest.Start(b, "--threads", "2")
	router := txn.New([]*shard.Shard{nil, nil})
	keyOn := func(want int) string {
		for i := 0; ; i++ {
			k := fmt.Sprintf("key:%d", i)
			if router.Route([]byte(k)) == want {
				return k
			}
		}
	}
	r := servertest.Dial(b, addr)
	for name, key := range map[string]string{"local": keyOn(0), "remote": keyOn(1)} {
		r.Do("SET", key, "value")
		req := servertest.Encode("GET", key)
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				r.Send(req)
				r.Read()
			}
		})
	}
}
