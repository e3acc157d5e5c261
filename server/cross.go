package server

import (
	"slices"

	"github.com/anaxdb/anax/server/command"
)

// cross runs a command that cannot be split across the shards of its keys
// (command.Cross): its reads on those shards, its Apply here, then its
// writes on the shards they name, all inside the transaction.
func (t *txRun) cross(x *command.Exec, plan *keyPlan, next func()) {
	s := t.s
	reads := make([]*command.Exec, s.router.N())
	for _, sh := range plan.shards {
		reads[sh] = command.NewPiece(x, x.Args, sh)
	}
	t.tx.HopThen(plan.shards, func(sh int) {
		r := reads[sh]
		r.SetHome(s.router.Shard(sh))
		x.Cmd.Cross.Read(r)
	}, false, func() {
		writes := x.Cmd.Cross.Apply(x, reads)
		if len(writes) == 0 {
			// Nothing to write: the transaction ends here (its shards
			// are told to release it) and the reply goes at once.
			t.tx.HopThen(nil, nil, t.last, next)
			return
		}
		var shards []int // each shard with writes, once
		for _, w := range writes {
			if reads[w.Shard] == nil {
				reads[w.Shard] = command.NewPiece(x, x.Args, w.Shard)
			}
			if !slices.Contains(shards, w.Shard) {
				shards = append(shards, w.Shard)
			}
		}
		t.tx.HopThen(shards, func(sh int) {
			p := reads[sh]
			p.SetHome(s.router.Shard(sh))
			for _, w := range writes {
				if w.Shard == sh {
					w.Do(p)
				}
			}
		}, t.last, next)
	})
}
