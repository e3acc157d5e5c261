package server

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/protocol/memcache"
	"github.com/anaxdb/anax/server/mccmd"
	"github.com/anaxdb/anax/txn"
)

// The Memcached listener (--memcached-port, off by default).
//
// Connections accepted on that port get the memcache face (mcState) instead
// of the RESP handler; they live on the same event loops. The face parses
// the text and meta protocols (package protocol/memcache) and runs every
// command on the shard that owns its key, in database 0, which the RESP
// side shares: a memcache set is a RESP string and the other way round.
// Client flags and CAS live in the entry (see shard/db_memcache.go).
//
// A command whose key lives on the connection's own shard runs inline; one
// on another shard hops there with a copy of the request, and its reply
// slot keeps the connection's replies in order. A multi-key get runs each
// key where it lives: local keys inline, remote keys batched into one hop
// per shard, each key's VALUE in its own slot of the FIFO, then END.
// flush_all hops to every shard and holds the connection until all are
// empty, so nothing pipelined after it can see old data.
//
// With requirepass set, a connection must authenticate first, as memcached
// started with -Y requires: a set whose data block is "default <password>"
// (memcache.ParseAuth); until then every other request is refused with
// "CLIENT_ERROR unauthenticated" and runs nothing. An HTTP request line or
// Host: header (a browser made to post to this port) closes the connection
// before anything after it runs, with a security warning in the log.

// MemcachedVersion is the memcached version Anax's memcache port reports
// (version, stats): the release whose meta protocol it speaks (the E flag
// appeared in 1.6.27).
const MemcachedVersion = "1.6.27"

// mcState is the memcache face and its server-wide state. The shard
// halves of the commands, with the CAS sequences and counters they keep,
// are exec's (package server/mccmd).
type mcState struct {
	s       *Server
	exec    *mccmd.Executor
	maxItem func() int64

	conns      atomic.Int64
	totalConns atomic.Int64

	flushMu    sync.Mutex
	flushTimer *time.Timer // a pending "flush_all <delay>"
}

// mcConn is one memcache connection's state (protocol.Conn.Client).
type mcConn struct {
	p   memcache.Parser
	req memcache.Request
	// authed: the connection may run commands even while requirepass is
	// set. It starts true when requirepass is empty at accept (as a RESP
	// client does) and turns true with memcached's ASCII authentication.
	authed bool
}

// memcacheOptions sets the memcache port up when memcached-port is set:
// it adds the port on every bind address to the listener and serves it
// with the memcache face.
func (s *Server) memcacheOptions(opts *protocol.Options) error {
	port := int(s.cfg.Int("memcached-port"))
	if port == 0 {
		return nil
	}
	if port == int(s.cfg.Int("port")) {
		return fmt.Errorf("memcached-port %d is also the RESP port", port)
	}
	addrs := s.listenAddrs(port)
	maxItem := s.cfg.IntFunc("memcached-max-item-size")
	m := &mcState{s: s, exec: mccmd.NewExecutor(s.router.Shards(), maxItem), maxItem: maxItem}
	opts.Addrs = append(opts.Addrs, addrs...)
	if opts.PortFaces == nil {
		opts.PortFaces = map[int]protocol.Face{}
	}
	opts.PortFaces[port] = m
	s.log.Infof("Memcached protocol on %s", strings.Join(addrs, ", "))
	if s.requirePass() != "" {
		s.log.Infof("Memcached port requires authentication (requirepass is set): a client's first request must be a set whose data is \"default <password>\", as with memcached -Y")
	}
	return nil
}

// Refusal implements protocol.Refuser: memcached's line for a connection
// over maxconns, and a server error for one refused by protected mode.
func (m *mcState) Refusal(why protocol.RefuseReason) []byte {
	if why == protocol.RefuseProtected {
		return []byte("SERVER_ERROR protected mode: no password is set, so only loopback clients may connect\r\n")
	}
	return []byte("ERROR Too many open connections\r\n")
}

// Open implements protocol.Face.
func (m *mcState) Open(c *protocol.Conn) {
	c.Client = &mcConn{authed: m.s.requirePass() == ""}
	m.conns.Add(1)
	m.totalConns.Add(1)
}

// Close implements protocol.Face.
func (m *mcState) Close(c *protocol.Conn) { m.conns.Add(-1) }

// Need implements protocol.FaceNeeder: a storage command waiting for a
// large data block is not looked at again until the block is buffered.
func (m *mcState) Need(c *protocol.Conn) int { return c.Client.(*mcConn).p.Need() }

