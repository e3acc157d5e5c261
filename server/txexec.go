package server

import (
	"bytes"
	"slices"
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

// bigKeyCount is the number of keys above which a command that spans shards
// locks each of them whole (txn.Tx.LockAll) instead of key by key: no
// fingerprint to compute and no lock-table entry per key. The command runs
// in one hop per shard either way, and nothing else runs on a shard while
// it does.
const bigKeyCount = 1024

// packedSplitMin is the number of keys above which runTx cuts a command into
// packed per-shard pieces at dispatch. A small command (MGET of 10 keys) is
// copied whole and split when it runs: planning pieces at dispatch costs it
// a third of its throughput, and its copy is small anyway.
const packedSplitMin = 256

// runTx runs a multi-shard command from the connection's loop: the reply
// slot is reserved now and filled when the transaction's last step ends.
// keyIdx holds the positions of its keys (none for a whole-keyspace
// command).
//
// The connection's earlier commands need not have finished: those that
// went to other shards are posted first (flushHops), so each reaches its
// shard before this transaction's schedule does, and one queued behind a
// lock holds its lock with an older id, so the transaction queues behind
// it. Hold keeps later commands from overtaking the transaction.
func (s *Server) runTx(c *protocol.Conn, cl *Client, cmd *Command, args [][]byte, keyIdx []int, now time.Time, home int) {
	s.flushHops(home)
	var x *Exec
	var pl *splitPlan
	if cmd.splitsKeys() && len(keyIdx) > packedSplitMin && wellFormed(cmd, args) {
		// Cut the command into per-shard pieces now, copying each
		// argument once, into its piece, straight from the read buffer.
		// The coordinator keeps only what the slow log shows.
		x = newDetachedExec(s, cl, cmd, args[:min(len(args), slowMaxArgc)], now)
		x.argc = len(args)
		pl = s.planSplit(x, args, keyIdx, true)
	} else {
		x = newDetachedExec(s, cl, cmd, args, now)
	}
	suppress := cl.suppressReply()
	slot := c.Defer()
	c.Hold()
	tx := s.router.NewTx()
	if pl != nil {
		s.lockPlan(tx, cmd, args, keyIdx, pl)
	} else {
		s.lockFor(tx, x)
	}
	t := &txRun{s: s, tx: tx, home: home, cl: cl, last: true}
	tx.StartOn(home, func() {
		t.exec(x, pl, home, func() {
			t.release()
			if !suppress {
				slot.Buf = appendOrTake(slot.Buf, &x.Out)
			}
			s.router.Shard(home).Post(func() { c.Complete(slot) })
		})
	})
}

// appendOrTake appends *src to dst. A large *src is handed over instead of
// copied when dst is empty (it becomes dst, and *src is left empty).
func appendOrTake(dst []byte, src *[]byte) []byte {
	if len(dst) == 0 && len(*src) > maxSpareBytes {
		dst, *src = *src, dst[:0]
		return dst
	}
	return append(dst, *src...)
}

// splitsKeys reports whether a command whose keys span shards runs as one
// piece per shard over that shard's keys.
func (c *Command) splitsKeys() bool {
	if c.Flags&FlagAllShards != 0 {
		return false
	}
	switch c.Multi {
	case multiSum, multiOK, multiMGet:
		return true
	}
	return false
}

// wellFormed reports whether the arguments after the first key come in
// whole steps (MSET: key and value pairs). Split pieces of a malformed
// command could each look valid, so such a command runs whole on one shard,
// which only answers the error.
func wellFormed(cmd *Command, args [][]byte) bool {
	return cmd.Step <= 1 || (len(args)-cmd.FirstKey)%cmd.Step == 0
}

// lockPlan adds to tx the locks of a command cut into pieces: one per key,
// or every shard whole for a command with many keys.
func (s *Server) lockPlan(tx *txn.Tx, cmd *Command, args [][]byte, keyIdx []int, pl *splitPlan) {
	mode := cmd.lockMode()
	if len(keyIdx) > bigKeyCount {
		tx.LockAll(mode)
		return
	}
	for i, ki := range keyIdx {
		tx.Lock(int(pl.owner[i]), txn.Fingerprint(args[ki]), mode)
	}
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
// its statistics go to. pl, when not nil, is x already cut into pieces.
func (t *txRun) exec(x *Exec, pl *splitPlan, statIdx int, next func()) {
	s := t.s
	start := time.Now()
	cmd := x.Cmd
	done := func() {
		s.noteRun(x, statIdx, time.Since(start), t.cl)
		next()
	}
	switch {
	case pl != nil:
		t.split(x, pl, done)
	case cmd.Flags&FlagAllShards != 0 && s.router.N() == 1:
		t.runOn(x, 0, done)
	case cmd.Flags&FlagAllShards != 0 && cmd.Multi == multiScan:
		t.runOn(x, s.scanShard(x.Args), done)
	case cmd.Flags&FlagAllShards != 0:
		t.split(x, s.planSplit(x, x.Args, nil, false), done)
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
		case !wellFormed(cmd, x.Args):
			t.runOn(x, shards[0], done)
		default:
			t.split(x, s.planSplit(x, x.Args, x.keyIdx, false), done)
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
		s.mon.note(x.Cmd, x.Args, x.argCount(), d, cl)
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

// splitPlan is a command cut into one piece per shard.
type splitPlan struct {
	parts  []*Exec  // by shard index; nil where the command has no piece
	shards []int    // the shards with a piece, in order of their first key
	owner  []uint16 // the shard of each key, in argument order (none for a whole-keyspace command)
	// packed, when the pieces were copied out of a read buffer, holds each
	// piece's arguments (by shard index) instead of its Args.
	packed []packedArgs
	// values holds, for MGET cut into packed pieces, each piece's values
	// (by shard index): one buffer of exactly its size per run, instead
	// of one reply grown as it is written.
	values [][][]byte
}

// packedArgs is a piece's arguments copied end to end, with where each one
// ends: 8 bytes an argument besides its own bytes, where a [][]byte over a
// copy takes 24.
type packedArgs struct {
	data []byte
	ends []int
}

func (pk *packedArgs) arg(i int) []byte {
	start := 0
	if i > 0 {
		start = pk.ends[i-1]
	}
	end := pk.ends[i]
	return pk.data[start:end:end]
}

// planSplit cuts x into pieces: one per shard over that shard's share of
// the keys at keyIdx (each key with the arguments of its step: MSET's
// value), or, when keyIdx is nil, one per shard over the whole command.
// args are x's arguments; with detach they live in a read buffer, and each
// piece's are copied into packed arguments of its own, sized once.
func (s *Server) planSplit(x *Exec, args [][]byte, keyIdx []int, detach bool) *splitPlan {
	n := s.router.N()
	pl := &splitPlan{parts: make([]*Exec, n)}
	newPart := func(sh int) *Exec {
		p := &Exec{s: s, Cmd: x.Cmd, DBIndex: x.DBIndex, Proto: x.Proto, Now: x.Now, NoTouch: x.NoTouch, part: sh}
		pl.parts[sh] = p
		pl.shards = append(pl.shards, sh)
		return p
	}
	if keyIdx == nil {
		for sh := 0; sh < n; sh++ {
			newPart(sh).Args = args
		}
		return pl
	}
	step := max(x.Cmd.Step, 1)
	// First pass: each key's shard, and each piece's size.
	pl.owner = make([]uint16, len(keyIdx))
	nargs := make([]int, n)
	nbytes := make([]int, n)
	for i, ki := range keyIdx {
		sh := s.router.Route(args[ki])
		pl.owner[i] = uint16(sh)
		if nargs[sh] == 0 {
			newPart(sh)
			nargs[sh], nbytes[sh] = 1, len(args[0])
		}
		end := min(ki+step, len(args))
		nargs[sh] += end - ki
		for _, a := range args[ki:end] {
			nbytes[sh] += len(a)
		}
	}
	// Second pass: fill the pieces.
	var add func(sh int, a []byte)
	if detach {
		pl.packed = make([]packedArgs, n)
		if x.Cmd.Multi == multiMGet {
			pl.values = make([][][]byte, n)
		}
		for _, sh := range pl.shards {
			pl.packed[sh] = packedArgs{data: make([]byte, 0, nbytes[sh]), ends: make([]int, 0, nargs[sh])}
		}
		add = func(sh int, a []byte) {
			pk := &pl.packed[sh]
			pk.data = append(pk.data, a...)
			pk.ends = append(pk.ends, len(pk.data))
		}
	} else {
		for _, sh := range pl.shards {
			pl.parts[sh].Args = make([][]byte, 0, nargs[sh])
		}
		add = func(sh int, a []byte) {
			p := pl.parts[sh]
			p.Args = append(p.Args, a)
		}
	}
	for _, sh := range pl.shards {
		add(sh, args[0])
	}
	for i, ki := range keyIdx {
		sh := int(pl.owner[i])
		for _, a := range args[ki:min(ki+step, len(args))] {
			add(sh, a)
		}
	}
	return pl
}

// split runs every piece of x on its shard and merges the replies.
func (t *txRun) split(x *Exec, pl *splitPlan, next func()) {
	s := t.s
	t.tx.HopThen(pl.shards, func(sh int) {
		p := pl.parts[sh]
		p.home = s.router.Shard(sh)
		p.home1[0] = p.home
		if pl.packed == nil {
			p.Cmd.Run(p)
			return
		}
		var values *[][]byte
		if pl.values != nil {
			values = &pl.values[sh]
		}
		runPacked(p, &pl.packed[sh], values)
		pl.packed[sh] = packedArgs{} // the copies are no longer needed
	}, t.last, func() {
		for _, sh := range pl.shards {
			if pl.parts[sh].failed {
				x.failed = true
			}
		}
		s.merge(x, pl)
		next()
	})
}

// packedWindow is how many keys of a packed piece one run of its command
// takes.
const packedWindow = 1024

// runPacked runs piece p over its packed arguments, packedWindow keys at a
// time, and leaves in p.Out the reply of one run over all of them: MSET's
// OK, or the sum of DEL's (EXISTS', TOUCH's) counts. MGET's values go to
// *values instead, one buffer per run, and p.Out is left empty. The runs go
// through the keys in order, so a key named twice behaves as in one run; the
// first error reply stops them.
func runPacked(p *Exec, pk *packedArgs, values *[][]byte) {
	step := max(p.Cmd.Step, 1)
	nargs := len(pk.ends)
	window := make([][]byte, 0, 1+packedWindow*step)
	var sum int64
	p.Out = p.Out[:0]
	for i := 1; i < nargs; {
		window = append(window[:0], pk.arg(0))
		for k := 0; k < packedWindow*step && i < nargs; k++ {
			window = append(window, pk.arg(i))
			i++
		}
		p.Args = window
		p.Out = p.Out[:0]
		p.Cmd.Run(p)
		reply := p.Out
		if len(reply) > 0 && reply[0] == '-' {
			p.Args = nil
			return
		}
		switch p.Cmd.Multi {
		case multiSum:
			if len(reply) > 3 && reply[0] == ':' {
				v, _ := strconv.ParseInt(string(reply[1:len(reply)-2]), 10, 64)
				sum += v
			}
		case multiMGet:
			_, body := arrayHeader(reply)
			*values = append(*values, bytes.Clone(body))
		}
	}
	p.Out = p.Out[:0]
	switch p.Cmd.Multi {
	case multiSum:
		p.Int(sum)
	case multiOK:
		p.OK()
	}
	p.Args = nil
}

// merge writes into x.Out the reply of a split command from its pieces'.
func (s *Server) merge(x *Exec, pl *splitPlan) {
	parts, shards := pl.parts, pl.shards
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
		// Each piece answered its keys in argument order, in one run or
		// several: take the values in turn, following each key's shard,
		// into a reply sized once.
		runs := pl.values
		if runs == nil {
			runs = make([][][]byte, len(parts))
			for _, sh := range shards {
				_, body := arrayHeader(parts[sh].Out)
				runs[sh] = [][]byte{body}
			}
		}
		size := 0
		for _, sh := range shards {
			for _, r := range runs[sh] {
				size += len(r)
			}
		}
		x.Out = slices.Grow(x.Out, size+16)
		x.Array(len(pl.owner))
		for _, sh := range pl.owner {
			rs := runs[sh]
			for len(rs) > 0 && len(rs[0]) == 0 {
				rs = rs[1:]
			}
			runs[sh] = rs
			n := -1
			if len(rs) > 0 {
				n = resp.ReplyLen(rs[0])
			}
			if n <= 0 {
				x.Null()
				continue
			}
			x.Out = append(x.Out, rs[0][:n]...)
			rs[0] = rs[0][n:]
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
