// Package face is Anax's HTTP face: HTTP/1.1 served on the event loops'
// connections, on the RESP port (a connection whose first line is an HTTP
// request, see protocol.Options.HTTP) and on --admin_port. It implements
// protocol.Face and protocol.Refuser, routes requests to /metrics
// (http/metrics), /healthz and the console (http/console), and reaches
// the server only through Host, which the server implements: the package
// imports no server package (internal/lint enforces it).
//
// Life of a request. The connection's loop parses every complete request
// in its buffer (Face.Traffic, framing by http/wire), reserves a reply
// slot for each (protocol.Conn.Defer) and queues it to the connection's
// worker goroutine, one at a time per connection, so pipelined requests
// run in order. The worker runs the handler and posts the response back
// to the connection's loop (Host.PostToLoop), where Complete writes the
// finished prefix of the FIFO: a handler never runs on a loop, so a slow
// scrape or a command sent through the console never stalls a shard.
//
// Limits: request headers up to 64 KB (431 otherwise), bodies up to 1 MB
// (413), both enforced by the framing in http/wire; at most MaxPipelined
// requests in flight per connection (the loop stops reading the
// connection until they are answered). A malformed request gets 400 and
// the connection is closed.
//
// Routes: /metrics and /healthz need no password and answer GET and HEAD
// only; everything else is the console, which has its own rules.
package face
