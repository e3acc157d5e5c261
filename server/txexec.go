package server

import (
	"strconv"
	"sync"
	"time"

	"github.com/anaxdb/anax/protocol"
	"github.com/anaxdb/anax/protocol/resp"
	"github.com/anaxdb/anax/shard"
	"github.com/anaxdb/anax/txn"
)

// Commands that span shards run as transactions of the VLL scheduler
// (package txn): the transaction takes the command's intent locks on every
// shard it touches, runs the command there in hops and releases the locks,
// each step continuing on the shard that finished the previous one last.
// A shard runs each hop on its own goroutine, so the command is cut into
// per-shard pieces in one of three ways (Command.Multi):
//
//   - split: each shard runs the command itself on its share of the keys
//     (or, for whole-keyspace commands, on its whole share of the keyspace)
//     and the coordinator merges the replies: sum (DEL, EXISTS, DBSIZE),
//     all OK (MSET, FLUSHDB), MGET order, array concatenation (KEYS), a
//     weighted pick (RANDOMKEY), the first reply (DEBUG);
//   - gather (the default for key commands): the entries of every key are
//     copied into a private scratch shard, the command runs there (on
//     whichever shard goroutine continues the transaction), and the entries
//     it wrote are written back. RENAME, COPY, MSETNX and LCS take this
//     path across shards, and so will any later multi-key command without
//     code of its own;
//   - routed: SCAN runs on the one shard its cursor names.
//
// A command whose keys share a shard never comes here: it runs on that
// shard in one piece (see dispatch.go), checking only that no scheduled
// transaction holds a conflicting lock.

// multiKind says how a multi-shard command is cut into per-shard pieces.
type multiKind uint8

const (
	multiGather multiKind = iota
	multiSum
	multiOK
	multiMGet
	multiConcat
	multiRandom
	multiFirst
	multiScan
)

// lockMode is the intent lock a command takes on its keys.
func (c *Command) lockMode() txn.Mode {
	if c.Flags&FlagWrite != 0 {
		return txn.Exclusive
	}
	return txn.Shared
}

// commandLocks returns the locks cmd takes on its keys on one shard.
func (s *Server) commandLocks(cmd *Command, args [][]byte, idx []int) []txn.Lock {
	locks := make([]txn.Lock, 0, len(idx))
	mode := cmd.lockMode()
	for _, ki := range idx {
		locks = append(locks, txn.Lock{FP: txn.Fingerprint(args[ki]), Mode: mode})
	}
	return locks
}

// lockFor adds the locks of the command x to tx.
func (s *Server) lockFor(tx *txn.Tx, x *Exec) {
	if x.Cmd.Flags&FlagAllShards != 0 {
		tx.LockAll(x.Cmd.lockMode())
		return
	}
	x.keyIdx = s.lockKeys(tx, x.Cmd, x.Args, x.keyIdx)
}

// lockKeys adds to tx a lock on each key of cmd, on the key's shard; idx is
// scratch for the key positions, returned for reuse.
func (s *Server) lockKeys(tx *txn.Tx, cmd *Command, args [][]byte, idx []int) []int {
	mode := cmd.lockMode()
	idx = cmd.keyIndexes(args, idx[:0])
	for _, ki := range idx {
		tx.Lock(s.router.Route(args[ki]), txn.Fingerprint(args[ki]), mode)
	}
	return idx
}

// runTx runs a multi-shard command from the connection's loop: the reply
// slot is reserved now and filled when the transaction's last step ends.
//
// The connection's earlier commands need not have finished: those that
// went to other shards are posted first (flushHops), so each reaches its
// shard before this transaction's schedule does, and one queued behind a
// lock holds its lock with an older id, so the transaction queues behind
// it. Hold keeps later commands from overtaking the transaction.
func (s *Server) runTx(c *protocol.Conn, cl *Client, cmd *Command, args [][]byte, now time.Time, home int) {
	s.flushHops(home)
	x := newDetachedExec(s, cl, cmd, args, now)
	suppress := cl.suppressReply()
	slot := c.Defer()
	c.Hold()
	tx := s.router.NewTx()
	s.lockFor(tx, x)
	t := &txRun{s: s, tx: tx, home: home, cl: cl, last: true}
	tx.StartOn(home, func() {
		t.exec(x, home, func() {
			t.release()
			if !suppress {
				slot.Buf = append(slot.Buf, x.Out...)
			}
			s.router.Shard(home).Post(func() { c.Complete(slot) })
		})
	})
}

