package server

import (
	"slices"

	"github.com/anaxdb/anax/server/command"
)

// splitPlan is a command cut into one piece per shard. Plans are reused
// (takeSplitPlan, releaseSplitPlan): a command split at every pipeline
// turn would otherwise allocate its pieces, their argument lists and their
// values each time.
type splitPlan struct {
	parts  []*command.Exec // by shard index; nil where the command has no piece
	shards []int           // the shards with a piece, in order of their first key
	owner  []uint16        // the shard of each key, in argument order (none for a whole-keyspace command)
	// packed, when the pieces were copied out of a read buffer, holds each
	// piece's arguments (by shard index) instead of its Args.
	packed []packedArgs

	// Storage kept from one use to the next, by shard index: each piece's
	// context and Result, and the planner's counts.
	pieces []piece
	nargs  []int
	nbytes []int
}

// piece is the storage of one shard's piece of a split command.
type piece struct {
	x    command.Exec
	r    command.Result
	args [][]byte // the argument list the plan made for x (sized once), kept between uses
}

// maxKeptPieceBytes bounds what a released plan keeps of each piece's
// reply and values, and maxKeptPieceArgs its argument list: a command with
// a huge reply or many keys does not pin its buffers in the pool.
const (
	maxKeptPieceBytes = 16 << 10
	maxKeptPieceArgs  = 1024
)

// takeSplitPlan returns an empty plan for the server's shard count.
func (s *Server) takeSplitPlan() *splitPlan {
	if pl, ok := s.splitPlans.Get().(*splitPlan); ok {
		return pl
	}
	n := s.router.N()
	return &splitPlan{
		parts:  make([]*command.Exec, n),
		pieces: make([]piece, n),
		nargs:  make([]int, n),
		nbytes: make([]int, n),
	}
}

// releaseSplitPlan gives pl back once its pieces' results are merged:
// nothing may refer to it or to its pieces afterwards.
func (s *Server) releaseSplitPlan(pl *splitPlan) {
	for _, sh := range pl.shards {
		// The next use resets the piece (InitPiece); what it still points
		// to (arguments, values) lives at most until the pool is emptied at
		// a collection.
		pc := &pl.pieces[sh]
		if cap(pc.args) > maxKeptPieceArgs {
			pc.args = nil
		}
		if cap(pc.x.Out) > maxKeptPieceBytes {
			pc.x.Out = nil
		}
		if pc.r.Vals.Capacity() > maxKeptPieceBytes {
			pc.r.Vals = command.Values{}
		}
		pl.parts[sh] = nil
		pl.nargs[sh], pl.nbytes[sh] = 0, 0
	}
	pl.shards = pl.shards[:0]
	pl.owner = pl.owner[:0]
	pl.packed = nil
	s.splitPlans.Put(pl)
}

// packedArgs is a piece's arguments copied end to end, with where each one
// ends: 8 bytes an argument besides its own bytes, where a [][]byte over a
// copy takes 24.
type packedArgs struct {
	data []byte
	ends []int
}

func (pk *packedArgs) arg(i int) []byte {
	start := 0
	if i > 0 {
		start = pk.ends[i-1]
	}
	end := pk.ends[i]
	return pk.data[start:end:end]
}

