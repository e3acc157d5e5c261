// Package protocol runs the event loops and the connection state machine.
//
// Each event loop (a gnet loop, one per shard) owns its connections. For
// every readable event the loop parses every complete command in the
// connection's inbound buffer (gnet does not fire again for bytes it already
// holds) and hands each to the Handler.
//
// Reply order. Each connection has a FIFO of reply slots owned by its loop.
// A reply produced at once goes straight to the output buffer while the FIFO
// is empty, and into a finished slot otherwise, so it can never overtake an
// earlier reply that another shard is still computing. A deferred reply
// (Defer) is a pending slot; whoever finishes it posts Complete to the
// connection's loop, which writes the finished prefix of the FIFO. Shards
// never write to a socket.
//
// Accepting. The listeners are Anax's own (listen.go): each accepts on its
// goroutine, applies protected mode and maxclients, and hands the socket to
// a loop; accept errors back off and never stop the loops.
//
// Backpressure. Parsing stops while the FIFO holds the connection's window
// of pending replies (see initialWindow), while the queued output is over
// its pause mark (see pauseMarks; a client-output-buffer-limit closes the
// client instead), while a command asked to hold the connection (Hold), or
// while a command asked to be retried after the FIFO drains (Retry).
// Draining the FIFO wakes the connection, which re-parses what is buffered;
// output-paused connections are polled by their loop (outwatch.go).
//
// Input. Commands are parsed straight from the loop's read buffer; what is
// left (an incomplete command, or commands not parsed while paused) goes to
// the connection's own buffer (inbuf.go), which grows with what arrives.
//
// Lifetimes. Command arguments are slices into the read buffer or the
// connection's input buffer (which may be an anonymous mapping, unmapped
// once the batch ends): valid only during the Handler call. Anything kept
// longer must be copied.
package protocol
