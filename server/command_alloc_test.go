package server

import (
	"strconv"
	"strings"
	"testing"

	"github.com/anaxdb/anax/protocol"
)

// TestCommandDoesNotAllocate measures (*Server).Command itself, the method
// the event loop calls, on a connection from protocol.NewTestConn: a batch
// of GET, SET, INCR, or MULTI / INCR... / EXEC, bracketed by BeginBatch and
// EndBatch as a read is, allocates nothing once the connection's reusable
// state is sized. With two shards the keys are ones the connection's own
// shard owns, so the commands run inline after routing.
func TestCommandDoesNotAllocate(t *testing.T) {
	for _, threads := range []string{"1", "2"} {
		t.Run("threads="+threads, func(t *testing.T) {
			s := newBareServer(t, threads)
			c := protocol.NewTestConn(1, 0)
			s.Open(c)
			defer s.Close(c)

			// Keys owned by shard 0, the connection's loop.
			var keys []string
			for i := 0; len(keys) < 11; i++ {
				if k := "key:" + strconv.Itoa(i); s.router.Route([]byte(k)) == 0 {
					keys = append(keys, k)
				}
			}
			val := make([]byte, 100)
			set := [][][]byte{{[]byte("SET"), []byte(keys[0]), val}}
			get := [][][]byte{benchArgs("GET", keys[0])}
			incr := [][][]byte{benchArgs("INCR", keys[1])}
			tx := [][][]byte{benchArgs("MULTI")}
			for _, k := range keys[1:] {
				tx = append(tx, benchArgs("INCR", k))
			}
			tx = append(tx, benchArgs("EXEC"))

			var out []byte
			batch := func(cmds [][][]byte) {
				s.BeginBatch(c)
				for _, args := range cmds {
					if r := s.Command(c, args); r != protocol.Done {
						t.Fatalf("%s: result %v", args[0], r)
					}
				}
				s.EndBatch(c)
				out = c.TakeTestOutput()
			}
			for name, cmds := range map[string][][][]byte{"SET": set, "GET": get, "INCR": incr, "MULTI/10 INCR/EXEC": tx} {
				batch(cmds) // sizes the reusable state
				if allocs := testing.AllocsPerRun(1000, func() { batch(cmds) }); allocs != 0 {
					t.Errorf("%s: %v allocations per batch, want 0", name, allocs)
				}
			}
			batch(get)
			if len(out) != 6+len(val)+2 {
				t.Errorf("GET reply %q", out)
			}
			batch(tx)
			if want := "+OK\r\n" + strings.Repeat("+QUEUED\r\n", 10) + "*10\r\n"; len(out) < len(want) || string(out[:len(want)]) != want {
				t.Errorf("MULTI/EXEC reply %q", out)
			}
		})
	}
}