// txRun is the coordinator's side of one scheduled transaction. Its steps
// run one after another, each on the goroutine of the shard that finished
// the previous step last (see txn.Tx).
type txRun struct {
	s       *Server
	tx      *txn.Tx
	home    int
	cl      *Client // for the slow log only (read-only here)
	scratch *shard.Shard
	// last makes the command's final hop conclude the transaction (a
	// command alone, not one step of an EXEC): the locks go with the last
	// piece of work instead of in a separate post after it.
	last bool
}

// exec runs the command x inside the transaction (whose locks cover its
// keys), leaves its reply in x.Out and calls next; statIdx is the loop slot
// its statistics go to.
func (t *txRun) exec(x *Exec, statIdx int, next func()) {
	s := t.s
	start := time.Now()
	cmd := x.Cmd
	done := func() {
		s.noteRun(x, statIdx, time.Since(start), t.cl)
		next()
	}
	switch {
	case cmd.Flags&FlagAllShards != 0 && s.router.N() == 1:
		t.runOn(x, 0, done)
	case cmd.Flags&FlagAllShards != 0 && cmd.Multi == multiScan:
		t.runOn(x, s.scanShard(x.Args), done)
	case cmd.Flags&FlagAllShards != 0:
		t.split(x, nil, done)
	default:
		x.keyIdx = cmd.keyIndexes(x.Args, x.keyIdx[:0])
		shards := s.shardSet(x.Args, x.keyIdx)
		switch {
		case len(shards) == 0:
			t.runOn(x, t.home, done)
		case len(shards) == 1:
			t.runOn(x, shards[0], done)
		case cmd.Multi == multiGather:
			t.gather(x, shards, done)
		case cmd.Step > 1 && (len(x.Args)-cmd.FirstKey)%cmd.Step != 0:
			// Malformed (MSET with a key and no value): split pieces could
			// each look valid. Run whole on one shard, which only answers
			// the error.
			t.runOn(x, shards[0], done)
		default:
			t.split(x, x.keyIdx, done)
		}
	}
}

// noteRun records a command's statistics and feeds the slow log.
func (s *Server) noteRun(x *Exec, statIdx int, d time.Duration, cl *Client) {
	st := &x.Cmd.stats[statIdx]
	st.calls.Add(1)
	st.nsec.Add(int64(d))
	if x.failed {
		st.failed.Add(1)
	}
	if int64(d) >= s.mon.minNs.Load() {
		s.mon.note(x.Cmd, x.Args, d, cl)
	}
}

// runOn runs x whole on shard sh, which the transaction involves.
func (t *txRun) runOn(x *Exec, sh int, next func()) {
	t.tx.HopThen([]int{sh}, func(int) {
		x.home = t.s.router.Shard(sh)
		x.home1[0] = x.home
		x.Cmd.Run(x)
	}, t.last, next)
}

// split runs x on every involved shard with that shard's share of the keys
// (keyIdx) or, when keyIdx is nil, on every shard whole, and merges the
// replies.
func (t *txRun) split(x *Exec, keyIdx []int, next func()) {
	s := t.s
	n := s.router.N()
	parts := make([]*Exec, n)
	var order [][]int // MGET: the reply positions each shard answers
	if x.Cmd.Multi == multiMGet {
		order = make([][]int, n)
	}
	var shards []int
	newPart := func(sh int) *Exec {
		p := &Exec{s: s, Cmd: x.Cmd, DBIndex: x.DBIndex, Proto: x.Proto, Now: x.Now, NoTouch: x.NoTouch, part: sh}
		parts[sh] = p
		shards = append(shards, sh)
		return p
	}
	if keyIdx == nil {
		for sh := 0; sh < n; sh++ {
			newPart(sh).Args = x.Args
		}
	} else {
		step := x.Cmd.Step
		if step <= 0 {
			step = 1
		}
		for i, ki := range keyIdx {
			sh := s.router.Route(x.Args[ki])
			p := parts[sh]
			if p == nil {
				p = newPart(sh)
				p.Args = append(p.Args, x.Args[0])
			}
			end := ki + step
			if end > len(x.Args) {
				end = len(x.Args)
			}
			p.Args = append(p.Args, x.Args[ki:end]...)
			if order != nil {
				order[sh] = append(order[sh], i)
			}
		}
	}
	t.tx.HopThen(shards, func(sh int) {
		p := parts[sh]
		p.home = s.router.Shard(sh)
		p.home1[0] = p.home
		p.Cmd.Run(p)
	}, t.last, func() {
		for _, sh := range shards {
			if parts[sh].failed {
				x.failed = true
			}
		}
		s.merge(x, parts, shards, order, len(keyIdx))
		next()
	})
}

