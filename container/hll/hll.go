// Package hll reads and edits Redis's HyperLogLog strings, the bytes PFADD,
// PFMERGE and PFCOUNT keep in a string value, so that an HLL built in Anax
// is byte for byte the one redis-server builds from the same inputs and
// PFCOUNT gives the same estimate.
//
// # Format
//
//	"HYLL" | encoding u8 | 3 zero bytes | cached cardinality u64 LE | registers
//
// There are 16384 registers of 6 bits. The dense encoding (0) packs them
// LSB first into 12288 bytes; the sparse encoding (1) is a run-length code
// of opcodes: ZERO (00xxxxxx, 1..64 zero registers), XZERO (01xxxxxx
// xxxxxxxx, 1..16384 zero registers) and VAL (1vvvvvll, 1..4 registers of
// value 1..32). Bit 7 of the cardinality's last byte marks the cache
// stale. An HLL starts sparse and turns dense when a register needs a
// value over 32 or the sparse bytes would pass the sparse limit
// (hll-sparse-max-bytes).
//
// # Untrusted bytes
//
// Every function accepts any bytes that pass Valid (the header check
// Redis makes) and never reads or writes outside them: a sparse encoding
// that does not add up to 16384 registers is reported (ok false, or -1),
// as Redis reports it (-INVALIDOBJ). Where Redis reads the terminating
// zero byte of its string past the end, these functions read a zero.
package hll

import (
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"
)

// The layout's constants.
const (
	HeaderSize = 16
	P          = 14
	Registers  = 1 << P
	q          = 64 - P
	regBits    = 6
	regMax     = 1<<regBits - 1
	DenseSize  = HeaderSize + (Registers*regBits+7)/8

	Dense  = 0
	Sparse = 1

	// DefaultSparseMax is hll-sparse-max-bytes' default.
	DefaultSparseMax = 3000

	sparseValMax    = 32
	sparseValMaxLen = 4
	sparseZeroMax   = 64
	sparseXZeroMax  = 16384

	alphaInf = 0.721347520444481703680 // 0.5/ln(2)
)

// Valid reports whether b has an HLL header Redis accepts: the magic, a
// known encoding, and for a dense HLL the exact length. A sparse body is
// checked only as it is read.
func Valid(b []byte) bool {
	if len(b) < HeaderSize || string(b[:4]) != "HYLL" || b[4] > Sparse {
		return false
	}
	return b[4] != Dense || len(b) == DenseSize
}

// Encoding returns the encoding byte of a valid HLL.
func Encoding(b []byte) byte { return b[4] }

// New returns an empty HLL: sparse, one XZERO opcode over every register.
func New() []byte {
	b := make([]byte, HeaderSize+2, HeaderSize+32)
	copy(b, "HYLL")
	b[4] = Sparse
	setXZero(b[HeaderSize:], Registers)
	return b
}

// CacheValid reports whether the cached cardinality of b may be used, and
// returns it.
func CacheValid(b []byte) (uint64, bool) {
	return binary.LittleEndian.Uint64(b[8:16]), b[15]&0x80 == 0
}

// SetCache stores card as the cached cardinality.
func SetCache(b []byte, card uint64) { binary.LittleEndian.PutUint64(b[8:16], card) }

// Invalidate marks the cached cardinality stale.
func Invalidate(b []byte) { b[15] |= 0x80 }

