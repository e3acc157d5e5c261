package protocol

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// The listener. Anax accepts connections itself instead of letting gnet do
// it: gnet's acceptor stops the whole engine on the first accept error it
// does not expect (EMFILE when the process is out of file descriptors,
// ENFILE, ENOBUFS), closing every client. Here each listening socket has a
// goroutine that accepts, decides whether the peer may connect (protected
// mode, maxclients), and hands the socket to an event loop; an accept error
// is counted, logged and retried with back-off while the loops go on serving
// the clients they have.
//
// A refused peer gets one line in its own protocol (Refusal) and is closed
// at once, as Redis and memcached do; the kernel's accept queue is never
// left to fill up.

// RefuseReason is why a connection was refused at accept.
type RefuseReason int

const (
	// RefuseMaxClients: maxclients connections are open.
	RefuseMaxClients RefuseReason = iota
	// RefuseProtected: protected mode is in force and the peer is not on
	// the loopback interface.
	RefuseProtected
)

// Refuser is implemented by a Face that answers a refused connection in
// its own protocol. A RESP port answers with Redis's error lines.
type Refuser interface {
	Refusal(reason RefuseReason) []byte
}

// Redis 7's texts for refused connections.
const (
	maxClientsReply = "-ERR max number of clients reached\r\n"
	protectedReply  = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n"
)

// listener is one listening socket.
type listener struct {
	ln   net.Listener
	addr string
	face Face // nil: RESP (HTTP sniffed when Options.HTTP is set)
}

// admission is the gnet context of an admitted connection until OnOpen
// replaces it with the Conn.
type admission struct{ l *listener }

// Accept back-off: after an accept error the listener waits, doubling the
// wait from minAcceptDelay up to maxAcceptDelay while errors continue
// (net/http's rule).
const (
	minAcceptDelay = 5 * time.Millisecond
	maxAcceptDelay = time.Second
	// acceptLogEvery bounds the accept-error log lines to one per period.
	acceptLogEvery = 10 * time.Second
	// refusalTimeout bounds the write of a refusal line.
	refusalTimeout = 100 * time.Millisecond
)

// Test hooks: wrapListener injects accept errors, peerOf reports a peer
// address that loopback tests cannot have.
var (
	wrapListener = func(ln net.Listener) net.Listener { return ln }
	peerOf       = func(nc net.Conn) net.Addr { return nc.RemoteAddr() }
)

// listen opens every address of the options, each with the face of its
// port. On error it closes what it opened.
func (s *Server) listen() error {
	lc := net.ListenConfig{KeepAlive: s.opts.KeepAlive}
	if lc.KeepAlive == 0 || s.opts.KeepAliveNow != nil {
		lc.KeepAlive = -1 // 0 means "keepalive off" in Anax's options, Go's default otherwise
	}
	for _, a := range s.opts.Addrs {
		ln, err := lc.Listen(context.Background(), "tcp", a)
		if err != nil {
			s.closeListeners()
			return fmt.Errorf("cannot listen on %s: %w", a, err)
		}
		l := &listener{ln: wrapListener(ln), addr: a}
		if f, ok := s.opts.PortFaces[localPort(ln.Addr())]; ok {
			l.face = f
		}
		s.listeners = append(s.listeners, l)
	}
	return nil
}

func (s *Server) closeListeners() {
	for _, l := range s.listeners {
		_ = l.ln.Close()
	}
}

// Addrs returns the addresses the server listens on (with the ports the
// kernel chose for port 0).
func (s *Server) Addrs() []net.Addr {
	out := make([]net.Addr, len(s.listeners))
	for i, l := range s.listeners {
		out[i] = l.ln.Addr()
	}
	return out
}

// acceptLoop accepts connections on l until the server stops.
func (s *Server) acceptLoop(l *listener, wg *sync.WaitGroup) {
	defer wg.Done()
	var delay time.Duration
	for {
		nc, err := l.ln.Accept()
		if err != nil {
			if s.stopping.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			s.AcceptErrors.Add(1)
			delay = min(max(2*delay, minAcceptDelay), maxAcceptDelay)
			s.logAcceptError(l, err, delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		if f := s.opts.KeepAliveNow; f != nil {
			setKeepAlive(nc, f())
		}
		s.admit(nc, l)
	}
}

// setKeepAlive applies a TCP keepalive period to an accepted connection
// (0: off).
func setKeepAlive(nc net.Conn, d time.Duration) {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return
	}
	if d <= 0 {
		_ = tc.SetKeepAlive(false)
		return
	}
	_ = tc.SetKeepAlive(true)
	_ = tc.SetKeepAlivePeriod(d)
}

// logAcceptError logs an accept error at most once per acceptLogEvery, with
// how many were not logged.
func (s *Server) logAcceptError(l *listener, err error, delay time.Duration) {
	now := time.Now().UnixNano()
	last := s.lastAcceptLog.Load()
	if now-last < int64(acceptLogEvery) || !s.lastAcceptLog.CompareAndSwap(last, now) {
		return
	}
	hint := ""
	if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
		hint = " (out of file descriptors: raise 'ulimit -n' or lower maxclients)"
	}
	s.opts.Warnf("Error accepting a client connection on %s: %v%s; %d accept errors so far, retrying in %v",
		l.addr, err, hint, s.AcceptErrors.Load(), delay)
}

// admit decides whether nc may connect and hands it to an event loop.
func (s *Server) admit(nc net.Conn, l *listener) {
	if s.opts.Protected != nil && s.opts.Protected() && !isLoopback(peerOf(nc)) {
		s.refuse(nc, l, RefuseProtected)
		return
	}
	if s.opts.MaxClients != nil {
		if max := s.opts.MaxClients(); max > 0 && s.conns.Load() >= int64(max) {
			s.Rejected.Add(1)
			s.refuse(nc, l, RefuseMaxClients)
			return
		}
	}
	s.conns.Add(1)
	// Register dups the socket onto a loop and closes nc; the result comes
	// once the loop has opened the connection (OnOpen).
	ch, err := s.engine.Register(gnet.NewContext(gnet.NewNetConnContext(context.Background(), nc), &admission{l: l}))
	if err != nil {
		s.conns.Add(-1)
		_ = nc.Close()
		if !s.stopping.Load() {
			s.opts.Warnf("Cannot hand a client connection to an event loop: %v", err)
		}
		return
	}
	go func() {
		if res := <-ch; res.Err != nil {
			s.conns.Add(-1)
			if !s.stopping.Load() {
				s.opts.Warnf("Cannot hand a client connection to an event loop: %v", res.Err)
			}
		}
	}()
}

// refuse writes the refusal line of l's protocol and closes nc.
func (s *Server) refuse(nc net.Conn, l *listener, why RefuseReason) {
	var msg []byte
	switch r, ok := l.face.(Refuser); {
	case ok:
		msg = r.Refusal(why)
	case l.face != nil:
	case why == RefuseProtected:
		msg = []byte(protectedReply)
	default:
		msg = []byte(maxClientsReply)
	}
	if len(msg) > 0 {
		_ = nc.SetWriteDeadline(time.Now().Add(refusalTimeout))
		_, _ = nc.Write(msg)
	}
	_ = nc.Close()
}

// isLoopback reports whether a peer is on the loopback interface (what
// protected mode lets in).
func isLoopback(a net.Addr) bool {
	t, ok := a.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}
