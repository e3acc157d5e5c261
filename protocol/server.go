package protocol

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

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
}

// Limits bound what one client may make the server hold.
type Limits struct {
	MaxBulkLen      int64
	QueryBufferMax  int
	MaxPending      int // pending reply slots before parsing pauses
	RequireAuthFunc func(c *Conn) bool
}

// Loop is one event loop; its Wake runs a function on the loop goroutine.
type Loop struct {
	Index int
	el    gnet.EventLoop
}

// Wake runs fn on the loop goroutine (implements shard.Waker).
func (l *Loop) Wake(fn func()) {
	_ = l.el.Execute(context.Background(), gnet.RunnableFunc(func(context.Context) error {
		fn()
		return nil
	}))
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

	ready            atomic.Bool
	booted           chan error
	ticking          chan struct{} // closed by the first OnTick: every gnet loop exists
	tickOnce         sync.Once
	nextID           atomic.Int64
	Clients          atomic.Int64
	TotalConnections atomic.Int64
}

// NewServer prepares a server; Start runs it.
func NewServer(opts Options) *Server {
	if opts.Limits.MaxPending == 0 {
		opts.Limits.MaxPending = 1024
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
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
	addrs := make([]string, len(s.opts.Addrs))
	for i, a := range s.opts.Addrs {
		addrs[i] = "tcp://" + a
	}
	runErr := make(chan error, 1)
	go func() {
		runErr <- gnet.Rotate(s, addrs,
			gnet.WithMulticore(true),
			gnet.WithNumEventLoop(s.opts.Loops),
			gnet.WithLockOSThread(s.opts.LockOSThread),
			gnet.WithLoadBalancing(gnet.LeastConnections),
			gnet.WithTCPNoDelay(gnet.TCPNoDelay),
			gnet.WithReuseAddr(true),
			gnet.WithLogger(quietLogger{}),
			gnet.WithTicker(true),
		)
	}()
	select {
	case err := <-runErr:
		return nil, fmt.Errorf("cannot listen on %v: %w", s.opts.Addrs, err)
	case <-s.booted:
	}
	select {
	case err := <-runErr:
		return nil, fmt.Errorf("cannot start the event loops: %w", err)
	case <-s.ticking:
	}
	if err := s.bindAllLoops(); err != nil {
		return nil, err
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
	return s.loops, nil
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

// Stop closes the listener and every connection.
func (s *Server) Stop(ctx context.Context) error {
	return s.engine.Stop(ctx)
}

// OnOpen creates the connection state.
func (s *Server) OnOpen(gc gnet.Conn) ([]byte, gnet.Action) {
	l := s.loopOf(gc.EventLoop())
	if gc.Context() == anchorMark {
		return nil, gnet.None // a loop-discovery connection: no client state
	}
	c := &Conn{srv: s, gc: gc, loop: l, ID: s.nextID.Add(1), Created: time.Now(),
		remote: gc.RemoteAddr(), local: gc.LocalAddr()}
	c.lim = s.opts.Limits
	gc.SetContext(c)
	if f, ok := s.opts.PortFaces[localPort(gc.LocalAddr())]; ok {
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
func (s *Server) OnClose(gc gnet.Conn, _ error) gnet.Action {
	c, ok := gc.Context().(*Conn)
	if !ok || c.closed {
		return gnet.None
	}
	c.closed = true
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
		return gnet.Close
	}
	if !s.ready.Load() {
		s.mu.Lock()
		s.waiting = append(s.waiting, c)
		s.mu.Unlock()
		return gnet.None
	}
	return c.process()
}

type quietLogger struct{}

func (quietLogger) Debugf(string, ...any) {}
func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}
