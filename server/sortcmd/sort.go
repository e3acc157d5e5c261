package sortcmd

import (
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// Commands returns the family's command specs.
func Commands() []*command.Spec {
	return []*command.Spec{
		{Name: "sort", Arity: -2, Flags: command.FlagWrite | command.FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Keys: sortKeys, Run: runWhole, Cross: sortCross,
			Group: "generic", Summary: "Sorts the elements in a list, a set, or a sorted set, optionally storing the result.", Since: "1.0.0",
			Complexity: "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N)."},
		{Name: "sort_ro", Arity: -2, Flags: command.FlagReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Keys: sortROKeys, Run: runWhole, Cross: sortCross,
			Group: "generic", Summary: "Returns the sorted elements of a list, a set, or a sorted set.", Since: "7.0.0",
			Complexity: "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N)."},
	}
}

// readonly reports whether x is SORT_RO (which knows no STORE).
func readonly(x *command.Exec) bool { return x.Cmd.Name == "sort_ro" }

// runWhole is SORT on one shard that holds the sorted key, every key its
// patterns may name, and the STORE destination.
func runWhole(x *command.Exec) {
	o, bad := parse(x.Args, readonly(x))
	if bad != "" {
		x.Err(bad)
		return
	}
	var cp copier
	typ, elems, bad := readSource(x, x.Args[1], &cp)
	if bad != "" {
		x.Err(bad)
		return
	}
	jb := newJob(o, typ, elems)
	pats := jb.patterns()
	res := jb.run(func(pat, i int) ([]byte, bool) {
		return lookupHere(x, pats[pat], jb.vector[i], &cp)
	})
	if res.errMsg != "" {
		x.Err(res.errMsg)
		return
	}
	if o.hasStore {
		store(x, o.store, res)
		x.Int(int64(len(res.rows)))
		return
	}
	reply(x, res)
}

// readSource copies out the elements of the sorted key (none when it is
// missing: an empty list), with its type; bad is WRONGTYPE's text for a
// key SORT does not sort.
func readSource(x *command.Exec, key []byte, cp *copier) (typ byte, elems [][]byte, bad string) {
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, x.LookupFlags())
	if !found {
		return shard.TypeList, nil, ""
	}
	typ = db.Type(h)
	ok := db.SortElements(key, h, func(e []byte) {
		elems = append(elems, cp.copy(e))
	})
	if !ok {
		return 0, nil, command.ErrWrongType.Error()
	}
	return typ, elems, ""
}

// lookupHere resolves pattern for elem on x's shard, which holds the key it
// names: a string's value, a hash field's, the element itself for "#".
// The value is a copy (the sort keeps it while it looks up others).
func lookupHere(x *command.Exec, pattern, elem []byte, cp *copier) ([]byte, bool) {
	kind, key, field := resolve(pattern, elem, cp.scratch[:0])
	switch kind {
	case patSelf:
		return elem, true
	case patMissing:
		return nil, false
	}
	cp.scratch = key
	return lookupKey(x, key, field, kind == patField, cp)
}

// lookupKey reads key's string value, or its hash field's.
func lookupKey(x *command.Exec, key, field []byte, isField bool, cp *copier) ([]byte, bool) {
	db := x.DB(key)
	h, found := db.Lookup(key, x.Now, x.LookupFlags())
	if !found {
		return nil, false
	}
	if !isField {
		if db.Type(h) != shard.TypeString {
			return nil, false
		}
		return cp.copy(db.Value(h)), true
	}
	if db.Type(h) != shard.TypeHash || db.HashReap(key, h, field, x.Now) {
		return nil, false
	}
	var buf [24]byte
	v, ok := db.HashGet(h, field, buf[:0])
	if !ok {
		return nil, false
	}
	return cp.copy(v), true
}

// copier copies the bytes a SORT keeps (elements, looked-up values) into
// shared chunks, so that a sort of a million elements makes a few dozen
// objects for the collector rather than a million. A copy never moves.
type copier struct {
	chunk   []byte
	scratch []byte // where a pattern's key is built, for one lookup
}

// copyChunk is the size of one chunk; a value past a quarter of it gets an
// allocation of its own.
const copyChunk = 64 << 10

func (c *copier) copy(b []byte) []byte {
	if len(b) > copyChunk/4 {
		return append([]byte(nil), b...)
	}
	if cap(c.chunk)-len(c.chunk) < len(b) {
		c.chunk = make([]byte, 0, copyChunk)
	}
	n := len(c.chunk)
	c.chunk = append(c.chunk, b...)
	return c.chunk[n:len(c.chunk):len(c.chunk)]
}

// reply writes a SORT's rows.
func reply(x *command.Exec, res result) {
	x.Array(len(res.rows))
	for i, r := range res.rows {
		if res.found[i] {
			x.Bulk(r)
		} else {
			x.Null()
		}
	}
}

// store replaces dst with a list of the rows (a missing GET value stored as
// the empty string), or deletes it when there are none. Runs on dst's shard.
func store(x *command.Exec, dst []byte, res result) {
	db := x.DB(dst)
	if len(res.rows) == 0 {
		if db.Delete(dst) {
			x.Notify(command.NotifyGeneric, "del", dst)
		}
		return
	}
	for i := range res.rows {
		if !res.found[i] {
			res.rows[i] = []byte{}
		}
	}
	l := db.NewList(dst, x.Now)
	l.Push(res.rows, false, int(x.Env.Limits().ListListpackSize))
	x.Notify(command.NotifyList, "sortstore", dst)
}