// MurmurHash64A is the 64-bit MurmurHash2 Redis hashes elements with, as
// Redis computes it (little-endian words).
func MurmurHash64A(key []byte, seed uint32) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := uint64(seed) ^ (uint64(len(key)) * m)
	n := len(key) &^ 7
	for i := 0; i < n; i += 8 {
		k := binary.LittleEndian.Uint64(key[i:])
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
	}
	tail := key[n:]
	switch len(tail) {
	case 7:
		h ^= uint64(tail[6]) << 48
		fallthrough
	case 6:
		h ^= uint64(tail[5]) << 40
		fallthrough
	case 5:
		h ^= uint64(tail[4]) << 32
		fallthrough
	case 4:
		h ^= uint64(tail[3]) << 24
		fallthrough
	case 3:
		h ^= uint64(tail[2]) << 16
		fallthrough
	case 2:
		h ^= uint64(tail[1]) << 8
		fallthrough
	case 1:
		h ^= uint64(tail[0])
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// PatLen returns the register an element maps to and the length of the
// 0...01 pattern of its hash (1..51).
func PatLen(elem []byte) (index int, count uint8) {
	hash := MurmurHash64A(elem, 0xadc83b19)
	index = int(hash & (Registers - 1))
	hash >>= P
	hash |= 1 << q
	return index, uint8(bits.TrailingZeros64(hash) + 1)
}

// at returns b[i], or the zero Redis finds past the end of its string.
func at(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

// denseGet returns register i of the dense registers r.
func denseGet(r []byte, i int) uint8 {
	byteIdx := i * regBits / 8
	fb := uint(i*regBits) & 7
	b0 := uint(r[byteIdx])
	b1 := uint(at(r, byteIdx+1))
	return uint8((b0>>fb | b1<<(8-fb)) & regMax)
}

// denseSetReg sets register i of the dense registers r to v.
func denseSetReg(r []byte, i int, v uint8) {
	byteIdx := i * regBits / 8
	fb := uint(i*regBits) & 7
	fb8 := 8 - fb
	val := uint(v)
	r[byteIdx] &^= byte(regMax << fb)
	r[byteIdx] |= byte(val << fb)
	if byteIdx+1 < len(r) {
		r[byteIdx+1] &^= byte(regMax >> fb8)
		r[byteIdx+1] |= byte(val >> fb8)
	}
}

// DenseSet raises register i of dense HLL b to count if it is lower; it
// reports whether it did.
func DenseSet(b []byte, i int, count uint8) bool {
	r := b[HeaderSize:]
	if count > denseGet(r, i) {
		denseSetReg(r, i, count)
		return true
	}
	return false
}

// DenseWouldSet reports whether DenseSet(b, i, count) would change b.
func DenseWouldSet(b []byte, i int, count uint8) bool {
	return count > denseGet(b[HeaderSize:], i)
}

// Register returns register i of dense HLL b.
func Register(b []byte, i int) uint8 { return denseGet(b[HeaderSize:], i) }

// Sparse opcodes.
func isZero(c byte) bool  { return c&0xc0 == 0 }
func isXZero(c byte) bool { return c&0xc0 == 0x40 }
func isVal(c byte) bool   { return c&0x80 != 0 }
func zeroLen(c byte) int  { return int(c&0x3f) + 1 }
func xzeroLen(b []byte, p int) int {
	return (int(b[p]&0x3f)<<8 | int(at(b, p+1))) + 1
}
func valValue(c byte) int { return int(c>>2&0x1f) + 1 }
func valLen(c byte) int   { return int(c&3) + 1 }
func valOp(v, n int) byte { return byte((v-1)<<2|(n-1)) | 0x80 }
func setXZero(b []byte, n int) {
	n--
	b[0] = byte(n>>8) | 0x40
	b[1] = byte(n)
}

// ToDense returns the dense form of sparse HLL b (b itself when dense), or
// false when its opcodes do not cover exactly the 16384 registers. The
// header, cached cardinality included, is kept.
func ToDense(b []byte) ([]byte, bool) {
	if b[4] == Dense {
		return b, true
	}
	d := make([]byte, DenseSize)
	copy(d, b[:HeaderSize])
	d[4] = Dense
	r := d[HeaderSize:]
	idx := 0
	for p := HeaderSize; p < len(b); {
		c := b[p]
		switch {
		case isZero(c):
			idx += zeroLen(c)
			p++
		case isXZero(c):
			idx += xzeroLen(b, p)
			p += 2
		default:
			n, v := valLen(c), valValue(c)
			if idx+n > Registers {
				return nil, false
			}
			for ; n > 0; n-- {
				denseSetReg(r, idx, uint8(v))
				idx++
			}
			p++
		}
	}
	if idx != Registers {
		return nil, false
	}
	return d, true
}

// Set raises register index of HLL b to count if it is lower, as Redis's
// hllSparseSet and hllDenseSet do, turning a sparse HLL dense when count
// is over 32 or the sparse bytes would pass sparseMax. It returns the
// edited bytes (b, edited in place, or a new slice) and 1 when the register
// changed, 0 when not, -1 when b's sparse encoding is corrupt (b is then
// left as it was).
func Set(b []byte, index int, count uint8, sparseMax int) ([]byte, int) {
	if b[4] == Dense {
		if DenseSet(b, index, count) {
			return b, 1
		}
		return b, 0
	}
	if count > sparseValMax {
		return promote(b, index, count)
	}
	// Room for the worst split (XZERO into XZERO VAL XZERO) and for the
	// bytes Redis may touch past the end.
	if cap(b)-len(b) < 8 {
		nb := make([]byte, len(b), len(b)+len(b)/4+16)
		copy(nb, b)
		b = nb
	}
	end := len(b)
	full := b[:cap(b)]
	clear(full[end:])
	p, first, span := HeaderSize, 0, 0
	prev := -1
	for p < end {
		oplen := 1
		c := b[p]
		switch {
		case isZero(c):
			span = zeroLen(c)
		case isVal(c):
			span = valLen(c)
		default:
			span = xzeroLen(b, p)
			oplen = 2
		}
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= end {
		return b, -1
	}
	next := p + 1
	if isXZero(b[p]) {
		next = p + 2
	}
	if next >= end {
		next = -1
	}
	c := b[p]
	var runlen int
	zero, xzero, val := false, false, false
	switch {
	case isZero(c):
		zero, runlen = true, zeroLen(c)
	case isXZero(c):
		xzero, runlen = true, xzeroLen(b, p)
	default:
		val, runlen = true, valLen(c)
	}
	updated := false
	if val {
		if old := valValue(c); old >= int(count) {
			return b, 0
		}
		if runlen == 1 {
			b[p] = valOp(int(count), 1)
			updated = true
		}
	}
	if !updated && zero && runlen == 1 {
		b[p] = valOp(int(count), 1)
		updated = true
	}
	if !updated {
		var seq [5]byte
		n := 0
		last := first + span - 1
		if zero || xzero {
			if index != first {
				l := index - first
				if l > sparseZeroMax {
					setXZero(seq[n:], l)
					n += 2
				} else {
					seq[n] = byte(l - 1)
					n++
				}
			}
			seq[n] = valOp(int(count), 1)
			n++
			if index != last {
				l := last - index
				if l > sparseZeroMax {
					setXZero(seq[n:], l)
					n += 2
				} else {
					seq[n] = byte(l - 1)
					n++
				}
			}
		} else {
			cur := valValue(c)
			if index != first {
				seq[n] = valOp(cur, index-first)
				n++
			}
			seq[n] = valOp(int(count), 1)
			n++
			if index != last {
				seq[n] = valOp(cur, last-index)
				n++
			}
		}
		oldlen := 1
		if xzero {
			oldlen = 2
		}
		delta := n - oldlen
		if delta > 0 && end+delta > sparseMax {
			return promote(b, index, count)
		}
		if delta != 0 && next >= 0 {
			copy(full[next+delta:], full[next:end])
		}
		copy(full[p:], seq[:n])
		end += delta
		clear(full[end:])
	}
	// Merge adjacent VAL opcodes of equal value, from prev, up to five
	// opcodes.
	p = prev
	if p < 0 {
		p = HeaderSize
	}
	for scan := 5; p < end && scan > 0; scan-- {
		c := full[p]
		if isXZero(c) {
			p += 2
			continue
		}
		if isZero(c) {
			p++
			continue
		}
		if p+1 < end && isVal(full[p+1]) {
			v1, v2 := valValue(c), valValue(full[p+1])
			if v1 == v2 {
				if l := valLen(c) + valLen(full[p+1]); l <= sparseValMaxLen {
					full[p+1] = valOp(v1, l)
					copy(full[p:], full[p+1:end])
					end--
					full[end] = 0
					continue
				}
			}
		}
		p++
	}
	b = full[:end]
	Invalidate(b)
	return b, 1
}

// promote turns sparse b dense and sets the register there.
func promote(b []byte, index int, count uint8) ([]byte, int) {
	d, ok := ToDense(b)
	if !ok {
		return b, -1
	}
	if DenseSet(d, index, count) {
		return d, 1
	}
	return d, 0
}

// Add adds elem to HLL b (see Set).
func Add(b, elem []byte, sparseMax int) ([]byte, int) {
	i, c := PatLen(elem)
	return Set(b, i, c, sparseMax)
}

// Histogram counts the registers of each value; for a sparse HLL it
// reports false when the opcodes do not cover exactly 16384 registers.
func Histogram(b []byte, h *[64]int64) bool {
	if b[4] == Dense {
		r := b[HeaderSize:]
		for i := 0; i < len(r); i += 3 {
			v := uint32(r[i]) | uint32(r[i+1])<<8 | uint32(r[i+2])<<16
			h[v&63]++
			h[v>>6&63]++
			h[v>>12&63]++
			h[v>>18&63]++
		}
		return true
	}
	idx := 0
	for p := HeaderSize; p < len(b); {
		c := b[p]
		switch {
		case isZero(c):
			n := zeroLen(c)
			idx += n
			h[0] += int64(n)
			p++
		case isXZero(c):
			n := xzeroLen(b, p)
			idx += n
			h[0] += int64(n)
			p += 2
		default:
			n := valLen(c)
			idx += n
			h[valValue(c)] += int64(n)
			p++
		}
	}
	return idx == Registers
}

// Count returns the estimate of HLL b from its registers (not the cache);
// false when b's sparse encoding is corrupt.
func Count(b []byte) (uint64, bool) {
	var h [64]int64
	if !Histogram(b, &h) {
		return 0, false
	}
	return estimate(&h), true
}

// CountRegisters returns the estimate of registers held one per byte.
func CountRegisters(r *[Registers]uint8) uint64 {
	var h [64]int64
	for i := 0; i < len(r); i += 8 {
		if binary.LittleEndian.Uint64(r[i:]) == 0 {
			h[0] += 8
			continue
		}
		for _, v := range r[i : i+8] {
			h[v&63]++
		}
	}
	return estimate(&h)
}

// sigma and tau are the helper functions of Ertl's estimator ("New
// cardinality estimation algorithms for HyperLogLog sketches",
// arXiv:1702.01284), step by step as Redis computes them. The explicit
// float64 conversions keep every product rounded on its own (no fused
// multiply-add), as the C code rounds it.
func sigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		zp := z
		z += float64(x * y)
		y += y
		if zp == z {
			return z
		}
	}
}

func tau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		zp := z
		y *= 0.5
		d := 1 - x
		z -= float64(float64(d*d) * y)
		if zp == z {
			return z / 3
		}
	}
}

