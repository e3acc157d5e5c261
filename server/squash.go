package server

import (
	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/server/command"
)

// Pipelined commands whose keys span shards (MGET, MSET, DEL... over keys
// of several shards) each ran as a scheduled transaction of their own, and
// the connection was held until its reply was written, so that its next
// commands could not overtake it: a client pipelining MGETs got them run
// one at a time, each paying the transaction's hops and the loops'
// wake-ups (MGET of 10 keys at pipeline 16 over two loops: 59,000 a
// second and 11.8 us of server CPU each, against 880,000 and 0.88 us on
// one loop).
//
// Now such a command opens a squash: it and the commands after it in the
// same read batch are queued (their arguments copied, as MULTI queues
// them) and run at the end of the batch as one transaction, the way a
// distributed EXEC runs its body (consecutive single-shard commands in one
// hop per shard), with their replies concatenated in one reply slot. The
// order of the connection's commands is kept: every command of the batch
// after the first one joins, or, when it cannot, the squash runs first and
// the command waits for its reply (Retry) as it would have behind the
// transaction. A command joins only when running it inside the
// transaction answers as running it alone would; see squashable.

// maxSquashCommands and maxSquashBytes bound the commands of one squash
// and their arguments' bytes (and so its copies, its reply slot and its
// locks); a command past them waits for the squash to run.
const (
	maxSquashCommands = 1024
	maxSquashBytes    = 1 << 20
)

// joins reports whether cmd may join cl's open squash.
func (s *Server) joins(cl *Client, cmd *command.Spec, args [][]byte, home int) bool {
	m := cl.squash
	return len(m.cmds) < maxSquashCommands && m.bytes+argvBytes(args) <= maxSquashBytes &&
		s.squashable(cl, cmd, args, home)
}

// squashable reports whether cmd, sent by cl, may start or join a squash:
// a keyed command that runs the same inside a transaction, sent while
// nothing would refuse, delay or observe it on the way (the checks of
// command that come before the dispatch pass, and stay passed).
func (s *Server) squashable(cl *Client, cmd *command.Spec, args [][]byte, home int) bool {
	const excluded = command.FlagLoop | command.FlagBlocking | command.FlagAllShards |
		command.FlagNoMulti | command.FlagMayReplicate
	if cmd == nil || cmd.Conn != nil || cmd.Flags&excluded != 0 || len(cmd.Subcommands) > 0 ||
		!cmd.ArityOK(len(args)) {
		return false
	}
	if !cl.authed || cl.multi != nil || cl.trkLoop != nil || cl.replyMode != replyOn || cl.skipNext ||
		cl.ps.Active() {
		return false
	}
	if s.trk.clients.Load() != 0 || s.mem.refuse.Load() || s.scripts.Running() ||
		s.persist.refuse.Load() != 0 || s.pause.kind.Load() != pauseOff {
		return false
	}
	// Under maxmemory a command alone may evict first (makeRoom); one in
	// a transaction does not.
	return cmd.Flags&command.FlagDenyOOM == 0 || s.router.Shard(home).Budget() == 0
}

// openSquash starts cl's squash with cmd, a command whose keys span shards.
// The squash's reply slot is reserved now: whatever the connection writes
// before the squash runs (a protocol error further in the batch) goes
// behind its replies.
func (s *Server) openSquash(c *protocol.Conn, cl *Client, cmd *command.Spec, args [][]byte) {
	m := cl.newMulti()
	m.queue(s, cmd, args)
	m.bytes = argvBytes(args)
	cl.squash = m
	cl.squashReply = reserveReply(c, cl)
}

// joinSquash adds cmd to cl's open squash, doing what command does for a
// command it dispatches (the monitors see it now, in order).
func (s *Server) joinSquash(c *protocol.Conn, cl *Client, cmd *command.Spec, args [][]byte, home int) {
	cl.lastCmd.Store(cmd)
	if s.monitors.n.Load() != 0 {
		s.feedCommand(c, cl, cmd, args, home)
	}
	cl.squash.queue(s, cmd, args)
	cl.squash.bytes += argvBytes(args)
}

// runSquash runs cl's squash as one transaction, the way a distributed
// EXEC runs its body (execDistributed, whose records are reused), its
// replies filling one slot; a squash of one command runs as that command
// alone would, on the arguments the squash copied. The connection is held
// until the replies are written.
func (s *Server) runSquash(c *protocol.Conn, cl *Client, home int) {
	m, reply := cl.squash, cl.squashReply
	cl.squash, cl.squashReply = nil, laterReply{}
	now := s.batch[home].now
	s.flushHops(home)
	c.Hold()
	homeShard := s.router.Shard(home)
	s.execDistributed(c, cl, m.cmds, nil, nil, home, now, int(cl.proto.Load()), false, func(out *[]byte) {
		reply.take(out)
		homeShard.Post(func() {
			reply.complete()
			cl.recycleMulti(m) // the connection was held: no squash or MULTI began since
		})
	})
}
