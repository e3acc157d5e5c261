package command

import (
	"math"
	"strconv"
)

// Block is what a blocking command (BLPOP, BLMOVE, BLMPOP...) and the
// server tell each other. Exec.Block is nil when the command may not wait
// (inside MULTI, EXEC and scripts): it then answers at once as on a
// timeout, as Redis does.
//
// The server runs a blocking command three ways:
//   - the first attempt (Serving and Expired false): the command runs as
//     its non-blocking form would, across shards if its keys span them;
//     finding nothing, it sets Wait and Deadline and writes nothing, and the
//     server registers the client on every key;
//   - serving (Serving true): a key the client waits on was written; the
//     command runs on that key's shard, acting only on keys of that shard
//     (Exec.OwnsKey) and skipping a key of the wrong type, as Redis skips
//     it; finding nothing it sets Wait again (the client keeps its place),
//     and when it needs another shard now (BLMOVE's destination) it sets
//     Elsewhere and writes nothing: the server runs the first attempt again;
//   - expired (Expired true): the wait ran out; the command writes its
//     timeout reply.
type Block struct {
	Serving bool
	Expired bool

	Wait      bool
	Deadline  int64 // Unix ms; 0: wait forever
	Elsewhere bool
	// Independent, set with Wait while serving, says that finding nothing
	// tells nothing of the next waiter on the key (XREAD waiters wait for
	// different ids, XREADGROUP ones for different groups): the server goes
	// on to serve the others instead of stopping at the first that waits.
	Independent bool
}

// Timeout error texts, as Redis's getTimeoutFromObjectOrReply words them.
const (
	errTimeoutNotFloat = "ERR timeout is not a float or out of range"
	errTimeoutNegative = "ERR timeout is negative"
	errTimeoutRange    = "ERR timeout is out of range"
)

// ParseTimeout reads a blocking command's timeout in seconds (a float; 0
// waits forever) and returns its deadline in Unix ms (0 for none), writing
// Redis's error when it is not one.
func ParseTimeout(x *Exec, arg []byte) (int64, bool) {
	text, syntaxOK := CFloatText(arg) // Redis reads it with strtold
	f, err := strconv.ParseFloat(text, 64)
	if len(arg) == 0 || arg[0] == ' ' || arg[0] == '\t' || arg[0] == '\n' || math.IsNaN(f) || !syntaxOK ||
		(err != nil && !math.IsInf(f, 0)) {
		x.Err(errTimeoutNotFloat)
		return 0, false
	}
	ms := f * 1000
	if ms > math.MaxInt64 {
		x.Err(errTimeoutRange)
		return 0, false
	}
	t := int64(math.Ceil(ms))
	switch {
	case t < 0:
		x.Err(errTimeoutNegative)
		return 0, false
	case t == 0:
		return 0, true
	case t > math.MaxInt64-x.Now:
		x.Err(errTimeoutRange)
		return 0, false
	}
	return x.Now + t, true
}
