package server

import (
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/txn"
)

// The server is the commands' environment (command.Env).

func (s *Server) ConfigInt(name string) int64 { return s.cfg.Int(name) }
func (s *Server) Limits() *command.Limits     { return s.limits.Load() }

// followLimits publishes the encoding and size settings and republishes
// them when one changes.
func (s *Server) followLimits() {
	load := func(string) { s.limits.Store(command.LimitsFrom(s.cfg.Int)) }
	load("")
	for _, name := range command.LimitSettings {
		s.cfg.OnChange(name, load)
	}
}
func (s *Server) ConfigString(name string) string { return s.cfg.String(name) }
func (s *Server) Rand() uint64                    { return s.rand() }
func (s *Server) ShardCount() int                 { return s.router.N() }
func (s *Server) Route(key []byte) int            { return s.router.Route(key) }
func (s *Server) RunSubcommand(x *command.Exec)   { runSubcommand(x) }

func (s *Server) CountError(x *command.Exec, msg string) { s.countError(x, msg) }

// srv returns the server a command runs in.
func srv(x *command.Exec) *Server { return x.Env.(*Server) }

// clientOf returns the client of a command that runs on its connection's
// loop, nil for one that hopped.
func clientOf(x *command.Exec) *Client {
	cl, _ := x.Client.(*Client)
	return cl
}

// lockMode is the intent lock a command takes on its keys.
func lockMode(c *command.Spec) txn.Mode {
	// A script may write whatever its keys (EVAL, EVALSHA and FCALL carry no
	// write flag: Redis's COMMAND INFO has none).
	if c.Flags&command.FlagWrite != 0 || c.Name == "eval" || c.Name == "evalsha" || c.Name == "fcall" {
		return txn.Exclusive
	}
	return txn.Shared
}
