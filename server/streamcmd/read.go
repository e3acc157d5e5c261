package streamcmd

import (
	"slices"
	"strings"

	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/container/stream"
	"github.com/anaxdb/anax/protocol/resp"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// XREAD and XREADGROUP. Their keys may live on several shards: on one
// shard the command runs whole there; across shards it is a Cross whose
// reads each take their shard's keys through the same steps (checks, then
// what each key serves, as Go values), whose Apply picks the first error
// in argument order or writes the reply, and whose writes (XREADGROUP
// only) record the deliveries on each shard: group last ids, read
// counters, pending entries and consumers. The transaction holds every
// key meanwhile, so what the reads saw is what the writes change.

const (
	errUnbalanced   = "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."
	errGroupInXRead = "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."
	errNoAckInXRead = "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."
	errMissingGroup = "ERR Missing GROUP option for XREADGROUP"
	errBlockScript  = " command is not allowed with BLOCK option from scripts"
	errGroupGone    = "NOGROUP the consumer group this client was blocked on no longer exists"
	errKeyGone      = "UNBLOCKED the stream key no longer exists"

	// blockedCount is what a blocked read serves without COUNT.
	blockedCount = 1000
)

func readCommands() []*command.Spec {
	return []*command.Spec{
		{Name: "xread", Arity: -4, Flags: command.FlagReadOnly | command.FlagBlocking, Keys: readKeys, Blocks: hasBlock, Run: cmdXRead, Cross: readCross, Group: "stream", Summary: "Returns messages from multiple streams with IDs greater than the ones requested. Blocks until a message is available otherwise.", Since: "5.0.0", Complexity: "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data."},
		{Name: "xreadgroup", Arity: -7, Flags: command.FlagWrite | command.FlagBlocking, Keys: readKeys, Blocks: hasBlock, Run: cmdXRead, Cross: readCross, Group: "stream", Summary: "Returns new or historical messages from a stream for a consumer in a group. Blocks until a message is available otherwise.", Since: "5.0.0", Complexity: "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data."},
	}
}

// readKeys finds the keys: the first half of the arguments after STREAMS.
func readKeys(args [][]byte, dst []int) []int {
	for i := 1; i < len(args); i++ {
		if command.EqFold(args[i], "streams") {
			n := (len(args) - i - 1) / 2
			for k := 0; k < n; k++ {
				dst = append(dst, i+1+k)
			}
			return dst
		}
		// Skip option values so that a value spelled "streams" is not taken
		// for the keyword.
		if (command.EqFold(args[i], "block") || command.EqFold(args[i], "count")) && i+1 < len(args) {
			i++
		} else if command.EqFold(args[i], "group") && i+2 < len(args) {
			i += 2
		}
	}
	return dst
}

// hasBlock reports whether the options before STREAMS hold BLOCK: only
// then may the read wait.
func hasBlock(args [][]byte) bool {
	for i := 1; i < len(args); i++ {
		switch {
		case command.EqFold(args[i], "streams"):
			return false
		case command.EqFold(args[i], "block"):
			return true
		case command.EqFold(args[i], "count") && i+1 < len(args):
			i++
		case command.EqFold(args[i], "group") && i+2 < len(args):
			i += 2
		}
	}
	return false
}

// readReq is a parsed XREAD or XREADGROUP.
type readReq struct {
	group      bool
	count      int64
	block      int64 // -1: no BLOCK; else the timeout in ms (0: forever)
	groupName  []byte
	consumer   []byte
	noack      bool
	keys, ids  [][]byte
	firstKeyAt int
}

// parseRead parses the options as xreadCommand does, replying its errors.
func parseRead(x *command.Exec) (r readReq, ok bool) {
	r.group = len(x.Args[0]) == 10
	r.block = -1
	args := x.Args
	streamsAt := 0
	for i := 1; i < len(args); i++ {
		more := len(args) - i - 1
		o := args[i]
		switch {
		case command.EqFold(o, "block") && more > 0:
			i++
			ms, ok := parseBlockMs(x, args[i])
			if !ok {
				return r, false
			}
			r.block = ms
		case command.EqFold(o, "count") && more > 0:
			i++
			n, ok := parseLongLong(x, args[i])
			if !ok {
				return r, false
			}
			r.count = max(n, 0)
		case command.EqFold(o, "streams") && more > 0:
			streamsAt = i + 1
			n := len(args) - streamsAt
			if n%2 != 0 {
				x.Err(errUnbalanced)
				return r, false
			}
			r.keys = args[streamsAt : streamsAt+n/2]
			r.ids = args[streamsAt+n/2:]
			r.firstKeyAt = streamsAt
			i = len(args)
		case command.EqFold(o, "group") && more >= 2:
			if !r.group {
				x.Err(errGroupInXRead)
				return r, false
			}
			r.groupName, r.consumer = args[i+1], args[i+2]
			i += 2
		case command.EqFold(o, "noack"):
			if !r.group {
				x.Err(errNoAckInXRead)
				return r, false
			}
			r.noack = true
		default:
			x.Fail(command.ErrSyntax)
			return r, false
		}
	}
	if streamsAt == 0 {
		x.Fail(command.ErrSyntax)
		return r, false
	}
	if r.group && r.groupName == nil {
		x.Err(errMissingGroup)
		return r, false
	}
	return r, true
}

// parseBlockMs reads BLOCK's milliseconds as getTimeoutFromObjectOrReply
// with UNIT_MILLISECONDS does.
func parseBlockMs(x *command.Exec, arg []byte) (int64, bool) {
	n, ok := command.ParseInt(arg)
	if !ok {
		x.Err("ERR timeout is not an integer or out of range")
		return 0, false
	}
	if n < 0 {
		x.Err("ERR timeout is negative")
		return 0, false
	}
	return n, true
}

// outEntry is one entry served, copied out of the stream (or missing: a
// history id whose entry was deleted).
type outEntry struct {
	id      stream.ID
	pairs   [][]byte
	missing bool
}

// keyOut is what one key serves.
type keyOut struct {
	idx     int // the key's position among the keys
	entries []outEntry
	// for XREADGROUP: the history it read, or new entries after the
	// group's last id
	history bool
}

// shardRead is a shard's findings for its keys.
type shardRead struct {
	errIdx int // the key whose check failed first, -1 when none did
	err    string
	outs   []keyOut
	// resolved ids of "$" and "+" (for blocking), by key index
	dollar map[int]stream.ID
}

// readShard checks and reads the keys that own says are this shard's.
func readShard(x *command.Exec, r *readReq, own func(key []byte) bool, count int64) *shardRead {
	res := &shardRead{errIdx: -1}
	for i, key := range r.keys {
		if !own(key) {
			continue
		}
		db := x.DB(key)
		h, found := db.Lookup(key, x.Now, x.LookupFlags())
		var st shard.Stream
		if found {
			if db.Type(h) != shard.TypeStream {
				res.errIdx, res.err = i, command.ErrWrongType.Error()
				return res
			}
			st = db.OpenStream(key, h)
		}
		var g *stream.Group
		if r.group {
			if found {
				g = st.S().Group(r.groupName)
			}
			if g == nil {
				res.errIdx = i
				res.err = "NOGROUP No such key '" + string(key) + "' or consumer group '" + string(r.groupName) + "' in XREADGROUP with GROUP option"
				return res
			}
		}
		gt, gtGroup, resolved, msg := readFrom(r, i, st, found)
		if msg != "" {
			res.errIdx, res.err = i, msg
			return res
		}
		if resolved {
			if res.dollar == nil {
				res.dollar = map[int]stream.ID{}
			}
			res.dollar[i] = gt
		}
		if !found {
			continue
		}
		s := st.S()
		out := keyOut{idx: i}
		serve := false
		switch {
		case g != nil && !gtGroup:
			serve, out.history = true, true
		case g != nil:
			if s.Len() > 0 && g.LastID.Less(s.LastValidID(st.Store())) {
				serve, gt = true, g.LastID
			}
		case s.Len() > 0:
			serve = gt.Less(s.LastValidID(st.Store()))
		}
		if !serve {
			continue
		}
		if out.history {
			_, slot, ok := g.Consumer(r.consumer)
			if start, incr := gt.Incr(); ok && incr {
				j, _ := g.FindPending(start)
				for ; j < len(g.PEL) && (count == 0 || int64(len(out.entries)) < count); j++ {
					p := g.PEL[j]
					if p.Consumer != slot {
						continue
					}
					e := outEntry{id: p.ID, missing: true}
					s.Range(st.Store(), p.ID, p.ID, false, func(en *stream.Entry) bool {
						e.pairs, e.missing = copyPairs(en), false
						return false
					})
					out.entries = append(out.entries, e)
				}
			}
		} else {
			start, ok := gt.Incr()
			if ok {
				s.Range(st.Store(), start, stream.MaxID, false, func(en *stream.Entry) bool {
					out.entries = append(out.entries, outEntry{id: en.ID, pairs: copyPairs(en)})
					return count == 0 || int64(len(out.entries)) < count
				})
			}
		}
		res.outs = append(res.outs, out)
	}
	return res
}

// parseIDStrict is streamParseStrictIDOrReply's check of an id argument.
func parseIDStrict(arg []byte) (stream.ID, bool) {
	id, _, ok := parseIDSeq(arg, 0, true, false)
	return id, ok
}

func copyPairs(e *stream.Entry) [][]byte {
	var tmp [16]listpack.Value
	vs := e.Pairs(tmp[:0])
	size := 0
	for _, v := range vs {
		if v.IsInt {
			size += 20
		} else {
			size += len(v.Str)
		}
	}
	buf := make([]byte, 0, size)
	out := make([][]byte, len(vs))
	for i, v := range vs {
		start := len(buf)
		buf = v.AppendTo(buf)
		out[i] = buf[start:len(buf):len(buf)]
	}
	return out
}

// deliver records on this shard what XREADGROUP served from out's key:
// the group's last id and read counter, the pending entries, the
// consumer (created, with its notification, when missing).
func deliver(x *command.Exec, r *readReq, out *keyOut) {
	key := r.keys[out.idx]
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, shard.NoStats|shard.NoTouch)
	if !found || db.Type(h) != shard.TypeStream {
		return
	}
	st := db.OpenStream(key, h)
	s := st.S()
	g := s.Group(r.groupName)
	if g == nil {
		return
	}
	st.Edited()
	c, slot, ok := g.Consumer(r.consumer)
	if ok {
		c.SeenTime = x.Now
	} else {
		_, slot = g.AddConsumer(r.consumer, x.Now)
		x.Notify(command.NotifyStream, "xgroup-createconsumer", key)
	}
	if out.history {
		for _, e := range out.entries {
			if e.missing {
				continue
			}
			if i, ok := g.FindPending(e.id); ok {
				g.PEL[i].DeliveryTime = x.Now
				g.PEL[i].DeliveryCount++
			}
		}
		return
	}
	for _, e := range out.entries {
		s.AdvanceTo(g, e.id)
		if !r.noack {
			g.Deliver(e.id, slot, x.Now)
		}
	}
}

