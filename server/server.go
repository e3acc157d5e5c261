// Package server is the coordinator: the command table (registry.go lists
// the command families, packages on the contract server/command), the
// routing of each command to its shard(s) with a key plan computed once
// (keyplan.go, dispatch.go), the transactions of commands that span shards
// (txexec.go, split.go, cross.go), MULTI/EXEC, and the server's own
// commands (connection, CLIENT, DEBUG...).
//
// It sits between the connection layer (package protocol, which calls
// Server as its Handler) and the data (packages txn and shard). See
// command.Exec for where each kind of command runs.
package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/anaxdb/anax/config"
	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/server/pubsubcmd"
	"github.com/anaxdb/anax/server/scriptcmd"
	"github.com/anaxdb/anax/server/slowlog"
	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/txn"
)

// Version is the Redis version Anax reports for compatibility (INFO,
// HELLO, the RDB header's redis-ver): the release whose commands and
// replies Anax follows. Clients gate features on it; redis-py's client-side
// cache, for one, asks for 7.4.0. docs/compat.md lists what of 7.4 Anax
// has and where it differs.
const Version = "7.4.0"

// AnaxVersion is Anax's own version.
const AnaxVersion = "0.1.0"

// Server owns the shards, the router and the listener.
type Server struct {
	cfg    *config.Config
	log    *zap.SugaredLogger
	router *txn.Router
	// activeExpireOff stops the shards' expiry sweeps (DEBUG
	// SET-ACTIVE-EXPIRE 0).
	activeExpireOff atomic.Bool
	pubsub          *pubsubcmd.Hub                 // Pub/Sub subscriptions (env_pubsub.go)
	notify          notifyState                    // notify-keyspace-events (notify.go)
	limits          atomic.Pointer[command.Limits] // encoding and size settings (env.go)
	net             *protocol.Server
	commands        map[string]*command.Spec
	cmdIndex        [maxCommandName + 1][26][]*command.Spec // by name length and first letter
	cmdList         []*command.Spec
	loopExec        []*command.Exec
	// execFree[i] holds Execs for EXEC bodies on shard i (takeExec); only
	// shard i's goroutine touches it.
	execFree [][]*command.Exec
	// splitPlans holds split commands' plans for reuse (split.go).
	splitPlans sync.Pool
	// execRuns holds distributed EXECs' state for reuse (multi.go).
	execRuns sync.Pool
	clients  clientRegistry
	mem      memGuard // maxmemory state (evict.go)

	started      time.Time
	runID        string
	errStats     []errStats   // per loop
	batch        []batchState // per loop
	lastSave     atomic.Int64
	shutdown     chan struct{}
	stopOnce     sync.Once
	rngState     atomic.Uint64
	mon          slowlog.Monitor
	adm          *adminState // INFO's rates and peaks, replid (admin.go)
	web          *webState   // what the HTTP face (http/face) reads (http.go)
	clientLimits clientLimits
	// blockedClients counts the clients waiting in a blocking command.
	blockedClients atomic.Int64
	// pause is CLIENT PAUSE's state (pause.go).
	pause        clientPause
	clientGauges clientGauges
	// loops are the event loops, by shard (set once they are bound).
	loops []*protocol.Loop
	// lat is the per-command latency tracking (latency.go).
	lat latencyTracking
	// netBase is what NetBytes read at the last CONFIG RESETSTAT.
	netBase [2]atomic.Int64
	// scripts is the scripting engine (env_scriptcmd.go).
	scripts *scriptcmd.Engine
	// localCallers[i] is the Caller of the fast-path script running on
	// shard i (one at a time), reused.
	localCallers []localCaller
	persist      persistState // SAVE, BGSAVE, loading (persist.go)
	// trk is client tracking (tracking.go), monitors MONITOR (monitor.go).
	trk      tracking
	monitors monitorState

	// OnFatal, when set before Start, is called instead of ending the
	// process when the event loops stop unexpectedly (tests).
	OnFatal func(error)
}

type errStats struct {
	mu     sync.Mutex
	counts map[string]int64
	total  int64
}

// New builds a server from a loaded configuration.
func New(cfg *config.Config, log *zap.SugaredLogger) *Server {
	s := &Server{
		cfg:      cfg,
		log:      log,
		started:  time.Now(),
		shutdown: make(chan struct{}),
	}
	s.clients.clients = map[int64]*Client{}
	s.runID = randomHex(40)
	s.rngState.Store(uint64(time.Now().UnixNano()) | 1)
	s.lastSave.Store(time.Now().Unix())
	s.persist.lastBgSec.Store(-1)
	s.mon.Init(cfg)
	s.adm = newAdminState()
	s.followLimits()
	return s
}

func (s *Server) logf(format string, args ...any) { s.log.Infof(format, args...) }

func (s *Server) requirePass() string { return s.cfg.String("requirepass") }

// Threads returns the number of shards the server will run.
func Threads(cfg *config.Config) int {
	n := int(cfg.Int("threads"))
	if n <= 0 {
		n = runtime.NumCPU()
	}
	return n
}

