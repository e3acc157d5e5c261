package protocol

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/panjf2000/gnet/v2"
	"golang.org/x/sys/unix"
)

// Handler is the command layer, called on the connection's loop.
type Handler interface {
	// Open is called when a client connects.
	Open(c *Conn)
	// Command handles one command. It produces exactly one reply through
	// Begin/End or Defer, or none when the client turned replies off. It
	// returns Retry to be called again with the same command once every
	// earlier reply of the connection has been written.
	Command(c *Conn, args [][]byte) Result
	// Close is called once when the connection is gone.
	Close(c *Conn)
	// BeginBatch and EndBatch bracket the commands parsed from one read.
	BeginBatch(c *Conn)
	EndBatch(c *Conn)
}

// Result tells the loop what to do after a command.
type Result int

const (
	// Done: the command was consumed.
	Done Result = iota
	// Retry: not consumed; call again after the FIFO drains.
	Retry
)

// Options configure a Server.
type Options struct {
	Addrs        []string // host:port to listen on
	Loops        int      // event loops (= shards)
	LockOSThread bool     // lock each loop to its OS thread and pin it to a CPU
	Handler      Handler
	Limits       Limits
	Logf         func(format string, args ...any)
	// PortFaces serves the listed local ports with a Face instead of RESP
	// (the Memcached port).
	PortFaces map[int]Face
	// HTTP, when set, serves connections on RESP ports whose first line is
	// an HTTP/1.x request.
	HTTP Face
	// BindLoops is called once every loop is known and before any command
	// is served, so the caller can bind its shards to the loops.
	BindLoops func(loops []*Loop)

	// Warnf logs what an operator must see (accept errors, refused or
	// closed clients, the event loops' own errors).
	Warnf func(format string, args ...any)
	// OnFatal is called when the event loops stop while the server was not
	// being stopped: nothing is served any more, and the process should
	// end. nil: log and panic.
	OnFatal func(err error)
	// MaxClients returns how many connections (every port together) may be
	// open; the next is refused. nil or <= 0: no limit.
	MaxClients func() int
	// Protected reports whether protected mode is in force: peers that are
	// not on the loopback interface are refused.
	Protected func() bool
	// KeepAlive is the TCP keepalive period of accepted connections
	// (0: off).
	KeepAlive time.Duration
	// KeepAliveNow, when set, is read at each accept instead of KeepAlive,
	// so that a change (CONFIG SET tcp-keepalive) applies to the
	// connections accepted after it.
	KeepAliveNow func() time.Duration
	// ClientLimits holds client-query-buffer-limit and
	// client-output-buffer-limit, replaced whole when CONFIG SET changes
	// one, so that connections already open apply the new value. nil: no
	// limits (output backpressure still applies).
	ClientLimits *atomic.Pointer[ClientLimits]
}

// Limits bound what one client may make the server hold.
type Limits struct {
	MaxBulkLen int64
	MaxPending int // pending reply slots before parsing pauses
}

// Loop is one event loop; its Wake runs a function on the loop goroutine.
type Loop struct {
	Index int
	el    gnet.EventLoop
	ow    outputWatch // loop goroutine only
	io    idleOutput  // loop goroutine only
	// spares: heap input buffers its connections let go (loop goroutine only).
	spares inputSpares
	// netIn and netOut count the bytes the loop's connections read and
	// handed to the socket (loop goroutine only: no atomic on the hot
	// path); PublishNet copies them to pubIn and pubOut for other
	// goroutines.
	netIn, netOut int64
	pubIn, pubOut atomic.Int64

	// inTurn says a callback of the loop is running (OnTraffic, a Wake);
	// dirty holds the connections outside their own batch that got a
	// finished reply during it, written once when it ends (endTurn) rather
	// than once per reply: a PUBLISH batch reaching a subscriber on this
	// loop is one write to it, not one per message. Loop goroutine only.
	inTurn bool
	dirty  []*Conn
	// turns counts the loop's turns; yielded is when it last gave way
	// to the Go scheduler (endTurn). Loop goroutine only.
	turns   uint32
	yielded time.Time

	// later holds the connections with replies to write (a batch's, or a
	// push from CompleteLater) once the loop's current round of I/O events
	// is handled, as Redis writes its clients before it sleeps: every
	// publisher of the round has then added its messages, a subscriber
	// gets them in one write, and a client gets the round's replies in one
	// burst (Conn.flushAfterRound). flushPending writes them, run by gnet's
	// task queue (taskQueued: a task is queued) or by the loop's waker
	// (wakeQueued: its byte is written). Loop goroutine only.
	later      []*Conn
	taskQueued bool
	wakeQueued bool
	flushTask  gnet.Runnable // flushLater, made once (a method value allocates)
	// wakeFD is the writing end of the loop's waker (armWakers): a byte
	// written to it makes the loop run flushPending in its next round. 0:
	// none yet, gnet's task queue serves instead.
	wakeFD int
}