func estimate(h *[64]int64) uint64 {
	const m = float64(Registers)
	z := m * tau((m-float64(h[q+1]))/m)
	for j := q; j >= 1; j-- {
		z += float64(h[j])
		z *= 0.5
	}
	z += float64(m * sigma(float64(h[0])/m))
	e := math.Round(float64(float64(alphaInf*m)*m) / z)
	return uint64(int64(e))
}

// Merge raises each of regs' registers to HLL b's; false when b's sparse
// encoding is corrupt (regs may then be partly raised, as Redis's are).
func Merge(regs *[Registers]uint8, b []byte) bool {
	if b[4] == Dense {
		// Four registers in each three bytes, LSB first.
		r := b[HeaderSize:]
		for i, j := 0, 0; j+3 <= len(r); i, j = i+4, j+3 {
			v := uint32(r[j]) | uint32(r[j+1])<<8 | uint32(r[j+2])<<16
			if v == 0 {
				continue
			}
			m := (*[4]uint8)(regs[i : i+4])
			m[0] = max(m[0], uint8(v&63))
			m[1] = max(m[1], uint8(v>>6&63))
			m[2] = max(m[2], uint8(v>>12&63))
			m[3] = max(m[3], uint8(v>>18&63))
		}
		return true
	}
	i := 0
	for p := HeaderSize; p < len(b); {
		c := b[p]
		switch {
		case isZero(c):
			i += zeroLen(c)
			p++
		case isXZero(c):
			i += xzeroLen(b, p)
			p += 2
		default:
			n, v := valLen(c), uint8(valValue(c))
			if i+n > Registers {
				return false
			}
			for ; n > 0; n-- {
				if v > regs[i] {
					regs[i] = v
				}
				i++
			}
			p++
		}
	}
	return i == Registers
}

