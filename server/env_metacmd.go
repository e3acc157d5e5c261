package server

import (
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/metacmd"
)

// The server lends its command table to COMMAND (metacmd.Table), outside
// command.Env because no other family reads the table. It is built by
// registerAll before the first command and never changes after, so
// reading it from any goroutine needs no lock.

var _ metacmd.Table = (*Server)(nil)

// Commands returns every top-level command, sorted by name.
func (s *Server) Commands() []*command.Spec { return s.cmdList }

// LookupCommand returns the top-level command called name
// (case-insensitive), or nil.
func (s *Server) LookupCommand(name []byte) *command.Spec { return s.lookupCommand(name) }