// wakeBytes is what queueFlushWaker writes to a loop's waker: two bytes,
// so that gnet's edge-triggered read (which reads again while a read got
// fewer than its chunk of 2 bytes) takes them in one read instead of
// following it with one that finds nothing.
var wakeBytes = []byte{1, 1}

// queueFlushTask makes sure flushLater runs after the I/O events of the
// loop's next round, through gnet's task queue (it allocates a closure per
// call: pushes only).
func (l *Loop) queueFlushTask() {
	if l.taskQueued {
		return
	}
	l.taskQueued = true
	if l.flushTask == nil {
		l.flushTask = gnet.RunnableFunc(l.flushLater)
	}
	_ = l.el.Execute(context.Background(), l.flushTask)
}

// queueFlushWaker makes sure flushPending runs in the loop's next round,
// through the loop's waker, a socket the loop itself polls: unlike gnet's
// task queue it allocates nothing.
func (l *Loop) queueFlushWaker() {
	if l.wakeQueued || l.taskQueued {
		return // a flush is queued already
	}
	if l.wakeFD != 0 {
		for {
			// Raw: a write to a non-blocking socket cannot block (Conn.write).
			_, _, errno := unix.RawSyscall(unix.SYS_WRITE, uintptr(l.wakeFD), uintptr(unsafe.Pointer(&wakeBytes[0])), uintptr(len(wakeBytes)))
			if errno == 0 {
				l.wakeQueued = true
				return
			}
			if errno != unix.EINTR {
				break // the waker is gone (the server stops): fall back
			}
		}
	}
	l.queueFlushTask()
}

// loopWaker is the context of a loop's waker connection (armWakers).
type loopWaker struct{ l *Loop }

// armWakers gives every loop a waker: a pair of connected sockets (in
// Linux's abstract namespace, private to the process) whose reading end the
// loop polls like a client connection. Written to, it wakes the loop in its
// next round, where OnTraffic runs flushPending; unlike gnet's task queue it
// allocates nothing.
func (s *Server) armWakers() error {
	name := fmt.Sprintf("@anax-waker-%d-%p", os.Getpid(), s)
	ln, err := net.Listen("unix", name)
	if err != nil {
		return fmt.Errorf("cannot open the loop wakers' listener: %w", err)
	}
	defer ln.Close()
	for _, l := range s.loops {
		d, err := net.Dial("unix", name)
		if err != nil {
			return fmt.Errorf("cannot open a loop waker: %w", err)
		}
		peer, err := ln.Accept()
		if err != nil {
			d.Close()
			return fmt.Errorf("cannot open a loop waker: %w", err)
		}
		ch, err := l.el.Enroll(gnet.NewContext(context.Background(), &loopWaker{l}), d)
		if err == nil {
			if res := <-ch; res.Err != nil {
				err = res.Err
			}
		}
		d.Close() // gnet polls its own duplicate
		if err != nil {
			peer.Close()
			return fmt.Errorf("cannot register a loop waker: %w", err)
		}
		// A duplicate of the writing end, which Go's net package keeps
		// non-blocking (a flag the duplicate shares).
		var fd int
		rc, err := peer.(*net.UnixConn).SyscallConn()
		if err == nil {
			cerr := rc.Control(func(pfd uintptr) { fd, err = unix.FcntlInt(pfd, unix.F_DUPFD_CLOEXEC, 3) })
			if err == nil {
				err = cerr
			}
		}
		peer.Close()
		if err != nil {
			return fmt.Errorf("cannot open a loop waker: %w", err)
		}
		l.Wake(func() { l.wakeFD = fd })
	}
	return nil
}