// Start binds the listener, starts the loops and the shards' periodic work.
func (s *Server) Start() error {
	s.refuseAppendOnly()
	s.refuseListCompress()
	s.warnNoEffect()
	shards := s.initShards()
	n := len(shards)
	if err := s.adjustOpenFiles(n); err != nil {
		return err
	}
	s.cfg.Validate("maxclients", s.checkMaxClients)
	s.clientLimits.load(s.cfg)
	for _, name := range []string{"client-output-buffer-limit", "client-query-buffer-limit"} {
		s.cfg.OnChange(name, func(string) { s.clientLimits.load(s.cfg) })
	}
	port := int(s.cfg.Int("port"))
	addrs := s.listenAddrs(port)
	maxClients := s.cfg.IntFunc("maxclients")
	keepAlive := s.cfg.IntFunc("tcp-keepalive")
	opts := protocol.Options{
		Addrs:        addrs,
		Loops:        n,
		LockOSThread: s.cfg.Bool("pin-threads"),
		Handler:      s,
		Limits: protocol.Limits{
			MaxBulkLen: s.cfg.Int("proto-max-bulk-len"),
		},
		Logf:       s.log.Infof,
		Warnf:      s.log.Warnf,
		OnFatal:    s.fatal,
		MaxClients: func() int { return int(maxClients()) },
		Protected:  s.protectedMode,
		KeepAlive:  time.Duration(s.cfg.Int("tcp-keepalive")) * time.Second,
		KeepAliveNow: func() time.Duration {
			return time.Duration(keepAlive()) * time.Second
		},
		ClientLimits: &s.clientLimits.p,
		BindLoops: func(loops []*protocol.Loop) {
			s.loops = loops
			for i, l := range loops {
				shards[i].SetWaker(l)
				shards[i].OnReady(func() { s.serveReady(i) })
			}
		},
	}
	s.httpOptions(&opts)
	if err := s.memcacheOptions(&opts); err != nil {
		return err
	}
	s.net = protocol.NewServer(opts)
	s.persistConfig()
	if err := s.cronConfig(); err != nil {
		return err
	}
	if _, err := s.net.Start(); err != nil {
		return err
	}
	s.setupEviction()
	s.log.Infof("Server initialized with %d shards on %s", n, strings.Join(opts.Addrs, ", "))
	if err := s.loadAtStart(); err != nil {
		s.stopNet()
		return err
	}
	s.setupNotify()
	go s.cron()
	go s.persistCron()
	go s.snapshotCron()
	go s.sampleStats(s.adm)
	s.log.Info("Ready to accept connections")
	return nil
}

// errAppendOnly refuses CONFIG SET appendonly yes.
var errAppendOnly = errors.New("appendonly yes is not supported: this version of Anax keeps no append-only file")

// refuseAppendOnly deals with appendonly, which this version accepts but
// cannot honour (there is no append-only file; RDB snapshots are the only
// persistence): a
// yes from the file, the environment or a flag starts the server with a
// warning, so a configuration written for Redis still loads, and CONFIG SET
// appendonly yes is refused from then on (even when the server started with
// yes), so nobody turns it on at run time believing it works.
func (s *Server) refuseAppendOnly() {
	if s.cfg.Bool("appendonly") {
		s.log.Warn("WARNING appendonly yes has no effect: this version of Anax keeps no append-only file (it persists through RDB snapshots only: save, BGSAVE, SHUTDOWN)")
	}
	s.cfg.Validate("appendonly", func(v string) error {
		if v == "yes" {
			return errAppendOnly
		}
		return nil
	})
}

// errListCompress refuses CONFIG SET list-compress-depth above 0.
var errListCompress = errors.New("list-compress-depth above 0 is not supported: this version of Anax does not compress list nodes")

// refuseListCompress deals with list-compress-depth as refuseAppendOnly
// does with appendonly: list nodes are never compressed, so a depth above
// 0 from the configuration starts the server with a warning and CONFIG SET
// refuses one.
func (s *Server) refuseListCompress() {
	if s.cfg.Int("list-compress-depth") != 0 {
		s.log.Warn("WARNING list-compress-depth has no effect: this version of Anax does not compress list nodes")
	}
	s.cfg.Validate("list-compress-depth", func(v string) error {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n != 0 {
			return errListCompress
		}
		return nil
	})
}

// initShards builds the shards, the router and the command table; Start
// binds them to event loops.
func (s *Server) initShards() []*shard.Shard {
	n := Threads(s.cfg)
	dbnum := int(s.cfg.Int("databases"))
	shards := make([]*shard.Shard, n)
	for i := range shards {
		shards[i] = shard.New(i, dbnum)
		shards[i].OnKeyEvent(func(db int, ev shard.KeyEvent, key []byte) { s.shardEvent(i, db, ev, key) })
	}
	s.router = txn.New(shards)
	s.registerAll(n)
	s.initLatency(n)
	s.initTracking(n)
	s.loopExec = make([]*command.Exec, n)
	s.execFree = make([][]*command.Exec, n)
	s.errStats = make([]errStats, n)
	s.batch = make([]batchState, n)
	for i := range s.loopExec {
		s.loopExec[i] = &command.Exec{Env: s}
		s.errStats[i].counts = map[string]int64{}
	}
	return shards
}

