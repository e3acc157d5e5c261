package keycmd

import (
	"strconv"
	"strings"

	"github.com/anaxdb/anax/internal/glob"
	"github.com/anaxdb/anax/protocol/resp"
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// KEYS and SCAN: walking a database, or every shard's in turn.

// isAllPattern reports whether pattern matches every key ("*"), which
// skips matching altogether, as Redis does.
func isAllPattern(p []byte) bool { return len(p) == 1 && p[0] == '*' }

// cmdKeys replies with every live key of the selected database that
// matches the pattern, shard by shard. Expired keys are skipped (the
// active sweep or a later access reclaims them).
func cmdKeys(x *command.Exec) {
	pattern := x.Args[1]
	all := isAllPattern(pattern)
	var names command.Values
	for _, sh := range x.Shards() {
		db := sh.DB(x.DBIndex)
		db.ForEach(func(h shard.Handle) bool {
			if db.IsExpired(h, x.Now) {
				return true
			}
			if k := db.Key(h); all || glob.Match(pattern, k, false) {
				names.Append(k, true)
			}
			return true
		})
	}
	if x.IsPiece() {
		x.Result.Vals = names
		return
	}
	x.Array(names.Len())
	for i := range names.Len() {
		x.Value(names.At(i))
	}
}

// SCAN cursors: with one shard the client cursor is the table cursor (see
// shard.DB.Scan). With several, it is tableCursor<<scanShardBits | shard:
// the iteration walks shard 0's table, then shard 1's, and so on, each call
// on the shard its cursor names. Table
// cursors stay below 2^48, so the result fits in 64 bits; a cursor naming
// a shard that does not exist ends the iteration.
const (
	scanShardBits = 10
	scanShardMask = 1<<scanShardBits - 1
)

// scanState is one SCAN call in progress. A call that reaches the end of a
// shard's table with room left continues on the next shard (dispatch.go
// moves it there), so it carries what it has found so far.
type scanState struct {
	count          int64
	pattern, typ   []byte
	si, tc         uint64
	body           []byte
	found          int
	visited, steps int64
	// peek: the call has used its count; it moves on only past empty
	// shards, to name the next shard with keys (or end the walk).
	peek bool
}

// parseScan reads SCAN's arguments into a new state, or writes the error.
func parseScan(x *command.Exec) (*scanState, bool) {
	cursor, ok := command.ParseScanCursor(x.Args[1])
	if !ok {
		x.Err(errInvalidCurs)
		return nil, false
	}
	st := &scanState{count: 10}
	for i := 2; i < len(x.Args); i += 2 {
		a := x.Args[i]
		if i+1 >= len(x.Args) {
			x.Fail(command.ErrSyntax)
			return nil, false
		}
		switch {
		case command.EqFold(a, "count"):
			v, ok := command.ParseInt(x.Args[i+1])
			if !ok {
				x.Fail(command.ErrNotInt)
				return nil, false
			}
			if v < 1 {
				x.Fail(command.ErrSyntax)
				return nil, false
			}
			st.count = v
		case command.EqFold(a, "match"):
			st.pattern = x.Args[i+1]
		case command.EqFold(a, "type"):
			st.typ = x.Args[i+1]
		default:
			x.Fail(command.ErrSyntax)
			return nil, false
		}
	}
	if st.pattern != nil && isAllPattern(st.pattern) {
		st.pattern = nil
	}
	st.tc = cursor
	if x.Env.ShardCount() > 1 {
		st.si, st.tc = cursor&scanShardMask, cursor>>scanShardBits
	}
	return st, true
}

// cmdScan scans the shard it runs on (the one its cursor names); an empty
// table is skipped outright. When that table ends and the dispatcher lets
// the call continue (x.Continue), it leaves the reply unwritten, keeps its
// state in x.Continue.State and names the next shard in x.Continue.Next (to
// scan on with room left, or only to skip it if empty); otherwise it
// replies, and the cursor names the next shard.
func cmdScan(x *command.Exec) {
	var st *scanState
	if x.Continue != nil {
		st, _ = x.Continue.State.(*scanState)
		x.Continue.Next = -1
	}
	if st == nil {
		var ok bool
		if st, ok = parseScan(x); !ok {
			return
		}
		if x.Continue != nil {
			x.Continue.State = st
		}
	}
	typName := string(st.typ)
	n := uint64(x.Env.ShardCount())
	var expired []byte
	var expiredEnds []int
	done := st.si >= n
	// As Redis: stop once count entries were visited (before filtering) or
	// after count*10 steps, so that a sparse table cannot make one call long.
	maxSteps := st.count * 10
	db := x.Home.DB(x.DBIndex)
	switch {
	case done:
	case db.Len() == 0:
		// An empty table has nothing to visit, but its cursor would still
		// step through every bucket: skip it without counting steps.
		st.tc = 0
		st.si++
		done = st.si >= n
	case st.peek:
		// Only looking for the next shard with keys: this is it.
	default:
		for st.visited < st.count && st.steps < maxSteps {
			st.steps++
			expired, expiredEnds = expired[:0], expiredEnds[:0]
			st.tc = db.Scan(st.tc, func(h shard.Handle) {
				st.visited++
				k := db.Key(h)
				if db.IsExpired(h, x.Now) {
					expired = append(expired, k...)
					expiredEnds = append(expiredEnds, len(expired))
					return
				}
				if st.pattern != nil && !glob.Match(st.pattern, k, false) {
					return
				}
				if st.typ != nil && !strings.EqualFold(typName, typeName(db.Type(h))) {
					return
				}
				st.body = resp.AppendBulk(st.body, k)
				st.found++
			})
			// Reclaim what the step found expired (Scan's callback must not
			// write), as Redis's SCAN does through expireIfNeeded.
			start := 0
			for _, end := range expiredEnds {
				db.Lookup(expired[start:end], x.Now, shard.NoStats|shard.NoTouch)
				start = end
			}
			if st.tc == 0 {
				st.si++
				done = st.si >= n
				break
			}
		}
	}
	// This shard's table ended (or was skipped) and another follows: move
	// the call there when the dispatcher can. With room left it scans on;
	// without, it only looks whether that shard is empty, so that a reply
	// never names a shard with nothing left to visit (an empty database
	// answers cursor 0 at once, and so does a walk whose remaining shards
	// are empty). Each shard is looked at by its own loop, after the hops
	// the client posted there before this SCAN.
	if !done && st.tc == 0 && x.Continue != nil && !(st.peek && db.Len() > 0) {
		st.peek = st.peek || st.visited >= st.count || st.steps >= maxSteps
		x.Continue.Next = int(st.si)
		return
	}
	var next uint64
	switch {
	case done:
		next = 0
	case n > 1:
		next = st.tc<<scanShardBits | st.si
	default:
		next = st.tc
	}
	var tmp [24]byte
	x.Array(2)
	x.Bulk(strconv.AppendUint(tmp[:0], next, 10))
	x.Array(st.found)
	x.Out = append(x.Out, st.body...)
}

// scanRoute is the shard a SCAN cursor names; an invalid or finished cursor
// runs anywhere, here on shard 0.
func scanRoute(args [][]byte, shards int) int {
	cursor, ok := command.ParseScanCursor(args[1])
	if !ok || shards == 1 {
		return 0
	}
	si := int(cursor & scanShardMask)
	if si >= shards {
		return 0
	}
	return si
}