// flushLater is the task queueFlushTask queues.
func (l *Loop) flushLater(context.Context) error {
	l.taskQueued = false
	l.flushPending()
	return nil
}

// flushPending writes the connections waiting for the end of the round.
func (l *Loop) flushPending() {
	for i := 0; i < len(l.later); i++ {
		c := l.later[i]
		c.later = false
		c.flush()
	}
	clear(l.later)
	l.later = l.later[:0]
}

// beginTurn marks the start of a loop callback; it reports false when one
// is already running (the outer one ends the turn).
func (l *Loop) beginTurn() bool {
	if l.inTurn {
		return false
	}
	l.inTurn = true
	return true
}

// endTurn writes the connections that got replies during the turn.
func (l *Loop) endTurn() {
	for i := 0; i < len(l.dirty); i++ {
		c := l.dirty[i]
		c.dirty = false
		c.flush()
	}
	clear(l.dirty)
	l.dirty = l.dirty[:0]
	l.inTurn = false
	if l.turns++; l.turns%yieldCheckTurns == 0 {
		if now := time.Now(); now.Sub(l.yielded) > yieldEvery {
			l.yielded = now
			runtime.Gosched()
		}
	}
}

// A loop that always finds work (a saturated shard never sees epoll_wait
// come back empty, where gnet yields) would run for Go's 10 ms time slice;
// sysmon then preempts it, takes its P when that lands in a read or write,
// and goes back to waking every 20 µs: the loop moves between OS threads
// and sysmon's wake-ups preempt it (5.7 context switches per 1,000 ZPOPMIN
// at pipeline 16 on one core, against 2.2 with this yield, and Redis's 0).
// Yielding well inside the slice keeps the loop on its thread. The clock is
// read every yieldCheckTurns turns only.
const (
	yieldEvery      = 4 * time.Millisecond
	yieldCheckTurns = 64
)

// PublishNet makes the loop's byte counters visible to NetBytes. It must
// run on the loop goroutine (the server calls it from its periodic task on
// every loop, hz times a second).
func (l *Loop) PublishNet() {
	l.pubIn.Store(l.netIn)
	l.pubOut.Store(l.netOut)
}

// NetBytes returns the bytes read from and written to clients (every port
// and protocol) as the loops last published them. Safe on any goroutine.
func (s *Server) NetBytes() (in, out int64) {
	s.mu.Lock()
	loops := s.loops
	s.mu.Unlock()
	for _, l := range loops {
		in += l.pubIn.Load()
		out += l.pubOut.Load()
	}
	return in, out
}

// Wake runs fn on the loop goroutine (implements shard.Waker).
func (l *Loop) Wake(fn func()) {
	_ = l.el.Execute(context.Background(), l.turnOf(fn))
}

// Prepare binds fn once and returns what runs it on the loop goroutine, as
// Wake does, without a new closure per call (implements
// shard.PreparedWaker): a shard's inbox is woken this way on every hop.
func (l *Loop) Prepare(fn func()) (wake func()) {
	r := l.turnOf(fn)
	return func() { _ = l.el.Execute(context.Background(), r) }
}

// turnOf makes fn a turn of the loop: the connections it gives replies to
// are written when it ends.
func (l *Loop) turnOf(fn func()) gnet.Runnable {
	return gnet.RunnableFunc(func(context.Context) error {
		began := l.beginTurn()
		fn()
		if began {
			l.endTurn()
		}
		return nil
	})
}

