package dashtable

import (
	"math/bits"
	"testing"
)

// FuzzTable decodes fuzz bytes into operations and runs them against a
// model. Byte 0 picks the hasher (including the degenerate ones); then each
// group of three bytes (op, a, b) is one operation on key a|(b&3)<<8, so keys
// collide often. A scan op advances the traversal one step, or runs it to the
// end (checking coverage) when a&7 == 7. A bulk insert adds up to 255 keys at
// once so that a short input still reaches splits and directory doubling.
// With the top bit of b set, an insert, delete or find is the cache mode's
// InsertNoGrow (then deleting the evicted entry when a is odd), eviction of
// Coldest(a) or Bump.
//
// Speed is what lets the fuzzer explore. With coverage instrumentation an
// input costs 30-550 µs (the seeds, measured), and minimizing a new input,
// which takes about len²/2 executions, ends within seconds; at 600 ops and
// ~5 ms per input it held each worker until -fuzzminimizetime (60 s), so a
// short -fuzztime ran a few thousand inputs in all. Hence:
//   - the model (fuzzModel) is a few arrays over a small key space, not
//     maps; a traversal's "present throughout" set is a bitset copy;
//   - each hasher has its own key space (fuzzSpace), small for the
//     degenerate ones whose lookups scan a table-wide overflow list;
//   - a bulk insert skips keys already present (single inserts still
//     check Find on them): with full collisions each such Find is linear;
//   - at most maxFuzzOps operations per input; bytes after that are ignored;
//   - the full invariant check (verify: every slot of every segment, every
//     entry rehashed) runs every verifyEveryOps operations, before each
//     Clear (which would hide a broken table) and at the end, followed by
//     ForEach against the model. Len is compared after every operation,
//     and every Find, Delete, Update, Random and Scan result against the
//     model.
func FuzzTable(f *testing.F) {
	f.Add([]byte{0, 2, 255, 0, 2, 255, 1, 2, 255, 2, 6, 0, 0, 3, 5, 0, 6, 0, 0})
	f.Add([]byte{1, 2, 200, 0, 2, 200, 1, 6, 0, 0, 5, 1, 1, 7, 9, 9, 6, 0, 0})
	// Cache mode: fill, then insert without growing, bump, evict the
	// coldest, scan through it all.
	f.Add([]byte{0, 2, 255, 0, 2, 255, 1, 2, 255, 2, 2, 255, 3, 6, 0, 0, 0, 7, 0x80, 1, 8, 0x81,
		4, 9, 0x80, 4, 1, 0x80, 3, 2, 0x80, 0, 11, 0x82, 6, 0, 0, 3, 3, 0x80, 6, 7, 0})
	f.Fuzz(runFuzzInput)
}

const (
	maxFuzzOps     = 64
	verifyEveryOps = 32
	// fuzzKeys bounds every key space: the model has one entry per key.
	fuzzKeys = 2048
)

// fuzzSpace is the key space per hasher (indexed like hashers); the shape of
// a table holding all of it is given for each. Bulk inserts (255 keys per
// op) fill any of them within 8 ops.
var fuzzSpace = [...]uint64{
	fuzzKeys, // mix: 4 segments, depth 2
	1024,     // fp-bucket-collide: 16 segments, depth 4 (few slots per segment usable)
	512,      // full-collide: 5 segments, depth 3, 68 entries in the overflow list
	1024,     // no-prefix: 1 segment, 186 entries in the overflow list
}

