package command

// Cross is the two halves of a command whose keys may span shards and that
// cannot be cut into independent pieces (RENAME, COPY, MSETNX, LCS, and
// later the ...STORE commands, SMOVE, LMOVE). Across shards it runs in two
// steps of one transaction that holds the locks of all its keys, so it is
// as atomic as on one shard, and only the data it needs moves:
//
//  1. Read runs on each shard that holds one of the command's keys, with
//     Exec.Part set to that shard (OwnsKey tells which keys are its), and
//     leaves in Exec.Result what the command needs from there: exported
//     entries, counts, flags.
//  2. Apply runs once every read is in, on whichever shard goroutine
//     finished last, and must touch no shard: from the reads (by shard
//     index, nil where a shard holds none of the keys) it writes the reply
//     and returns the writes, each to run on the shard that holds the key
//     it writes.
//
// When all the keys are on one shard the command runs whole there (Run).
type Cross struct {
	Read  func(x *Exec)
	Apply func(x *Exec, reads []*Exec) []Write

	// Reaches, when set, reports whether the command with these arguments
	// reads keys it does not name, found in what it reads (SORT's BY and
	// GET patterns), that may live on another shard than its first key;
	// route is a key's shard. Such a command runs as a transaction that
	// locks every shard whole, even when its named keys share a shard.
	Reaches func(args [][]byte, route func(key []byte) int) bool
	// Fetch, when set, runs on the coordinator between the reads and
	// Apply: from the reads it names more reads, each run on its shard
	// (with that shard's piece, made where Read did not run), so that a
	// command can read keys it learnt of in the first reads. It is asked
	// again after each step it names, until it names none, so that a
	// command can go from shard to shard (the set algebra carries its
	// candidates so). Apply sees every piece after the last step. No
	// Fetch, or none named: no step.
	Fetch func(x *Exec, reads []*Exec) []Write
}

// Write is one write of a Cross command: Do runs on shard Shard, with
// Exec.Part set to it. A shard's writes run in the order Apply lists them.
type Write struct {
	Shard int
	Do    func(x *Exec)
}