// Server is the listener and its loops.
type Server struct {
	gnet.BuiltinEventEngine
	opts   Options
	engine gnet.Engine

	mu      sync.Mutex
	loops   []*Loop
	byLoop  map[gnet.EventLoop]*Loop
	allLoop chan struct{}
	waiting []*Conn // connections that sent data before every loop was bound

	listeners     []*listener
	acceptors     sync.WaitGroup
	stopping      atomic.Bool
	lastAcceptLog atomic.Int64
	conns         atomic.Int64 // admitted and not yet closed, every port
	watch         chan error   // the engine's end, for watchEngine

	ready            atomic.Bool
	booted           chan error
	ticking          chan struct{} // closed by the first OnTick: every gnet loop exists
	tickOnce         sync.Once
	nextID           atomic.Int64
	Clients          atomic.Int64 // RESP clients (not HTTP, not Memcached)
	TotalConnections atomic.Int64
	// Rejected counts connections refused because maxclients were open.
	Rejected atomic.Int64
	// AcceptErrors counts failed accept(2) calls (out of file descriptors,
	// memory or buffers); each is retried after a back-off.
	AcceptErrors atomic.Int64
	// OutputLimitDisconnections and QueryLimitDisconnections count the
	// clients closed for going over client-output-buffer-limit and
	// client-query-buffer-limit.
	OutputLimitDisconnections atomic.Int64
	QueryLimitDisconnections  atomic.Int64

	release memoryReleaser
}

// NewServer prepares a server; Start runs it.
func NewServer(opts Options) *Server {
	if opts.Limits.MaxPending == 0 {
		opts.Limits.MaxPending = 1024
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	if opts.Warnf == nil {
		opts.Warnf = opts.Logf
	}
	if opts.OnFatal == nil {
		opts.OnFatal = func(err error) { panic("FATAL: " + err.Error()) }
	}
	return &Server{
		opts:    opts,
		byLoop:  map[gnet.EventLoop]*Loop{},
		allLoop: make(chan struct{}),
		booted:  make(chan error, 1),
		ticking: make(chan struct{}),
	}
}

// Start listens, starts the loops and returns them once every loop is known
// (index i serves shard i). The server keeps running until Stop.
func (s *Server) Start() ([]*Loop, error) {
	if len(s.opts.Addrs) == 0 {
		return nil, errors.New("no address to listen on")
	}
	if err := s.listen(); err != nil {
		return nil, err
	}
	// gnet needs a listener of its own before it registers connections;
	// it gets a Unix socket that nobody can reach: its path is removed as
	// soon as the engine is up (see listen.go for why Anax accepts).
	dir, err := os.MkdirTemp("", "anax-engine-")
	if err == nil && len(dir) > 90 {
		// A Unix socket path must fit in 108 bytes.
		os.RemoveAll(dir)
		dir, err = os.MkdirTemp("/tmp", "anax-engine-")
	}
	if err != nil {
		s.closeListeners()
		return nil, fmt.Errorf("cannot create the event loops' private directory: %w", err)
	}
	defer os.RemoveAll(dir)
	private := "unix://" + filepath.Join(dir, "s")
	runErr := make(chan error, 1)
	go func() {
		runErr <- gnet.Rotate(s, []string{private},
			gnet.WithMulticore(true),
			gnet.WithNumEventLoop(s.opts.Loops),
			gnet.WithLockOSThread(s.opts.LockOSThread),
			gnet.WithLoadBalancing(gnet.LeastConnections),
			gnet.WithTCPNoDelay(gnet.TCPNoDelay),
			gnet.WithLogger(engineLogger{warnf: s.opts.Warnf}),
			gnet.WithTicker(true),
			// Edge-triggered: a level-triggered socket that was reported
			// goes back on epoll's ready list and is polled again in the
			// next wait only to be dropped (tcp_poll and ep_send_events:
			// ~0.8% of a pipeline-1 request's server CPU). A chunk of 1
			// (gnet rounds it to 2) keeps one read per event, as level
			// triggering has: gnet reads again only while a read got fewer
			// bytes than the chunk, and queues another read itself when
			// one fills its buffer; a read that leaves the socket empty
			// needs none, as new data raises a new edge.
			gnet.WithEdgeTriggeredIOChunk(1),
		)
	}()
	fail := func(err error) ([]*Loop, error) {
		s.closeListeners()
		return nil, err
	}
	select {
	case err := <-runErr:
		return fail(fmt.Errorf("cannot start the event loops: %w", err))
	case <-s.booted:
	}
	_ = os.Remove(filepath.Join(dir, "s"))
	select {
	case err := <-runErr:
		return fail(fmt.Errorf("cannot start the event loops: %w", err))
	case <-s.ticking:
	}
	if err := s.bindAllLoops(); err != nil {
		return fail(err)
	}
	if err := s.armWakers(); err != nil {
		return fail(err)
	}
	if s.opts.LockOSThread {
		s.pin()
	}
	if s.opts.BindLoops != nil {
		s.opts.BindLoops(s.loops)
	}
	s.ready.Store(true)
	s.mu.Lock()
	waiting := s.waiting
	s.waiting = nil
	s.mu.Unlock()
	for _, c := range waiting {
		_ = c.gc.Wake(nil)
	}
	go s.watchEngine(runErr)
	s.release.start()
	for _, l := range s.listeners {
		s.acceptors.Add(1)
		go s.acceptLoop(l, &s.acceptors)
	}
	return s.loops, nil
}

// watchEngine waits for the event loops to end. An end that Stop did not
// ask for (a loop failed) leaves a process that serves nothing: OnFatal
// decides, and the server's own OnFatal ends the process.
func (s *Server) watchEngine(runErr <-chan error) {
	err := <-runErr
	if s.stopping.Load() {
		return
	}
	if err == nil {
		err = errors.New("no error reported")
	}
	s.stopping.Store(true)
	s.closeListeners()
	s.opts.OnFatal(fmt.Errorf("the event loops stopped unexpectedly: %w", err))
}

// OnTick runs on gnet's ticker goroutine, which gnet starts only after it
// has created every loop: its first call tells Start that the engine is
// complete (and gives the race detector the ordering it needs).
func (s *Server) OnTick() (time.Duration, gnet.Action) {
	s.tickOnce.Do(func() { close(s.ticking) })
	return time.Second, gnet.None
}

// OnBoot records the engine.
func (s *Server) OnBoot(e gnet.Engine) gnet.Action {
	s.engine = e
	s.booted <- nil
	return gnet.None
}

// bindAllLoops discovers every gnet loop: gnet has no API to list them, so
// the server opens loopback connections to itself, which the
// least-connections balancer spreads one per loop; OnOpen records each
// connection's loop.
func (s *Server) bindAllLoops() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("cannot open the loop-discovery listener: %w", err)
	}
	defer ln.Close()
	// The peers stay open until every loop is known: a closed peer would
	// close its anchor and lower that loop's count, and the balancer would
	// put the next anchor on the same loop again.
	var anchors []gnet.Conn
	var peers []net.Conn
	defer func() {
		for _, a := range anchors {
			_ = a.Close()
		}
		for _, p := range peers {
			_ = p.Close()
		}
	}()
	for tries := 0; tries < 8*s.opts.Loops+8; tries++ {
		select {
		case <-s.allLoop:
			return nil
		default:
		}
		d, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			return err
		}
		peer, err := ln.Accept()
		if err != nil {
			d.Close()
			return err
		}
		ch, err := s.engine.Register(gnet.NewContext(gnet.NewNetConnContext(context.Background(), d), anchorMark))
		if err != nil {
			d.Close()
			peer.Close()
			return fmt.Errorf("cannot register a loop-discovery connection: %w", err)
		}
		res := <-ch
		d.Close()
		peers = append(peers, peer)
		if res.Err != nil {
			return res.Err
		}
		anchors = append(anchors, res.Conn)
	}
	select {
	case <-s.allLoop:
		return nil
	case <-time.After(5 * time.Second):
		return errors.New("could not discover every event loop")
	}
}

