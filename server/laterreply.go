package server

import (
	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/shard"
)

// laterReply is the reply of a command that finishes after it left the
// connection's loop (a hop, a transaction, a lock wait). Its slot, reserved
// when the command is dispatched, keeps the connection's replies in order;
// CLIENT REPLY is applied then too, as for a reply written at once.
type laterReply struct {
	c        *protocol.Conn
	slot     *protocol.Slot
	suppress bool // CLIENT REPLY OFF or SKIP: the slot completes empty
}

// reserveReply reserves the connection's next reply. On its loop.
func reserveReply(c *protocol.Conn, cl *Client) laterReply {
	return laterReply{c: c, suppress: cl.suppressReply(), slot: c.Defer()}
}

// take makes *out the reply (handed over, not copied, when large), unless
// it is suppressed. On any goroutine, before complete.
func (r laterReply) take(out *[]byte) {
	if !r.suppress {
		r.slot.Buf = appendOrTake(r.slot.Buf, out)
	}
}

// write appends b to the reply, unless it is suppressed.
func (r laterReply) write(b []byte) {
	if !r.suppress {
		r.slot.Buf = append(r.slot.Buf, b...)
	}
}

// complete hands the reply to the connection. On its loop.
func (r laterReply) complete() { r.c.Complete(r.slot) }

// completeVia posts complete to the connection's loop, whose shard is home.
func (r laterReply) completeVia(home *shard.Shard) { home.Post(r.complete) }
