package server

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/scriptcmd"
)

// CLIENT PAUSE and UNPAUSE (Redis's networking.c pauseClients).
//
// While clients are paused, a command that the pause covers (every command
// under ALL; under WRITE the writes and the commands Redis may replicate:
// PUBLISH, SPUBLISH, PFCOUNT, scripts that do not declare no-writes, an
// EXEC with any of those queued) is not run: the connection reserves a
// reply slot that stays empty and stops parsing (protocol.Retry), so the
// command and everything after it wait. When the pause ends (UNPAUSE, its
// time, or a less restrictive pause taking over) every loop completes its
// empty slots; each connection then parses the same command again and
// runs it, or waits again if a pause still covers it. As in Redis the
// checks that answer at once (unknown command, arity, authentication,
// OOM, BUSY, MISCONF) come first, and the dataset is frozen for the pause:
// no key is expired or evicted (shard.Freeze).
//
// A command already dispatched on another loop when the pause starts
// completes: the pause holds what is dispatched after its reply.

// Pause kinds, from the least to the most restrictive.
const (
	pauseOff int32 = iota
	pauseWrite
	pauseAll
)

// clientPause is the server's pause. kind is read on every command; the
// rest is guarded by mu.
type clientPause struct {
	kind atomic.Int32
	// waiting counts the connections holding a postponed command
	// (blocked_clients counts them, as Redis counts its postponed clients).
	waiting atomic.Int64

	mu    sync.Mutex
	end   time.Time // when the pause ends
	timer *time.Timer
}

// postponedCmd is a connection whose command waits for the pause to end:
// its empty reply slot, completed then. Kept by the connection's loop.
type postponedCmd struct {
	c    *protocol.Conn
	cl   *Client
	slot *protocol.Slot
}

// isWriteLike reports whether the pause WRITE covers cmd with args, by
// Redis's rule: a write command (or subcommand), a may-replicate one, or a
// script or function that does not declare no-writes.
func (s *Server) isWriteLike(cmd *command.Spec, args [][]byte) bool {
	if scriptcmd.IsScript(cmd) {
		return s.scripts.MayReplicate(cmd.Name, args)
	}
	if cmd.Flags&(command.FlagWrite|command.FlagMayReplicate) != 0 {
		return true
	}
	if len(cmd.Subcommands) > 0 && len(args) > 1 {
		sub := cmd.Subcommand(args[1])
		return sub != nil && sub.Flags&command.FlagWrite != 0
	}
	return false
}

// pausedFor reports whether a pause of kind holds cl's command.
func (s *Server) pausedFor(kind int32, cl *Client, cmd *command.Spec, args [][]byte) bool {
	if kind == pauseAll {
		return true
	}
	if cl.multi != nil && cmd.Name == "exec" {
		// Judged here rather than as each command is queued: only an
		// EXEC under a pause needs it.
		for i := range cl.multi.cmds {
			if q := &cl.multi.cmds[i]; s.isWriteLike(q.cmd, q.args) {
				return true
			}
		}
		return false
	}
	return s.isWriteLike(cmd, args)
}

// postpone holds c's command until the pause ends. On c's loop.
func (s *Server) postpone(c *protocol.Conn, cl *Client, home int) protocol.Result {
	slot := c.Defer()
	c.Hold()
	b := &s.batch[home]
	b.postponed = append(b.postponed, postponedCmd{c: c, cl: cl, slot: slot})
	cl.postponed.Store(true)
	s.pause.waiting.Add(1)
	return protocol.Retry
}

// releasePostponed completes the empty slots of loop home's postponed
// commands, so that their connections parse them again. On loop home.
func (s *Server) releasePostponed(home int) {
	b := &s.batch[home]
	list := b.postponed
	b.postponed = nil
	for _, p := range list {
		p.cl.postponed.Store(false)
		s.pause.waiting.Add(-1)
		p.c.Complete(p.slot)
	}
}

// dropPostponed forgets c's postponed command: c is closing. On its loop.
func (s *Server) dropPostponed(c *protocol.Conn, cl *Client, home int) {
	b := &s.batch[home]
	for i, p := range b.postponed {
		if p.c == c {
			b.postponed = append(b.postponed[:i], b.postponed[i+1:]...)
			cl.postponed.Store(false)
			s.pause.waiting.Add(-1)
			return
		}
	}
}

// Pause implements clientcmd.Host (CLIENT PAUSE): clients are paused
// until end (Unix milliseconds; a time past ends nothing), for writes
// alone unless all. A pause under way keeps the more restrictive kind and
// the later end, as Redis's does.
func (s *Server) Pause(end int64, all bool) {
	kind := pauseWrite
	if all {
		kind = pauseAll
	}
	p := &s.pause
	p.mu.Lock()
	defer p.mu.Unlock()
	at := time.UnixMilli(end)
	if p.kind.Load() == pauseOff {
		p.end = at
	} else {
		kind = max(kind, p.kind.Load())
		if at.After(p.end) {
			p.end = at
		}
	}
	if !p.end.After(time.Now()) {
		s.setPause(pauseOff)
		return
	}
	s.setPause(kind)
	if p.timer != nil {
		p.timer.Stop()
	}
	due := p.end
	p.timer = time.AfterFunc(time.Until(due), func() { s.pauseTimedOut(due) })
}

// Unpause implements clientcmd.Host (CLIENT UNPAUSE).
func (s *Server) Unpause() {
	p := &s.pause
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	s.setPause(pauseOff)
}

// pauseTimedOut ends the pause that was due at due, unless a later pause
// moved its end.
func (s *Server) pauseTimedOut(due time.Time) {
	p := &s.pause
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.end.Equal(due) || p.kind.Load() == pauseOff {
		return
	}
	p.timer = nil
	s.setPause(pauseOff)
}

// setPause makes kind the pause, freezes or thaws the shards' datasets,
// and, when the pause became less restrictive, lets every loop's postponed
// commands try again. Under pause.mu.
func (s *Server) setPause(kind int32) {
	old := s.pause.kind.Swap(kind)
	if (old == pauseOff) != (kind == pauseOff) {
		for _, sh := range s.router.Shards() {
			sh.Freeze(kind != pauseOff)
		}
	}
	if kind < old {
		for i, sh := range s.router.Shards() {
			sh.Post(func() { s.releasePostponed(i) })
		}
	}
}
