package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/anaxdb/anax/http/console"
	"github.com/anaxdb/anax/http/face"
	"github.com/anaxdb/anax/http/metrics"
	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/server/infocmd"
)

// The HTTP face's side in the server. The face itself (connections,
// framing, the worker per connection, the routes) is package http/face;
// what it serves is gathered here, by webState, which implements
// face.Host from the server's published figures.

// webState is what the HTTP face reads from the server (face.Host). It is
// a type of its own rather than methods of Server because the console's
// SlowLog(n) would collide with Server.SlowLog (the slow log's monitor),
// and because the loading flag and the console's dial address are state
// of the face's alone.
type webState struct {
	s        *Server
	loading  atomic.Bool // true while a snapshot loads: /healthz says 503
	respAddr string      // where the console's commands connect (the RESP port)
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

// Loading implements face.Host.
func (w *webState) Loading() bool { return w.loading.Load() }

// PostToLoop implements face.Host: event loop i's work runs on shard i's
// inbox, in the order posted.
func (w *webState) PostToLoop(i int, fn func()) { w.s.router.Shard(i).Post(fn) }

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
	s.web.respAddr = respAddr
	web := face.New(s.web, s.log)
	if s.cfg.Int("http-console") != 0 {
		opts.HTTP = web
	}
	admin := int(s.cfg.Int("admin-port"))
	if admin <= 0 || admin == port {
		return
	}
	if opts.PortFaces == nil {
		opts.PortFaces = map[int]protocol.Face{}
	}
	opts.PortFaces[admin] = web
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
	m.BlockedClients = s.blockedClients.Load()
	m.TrackingClients, m.TrackingKeys, m.TrackingItems, m.TrackingPrefixes = s.TrackingCounts()
	m.MaxClients = s.cfg.Int("maxclients")
	m.ConnectionsReceived = s.net.TotalConnections.Load()
	m.RejectedConnections = s.net.Rejected.Load()
	m.NetInputBytes, m.NetOutputBytes = s.netBytes()

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
		m.EvictedKeys += sh.Stats.EvictedKeys.Load()
		var keys int64
		for db := 0; db < sh.NumDB(); db++ {
			keys += sh.Keys(db)
		}
		m.Shards = append(m.Shards, metrics.ShardStat{ID: sh.ID, Keys: keys,
			MemoryUsed: sh.UsedMemory(), QueueLength: int64(sh.InboxLen()), TxQueue: s.router.QueueLen(sh.ID)})
	}
	m.CommandsProcessed = s.commandsProcessed()
	m.LastSaveTime = s.lastSave.Load()
	pf := s.InfoPersistence()
	m.RDBChanges, m.RDBBgsaveRunning, m.RDBLastBgsaveOK = pf.Changes, pf.BgsaveRunning, pf.LastBgsaveOK
	m.RDBSaves = pf.Saves
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
