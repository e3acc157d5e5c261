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

// BenchmarkTx measures the round trip of multi-key commands and EXEC when
// their keys share the connection's shard (no transaction) and when they
// span both shards (a scheduled transaction).
func BenchmarkTx(b *testing.B) {
	addr := servertest.Start(b, "--threads", "2")
	router := txn.New([]*shard.Shard{nil, nil})
	keysOn := func(want, n int) []string {
		var out []string
		for i := 0; len(out) < n; i++ {
			k := fmt.Sprintf("k:%d:%d", want, i)
			if router.Route([]byte(k)) == want {
				out = append(out, k)
			}
		}
		return out
	}
	local, remote := keysOn(0, 10), keysOn(1, 10)
	mixed := append(append([]string{}, local[:5]...), remote[:5]...)
	r := servertest.Dial(b, addr)
	exec := func(keys []string) []byte {
		var req []byte
		req = append(req, servertest.Encode("MULTI")...)
		for _, k := range keys {
			req = append(req, servertest.Encode("INCR", k)...)
		}
		return append(req, servertest.Encode("EXEC")...)
	}
	pipeline := func(depth int, cmd string, keys []string) []byte {
		one := servertest.Encode(append([]string{cmd}, keys...)...)
		var req []byte
		for range depth {
			req = append(req, one...)
		}
		return req
	}
	for _, bc := range []struct {
		name  string
		req   []byte
		reads int
	}{
		{"mset-1-shard", servertest.Encode("MSET", local[0], "v", local[1], "v"), 1},
		{"mset-2-shards", servertest.Encode("MSET", local[0], "v", remote[0], "v"), 1},
		{"exec10-1-shard", exec(local), 12},
		{"exec10-2-shards", exec(mixed), 12},
		{"mget10-2-shards-P16", pipeline(16, "MGET", mixed), 16},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				r.Send(bc.req)
				for j := 0; j < bc.reads; j++ {
					r.Read()
				}
			}
		})
	}
}