// planSplit cuts x into pieces: one per shard over that shard's share of
// the keys plan places (each key with the arguments of its step: MSET's
// value), or, when plan is nil, one per shard over the whole command.
// args are x's arguments; with detach they live in a read buffer, and each
// piece's are copied into packed arguments of its own, sized once. The
// plan goes back with releaseSplitPlan once merged.
func (s *Server) planSplit(x *command.Exec, args [][]byte, plan *keyPlan, detach bool) *splitPlan {
	n := s.router.N()
	pl := s.takeSplitPlan()
	newPart := func(sh int) *command.Exec {
		pc := &pl.pieces[sh]
		command.InitPiece(&pc.x, &pc.r, x, nil, sh)
		pl.parts[sh] = &pc.x
		pl.shards = append(pl.shards, sh)
		return &pc.x
	}
	if plan == nil {
		for sh := 0; sh < n; sh++ {
			newPart(sh).Args = args
		}
		return pl
	}
	step := max(x.Cmd.Step, 1)
	pl.owner = append(pl.owner[:0], plan.owner...) // plan may be the loop's scratch
	// First pass: each piece's size.
	nargs, nbytes := pl.nargs, pl.nbytes
	for i, ki := range plan.idx {
		sh := int(pl.owner[i])
		if nargs[sh] == 0 {
			newPart(sh)
			nargs[sh], nbytes[sh] = 1, len(args[0])
		}
		end := min(ki+step, len(args))
		nargs[sh] += end - ki
		for _, a := range args[ki:end] {
			nbytes[sh] += len(a)
		}
	}
	// Second pass: fill the pieces.
	if detach {
		pl.packed = make([]packedArgs, n)
		for _, sh := range pl.shards {
			pk := &pl.packed[sh]
			*pk = packedArgs{data: make([]byte, 0, nbytes[sh]), ends: make([]int, 0, nargs[sh])}
			pk.data = append(pk.data, args[0]...)
			pk.ends = append(pk.ends, len(pk.data))
		}
		for i, ki := range plan.idx {
			pk := &pl.packed[int(pl.owner[i])]
			for _, a := range args[ki:min(ki+step, len(args))] {
				pk.data = append(pk.data, a...)
				pk.ends = append(pk.ends, len(pk.data))
			}
		}
		return pl
	}
	for _, sh := range pl.shards {
		pc := &pl.pieces[sh]
		pc.args = slices.Grow(pc.args[:0], nargs[sh])
		pc.x.Args = append(pc.args, args[0])
	}
	for i, ki := range plan.idx {
		p := pl.parts[int(pl.owner[i])]
		p.Args = append(p.Args, args[ki:min(ki+step, len(args))]...)
	}
	return pl
}

// split runs every piece of x on its shard, then combines their results
// into x's reply.
func (t *txRun) split(x *command.Exec, pl *splitPlan, next func()) {
	s := t.s
	held := s.holdNotes() // keyspace events, published in key order (notify.go)
	t.tx.HopThen(pl.shards, func(sh int) {
		p := pl.parts[sh]
		p.SetHome(s.router.Shard(sh))
		if held != nil {
			held[sh].keys = pieceKeys(p, pl, sh)
			s.holding(sh, held[sh])
			defer s.holding(sh, nil)
		}
		tr := s.trackBegin(p.Home, t.cl)
		if pl.packed == nil {
			p.Cmd.Run(p)
			if tr {
				s.trackAfter(p, x.Track)
			}
			return
		}
		runPacked(p, &pl.packed[sh])
		if tr {
			s.trackPacked(p, &pl.packed[sh], x.Track)
		}
		pl.packed[sh] = packedArgs{} // the copies are no longer needed
	}, t.last && held == nil, func() {
		if held != nil {
			s.publishHeldByKey(held, pl.owner)
			if t.last {
				t.tx.Conclude()
			}
		}
		command.Merge(x, pl.parts, pl.owner)
		s.releaseSplitPlan(pl)
		next()
	})
}

// pieceKeys returns copies of the keys of piece p (on shard sh), in order.
func pieceKeys(p *command.Exec, pl *splitPlan, sh int) [][]byte {
	args := p.Args
	if pl.packed != nil {
		pk := &pl.packed[sh]
		args = make([][]byte, len(pk.ends))
		for i := range args {
			args[i] = pk.arg(i)
		}
	}
	var keys [][]byte
	for _, i := range p.Cmd.KeyIndexes(args, nil) {
		keys = append(keys, slices.Clone(args[i]))
	}
	return keys
}

// packedWindow is how many keys of a packed piece one run of its command
// takes.
const packedWindow = 1024

// runPacked runs piece p over its packed arguments, packedWindow keys at a
// time. Its result gathers in p.Result across the runs (counts add up,
// values append); the runs go through the keys in order, so a key named
// twice behaves as in one run, and the first error stops them.
func runPacked(p *command.Exec, pk *packedArgs) {
	step := max(p.Cmd.Step, 1)
	nargs := len(pk.ends)
	if p.Cmd.Multi == command.MultiValues {
		p.Result.Vals.Reserve((nargs-1)/step, len(pk.data)) // about one value per key, as long as keys
	}
	window := make([][]byte, 0, 1+packedWindow*step)
	for i := 1; i < nargs && !p.Failed; {
		window = append(window[:0], pk.arg(0))
		for k := 0; k < packedWindow*step && i < nargs; k++ {
			window = append(window, pk.arg(i))
			i++
		}
		p.Args = window
		p.Cmd.Run(p)
	}
	p.Args = nil
}
