package server

import (
	"github.com/anaxdb/anax/server/clientcmd"
	"github.com/anaxdb/anax/server/command"
)

// The server's side of CLIENT (package clientcmd): a Client is a
// clientcmd.Session, the registry of clients lends the sessions. The state
// stays here (client.go); what CLIENT may read of another loop's client is
// immutable, atomic or guarded by Client.mu, as clientcmd.Session states.

var (
	_ clientcmd.Host    = (*Server)(nil)
	_ clientcmd.Session = (*Client)(nil)
)

// Session returns x's client, the caller's session.
func (s *Server) Session(x *command.Exec) clientcmd.Session {
	if cl := clientOf(x); cl != nil {
		return cl
	}
	return nil // no typed nil: x hopped and has no client
}

// Sessions returns every connected client, ordered by ID.
func (s *Server) Sessions() []clientcmd.Session {
	clients := s.clients.snapshot()
	out := make([]clientcmd.Session, len(clients))
	for i, cl := range clients {
		out[i] = cl
	}
	return out
}

// Unblock implements clientcmd.Host (CLIENT UNBLOCK).
func (s *Server) Unblock(id int64, fail bool) bool {
	s.clients.mu.Lock()
	cl := s.clients.clients[id]
	s.clients.mu.Unlock()
	return cl != nil && s.unblockClient(cl, fail)
}

// OnCallersLoop reports whether session's connection is on the loop of
// x's.
func (s *Server) OnCallersLoop(x *command.Exec, session clientcmd.Session) bool {
	me := clientOf(x)
	return me != nil && session.(*Client).conn.Loop() == me.conn.Loop()
}

// ClientID returns c.ID (immutable).
func (c *Client) ClientID() int64 { return c.ID }

// RemoteAddr and LocalAddr return the connection's addresses (immutable).
func (c *Client) RemoteAddr() string { return c.conn.RemoteAddr().String() }
func (c *Client) LocalAddr() string  { return c.conn.LocalAddr().String() }

// SetName names c (guarded by c.mu).
func (c *Client) SetName(name string) {
	c.mu.Lock()
	c.mu.name = name
	c.mu.Unlock()
}

// SetLibName records c's client library (guarded by c.mu).
func (c *Client) SetLibName(name string) {
	c.mu.Lock()
	c.mu.libName = name
	c.mu.Unlock()
}

// SetLibVer records c's client library version (guarded by c.mu).
func (c *Client) SetLibVer(ver string) {
	c.mu.Lock()
	c.mu.libVer = ver
	c.mu.Unlock()
}

// Figures reads what c's CLIENT LIST line shows. The atomics the loop
// stores at each command come first, so that the loop-owned modes after
// them are at least as new as that command (clientcmd.Session.Figures).
func (c *Client) Figures() clientcmd.Figures {
	f := clientcmd.Figures{
		ID:              c.ID,
		LastInteraction: c.lastInteraction.Load(),
		Created:         c.created,
	}
	if cmd := c.lastCmd.Load(); cmd != nil {
		f.LastCommand = cmd.Name
	}
	f.Proto, f.NoEvict, f.NoTouch = int(c.proto.Load()), c.noEvict.Load(), c.noTouch.Load()
	f.DB = int(c.db.Load())
	f.Blocked = c.blocked.Load() != nil || c.postponed.Load()
	f.Monitor = c.monitor.Load()
	f.Tracking = c.trackingFlags()
	if conf := c.trk.Load(); conf != nil {
		f.Redirect = conf.redirect
	}
	f.Sub, f.PSub, f.SSub = c.ps.Counts()
	f.Watch = int(c.watchCount.Load())
	f.Multi, f.MultiMem = int(c.multiCount.Load()), c.multiMem.Load()
	f.RemoteAddr, f.LocalAddr, f.Fd = c.RemoteAddr(), c.LocalAddr(), c.conn.Fd()
	c.mu.Lock()
	f.Name, f.LibName, f.LibVer = c.mu.name, c.mu.libName, c.mu.libVer
	c.mu.Unlock()
	return f
}

// Buffered returns c's exact buffer sizes (c's loop only).
func (c *Client) Buffered() (input, output int64) {
	return int64(c.conn.InputBuffered()), int64(c.conn.OutputBuffered())
}

// PublishedBuffered returns the buffer sizes c's loop last published.
func (c *Client) PublishedBuffered() (input, output int64) {
	return c.conn.PublishedInput(), c.conn.PublishedOutput()
}

// ReplyMode returns c's CLIENT REPLY mode (c's loop only).
func (c *Client) ReplyMode() clientcmd.ReplyMode {
	switch c.replyMode {
	case replyOff:
		return clientcmd.ReplyOff
	case replySkip:
		return clientcmd.ReplySkip
	}
	return clientcmd.ReplyOn
}

// SetReplyMode sets c's CLIENT REPLY mode, which dispatch's suppressReply
// applies (c's loop only). ReplyOn also cancels a pending skip.
func (c *Client) SetReplyMode(mode clientcmd.ReplyMode) {
	switch mode {
	case clientcmd.ReplyOn:
		c.replyMode = replyOn
		c.skipNext = false
	case clientcmd.ReplyOff:
		c.replyMode = replyOff
	case clientcmd.ReplySkip:
		c.replyMode = replySkip
	}
}

// SetNoEvict and SetNoTouch set CLIENT NO-EVICT and NO-TOUCH (c's loop
// only; atomic for CLIENT LIST on other loops).
func (c *Client) SetNoEvict(on bool) { c.noEvict.Store(on) }
func (c *Client) SetNoTouch(on bool) { c.noTouch.Store(on) }

// Kill marks c killed and closes its connection now (from any loop).
func (c *Client) Kill() {
	c.conn.Kill()
	c.killed.Store(true)
}

// KillAfterReply marks c killed and closes its connection once the reply
// being written is sent (c's loop only).
func (c *Client) KillAfterReply() {
	c.conn.CloseAfterReply()
	c.killed.Store(true)
}