// Traffic implements protocol.Face: parse and run every complete request.
func (m *mcState) Traffic(c *protocol.Conn, in []byte) (int, bool) {
	mc := c.Client.(*mcConn)
	home := c.Loop()
	now := time.Now().UnixMilli()
	mc.p.MaxItemSize = int(m.maxItem())
	consumed := 0
	defer func() { m.exec.Stats(home).BytesRead.Add(uint64(consumed)) }()
	for consumed < len(in) {
		if c.OutputBlocked() {
			// Over the output high-water mark (a client that does not
			// read): Traffic runs again once the output drains.
			return consumed, false
		}
		if c.WindowFull() {
			c.Hold()
			return consumed, false
		}
		var n int
		var err error
		if mc.authed || m.s.requirePass() == "" {
			n, err = mc.p.Parse(in[consumed:], &mc.req)
		} else {
			n, err = mc.p.ParseAuth(in[consumed:], &mc.req)
		}
		if err == memcache.ErrIncomplete {
			break
		}
		if err != nil {
			switch err {
			case memcache.ErrBinary:
				m.s.log.Warnf("Memcached client %v speaks the binary protocol, which Anax does not serve: closing the connection", c.RemoteAddr())
			case memcache.ErrHTTP:
				m.s.log.Warnf("Possible SECURITY ATTACK detected. It looks like somebody is sending HTTP, POST or Host: commands to the Memcached port (client %v). This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Anax instance. Connection aborted.", c.RemoteAddr())
			default:
				m.s.log.Debugf("Memcached client %v: %v: closing the connection", c.RemoteAddr(), err)
			}
			return consumed, true
		}
		consumed += n
		r := &mc.req
		if m.refuseLoading(c, home, r) || m.refuseWrite(c, home, r) {
			continue
		}
		switch r.Cmd {
		case memcache.CmdNone:
		case memcache.CmdError:
			if !r.NoReply {
				m.replyLine(c, home, r.Err)
			}
		case memcache.CmdAuth:
			m.auth(c, mc, home, r)
		case memcache.CmdQuit:
			return consumed, true
		case memcache.CmdVersion:
			m.replyLine(c, home, "VERSION "+MemcachedVersion)
		case memcache.CmdVerbosity:
			if !r.NoReply {
				m.replyLine(c, home, "OK")
			}
		case memcache.CmdMetaNoop:
			m.replyLine(c, home, "MN")
		case memcache.CmdStats:
			m.stats(c, home, r.Args)
		case memcache.CmdFlushAll:
			if m.flushAll(c, home, r, now) {
				return consumed, false // held until every shard is flushed
			}
		case memcache.CmdGet, memcache.CmdGets, memcache.CmdGat, memcache.CmdGats:
			m.get(c, home, r, now)
		default:
			m.keyed(c, home, r, now)
		}
	}
	return consumed, false
}

// auth checks the credentials of memcached's ASCII authentication against
// the default user's: user "default", password requirepass (read now, so
// CONFIG SET applies to the next attempt).
func (m *mcState) auth(c *protocol.Conn, mc *mcConn, home int, r *memcache.Request) {
	if !m.s.checkPassword(string(r.Key), string(r.Value)) {
		m.replyLine(c, home, memcache.ReplyAuthFailure)
		return
	}
	mc.authed = true
	m.replyLine(c, home, "STORED")
}

// replyLine writes one line as the connection's next reply.
func (m *mcState) replyLine(c *protocol.Conn, home int, s string) {
	b := c.Begin()
	b = memcache.AppendLine(b, s)
	c.End(b)
	m.exec.Stats(home).BytesWritten.Add(uint64(len(s) + 2))
}

// keyed runs a single-key command on the shard that owns its key.
func (m *mcState) keyed(c *protocol.Conn, home int, r *memcache.Request, now int64) {
	router := m.s.router
	target := router.Route(r.Key)
	if target == home && (router.Idle(home) || router.Free(home, mcLocks(r.Key))) {
		b := c.Begin()
		b = m.exec.Run(home, r, now, b)
		c.End(b)
		return
	}
	// Elsewhere, or behind a transaction that holds the key: like a RESP
	// command, it waits for the transaction (see txn.Router.RunQueued).
	detached := r.Clone()
	slot := c.Defer()
	homeShard := router.Shard(home)
	run := func() {
		slot.Buf = m.exec.Run(target, detached, now, slot.Buf)
		homeShard.Post(func() { c.Complete(slot) })
	}
	router.Hop(target, func() {
		router.RunWhenFree(target, func() []txn.Lock { return mcLocks(detached.Key) }, run)
	})
}

// mcLocks is the intent lock a memcache command takes on its key: always
// exclusive (most memcache commands write, and a read that waits a little
// longer behind a transaction costs nothing in correctness).
func mcLocks(keys ...[]byte) []txn.Lock {
	locks := make([]txn.Lock, len(keys))
	for i, k := range keys {
		locks[i] = txn.Lock{FP: txn.Fingerprint(k), Mode: txn.Exclusive}
	}
	return locks
}

// mcGetBatch is the part of a multi-key get that runs on one other shard:
// runs of consecutive keys, each filling its own reply slot.
type mcGetBatch struct {
	target int
	runs   []mcGetRun
}

type mcGetRun struct {
	slot *protocol.Slot
	keys [][]byte
}

