package command

import "slices"

// Merge is the coordinator half of a split command: from its pieces'
// results (parts, by shard index, nil where the command had no piece) it
// writes x's reply as Multi says. owner is the shard of each key in
// argument order, for MultiValues. An error of any piece is the reply (the
// pieces share the arguments that errors come from).
func Merge(x *Exec, parts []*Exec, owner []uint16) {
	for _, p := range parts {
		if p != nil && p.Failed {
			x.Err(p.Result.Err)
			return
		}
	}
	switch x.Cmd.Multi {
	case MultiSum:
		var sum int64
		for _, p := range parts {
			if p != nil {
				sum += p.Result.N
			}
		}
		x.Int(sum)
	case MultiOK:
		x.OK()
	case MultiValues:
		mergeValues(x, parts, owner)
	case MultiConcat:
		total := 0
		for _, p := range parts {
			if p != nil {
				total += p.Result.Vals.Len()
			}
		}
		x.Array(total)
		for _, p := range parts {
			if p != nil {
				vs := &p.Result.Vals
				for i := range vs.Len() {
					v, _ := vs.At(i)
					x.Bulk(v)
				}
			}
		}
	case MultiRandom:
		mergeRandom(x, parts)
	case MultiCustom:
		x.Cmd.Merge(x, parts)
	}
}

// mergeValues answers one value per key: each piece holds its keys' values
// in argument order, so following each key's shard takes them in turn. The
// reply is sized once.
func mergeValues(x *Exec, parts []*Exec, owner []uint16) {
	size := 16
	for _, p := range parts {
		if p == nil {
			continue
		}
		vs := &p.Result.Vals
		for i := range vs.Len() {
			v, found := vs.At(i)
			size += replySize(v, found)
		}
	}
	x.Out = slices.Grow(x.Out, size)
	var nextBuf [64]int // each piece's next value; shard counts above 64 allocate
	next := nextBuf[:]
	if len(parts) > len(next) {
		next = make([]int, len(parts))
	}
	x.Array(len(owner))
	for _, sh := range owner {
		v, found := parts[sh].Result.Vals.At(next[sh])
		next[sh]++
		if found {
			x.Bulk(v)
		} else {
			x.Null()
		}
	}
}

// mergeRandom keeps one piece's key, with odds proportional to the key
// count of the piece's shard (its weight), so every key is equally likely.
func mergeRandom(x *Exec, parts []*Exec) {
	var total int64
	for _, p := range parts {
		if p != nil && p.Result.Vals.Len() > 0 {
			total += p.Result.N
		}
	}
	if total > 0 {
		pick := int64(x.Env.Rand() % uint64(total))
		for _, p := range parts {
			if p == nil || p.Result.Vals.Len() == 0 {
				continue
			}
			if pick < p.Result.N {
				v, _ := p.Result.Vals.At(0)
				x.Bulk(v)
				return
			}
			pick -= p.Result.N
		}
	}
	x.Null()
}

// replySize is the length of the RESP reply of one value (a bulk string),
// or at most that of a null.
func replySize(v []byte, found bool) int {
	if !found {
		return 5 // "$-1\r\n"; RESP3's "_\r\n" is shorter
	}
	n := len(v) + 5 // "$", "\r\n" twice
	for l := len(v); l >= 10; l /= 10 {
		n++
	}
	return n + 1
}