// replyOuts writes the reply of the served keys (in key order).
func replyOuts(x *command.Exec, r *readReq, outs []keyOut) {
	if x.Proto == 2 {
		x.Array(len(outs))
	} else {
		x.Map(len(outs))
	}
	for i := range outs {
		o := &outs[i]
		if x.Proto == 2 {
			x.Array(2)
		}
		x.Bulk(r.keys[o.idx])
		x.Array(len(o.entries))
		for _, e := range o.entries {
			x.Array(2)
			bulkID(x, e.id)
			if e.missing {
				x.NullArray()
				continue
			}
			x.Array(len(e.pairs))
			for _, p := range e.pairs {
				x.Bulk(p)
			}
		}
	}
}

func cmdXRead(x *command.Exec) {
	r, ok := parseRead(x)
	if !ok {
		return
	}
	if b := x.Block; b != nil && b.Expired {
		x.NullArray()
		return
	}
	if b := x.Block; b != nil && b.Serving {
		rr := r
		serveBlocked(x, &rr)
		return
	}
	if serveDirect(x, &r) {
		return
	}
	slowRead(x, r)
}

// slowRead answers a read that serves nothing (an error, a wait or null)
// through the general path; its request lives on the heap from here.
func slowRead(x *command.Exec, r readReq) {
	res := readShard(x, &r, func([]byte) bool { return true }, r.count)
	finishRead(x, &r, []*shardRead{res}, func(sh int, fn func(x *command.Exec)) { fn(x) })
}

