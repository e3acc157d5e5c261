package server

import (
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/anaxdb/anax/config"
)

// newBareServer builds a server's shards and command table without any
// network, so the command path can be measured on its own.
func newBareServer(tb testing.TB, threads string) *Server {
	cfg := config.New()
	if err := cfg.Load([]string{"--threads", threads}, nil); err != nil {
		tb.Fatal(err)
	}
	s := New(cfg, zap.NewNop().Sugar())
	s.initShards()
	return s
}

// runLocalCommand is the inline path of Command: look up, find keys, run
// on the local shard. It stands in for a connection whose FIFO is empty.
func (s *Server) runLocalCommand(cl *Client, args [][]byte, now time.Time) []byte {
	cmd := s.lookupCommand(args[0])
	x := s.loopExec[0]
	s.planKeys(&s.batch[0].plan, cmd, args)
	s.resetExec(x, cl, cmd, args, now)
	x.SetHome(s.router.Shard(0))
	s.runInline(x, 0)
	s.batch[0].cmds = s.batch[0].cmds[:0]
	out := x.Out
	x.Out = x.Out[:0]
	return out
}

func benchArgs(words ...string) [][]byte {
	args := make([][]byte, len(words))
	for i, w := range words {
		args[i] = []byte(w)
	}
	return args
}

func BenchmarkCommandGet(b *testing.B) {
	s := newBareServer(b, "1")
	cl := &Client{}
	cl.proto.Store(2)
	now := time.Now()
	s.runLocalCommand(cl, [][]byte{[]byte("SET"), []byte("key:000000000042"), make([]byte, 100)}, now)
	get := benchArgs("GET", "key:000000000042")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.runLocalCommand(cl, get, now)
	}
}

func BenchmarkCommandSet(b *testing.B) {
	s := newBareServer(b, "1")
	cl := &Client{}
	cl.proto.Store(2)
	now := time.Now()
	set := [][]byte{[]byte("SET"), []byte("key:000000000042"), make([]byte, 100)}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.runLocalCommand(cl, set, now)
	}
}

func BenchmarkRoute(b *testing.B) {
	s := newBareServer(b, "8")
	key := []byte("key:000000000042")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = s.router.Route(key)
	}
}
