package server

import (
	"net"
	"strings"

	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/debugcmd"
)

// The server's side of DEBUG (package debugcmd): what needs the
// connections, the listen addresses or the log.

var _ debugcmd.Host = (*Server)(nil)

// ClientIsLocal implements debugcmd.Host.
func (s *Server) ClientIsLocal(x *command.Exec) bool { return s.clientIsLocal(clientOf(x)) }

// LogWarning implements debugcmd.Host (DEBUG LOG).
func (s *Server) LogWarning(msg string) { s.log.Warn(msg) }

// SetActiveExpire implements debugcmd.Host (DEBUG SET-ACTIVE-EXPIRE): the
// shards' ticks skip the expiry sweeps while it is off.
func (s *Server) SetActiveExpire(on bool) { s.activeExpireOff.Store(!on) }

// debugAllowedFor applies enable-debug-command to client cl: queueMulti
// refuses DEBUG before queueing it, as Redis does.
func (s *Server) debugAllowedFor(cl *Client) bool {
	return command.ProtectedAllowed(s.cfg.String("enable-debug-command"), s.clientIsLocal(cl))
}

// clientIsLocal reports whether cl connects from a loopback address; for
// a command without its client at hand (cl nil), whether the server
// listens on loopback addresses alone, so that every client is local.
func (s *Server) clientIsLocal(cl *Client) bool {
	if cl != nil {
		return addrIsLoopback(cl.conn.RemoteAddr())
	}
	for _, b := range s.cfg.Strings("bind") {
		ip := net.ParseIP(strings.TrimPrefix(b, "-"))
		if ip == nil || !ip.IsLoopback() {
			return false
		}
	}
	return true
}