// get runs get/gets/gat/gats: each key on its shard, replies in key order.
func (m *mcState) get(c *protocol.Conn, home int, r *memcache.Request, now int64) {
	router := m.s.router
	withCAS := r.Cmd == memcache.CmdGets || r.Cmd == memcache.CmdGats
	touch := r.Cmd == memcache.CmdGat || r.Cmd == memcache.CmdGats
	var exp int64
	if touch {
		exp = memcache.ExpireAt(r.Exptime, now)
	}
	var (
		b       []byte
		open    bool
		batches []mcGetBatch
		keyBuf  []byte
		last    = -1 // the batch that received the previous key, if it was remote
	)
	for _, key := range r.Keys {
		t := router.Route(key)
		if t == home && (router.Idle(home) || router.Free(home, mcLocks(key))) {
			if !open {
				b, open = c.Begin(), true
			}
			b = m.exec.Get(home, key, withCAS, touch, exp, now, b)
			last = -1
			continue
		}
		if open {
			c.End(b)
			open = false
		}
		if keyBuf == nil {
			total := 0
			for _, k := range r.Keys {
				total += len(k)
			}
			keyBuf = make([]byte, 0, total)
		}
		start := len(keyBuf)
		keyBuf = append(keyBuf, key...)
		kc := keyBuf[start:len(keyBuf):len(keyBuf)]
		if last >= 0 && batches[last].target == t {
			run := &batches[last].runs[len(batches[last].runs)-1]
			run.keys = append(run.keys, kc)
			continue
		}
		bi := -1
		for i := range batches {
			if batches[i].target == t {
				bi = i
				break
			}
		}
		if bi < 0 {
			batches = append(batches, mcGetBatch{target: t})
			bi = len(batches) - 1
		}
		batches[bi].runs = append(batches[bi].runs, mcGetRun{slot: c.Defer(), keys: [][]byte{kc}})
		last = bi
	}
	if !open {
		b = c.Begin()
	}
	b = memcache.AppendEnd(b)
	c.End(b)
	m.exec.Stats(home).BytesWritten.Add(5)
	homeShard := router.Shard(home)
	for _, bt := range batches {
		bt := bt
		runAll := func() {
			for _, run := range bt.runs {
				for _, k := range run.keys {
					run.slot.Buf = m.exec.Get(bt.target, k, withCAS, touch, exp, now, run.slot.Buf)
				}
			}
			homeShard.Post(func() {
				for _, run := range bt.runs {
					c.Complete(run.slot)
				}
			})
		}
		router.Hop(bt.target, func() {
			router.RunWhenFree(bt.target, func() []txn.Lock {
				var keys [][]byte
				for _, run := range bt.runs {
					keys = append(keys, run.keys...)
				}
				return mcLocks(keys...)
			}, runAll)
		})
	}
}

// flushAll runs flush_all. Without a delay it empties database 0 of every
// shard and holds the connection until all are done (it reports true);
// with one it arms a timer (memcached invalidates the items older than
// the deadline when it passes, which a flush at the deadline matches). A
// new flush_all replaces a pending one.
func (m *mcState) flushAll(c *protocol.Conn, home int, r *memcache.Request, now int64) bool {
	m.exec.Stats(home).CmdFlush.Add(1)
	m.flushMu.Lock()
	if m.flushTimer != nil {
		m.flushTimer.Stop()
		m.flushTimer = nil
	}
	if r.HasDelay && r.Exptime > 0 {
		if d := time.Duration(memcache.ExpireAt(r.Exptime, now)-now) * time.Millisecond; d > 0 {
			m.flushTimer = time.AfterFunc(d, m.flushEverything)
			m.flushMu.Unlock()
			if !r.NoReply {
				m.replyLine(c, home, "OK")
			}
			return false
		}
	}
	m.flushMu.Unlock()
	slot := c.Defer()
	c.Hold()
	homeShard := m.s.router.Shard(home)
	noReply := r.NoReply
	m.flushShards(home, func() {
		if !noReply {
			slot.Buf = append(slot.Buf, "OK\r\n"...)
		}
		homeShard.Post(func() { c.Complete(slot) })
	})
	return true
}

// flushShards empties database 0 of every shard as one transaction that
// locks every shard whole, so that it waits for transactions in progress
// instead of cutting through them, then calls done. on is the shard whose
// goroutine calls it, or -1.
func (m *mcState) flushShards(on int, done func()) {
	router := m.s.router
	tx := router.NewTx()
	tx.LockAll(txn.Exclusive)
	tx.StartOn(on, func() {
		tx.HopThen(tx.Shards(), func(sh int) {
			router.Shard(sh).DB(0).Flush(time.Now().UnixMilli())
		}, true, done)
	})
}

// flushEverything empties database 0 of every shard (a delayed flush_all).
func (m *mcState) flushEverything() {
	m.flushMu.Lock()
	m.flushTimer = nil
	m.flushMu.Unlock()
	m.flushShards(-1, func() {})
}
