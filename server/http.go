package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/anaxdb/anax/http/console"
	"github.com/anaxdb/anax/http/metrics"
	"github.com/anaxdb/anax/protocol"
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
// (413), at most maxPipelined requests in flight per connection (the loop
// stops reading the connection until they are answered). A malformed
// request gets 400 and the connection is closed.
//
// Routes: /metrics and /healthz need no password; everything else is the
// console (http/console), which has its own rules.

const (
	maxHTTPHeader  = 64 << 10
	maxHTTPBody    = 1 << 20
	maxPipelined   = 32
	maxConsoleResp = 16 << 20 // largest reply the console reads back
)

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
		req, n, status, msg := parseHTTP(in[consumed:])
		if status != 0 {
			b := c.Begin()
			b = appendPlainResponse(b, status, msg)
			c.End(b)
			return len(in), true
		}
		if n == 0 {
			if req != nil && !hc.continued && strings.EqualFold(req.Header.Get("Expect"), "100-continue") {
				// The client waits for this before sending the body.
				hc.continued = true
				b := c.Begin()
				b = append(b, "HTTP/1.1 100 Continue\r\n\r\n"...)
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
	rw := &respWriter{header: http.Header{}}
	defer func() {
		if p := recover(); p != nil {
			w.s.log.Errorf("HTTP handler panic on %s %s: %v\n%s", req.Method, req.URL.Path, p, debug.Stack())
			out = appendPlainResponse(dst, http.StatusInternalServerError, "internal error")
		}
	}()
	w.handler.ServeHTTP(rw, req)
	return rw.appendTo(dst, req, closeConn)
}

// respWriter collects a handler's response.
type respWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *respWriter) Header() http.Header { return r.header }

func (r *respWriter) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *respWriter) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

// appendTo appends the status line, the headers and the body.
func (r *respWriter) appendTo(dst []byte, req *http.Request, closeConn bool) []byte {
	status := r.status
	if status == 0 {
		status = http.StatusOK
	}
	h := r.header
	bodyAllowed := status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
	if bodyAllowed {
		if h.Get("Content-Type") == "" && r.body.Len() > 0 {
			h.Set("Content-Type", http.DetectContentType(r.body.Bytes()))
		}
		h.Set("Content-Length", strconv.Itoa(r.body.Len()))
	} else {
		h.Del("Content-Length")
	}
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	switch {
	case closeConn:
		h.Set("Connection", "close")
	case !req.ProtoAtLeast(1, 1):
		h.Set("Connection", "keep-alive")
	}
	dst = appendStatusLine(dst, status)
	var hb bytes.Buffer
	_ = h.Write(&hb)
	dst = append(dst, hb.Bytes()...)
	dst = append(dst, "\r\n"...)
	if bodyAllowed && req.Method != http.MethodHead {
		dst = append(dst, r.body.Bytes()...)
	}
	return dst
}

func appendStatusLine(dst []byte, status int) []byte {
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, ' ')
	dst = append(dst, http.StatusText(status)...)
	return append(dst, "\r\n"...)
}

