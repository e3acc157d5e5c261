package rdb

import (
	"math"
	"slices"
	"sync"
)

// LZF format (liblzf, as in Redis), a sequence of commands:
//
//	000LLLLL <L+1 bytes>            literal run of L+1 (1..32) bytes
//	LLLooooo oooooooo               back-reference: copy L+2 (3..8) bytes
//	111ooooo LLLLLLLL oooooooo      back-reference: copy L+9 (9..264) bytes
//
// from offset o+1 (1..8192) before the current end of the output. Copies may
// overlap their own output (offset < length repeats a pattern). Nothing
// records the uncompressed length: the container does (RDB stores it).
const (
	lzfHashLog  = 16
	lzfHashSize = 1 << lzfHashLog
	lzfMaxLit   = 1 << 5
	lzfMaxOff   = 1 << 13
	lzfMaxRef   = 1<<8 + 1<<3
	// lzfMaxRatio bounds expansion: a 3-byte command yields at most 264
	// bytes, so n compressed bytes never decode to more than 88*n.
	lzfMaxRatio = lzfMaxRef / 3
)

// lzfTable is the compressor's hash table of input positions. A slot is valid
// for the current call when it is greater than base: it then holds
// base+pos+1. Raising base by len(src)+1 after each call invalidates every
// slot without clearing 256 KiB; the table is cleared only when base would
// wrap. Each call thus starts from an empty table, which makes the output a
// pure function of the input.
type lzfTable struct {
	base  uint32
	slots [lzfHashSize]uint32
}

var lzfTables = sync.Pool{New: func() any { return new(lzfTable) }}

// lzfHash is liblzf's hash in its VERY_FAST configuration for HLOG 16,
// applied to the three bytes at a position (only those bits reach the slot).
func lzfHash(a, b, c byte) uint32 {
	v := uint32(a)<<16 | uint32(b)<<8 | uint32(c)
	return (v>>8 - v*5) & (lzfHashSize - 1)
}

// LZFCompress appends the LZF compression of src to dst and returns the
// extended slice. It returns nil when src is empty or the compressed form
// would not be smaller than src, as liblzf accounts it with an output bound
// of len(src)-1 (it refuses a match that leaves fewer than 4 bytes of room,
// so output just under the bound may be refused). dst's length is then
// unchanged, though its spare capacity may have been written.
//
// The output is byte-for-byte what Redis's liblzf produces for the same
// input and output bound (same hash, table size and match rules), assuming
// liblzf's uninitialised table yields no stale matches, which is how it
// behaves in practice.
func LZFCompress(dst, src []byte) []byte {
	return lzfCompress(dst, src, len(src)-1)
}

