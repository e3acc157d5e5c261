package server

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/protocol/memcache"
	"github.com/anaxdb/anax/shard"
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

// mcState is the memcache face and its server-wide state.
type mcState struct {
	s       *Server
	shards  []mcShard
	maxItem func() int64

	conns      atomic.Int64
	totalConns atomic.Int64

	flushMu    sync.Mutex
	flushTimer *time.Timer // a pending "flush_all <delay>"
}

// mcShard is the memcache state of one shard: the CAS sequence (owner
// only) and the counters behind "stats" (written by the owner, read by
// anyone).
type mcShard struct {
	cas shard.CASSeq
	st  mcStats
	_   [64]byte
}

// mcStats are memcached's command counters, named as "stats" names them.
type mcStats struct {
	cmdGet, cmdSet, cmdFlush, cmdTouch                  atomic.Uint64
	getHits, getMisses, getExpired                      atomic.Uint64
	deleteMisses, deleteHits                            atomic.Uint64
	incrMisses, incrHits, decrMisses, decrHits          atomic.Uint64
	casMisses, casHits, casBadval, touchHits, touchMiss atomic.Uint64
	totalItems, bytesRead, bytesWritten                 atomic.Uint64
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
	n := s.router.N()
	m := &mcState{s: s, shards: make([]mcShard, n), maxItem: s.cfg.IntFunc("memcached-max-item-size")}
	for i := range m.shards {
		m.shards[i].cas = shard.NewCASSeq(i, n)
	}
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
	defer func() { m.shards[home].st.bytesRead.Add(uint64(consumed)) }()
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
	m.shards[home].st.bytesWritten.Add(uint64(len(s) + 2))
}

