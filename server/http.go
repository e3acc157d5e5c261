package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/anaxdb/anax/http/console"
	"github.com/anaxdb/anax/http/metrics"
	"github.com/anaxdb/anax/http/wire"
	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/server/infocmd"
	"github.com/anaxdb/anax/shard"
)

// The HTTP face: HTTP/1.1 on the RESP port (a connection whose first line
// is an HTTP request, see protocol.Options.HTTP) and on --admin_port.
//
// Life of a request. The connection's loop parses every complete request
// in its buffer (Traffic), reserves a reply slot for each (Conn.Defer) and
// queues it to the connection's worker goroutine, one at a time per
// connection, so pipelined requests run in order. The worker runs the
// handler and posts the response back to the connection's loop (its home
// shard's Post), where Complete writes the finished prefix of the FIFO: a
// handler never runs on a loop, so a slow scrape or a command sent through
// the console never stalls a shard.
//
// Limits: request headers up to 64 KB (431 otherwise), bodies up to 1 MB
// (413), both enforced by the framing in http/wire; at most maxPipelined requests in flight per connection (the loop
// stops reading the connection until they are answered). A malformed
// request gets 400 and the connection is closed.
//
// Routes: /metrics and /healthz need no password; everything else is the
// console (http/console), which has its own rules.

// maxPipelined is the most requests in flight on one connection.
const maxPipelined = 32

// webState is the server's HTTP side: the face and what the handlers read.
type webState struct {
	s        *Server
	handler  http.Handler
	loading  atomic.Bool // true while a snapshot loads: /healthz says 503
	respAddr string      // where the console's commands connect (the RESP port)
}

// init builds the handlers. respAddr is a RESP listen address
// ("" when there is none).
func (w *webState) init(respAddr string) {
	w.respAddr = respAddr
	mux := http.NewServeMux()
	mux.Handle("/metrics", getOnly(metrics.Handler(w)))
	mux.Handle("/healthz", getOnly(http.HandlerFunc(w.serveHealth)))
	mux.Handle("/", console.New(w))
	w.handler = mux
}

// SetLoading marks the server as loading a snapshot (or done loading):
// /healthz answers 503 meanwhile. Call it before Start or once Start has
// returned; it is safe from any goroutine then.
func (s *Server) SetLoading(v bool) {
	if s.web == nil {
		s.web = &webState{s: s}
	}
	s.web.loading.Store(v)
}

// getOnly refuses methods other than GET and HEAD.
func getOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			rw.Header().Set("Allow", "GET, HEAD")
			http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h.ServeHTTP(rw, r)
	})
}

func (w *webState) serveHealth(rw http.ResponseWriter, _ *http.Request) {
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-store")
	if w.loading.Load() {
		rw.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(rw, "LOADING\n")
		return
	}
	_, _ = io.WriteString(rw, "OK\n")
}

// httpOptions turns on the HTTP face: on the RESP port unless
// http-console is off, and on admin-port when set (its addresses are
// added to opts.Addrs). It is called by Start.
func (s *Server) httpOptions(opts *protocol.Options) {
	port := int(s.cfg.Int("port"))
	respAddr := ""
	if port > 0 && len(opts.Addrs) > 0 {
		respAddr = loopbackFor(opts.Addrs[0])
	}
	if s.web == nil {
		s.web = &webState{s: s}
	}
	s.web.init(respAddr)
	if s.cfg.Int("http-console") != 0 {
		opts.HTTP = s.web
	}
	admin := int(s.cfg.Int("admin-port"))
	if admin <= 0 || admin == port {
		return
	}
	if opts.PortFaces == nil {
		opts.PortFaces = map[int]protocol.Face{}
	}
	opts.PortFaces[admin] = s.web
	for _, a := range opts.Addrs[:len(opts.Addrs):len(opts.Addrs)] {
		if host, _, err := net.SplitHostPort(a); err == nil {
			opts.Addrs = append(opts.Addrs, net.JoinHostPort(host, strconv.Itoa(admin)))
		}
	}
}