// serveDirect is the read of keys that share the shard x runs on, written
// straight from the streams to the reply (nothing copied, nothing
// allocated): it checks every key first, as Redis does, and reports false
// when nothing is served (the caller then answers, waits or fails through
// readShard, which finds the same).
func serveDirect(x *command.Exec, r *readReq) bool {
	for i := range r.keys {
		if _, _, _, _, _, msg := checkKey(x, r, i); msg != "" {
			return false
		}
	}
	d := deferLen(x)
	served := 0
	var arr [32]listpack.Value
	buf := arr[:0]
	for i, key := range r.keys {
		st, found, g, gt, gtGroup, _ := checkKey(x, r, i)
		if !found {
			continue
		}
		s := st.S()
		history := false
		switch {
		case g != nil && !gtGroup:
			history = true
		case g != nil:
			if s.Len() == 0 || !g.LastID.Less(s.LastValidID(st.Store())) {
				continue
			}
			gt = g.LastID
		case s.Len() == 0 || !gt.Less(s.LastValidID(st.Store())):
			continue
		}
		served++
		if x.Proto == 2 {
			x.Array(2)
		}
		x.Bulk(key)
		var slot uint32
		if g != nil {
			st.Edited()
			c, sl, ok := g.Consumer(r.consumer)
			if ok {
				c.SeenTime = x.Now
			} else {
				_, sl = g.AddConsumer(r.consumer, x.Now)
				x.Notify(command.NotifyStream, "xgroup-createconsumer", key)
			}
			slot = sl
		}
		ed := deferLen(x)
		n := 0
		if history {
			// History after gt, as Redis starts every read after its id.
			j := len(g.PEL)
			if start, ok := gt.Incr(); ok {
				j, _ = g.FindPending(start)
			}
			for ; j < len(g.PEL) && (r.count == 0 || int64(n) < r.count); j++ {
				p := &g.PEL[j]
				if p.Consumer != slot {
					continue
				}
				n++
				it := s.Iterate(st.Store(), p.ID, p.ID, false)
				if it.Next() {
					buf = replyEntry(x, it.Entry(), buf)
					p.DeliveryTime = x.Now
					p.DeliveryCount++
				} else {
					x.Array(2)
					bulkID(x, p.ID)
					x.NullArray()
				}
			}
		} else if start, ok := gt.Incr(); ok {
			it := s.Iterate(st.Store(), start, stream.MaxID, false)
			for (r.count == 0 || int64(n) < r.count) && it.Next() {
				e := it.Entry()
				buf = replyEntry(x, e, buf)
				n++
				if g != nil {
					s.AdvanceTo(g, e.ID)
					if !r.noack {
						g.Deliver(e.ID, slot, x.Now)
					}
				}
			}
		}
		ed.close(x, n)
	}
	if served == 0 {
		x.Out = x.Out[:int(d)]
		return false
	}
	if x.Proto == 2 {
		d.close(x, served)
	} else {
		var hdr [24]byte
		h := resp.AppendMapLen(hdr[:0], served, x.Proto)
		x.Out = slices.Insert(x.Out, int(d), h...)
	}
	return true
}