func (s *Server) loopOf(el gnet.EventLoop) *Loop {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.byLoop[el]; ok {
		return l
	}
	if len(s.loops) >= s.opts.Loops {
		panic("BUG: more event loops than configured")
	}
	l := &Loop{Index: len(s.loops), el: el}
	s.loops = append(s.loops, l)
	s.byLoop[el] = l
	if len(s.loops) == s.opts.Loops {
		close(s.allLoop)
	}
	return l
}

// pin locks each loop to one CPU (its OS thread is already locked).
func (s *Server) pin() {
	ncpu := runtime.NumCPU()
	var wg sync.WaitGroup
	for _, l := range s.loops {
		wg.Add(1)
		cpu := l.Index % ncpu
		l.Wake(func() {
			defer wg.Done()
			var set unix.CPUSet
			set.Set(cpu)
			if err := unix.SchedSetaffinity(0, &set); err != nil {
				s.opts.Logf("cannot pin loop to CPU %d: %v", cpu, err)
			}
		})
	}
	wg.Wait()
}

// Stop closes the listeners and every connection.
func (s *Server) Stop(ctx context.Context) error {
	s.stopping.Store(true)
	s.closeListeners()
	s.acceptors.Wait()
	s.release.stop()
	return s.engine.Stop(ctx)
}