// lzfCompress appends the compression of src to dst if it fits in limit
// bytes by liblzf's rules (which are slightly conservative: a match is not
// taken unless 4 bytes remain after it), else returns nil.
func lzfCompress(dst, src []byte, limit int) []byte {
	n := len(src)
	if n == 0 || limit <= 0 || uint64(n) >= math.MaxUint32-1 {
		return nil
	}
	start := len(dst)
	dst = slices.Grow(dst, limit)
	out := dst[start : start+limit]

	t := lzfTables.Get().(*lzfTable)
	defer lzfTables.Put(t)
	if uint64(t.base)+uint64(n)+1 > math.MaxUint32 {
		clear(t.slots[:])
		t.base = 0
	}
	base := t.base
	t.base += uint32(n) + 1
	slots := &t.slots

	lit := 0 // bytes in the open literal run
	op := 1  // next output index; out[op-lit-1] is the open run's header
	ip := 0
	for ip+2 < n {
		h := lzfHash(src[ip], src[ip+1], src[ip+2])
		ref := int(slots[h]) - int(base) - 1 // < 0: empty or stale slot
		slots[h] = base + uint32(ip) + 1
		// Position 0 is never a reference (liblzf tests ref > in_data).
		if ref > 0 && ip-ref-1 < lzfMaxOff &&
			src[ref] == src[ip] && src[ref+1] == src[ip+1] && src[ref+2] == src[ip+2] {
			emptyRun := 0
			if lit == 0 {
				emptyRun = 1
			}
			if op-emptyRun+4 >= limit {
				return nil
			}
			out[op-lit-1] = byte(lit - 1) // close the run (dropped below if empty)
			op -= emptyRun

			m := lzfMatchLen(src, ref, ip)
			off := ip - ref - 1
			l := m - 2
			if l < 7 {
				out[op] = byte(off>>8 + l<<5)
				op++
			} else {
				out[op] = byte(off>>8 + 7<<5)
				out[op+1] = byte(l - 7)
				op += 2
			}
			out[op] = byte(off)
			op += 2 // the offset byte, then the header of a new run
			lit = 0

			ip += m
			if ip+2 >= n {
				break
			}
			// Index the last two positions the match covered.
			for p := ip - 2; p < ip; p++ {
				slots[lzfHash(src[p], src[p+1], src[p+2])] = base + uint32(p) + 1
			}
			continue
		}
		if op >= limit {
			return nil
		}
		out[op] = src[ip]
		op++
		ip++
		lit++
		if lit == lzfMaxLit {
			out[op-lit-1] = lzfMaxLit - 1
			lit = 0
			op++
		}
	}
	if op+3 > limit { // at most two literals and one header remain
		return nil
	}
	for ; ip < n; ip++ {
		out[op] = src[ip]
		op++
		lit++
		if lit == lzfMaxLit {
			out[op-lit-1] = lzfMaxLit - 1
			lit = 0
			op++
		}
	}
	out[op-lit-1] = byte(lit - 1)
	if lit == 0 {
		op--
	}
	return dst[:start+op]
}

// lzfMatchLen returns how many bytes (at least 3, known equal) match at ref
// and ip, with liblzf's limits: normally up to min(264, bytes left - 2), but
// liblzf compares 16 bytes unchecked when more than 16 are allowed, so a
// match may then reach 19 bytes even though the limit is 17 or 18.
func lzfMatchLen(src []byte, ref, ip int) int {
	maxLen := min(len(src)-ip-2, lzfMaxRef)
	limit := max(maxLen, 3)
	if maxLen > 16 {
		limit = max(maxLen, 19)
	}
	m := 3
	for m < limit && src[ref+m] == src[ip+m] {
		m++
	}
	return m
}

// LZFDecompress appends the decompression of src to dst and returns the
// extended slice. src must decode to exactly outLen bytes; otherwise, or
// when src is malformed (truncated command, reference before the start of
// the output), it returns ErrBadFormat. It allocates at most outLen bytes,
// and refuses an outLen beyond what src could expand to (88*len(src)) before
// allocating, so a small input cannot claim a huge output; callers bound
// outLen further (ReadString's maxLen).
func LZFDecompress(dst []byte, src []byte, outLen int) ([]byte, error) {
	if outLen < 0 || uint64(outLen) > lzfMaxRatio*uint64(len(src)) {
		return nil, ErrBadFormat
	}
	start := len(dst)
	dst = slices.Grow(dst, outLen)
	out := dst[start : start+outLen]
	op, ip := 0, 0
	for ip < len(src) {
		c := int(src[ip])
		ip++
		if c < 1<<5 {
			k := c + 1
			if k > outLen-op || k > len(src)-ip {
				return nil, ErrBadFormat
			}
			copy(out[op:], src[ip:ip+k])
			op += k
			ip += k
			continue
		}
		l := c >> 5
		if l == 7 {
			if ip >= len(src) {
				return nil, ErrBadFormat
			}
			l += int(src[ip])
			ip++
		}
		if ip >= len(src) {
			return nil, ErrBadFormat
		}
		back := (c&0x1f)<<8 + int(src[ip]) + 1
		ip++
		l += 2
		if l > outLen-op || back > op {
			return nil, ErrBadFormat
		}
		// An overlapping copy repeats the last back bytes: copy in chunks
		// that never read bytes not yet written.
		ref := op - back
		for l > 0 {
			w := copy(out[op:op+l], out[ref:op])
			op += w
			l -= w
		}
	}
	if op != outLen {
		return nil, ErrBadFormat
	}
	return dst[:start+outLen], nil
}
