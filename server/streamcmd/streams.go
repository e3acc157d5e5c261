package streamcmd

import (
	"math"
	"slices"
	"strconv"

	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/container/stream"
	"github.com/anaxdb/anax/protocol/resp"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// Error texts of the stream commands beyond the Status table.
const (
	errInvalidID     = "ERR Invalid stream ID specified as stream command argument"
	errXAddZero      = "ERR The ID specified in XADD must be greater than 0-0"
	errXAddSmall     = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
	errExhausted     = "ERR The stream has exhausted the last possible ID, unable to add more items"
	errTooLarge      = "ERR Elements are too large to be stored"
	errTrimBoth      = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
	errMaxLenNeg     = "ERR The MAXLEN argument must be >= 0."
	errLimitNeg      = "ERR The LIMIT argument must be >= 0."
	errLimitNoTrim   = "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"
	errXTrimNoStrat  = "ERR syntax error, XTRIM must be called with a trimming strategy"
	errLimitNoApprox = "ERR syntax error, LIMIT cannot be used without the special ~ option"
	errStartID       = "ERR invalid start ID for the interval"
	errEndID         = "ERR invalid end ID for the interval"
)

// Commands returns the family's command specs.
func Commands() []*command.Spec {
	w, r := command.FlagWrite, command.FlagReadOnly
	oom, fast := command.FlagDenyOOM, command.FlagFast
	k1 := func(c *command.Spec) *command.Spec {
		c.FirstKey, c.LastKey, c.Step = 1, 1, 1
		c.Group = "stream"
		return c
	}
	specs := []*command.Spec{
		k1(&command.Spec{Name: "xadd", Arity: -5, Flags: w | oom | fast, Run: cmdXAdd, Summary: "Appends a new message to a stream. Creates the key if it doesn't exist.", Since: "5.0.0", Complexity: "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted."}),
		k1(&command.Spec{Name: "xlen", Arity: 2, Flags: r | fast, Run: cmdXLen, Summary: "Return the number of messages in a stream.", Since: "5.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "xrange", Arity: -4, Flags: r, Run: cmdXRange, Summary: "Returns the messages from a stream within a range of IDs.", Since: "5.0.0", Complexity: "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1)."}),
		k1(&command.Spec{Name: "xrevrange", Arity: -4, Flags: r, Run: cmdXRevRange, Summary: "Returns the messages from a stream within a range of IDs in reverse order.", Since: "5.0.0", Complexity: "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1)."}),
		k1(&command.Spec{Name: "xdel", Arity: -3, Flags: w | fast, Run: cmdXDel, Summary: "Returns the number of messages after removing them from a stream.", Since: "5.0.0", Complexity: "O(1) for each single item to delete in the stream, regardless of the stream size."}),
		k1(&command.Spec{Name: "xtrim", Arity: -4, Flags: w, Run: cmdXTrim, Summary: "Deletes messages from the beginning of a stream.", Since: "5.0.0", Complexity: "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation."}),
		k1(&command.Spec{Name: "xsetid", Arity: -3, Flags: w | oom | fast, Run: cmdXSetID, Summary: "An internal command for replicating stream values.", Since: "5.0.0", Complexity: "O(1)"}),
	}
	specs = append(specs, groupCommands(k1)...)
	specs = append(specs, readCommands()...)
	return specs
}

// nodeConfig is stream-node-max-bytes and stream-node-max-entries, read at
// each append as Redis reads them.
func nodeConfig(x *command.Exec) stream.Config {
	return stream.Config{
		MaxBytes:   int(min(x.Env.Limits().StreamNodeMaxBytes, math.MaxInt32)),
		MaxEntries: int(min(x.Env.Limits().StreamNodeMaxEntry, math.MaxInt32)),
	}
}

// writeFlags are the lookup flags of a command that writes the key.
func writeFlags(x *command.Exec) int { return shard.NoStats | x.LookupFlags() }

// openStream looks key up with flags. found is false when the key is
// missing; ok is false, after the WRONGTYPE reply, when it holds another
// type.
func openStream(x *command.Exec, key []byte, flags int) (s shard.Stream, found, ok bool) {
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, flags)
	if !found {
		return s, false, true
	}
	if db.Type(h) != shard.TypeStream {
		x.Fail(command.ErrWrongType)
		return s, true, false
	}
	return db.OpenStream(key, h), true, true
}

// openGroup opens the stream x.Args[1] (x's lookup flags) and its group
// x.Args[2]. g is nil when the key or the group is missing; ok is false,
// after the WRONGTYPE reply, when the key holds another type.
func openGroup(x *command.Exec) (st shard.Stream, g *stream.Group, ok bool) {
	st, found, ok := openStream(x, x.Args[1], x.LookupFlags())
	if ok && found {
		g = st.S().Group(x.Args[2])
	}
	return st, g, ok
}

// parseID reads an id argument as streamGenericParseIDOrReply does:
// strict refuses "-" and "+"; seqGiven (for XADD) accepts "<ms>-*".
func parseID(x *command.Exec, arg []byte, missingSeq uint64, strict bool) (stream.ID, bool) {
	id, _, ok := parseIDSeq(arg, missingSeq, strict, false)
	if !ok {
		x.Err(errInvalidID)
	}
	return id, ok
}

func parseIDSeq(arg []byte, missingSeq uint64, strict, star bool) (stream.ID, bool, bool) {
	if len(arg) == 1 && (arg[0] == '-' || arg[0] == '+') {
		if strict {
			return stream.ID{}, false, false
		}
		if arg[0] == '-' {
			return stream.ID{}, true, true
		}
		return stream.MaxID, true, true
	}
	return stream.ParseID(arg, missingSeq, star)
}

// parseInterval reads a range bound, "(" making it exclusive.
func parseInterval(x *command.Exec, arg []byte, missingSeq uint64) (id stream.ID, excl, ok bool) {
	if len(arg) > 1 && arg[0] == '(' {
		id, ok = parseID(x, arg[1:], missingSeq, true)
		return id, true, ok
	}
	id, ok = parseID(x, arg, missingSeq, false)
	return id, false, ok
}

// parseLongLong reads a long long, answering Redis's error when it is not.
func parseLongLong(x *command.Exec, arg []byte) (int64, bool) {
	n, ok := command.ParseInt(arg)
	if !ok {
		x.Fail(command.ErrNotInt)
	}
	return n, ok
}

// bulkID writes an id as a bulk string.
func bulkID(x *command.Exec, id stream.ID) {
	var b [48]byte
	x.Bulk(id.AppendTo(b[:0]))
}

func bulkValue(x *command.Exec, v listpack.Value) {
	if v.IsInt {
		x.BulkInt(v.Int)
	} else {
		x.Bulk(v.Str)
	}
}

// replyEntry writes [id, [field, value, ...]].
func replyEntry(x *command.Exec, e *stream.Entry, buf []listpack.Value) []listpack.Value {
	x.Array(2)
	bulkID(x, e.ID)
	buf = e.Pairs(buf[:0])
	x.Array(len(buf))
	for _, v := range buf {
		bulkValue(x, v)
	}
	return buf
}

// deferred is an array whose length is known after its elements are
// written: mark its place, write, then close it.
type deferred int

func deferLen(x *command.Exec) deferred { return deferred(len(x.Out)) }

func (d deferred) close(x *command.Exec, n int) {
	var hdr [24]byte
	h := resp.AppendArrayLen(hdr[:0], n)
	x.Out = slices.Insert(x.Out, int(d), h...)
}

// trimArgs is the parsed trimming of XADD and XTRIM.
type trimArgs struct {
	stream.TrimArgs
	noMkStream bool
	idGiven    bool
	seqGiven   bool
	id         stream.ID
}

// parseAddTrim is streamParseAddOrTrimArgsOrReply: it returns the position
// of the id (XADD) or of the end, or -1 after an error reply.
func parseAddTrim(x *command.Exec, xadd bool) (a trimArgs, pos int) {
	args := x.Args
	limitGiven := false
	i := 2
	for ; i < len(args); i++ {
		more := len(args) - 1 - i
		opt := args[i]
		switch {
		case xadd && len(opt) == 1 && opt[0] == '*':
			goto done
		case command.EqFold(opt, "maxlen") && more > 0, command.EqFold(opt, "minid") && more > 0:
			if a.Strategy != stream.TrimNone {
				x.Err(errTrimBoth)
				return a, -1
			}
			a.Approx = false
			next := args[i+1]
			if more >= 2 && len(next) == 1 && next[0] == '~' {
				a.Approx = true
				i++
			} else if more >= 2 && len(next) == 1 && next[0] == '=' {
				i++
			}
			if command.EqFold(opt, "maxlen") {
				n, ok := parseLongLong(x, args[i+1])
				if !ok {
					return a, -1
				}
				if n < 0 {
					x.Err(errMaxLenNeg)
					return a, -1
				}
				a.MaxLen = n
				a.Strategy = stream.TrimMaxLen
			} else {
				id, ok := parseID(x, args[i+1], 0, true)
				if !ok {
					return a, -1
				}
				a.MinID = id
				a.Strategy = stream.TrimMinID
			}
			i++
		case command.EqFold(opt, "limit") && more > 0:
			n, ok := parseLongLong(x, args[i+1])
			if !ok {
				return a, -1
			}
			if n < 0 {
				x.Err(errLimitNeg)
				return a, -1
			}
			a.Limit = n
			limitGiven = true
			i++
		case xadd && command.EqFold(opt, "nomkstream"):
			a.noMkStream = true
		case xadd:
			id, seqGiven, ok := parseIDSeq(opt, 0, true, true)
			if !ok {
				x.Err(errInvalidID)
				return a, -1
			}
			a.id, a.seqGiven, a.idGiven = id, seqGiven, true
			goto done
		default:
			x.Fail(command.ErrSyntax)
			return a, -1
		}
	}
done:
	if a.Limit != 0 && a.Strategy == stream.TrimNone {
		x.Err(errLimitNoTrim)
		return a, -1
	}
	if !xadd && a.Strategy == stream.TrimNone {
		x.Err(errXTrimNoStrat)
		return a, -1
	}
	if limitGiven {
		if !a.Approx {
			x.Err(errLimitNoApprox)
			return a, -1
		}
	} else if a.Approx {
		a.Limit = 100 * x.Env.Limits().StreamNodeMaxEntry
		if a.Limit <= 0 {
			a.Limit = 10000
		}
		if a.Limit > 1000000 {
			a.Limit = 1000000
		}
	} else {
		a.Limit = 0
	}
	return a, i
}

func cmdXAdd(x *command.Exec) {
	a, idpos := parseAddTrim(x, true)
	if idpos < 0 {
		return
	}
	fieldPos := idpos + 1
	if n := len(x.Args) - fieldPos; n < 2 || n%2 == 1 {
		x.Err("ERR wrong number of arguments for 'xadd' command")
		return
	}
	if a.idGiven && a.seqGiven && a.id.IsZero() {
		x.Err(errXAddZero)
		return
	}
	key := x.Args[1]
	st, found, ok := openStream(x, key, writeFlags(x))
	if !ok {
		return
	}
	var last stream.ID // a new stream's is 0-0
	if !found {
		if a.noMkStream {
			x.Null()
			return
		}
	} else if last = st.S().LastID; last == stream.MaxID {
		x.Err(errExhausted)
		return
	}
	// The new id, as streamAppendItem makes it.
	var id stream.ID
	seqExhausted := false
	switch {
	case a.idGiven && a.seqGiven:
		id = a.id
	case a.idGiven:
		if last.Ms == a.id.Ms {
			if last.Seq == math.MaxUint64 {
				// Redis fails here without setting errno: its reply is
				// the other error's.
				id, seqExhausted = last, true
			} else {
				id = stream.ID{Ms: last.Ms, Seq: last.Seq + 1}
			}
		} else {
			id = a.id
		}
	default:
		ms := uint64(x.Now)
		if ms > last.Ms {
			id = stream.ID{Ms: ms}
		} else {
			id, _ = last.Incr()
		}
	}
	fv := x.Args[fieldPos:]
	tot := 0
	for _, b := range fv {
		tot += len(b)
	}
	if !last.Less(id) || tot > stream.MaxListpackSize {
		if !found {
			// Redis created the key before failing; it keeps an empty
			// stream. Do the same.
			st = x.DB(key).NewStream(key, x.Now)
		}
		if !last.Less(id) && !seqExhausted {
			x.Err(errXAddSmall)
		} else {
			x.Err(errTooLarge)
		}
		return
	}
	if !found {
		st = x.DB(key).NewStream(key, x.Now)
	} else {
		st.Written()
	}
	s := st.S()
	s.Append(st.Store(), nodeConfig(x), id, fv)
	bulkID(x, id)
	x.Notify(command.NotifyStream, "xadd", key)
	if a.Strategy != stream.TrimNone {
		if s.Trim(st.Store(), a.TrimArgs) > 0 {
			x.Notify(command.NotifyStream, "xtrim", key)
		}
	}
}

func cmdXLen(x *command.Exec) {
	st, found, ok := openStream(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	x.Int(int64(st.S().Len()))
}

func cmdXRange(x *command.Exec)    { xrange(x, false) }
func cmdXRevRange(x *command.Exec) { xrange(x, true) }

func xrange(x *command.Exec, rev bool) {
	startArg, endArg := x.Args[2], x.Args[3]
	if rev {
		startArg, endArg = endArg, startArg
	}
	start, excl, ok := parseInterval(x, startArg, 0)
	if !ok {
		return
	}
	if excl {
		if start, ok = start.Incr(); !ok {
			x.Err(errStartID)
			return
		}
	}
	end, excl, ok := parseInterval(x, endArg, math.MaxUint64)
	if !ok {
		return
	}
	if excl {
		if end, ok = end.Decr(); !ok {
			x.Err(errEndID)
			return
		}
	}
	count := int64(-1)
	for j := 4; j < len(x.Args); j++ {
		if command.EqFold(x.Args[j], "count") && j+1 < len(x.Args) {
			n, ok := parseLongLong(x, x.Args[j+1])
			if !ok {
				return
			}
			count = max(n, 0)
			j++
			continue
		}
		x.Fail(command.ErrSyntax)
		return
	}
	st, found, ok := openStream(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Array(0)
		return
	}
	if count == 0 {
		x.NullArray()
		return
	}
	replyRange(x, st.S(), st.Store(), start, end, count, rev)
}

// replyRange writes the entries of [start, end], at most count (all when
// count <= 0), and returns how many it wrote.
func replyRange(x *command.Exec, s *stream.Stream, store stream.Store, start, end stream.ID, count int64, rev bool) int {
	d := deferLen(x)
	n := 0
	var arr [32]listpack.Value
	buf := arr[:0]
	it := s.Iterate(store, start, end, rev)
	for (count <= 0 || int64(n) < count) && it.Next() {
		buf = replyEntry(x, it.Entry(), buf)
		n++
	}
	d.close(x, n)
	return n
}

func cmdXDel(x *command.Exec) {
	key := x.Args[1]
	st, found, ok := openStream(x, key, writeFlags(x))
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	var arr [16]stream.ID
	ids := arr[:0]
	for _, arg := range x.Args[2:] {
		id, ok := parseID(x, arg, 0, true)
		if !ok {
			return
		}
		ids = append(ids, id)
	}
	s := st.S()
	deleted := 0
	for _, id := range ids {
		if s.Has(st.Store(), id) {
			if deleted == 0 {
				st.Edited()
			}
			s.Delete(st.Store(), id)
			deleted++
		}
	}
	if deleted > 0 {
		st.Modified()
		x.Notify(command.NotifyStream, "xdel", key)
	}
	x.Int(int64(deleted))
}

func cmdXTrim(x *command.Exec) {
	a, pos := parseAddTrim(x, false)
	if pos < 0 {
		return
	}
	key := x.Args[1]
	st, found, ok := openStream(x, key, writeFlags(x))
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	// Redis signals the key only when entries went (no signalKeyAsReady).
	st.Edited()
	n := st.S().Trim(st.Store(), a.TrimArgs)
	if n > 0 {
		st.Modified()
		x.Notify(command.NotifyStream, "xtrim", key)
	}
	x.Int(n)
}

func cmdXSetID(x *command.Exec) {
	id, ok := parseID(x, x.Args[2], 0, true)
	if !ok {
		return
	}
	entriesAdded := int64(-1)
	var maxDel stream.ID
	for i := 3; i < len(x.Args); {
		more := len(x.Args) - 1 - i
		opt := x.Args[i]
		switch {
		case command.EqFold(opt, "entriesadded") && more > 0:
			n, ok := parseLongLong(x, x.Args[i+1])
			if !ok {
				return
			}
			if n < 0 {
				x.Err("ERR entries_added must be positive")
				return
			}
			entriesAdded = n
			i += 2
		case command.EqFold(opt, "maxdeletedid") && more > 0:
			if maxDel, ok = parseID(x, x.Args[i+1], 0, true); !ok {
				return
			}
			if id.Less(maxDel) {
				x.Err("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
				return
			}
			i += 2
		default:
			x.Fail(command.ErrSyntax)
			return
		}
	}
	key := x.Args[1]
	st, found, ok := openStream(x, key, writeFlags(x))
	if !ok {
		return
	}
	if !found {
		x.Fail(command.ErrNoKey)
		return
	}
	s := st.S()
	if s.Len() > 0 {
		if id.Less(s.LastValidID(st.Store())) {
			x.Err("ERR The ID specified in XSETID is smaller than the target stream top item")
			return
		}
		if entriesAdded != -1 && int64(s.Len()) > entriesAdded {
			x.Err("ERR The entries_added specified in XSETID is smaller than the target stream length")
			return
		}
	}
	st.Edited() // Redis's xsetidCommand signals no one
	s.LastID = id
	if entriesAdded != -1 {
		s.EntriesAdded = uint64(entriesAdded)
	}
	if !maxDel.IsZero() {
		s.MaxDeletedID = maxDel
	}
	x.OK()
	x.Notify(command.NotifyStream, "xsetid", key)
}

var _ = strconv.Itoa
