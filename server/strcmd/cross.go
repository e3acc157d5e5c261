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
		var writes []command.Write
		for sh, r := range reads {
			if r == nil {
				continue
			}
			if r.Result.Found {
				x.Int(0)
				return nil
			}
			writes = append(writes, command.Write{Shard: sh, Do: msetOwnKeys})
		}
		x.Int(1)
		return writes
	},
}

// msetOwnKeys sets the keys of MSETNX that live on x's shard.
func msetOwnKeys(x *command.Exec) {
	for i := 1; i+1 < len(x.Args); i += 2 {
		if key := x.Args[i]; x.OwnsKey(key) {
			x.DB(key).SetString(key, x.Args[i+1], 0, false, shard.EncAuto, x.Now)
			x.Notify(command.NotifyString, "set", key)
		}
	}
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
