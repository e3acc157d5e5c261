package server

import (
	"slices"

	"github.com/anaxdb/anax/server/command"
)

// cross runs a command that cannot be split across the shards of its keys
// (command.Cross): its reads on those shards, the further reads its Fetch
// names (if any), its Apply here, then its writes on the shards they name,
// all inside the transaction.
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
		t.fetch(x, reads, func() { t.apply(x, reads, next) })
	})
}

// fetch runs the reads a Cross's Fetch names after its first reads (SORT's
// pattern keys, the set algebra's probes), on their shards, and asks Fetch
// again after each such step; once it names none, next.
func (t *txRun) fetch(x *command.Exec, reads []*command.Exec, next func()) {
	var more []command.Write
	if x.Cmd.Cross.Fetch != nil {
		more = x.Cmd.Cross.Fetch(x, reads)
	}
	if len(more) == 0 {
		next()
		return
	}
	var shards []int
	for _, f := range more {
		if reads[f.Shard] == nil {
			reads[f.Shard] = command.NewPiece(x, x.Args, f.Shard)
		}
		if !slices.Contains(shards, f.Shard) {
			shards = append(shards, f.Shard)
		}
	}
	s := t.s
	t.tx.HopThen(shards, func(sh int) {
		p := reads[sh]
		p.SetHome(s.router.Shard(sh))
		for _, f := range more {
			if f.Shard == sh {
				f.Do(p)
			}
		}
	}, false, func() { t.fetch(x, reads, next) })
}

// apply runs a Cross's Apply on the reads, then its writes.
func (t *txRun) apply(x *command.Exec, reads []*command.Exec, next func()) {
	s := t.s
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
	held := s.holdNotes() // keyspace events, published in write order (notify.go)
	t.tx.HopThen(shards, func(sh int) {
		p := reads[sh]
		p.SetHome(s.router.Shard(sh))
		if held != nil {
			s.holding(sh, held[sh])
			defer s.holding(sh, nil)
		}
		for i, w := range writes {
			if w.Shard == sh {
				if held != nil {
					held[sh].order = i
				}
				w.Do(p)
			}
		}
	}, t.last && held == nil, func() {
		if held != nil {
			s.publishHeld(held)
			if t.last {
				t.tx.Conclude()
			}
		}
		next()
	})
}