// keyed runs a single-key command on the shard that owns its key.
func (m *mcState) keyed(c *protocol.Conn, home int, r *memcache.Request, now int64) {
	router := m.s.router
	target := router.Route(r.Key)
	if target == home && (router.Idle(home) || router.Free(home, mcLocks(r.Key))) {
		b := c.Begin()
		b = m.exec(home, r, now, b)
		c.End(b)
		return
	}
	// Elsewhere, or behind a transaction that holds the key: like a RESP
	// command, it waits for the transaction (see txn.Router.RunQueued).
	detached := r.Clone()
	slot := c.Defer()
	homeShard := router.Shard(home)
	run := func() {
		slot.Buf = m.exec(target, detached, now, slot.Buf)
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
			b = m.getOne(home, key, withCAS, touch, exp, now, b)
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
	m.shards[home].st.bytesWritten.Add(5)
	homeShard := router.Shard(home)
	for _, bt := range batches {
		bt := bt
		runAll := func() {
			for _, run := range bt.runs {
				for _, k := range run.keys {
					run.slot.Buf = m.getOne(bt.target, k, withCAS, touch, exp, now, run.slot.Buf)
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

// getOne appends one key's VALUE to out (nothing on a miss). It runs on
// the owner of shard sh.
func (m *mcState) getOne(sh int, key []byte, withCAS, touch bool, exp, now int64, out []byte) []byte {
	db := m.s.router.Shard(sh).DB(0)
	ms := &m.shards[sh]
	it, status := db.MCLookup(key, now, 0)
	if status == shard.MCExpired {
		ms.st.getExpired.Add(1)
	}
	if status != shard.MCHit {
		if touch {
			ms.st.cmdTouch.Add(1)
			ms.st.touchMiss.Add(1)
		} else {
			ms.st.cmdGet.Add(1)
			ms.st.getMisses.Add(1)
		}
		return out
	}
	h := it.Handle
	if touch {
		db.SetExpireAt(h, exp)
		ms.st.cmdTouch.Add(1)
		ms.st.touchHits.Add(1)
	} else {
		ms.st.cmdGet.Add(1)
		ms.st.getHits.Add(1)
	}
	cas := it.CAS
	switch {
	case withCAS && !it.Meta:
		cas = ms.cas.Next()
		h = db.MCSetMeta(key, h, 0, cas, shard.MCFetched)
	case it.Meta && it.Bits&shard.MCFetched == 0:
		db.MCSetBits(h, it.Bits|shard.MCFetched)
	}
	start := len(out)
	out = memcache.AppendValue(out, key, it.Flags, db.Value(h), cas, withCAS)
	ms.st.bytesWritten.Add(uint64(len(out) - start))
	return out
}

// exec runs a single-key command on the owner of shard sh and appends its
// reply to out.
func (m *mcState) exec(sh int, r *memcache.Request, now int64, out []byte) []byte {
	start := len(out)
	switch r.Cmd {
	case memcache.CmdSet, memcache.CmdAdd, memcache.CmdReplace, memcache.CmdAppend,
		memcache.CmdPrepend, memcache.CmdCas, memcache.CmdMetaSet:
		out = m.store(sh, r, now, out)
	case memcache.CmdIncr, memcache.CmdDecr, memcache.CmdMetaArithmetic:
		out = m.arith(sh, r, now, out)
	case memcache.CmdDelete, memcache.CmdMetaDelete:
		out = m.delete(sh, r, now, out)
	case memcache.CmdTouch:
		out = m.touch(sh, r, now, out)
	case memcache.CmdMetaGet:
		out = m.metaGet(sh, r, now, out)
	case memcache.CmdMetaDebug:
		out = m.metaDebug(sh, r, now, out)
	default:
		panic("BUG: memcache command " + r.Cmd.String() + " has no shard half")
	}
	m.shards[sh].st.bytesWritten.Add(uint64(len(out) - start))
	return out
}

// newCAS is the CAS a modification gives an item: the meta E token when
// given, else the shard's next.
func (m *mcState) newCAS(sh int, r *memcache.Request) uint64 {
	if r.Meta.Has('E') {
		return r.Meta.NewCAS
	}
	return m.shards[sh].cas.Next()
}

// Store outcomes, as memcached's store_item_type.
type mcStoreResult uint8

const (
	mcStored mcStoreResult = iota
	mcNotStored
	mcExists
	mcNotFound
)

var mcStoreText = [...]string{"STORED", "NOT_STORED", "EXISTS", "NOT_FOUND"}
var mcStoreMeta = [...]string{"HD", "NS", "EX", "NF"}

// store runs set/add/replace/append/prepend/cas and ms (memcached's
// do_store_item).
func (m *mcState) store(sh int, r *memcache.Request, now int64, out []byte) []byte {
	db := m.s.router.Shard(sh).DB(0)
	ms := &m.shards[sh]
	ms.st.cmdSet.Add(1)
	comm := r.Cmd
	reqCAS := r.CAS
	stale := false
	meta := r.Cmd == memcache.CmdMetaSet
	if meta {
		switch r.Meta.Mode {
		case 'E':
			comm = memcache.CmdAdd
		case 'A':
			comm = memcache.CmdAppend
		case 'P':
			comm = memcache.CmdPrepend
		case 'R':
			comm = memcache.CmdReplace
		default:
			comm = memcache.CmdSet
		}
		if r.Meta.Has('C') {
			reqCAS = r.Meta.CompareCAS
			if comm == memcache.CmdSet || comm == memcache.CmdReplace {
				comm = memcache.CmdCas
			}
		}
		stale = r.Meta.Has('I') && comm == memcache.CmdCas
	}
	key := r.Key
	it, status := db.MCLookup(key, now, shard.NoStats|shard.NoTouch)
	exists := status == shard.MCHit || status == shard.MCOtherType
	// The CAS comparison, made up front as memcached makes it. An entry
	// without a CAS yet compares as newer than any CAS a client holds.
	const (
		casNone = iota
		casMatch
		casStale
		casBad
	)
	casRes := casNone
	if reqCAS != 0 {
		switch {
		case status == shard.MCHit && it.Meta && reqCAS == it.CAS:
			casRes = casMatch
		case status == shard.MCHit && stale && (!it.Meta || reqCAS < it.CAS):
			casRes = casStale
		default:
			casRes = casBad
		}
	}
	exp := memcache.ExpireAt(r.Exptime, now)
	var bits byte
	doStore := false
	res := mcNotStored
	var cas uint64
	switch comm {
	case memcache.CmdAdd:
		doStore = !exists
	case memcache.CmdSet:
		doStore = true
	case memcache.CmdReplace:
		doStore = exists
	case memcache.CmdCas:
		switch {
		case !exists:
			res = mcNotFound
			ms.st.casMisses.Add(1)
		case casRes == casMatch:
			doStore = true
			ms.st.casHits.Add(1)
		case casRes == casStale:
			// A stale write keeps the TTL and marks the item stale.
			doStore = true
			exp = it.ExpireAt
			bits = shard.MCStale | it.Bits&shard.MCWon
			ms.st.casHits.Add(1)
		default:
			res = mcExists
			ms.st.casBadval.Add(1)
		}
	case memcache.CmdAppend, memcache.CmdPrepend:
		switch {
		case status != shard.MCHit:
		case casRes != casNone && casRes != casMatch:
			res = mcExists
		default:
			old := len(db.Value(it.Handle))
			if memcache.ItemSize(len(key), it.Flags, old+len(r.Value)) > int(m.maxItem()) {
				break // memcached cannot allocate the joined item: NOT_STORED
			}
			cas = m.newCAS(sh, r)
			db.MCConcat(key, it.Handle, r.Value, comm == memcache.CmdPrepend, cas, now)
			ms.st.totalItems.Add(1)
			res = mcStored
		}
	}
	if doStore {
		cas = m.newCAS(sh, r)
		if exp != 0 && exp <= now {
			// Stored already expired: memcached keeps it invisible; so
			// does deleting it.
			db.Delete(key)
		} else {
			db.MCStore(key, r.Value, r.Flags, cas, bits, exp, now)
		}
		ms.st.totalItems.Add(1)
		res = mcStored
	}
	if !meta {
		if r.NoReply {
			return out
		}
		return memcache.AppendLine(out, mcStoreText[res])
	}
	if res == mcStored && r.NoReply {
		return out
	}
	out = append(out, mcStoreMeta[res]...)
	for _, t := range r.Meta.Tokens {
		switch t[0] {
		case 'O':
			out = memcache.AppendMetaToken(out, t)
		case 'k':
			out = memcache.AppendMetaKey(out, key, r.Meta.Base64)
		case 'c':
			if res != mcStored {
				cas = 0
			}
			out = memcache.AppendMetaUint(out, 'c', cas)
		}
	}
	return memcache.AppendCRLF(out)
}

const errNonNumeric = "CLIENT_ERROR cannot increment or decrement non-numeric value"

// arith runs incr/decr and ma (memcached's do_add_delta).
func (m *mcState) arith(sh int, r *memcache.Request, now int64, out []byte) []byte {
	db := m.s.router.Shard(sh).DB(0)
	ms := &m.shards[sh]
	meta := r.Cmd == memcache.CmdMetaArithmetic
	incr, delta := r.Cmd == memcache.CmdIncr, r.Delta
	if meta {
		incr = r.Meta.Mode != 'D' && r.Meta.Mode != '-'
		delta = r.Meta.Delta
	}
	key := r.Key
	fail := func(msg string) []byte {
		if !meta && r.NoReply {
			return out
		}
		return memcache.AppendLine(out, msg)
	}
	it, status := db.MCLookup(key, now, shard.NoStats|shard.NoTouch)
	var digits [24]byte
	var num []byte
	var h shard.Handle
	var cas uint64
	created := false
	code := ""
	switch {
	case status == shard.MCOtherType:
		return fail(errNonNumeric)
	case status != shard.MCHit:
		if meta && r.Meta.Has('N') {
			num = strconv.AppendUint(digits[:0], r.Meta.Initial, 10)
			cas = m.newCAS(sh, r)
			h = db.MCStore(key, num, 0, cas, 0, 0, now)
			ms.st.totalItems.Add(1)
			created = true
			break
		}
		if incr {
			ms.st.incrMisses.Add(1)
		} else {
			ms.st.decrMisses.Add(1)
		}
		if !meta {
			return fail("NOT_FOUND")
		}
		code = "NF"
	default:
		val := db.Value(it.Handle)
		if len(val) == 0 {
			return fail(errNonNumeric)
		}
		if meta && r.Meta.Has('C') && r.Meta.CompareCAS != 0 && (!it.Meta || it.CAS != r.Meta.CompareCAS) {
			code = "EX"
			break
		}
		if z := indexNUL(val); z >= 0 {
			val = val[:z] // memcached reads the value as a C string
		}
		v, ok := memcache.ParseUint64(val)
		if !ok {
			return fail(errNonNumeric)
		}
		if incr {
			v += delta
			ms.st.incrHits.Add(1)
		} else {
			if delta > v {
				v = 0
			} else {
				v -= delta
			}
			ms.st.decrHits.Add(1)
		}
		num = strconv.AppendUint(digits[:0], v, 10)
		cas = m.newCAS(sh, r)
		h = it.Handle
		if cur := db.Value(h); len(num) <= len(cur) {
			// In place, padded with spaces to the old length, as memcached
			// does: decr of "100" leaves "99 ".
			n := copy(cur, num)
			for i := n; i < len(cur); i++ {
				cur[i] = ' '
			}
			h = db.MCSetMeta(key, h, it.Flags, cas, it.Bits)
		} else {
			// Too long to fit: a new item, whose bits start afresh.
			h = db.MCStore(key, num, it.Flags, cas, 0, it.ExpireAt, now)
		}
	}
	if !meta {
		if r.NoReply {
			return out
		}
		out = append(out, num...)
		return memcache.AppendCRLF(out)
	}
	if code == "" && !created && r.NoReply {
		return out
	}
	if code != "" {
		out = append(out, code...)
		for _, t := range r.Meta.Tokens {
			switch t[0] {
			case 'O':
				out = memcache.AppendMetaToken(out, t)
			case 'k':
				out = memcache.AppendMetaKey(out, key, r.Meta.Base64)
			}
		}
		return memcache.AppendCRLF(out)
	}
	if r.Meta.Has('v') {
		out = memcache.AppendMetaValue(out, len(num))
	} else {
		out = append(out, "HD"...)
	}
	curExp := db.ExpireAt(h)
	for _, t := range r.Meta.Tokens {
		switch t[0] {
		case 'c':
			out = memcache.AppendMetaUint(out, 'c', cas)
		case 't':
			out = memcache.AppendMetaInt(out, 't', memcache.TTL(curExp, now))
		case 'T':
			curExp = memcache.ExpireAt(r.Meta.TTL, now)
			db.SetExpireAt(h, curExp)
		case 'N':
			if created {
				curExp = memcache.ExpireAt(r.Meta.Vivify, now)
				db.SetExpireAt(h, curExp)
			}
		case 'O':
			out = memcache.AppendMetaToken(out, t)
		case 'k':
			out = memcache.AppendMetaKey(out, key, r.Meta.Base64)
		}
	}
	if r.Meta.Has('v') {
		out = memcache.AppendCRLF(out)
		out = append(out, num...)
	}
	return memcache.AppendCRLF(out)
}

func indexNUL(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}

// delete runs delete and md.
func (m *mcState) delete(sh int, r *memcache.Request, now int64, out []byte) []byte {
	db := m.s.router.Shard(sh).DB(0)
	ms := &m.shards[sh]
	key := r.Key
	it, status := db.MCLookup(key, now, shard.NoStats|shard.NoTouch)
	found := status == shard.MCHit || status == shard.MCOtherType
	if r.Cmd == memcache.CmdDelete {
		msg := "NOT_FOUND"
		if found {
			db.Delete(key)
			ms.st.deleteHits.Add(1)
			msg = "DELETED"
		} else {
			ms.st.deleteMisses.Add(1)
		}
		if r.NoReply {
			return out
		}
		return memcache.AppendLine(out, msg)
	}
	code := "NF"
	switch {
	case !found:
		ms.st.deleteMisses.Add(1)
	case r.Meta.Has('C') && (status != shard.MCHit || !it.Meta || it.CAS != r.Meta.CompareCAS):
		ms.st.deleteMisses.Add(1)
		code = "EX"
	case r.Meta.Has('I') && status == shard.MCHit:
		// Invalidate: keep the item, mark it stale with a new CAS, and
		// let the next client win the recache token again.
		if r.Meta.Has('T') {
			db.SetExpireAt(it.Handle, memcache.ExpireAt(r.Meta.TTL, now))
		}
		db.MCSetMeta(key, it.Handle, it.Flags, m.newCAS(sh, r), (it.Bits|shard.MCStale)&^shard.MCWon)
		code = "HD"
	default:
		db.Delete(key)
		ms.st.deleteHits.Add(1)
		code = "HD"
	}
	if code == "HD" && r.NoReply {
		return out
	}
	out = append(out, code...)
	for _, t := range r.Meta.Tokens {
		switch t[0] {
		case 'O':
			out = memcache.AppendMetaToken(out, t)
		case 'k':
			out = memcache.AppendMetaKey(out, key, r.Meta.Base64)
		}
	}
	return memcache.AppendCRLF(out)
}

// touch runs touch.
func (m *mcState) touch(sh int, r *memcache.Request, now int64, out []byte) []byte {
	db := m.s.router.Shard(sh).DB(0)
	ms := &m.shards[sh]
	ms.st.cmdTouch.Add(1)
	it, status := db.MCLookup(r.Key, now, shard.NoStats)
	msg := "NOT_FOUND"
	if status == shard.MCHit {
		db.SetExpireAt(it.Handle, memcache.ExpireAt(r.Exptime, now))
		db.MCSetBits(it.Handle, it.Bits|shard.MCFetched) // touch bumps the item, as a fetch does
		ms.st.touchHits.Add(1)
		msg = "TOUCHED"
	} else {
		ms.st.touchMiss.Add(1)
	}
	if r.NoReply {
		return out
	}
	return memcache.AppendLine(out, msg)
}

// metaGet runs mg (memcached's process_mget_command).
func (m *mcState) metaGet(sh int, r *memcache.Request, now int64, out []byte) []byte {
	db := m.s.router.Shard(sh).DB(0)
	ms := &m.shards[sh]
	key := r.Key
	noBump := r.Meta.Has('u')
	flags := 0
	if noBump {
		flags = shard.NoTouch
	}
	it, status := db.MCLookup(key, now, flags)
	if status == shard.MCExpired {
		ms.st.getExpired.Add(1)
	}
	created := false
	if status != shard.MCHit {
		if !r.Meta.Has('N') || status == shard.MCOtherType {
			ms.st.cmdGet.Add(1)
			ms.st.getMisses.Add(1)
			if r.NoReply {
				return out
			}
			out = append(out, "EN"...)
			for _, t := range r.Meta.Tokens {
				switch t[0] {
				case 'O':
					out = memcache.AppendMetaToken(out, t)
				case 'k':
					out = memcache.AppendMetaKey(out, key, r.Meta.Base64)
				}
			}
			return memcache.AppendCRLF(out)
		}
		// Vivify: an empty item the caller wins the right to fill.
		cas := m.newCAS(sh, r)
		h := db.MCStore(key, nil, 0, cas, 0, 0, now)
		ms.st.totalItems.Add(1)
		it = shard.MCItem{Handle: h, CAS: cas, Access: now / 1000, Meta: true}
		created = true
	}
	h := it.Handle
	if r.Meta.Has('v') {
		out = memcache.AppendMetaValue(out, len(db.Value(h)))
	} else {
		out = append(out, "HD"...)
	}
	bits, cas, curExp := it.Bits, it.CAS, it.ExpireAt
	won, ttlSet := false, false
	for _, t := range r.Meta.Tokens {
		switch t[0] {
		case 'T':
			ttlSet = true
			curExp = memcache.ExpireAt(r.Meta.TTL, now)
			db.SetExpireAt(h, curExp)
		case 'N':
			if created {
				curExp = memcache.ExpireAt(r.Meta.Vivify, now)
				db.SetExpireAt(h, curExp)
				won = true
			}
		case 'R':
			if bits&shard.MCWon == 0 && !created && curExp != 0 && curExp < memcache.ExpireAt(r.Meta.Recache, now) {
				won = true
			}
		case 's':
			out = memcache.AppendMetaUint(out, 's', uint64(len(db.Value(h))))
		case 't':
			out = memcache.AppendMetaInt(out, 't', memcache.TTL(curExp, now))
		case 'c':
			if !it.Meta {
				cas = ms.cas.Next()
				h = db.MCSetMeta(key, h, 0, cas, bits)
				it.Meta = true
			}
			out = memcache.AppendMetaUint(out, 'c', cas)
		case 'f':
			out = memcache.AppendMetaUint(out, 'f', uint64(it.Flags))
		case 'l':
			out = memcache.AppendMetaInt(out, 'l', max(now/1000-it.Access, 0))
		case 'h':
			out = memcache.AppendMetaUint(out, 'h', uint64(bits&shard.MCFetched))
		case 'O':
			out = memcache.AppendMetaToken(out, t)
		case 'k':
			out = memcache.AppendMetaKey(out, key, r.Meta.Base64)
		}
	}
	if bits&shard.MCWon != 0 {
		out = memcache.AppendMetaFlag(out, 'Z')
	}
	if bits&shard.MCStale != 0 {
		out = memcache.AppendMetaFlag(out, 'X')
		if bits&shard.MCWon == 0 {
			won = true
		}
	}
	if won {
		out = memcache.AppendMetaFlag(out, 'W')
		bits |= shard.MCWon
	}
	out = memcache.AppendCRLF(out)
	if r.Meta.Has('v') {
		out = append(out, db.Value(h)...)
		out = memcache.AppendCRLF(out)
	}
	if !noBump {
		bits |= shard.MCFetched
	}
	switch {
	case it.Meta && bits != it.Bits:
		db.MCSetBits(h, bits)
	case !it.Meta && bits&^shard.MCFetched != 0:
		// Recording a win on an entry written through RESP needs its
		// metadata; a plain fetch does not pay for it.
		db.MCSetMeta(key, h, 0, ms.cas.Next(), bits)
	}
	if ttlSet {
		ms.st.cmdTouch.Add(1)
		ms.st.touchHits.Add(1)
	} else {
		ms.st.cmdGet.Add(1)
		ms.st.getHits.Add(1)
	}
	return out
}

// metaDebug runs me.
func (m *mcState) metaDebug(sh int, r *memcache.Request, now int64, out []byte) []byte {
	db := m.s.router.Shard(sh).DB(0)
	it, status := db.MCLookup(r.Key, now, shard.NoStats|shard.NoTouch)
	if status != shard.MCHit {
		return memcache.AppendLine(out, "EN")
	}
	out = append(out, "ME "...)
	if r.Meta.Base64 {
		out = memcache.AppendBase64(out, r.Key)
	} else {
		out = append(out, r.Key...)
	}
	out = append(out, " exp="...)
	out = strconv.AppendInt(out, memcache.TTL(it.ExpireAt, now), 10)
	out = append(out, " la="...)
	out = strconv.AppendInt(out, max(now/1000-it.Access, 0), 10)
	out = append(out, " cas="...)
	out = strconv.AppendUint(out, it.CAS, 10)
	if it.Bits&shard.MCFetched != 0 {
		out = append(out, " fetch=yes"...)
	} else {
		out = append(out, " fetch=no"...)
	}
	out = append(out, " cls=1 size="...)
	out = strconv.AppendInt(out, int64(db.SizeOf(it.Handle)), 10)
	return memcache.AppendCRLF(out)
}

// flushAll runs flush_all. Without a delay it empties database 0 of every
// shard and holds the connection until all are done (it reports true);
// with one it arms a timer (memcached invalidates the items older than
// the deadline when it passes, which a flush at the deadline matches). A
// new flush_all replaces a pending one.
func (m *mcState) flushAll(c *protocol.Conn, home int, r *memcache.Request, now int64) bool {
	m.shards[home].st.cmdFlush.Add(1)
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

// stats runs stats: the general statistics memcached_exporter reads,
// "settings", "reset"; the per-slab and per-item breakdowns are empty.
func (m *mcState) stats(c *protocol.Conn, home int, args [][]byte) {
	b := c.Begin()
	start := len(b)
	switch {
	case len(args) == 0:
		b = m.generalStats(b)
	case string(args[0]) == "reset":
		m.resetStats()
		b = memcache.AppendLine(b, "RESET")
	case string(args[0]) == "settings":
		b = m.settingsStats(b)
	case string(args[0]) == "detail":
		b = memcache.AppendLine(b, "CLIENT_ERROR usage: stats detail on|off|dump")
	case string(args[0]) == "items", string(args[0]) == "slabs", string(args[0]) == "sizes", string(args[0]) == "conns":
		b = memcache.AppendEnd(b)
	default:
		b = memcache.AppendLine(b, "ERROR")
	}
	c.End(b)
	m.shards[home].st.bytesWritten.Add(uint64(len(b) - start))
}

func (m *mcState) generalStats(b []byte) []byte {
	var sum struct {
		cmdGet, cmdSet, cmdFlush, cmdTouch, getHits, getMisses, getExpired,
		deleteMisses, deleteHits, incrMisses, incrHits, decrMisses, decrHits,
		casMisses, casHits, casBadval, touchHits, touchMiss, totalItems, bytesRead, bytesWritten uint64
	}
	for i := range m.shards {
		st := &m.shards[i].st
		sum.cmdGet += st.cmdGet.Load()
		sum.cmdSet += st.cmdSet.Load()
		sum.cmdFlush += st.cmdFlush.Load()
		sum.cmdTouch += st.cmdTouch.Load()
		sum.getHits += st.getHits.Load()
		sum.getMisses += st.getMisses.Load()
		sum.getExpired += st.getExpired.Load()
		sum.deleteMisses += st.deleteMisses.Load()
		sum.deleteHits += st.deleteHits.Load()
		sum.incrMisses += st.incrMisses.Load()
		sum.incrHits += st.incrHits.Load()
		sum.decrMisses += st.decrMisses.Load()
		sum.decrHits += st.decrHits.Load()
		sum.casMisses += st.casMisses.Load()
		sum.casHits += st.casHits.Load()
		sum.casBadval += st.casBadval.Load()
		sum.touchHits += st.touchHits.Load()
		sum.touchMiss += st.touchMiss.Load()
		sum.totalItems += st.totalItems.Load()
		sum.bytesRead += st.bytesRead.Load()
		sum.bytesWritten += st.bytesWritten.Load()
	}
	var items int64
	for _, sh := range m.s.router.Shards() {
		items += sh.Keys(0)
	}
	now := time.Now()
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	u := func(name string, v uint64) { b = memcache.AppendStatUint(b, name, v) }
	u("pid", uint64(os.Getpid()))
	u("uptime", uint64(now.Sub(m.s.started)/time.Second))
	u("time", uint64(now.Unix()))
	b = memcache.AppendStat(b, "version", MemcachedVersion)
	b = memcache.AppendStat(b, "libevent", "gnet")
	u("pointer_size", 64)
	b = memcache.AppendStat(b, "rusage_user", fmt.Sprintf("%d.%06d", ru.Utime.Sec, ru.Utime.Usec))
	b = memcache.AppendStat(b, "rusage_system", fmt.Sprintf("%d.%06d", ru.Stime.Sec, ru.Stime.Usec))
	u("max_connections", uint64(m.s.cfg.Int("maxclients")))
	u("curr_connections", uint64(max(m.conns.Load(), 0)))
	u("total_connections", uint64(m.totalConns.Load()))
	u("rejected_connections", uint64(m.s.net.Rejected.Load()))
	u("connection_structures", uint64(max(m.conns.Load(), 0)))
	u("cmd_get", sum.cmdGet)
	u("cmd_set", sum.cmdSet)
	u("cmd_flush", sum.cmdFlush)
	u("cmd_touch", sum.cmdTouch)
	u("get_hits", sum.getHits)
	u("get_misses", sum.getMisses)
	u("get_expired", sum.getExpired)
	u("get_flushed", 0)
	u("delete_misses", sum.deleteMisses)
	u("delete_hits", sum.deleteHits)
	u("incr_misses", sum.incrMisses)
	u("incr_hits", sum.incrHits)
	u("decr_misses", sum.decrMisses)
	u("decr_hits", sum.decrHits)
	u("cas_misses", sum.casMisses)
	u("cas_hits", sum.casHits)
	u("cas_badval", sum.casBadval)
	u("touch_hits", sum.touchHits)
	u("touch_misses", sum.touchMiss)
	u("bytes_read", sum.bytesRead)
	u("bytes_written", sum.bytesWritten)
	u("limit_maxbytes", uint64(m.s.cfg.Int("maxmemory")))
	u("accepting_conns", 1)
	u("listen_disabled_num", 0)
	u("threads", uint64(m.s.router.N()))
	u("conn_yields", 0)
	u("curr_items", uint64(max(items, 0)))
	u("total_items", sum.totalItems)
	u("bytes", uint64(max(m.s.datasetMemory(), 0)))
	u("evictions", 0)
	u("reclaimed", 0)
	return memcache.AppendEnd(b)
}

func (m *mcState) settingsStats(b []byte) []byte {
	u := func(name string, v int64) { b = memcache.AppendStatUint(b, name, uint64(max(v, 0))) }
	u("maxbytes", m.s.cfg.Int("maxmemory"))
	u("maxconns", m.s.cfg.Int("maxclients"))
	u("tcpport", m.s.cfg.Int("memcached-port"))
	u("udpport", 0)
	u("item_size_max", m.maxItem())
	u("num_threads", int64(m.s.router.N()))
	b = memcache.AppendStat(b, "cas_enabled", "yes")
	b = memcache.AppendStat(b, "evictions", "off")
	b = memcache.AppendStat(b, "binding_protocol", "ascii")
	return memcache.AppendEnd(b)
}

// resetStats zeroes the counters, as "stats reset" does.
func (m *mcState) resetStats() {
	for i := range m.shards {
		st := &m.shards[i].st
		for _, c := range []*atomic.Uint64{
			&st.cmdGet, &st.cmdSet, &st.cmdFlush, &st.cmdTouch, &st.getHits, &st.getMisses, &st.getExpired,
			&st.deleteMisses, &st.deleteHits, &st.incrMisses, &st.incrHits, &st.decrMisses, &st.decrHits,
			&st.casMisses, &st.casHits, &st.casBadval, &st.touchHits, &st.touchMiss, &st.totalItems,
			&st.bytesRead, &st.bytesWritten,
		} {
			c.Store(0)
		}
	}
	m.totalConns.Store(m.conns.Load())
}
