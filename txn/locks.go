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

// lockTable holds one shard's intent locks. Taking a lock only counts;
// it never blocks. Owner goroutine only.
//
// The key locks are an open-addressed table of fingerprints with their
// holder counts, probed linearly from the fingerprint's low bits (it is a
// hash already) and kept without tombstones: a transaction of a pipelined
// batch takes and releases a lock per key, and a Go map's hashing, its
// deletions and its pointers cost more than the commands' own lookups.
type lockTable struct {
	slots        []lockSlot // len is a power of two; a slot with no holder is free
	used         int        // slots with a holder
	sharedHeld   int        // key locks held in Shared mode, all keys together
	exclHeld     int        // key locks held in Exclusive mode
	globalShared int        // transactions holding the whole shard, by mode
	globalExcl   int
}

// lockSlot is one fingerprint's holders in each mode.
type lockSlot struct {
	fp           uint64
	shared, excl uint32
}

func (l *lockSlot) free() bool { return l.shared|l.excl == 0 }

// minLockSlots is the table's size when new, and what it shrinks back to
// once empty after a burst grew it past maxIdleLockSlots.
const (
	minLockSlots     = 64
	maxIdleLockSlots = 4096
)

func newLockTable() lockTable { return lockTable{slots: make([]lockSlot, minLockSlots)} }

// find returns the slot of fp, or the free slot where it would go.
func (t *lockTable) find(fp uint64) int {
	mask := len(t.slots) - 1
	i := int(fp) & mask
	for {
		sl := &t.slots[i]
		if sl.free() || sl.fp == fp {
			return i
		}
		i = (i + 1) & mask
	}
}

// holders returns fp's holder counts.
func (t *lockTable) holders(fp uint64) (shared, excl uint32) {
	if t.used == 0 {
		return 0, 0
	}
	sl := &t.slots[t.find(fp)]
	return sl.shared, sl.excl
}

// add counts one more holder of fp in mode.
func (t *lockTable) add(fp uint64, mode Mode) {
	if 2*(t.used+1) > len(t.slots) {
		t.grow()
	}
	sl := &t.slots[t.find(fp)]
	if sl.free() {
		sl.fp = fp
		t.used++
	}
	if mode == Exclusive {
		sl.excl++
	} else {
		sl.shared++
	}
}

// remove counts one holder of fp in mode fewer; the slot is freed with
// its last holder.
func (t *lockTable) remove(fp uint64, mode Mode) {
	i := t.find(fp)
	sl := &t.slots[i]
	if mode == Exclusive {
		sl.excl--
	} else {
		sl.shared--
	}
	if sl.free() {
		t.used--
		t.vacate(i)
	}
}

// vacate frees slot i by shifting back the entries after it that probed
// past it, so that every entry stays reachable from its home slot with no
// free slot on the way.
func (t *lockTable) vacate(i int) {
	mask := len(t.slots) - 1
	j := i
	for {
		j = (j + 1) & mask
		sl := t.slots[j]
		if sl.free() {
			break
		}
		home := int(sl.fp) & mask
		// The entry at j stays when its home lies cyclically in (i, j].
		if (i <= j && i < home && home <= j) || (i > j && (i < home || home <= j)) {
			continue
		}
		t.slots[i] = sl
		i = j
	}
	t.slots[i] = lockSlot{}
	if t.used == 0 && len(t.slots) > maxIdleLockSlots {
		t.slots = make([]lockSlot, minLockSlots)
	}
}

// grow doubles the table.
func (t *lockTable) grow() {
	old := t.slots
	t.slots = make([]lockSlot, 2*len(old))
	for _, sl := range old {
		if !sl.free() {
			t.slots[t.find(sl.fp)] = sl
		}
	}
}

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
		shared, excl := t.holders(l.FP)
		if l.Mode == Exclusive {
			if shared+excl > 0 || t.globalShared > 0 {
				return false
			}
		} else if excl > 0 {
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
		t.add(l.FP, l.Mode)
		if l.Mode == Exclusive {
			t.exclHeld++
		} else {
			t.sharedHeld++
		}
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
		t.remove(l.FP, l.Mode)
		if l.Mode == Exclusive {
			t.exclHeld--
		} else {
			t.sharedHeld--
		}
	}
}
