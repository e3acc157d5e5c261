package protocol

// NewTestConn returns a connection with no socket and no event loop behind
// it, whose Loop() is loop. It exists for tests that drive a Handler's
// Command on its real path (the command layer's allocation tests), and is
// never used by the server itself. Replies made with Begin/End collect in
// the connection until TakeTestOutput; nothing may write to a socket: no
// Complete outside a batch, no Abort, no Kill.
func NewTestConn(id int64, loop int) *Conn {
	return &Conn{ID: id, loop: &Loop{Index: loop}, window: initialWindow}
}

// TakeTestOutput returns the replies that Begin/End wrote on a connection
// from NewTestConn since the last call, and empties its output, keeping
// the memory: the result is valid until the next command.
func (c *Conn) TakeTestOutput() []byte {
	b := c.out
	c.out = c.out[:0]
	return b
}

// TestBatch runs fn as the connection's read batch: replies completed
// meanwhile (Complete) wait in their slots, and when fn returns the
// finished ones move to the output that TakeTestOutput returns. For tests
// that run the tasks a command posted to shards inside fn.
func (c *Conn) TestBatch(fn func()) {
	c.inBatch = true
	fn()
	c.inBatch = false
	c.takeReady()
}