// appendPlainResponse appends a short text response that closes the
// connection (the refusals of parseHTTP).
func appendPlainResponse(dst []byte, status int, msg string) []byte {
	body := msg + "\n"
	dst = appendStatusLine(dst, status)
	dst = append(dst, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: "...)
	dst = strconv.AppendInt(dst, int64(len(body)), 10)
	dst = append(dst, "\r\nConnection: close\r\n\r\n"...)
	return append(dst, body...)
}

// parseHTTP parses the request at the start of in. It returns:
//   - a request and its length n > 0 when it is complete (its body read);
//   - n == 0 and status == 0 when more bytes are needed (req, when not nil,
//     has complete headers and awaits its body);
//   - status != 0 and msg when the request must be refused.
func parseHTTP(in []byte) (req *http.Request, n int, status int, msg string) {
	// Blank lines before a request line are ignored (RFC 9112 §2.2).
	skip := 0
	for skip < len(in) && (in[skip] == '\r' || in[skip] == '\n') {
		skip++
	}
	in = in[skip:]
	if len(in) == 0 {
		return nil, 0, 0, ""
	}
	end := headerEnd(in)
	if end < 0 || end > maxHTTPHeader {
		if end > maxHTTPHeader || len(in) > maxHTTPHeader {
			return nil, 0, http.StatusRequestHeaderFieldsTooLarge, "request headers are over 64 KB"
		}
		return nil, 0, 0, ""
	}
	rd := bytes.NewReader(in)
	br := bufio.NewReaderSize(rd, 4096)
	req, err := http.ReadRequest(br)
	if err != nil {
		return nil, 0, http.StatusBadRequest, "malformed HTTP request: " + err.Error()
	}
	if req.ProtoAtLeast(1, 1) && req.Host == "" {
		return nil, 0, http.StatusBadRequest, "missing required Host header"
	}
	if req.ContentLength > maxHTTPBody {
		return nil, 0, http.StatusRequestEntityTooLarge, "request body is over 1 MB"
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxHTTPBody+1))
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		if len(in) > maxHTTPHeader+2*maxHTTPBody {
			return nil, 0, http.StatusRequestEntityTooLarge, "request body is over 1 MB"
		}
		return req, 0, 0, "" // the body is still coming
	case err != nil:
		return nil, 0, http.StatusBadRequest, "malformed request body: " + err.Error()
	case len(body) > maxHTTPBody:
		return nil, 0, http.StatusRequestEntityTooLarge, "request body is over 1 MB"
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.TransferEncoding = nil
	return req, skip + len(in) - rd.Len() - br.Buffered(), 0, ""
}

// headerEnd returns the length of the header block (through its blank
// line), or -1 while it is incomplete.
func headerEnd(b []byte) int {
	for i := 0; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		if i+1 < len(b) && b[i+1] == '\n' {
			return i + 2
		}
		if i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n' {
			return i + 3
		}
	}
	return -1
}

// MetricsSnapshot implements metrics.Stats from published figures only:
// atomics, the shards' published sizes and the runtime's metrics.
func (w *webState) MetricsSnapshot(m *metrics.Snapshot) {
	s := w.s
	mem := readMemFigures()
	m.Loading = w.loading.Load()
	m.RedisVersion, m.AnaxVersion = Version, AnaxVersion
	m.Mode, m.OS, m.Role = "standalone", osString(), "master"
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
	a.notePeak(mem.used)
	m.MemoryUsed = mem.used
	m.MemoryPeak = a.peakMemory.Load()
	m.MemoryRSS = processRSS()
	m.MemoryMax = s.cfg.Int("maxmemory")
	m.MemoryDataset = s.datasetMemory()
	m.TotalSystemMemory = totalSystemMemory()

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
	m.SlowlogLength, m.SlowlogLastID = s.mon.slowLogFigures()

	add := func(name string, t cmdStatSum) {
		if t.calls == 0 && t.rejected == 0 && t.failed == 0 {
			return
		}
		m.Commands = append(m.Commands, metrics.CommandStat{Name: name, Calls: t.calls,
			Usec: t.usec, Rejected: t.rejected, Failed: t.failed})
	}
	for _, c := range s.cmdList {
		if len(c.Subcommands) == 0 {
			add(c.Name, cmdStatTotals(c))
			continue
		}
		add(c.Name, s.containerOwnStats(c))
		for _, sub := range c.Subcommands {
			add(sub.Name, cmdStatTotals(sub))
		}
	}
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
	return w.s.infoString(args)
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
		UsedMemory:        readMemFigures().used,
		UsedMemoryRSS:     processRSS(),
		MaxMemory:         s.cfg.Int("maxmemory"),
		ConnectedClients:  s.net.Clients.Load(),
		Keys:              keys,
	}
}

// SlowLog implements console.Backend.
func (w *webState) SlowLog(n int) []console.SlowEntry {
	m := &w.s.mon
	m.mu.Lock()
	defer m.mu.Unlock()
	n = min(n, len(m.mu.slow))
	out := make([]console.SlowEntry, n)
	for i := range out {
		e := m.mu.slow[len(m.mu.slow)-1-i]
		out[i] = console.SlowEntry{ID: e.id, Time: e.at, Usec: e.usec, Args: e.args, Client: e.peer, Name: e.cname}
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
	req := appendRESPCommand(nil, append(hello, "SETNAME", "anax-console")...)
	pre := 1
	if db != 0 {
		req = appendRESPCommand(req, "SELECT", strconv.Itoa(db))
		pre++
	}
	req = appendRESPCommand(req, args...)
	if _, err := conn.Write(req); err != nil {
		return console.Reply{}, fmt.Errorf("cannot send the command: %w", err)
	}
	rr := &replyReader{r: bufio.NewReader(io.LimitReader(conn, maxConsoleResp))}
	for i := 0; i < pre; i++ {
		r, err := rr.read(0)
		if err != nil {
			return console.Reply{}, err
		}
		if r.Kind == console.Error {
			return r, nil
		}
	}
	return rr.read(0)
}

func appendRESPCommand(dst []byte, args ...string) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(args)), 10)
	dst = append(dst, "\r\n"...)
	for _, a := range args {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, "\r\n"...)
		dst = append(dst, a...)
		dst = append(dst, "\r\n"...)
	}
	return dst
}

