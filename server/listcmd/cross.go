package listcmd

import (
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// The halves of LMOVE, RPOPLPUSH and LMPOP when their keys span shards
// (command.Cross). The reads check types and copy out the elements that
// will move, and nothing else; the writes pop exactly those (the
// transaction's locks keep the lists as the reads saw them).

// wrongType marks, in a read's Result.Err, a key of another type. The read
// does not reply: the coordinator answers the error once.
var wrongType = command.ErrWrongType.Error()

// moveCross: the source's shard copies out the element to move (or says
// the key is missing or of another type), the destination's shard says
// whether its key is of another type; the coordinator answers as Redis
// checks (source missing: null; source, then destination, of another
// type: WRONGTYPE), then the destination's shard pushes and the source's
// pops.
var moveCross = moveCrossOf(moveEnds, nil)

// moveCrossOf builds the halves of a move whose ends ends reads. timeout,
// for a blocking move (BLMOVE, BRPOPLPUSH), returns the timeout argument,
// which the coordinator reads (and answers, when wrong) before the keys;
// a missing source then waits instead of answering null.
func moveCrossOf(ends func(*command.Exec) (bool, bool, bool), timeout func(*command.Exec) []byte) *command.Cross {
	return &command.Cross{
		Read: func(x *command.Exec) {
			src, dst := x.Args[1], x.Args[2]
			fromHead, _, ok := ends(x)
			if !ok {
				return // the coordinator answers the syntax error
			}
			key := dst
			if x.OwnsKey(src) {
				key = src
			}
			db := x.DB(key)
			h, found := db.Lookup(key, x.Now, writeFlags(x))
			switch {
			case !found:
			case db.Type(h) != shard.TypeList:
				x.Result.Err = wrongType
			case x.OwnsKey(src):
				l := db.OpenList(key, h)
				v, _ := l.Index(endIndex(fromHead))
				x.Result.Entry, x.Result.Found = v.AppendTo(nil), true
				x.Result.N = int64(l.MovedSize(v))
			}
		},
		Apply: func(x *command.Exec, reads []*command.Exec) []command.Write {
			src, dst := x.Args[1], x.Args[2]
			fromHead, toHead, ok := ends(x)
			if !ok {
				x.Fail(command.ErrSyntax)
				return nil
			}
			var deadline int64
			if timeout != nil {
				if deadline, ok = command.ParseTimeout(x, timeout(x)); !ok {
					return nil
				}
			}
			from, to := x.Env.Route(src), x.Env.Route(dst)
			s, d := reads[from].Result, reads[to].Result
			switch {
			case s.Err != "" || (s.Found && d.Err != ""):
				x.Fail(command.ErrWrongType)
				return nil
			case !s.Found && timeout != nil:
				waitOrNull(x, deadline, false)
				return nil
			case !s.Found:
				x.Null()
				return nil
			}
			elem, size := s.Entry, int(s.N)
			x.Bulk(elem)
			return []command.Write{
				{Shard: to, Do: func(p *command.Exec) {
					l := openOrCreate(p, dst)
					l.PushMoved(elem, size, toHead, fill(p))
					p.Notify(command.NotifyList, pushEvent(toHead), dst)
				}},
				{Shard: from, Do: func(p *command.Exec) {
					if l, found, ok := openList(p, src, shard.NoStats|shard.NoTouch); found && ok {
						notifyRemoved(p, popEvent(fromHead), src, l.RemoveEnd(fromHead, 1, fill(p)))
					}
				}},
			}
		},
	}
}

// mpopCross: each shard finds the first of its keys, in argument order,
// that exists, and says which (Result.N, the key's place among the keys),
// whether it is of another type, and copies out the elements a pop would
// take (Result.Vals). The coordinator takes the earliest key of all: an
// error if it is of another type, else a pop there, as Redis walks the keys.
var mpopCross = popCrossOf(func(x *command.Exec, quiet bool) (mpopArgs, bool) { return parseMPop(x, 1, quiet) }, KeyAndElements, nil)

// popCrossOf builds the halves of a pop from the first of several keys
// whose arguments parse reads (writing its error unless quiet), replying in
// the shape reply says. timeout, for a blocking pop, returns the timeout
// argument, which the coordinator reads after the others; finding nothing
// then waits instead of answering null.
func popCrossOf(parse func(x *command.Exec, quiet bool) (mpopArgs, bool), reply PopReply, timeout func(*command.Exec) []byte) *command.Cross {
	return &command.Cross{
		Read: func(x *command.Exec) {
			a, ok := parse(x, true)
			if !ok {
				return
			}
			for i, key := range a.keys {
				if !x.OwnsKey(key) {
					continue
				}
				db := x.DB(key)
				h, found := db.Lookup(key, x.Now, writeFlags(x))
				if !found {
					continue
				}
				x.Result.N, x.Result.Found = int64(i), true
				if db.Type(h) != shard.TypeList {
					x.Result.Err = wrongType
					return
				}
				l := db.OpenList(key, h)
				n := min(a.count, l.Len())
				buf := x.Result.Vals
				for it := l.Iter(endIndex(a.head), !a.head); n > 0 && it.Next(); n-- {
					v := it.Value()
					if v.IsInt {
						var tmp [24]byte
						buf.Append(v.AppendTo(tmp[:0]), true)
					} else {
						buf.Append(v.Str, true)
					}
				}
				x.Result.Vals = buf
				return
			}
		},
		Apply: func(x *command.Exec, reads []*command.Exec) []command.Write {
			a, ok := parse(x, false)
			if !ok {
				return nil
			}
			var deadline int64
			if timeout != nil {
				if deadline, ok = command.ParseTimeout(x, timeout(x)); !ok {
					return nil
				}
			}
			var first *command.Exec
			sh := -1
			for i, r := range reads {
				if r != nil && r.Result.Found && (first == nil || r.Result.N < first.Result.N) {
					first, sh = r, i
				}
			}
			switch {
			case first == nil && timeout != nil:
				waitOrNull(x, deadline, true)
				return nil
			case first == nil:
				x.NullArray()
				return nil
			case first.Result.Err != "":
				x.Fail(command.ErrWrongType)
				return nil
			}
			key := a.keys[first.Result.N]
			vals := &first.Result.Vals
			x.Array(2)
			x.Bulk(key)
			if reply == KeyAndElements {
				x.Array(vals.Len())
			}
			for i := range vals.Len() {
				v, _ := vals.At(i)
				x.Bulk(v)
			}
			n := vals.Len()
			return []command.Write{{Shard: sh, Do: func(p *command.Exec) {
				if l, found, ok := openList(p, key, shard.NoStats|shard.NoTouch); found && ok {
					notifyRemoved(p, popEvent(a.head), key, l.RemoveEnd(a.head, n, fill(p)))
				}
			}}}
		},
	}
}
