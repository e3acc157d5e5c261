//go:build linux

package main

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
	"syscall"
	"time"
)

const defaultEngine = "epoll"

// The epoll engine works like redis-benchmark's event loop: GOMAXPROCS
// loops, each on its own locked OS thread with its own epoll set, each
// owning a share of the connections. Sockets are made with raw system
// calls so Go's netpoller never sees them. A connection reads only when
// epoll says it is readable, so at pipeline 1 a request costs one write,
// one read and a share of one epoll_wait, where a goroutine per
// connection pays an extra read that finds nothing.

// epConn is one connection of a loop.
type epConn struct {
	fd      int
	w       *worker
	g       *gen
	rd      *reader
	out     []byte // the pipeline being written
	off     int    // bytes of out written
	sent    time.Duration
	pending int  // replies still due for the pipeline in flight
	armed   bool // EPOLLOUT is on: out did not fit the socket buffer
}

func runEpoll(o *options, t0 time.Time, workers []*worker, gens []*gen) error {
	loops := min(runtime.GOMAXPROCS(0), len(workers))
	errs := make([]error, loops)
	var wg sync.WaitGroup
	for l := range loops {
		var conns []*epConn
		for i := l; i < len(workers); i += loops {
			conns = append(conns, &epConn{w: workers[i], g: gens[i], rd: &reader{buf: make([]byte, 64<<10), t0: t0}})
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			errs[l] = epollLoop(o, t0, conns)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func rawDial(addr string) (int, error) {
	ta, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return -1, err
	}
	var sa syscall.Sockaddr
	family := syscall.AF_INET
	if ip4 := ta.IP.To4(); ip4 != nil {
		s4 := &syscall.SockaddrInet4{Port: ta.Port}
		copy(s4.Addr[:], ip4)
		sa = s4
	} else {
		family = syscall.AF_INET6
		s6 := &syscall.SockaddrInet6{Port: ta.Port}
		copy(s6.Addr[:], ta.IP.To16())
		sa = s6
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if err := syscall.Connect(fd, sa); err != nil {
		syscall.Close(fd)
		return -1, fmt.Errorf("connect %s: %w", addr, err)
	}
	if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1); err != nil {
		syscall.Close(fd)
		return -1, err
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return -1, err
	}
	return fd, nil
}

func epollLoop(o *options, t0 time.Time, conns []*epConn) error {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return err
	}
	defer syscall.Close(epfd)
	byFd := map[int]*epConn{}
	defer func() {
		for _, c := range conns {
			if c.fd > 0 {
				syscall.Close(c.fd)
			}
		}
	}()
	for _, c := range conns {
		if c.fd, err = rawDial(o.addr); err != nil {
			return err
		}
		byFd[c.fd] = c
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(c.fd)}
		if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, c.fd, &ev); err != nil {
			return err
		}
	}
	measureFrom, measureTo := o.warmup, o.warmup+o.duration
	deadline := measureTo + o.timeout
	live := len(conns)
	for _, c := range conns {
		if err := c.send(epfd, t0); err != nil {
			return err
		}
	}
	events := make([]syscall.EpollEvent, len(conns))
	var next []*epConn // connections whose pipeline completed in this round
	for live > 0 {
		if time.Since(t0) > deadline {
			return fmt.Errorf("%d connections still waiting for replies %v after the end", live, o.timeout)
		}
		n, err := syscall.EpollWait(epfd, events, 100)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		for i := range n {
			c := byFd[int(events[i].Fd)]
			if events[i].Events&syscall.EPOLLOUT != 0 && c.off < len(c.out) {
				if err := c.flush(epfd); err != nil {
					return err
				}
			}
			if events[i].Events&(syscall.EPOLLIN|syscall.EPOLLERR|syscall.EPOLLHUP) == 0 {
				continue
			}
			if err := c.readReplies(o, measureFrom, measureTo); err != nil {
				return err
			}
			if c.pending > 0 {
				continue
			}
			if time.Since(t0) >= measureTo {
				c.w.collect(c.rd)
				live--
				if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_DEL, c.fd, nil); err != nil {
					return err
				}
				continue
			}
			next = append(next, c)
		}
		// Send the next pipelines after the whole round, as
		// redis-benchmark does (it writes on the next loop iteration):
		// the server then finds several connections ready per wake-up.
		// Writing each one as soon as its replies are in paces requests
		// out evenly and costs the server more epoll_waits per request
		// (measured against Anax at P16: 4x more, 10% fewer ops/s).
		for _, c := range next {
			if err := c.send(epfd, t0); err != nil {
				return err
			}
		}
		next = next[:0]
	}
	return nil
}

// send builds the next pipeline and writes what the socket takes.
func (c *epConn) send(epfd int, t0 time.Time) error {
	c.out = c.g.batch(c.out[:0])
	c.off = 0
	c.pending = c.g.o.pipeline
	c.sent = time.Since(t0)
	c.g.stamp(c.out, c.sent)
	return c.flush(epfd)
}

// flush writes the rest of out; a full socket buffer arms EPOLLOUT until
// it is all written.
func (c *epConn) flush(epfd int) error {
	for c.off < len(c.out) {
		n, err := syscall.Write(c.fd, c.out[c.off:])
		if err == syscall.EAGAIN {
			if c.armed {
				return nil
			}
			c.armed = true
			ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLOUT, Fd: int32(c.fd)}
			return syscall.EpollCtl(epfd, syscall.EPOLL_CTL_MOD, c.fd, &ev)
		}
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("write: %w", err)
		}
		c.off += n
	}
	if c.armed { // all written: back to reads only
		c.armed = false
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(c.fd)}
		return syscall.EpollCtl(epfd, syscall.EPOLL_CTL_MOD, c.fd, &ev)
	}
	return nil
}

// readReplies reads once and consumes every complete reply.
func (c *epConn) readReplies(o *options, measureFrom, measureTo time.Duration) error {
	rd := c.rd
	rd.room()
	n, err := syscall.Read(c.fd, rd.buf[rd.w:])
	if err == syscall.EAGAIN || err == syscall.EINTR {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("read: server closed the connection")
	}
	rd.at = time.Since(rd.t0)
	rd.w += n
	for c.pending > 0 {
		m := rd.mark()
		err := o.reply(rd)
		if err == errNeedMore {
			rd.rewind(m)
			return nil
		}
		if err != nil {
			return err
		}
		c.pending--
		if c.sent >= measureFrom && rd.at <= measureTo {
			c.w.hist.Record(int64(rd.at - c.sent))
		}
	}
	if rd.r < rd.w {
		return fmt.Errorf("protocol error: %d bytes past the replies due", rd.w-rd.r)
	}
	return nil
}