// replyReader reads RESP2 and RESP3 replies for the console.
type replyReader struct{ r *bufio.Reader }

var errReplyTooLarge = fmt.Errorf("the reply is over %d MB, too large for the console", maxConsoleResp>>20)

func (rr *replyReader) line() (string, error) {
	s, err := rr.r.ReadString('\n')
	if err != nil {
		if errors.Is(err, io.EOF) && len(s) > 0 {
			return "", errReplyTooLarge
		}
		return "", fmt.Errorf("cannot read the reply: %w", err)
	}
	return strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r"), nil
}

func (rr *replyReader) read(depth int) (console.Reply, error) {
	if depth > 128 {
		return console.Reply{}, errors.New("the reply is nested too deeply")
	}
	l, err := rr.line()
	if err != nil {
		return console.Reply{}, err
	}
	if l == "" {
		return console.Reply{}, errors.New("empty reply line")
	}
	body := l[1:]
	switch l[0] {
	case '+':
		return console.Reply{Kind: console.Simple, Str: body}, nil
	case '-':
		return console.Reply{Kind: console.Error, Str: body}, nil
	case ':':
		n, err := strconv.ParseInt(body, 10, 64)
		if err != nil {
			return console.Reply{}, fmt.Errorf("bad integer reply %q", body)
		}
		return console.Reply{Kind: console.Integer, Int: n}, nil
	case '_':
		return console.Reply{Kind: console.Null}, nil
	case ',':
		return console.Reply{Kind: console.Double, Str: body}, nil
	case '#':
		v := int64(0)
		if body == "t" {
			v = 1
		}
		return console.Reply{Kind: console.Bool, Int: v}, nil
	case '(':
		return console.Reply{Kind: console.BigNum, Str: body}, nil
	case '$', '=', '!':
		n, err := strconv.Atoi(body)
		if err != nil {
			return console.Reply{}, fmt.Errorf("bad length %q", body)
		}
		if n < 0 {
			return console.Reply{Kind: console.Null}, nil
		}
		if n > maxConsoleResp {
			return console.Reply{}, errReplyTooLarge
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rr.r, buf); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return console.Reply{}, errReplyTooLarge
			}
			return console.Reply{}, fmt.Errorf("cannot read the reply: %w", err)
		}
		s := string(buf[:n])
		switch l[0] {
		case '=':
			if len(s) >= 4 && s[3] == ':' {
				s = s[4:]
			}
			return console.Reply{Kind: console.Verbatim, Str: s}, nil
		case '!':
			return console.Reply{Kind: console.Error, Str: s}, nil
		}
		return console.Reply{Kind: console.Bulk, Str: s}, nil
	case '*', '~', '%', '>', '|':
		n, err := strconv.Atoi(body)
		if err != nil {
			return console.Reply{}, fmt.Errorf("bad length %q", body)
		}
		if n < 0 {
			return console.Reply{Kind: console.Null}, nil
		}
		kind := map[byte]console.Kind{'*': console.Array, '~': console.Set, '%': console.Map, '>': console.Push, '|': console.Map}[l[0]]
		if l[0] == '%' || l[0] == '|' {
			n *= 2
		}
		elems := make([]console.Reply, 0, min(n, 1024))
		for i := 0; i < n; i++ {
			e, err := rr.read(depth + 1)
			if err != nil {
				return console.Reply{}, err
			}
			elems = append(elems, e)
		}
		if l[0] == '|' { // attributes precede the reply they describe
			return rr.read(depth)
		}
		return console.Reply{Kind: kind, Elems: elems}, nil
	}
	return console.Reply{}, fmt.Errorf("unexpected reply %q", l)
}