// Conns returns how many connections are open on every port (what
// maxclients bounds). Safe from any goroutine.
func (s *Server) Conns() int64 { return s.conns.Load() }

// OnOpen creates the connection state.
func (s *Server) OnOpen(gc gnet.Conn) ([]byte, gnet.Action) {
	l := s.loopOf(gc.EventLoop())
	if _, waker := gc.Context().(*loopWaker); waker || gc.Context() == anchorMark {
		return nil, gnet.None // a loop-discovery connection or a waker: no client state
	}
	adm, ok := gc.Context().(*admission)
	if !ok {
		return nil, gnet.Close // not accepted by a listener of ours
	}
	c := &Conn{srv: s, gc: gc, loop: l, ID: s.nextID.Add(1), Created: time.Now(),
		remote: gc.RemoteAddr(), local: gc.LocalAddr(), window: initialWindow}
	c.lim = s.opts.Limits
	c.in.spares = &l.spares
	gc.SetContext(c)
	if f := adm.l.face; f != nil {
		c.face = f
		c.sniffed = true
		f.Open(c)
		return nil, gnet.None
	}
	c.sniffed = s.opts.HTTP == nil
	s.Clients.Add(1)
	s.TotalConnections.Add(1)
	s.opts.Handler.Open(c)
	return nil, gnet.None
}

// anchorMark is the context of loop-discovery connections.
var anchorMark = &struct{ name string }{"anchor"}

// OnClose tears the connection state down.
func (s *Server) OnClose(gc gnet.Conn, err error) gnet.Action {
	c, ok := gc.Context().(*Conn)
	if !ok {
		if _, admitted := gc.Context().(*admission); admitted {
			s.conns.Add(-1) // closed before OnOpen
		}
		return gnet.None
	}
	if c.closed {
		return gnet.None
	}
	if !c.aborted && errors.Is(err, io.EOF) {
		// The peer ended its input. Replies waiting for the end of the
		// round (flushAfterRound): a client that sent its last commands
		// and shut its side down (a script piping into a socket) still
		// gets them, as gnet writes what is buffered once OnClose returns;
		// replies still pending on other shards go to a duplicate of the
		// socket (adopt). Not after a failed write (the socket is broken,
		// and this OnClose may run inside writeReady).
		c.writeReady()
		c.adopt()
	}
	c.closed = true
	s.conns.Add(-1)
	if !c.busy {
		c.release()
	}
	if c.face != nil {
		c.face.Close(c)
		return gnet.None
	}
	s.Clients.Add(-1)
	s.opts.Handler.Close(c)
	return gnet.None
}

// OnTraffic parses and dispatches every complete command buffered.
func (s *Server) OnTraffic(gc gnet.Conn) gnet.Action {
	c, ok := gc.Context().(*Conn)
	if !ok {
		if w, waker := gc.Context().(*loopWaker); waker {
			_, _ = gc.Discard(-1)
			if w.l.wakeQueued {
				w.l.wakeQueued = false
				w.l.flushPending()
			}
			return gnet.None
		}
		return gnet.Close
	}
	if !s.ready.Load() {
		s.mu.Lock()
		s.waiting = append(s.waiting, c)
		s.mu.Unlock()
		return gnet.None
	}
	l := c.loop
	began := l.beginTurn()
	a := c.process()
	if began {
		l.endTurn()
	}
	return a
}

// engineLogger passes gnet's warnings and errors on to the server's log:
// an event loop's failure must never go unseen.
type engineLogger struct{ warnf func(string, ...any) }

func (engineLogger) Debugf(string, ...any) {}
func (engineLogger) Infof(string, ...any)  {}
func (l engineLogger) Warnf(format string, args ...any) {
	l.warnf("event loop: "+format, args...)
}
func (l engineLogger) Errorf(format string, args ...any) {
	l.warnf("event loop: "+format, args...)
}
func (engineLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}
