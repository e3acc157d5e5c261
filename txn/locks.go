package txn

import "github.com/zeebo/xxh3"

// Mode is the mode of an intent lock: readers share, writers exclude.
type Mode uint8

const (
	Shared Mode = iota
	Exclusive
)

// Lock is one intent lock a transaction asks for on a shard.
type Lock struct {
	FP   uint64 // Fingerprint of the key
	Mode Mode
}

// Fingerprint is the lock-table key of a key name. It ignores the database:
// MOVE and COPY ... DB touch the same name in a second database, and one
// lock per name covers both. Two names that collide only wait for each
// other; correctness never depends on fingerprints being distinct.
func Fingerprint(key []byte) uint64 { return xxh3.Hash(key) }

// lockCount is how many holders a fingerprint has in each mode.
type lockCount struct{ shared, excl uint32 }

// lockTable holds one shard's intent locks. Taking a lock only counts;
// it never blocks. Owner goroutine only.
type lockTable struct {
	keys         map[uint64]lockCount
	sharedHeld   int // key locks held in Shared mode, all keys together
	exclHeld     int // key locks held in Exclusive mode
	globalShared int // transactions holding the whole shard, by mode
	globalExcl   int
}

func newLockTable() lockTable { return lockTable{keys: make(map[uint64]lockCount)} }

// idle reports whether no lock of any kind is held: the common case, in
// which every command may run at once.
func (t *lockTable) idle() bool {
	return t.sharedHeld|t.exclHeld|t.globalShared|t.globalExcl == 0
}

// free reports whether the locks (or the whole shard, when global) could
// be granted now without waiting for any holder.
func (t *lockTable) free(locks []Lock, global bool, mode Mode) bool {
	if t.idle() {
		return true
	}
	if global {
		if mode == Exclusive {
			return false // every held lock conflicts
		}
		return t.exclHeld == 0 && t.globalExcl == 0
	}
	if t.globalExcl > 0 {
		return false
	}
	for _, l := range locks {
		c := t.keys[l.FP]
		if l.Mode == Exclusive {
			if c.shared+c.excl > 0 || t.globalShared > 0 {
				return false
			}
		} else if c.excl > 0 {
			return false
		}
	}
	return true
}

func (t *lockTable) acquire(locks []Lock, global bool, mode Mode) {
	if global {
		if mode == Exclusive {
			t.globalExcl++
		} else {
			t.globalShared++
		}
		return
	}
	for _, l := range locks {
		c := t.keys[l.FP]
		if l.Mode == Exclusive {
			c.excl++
			t.exclHeld++
		} else {
			c.shared++
			t.sharedHeld++
		}
		t.keys[l.FP] = c
	}
}

func (t *lockTable) release(locks []Lock, global bool, mode Mode) {
	if global {
		if mode == Exclusive {
			t.globalExcl--
		} else {
			t.globalShared--
		}
		return
	}
	for _, l := range locks {
		c := t.keys[l.FP]
		if l.Mode == Exclusive {
			c.excl--
			t.exclHeld--
		} else {
			c.shared--
			t.sharedHeld--
		}
		if c.shared+c.excl == 0 {
			delete(t.keys, l.FP)
		} else {
			t.keys[l.FP] = c
		}
	}
}