// listenAddrs returns host:port for every bind address that can be used
// here ("-" prefixes, which Redis uses to mark optional addresses, are
// dropped).
func (s *Server) listenAddrs(port int) []string {
	var addrs []string
	for _, b := range s.cfg.Strings("bind") {
		b = strings.TrimPrefix(b, "-")
		if strings.Contains(b, ":") {
			addrs = append(addrs, fmt.Sprintf("[%s]:%d", b, port))
		} else {
			addrs = append(addrs, fmt.Sprintf("%s:%d", b, port))
		}
	}
	return s.usableAddrs(addrs)
}

// usableAddrs drops IPv6 addresses when the machine has no IPv6 (as Redis
// does for a bind of "* -::*"), keeping at least one address.
func (s *Server) usableAddrs(addrs []string) []string {
	var out []string
	for _, a := range addrs {
		if strings.HasPrefix(a, "[") && !haveIPv6() {
			s.log.Warnf("IPv6 is not available here: not listening on %s", a)
			continue
		}
		out = append(out, a)
	}
	return out
}

// closeIdleClients enforces the timeout setting: clients idle for longer
// than timeout seconds are closed, as Redis does (0 disables it).
func (s *Server) closeIdleClients(now time.Time) {
	timeout := s.cfg.Int("timeout")
	if timeout <= 0 {
		return
	}
	limit := now.UnixMilli() - timeout*1000
	for _, cl := range s.clients.snapshot() {
		// As in Redis, a client waiting in a blocking command (BLPOP...)
		// is not idle, nor is a subscribed client.
		if cl.blocked.Load() != nil || cl.postponed.Load() || cl.ps.Active() {
			continue
		}
		if cl.lastInteraction.Load() < limit {
			s.log.Debugf("Closing idle client %d", cl.ID)
			cl.killed.Store(true)
			cl.conn.Kill()
		}
	}
}

// cron posts the periodic work (active expiry, memory publishing) to every
// shard at hz times per second.
func (s *Server) cron() {
	lastIdleCheck := time.Now()
	for {
		hz := s.cfg.Int("hz")
		if hz < 1 {
			hz = 1
		}
		if hz > 500 {
			hz = 500
		}
		select {
		case <-s.shutdown:
			return
		case <-time.After(time.Second / time.Duration(hz)):
		}
		if time.Since(lastIdleCheck) >= time.Second {
			lastIdleCheck = time.Now()
			s.closeIdleClients(lastIdleCheck)
		}
		s.checkMemory(true)
		now := time.Now().UnixMilli()
		effort := int(s.cfg.Int("active-expire-effort"))
		for i, sh := range s.router.Shards() {
			i, sh := i, sh
			sh.Post(func() {
				// A transaction between hops must find its keys as it left
				// them: no active expiry while any lock is held (lazy expiry
				// still runs, inside the commands that hold the locks).
				e := effort
				if !s.router.Idle(i) {
					e = 0
				}
				sh.Tick(now, e, !s.activeExpireOff.Load())
				s.publishLoop(i)
			})
		}
	}
}

// Wait blocks until SHUTDOWN.
func (s *Server) Wait() { <-s.shutdown }

// Shutdown stops serving.
func (s *Server) Shutdown() {
	s.stopOnce.Do(func() {
		close(s.shutdown)
	})
}

func (s *Server) countError(x *command.Exec, msg string) {
	idx := 0
	if x.Home != nil {
		idx = x.Home.ID
	}
	s.countErrorPrefix(idx, msg)
}

func (s *Server) countErrorPrefix(idx int, msg string) {
	prefix := msg
	if i := strings.IndexByte(msg, ' '); i >= 0 {
		prefix = msg[:i]
	}
	es := &s.errStats[idx]
	es.mu.Lock()
	es.counts[prefix]++
	es.total++
	es.mu.Unlock()
}

// errorCounts sums every loop's error replies by prefix (ERR, WRONGTYPE...).
func (s *Server) errorCounts() map[string]int64 {
	counts := map[string]int64{}
	for i := range s.errStats {
		es := &s.errStats[i]
		es.mu.Lock()
		for k, v := range es.counts {
			counts[k] += v
		}
		es.mu.Unlock()
	}
	return counts
}

// rand returns a pseudo-random number (xorshift; not for security).
func (s *Server) rand() uint64 {
	for {
		old := s.rngState.Load()
		x := old
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		if s.rngState.CompareAndSwap(old, x) {
			return x
		}
	}
}

func randomHex(n int) string {
	b := make([]byte, n/2)
	f, err := os.Open("/dev/urandom")
	if err == nil {
		_, _ = f.Read(b)
		f.Close()
	}
	return fmt.Sprintf("%x", b)
}

// Stop closes every connection and the listener, and ends Wait.
func (s *Server) Stop(ctx context.Context) {
	s.Shutdown()
	if s.net != nil {
		_ = s.net.Stop(ctx)
	}
}
