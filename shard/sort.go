package shard

// SortElements calls fn with every element of the collection entry h, in
// the collection's own order (a list's from head to tail, a sorted set's by
// rank, a set's in any order), the bytes valid during the call only, and
// reports true; it reports false, calling nothing, for a type SORT does not
// read (the caller answers WRONGTYPE). It is the one place that knows how
// SORT reads each type it sorts.
func (db *DB) SortElements(key []byte, h Handle, fn func(elem []byte)) bool {
	switch db.Type(h) {
	case TypeList:
		l := db.OpenList(key, h)
		var buf [24]byte
		for it := l.Iter(0, false); it.Next(); {
			v := it.Value()
			if v.IsInt {
				fn(v.AppendTo(buf[:0]))
			} else {
				fn(v.Str)
			}
		}
		return true
	case TypeSet:
		// STUB until sets land (shard/set.go): walk the set's members
		// here. Until then a set answers WRONGTYPE.
		return false
	case TypeZSet:
		// STUB until sorted sets land (shard/zset.go): walk the members
		// by rank (lowest score first) here. Until then a sorted set
		// answers WRONGTYPE.
		return false
	}
	return false
}
