package listcmd

import (
	"github.com/anaxdb/anax/container/listpack"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// Commands returns the family's command specs.
func Commands() []*command.Spec {
	w := command.FlagWrite
	r := command.FlagReadOnly
	oom, fast := command.FlagDenyOOM, command.FlagFast
	k1 := func(c *command.Spec) *command.Spec {
		c.FirstKey, c.LastKey, c.Step = 1, 1, 1
		c.Group = "list"
		return c
	}
	k2 := func(c *command.Spec) *command.Spec {
		c.FirstKey, c.LastKey, c.Step = 1, 2, 1
		c.Group = "list"
		return c
	}
	const pushCost = "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."
	return []*command.Spec{
		k1(&command.Spec{Name: "lpush", Arity: -3, Flags: w | oom | fast, Run: cmdLPush, Summary: "Prepends one or more elements to a list. Creates the key if it doesn't exist.", Since: "1.0.0", Complexity: pushCost}),
		k1(&command.Spec{Name: "rpush", Arity: -3, Flags: w | oom | fast, Run: cmdRPush, Summary: "Appends one or more elements to a list. Creates the key if it doesn't exist.", Since: "1.0.0", Complexity: pushCost}),
		k1(&command.Spec{Name: "lpushx", Arity: -3, Flags: w | oom | fast, Run: cmdLPushX, Summary: "Prepends one or more elements to a list only when the list exists.", Since: "2.2.0", Complexity: pushCost}),
		k1(&command.Spec{Name: "rpushx", Arity: -3, Flags: w | oom | fast, Run: cmdRPushX, Summary: "Appends an element to a list only when the list exists.", Since: "2.2.0", Complexity: pushCost}),
		k1(&command.Spec{Name: "lpop", Arity: -2, Flags: w | fast, Run: cmdLPop, Summary: "Returns the first elements in a list after removing it. Deletes the list if the last element was popped.", Since: "1.0.0", Complexity: "O(N) where N is the number of elements returned"}),
		k1(&command.Spec{Name: "rpop", Arity: -2, Flags: w | fast, Run: cmdRPop, Summary: "Returns and removes the last elements of a list. Deletes the list if the last element was popped.", Since: "1.0.0", Complexity: "O(N) where N is the number of elements returned"}),
		k1(&command.Spec{Name: "llen", Arity: 2, Flags: r | fast, Run: cmdLLen, Summary: "Returns the length of a list.", Since: "1.0.0", Complexity: "O(1)"}),
		k1(&command.Spec{Name: "lindex", Arity: 3, Flags: r, Run: cmdLIndex, Summary: "Returns an element from a list by its index.", Since: "1.0.0", Complexity: "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1)."}),
		k1(&command.Spec{Name: "lrange", Arity: 4, Flags: r, Run: cmdLRange, Summary: "Returns a range of elements from a list.", Since: "1.0.0", Complexity: "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range."}),
		k1(&command.Spec{Name: "lset", Arity: 4, Flags: w | oom, Run: cmdLSet, Summary: "Sets the value of an element in a list by its index.", Since: "1.0.0", Complexity: "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1)."}),
		k1(&command.Spec{Name: "linsert", Arity: 5, Flags: w | oom, Run: cmdLInsert, Summary: "Inserts an element before or after another element in a list.", Since: "2.2.0", Complexity: "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N)."}),
		k1(&command.Spec{Name: "lrem", Arity: 4, Flags: w, Run: cmdLRem, Summary: "Removes elements from a list. Deletes the list if the last element was removed.", Since: "1.0.0", Complexity: "O(N+M) where N is the length of the list and M is the number of elements removed."}),
		k1(&command.Spec{Name: "ltrim", Arity: 4, Flags: w, Run: cmdLTrim, Summary: "Removes elements from both ends a list. Deletes the list if all elements were trimmed.", Since: "1.0.0", Complexity: "O(N) where N is the number of elements to be removed by the operation."}),
		k1(&command.Spec{Name: "lpos", Arity: -3, Flags: r, Run: cmdLPos, Summary: "Returns the index of matching elements in a list.", Since: "6.0.6", Complexity: "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time."}),
		k2(&command.Spec{Name: "lmove", Arity: 5, Flags: w | oom, Run: cmdLMove, Cross: moveCross, Summary: "Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.", Since: "6.2.0", Complexity: "O(1)"}),
		k2(&command.Spec{Name: "rpoplpush", Arity: 3, Flags: w | oom, Run: cmdRPopLPush, Cross: moveCross, Summary: "Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.", Since: "1.2.0", Complexity: "O(1)"}),
		{Name: "blpop", Arity: -3, Flags: w | command.FlagBlocking | command.FlagNoScript, FirstKey: 1, LastKey: -2, Step: 1, Run: cmdBLPop, Cross: blockingPopCross(true), Group: "list", Summary: "Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", Since: "2.0.0", Complexity: "O(N) where N is the number of provided keys."},
		{Name: "brpop", Arity: -3, Flags: w | command.FlagBlocking | command.FlagNoScript, FirstKey: 1, LastKey: -2, Step: 1, Run: cmdBRPop, Cross: blockingPopCross(false), Group: "list", Summary: "Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", Since: "2.0.0", Complexity: "O(N) where N is the number of provided keys."},
		k2(&command.Spec{Name: "blmove", Arity: 6, Flags: w | oom | command.FlagBlocking | command.FlagNoScript, Run: cmdBLMove, Cross: blmoveCross, Summary: "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.", Since: "6.2.0", Complexity: "O(1)"}),
		k2(&command.Spec{Name: "brpoplpush", Arity: 4, Flags: w | oom | command.FlagBlocking | command.FlagNoScript, Run: cmdBLMove, Cross: blmoveCross, Summary: "Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.", Since: "2.2.0", Complexity: "O(1)"}),
		{Name: "blmpop", Arity: -5, Flags: w | command.FlagBlocking, Keys: blmpopKeys, Run: cmdBLMPop, Cross: blmpopCross, Group: "list", Summary: "Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", Since: "7.0.0", Complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned."},
		{Name: "lmpop", Arity: -4, Flags: w, Keys: mpopKeys, Run: cmdLMPop, Cross: mpopCross, Group: "list", Summary: "Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.", Since: "7.0.0", Complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned."},
	}
}

// Error texts of the list commands beyond the Status table.
const (
	errNotPositive = "ERR value is out of range, must be positive"
	errOutOfRange  = "ERR index out of range"
	errRankZero    = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	errRankRange   = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	errLPosCount   = "ERR COUNT can't be negative"
	errLPosMaxLen  = "ERR MAXLEN can't be negative"
	errNumKeys     = "ERR numkeys should be greater than 0"
	errMPopCount   = "ERR count should be greater than 0"
)

// fill is list-max-listpack-size, read at each change as Redis reads it.
func fill(x *command.Exec) int { return int(x.Env.Limits().ListListpackSize) }

// writeFlags are the lookup flags of a command that writes the key: no
// hit or miss counted, as Redis's lookupKeyWrite.
func writeFlags(x *command.Exec) int { return shard.NoStats | x.LookupFlags() }

// openList looks key up with flags. found is false when the key is
// missing; ok is false, after the WRONGTYPE reply, when it holds another
// type.
func openList(x *command.Exec, key []byte, flags int) (l shard.List, found, ok bool) {
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, flags)
	if !found {
		return l, false, true
	}
	if db.Type(h) != shard.TypeList {
		x.Fail(command.ErrWrongType)
		return l, true, false
	}
	return db.OpenList(key, h), true, true
}

// bulkValue writes one element.
func bulkValue(x *command.Exec, v listpack.Value) {
	if v.IsInt {
		x.BulkInt(v.Int)
	} else {
		x.Bulk(v.Str)
	}
}

// parseLong reads a Redis long argument, writing Redis's error when it is
// not one.
func parseLong(x *command.Exec, arg []byte) (int, bool) {
	n, ok := command.ParseInt(arg)
	if !ok {
		x.Fail(command.ErrNotInt)
	}
	return int(n), ok
}

// nonNegative reads a count that may not be negative, answering msg when
// it is not one.
func nonNegative(x *command.Exec, arg []byte, msg string) (int, bool) {
	n, ok := command.ParseInt(arg)
	if !ok || n < 0 {
		x.Err(msg)
		return 0, false
	}
	return int(n), true
}

func cmdLPush(x *command.Exec)  { push(x, true, false) }
func cmdRPush(x *command.Exec)  { push(x, false, false) }
func cmdLPushX(x *command.Exec) { push(x, true, true) }
func cmdRPushX(x *command.Exec) { push(x, false, true) }

// push is LPUSH, RPUSH and their X forms (only when the list exists).
func push(x *command.Exec, head, onlyExisting bool) {
	key := x.Args[1]
	l, found, ok := openList(x, key, writeFlags(x))
	if !ok {
		return
	}
	if !found {
		if onlyExisting {
			x.Int(0)
			return
		}
		l = x.DB(key).NewList(key, x.Now)
	}
	l.Push(x.Args[2:], head, fill(x))
	x.Int(int64(l.Len()))
	x.Notify(command.NotifyList, pushEvent(head), key)
}

func cmdLLen(x *command.Exec) {
	l, found, ok := openList(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	x.Int(int64(l.Len()))
}

func cmdLIndex(x *command.Exec) {
	l, found, ok := openList(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Null()
		return
	}
	i, ok := parseLong(x, x.Args[2])
	if !ok {
		return
	}
	if v, ok := l.Index(i); ok {
		bulkValue(x, v)
	} else {
		x.Null()
	}
}

func cmdLSet(x *command.Exec) {
	l, found, ok := openList(x, x.Args[1], writeFlags(x))
	if !ok {
		return
	}
	if !found {
		x.Fail(command.ErrNoKey)
		return
	}
	i, ok := parseLong(x, x.Args[2])
	if !ok {
		return
	}
	if l.Set(i, x.Args[3], fill(x)) {
		x.OK()
		x.Notify(command.NotifyList, "lset", x.Args[1])
	} else {
		x.Err(errOutOfRange)
	}
}

func cmdLInsert(x *command.Exec) {
	var after bool
	switch where := x.Args[2]; {
	case command.EqFold(where, "after"):
		after = true
	case command.EqFold(where, "before"):
	default:
		x.Fail(command.ErrSyntax)
		return
	}
	l, found, ok := openList(x, x.Args[1], writeFlags(x))
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	if !l.Insert(x.Args[3], x.Args[4], after, fill(x)) {
		x.Int(-1)
		return
	}
	x.Int(int64(l.Len()))
	x.Notify(command.NotifyList, "linsert", x.Args[1])
}

// replyRange writes n elements from index start towards the tail, or from
// index start towards the head when back, as one array.
func replyRange(x *command.Exec, l *shard.List, start, n int, back bool) {
	x.Array(n)
	for it := l.Iter(start, back); n > 0 && it.Next(); n-- {
		bulkValue(x, it.Value())
	}
}

// rangeOf clamps LRANGE's start and stop to a list of n elements; it
// returns the first index and the count, 0 when the range is empty.
func rangeOf(start, stop, n int) (int, int) {
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	start = max(start, 0)
	if start > stop || start >= n {
		return 0, 0
	}
	stop = min(stop, n-1)
	return start, stop - start + 1
}

func cmdLRange(x *command.Exec) {
	start, ok := parseLong(x, x.Args[2])
	if !ok {
		return
	}
	stop, ok := parseLong(x, x.Args[3])
	if !ok {
		return
	}
	l, found, ok := openList(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		x.Array(0)
		return
	}
	from, n := rangeOf(start, stop, l.Len())
	replyRange(x, &l, from, n, false)
}

func cmdLTrim(x *command.Exec) {
	start, ok := parseLong(x, x.Args[2])
	if !ok {
		return
	}
	stop, ok := parseLong(x, x.Args[3])
	if !ok {
		return
	}
	l, found, ok := openList(x, x.Args[1], writeFlags(x))
	if !ok {
		return
	}
	if found {
		notifyRemoved(x, "ltrim", x.Args[1], l.Trim(start, stop, fill(x)))
	}
	x.OK()
}

func cmdLRem(x *command.Exec) {
	count, ok := parseLong(x, x.Args[2])
	if !ok {
		return
	}
	l, found, ok := openList(x, x.Args[1], writeFlags(x))
	if !ok {
		return
	}
	if !found {
		x.Int(0)
		return
	}
	n := l.Len()
	removed := l.Remove(x.Args[3], count, fill(x))
	x.Int(int64(removed))
	if removed > 0 {
		notifyRemoved(x, "lrem", x.Args[1], removed == n)
	}
}

func cmdLPos(x *command.Exec) {
	rank, count, maxLen := 1, -1, 0 // count -1: no COUNT given
	for j := 3; j < len(x.Args); j++ {
		opt, more := x.Args[j], j+1 < len(x.Args)
		switch {
		case command.EqFold(opt, "rank") && more:
			j++
			n, ok := command.ParseInt(x.Args[j])
			if !ok {
				x.Fail(command.ErrNotInt)
				return
			}
			if n == -n && n != 0 { // math.MinInt64: Redis accepts -LONG_MAX..LONG_MAX
				x.Err(errRankRange)
				return
			}
			if n == 0 {
				x.Err(errRankZero)
				return
			}
			rank = int(n)
		case command.EqFold(opt, "count") && more:
			j++
			var ok bool
			if count, ok = nonNegative(x, x.Args[j], errLPosCount); !ok {
				return
			}
		case command.EqFold(opt, "maxlen") && more:
			j++
			var ok bool
			if maxLen, ok = nonNegative(x, x.Args[j], errLPosMaxLen); !ok {
				return
			}
		default:
			x.Fail(command.ErrSyntax)
			return
		}
	}
	l, found, ok := openList(x, x.Args[1], x.LookupFlags())
	if !ok {
		return
	}
	if !found {
		if count != -1 {
			x.Array(0)
		} else {
			x.Null()
		}
		return
	}
	back := rank < 0
	if back {
		rank = -rank
	}
	start, n := 0, l.Len()
	if back {
		start = -1
	}
	// The reply's length is known only at the end: the matches' indexes
	// wait in a scratch buffer (COUNT), or there is one (no COUNT).
	found1, seen, index := -1, 0, 0
	var matchesBuf [16]int
	matches := matchesBuf[:0]
	for it := l.Iter(start, back); it.Next() && (maxLen == 0 || index < maxLen); index++ {
		if !it.Value().Equal(x.Args[2]) {
			continue
		}
		seen++
		if seen < rank {
			continue
		}
		at := index
		if back {
			at = n - index - 1
		}
		if count == -1 {
			found1 = at
			break
		}
		matches = append(matches, at)
		if count > 0 && len(matches) >= count {
			break
		}
	}
	if count == -1 {
		if found1 >= 0 {
			x.Int(int64(found1))
		} else {
			x.Null()
		}
		return
	}
	x.Array(len(matches))
	for _, m := range matches {
		x.Int(int64(m))
	}
}

// Pops.

func cmdLPop(x *command.Exec) { pop(x, true) }
func cmdRPop(x *command.Exec) { pop(x, false) }

// pop is LPOP and RPOP: one element as a bulk string, or with a count an
// array of up to count elements.
func pop(x *command.Exec, head bool) {
	if len(x.Args) > 3 {
		x.ErrArgs()
		return
	}
	hasCount, count := len(x.Args) == 3, 0
	if hasCount {
		n, ok := command.ParseInt(x.Args[2])
		if !ok || n < 0 {
			x.Err(errNotPositive)
			return
		}
		count = int(n)
	}
	key := x.Args[1]
	l, found, ok := openList(x, key, writeFlags(x))
	if !ok {
		return
	}
	if !found {
		if hasCount {
			x.NullArray()
		} else {
			x.Null()
		}
		return
	}
	if !hasCount {
		v, _ := l.Index(endIndex(head))
		bulkValue(x, v)
		notifyRemoved(x, popEvent(head), key, l.RemoveEnd(head, 1, fill(x)))
		return
	}
	if count == 0 {
		x.Array(0)
		return
	}
	popRange(x, &l, key, head, count)
}

// endIndex is the index of the element a pop at the head or the tail takes.
func endIndex(head bool) int {
	if head {
		return 0
	}
	return -1
}

// popRange replies with up to count elements from one end of l, in the
// order they leave it, and removes them.
func popRange(x *command.Exec, l *shard.List, key []byte, head bool, count int) {
	n := min(count, l.Len())
	replyRange(x, l, endIndex(head), n, !head)
	notifyRemoved(x, popEvent(head), key, l.RemoveEnd(head, n, fill(x)))
}

// PopOutcome is what a pop attempt did.
type PopOutcome uint8

const (
	// Popped: elements were popped and the reply written.
	Popped PopOutcome = iota
	// Empty: none of the keys holds a list; nothing was written.
	Empty
	// Failed: an error reply was written (a key of another type).
	Failed
)

// PopReply is the shape of a pop's reply.
type PopReply uint8

const (
	// KeyAndElement: [key, element] (BLPOP, BRPOP); one element popped.
	KeyAndElement PopReply = iota
	// KeyAndElements: [key, [elements...]] (LMPOP, BLMPOP).
	KeyAndElements
)

// PopFirst pops up to count elements from the head or the tail of the
// first of keys that holds a list, all keys being on x's shard, and writes
// the reply in the shape reply says. As Redis does, keys are tried in
// order: a missing key is skipped, a key of another type is the WRONGTYPE
// error (Failed). When no key holds a list it writes nothing and returns
// Empty: LMPOP then answers null, a blocking pop may wait.
func PopFirst(x *command.Exec, keys [][]byte, head bool, count int, reply PopReply) PopOutcome {
	for _, key := range keys {
		l, found, ok := openList(x, key, writeFlags(x))
		if !ok {
			return Failed
		}
		if !found {
			continue
		}
		x.Array(2)
		x.Bulk(key)
		if reply == KeyAndElement {
			v, _ := l.Index(endIndex(head))
			bulkValue(x, v)
			notifyRemoved(x, popEvent(head), key, l.RemoveEnd(head, 1, fill(x)))
		} else {
			popRange(x, &l, key, head, count)
		}
		return Popped
	}
	return Empty
}

// Move pops one element from the head or the tail of src and pushes it at
// the head or the tail of dst (both on x's shard; they may be the same
// list, which then rotates), replying with the element. Redis's order of
// checks: a missing src is Empty (nothing written), a src or then a dst of
// another type is the WRONGTYPE error (Failed), before anything moves.
func Move(x *command.Exec, src, dst []byte, fromHead, toHead bool) PopOutcome {
	from, found, ok := openList(x, src, writeFlags(x))
	if !ok {
		return Failed
	}
	if !found {
		return Empty
	}
	db := x.DB(dst)
	if h, exists := db.Lookup(dst, x.Now, writeFlags(x)); exists && db.Type(h) != shard.TypeList {
		x.Fail(command.ErrWrongType)
		return Failed
	}
	f := fill(x)
	if string(src) == string(dst) {
		// One list: Redis pops, then pushes, then checks the encoding;
		// the element is copied out first, as the pop frees its bytes.
		v, _ := from.Index(endIndex(fromHead))
		var tmp [64]byte
		elem := v.AppendTo(tmp[:0])
		x.Bulk(elem)
		from.Rotate(fromHead, toHead, elem, from.MovedSize(v), f)
		x.Notify(command.NotifyList, pushEvent(toHead), dst)
		x.Notify(command.NotifyList, popEvent(fromHead), src)
		return Popped
	}
	// Two lists: the push reads the element where it lies in src (a new
	// cell for dst moves no other cell), then the pop removes it.
	v, _ := from.Index(endIndex(fromHead))
	var tmp [24]byte
	elem := v.Str
	if v.IsInt {
		elem = v.AppendTo(tmp[:0])
	}
	x.Bulk(elem)
	to := openOrCreate(x, dst)
	to.PushMoved(elem, from.MovedSize(v), toHead, f)
	x.Notify(command.NotifyList, pushEvent(toHead), dst)
	notifyRemoved(x, popEvent(fromHead), src, from.RemoveEnd(fromHead, 1, f))
	return Popped
}

// openOrCreate opens the list under key (checked to be one, or missing),
// creating an empty one to be filled at once when missing.
func openOrCreate(x *command.Exec, key []byte) shard.List {
	db := x.DB(key)
	if h, ok := db.Lookup(key, x.Now, shard.NoStats|shard.NoTouch); ok {
		return db.OpenList(key, h)
	}
	return db.NewList(key, x.Now)
}

// parseEnd reads LEFT or RIGHT; head is true for LEFT.
func parseEnd(arg []byte) (head, ok bool) {
	switch {
	case command.EqFold(arg, "left"):
		return true, true
	case command.EqFold(arg, "right"):
		return false, true
	}
	return false, false
}

// moveEnds reads the ends of LMOVE (its third and fourth arguments) or
// RPOPLPUSH (tail to head).
func moveEnds(x *command.Exec) (fromHead, toHead, ok bool) {
	if len(x.Args) == 3 {
		return false, true, true
	}
	if fromHead, ok = parseEnd(x.Args[3]); !ok {
		return
	}
	toHead, ok = parseEnd(x.Args[4])
	return
}

func cmdLMove(x *command.Exec) { move(x) }

func cmdRPopLPush(x *command.Exec) { move(x) }

func move(x *command.Exec) {
	fromHead, toHead, ok := moveEnds(x)
	if !ok {
		x.Fail(command.ErrSyntax)
		return
	}
	if Move(x, x.Args[1], x.Args[2], fromHead, toHead) == Empty {
		x.Null()
	}
}

// mpopArgs are LMPOP's parsed arguments.
type mpopArgs struct {
	keys  [][]byte
	head  bool
	count int
}

// parseMPop reads LMPOP's arguments from numkeys at index at, in Redis's
// order; it writes the error when they are wrong unless quiet.
func parseMPop(x *command.Exec, at int, quiet bool) (a mpopArgs, ok bool) {
	fail := func(msg string) {
		if !quiet {
			x.Err(msg)
		}
	}
	numKeys, ok := command.ParseInt(x.Args[at])
	if !ok || numKeys < 1 {
		fail(errNumKeys)
		return a, false
	}
	whereAt := at + 1 + int(numKeys)
	if numKeys >= int64(len(x.Args)) || whereAt >= len(x.Args) {
		fail(command.ErrSyntax.Error())
		return a, false
	}
	a.keys = x.Args[at+1 : whereAt]
	if a.head, ok = parseEnd(x.Args[whereAt]); !ok {
		fail(command.ErrSyntax.Error())
		return a, false
	}
	a.count = -1
	for j := whereAt + 1; j < len(x.Args); j++ {
		if a.count == -1 && command.EqFold(x.Args[j], "count") && j+1 < len(x.Args) {
			j++
			n, ok := command.ParseInt(x.Args[j])
			if !ok || n < 1 {
				fail(errMPopCount)
				return a, false
			}
			a.count = int(n)
			continue
		}
		fail(command.ErrSyntax.Error())
		return a, false
	}
	if a.count == -1 {
		a.count = 1
	}
	return a, true
}

// mpopKeys finds LMPOP's keys: numkeys of them after numkeys, as many as
// there are; none when numkeys is not a positive number (the command then
// answers its error wherever it runs).
func mpopKeys(args [][]byte, dst []int) []int {
	if len(args) < 2 {
		return dst
	}
	n, ok := command.ParseInt(args[1])
	if !ok || n < 1 {
		return dst
	}
	for i := 2; i < len(args) && int64(i-2) < n; i++ {
		dst = append(dst, i)
	}
	return dst
}

func cmdLMPop(x *command.Exec) {
	a, ok := parseMPop(x, 1, false)
	if !ok {
		return
	}
	if PopFirst(x, a.keys, a.head, a.count, KeyAndElements) == Empty {
		x.NullArray()
	}
}