func runFuzzInput(t *testing.T, data []byte) {
	if len(data) == 0 {
		return
	}
	hi := int(data[0]) % len(hashers)
	md := newFuzzModel(t, hashers[hi].fn, fuzzSpace[hi])
	if len(data) > 1+3*maxFuzzOps {
		data = data[:1+3*maxFuzzOps]
	}
	finishes, ops := 0, 0
	for data = data[1:]; len(data) >= 3; data = data[3:] {
		op, a, b := data[0], data[1], data[2]
		k := (uint64(a) | uint64(b&3)<<8) % md.space
		switch op % 8 {
		case 0, 1:
			if b&0x80 != 0 { // cache mode: evict instead of splitting
				md.insertNoGrow(k, a&1 != 0)
				break
			}
			md.insert(k)
		case 2:
			base := 1024 + uint64(b)*256
			for j := uint64(0); j < uint64(a); j++ {
				if k := (base + j) % md.space; !md.has(k) { // single inserts check Find on present keys
					md.insert(k)
				}
			}
		case 3:
			if b&0x80 != 0 {
				md.evictColdest(int(a))
				break
			}
			md.del(k)
		case 4:
			if b&0x80 != 0 {
				md.bump(k)
				break
			}
			md.find(k)
		case 5:
			md.update(k)
		case 6:
			md.scanStep()
			if a&7 == 7 && finishes < 4 { // finish the traversal, checking coverage
				finishes++
				for md.scanning {
					md.scanStep()
				}
			}
		case 7:
			if a == 0 && b == 0 {
				md.verify()
				md.clear()
			} else {
				md.random(uint64(ops)<<16 | uint64(a)<<8 | uint64(b))
			}
		}
		if md.t.Len() != md.n {
			t.Fatalf("op %d: Len = %d; want %d", ops, md.t.Len(), md.n)
		}
		if ops++; ops%verifyEveryOps == 0 && len(data) >= 6 { // the last op is checked below
			md.verify()
		}
	}
	md.check()
}

// fuzzModel is model's cheap twin for FuzzTable: the same checks, with keys
// bounded by fuzzKeys so that state lives in arrays. A present key's handle
// is handleOf(key, ver[key]).
type fuzzModel struct {
	tb    testing.TB
	t     *Table
	h     hashFunc
	space uint64
	mt    keyMatcher

	n       int // present keys
	present [fuzzKeys / 64]uint64
	ver     [fuzzKeys]uint8

	// The traversal in progress: throughout holds the keys present when it
	// started and not deleted since; each must be seen before it ends.
	scanning   bool
	cursor     uint64
	throughout [fuzzKeys / 64]uint64
	seen       [fuzzKeys / 64]uint64
}

func newFuzzModel(tb testing.TB, h hashFunc, space uint64) *fuzzModel {
	return &fuzzModel{tb: tb, t: New(h), h: h, space: space}
}

func (md *fuzzModel) has(k uint64) bool { return md.present[k/64]&(1<<(k%64)) != 0 }

// current reports whether handle h is the one the model holds for its key.
func (md *fuzzModel) current(h uint64) bool {
	k := keyOf(h)
	return k < fuzzKeys && md.has(k) && h == handleOf(k, md.ver[k])
}

func (md *fuzzModel) find(k uint64) {
	md.mt.key = k
	got, ok := md.t.Find(md.h(k), &md.mt)
	if want := handleOf(k, md.ver[k]); ok != md.has(k) || (ok && got != want) {
		md.tb.Fatalf("Find(%d) = %x,%v; want %x,%v", k, got, ok, want, md.has(k))
	}
}

func (md *fuzzModel) insert(k uint64) {
	if md.has(k) {
		md.find(k)
		return
	}
	md.ver[k] = 0
	md.t.Insert(md.h(k), handleOf(k, 0))
	md.present[k/64] |= 1 << (k % 64)
	md.n++
}

// bump is find through Table.Bump, which also moves the entry.
func (md *fuzzModel) bump(k uint64) {
	md.mt.key = k
	got, ok := md.t.Bump(md.h(k), &md.mt)
	if want := handleOf(k, md.ver[k]); ok != md.has(k) || (ok && got != want) {
		md.tb.Fatalf("Bump(%d) = %x,%v; want %x,%v", k, got, ok, want, md.has(k))
	}
}

// insertNoGrow inserts k as a cache at its limit does; when an entry was
// moved to the overflow list, it is deleted at once when evictNow, else
// left there for a later op.
func (md *fuzzModel) insertNoGrow(k uint64, evictNow bool) {
	if md.has(k) {
		md.bump(k)
		return
	}
	segs := md.t.SegmentCount()
	md.ver[k] = 0
	evicted := md.t.InsertNoGrow(md.h(k), handleOf(k, 0))
	md.present[k/64] |= 1 << (k % 64)
	md.n++
	if md.t.SegmentCount() != segs {
		md.tb.Fatalf("InsertNoGrow(%d) split a segment", k)
	}
	if evicted && evictNow {
		h, ok := md.t.Overflow()
		if !ok || !md.current(h) {
			md.tb.Fatalf("Overflow() = %x,%v after an eviction", h, ok)
		}
		md.del(keyOf(h))
	}
}

