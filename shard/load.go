package shard

// What loading a snapshot uses: a key that must be new is stored with one
// table lookup (SetString looks up, Peek for the duplicate check would
// look up again), and a database's table is sized from the file's hint
// before its keys come, so that it does not split (and rehash every key
// it holds) again and again as it grows.

// LoadString stores the string key with value val and TTL expireAt
// (absolute Unix ms, 0 none) when key is not in the database, as SetString
// would store a new key, and returns its entry; when key is there already
// it changes nothing and reports false. now feeds the access time. val
// must not point into the arena.
func (db *DB) LoadString(key, val []byte, expireAt, now int64) (Handle, bool) {
	if db.sh.listening() {
		db.touch(key, false)
	}
	hash := Hash(key)
	db.match.key = key
	_, exists := db.table.Find(hash, &db.match)
	db.match.key = nil
	if exists {
		return 0, false
	}
	nh, nb := db.sh.arena.Alloc(entrySize(len(key), len(val), expireAt))
	db.fill(nb, key, val, expireAt, EncAuto, now, true)
	db.insertEntry(hash, nh)
	db.adjustExpires(0, expireAt)
	db.keysPub.Store(int64(db.table.Len()))
	db.sh.keyEvent(db.index, EventNew, key)
	return nh, true
}

// ReserveKeys grows the database's table so that about n more keys fit
// without splitting it. Under a memory budget (maxmemory) the table is
// grown at most to what a quarter of the budget holds, so that a hint
// from outside cannot take the memory the keys need; cache mode, which
// grows tables only as memory allows, is left to do so.
func (db *DB) ReserveKeys(n int) {
	if n <= 0 {
		return
	}
	if c := db.sh.evcfg.Load(); c != nil && c.CacheMode {
		return
	}
	if b := db.sh.budget.Load(); b > 0 {
		// About 16 bytes of table per entry at the planned occupancy.
		n = int(min(int64(n), b/4/16))
	}
	db.table.Reserve(db.table.Len() + n)
	db.sh.publishMemory()
}
