package server

import (
	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/pubsubcmd"
)

// The server's side of the Pub/Sub family: the registry it keeps, the
// client as a pubsubcmd.Sub, and the posting of messages to other loops.

// PubSubHub implements pubsubcmd.Host.
func (s *Server) PubSubHub() *pubsubcmd.Hub { return s.pubsub }

// PubSubClient implements pubsubcmd.Host: x's client when x runs on its
// connection's loop.
func (s *Server) PubSubClient(x *command.Exec) pubsubcmd.Sub {
	if cl := clientOf(x); cl != nil {
		return cl
	}
	return nil
}

// PubSubPost implements pubsubcmd.Host through the loop's shard inbox,
// which keeps the order of what one goroutine posts.
func (s *Server) PubSubPost(loop int, fn func()) { s.router.Shard(loop).Post(fn) }

// PubSub implements pubsubcmd.Sub.
func (c *Client) PubSub() *pubsubcmd.State { return &c.ps }

// Loop implements pubsubcmd.Sub.
func (c *Client) Loop() int { return c.conn.Loop() }

// Push implements pubsubcmd.Sub: the message as its own finished reply, in
// RESP3 a push. A message to a client whose command is running (it
// published to a channel it subscribes to, in a transaction or a script
// too, or a keyspace event of its own write) is held and follows that
// command's reply, as in Redis 7.2 and later: a RESP3 client reads EXEC's
// or EVAL's reply whole, then the messages. Loop goroutine only.
func (c *Client) Push(m []byte) {
	if c.killed.Load() {
		return
	}
	if c.inCommand {
		c.heldPushes = c.appendPush(c.heldPushes, m)
		return
	}
	slot := c.pushSlot()
	slot.Buf = c.appendPush(slot.Buf, m)
	c.conn.CompleteLater(slot)
}

// appendPush appends the message m (RESP2) to b, its first byte '>' for a
// RESP3 client.
func (c *Client) appendPush(b, m []byte) []byte {
	n := len(b)
	b = append(b, m...)
	if c.proto.Load() == 3 {
		b[n] = '>'
	}
	return b
}

// pushSlot reserves the slot of a push: the connection's next one, or,
// while the client waits in a blocking command, the one before that
// command's reply, so that a RESP3 client blocked in BLPOP gets its
// messages and invalidations as they come, as from Redis, not once the
// BLPOP returns. Loop goroutine only.
func (c *Client) pushSlot() *protocol.Slot {
	if b := c.blocked.Load(); b != nil {
		return c.conn.DeferBefore(b.reply.slot)
	}
	return c.conn.Defer()
}

// maxKeptPushes is the most a client keeps of the buffer of held messages
// once they are written.
const maxKeptPushes = 16 << 10

// releasePushes writes the messages held while the client's command ran,
// behind its reply (whether written or still pending on another shard).
func (c *Client) releasePushes() {
	if !c.killed.Load() {
		slot := c.conn.Defer()
		slot.Buf = append(slot.Buf, c.heldPushes...)
		c.conn.CompleteLater(slot)
	}
	if cap(c.heldPushes) > maxKeptPushes {
		c.heldPushes = nil
		return
	}
	c.heldPushes = c.heldPushes[:0]
}

// Subscribed implements pubsubcmd.Sub: a subscribed client is in the
// pubsub class of client-output-buffer-limit, as in Redis.
func (c *Client) Subscribed(on bool) {
	d := int64(1)
	if on {
		c.conn.Class = protocol.ClassPubSub
	} else {
		c.conn.Class = protocol.ClassNormal
		d = -1
	}
	if c.gauges != nil {
		c.gauges.pubsub.Add(d)
	}
}

// subscribedOnly is Redis's rule for a RESP2 client with subscriptions:
// only these commands may run.
func subscribedOnly(cl *Client, cmd *command.Spec, args [][]byte) string {
	if !cl.ps.Active() || cl.proto.Load() != 2 {
		return ""
	}
	name := cmd.Name
	if len(cmd.Subcommands) > 0 && len(args) >= 2 {
		// Redis names the subcommand, once it has found it and checked its
		// arity (those errors come first).
		sub := cmd.Subcommand(args[1])
		if sub == nil || !sub.ArityOK(len(args)) {
			return ""
		}
		name = sub.Name
	}
	switch name {
	case "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe", "quit", "reset":
		return ""
	}
	return "ERR Can't execute '" + name + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
}

// dropPubSub removes the client's subscriptions (a closed connection,
// RESET).
func (s *Server) dropPubSub(cl *Client) {
	if cl.ps.Active() {
		pubsubcmd.Drop(s.pubsub, cl)
	}
}

// PubSubCounts implements infocmd.PubSubSource.
func (s *Server) PubSubCounts() (channels, patterns, shardChannels int64) {
	return s.pubsub.Counts()
}
