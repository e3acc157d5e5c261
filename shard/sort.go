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
		it := l.Iter(0, false)
		for it.Next() {
			v := it.Value()
			if v.IsInt {
				fn(v.AppendTo(buf[:0]))
			} else {
				fn(v.Str)
			}
		}
		return true
	case TypeSet:
		db.SetEach(h, func(m []byte) bool {
			fn(m)
			return true
		})
		return true
	case TypeZSet:
		z := db.OpenZSet(key, h)
		z.Range(0, false, func(m []byte, _ float64) bool {
			fn(m)
			return true
		})
		return true
	}
	return false
}
