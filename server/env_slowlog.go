package server

import (
	"time"

	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/slowlog"
)

// The server's side of the slow log and the latency monitor (package
// slowlog): what needs the connections and the batch state. It hands the
// monitor plain values, the client's address and name as strings.

// SlowLog implements slowlog.Host: the SLOWLOG and LATENCY commands read
// the server's monitor through it.
func (s *Server) SlowLog() *slowlog.Monitor { return &s.mon }

// slowLogClient returns what a slow log entry shows of cl: its address
// ("" for a connection that never had one) and its name; "" and "" for a
// command with no client.
func slowLogClient(cl *Client) (peer, name string) {
	if cl == nil {
		return "", ""
	}
	if a := cl.conn.RemoteAddr(); a != nil {
		peer = a.String()
	}
	return peer, cl.Name()
}

// noteSlow records a command timed on its own that took d (the caller
// checked s.mon.Notable(d)).
func (s *Server) noteSlow(x *command.Exec, d time.Duration, cl *Client) {
	peer, name := slowLogClient(cl)
	s.mon.Note(x.Cmd, x.Args, x.ArgCount(), d, peer, name)
}

// noteBatch records the slow commands of an inline batch that took total
// (the caller checked s.mon.Notable(total)). b.args holds every inline
// command's first arguments (slowlog.MaxArgs at most), b.argc how many each
// had.
func (s *Server) noteBatch(c *protocol.Conn, b *batchState, total time.Duration) {
	cl, _ := c.Client.(*Client)
	peer, name := slowLogClient(cl)
	s.mon.NoteBatch(b.cmds, b.args, b.argc, total, peer, name)
}
