package protocol

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// okHandler answers every command with +OK.
type okHandler struct{}

func (okHandler) Open(*Conn)       {}
func (okHandler) Close(*Conn)      {}
func (okHandler) BeginBatch(*Conn) {}
func (okHandler) EndBatch(*Conn)   {}
func (okHandler) Command(c *Conn, _ [][]byte) Result {
	b := c.Begin()
	b = append(b, "+OK\r\n"...)
	c.End(b)
	return Done
}

// logBuf collects log lines.
type logBuf struct {
	mu    sync.Mutex
	lines []string
}

func (l *logBuf) logf(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *logBuf) has(sub string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.lines {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// startTestServer runs a Server on a free loopback port with the given
// options completed; it stops with the test.
func startTestServer(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	opts.Addrs = []string{addr}
	if opts.Loops == 0 {
		opts.Loops = 2
	}
	if opts.Handler == nil {
		opts.Handler = okHandler{}
	}
	s := NewServer(opts)
	if _, err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Stop(ctx)
	})
	return s, addr
}

// roundTrip sends a PING on c and returns the reply line.
func roundTrip(t *testing.T, c net.Conn, br *bufio.Reader) string {
	t.Helper()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return "write: " + err.Error()
	}
	line, err := br.ReadString('\n')
	if err != nil {
		return "read: " + err.Error()
	}
	return line
}

func dial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

// faultyListener fails the next fail Accept calls with EMFILE, as accept(2)
// does when the process is out of file descriptors: the connection stays
// queued meanwhile and is returned by the first call that succeeds.
type faultyListener struct {
	net.Listener
	fail    atomic.Int32
	pending net.Conn // accepted from the kernel, not yet handed out
}

func (l *faultyListener) Accept() (net.Conn, error) {
	if l.pending == nil {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.pending = c
	}
	if l.fail.Load() > 0 {
		l.fail.Add(-1)
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: syscall.EMFILE}
	}
	c := l.pending
	l.pending = nil
	return c, nil
}

// withFaultyListener makes the next server's listeners faulty.
func withFaultyListener(t *testing.T) *faultyListener {
	fl := &faultyListener{}
	old := wrapListener
	wrapListener = func(ln net.Listener) net.Listener { fl.Listener = ln; return fl }
	t.Cleanup(func() { wrapListener = old })
	return fl
}

// TestAcceptErrorsBackOff: accept errors (here EMFILE) are counted, logged
// and retried while the clients already connected are served; the
// listener never stops.
func TestAcceptErrorsBackOff(t *testing.T) {
	fl := withFaultyListener(t)
	var log logBuf
	var fatal atomic.Bool
	s, addr := startTestServer(t, Options{Warnf: log.logf, OnFatal: func(error) { fatal.Store(true) }})
	a, abr := dial(t, addr)
	if got := roundTrip(t, a, abr); got != "+OK\r\n" {
		t.Fatalf("first client: %q", got)
	}
	fl.fail.Store(6)
	b, bbr := dial(t, addr) // completes in the kernel; accepted after the errors
	for i := 0; i < 20; i++ {
		if got := roundTrip(t, a, abr); got != "+OK\r\n" {
			t.Fatalf("connected client during accept errors: %q", got)
		}
	}
	if got := roundTrip(t, b, bbr); got != "+OK\r\n" {
		t.Fatalf("client accepted after the errors: %q", got)
	}
	if n := s.AcceptErrors.Load(); n != 6 {
		t.Errorf("AcceptErrors = %d, want 6", n)
	}
	if !log.has("Error accepting a client connection") || !log.has("out of file descriptors") {
		t.Errorf("no accept error logged: %q", log.lines)
	}
	if fatal.Load() {
		t.Errorf("accept errors were fatal")
	}
}

// TestProtectedModeRefusesNonLoopback: while protected mode is in force a
// peer off the loopback interface reads Redis's DENIED line and is closed;
// once it is off, the same peer is served.
func TestProtectedModeRefusesNonLoopback(t *testing.T) {
	var peer atomic.Pointer[net.TCPAddr]
	peer.Store(&net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 40000})
	old := peerOf
	peerOf = func(nc net.Conn) net.Addr {
		if p := peer.Load(); p != nil {
			return p
		}
		return nc.RemoteAddr()
	}
	t.Cleanup(func() { peerOf = old })
	var protected atomic.Bool
	protected.Store(true)
	_, addr := startTestServer(t, Options{Protected: protected.Load})
	c, br := dial(t, addr)
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	all, err := io.ReadAll(br)
	if err != nil {
		t.Fatal(err)
	}
	if string(all) != protectedReply {
		t.Errorf("refusal %q", all)
	}
	protected.Store(false)
	c, br = dial(t, addr)
	if got := roundTrip(t, c, br); got != "+OK\r\n" {
		t.Errorf("after protected mode is off: %q", got)
	}
	// Loopback peers are always let in.
	peer.Store(nil)
	protected.Store(true)
	c, br = dial(t, addr)
	if got := roundTrip(t, c, br); got != "+OK\r\n" {
		t.Errorf("loopback peer in protected mode: %q", got)
	}
}

// TestMaxClientsRefusesExcess: past maxclients open connections the next
// reads Redis's error and is closed, and is counted; a freed place is
// taken again.
func TestMaxClientsRefusesExcess(t *testing.T) {
	s, addr := startTestServer(t, Options{MaxClients: func() int { return 3 }})
	var open []net.Conn
	for i := 0; i < 3; i++ {
		c, br := dial(t, addr)
		if got := roundTrip(t, c, br); got != "+OK\r\n" {
			t.Fatalf("client %d: %q", i, got)
		}
		open = append(open, c)
	}
	c, br := dial(t, addr)
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if all, _ := io.ReadAll(br); string(all) != maxClientsReply {
		t.Errorf("fourth client read %q", all)
	}
	if n := s.Rejected.Load(); n != 1 {
		t.Errorf("Rejected = %d, want 1", n)
	}
	open[0].Close()
	deadline := time.Now().Add(5 * time.Second)
	for s.Conns() > 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	c, br = dial(t, addr)
	if got := roundTrip(t, c, br); got != "+OK\r\n" {
		t.Errorf("client after one closed: %q", got)
	}
}

// TestEngineStopIsFatal: event loops that stop while nobody stopped the
// server are reported to OnFatal (the server's ends the process).
func TestEngineStopIsFatal(t *testing.T) {
	fatal := make(chan error, 1)
	s, _ := startTestServer(t, Options{OnFatal: func(err error) { fatal <- err }})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.engine.Stop(ctx) // as if a loop had failed
	select {
	case err := <-fatal:
		if err == nil || !strings.Contains(err.Error(), "stopped unexpectedly") {
			t.Errorf("OnFatal(%v)", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("OnFatal was not called")
	}
	if !errors.Is(s.Stop(ctx), nil) {
		// Stop after the engine is gone must not hang or panic.
		t.Log("Stop after an engine stop returned an error (expected)")
	}
}
