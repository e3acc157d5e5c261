package server

import (
	"slices"

	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/txn"
)

// keyPlan is where one command's keys live. It is computed once, by
// planKeys, when the command is dispatched or queued in MULTI, and carried
// with it through locking, scheduling, splitting and EXEC.
type keyPlan struct {
	idx   []int    // the positions of the keys in the arguments
	owner []uint16 // each key's shard, in argument order (empty with one shard)
	// fps is each key's lock fingerprint (txn.Fingerprint), in argument
	// order, found while routing it (empty with one shard): a key without
	// a hash tag is routed by the same hash.
	fps    []uint64
	shards []int // the distinct shards, in order of first key
	// global: the command reads keys it does not name that may be on any
	// shard (command.Cross.Reaches: SORT's patterns), so it locks every
	// shard whole and never runs on one shard alone.
	global bool
}

// planKeys fills p for cmd's keys in args, reusing p's space.
func (s *Server) planKeys(p *keyPlan, cmd *command.Spec, args [][]byte) {
	p.idx = cmd.KeyIndexes(args, p.idx[:0])
	p.owner = p.owner[:0]
	p.fps = p.fps[:0]
	p.shards = p.shards[:0]
	p.global = false
	n := s.router.N()
	if n == 1 {
		// Nothing is split or locked key by key with one shard: the
		// shard is all a plan need say.
		if len(p.idx) > 0 {
			p.shards = append(p.shards, 0)
		}
		return
	}
	p.owner = slices.Grow(p.owner, len(p.idx))
	p.fps = slices.Grow(p.fps, len(p.idx))
	// A bit per shard, for the common sizes, instead of a search of
	// p.shards per key (a command may have a million keys).
	var seen [4]uint64
	for _, ki := range p.idx {
		sh, fp := s.router.RouteKey(args[ki])
		p.owner = append(p.owner, uint16(sh))
		p.fps = append(p.fps, fp)
		if sh < 256 {
			if seen[sh>>6]&(1<<(sh&63)) != 0 {
				continue
			}
			seen[sh>>6] |= 1 << (sh & 63)
		} else if slices.Contains(p.shards, sh) {
			continue
		}
		p.shards = append(p.shards, sh)
	}
	if c := cmd.Cross; c != nil && c.Reaches != nil {
		p.global = c.Reaches(args, s.router.Route)
	}
}

// fingerprint returns the lock fingerprint of key i, key: the one planKeys
// kept, or (one shard: none kept) computed.
func (p *keyPlan) fingerprint(i int, key []byte) uint64 {
	if i < len(p.fps) {
		return p.fps[i]
	}
	return txn.Fingerprint(key)
}

// single returns the one shard that holds every key, or -1 when the keys
// span shards or there are none.
func (p *keyPlan) single() int {
	if len(p.shards) == 1 && !p.global {
		return p.shards[0]
	}
	return -1
}

// clone returns a copy of p with space of its own (p is often a loop's
// scratch, reused by the next command).
func (p *keyPlan) clone() keyPlan {
	return keyPlan{idx: slices.Clone(p.idx), owner: slices.Clone(p.owner), fps: slices.Clone(p.fps), shards: slices.Clone(p.shards), global: p.global}
}

// locks appends to dst the locks cmd takes on its keys, for a command
// whose keys share one shard.
func (p *keyPlan) locks(dst []txn.Lock, cmd *command.Spec, args [][]byte) []txn.Lock {
	mode := lockMode(cmd)
	for i, ki := range p.idx {
		dst = append(dst, txn.Lock{FP: p.fingerprint(i, args[ki]), Mode: mode})
	}
	return dst
}

// bigKeyCount is the number of keys above which a command that spans shards
// locks each of them whole (txn.Tx.LockAll) instead of key by key: no
// fingerprint to compute and no lock-table entry per key. The command runs
// in one hop per shard either way, and nothing else runs on a shard while
// it does.
const bigKeyCount = 1024

// lockIn adds to tx the locks of cmd: one per key on the key's shard, every
// shard whole for a command with very many keys, a FlagAllShards one or a
// global one.
// A command without keys runs on shard home.
func (p *keyPlan) lockIn(tx *txn.Tx, cmd *command.Spec, args [][]byte, home int) {
	mode := lockMode(cmd)
	switch {
	case cmd.Flags&command.FlagAllShards != 0 || p.global || len(p.idx) > bigKeyCount:
		tx.LockAll(mode)
	case len(p.idx) == 0:
		tx.Include(home)
	default:
		for i, ki := range p.idx {
			tx.Lock(int(p.owner[i]), p.fingerprint(i, args[ki]), mode)
		}
	}
}
