// Package dashtable is a Dash-style extendible hash table from 64-bit key
// hashes to uint64 handles, laid out so that Go's garbage collector never
// scans per-entry memory.
//
// # Model
//
// The table never sees keys. The caller keeps keys and values in its own
// arena, names each entry by a uint64 handle, and passes the key's hash with
// every call. Lookups ask the caller's Matcher whether the entry behind a
// candidate handle is the key; splits ask the caller's Hasher for the hash of
// an entry. Insert assumes the key is absent (the caller looks first). A Table
// has no locks: one goroutine (the owning shard's) calls every method.
//
// The structure follows Dash (Lu et al., VLDB 2020) and Dragonfly's
// Dashtable: a directory indexed by the top bits of the hash points at
// segments; each segment is a fixed array of buckets with a few slots each.
// An entry goes to its home bucket, else the next bucket (its neighbour),
// else one of the segment's stash buckets. When all three are full the
// segment splits alone: the entries whose next hash bit is 1 move to a new
// segment and the directory doubles only if that segment was as deep as the
// directory. There is no whole-table rehash, so growth never pauses for
// longer than one split (at most 840 Hash calls; ~50 µs median with a cheap
// Hasher, most of it cache misses on the segment; a split that doubles the
// directory also copies it, 4 bytes per slot, ~1 MB at 100M entries), and
// memory grows one segment at a time instead of doubling.
//
// # Hash bits
//
//	63                 32 31               8 7          0
//	+--------------------+------------------+------------+
//	|   segment prefix   |   home bucket    | fingerprint|
//	+--------------------+------------------+------------+
//
// The directory uses the top depth bits (depth <= 32), the home bucket is
// bits 8..31 mapped onto [0,56) by multiply-shift, and the 8-bit fingerprint
// is bits 0..7. The three fields are disjoint, so a fingerprint match inside
// a bucket is a 1-in-256 event independent of where the entry was placed.
// Callers should use a well-mixed, per-process seeded hash (xxh3 with a
// random seed): the table degrades gracefully on colliding hashes (see
// "Degenerate hashes") but cannot beat an adversary who can compute them.
//
// All 64 bits must be uniform among the keys of one table. A caller that
// picks the shard from the same hash must not pass that hash unchanged:
// shard = h % 8 fixes 3 fingerprint bits per shard (8x the Matcher calls on
// misses), and a shard taken from the top bits fixes the first prefix bits,
// so splits cannot separate the keys and most of them end in the overflow
// list. Pass a bijective remix of h instead (for example murmur3's fmix64,
// ~1 ns), or a hash with an independent seed.
//
// # Geometry
//
// A segment has 56 regular buckets and 4 stash buckets of 14 slots: 840
// slots, Dragonfly's geometry, kept because it suits Go as well:
//   - A bucket is 128 bytes, one aligned pair of cache lines: two words of
//     metadata (14 one-byte fingerprints, a 14-bit busy bitmap and two
//     flags) and 14 uint64 handles. A lookup matches 8 fingerprints per
//     step with SWAR (no SIMD in Go) and finds the handle in the same line
//     pair, so a hit in the home bucket costs one memory round trip in the
//     table (plus the caller's key comparison). Keeping fingerprints apart
//     from handles, as a first version did, cost a second dependent miss:
//     ~1.6x slower dependent lookups at 8M entries.
//   - The flags say whether any entry of this home spilled into the
//     neighbour (about half the buckets at typical fill) or into the stash
//     (~0.4%). A lookup loads home and neighbour metadata together (the two
//     misses overlap) but weighs the neighbour's candidates only when the
//     home spilled, and reads the stash almost never. Probe bits and stash
//     hints live in a side array (bucketAux) that only writers, Scan and
//     stash lookups touch.
//   - Two candidate buckets plus a 56-slot stash let a segment fill to about
//     95% before it must split (measured mean fill at split: 0.947), so the
//     table averages ~0.72 occupancy over the split sawtooth: ~14 bytes
//     per entry all-in (10.5 at 0.95 fill, 17.4 at 1M entries, just after
//     a wave of splits), against ~30 for map[uint64]uint64.
//   - A segment is 8320 bytes, 65 x 128. The first 64 of a table are
//     allocated alone, in the 9472-byte size class (a multiple of 128, so
//     the allocator keeps every bucket line-pair aligned); after that they
//     come 64 to a slab of whole pages, at their size. Splitting one is
//     bounded work (at most 840 Hash calls), and 10M entries need only
//     ~16K segments and a 64 KB directory.
//
// Smaller buckets would raise the split rate and lower the fill; larger
// segments would make each split (and its latency) longer.
//
// Fork-less snapshots need one bit per physical bucket (handed over or
// not), kept in a side array only while a snapshot runs; see snapshot.go.
//
// # Stash hints
//
// Each regular bucket has up to 4 hints (fingerprint + stash bucket) for
// stash entries whose home it is, and an overflow count of such entries that
// found no free hint. A lookup that misses in home and neighbour and finds
// the bucket's stashed flag set scans only the stash buckets named by hints
// matching its fingerprint, or all 4 while the count is non-zero. Each stash
// slot also records its entry's home bucket, so deletes can drop the right
// hint and Scan can find logical buckets without rehashing.
//
// # Invariants
//
// G is the global depth, L a segment's local depth; verify() in the tests
// checks all of them.
//
//  1. The directory has 2^G entries, G <= 32; shift == 64-G.
//  2. A segment of depth L <= G is the target of exactly the 2^(G-L)
//     consecutive, aligned directory slots that share its L-bit prefix.
//     Segment indices are stable: segments are only added (Clear resets).
//  3. In every bucket probe ⊆ busy ⊆ 14 slot bits; free slots hold
//     fingerprint 0 and handle 0; stash buckets carry no probe bits, hints,
//     overflow count or flags. A regular bucket b has spilledBit set iff
//     neighbour(b) has probe bits, and stashedBit set iff some stash entry
//     has home b.
//  4. An entry with hash h lives in segment dir[h>>(64-G)] with fingerprint
//     h&0xff, in exactly one of: its home bucket b with the probe bit clear;
//     neighbour(b) = (b+1) mod 56 with the probe bit set; a stash slot whose
//     stashHome is b. Or, failing all of these, in the overflow list.
//  5. For every home bucket b: valid hints + overflow count == stash entries
//     with home b, and the hints, as a multiset of (fingerprint, stash
//     bucket), are contained in those entries' pairs. Hence a stash entry
//     with no matching hint implies a non-zero count, and the lookup rule
//     above never misses.
//  6. segment.count == busy bits in the segment; Table.Len() == the sum of
//     segment counts + overflow entries; segment.ovf == the overflow entries
//     whose hash maps to that segment.
//  7. A split never changes an entry's home bucket or fingerprint. It moves
//     entries to the same physical position in the new segment (so it can
//     never fail), then moves stash entries home where room appeared, which
//     never reduces the slots available to any one insert.
//
// # Cursors
//
// A Scan cursor names a logical bucket: all entries with a given hash prefix
// range and home bucket, wherever they are stored.
//
//	bits 40..47  zero (the caller puts shard bits at 48 and above)
//	bits  8..39  the first 32-bit hash prefix of the segment, left-aligned
//	bits  0..7   the home bucket, 0..55
//
// Because the prefix is left-aligned to 32 bits, it means the same thing at
// every depth. Scan visits bucket b of the segment owning the prefix and
// steps b; after bucket 55 it jumps to the first prefix past that segment.
// Splits only subdivide prefix ranges, so a prefix that starts a segment
// keeps starting one; when the segment under the cursor splits, the cursor
// continues in its left half and the right half is then walked from bucket
// 0: entries present throughout are visited at least once, and some twice.
// A cursor from before Clear (or a garbage one) cannot make Scan fail or
// loop; it just ends or continues the traversal with no guarantee.
//
// # Why pointer-free
//
// The GC's mark cost is proportional to the pointers it must follow, and
// with tens of millions of keys a map of pointer-bearing entries costs
// seconds of CPU per cycle. Here a segment holds only integers (fingerprint
// words, bitmaps, hints, 840 handles), so the runtime allocates it in a
// noscan span: the GC marks the object without reading it. The only
// pointers are the Table's few slices and one *segment per 840 slots, so
// 10M entries cost the GC ~16K objects, not tens of millions. The directory
// is []uint32, also noscan. Segments are separate objects (not one
// []segment) so that growth never copies the whole table.
//
// Measured with TestGCCost (ANAX_BIG=1; 10M entries, 2 cores, GOGC=100, a
// forced runtime.GC() averaged over 3 cycles; the range is over runs on a
// shared machine):
//
//	layout              heap     GC wall          GC CPU
//	Table               156 MB   2.2-2.7 ms       0.6 ms
//	map[uint64]uint64   297 MB   4-5 ms           0.9-1.1 ms
//	map[string][]byte   1.1 GB   1.1-3.2 s        2.2-6.3 s
//
// # Degenerate hashes
//
// If every entry competing for an insert's slots (home bucket, neighbour and
// stash) shares the insert's next prefix bit, a split cannot help; with
// random hashes this has probability ~2^-84. Insert checks this (at most 84
// Hash calls, only when a split is due) and instead appends the entry to a
// small overflow list that lookups in that segment scan linearly. Hashes
// crafted to differ one bit deeper at each split could still drive the
// directory towards 2^32 slots, so a split that would double a directory
// already 2048 times the segment count (8 KB per 9 KB segment; random hashes
// stay within a few times) also overflows instead. Equal or
// prefix-colliding hashes thus cost lookup time in their segment, never
// unbounded memory.
//
// # Cache mode
//
// Dragonfly's cache design, with no recency metadata per entry: the slot
// order is the ranking (cache.go).
//   - Stash buckets are queues: Insert puts a stash entry at slot 0 and
//     shifts the others one slot right, so the highest slot holds the
//     oldest. They are the probation queue of new entries.
//   - Bump (the caller's lookup on a hit) moves an entry one step forward:
//     in a regular bucket it swaps with the previous slot, so the entries
//     read most often gather at the low slots; from the stash it moves to
//     its home bucket or neighbour when either has a free slot, else swaps
//     with the last entry of its home bucket, which goes back to probation
//     in its place. Both keep every entry in its logical bucket, so Scan's
//     guarantee holds; moving between buckets is snapshot-guarded.
//   - InsertNoGrow (a cache at its memory limit) does not split a full
//     segment: the oldest entry of one stash bucket (chosen by the hash)
//     leaves for the overflow list, where lookups still find it until the
//     caller deletes it (Overflow), and the new entry takes the front of
//     that queue. Deleting later rather than at once lets the caller evict
//     at a point where nothing holds the entry's handle.
//   - Coldest names a segment's first victim when the caller must free
//     memory without inserting: the highest stash slot, else the highest
//     regular slot.
//
// # Not yet
//
// Segments are never merged and the directory never shrinks (only Clear
// releases memory).
package dashtable