// checkKey looks key i up and checks it as xreadCommand does: its type,
// its group, its id argument. msg is the error of the first check that
// fails.
func checkKey(x *command.Exec, r *readReq, i int) (st shard.Stream, found bool, g *stream.Group, gt stream.ID, gtGroup bool, msg string) {
	key := r.keys[i]
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, x.LookupFlags())
	if found {
		if db.Type(h) != shard.TypeStream {
			return st, found, nil, gt, false, command.ErrWrongType.Error()
		}
		st = db.OpenStream(key, h)
	}
	if r.group {
		if found {
			g = st.S().Group(r.groupName)
		}
		if g == nil {
			return st, found, nil, gt, false, "NOGROUP No such key '" + string(key) + "' or consumer group '" + string(r.groupName) + "' in XREADGROUP with GROUP option"
		}
	}
	gt, gtGroup, _, msg = readFrom(r, i, st, found)
	return st, found, g, gt, gtGroup, msg
}

// readFrom resolves key i's id argument: the id whose successors are read
// (gt), or for XREADGROUP's ">" the group's new entries (gtGroup). "$"
// stands for the stream's last id and "+" (Redis 7.4) for the one before
// it, so that the last entry is read; resolved reports those two, whose
// value a blocked read keeps. msg is the error, if any.
func readFrom(r *readReq, i int, st shard.Stream, found bool) (gt stream.ID, gtGroup, resolved bool, msg string) {
	switch idArg := r.ids[i]; {
	case string(idArg) == "$":
		if r.group {
			return gt, false, false, errDollarInXRG
		}
		if found {
			gt = st.S().LastID
		}
		return gt, false, true, ""
	case string(idArg) == "+":
		if r.group {
			return gt, false, false, errPlusInXRG
		}
		if found {
			var ok bool
			if gt, ok = st.S().LastID.Decr(); !ok {
				return gt, false, false, "ERR the stream last element ID is 0-0"
			}
		}
		return gt, false, true, ""
	case string(idArg) == ">":
		if !r.group {
			return gt, false, false, errGTOutsideXRG
		}
		return gt, true, false, ""
	default:
		id, ok := parseIDStrict(idArg)
		if !ok {
			return gt, false, false, errInvalidID
		}
		return id, false, false, ""
	}
}

