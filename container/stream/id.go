package stream

import (
	"encoding/binary"
	"math"
	"strconv"
)

// ID is a stream entry id: milliseconds and a sequence number.
type ID struct{ Ms, Seq uint64 }

// MaxID is the largest id, "18446744073709551615-18446744073709551615".
var MaxID = ID{math.MaxUint64, math.MaxUint64}

// Compare returns -1, 0 or 1 as a is below, equal to or above b.
func (a ID) Compare(b ID) int {
	switch {
	case a.Ms < b.Ms:
		return -1
	case a.Ms > b.Ms:
		return 1
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// Less reports whether a is below b.
func (a ID) Less(b ID) bool { return a.Compare(b) < 0 }

// IsZero reports whether a is 0-0.
func (a ID) IsZero() bool { return a.Ms == 0 && a.Seq == 0 }

// Incr returns the id after a; ok is false when a is MaxID.
func (a ID) Incr() (ID, bool) {
	switch {
	case a.Seq < math.MaxUint64:
		return ID{a.Ms, a.Seq + 1}, true
	case a.Ms < math.MaxUint64:
		return ID{a.Ms + 1, 0}, true
	}
	return ID{}, false
}

// Decr returns the id before a; ok is false when a is 0-0.
func (a ID) Decr() (ID, bool) {
	switch {
	case a.Seq > 0:
		return ID{a.Ms, a.Seq - 1}, true
	case a.Ms > 0:
		return ID{a.Ms - 1, math.MaxUint64}, true
	}
	return ID{}, false
}

// AppendTo appends "ms-seq" to dst.
func (a ID) AppendTo(dst []byte) []byte {
	dst = strconv.AppendUint(dst, a.Ms, 10)
	dst = append(dst, '-')
	return strconv.AppendUint(dst, a.Seq, 10)
}

// String returns "ms-seq".
func (a ID) String() string { return string(a.AppendTo(nil)) }

// AppendBinary appends the 16-byte big-endian form (the rax key, RDB's
// node keys and PEL ids).
func (a ID) AppendBinary(dst []byte) []byte {
	dst = binary.BigEndian.AppendUint64(dst, a.Ms)
	return binary.BigEndian.AppendUint64(dst, a.Seq)
}

// IDFromBinary reads the 16-byte big-endian form.
func IDFromBinary(b []byte) ID {
	return ID{binary.BigEndian.Uint64(b), binary.BigEndian.Uint64(b[8:])}
}

// ParseID reads "ms-seq" or "ms" (seq is then missingSeq) strictly as
// Redis's streamGenericParseIDOrReply does, without the special forms
// ("-", "+", "*", "$", ">"), which callers handle. seqGiven is false only
// for "<ms>-*" (allowed when starSeq), as in Redis.
func ParseID(s []byte, missingSeq uint64, starSeq bool) (id ID, seqGiven, ok bool) {
	if len(s) > 127 {
		return id, false, false
	}
	dot := -1
	for i, c := range s {
		if c == '-' {
			dot = i
			break
		}
	}
	if dot < 0 {
		ms, ok := parseU64(s)
		return ID{ms, missingSeq}, true, ok
	}
	ms, ok := parseU64(s[:dot])
	if !ok {
		return id, false, false
	}
	rest := s[dot+1:]
	if starSeq && len(rest) == 1 && rest[0] == '*' {
		return ID{ms, 0}, false, true
	}
	seq, ok := parseU64(rest)
	return ID{ms, seq}, true, ok
}

// parseU64 is Redis's string2ull: a non-negative decimal long long, or
// else what C's strtoull accepts in full (leading white space, a sign, a
// value up to 2^64-1; a '-' negates modulo 2^64).
func parseU64(s []byte) (uint64, bool) {
	if v, ok := parseDigits(s); ok {
		return v, true
	}
	if len(s) > 1 && s[0] == '-' && s[1] >= '1' && s[1] <= '9' {
		if v, ok := parseDigits(s[1:]); ok && v <= 1<<63 {
			return 0, false // a negative long long (string2ll's form)
		}
	}
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	v, ok := parseDigits(s[i:])
	if !ok {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// parseDigits reads one or more decimal digits that fit 64 bits.
func parseDigits(s []byte) (uint64, bool) {
	if len(s) == 0 {
		return 0, false
	}
	var v uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}