// evictColdest deletes the coldest entry of segment seg (modulo the
// segment count), if it has one.
func (md *fuzzModel) evictColdest(seg int) {
	seg %= md.t.SegmentCount()
	h, ok := md.t.Coldest(seg)
	if !ok {
		return
	}
	if !md.current(h) {
		md.tb.Fatalf("Coldest(%d) = %x, not in the table", seg, h)
	}
	md.del(keyOf(h))
}

func (md *fuzzModel) del(k uint64) {
	md.mt.key = k
	got, ok := md.t.Delete(md.h(k), &md.mt)
	if want := handleOf(k, md.ver[k]); ok != md.has(k) || (ok && got != want) {
		md.tb.Fatalf("Delete(%d) = %x,%v; want %x,%v", k, got, ok, want, md.has(k))
	}
	if ok {
		md.present[k/64] &^= 1 << (k % 64)
		md.throughout[k/64] &^= 1 << (k % 64)
		md.n--
	}
}

func (md *fuzzModel) update(k uint64) {
	md.mt.key = k
	nh := handleOf(k, md.ver[k]+1)
	if ok := md.t.Update(md.h(k), &md.mt, nh); ok != md.has(k) {
		md.tb.Fatalf("Update(%d) = %v; want %v", k, ok, md.has(k))
	}
	if md.has(k) {
		md.ver[k]++
	}
}

func (md *fuzzModel) random(r uint64) {
	h, ok := md.t.Random(mix(r))
	if ok != (md.n > 0) {
		md.tb.Fatalf("Random ok=%v with %d entries", ok, md.n)
	}
	if ok && !md.current(h) {
		md.tb.Fatalf("Random returned %x, not in the table", h)
	}
}

// scanStep advances the traversal in progress by one logical bucket,
// starting one if none is.
func (md *fuzzModel) scanStep() {
	if !md.scanning {
		md.scanning, md.cursor = true, 0
		md.throughout, md.seen = md.present, [fuzzKeys / 64]uint64{}
	}
	md.cursor = md.t.Scan(md.cursor, func(h uint64) {
		if !md.current(h) {
			md.tb.Fatalf("Scan visited %x, not in the table", h)
		}
		k := keyOf(h)
		md.seen[k/64] |= 1 << (k % 64)
	})
	if md.cursor>>48 != 0 {
		md.tb.Fatalf("cursor %x wider than 48 bits", md.cursor)
	}
	if md.cursor != 0 {
		return
	}
	for w := range md.throughout {
		if miss := md.throughout[w] &^ md.seen[w]; miss != 0 {
			md.tb.Fatalf("Scan missed key %d, present for the whole traversal", w*64+bits.TrailingZeros64(miss))
		}
	}
	md.scanning = false
}

// clear empties both sides and abandons the traversal in progress.
func (md *fuzzModel) clear() {
	md.t.Clear()
	md.present, md.n, md.scanning = [fuzzKeys / 64]uint64{}, 0, false
}

func (md *fuzzModel) verify() {
	if err := md.t.verify(); err != nil {
		md.tb.Fatal(err)
	}
}

// check compares the whole table with the model: Len, the invariants, and
// ForEach visiting exactly the present handles.
func (md *fuzzModel) check() {
	if md.t.Len() != md.n {
		md.tb.Fatalf("Len = %d; want %d", md.t.Len(), md.n)
	}
	md.verify()
	var seen [fuzzKeys / 64]uint64
	n := 0
	md.t.ForEach(func(h uint64) bool {
		k := keyOf(h)
		if !md.current(h) || seen[k/64]&(1<<(k%64)) != 0 {
			md.tb.Fatalf("ForEach visited %x, not in the table or twice", h)
		}
		seen[k/64] |= 1 << (k % 64)
		n++
		return true
	})
	if n != md.n {
		md.tb.Fatalf("ForEach visited %d entries; want %d", n, md.n)
	}
}
