package face

import (
	"context"
	"net/http"
	"runtime/debug"
	"sync"

	"github.com/anaxdb/anax/http/console"
	"github.com/anaxdb/anax/http/metrics"
	"github.com/anaxdb/anax/http/wire"
	"github.com/anaxdb/anax/protocol"
)

// MaxPipelined is the most requests in flight on one connection.
const MaxPipelined = 32

// Host is what the face needs from the server. Every method but
// PostToLoop is called on a worker goroutine, never on an event loop, and
// must not wait on a shard for longer than a command takes.
type Host interface {
	metrics.Stats   // the figures /metrics serves
	console.Backend // what the console reads and runs

	// Loading reports whether a snapshot is loading: /healthz answers
	// 503 meanwhile.
	Loading() bool
	// PostToLoop runs fn on event loop loop (protocol.Conn.Loop), after
	// everything posted there before it.
	PostToLoop(loop int, fn func())
}

// Logger receives the face's errors (a handler's panic).
type Logger interface {
	Errorf(format string, args ...any)
}

// Face is the HTTP face: a protocol.Face and protocol.Refuser. One Face
// serves any number of listeners and connections.
type Face struct {
	host    Host
	log     Logger
	handler http.Handler
}

// New returns the face serving host's figures and console.
func New(host Host, log Logger) *Face {
	return &Face{host: host, log: log, handler: routes(host)}
}

// conn is one HTTP connection's state. The fields above mu belong to
// the connection's loop; the queue and running are shared with the
// worker, under mu.
type conn struct {
	f         *Face
	c         *protocol.Conn
	loop      int // the connection's event loop: responses are posted there
	remote    string
	ctx       context.Context // canceled when the connection closes
	cancel    context.CancelFunc
	continued bool // 100 Continue sent for the request being received

	mu      sync.Mutex
	queue   []job
	running bool // a worker goroutine is draining queue
}

// job is one parsed request waiting for the worker, and the reply slot
// its response goes to.
type job struct {
	req       *http.Request
	slot      *protocol.Slot
	closeConn bool // the request asked to close: say so in the response
}

// Open implements protocol.Face.
func (f *Face) Open(c *protocol.Conn) {
	ctx, cancel := context.WithCancel(context.Background())
	c.Client = &conn{f: f, c: c, loop: c.Loop(), remote: c.RemoteAddr().String(), ctx: ctx, cancel: cancel}
}

// Refusal implements protocol.Refuser for the admin port: a refused
// browser or scraper reads an HTTP status, not a RESP line.
func (f *Face) Refusal(why protocol.RefuseReason) []byte {
	if why == protocol.RefuseProtected {
		return wire.AppendPlainResponse(nil, http.StatusForbidden,
			"protected mode: no password is set, so only loopback clients may connect")
	}
	return wire.AppendPlainResponse(nil, http.StatusServiceUnavailable, "max number of clients reached")
}

// Close implements protocol.Face: requests still running see their
// context canceled; their responses are dropped.
func (f *Face) Close(c *protocol.Conn) {
	if hc, ok := c.Client.(*conn); ok {
		hc.cancel()
	}
}

// Traffic implements protocol.Face: it takes every complete request in
// the buffer, up to MaxPipelined in flight.
func (f *Face) Traffic(c *protocol.Conn, in []byte) (int, bool) {
	hc := c.Client.(*conn)
	consumed := 0
	for consumed < len(in) {
		if c.Pending() >= MaxPipelined {
			c.Hold()
			break
		}
		req, n, ref := wire.ParseRequest(in[consumed:])
		if ref.Status != 0 {
			b := c.Begin()
			b = wire.AppendPlainResponse(b, ref.Status, ref.Msg)
			c.End(b)
			return len(in), true
		}
		if n == 0 {
			if req != nil && !hc.continued && wire.WantsContinue(req) {
				// The client waits for this before sending the body.
				hc.continued = true
				b := c.Begin()
				b = append(b, wire.Continue...)
				c.End(b)
			}
			break
		}
		consumed += n
		hc.continued = false
		req.RemoteAddr = hc.remote
		req = req.WithContext(hc.ctx)
		j := job{req: req, slot: c.Defer(), closeConn: req.Close}
		hc.enqueue(j)
		if j.closeConn {
			return consumed, true
		}
	}
	return consumed, false
}

// enqueue queues j for the worker, starting one if none is running.
func (hc *conn) enqueue(j job) {
	hc.mu.Lock()
	hc.queue = append(hc.queue, j)
	start := !hc.running
	hc.running = true
	hc.mu.Unlock()
	if start {
		go hc.work()
	}
}

// work runs the queued requests in order, then exits.
func (hc *conn) work() {
	for {
		hc.mu.Lock()
		if len(hc.queue) == 0 {
			hc.running = false
			hc.queue = nil
			hc.mu.Unlock()
			return
		}
		j := hc.queue[0]
		hc.queue[0] = job{}
		hc.queue = hc.queue[1:]
		hc.mu.Unlock()
		j.slot.Buf = hc.f.respond(j.slot.Buf[:0], j.req, j.closeConn)
		c, slot := hc.c, j.slot
		hc.f.host.PostToLoop(hc.loop, func() { c.Complete(slot) })
	}
}

// respond runs the handler for req and appends the HTTP response to dst.
// A handler's panic is logged and answered 500; the server keeps running.
func (f *Face) respond(dst []byte, req *http.Request, closeConn bool) (out []byte) {
	rw := &wire.Response{}
	defer func() {
		if p := recover(); p != nil {
			f.log.Errorf("HTTP handler panic on %s %s: %v\n%s", req.Method, req.URL.Path, p, debug.Stack())
			out = wire.AppendPlainResponse(dst, http.StatusInternalServerError, "internal error")
		}
	}()
	f.handler.ServeHTTP(rw, req)
	return rw.AppendTo(dst, req, closeConn)
}
