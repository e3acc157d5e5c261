package keycmd

import (
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// The halves of RENAME, RENAMENX and COPY when their two keys live on
// different shards (command.Cross): the source's shard exports its entry,
// the destination's says whether the destination exists, and the entry is
// written under the destination's name on its shard (and, for RENAME, the
// source deleted on its own). Only the one entry moves.

// renameCross is RENAME's (nx: RENAMENX's) cross-shard halves.
func renameCross(nx bool) *command.Cross {
	return &command.Cross{
		Read: func(x *command.Exec) {
			src, dst := x.Args[1], x.Args[2]
			if x.OwnsKey(src) {
				x.Result.Entry, x.Result.Found = exportEntry(x, x.DB(src), src, shard.NoStats|x.LookupFlags())
			} else if x.OwnsKey(dst) {
				_, x.Result.Found = x.DB(dst).Lookup(dst, x.Now, shard.NoStats|shard.NoTouch)
			}
		},
		Apply: func(x *command.Exec, reads []*command.Exec) []command.Write {
			src, dst := x.Args[1], x.Args[2]
			from, to := x.Env.Route(src), x.Env.Route(dst)
			entry := reads[from].Result
			switch {
			case !entry.Found:
				x.Fail(command.ErrNoKey)
				return nil
			case nx && reads[to].Result.Found:
				x.Int(0)
				return nil
			case nx:
				x.Int(1)
			default:
				x.OK()
			}
			// Redis's order of events: the destination's "new", the
			// source's "rename_from", the destination's "rename_to".
			existed := reads[to].Result.Found
			return []command.Write{
				{Shard: to, Do: func(p *command.Exec) {
					p.DB(dst).ImportAs(entry.Entry, dst, true, p.Now)
					if existed {
						p.Notify(command.NotifyNew, "new", dst)
					}
				}},
				{Shard: from, Do: func(p *command.Exec) {
					p.DB(src).Delete(src)
					p.Notify(command.NotifyGeneric, "rename_from", src)
				}},
				{Shard: to, Do: func(p *command.Exec) { p.Notify(command.NotifyGeneric, "rename_to", dst) }},
			}
		},
	}
}

// copyCross is COPY's cross-shard halves; the copy is a new object, as on
// one shard.
var copyCross = &command.Cross{
	Read: func(x *command.Exec) {
		src, dst := x.Args[1], x.Args[2]
		dstIndex, _, ok := copyOptions(x)
		switch {
		case !ok:
			// The coordinator answers the error.
		case x.OwnsKey(src):
			x.Result.Entry, x.Result.Found = exportEntry(x, x.DB(src), src, x.LookupFlags())
		case x.OwnsKey(dst):
			_, x.Result.Found = x.DBAt(dst, dstIndex).Lookup(dst, x.Now, shard.NoStats|shard.NoTouch)
		}
	},
	Apply: func(x *command.Exec, reads []*command.Exec) []command.Write {
		src, dst := x.Args[1], x.Args[2]
		dstIndex, replace, ok := copyOptions(x)
		if !ok {
			return nil
		}
		entry, exists := reads[x.Env.Route(src)].Result, reads[x.Env.Route(dst)].Result.Found
		if !entry.Found || (exists && !replace) {
			x.Int(0)
			return nil
		}
		x.Int(1)
		return []command.Write{{Shard: x.Env.Route(dst), Do: func(p *command.Exec) {
			p.DBAt(dst, dstIndex).ImportAs(entry.Entry, dst, false, p.Now)
			notifyCopy(p, exists, dst, dstIndex)
		}}}
	},
}

// exportEntry looks key up in db with flags (as the command would on one
// shard, so that access time and statistics move alike) and returns a copy
// of its whole entry.
func exportEntry(x *command.Exec, db *shard.DB, key []byte, flags int) ([]byte, bool) {
	if _, ok := db.Lookup(key, x.Now, flags); !ok {
		return nil, false
	}
	return db.Export(key, x.Now, nil)
}