// loopbackFor returns the address to dial to reach a listener on addr: a
// wildcard address is reached on loopback.
func loopbackFor(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	switch host {
	case "", "0.0.0.0", "*":
		host = "127.0.0.1"
	case "::", "::*":
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}

// httpConn is one HTTP connection's state. The fields above mu belong to
// the connection's loop; the queue is shared with the worker.
type httpConn struct {
	w         *webState
	c         *protocol.Conn
	home      *shard.Shard // the connection's loop: responses are posted there
	remote    string
	ctx       context.Context
	cancel    context.CancelFunc
	continued bool // 100 Continue sent for the request being received

	mu      sync.Mutex
	queue   []httpJob
	running bool
}

type httpJob struct {
	req       *http.Request
	slot      *protocol.Slot
	closeConn bool
}

// Open implements protocol.Face.
func (w *webState) Open(c *protocol.Conn) {
	ctx, cancel := context.WithCancel(context.Background())
	c.Client = &httpConn{w: w, c: c, home: w.s.router.Shard(c.Loop()),
		remote: c.RemoteAddr().String(), ctx: ctx, cancel: cancel}
}

// Refusal implements protocol.Refuser for the admin port: a refused
// browser or scraper reads an HTTP status, not a RESP line.
func (w *webState) Refusal(why protocol.RefuseReason) []byte {
	if why == protocol.RefuseProtected {
		return wire.AppendPlainResponse(nil, http.StatusForbidden,
			"protected mode: no password is set, so only loopback clients may connect")
	}
	return wire.AppendPlainResponse(nil, http.StatusServiceUnavailable, "max number of clients reached")
}

// Close implements protocol.Face: requests still running see their
// context canceled; their responses are dropped.
func (w *webState) Close(c *protocol.Conn) {
	if hc, ok := c.Client.(*httpConn); ok {
		hc.cancel()
	}
}

// Traffic implements protocol.Face: it takes every complete request in
// the buffer, up to maxPipelined in flight.
func (w *webState) Traffic(c *protocol.Conn, in []byte) (int, bool) {
	hc := c.Client.(*httpConn)
	consumed := 0
	for consumed < len(in) {
		if c.Pending() >= maxPipelined {
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
		job := httpJob{req: req, slot: c.Defer(), closeConn: req.Close}
		hc.enqueue(job)
		if job.closeConn {
			return consumed, true
		}
	}
	return consumed, false
}

func (hc *httpConn) enqueue(j httpJob) {
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
func (hc *httpConn) work() {
	for {
		hc.mu.Lock()
		if len(hc.queue) == 0 {
			hc.running = false
			hc.queue = nil
			hc.mu.Unlock()
			return
		}
		j := hc.queue[0]
		hc.queue[0] = httpJob{}
		hc.queue = hc.queue[1:]
		hc.mu.Unlock()
		j.slot.Buf = hc.w.respond(j.slot.Buf[:0], j.req, j.closeConn)
		c, slot := hc.c, j.slot
		hc.home.Post(func() { c.Complete(slot) })
	}
}

// respond runs the handler for req and appends the HTTP response to dst.
func (w *webState) respond(dst []byte, req *http.Request, closeConn bool) (out []byte) {
	rw := &wire.Response{}
	defer func() {
		if p := recover(); p != nil {
			w.s.log.Errorf("HTTP handler panic on %s %s: %v\n%s", req.Method, req.URL.Path, p, debug.Stack())
			out = wire.AppendPlainResponse(dst, http.StatusInternalServerError, "internal error")
		}
	}()
	w.handler.ServeHTTP(rw, req)
	return rw.AppendTo(dst, req, closeConn)
}

// MetricsSnapshot implements metrics.Stats from published figures only:
// atomics, the shards' published sizes and the runtime's metrics.
func (w *webState) MetricsSnapshot(m *metrics.Snapshot) {
	s := w.s
	mem := infocmd.ReadMemFigures()
	m.Loading = w.loading.Load()
	m.RedisVersion, m.AnaxVersion = Version, AnaxVersion
	m.Mode, m.OS, m.Role = "standalone", infocmd.OSName(), "master"
	m.RunID = s.runID
	m.TCPPort = s.cfg.Int("port")
	m.ProcessID = int64(syscall.Getpid())
	m.MaxmemoryPolicy = s.cfg.String("maxmemory-policy")
	m.UptimeSeconds = int64(time.Since(s.started) / time.Second)

	m.ConnectedClients = s.net.Clients.Load()
	m.MaxClients = s.cfg.Int("maxclients")
	m.ConnectionsReceived = s.net.TotalConnections.Load()
	m.RejectedConnections = s.net.Rejected.Load()

	a := s.admin()
	a.notePeak(mem.Used)
	m.MemoryUsed = mem.Used
	m.MemoryPeak = a.peakMemory.Load()
	m.MemoryRSS = infocmd.ProcessRSS()
	m.MemoryMax = s.cfg.Int("maxmemory")
	m.MemoryDataset = s.datasetMemory()
	m.TotalSystemMemory = infocmd.TotalSystemMemory()

	for _, sh := range s.router.Shards() {
		m.KeyspaceHits += sh.Stats.Hits.Load()
		m.KeyspaceMisses += sh.Stats.Misses.Load()
		m.ExpiredKeys += sh.Stats.ExpiredKeys.Load()
		var keys int64
		for db := 0; db < sh.NumDB(); db++ {
			keys += sh.Keys(db)
		}
		m.Shards = append(m.Shards, metrics.ShardStat{ID: sh.ID, Keys: keys,
			MemoryUsed: sh.UsedMemory(), QueueLength: int64(sh.InboxLen()), TxQueue: s.router.QueueLen(sh.ID)})
	}
	m.CommandsProcessed = s.commandsProcessed()
	m.LastSaveTime = s.lastSave.Load()
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		m.CPUSysSeconds = float64(ru.Stime.Sec) + float64(ru.Stime.Usec)/1e6
		m.CPUUserSeconds = float64(ru.Utime.Sec) + float64(ru.Utime.Usec)/1e6
	}
	m.SlowlogLength, m.SlowlogLastID = s.mon.Figures()

	infocmd.EachCommandStat(s, func(name string, t infocmd.CommandTotals) {
		m.Commands = append(m.Commands, metrics.CommandStat{Name: name, Calls: t.Calls,
			Usec: t.Usec, Rejected: t.Rejected, Failed: t.Failed})
	})
	counts := s.errorCounts()
	for k, v := range counts {
		m.Errors = append(m.Errors, metrics.ErrorStat{Prefix: k, Count: v})
	}

	shards := s.router.Shards()
	for db := 0; db < shards[0].NumDB(); db++ {
		var keys, expires int64
		for _, sh := range shards {
			keys += sh.Keys(db)
			expires += sh.Expires(db)
		}
		if db == 0 || keys > 0 || expires > 0 {
			m.DBs = append(m.DBs, metrics.DBStat{Index: db, Keys: keys, Expires: expires})
		}
	}
	m.Hops = s.router.Stats.Hops.Load()
	m.Transactions = s.router.Stats.Transactions.Load()
	m.TxRetries = s.router.Stats.Retries.Load()
	m.TxQueued = s.router.Stats.Queued.Load()
	m.Squashed = s.router.Stats.Squashed.Load()
}

// The console's backend (console.Backend).

// Password implements console.Backend.
func (w *webState) Password() string { return w.s.requirePass() }

// Info implements console.Backend: INFO runs here, on the HTTP goroutine;
// it reads only atomics and published figures.
func (w *webState) Info(sections ...string) string {
	args := make([][]byte, len(sections))
	for i, s := range sections {
		args[i] = []byte(s)
	}
	return infocmd.Render(w.s, args)
}

// Live implements console.Backend.
func (w *webState) Live() console.Live {
	s := w.s
	var keys int64
	for _, sh := range s.router.Shards() {
		for db := 0; db < sh.NumDB(); db++ {
			keys += sh.Keys(db)
		}
	}
	return console.Live{
		TimeMs:            time.Now().UnixMilli(),
		CommandsProcessed: s.commandsProcessed(),
		OpsPerSec:         s.admin().opsPerSec(),
		UsedMemory:        infocmd.ReadMemFigures().Used,
		UsedMemoryRSS:     infocmd.ProcessRSS(),
		MaxMemory:         s.cfg.Int("maxmemory"),
		ConnectedClients:  s.net.Clients.Load(),
		Keys:              keys,
	}
}

// SlowLog implements console.Backend.
func (w *webState) SlowLog(n int) []console.SlowEntry {
	entries := w.s.mon.Entries(n)
	out := make([]console.SlowEntry, len(entries))
	for i, e := range entries {
		out[i] = console.SlowEntry{ID: e.ID, Time: e.Time, Usec: e.Usec, Args: e.Args, Client: e.Peer, Name: e.Name}
	}
	return out
}

// Do implements console.Backend over a loopback RESP connection to the
// server's own port: the command takes exactly the path a client's takes
// (AUTH, limits, routing, statistics, the slow log, CLIENT LIST shows it
// as anax-console). The connection lasts one command.
func (w *webState) Do(ctx context.Context, db int, args []string) (console.Reply, error) {
	if w.respAddr == "" {
		return console.Reply{}, errors.New("no RESP port to run commands on (port 0)")
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", w.respAddr)
	if err != nil {
		return console.Reply{}, fmt.Errorf("cannot connect to %s: %w", w.respAddr, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()

	// One HELLO authenticates and names the connection (CLIENT LIST and
	// the slow log show anax-console).
	hello := []string{"HELLO", "2"}
	if pw := w.s.requirePass(); pw != "" {
		hello = append(hello, "AUTH", "default", pw)
	}
	req := console.AppendCommand(nil, append(hello, "SETNAME", "anax-console")...)
	pre := 1
	if db != 0 {
		req = console.AppendCommand(req, "SELECT", strconv.Itoa(db))
		pre++
	}
	req = console.AppendCommand(req, args...)
	if _, err := conn.Write(req); err != nil {
		return console.Reply{}, fmt.Errorf("cannot send the command: %w", err)
	}
	rr := console.NewReplyReader(conn)
	for i := 0; i < pre; i++ {
		r, err := rr.Read()
		if err != nil {
			return console.Reply{}, err
		}
		if r.Kind == console.Error {
			return r, nil
		}
	}
	return rr.Read()
}
