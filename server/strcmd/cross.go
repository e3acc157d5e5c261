package strcmd

import (
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// The halves of MSETNX and LCS when their keys span shards
// (command.Cross).

// msetnxCross: every shard says whether one of its keys exists; when none
// does, each shard sets its own keys.
var msetnxCross = &command.Cross{
	Read: func(x *command.Exec) {
		for i := 1; i+1 < len(x.Args); i += 2 {
			if key := x.Args[i]; x.OwnsKey(key) {
				if _, found := x.DB(key).Lookup(key, x.Now, shard.NoStats|shard.NoTouch); found {
					x.Result.Found = true
					return
				}
			}
		}
	},
	Apply: func(x *command.Exec, reads []*command.Exec) []command.Write {
		for _, r := range reads {
			if r != nil && r.Result.Found {
				x.Int(0)
				return nil
			}
		}
		x.Int(1)
		// One write per key, in the keys' order: the order of their
		// keyspace events.
		writes := make([]command.Write, 0, len(x.Args)/2)
		for i := 1; i+1 < len(x.Args); i += 2 {
			key, val := x.Args[i], x.Args[i+1]
			writes = append(writes, command.Write{Shard: x.Env.Route(key), Do: func(p *command.Exec) {
				p.DB(key).SetString(key, val, 0, false, shard.EncAuto, p.Now)
				p.Notify(command.NotifyString, "set", key)
			}})
		}
		return writes
	},
}

// lcsCross: each shard copies out its key's string; the coordinator
// computes.
var lcsCross = &command.Cross{
	Read: func(x *command.Exec) {
		for _, key := range x.Args[1:3] {
			if x.OwnsKey(key) {
				x.Result.Entry, _ = lcsValue(x, key)
				return
			}
		}
	},
	Apply: func(x *command.Exec, reads []*command.Exec) []command.Write {
		opt, ok := lcsOptions(x)
		if !ok {
			return nil
		}
		var vals [2][]byte
		for i, key := range x.Args[1:3] {
			r := reads[x.Env.Route(key)]
			if r.Failed {
				x.Err(r.Result.Err)
				return nil
			}
			vals[i] = r.Result.Entry
		}
		lcsAnswer(x, opt, vals[0], vals[1])
		return nil
	},
}