// finishRead answers from the shards' findings: the first error, or the
// served keys (running the deliveries through write), or a wait, or null.
func finishRead(x *command.Exec, r *readReq, reads []*shardRead, write func(i int, fn func(x *command.Exec))) {
	errIdx := -1
	msg := ""
	var outs []keyOut
	for _, res := range reads {
		if res == nil {
			continue
		}
		if res.errIdx >= 0 && (errIdx < 0 || res.errIdx < errIdx) {
			errIdx, msg = res.errIdx, res.err
		}
	}
	if errIdx >= 0 {
		x.Err(msg)
		return
	}
	for _, res := range reads {
		if res != nil {
			outs = append(outs, res.outs...)
		}
	}
	if len(outs) > 0 {
		sortOuts(outs)
		replyOuts(x, r, outs)
		if r.group {
			for i, res := range reads {
				if res == nil || len(res.outs) == 0 {
					continue
				}
				res := res
				write(i, func(x *command.Exec) {
					for k := range res.outs {
						deliver(x, r, &res.outs[k])
					}
				})
			}
		}
		return
	}
	if r.block < 0 {
		x.NullArray()
		return
	}
	if x.Block == nil {
		x.NullArray()
		return
	}
	// Wait: "$" and "+" become the ids they stood for now, so that a later run
	// serves what arrives after it.
	for _, res := range reads {
		if res == nil {
			continue
		}
		for i, id := range res.dollar {
			r.ids[i] = id.AppendTo(nil)
		}
	}
	x.Block.Wait = true
	if r.block > 0 {
		x.Block.Deadline = x.Now + r.block
	}
}

