package server

import (
	"strconv"
	"testing"

	"github.com/anaxdb/anax/protocol"
)

// TestListCommandsDoNotAllocate runs LPUSH, RPUSH, LPOP, RPOP and LINDEX
// through (*Server).Command, as the event loop does, and checks that they
// allocate nothing when no cell has to grow: each batch pushes as much as
// it pops, so the list's cell keeps its size, and the list stays small
// (a listpack in the key's cell) or big (a quicklist).
func TestListCommandsDoNotAllocate(t *testing.T) {
	for _, threads := range []string{"1", "2"} {
		t.Run("threads="+threads, func(t *testing.T) {
			s := newBareServer(t, threads)
			c := protocol.NewTestConn(1, 0)
			s.Open(c)
			defer s.Close(c)
			var keys []string
			for i := 0; len(keys) < 2; i++ {
				if k := "list:" + strconv.Itoa(i); s.router.Route([]byte(k)) == 0 {
					keys = append(keys, k)
				}
			}
			batch := func(cmds [][][]byte) {
				s.BeginBatch(c)
				for _, args := range cmds {
					if r := s.Command(c, args); r != protocol.Done {
						t.Fatalf("%s: result %v", args[0], r)
					}
				}
				s.EndBatch(c)
				c.TakeTestOutput()
			}
			small, big := keys[0], keys[1]
			fill := [][][]byte{benchArgs("RPUSH", small, "a", "b", "c", "12345")}
			for i := 0; i < 2000; i++ {
				fill = append(fill, benchArgs("RPUSH", big, "element-"+strconv.Itoa(i)))
			}
			batch(fill)
			for _, key := range keys {
				cmds := [][][]byte{
					benchArgs("LPUSH", key, "head"), benchArgs("RPUSH", key, "tail"),
					benchArgs("LINDEX", key, "1"), benchArgs("LINDEX", key, "-2"),
					benchArgs("LPOP", key), benchArgs("RPOP", key),
					benchArgs("RPUSH", key, "42"), benchArgs("RPOP", key),
				}
				batch(cmds) // sizes the reusable state
				if allocs := testing.AllocsPerRun(1000, func() { batch(cmds) }); allocs != 0 {
					t.Errorf("%s: %v allocations per batch, want 0", key, allocs)
				}
			}
			for key, want := range map[string]string{small: "listpack", big: "quicklist"} {
				s.BeginBatch(c)
				s.Command(c, benchArgs("OBJECT", "ENCODING", key))
				s.EndBatch(c)
				if got := string(c.TakeTestOutput()); got != "$"+strconv.Itoa(len(want))+"\r\n"+want+"\r\n" {
					t.Errorf("%s: encoding %q, want %s", key, got, want)
				}
			}
		})
	}
}