// merge writes into x.Out the reply of a split command from its parts'.
func (s *Server) merge(x *Exec, parts []*Exec, shards []int, order [][]int, nkeys int) {
	// An error from any part is the reply (the parts share the arguments
	// that errors come from).
	for _, sh := range shards {
		if out := parts[sh].Out; len(out) > 0 && out[0] == '-' {
			x.Out = append(x.Out, out...)
			return
		}
	}
	switch x.Cmd.Multi {
	case multiSum:
		var sum int64
		for _, sh := range shards {
			out := parts[sh].Out
			if len(out) > 3 && out[0] == ':' {
				v, _ := strconv.ParseInt(string(out[1:len(out)-2]), 10, 64)
				sum += v
			}
		}
		x.Int(sum)
	case multiOK:
		x.OK()
	case multiConcat:
		total := 0
		for _, sh := range shards {
			n, _ := arrayHeader(parts[sh].Out)
			total += n
		}
		x.Array(total)
		for _, sh := range shards {
			_, body := arrayHeader(parts[sh].Out)
			x.Out = append(x.Out, body...)
		}
	case multiMGet:
		items := make([][]byte, nkeys)
		for _, sh := range shards {
			_, body := arrayHeader(parts[sh].Out)
			for _, pos := range order[sh] {
				n := resp.ReplyLen(body)
				if n <= 0 {
					break
				}
				items[pos], body = body[:n], body[n:]
			}
		}
		x.Array(nkeys)
		for _, it := range items {
			if it == nil {
				x.Null()
				continue
			}
			x.Out = append(x.Out, it...)
		}
	case multiRandom:
		// Each shard drew a key; keep one with odds proportional to the
		// shard's key count, so every key is equally likely.
		total := int64(0)
		for _, sh := range shards {
			if isBulk(parts[sh].Out) {
				total += s.router.Shard(sh).Keys(x.DBIndex)
			}
		}
		if total > 0 {
			pick := int64(s.rand() % uint64(total))
			for _, sh := range shards {
				if !isBulk(parts[sh].Out) {
					continue
				}
				if pick < s.router.Shard(sh).Keys(x.DBIndex) {
					x.Out = append(x.Out, parts[sh].Out...)
					return
				}
				pick -= s.router.Shard(sh).Keys(x.DBIndex)
			}
		}
		for _, sh := range shards {
			if isBulk(parts[sh].Out) {
				x.Out = append(x.Out, parts[sh].Out...)
				return
			}
		}
		x.Null()
	default: // multiFirst
		for _, sh := range shards {
			if len(parts[sh].Out) > 0 {
				x.Out = append(x.Out, parts[sh].Out...)
				return
			}
		}
	}
}

func isBulk(b []byte) bool { return len(b) > 0 && b[0] == '$' && (len(b) < 2 || b[1] != '-') }

// arrayHeader splits "*n\r\n<body>" into n and the body.
func arrayHeader(b []byte) (int, []byte) {
	if len(b) < 4 || b[0] != '*' {
		return 0, nil
	}
	for i := 1; i+1 < len(b); i++ {
		if b[i] == '\r' {
			n, _ := strconv.Atoi(string(b[1:i]))
			return n, b[i+2:]
		}
	}
	return 0, nil
}

// gathered is one entry copied out of its shard for a gathered command.
type gathered struct {
	db  int
	key []byte
	raw []byte
}

// scratchPool keeps scratch shards for gathered commands.
var scratchPool sync.Pool

