package sortcmd

import (
	"github.com/anaxdb/anax/server/command"
)

// sortCross is SORT across shards, in one of two shapes (see the package
// comment):
//
//   - Its patterns' keys are all on the sorted key's shard, its STORE
//     destination elsewhere: Read does the whole sort there, Apply replies
//     and the destination's shard stores.
//   - Its patterns may name keys on any shard (Reaches; every shard is
//     locked): Read copies out the elements, Fetch asks each shard for the
//     pattern keys it holds, Apply sorts, replies and names the store.
var sortCross = &command.Cross{
	Read:    sortRead,
	Reaches: reaches,
	Fetch:   sortFetch,
	Apply:   sortApply,
}

// sourceRead is what the sorted key's shard found.
type sourceRead struct {
	err string // WRONGTYPE's text for a key SORT does not sort
	job *job
	res *result // the answer, when the shard could look everything up
	// The pattern values Fetch brought, slot i*len(patterns)+p for
	// candidate i and pattern p; each shard fills its own slots.
	vals  [][]byte
	found []bool
}

func sortRead(x *command.Exec) {
	src := x.Args[1]
	if !x.OwnsKey(src) {
		return // the destination's shard: nothing to read there
	}
	o, bad := parse(x.Args, readonly(x))
	if bad != "" {
		return // Apply answers it
	}
	r := &sourceRead{}
	x.Result.Value = r
	var cp copier
	typ, elems, bad := readSource(x, src, &cp)
	if bad != "" {
		r.err = bad
		return
	}
	r.job = newJob(o, typ, elems)
	if reaches(x.Args, x.Env.Route) {
		return // Fetch reads the pattern keys where they are
	}
	pats := r.job.patterns()
	res := r.job.run(func(pat, i int) ([]byte, bool) {
		return lookupHere(x, pats[pat], r.job.vector[i], &cp)
	})
	r.res = &res
}

// fetchRequest is one pattern key a shard reads for the coordinator.
type fetchRequest struct {
	key, field []byte
	isField    bool
	slot       int
}

func sortFetch(x *command.Exec, reads []*command.Exec) []command.Write {
	r := sourceOf(x, reads)
	if r == nil || r.err != "" || r.res != nil || r.vals != nil {
		return nil // nothing to fetch, or fetched already
	}
	jb := r.job
	pats := jb.patterns()
	n := len(pats) * len(jb.vector)
	r.vals, r.found = make([][]byte, n), make([]bool, n)
	byShard := map[int][]fetchRequest{}
	var shards []int
	var cp copier
	for i, elem := range jb.vector {
		for p, pat := range pats {
			kind, key, field := resolve(pat, elem, cp.scratch[:0])
			if kind != patKey && kind != patField {
				continue
			}
			cp.scratch = key
			key = cp.copy(key)
			sh := x.Env.Route(key)
			if _, seen := byShard[sh]; !seen {
				shards = append(shards, sh)
			}
			byShard[sh] = append(byShard[sh], fetchRequest{key: key, field: field, isField: kind == patField, slot: i*len(pats) + p})
		}
	}
	writes := make([]command.Write, 0, len(shards))
	for _, sh := range shards {
		reqs := byShard[sh]
		writes = append(writes, command.Write{Shard: sh, Do: func(p *command.Exec) {
			// Each shard writes only its own slots.
			var cp copier
			for _, q := range reqs {
				r.vals[q.slot], r.found[q.slot] = lookupKey(p, q.key, q.field, q.isField, &cp)
			}
		}})
	}
	return writes
}

func sortApply(x *command.Exec, reads []*command.Exec) []command.Write {
	o, bad := parse(x.Args, readonly(x))
	if bad != "" {
		x.Err(bad)
		return nil
	}
	r := sourceOf(x, reads)
	if r.err != "" {
		x.Err(r.err)
		return nil
	}
	res := r.res
	if res == nil {
		jb := r.job
		pats := jb.patterns()
		computed := jb.run(func(pat, i int) ([]byte, bool) {
			switch kindOf(pats[pat]) {
			case patSelf:
				return jb.vector[i], true
			case patMissing:
				return nil, false
			}
			slot := i*len(pats) + pat
			return r.vals[slot], r.found[slot]
		})
		res = &computed
	}
	if res.errMsg != "" {
		x.Err(res.errMsg)
		return nil
	}
	if !o.hasStore {
		reply(x, *res)
		return nil
	}
	x.Int(int64(len(res.rows)))
	return []command.Write{{Shard: x.Env.Route(o.store), Do: func(p *command.Exec) { store(p, o.store, *res) }}}
}

// sourceOf returns what the sorted key's shard read (nil when the command
// did not parse there).
func sourceOf(x *command.Exec, reads []*command.Exec) *sourceRead {
	rd := reads[x.Env.Route(x.Args[1])]
	if rd == nil {
		return nil
	}
	r, _ := rd.Result.Value.(*sourceRead)
	return r
}
