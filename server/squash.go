package server

import (
	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/txn"
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
//
// A pipeline of MULTI ... EXEC blocks over several shards ran one
// transaction per EXEC, each holding the connection until it replied
// (MULTI, 10 INCRs over two shards and EXEC at pipeline 16: 16-17 us of
// server CPU each, as at pipeline 1; redis-server 4-6). An EXEC whose body
// cannot run inline (it spans shards, its keys are on another shard, or a
// lock holder is ahead) now opens a squash with its body, and the EXECs
// after it in the batch add theirs (execJoins): MULTI and the commands it
// queues pass an open squash (passesSquash), so the blocks of a read batch
// run as one transaction, each body's replies framed as its EXEC's array
// (groups). Every body stays atomic: the squash holds all of their locks
// at once. A squash left with one EXEC alone runs it as before (runExec).

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

// passesSquash reports whether cmd, which cannot join cl's open squash, may
// still be dispatched while it is open: MULTI, and inside MULTI what only
// changes the transaction's state (a command it queues, or refuses;
// DISCARD) or ends it (EXEC decides in connExec whether its body joins).
// Each of those writes at most a reply of its own, which goes behind the
// squash's, and touches no key.
func passesSquash(cl *Client, cmd *command.Spec) bool {
	if cl.multi == nil {
		return cmd != nil && cmd.Name == "multi"
	}
	if cmd == nil || !txControl(cmd) {
		return true
	}
	return cmd.Name == "exec" || cmd.Name == "discard"
}

// execJoins reports whether the body of cl's MULTI m may run in a squash:
// opening one when cl has none, or joining cl's. The body runs there as
// its EXEC alone would run it across shards (execDistributed); what is
// excluded is what would make it answer otherwise, or reach past it: a
// body refused at queueing (EXECABORT), watched keys (their check belongs
// to this EXEC's own transaction: watching says whether the EXEC has any,
// which its caller may have taken from cl already), a connection command
// (SELECT, CLIENT ... change what the commands after it see), an empty
// body (replied inline), and the client and server states squashable
// refuses. It also returns the body's argument bytes (argvBytes), which the
// squash counts.
func (s *Server) execJoins(cl *Client, m *multiState, watching bool, home int) (bodyBytes int, ok bool) {
	if m.aborted || len(m.cmds) == 0 || watching || !s.squashState(cl, home) {
		return 0, false
	}
	for i := range m.cmds {
		if m.cmds[i].cmd.Flags&command.FlagLoop != 0 {
			return 0, false
		}
		bodyBytes += argvBytes(m.cmds[i].args)
	}
	n, bytes := len(m.cmds), bodyBytes
	if sq := cl.squash; sq != nil {
		n, bytes = n+len(sq.cmds), bytes+sq.bytes
	}
	return bodyBytes, n <= maxSquashCommands && bytes <= maxSquashBytes
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
	if cl.multi != nil || !s.squashState(cl, home) {
		return false
	}
	// Under maxmemory a command alone may evict first (makeRoom); one in
	// a transaction does not.
	return cmd.Flags&command.FlagDenyOOM == 0 || s.router.Shard(home).Budget() == 0
}

// squashState reports whether cl and the server are in a state in which a
// command of cl's may run in a squash: nothing would refuse, delay or
// observe it on the way.
func (s *Server) squashState(cl *Client, home int) bool {
	if !cl.authed || cl.trkLoop != nil || cl.replyMode != replyOn || cl.skipNext || cl.ps.Active() {
		return false
	}
	return s.trk.clients.Load() == 0 && !s.mem.refuse.Load() && !s.scripts.Running() &&
		s.persist.refuse.Load() == 0 && s.pause.kind.Load() == pauseOff
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

// openExecSquash starts cl's squash with the body of its MULTI m (m serves
// as the squash), its replies to be one array; bodyBytes is what execJoins
// counted of its arguments.
func (s *Server) openExecSquash(c *protocol.Conn, cl *Client, m *multiState, bodyBytes int) {
	m.groups = append(m.groups[:0], execGroup{start: 0, n: len(m.cmds)})
	m.bytes = bodyBytes
	cl.squash = m
	cl.squashReply = reserveReply(c, cl)
}

// joinExec moves the body of cl's MULTI m into cl's open squash, its
// replies to be one array in a reply slot of its own (execGroup), and
// recycles m. The commands trade places with the squash's spare slots
// rather than being copied: each keeps its arguments, and m keeps the
// slots' buffers for its next use. bodyBytes is what execJoins counted of
// their arguments.
func (s *Server) joinExec(c *protocol.Conn, cl *Client, m *multiState, bodyBytes int) {
	sq := cl.squash
	sq.groups = append(sq.groups, execGroup{start: len(sq.cmds), n: len(m.cmds), own: true, reply: reserveReply(c, cl)})
	for i := range m.cmds {
		n := len(sq.cmds)
		if n < cap(sq.cmds) {
			sq.cmds = sq.cmds[:n+1]
		} else {
			sq.cmds = append(sq.cmds, queuedCommand{})
		}
		sq.cmds[n], m.cmds[i] = m.cmds[i], sq.cmds[n]
	}
	sq.bytes += bodyBytes
	sq.denyOOM = sq.denyOOM || m.denyOOM
	cl.recycleMulti(m)
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
	if len(m.groups) == 1 && m.groups[0].n == len(m.cmds) {
		// One EXEC alone (a client not pipelining its transactions): as it
		// runs without a squash, in one hop when its keys are on one shard.
		target, one := s.planExec(m.cmds, nil, home)
		var locks []txn.Lock
		if one && target == home {
			locks = s.execLocks(m.cmds, nil)
		}
		s.runExec(c, cl, m, nil, nil, target, one, locks, home, now, int(cl.proto.Load()), reply)
		return
	}
	c.Hold()
	homeShard := s.router.Shard(home)
	s.execDistributed(c, cl, m.cmds, m.groups, nil, nil, home, now, int(cl.proto.Load()), false, func(out *[]byte) {
		fillSquashReplies(reply, m.groups, out)
		homeShard.Post(func() {
			reply.complete()
			for i := range m.groups {
				if g := &m.groups[i]; g.own {
					g.reply.complete()
				}
			}
			cl.recycleMulti(m) // the connection was held: no squash or MULTI began since
		})
	})
}

// fillSquashReplies shares a squash's output among its reply slots: first,
// then each joined EXEC body's from where its replies begin.
func fillSquashReplies(first laterReply, groups []execGroup, out *[]byte) {
	slot, from := first, 0
	for i := range groups {
		if g := &groups[i]; g.own {
			slot.write((*out)[from:g.at])
			slot, from = g.reply, g.at
		}
	}
	if from == 0 {
		slot.take(out) // one slot: the buffer itself, when large
		return
	}
	slot.write((*out)[from:])
}