func sortOuts(outs []keyOut) {
	for i := 1; i < len(outs); i++ {
		for j := i; j > 0 && outs[j].idx < outs[j-1].idx; j-- {
			outs[j], outs[j-1] = outs[j-1], outs[j]
		}
	}
}

// serveBlocked runs a blocked read again on one shard after a write to one
// of its keys: the first key of this shard that has something for it
// answers, as Redis serves the key that was written.
func serveBlocked(x *command.Exec, r *readReq) {
	for i, key := range r.keys {
		if x.Env.Route(key) != x.Home.ID {
			continue
		}
		db := x.DB(key)
		h, found := db.Lookup(key, x.Now, shard.NoStats|shard.NoTouch)
		if r.group && (!found || db.Type(h) != shard.TypeStream) {
			x.Err(errKeyGone)
			return
		}
		if !found || db.Type(h) != shard.TypeStream {
			continue
		}
		st := db.OpenStream(key, h)
		s := st.S()
		var gt stream.ID
		var g *stream.Group
		if r.group {
			if g = s.Group(r.groupName); g == nil {
				x.Err(errGroupGone)
				return
			}
			gt = g.LastID
		} else {
			id, ok := parseIDStrict(r.ids[i])
			if !ok {
				continue
			}
			gt = id
		}
		// Redis serves a woken reader when the stream's last id is past
		// its own, even with no entry after it (the tail deleted, or the
		// last id set by XSETID): it then answers an empty list. Here a
		// reader is also served once just after it registered (Block
		// marks an existing key ready), which Redis does not do, so the
		// test is Redis's synchronous one, an entry after gt: such a
		// reader waits on as in Redis.
		if s.Len() == 0 || !gt.Less(s.LastValidID(st.Store())) {
			continue
		}
		count := r.count
		if count == 0 {
			count = blockedCount
		}
		out := keyOut{idx: i}
		if start, ok := gt.Incr(); ok {
			s.Range(st.Store(), start, stream.MaxID, false, func(en *stream.Entry) bool {
				out.entries = append(out.entries, outEntry{id: en.ID, pairs: copyPairs(en)})
				return int64(len(out.entries)) < count
			})
		}
		outs := []keyOut{out}
		replyOuts(x, r, outs)
		if r.group {
			deliver(x, r, &outs[0])
		}
		return
	}
	x.Block.Wait = true
	x.Block.Independent = true
}

// readCross runs XREAD and XREADGROUP whose keys span shards.
var readCross = &command.Cross{
	Read: func(x *command.Exec) {
		r, ok := parseReadQuiet(x)
		if !ok {
			return
		}
		x.Result.Value = readShard(x, &r, x.OwnsKey, r.count)
	},
	Apply: func(x *command.Exec, reads []*command.Exec) []command.Write {
		r, ok := parseRead(x)
		if !ok {
			return nil
		}
		res := make([]*shardRead, len(reads))
		for i, p := range reads {
			if p != nil {
				res[i], _ = p.Result.Value.(*shardRead)
			}
		}
		var writes []command.Write
		finishRead(x, &r, res, func(sh int, fn func(x *command.Exec)) {
			writes = append(writes, command.Write{Shard: sh, Do: fn})
		})
		return writes
	},
}

// parseReadQuiet parses without replying (a Cross read: Apply replies).
func parseReadQuiet(x *command.Exec) (readReq, bool) {
	out := x.Out
	r, ok := parseRead(x)
	x.Out = out
	x.Failed = false
	return r, ok
}

var _ = strings.ToUpper