// gather runs x on a scratch shard holding copies of its keys' entries (in
// every database, for COPY ... DB), then writes back what changed.
func (t *txRun) gather(x *Exec, shards []int, next func()) {
	s := t.s
	numDB := s.router.Shard(0).NumDB()
	byShard := make(map[int][][]byte, len(shards))
	var keys [][]byte
	for _, ki := range x.keyIdx {
		key := x.Args[ki]
		dup := false
		for _, k := range keys {
			if string(k) == string(key) {
				dup = true
				break
			}
		}
		if !dup {
			keys = append(keys, key)
			sh := s.router.Route(key)
			byShard[sh] = append(byShard[sh], key)
		}
	}
	found := make([][]gathered, s.router.N())
	t.tx.HopThen(shards, func(sh int) {
		owner := s.router.Shard(sh)
		for _, key := range byShard[sh] {
			for db := 0; db < numDB; db++ {
				if raw, ok := owner.DB(db).Export(key, x.Now, nil); ok {
					found[sh] = append(found[sh], gathered{db: db, key: key, raw: raw})
				}
			}
		}
	}, false, func() { t.runGathered(x, shards, keys, found, numDB, next) })
}

// runGathered runs x on the scratch shard filled with the gathered entries
// and writes back what it wrote. It runs on a shard goroutine, touching
// only the private scratch shard until the write-back hop.
func (t *txRun) runGathered(x *Exec, shards []int, keys [][]byte, found [][]gathered, numDB int, next func()) {
	s := t.s
	sc := t.scratchShard(numDB)
	for _, sh := range shards {
		for _, g := range found[sh] {
			sc.DB(g.db).Import(g.raw)
		}
	}
	// Watch every (db, key) on the scratch shard: a write there, even one
	// that leaves the same bytes (COPY ... REPLACE of an equal value), is a
	// write for the key's watchers on its real shard.
	written := make([]*shard.Watcher, len(keys)*numDB)
	for i, key := range keys {
		for db := 0; db < numDB; db++ {
			w := &shard.Watcher{}
			written[i*numDB+db] = w
			sc.Watch(db, key, w, x.Now)
		}
	}
	x.home = sc
	x.home1[0] = sc
	x.Cmd.Run(x)

	// Write back every (db, key) that was written.
	writes := make([][]gathered, s.router.N()) // raw nil = delete
	var dirty []int
	for i, key := range keys {
		sh := s.router.Route(key)
		for db := 0; db < numDB; db++ {
			w := written[i*numDB+db]
			sc.Unwatch(db, key, w)
			if !w.Dirty.Load() {
				continue
			}
			after, okAfter := sc.DB(db).Export(key, x.Now, nil)
			if !okAfter {
				after = nil
			}
			if len(writes[sh]) == 0 {
				dirty = append(dirty, sh)
			}
			writes[sh] = append(writes[sh], gathered{db: db, key: key, raw: after})
		}
	}
	sc.FlushAll(x.Now)
	t.tx.HopThen(dirty, func(sh int) {
		owner := s.router.Shard(sh)
		for _, w := range writes[sh] {
			if w.raw == nil {
				owner.DB(w.db).Delete(w.key)
			} else {
				owner.DB(w.db).Import(w.raw)
			}
		}
	}, t.last, next)
}

// scratchShard returns the transaction's scratch shard, taking one from the
// pool the first time.
func (t *txRun) scratchShard(numDB int) *shard.Shard {
	if t.scratch == nil {
		if v, ok := scratchPool.Get().(*shard.Shard); ok && v.NumDB() == numDB {
			t.scratch = v
		} else {
			t.scratch = shard.New(0, numDB)
		}
	}
	return t.scratch
}

// release returns what the transaction borrowed.
func (t *txRun) release() {
	if t.scratch != nil {
		scratchPool.Put(t.scratch)
		t.scratch = nil
	}
}

// scanShard is the shard a SCAN cursor names (see cmdScan); an invalid or
// finished cursor runs anywhere, here on shard 0.
func (s *Server) scanShard(args [][]byte) int {
	cursor, ok := parseScanCursor(args[1])
	if !ok || s.router.N() == 1 {
		return 0
	}
	si := int(cursor & scanShardMask)
	if si >= s.router.N() {
		return 0
	}
	return si
}