// Decode writes the opcodes of sparse HLL b as PFDEBUG DECODE shows them
// ("Z:16384 v:3,1 z:20").
func Decode(dst, b []byte) []byte {
	start := len(dst)
	for p := HeaderSize; p < len(b); {
		c := b[p]
		switch {
		case isZero(c):
			dst = append(dst, "z:"...)
			dst = strconv.AppendInt(dst, int64(zeroLen(c)), 10)
			p++
		case isXZero(c):
			dst = append(dst, "Z:"...)
			dst = strconv.AppendInt(dst, int64(xzeroLen(b, p)), 10)
			p += 2
		default:
			dst = append(dst, "v:"...)
			dst = strconv.AppendInt(dst, int64(valValue(c)), 10)
			dst = append(dst, ',')
			dst = strconv.AppendInt(dst, int64(valLen(c)), 10)
			p++
		}
		dst = append(dst, ' ')
	}
	if len(dst) > start {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// SelfTest is PFSELFTEST: it checks that dense registers keep what is
// written to them without touching their neighbours, and that a sparse and
// a dense HLL fed the same ten million elements agree with each other and
// stay within six standard errors of the true count. rnd supplies random
// numbers. It returns "" or the failure's error text.
func SelfTest(rnd func() uint64, sparseMax int) string {
	d := make([]byte, DenseSize)
	copy(d, "HYLL")
	r := d[HeaderSize:]
	var want [Registers]uint8
	for cycle := 0; cycle < 1000; cycle++ {
		for i := range want {
			v := uint8(rnd() & regMax)
			want[i] = v
			denseSetReg(r, i, v)
		}
		for i := range want {
			if got := denseGet(r, i); got != want[i] {
				return "TESTFAILED Register " + strconv.Itoa(i) + " should be " +
					strconv.Itoa(int(want[i])) + " but is " + strconv.Itoa(int(got))
			}
		}
	}
	clear(r)
	s := New()
	relerr := 1.04 / math.Sqrt(Registers)
	checkpoint := uint64(1)
	seed := rnd()
	var ele [8]byte
	for j := uint64(1); j <= 10000000; j++ {
		binary.LittleEndian.PutUint64(ele[:], j^seed)
		i, c := PatLen(ele[:])
		DenseSet(d, i, c)
		s, _ = Set(s, i, c, sparseMax)
		if j != checkpoint {
			continue
		}
		if j < uint64(sparseMax/2) && s[4] != Sparse {
			return "TESTFAILED sparse encoding not used"
		}
		cd, _ := Count(d)
		if cs, _ := Count(s); cd != cs {
			return "TESTFAILED dense/sparse disagree"
		}
		abserr := int64(checkpoint) - int64(cd)
		maxerr := int64(math.Ceil(relerr * 6 * float64(checkpoint)))
		if j == 10 {
			maxerr = 1
		}
		if abserr < 0 {
			abserr = -abserr
		}
		if abserr > maxerr {
			return "TESTFAILED Too big error. card:" + strconv.FormatUint(checkpoint, 10) +
				" abserr:" + strconv.FormatInt(abserr, 10)
		}
		checkpoint *= 10
	}
	return ""
}
