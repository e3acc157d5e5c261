package sortcmd

import (
	"bytes"
	"math"
	"math/big"
	"slices"
	"strconv"

	"github.com/anaxdb/anax/shard"
)

// errScores is Redis's answer when a BY value (or an element, without BY)
// is not a number and ALPHA was not given.
const errScores = "ERR One or more scores can't be converted into double"

// job is one SORT after its source was read: the candidates to sort (the
// whole collection, or only LIMIT's window when nothing is sorted) and the
// window to answer, with the options as Redis adjusts them for the source.
type job struct {
	o          options
	vector     [][]byte // the candidates, in the source's order
	start, end int      // the window of the sorted vector to answer (end < start: none)
	dontsort   bool
	alpha      bool
	by         []byte
}

// newJob prepares the sort of elems, the source's elements in its order
// (typ is its type; a missing key is an empty list), as Redis's
// sortCommandGeneric does before it looks anything up.
func newJob(o options, typ byte, elems [][]byte) *job {
	jb := &job{o: o, dontsort: o.dontsort, alpha: o.alpha, by: o.by}
	if jb.dontsort && typ == shard.TypeSet && o.hasStore {
		// A set has no order of its own: what STORE writes must not
		// depend on the hash table's, so it is sorted by its elements.
		jb.dontsort, jb.alpha, jb.by = false, true, nil
	}
	n := int64(len(elems))
	start := min(max(o.start, 0), n)
	count := min(max(o.count, -1), n)
	end := n - 1
	if count >= 0 {
		end = start + count - 1
	}
	if start >= n {
		start, end = n-1, n-2
	}
	if end >= n {
		end = n - 1
	}
	if jb.dontsort && typ != shard.TypeSet {
		// A list or sorted set keeps its own order (reversed by DESC):
		// only the window is taken, and it becomes the whole answer.
		if end >= start {
			w := make([][]byte, 0, end-start+1)
			for i := start; i <= end; i++ {
				if o.desc {
					w = append(w, elems[n-1-i])
				} else {
					w = append(w, elems[i])
				}
			}
			elems, end, start = w, end-start, 0
		} else {
			elems = nil
		}
	}
	jb.vector, jb.start, jb.end = elems, int(start), int(end)
	return jb
}

// patterns returns the patterns the job looks up, BY's (when it sorts by
// one) first, then GET's: the pattern numbers lookups are asked by.
func (jb *job) patterns() [][]byte {
	var ps [][]byte
	if jb.sortsBy() {
		ps = append(ps, jb.by)
	}
	return append(ps, jb.o.gets...)
}

// sortsBy reports whether BY's pattern is looked up.
func (jb *job) sortsBy() bool { return !jb.dontsort && jb.by != nil }

// lookupFunc returns the value pattern number pat names for candidate i
// (an index into job.vector), and whether there is one.
type lookupFunc func(pat, i int) ([]byte, bool)

// item is one candidate being sorted.
type item struct {
	i      int // its index in job.vector
	score  float64
	cmp    []byte
	hasCmp bool
}

// result is a SORT's answer: rows (GET's values for each element of the
// window, or the elements themselves), nil entries where found is false.
type result struct {
	rows   [][]byte
	found  []bool
	errMsg string
}

// run sorts the candidates and reads out the window.
func (jb *job) run(look lookupFunc) result {
	items := make([]item, len(jb.vector))
	for i := range items {
		items[i].i = i
	}
	if !jb.dontsort {
		badScore := false
		for k := range items {
			it := &items[k]
			val, ok := jb.vector[it.i], true
			if jb.by != nil {
				val, ok = look(0, it.i)
				if !ok {
					continue // sorts as 0, or first with ALPHA
				}
			}
			if jb.alpha {
				if jb.by != nil {
					it.cmp, it.hasCmp = val, true
				}
				continue
			}
			f, ok := parseScore(val)
			if !ok {
				badScore = true
			}
			it.score = f
		}
		if badScore {
			return result{errMsg: errScores}
		}
		slices.SortStableFunc(items, jb.compare)
	}
	gets := len(jb.o.gets)
	first := 0
	if jb.sortsBy() {
		first = 1
	}
	var res result
	for j := jb.start; j <= jb.end; j++ {
		it := items[j]
		if gets == 0 {
			res.rows = append(res.rows, jb.vector[it.i])
			res.found = append(res.found, true)
			continue
		}
		for g := 0; g < gets; g++ {
			v, ok := look(first+g, it.i)
			res.rows = append(res.rows, v)
			res.found = append(res.found, ok)
		}
	}
	return res
}

// compare orders two candidates as Redis's sortCompare does: by score, ties
// by the elements' bytes; with ALPHA by BY's values (missing ones first) or
// the elements, compared as C strings (strcoll in the C locale) unless the
// result is stored, which compares whole bytes.
func (jb *job) compare(a, b item) int {
	var c int
	switch {
	case !jb.alpha:
		switch {
		case a.score > b.score:
			c = 1
		case a.score < b.score:
			c = -1
		default:
			c = bytes.Compare(jb.vector[a.i], jb.vector[b.i])
		}
	case jb.by != nil:
		switch {
		case !a.hasCmp || !b.hasCmp:
			c = boolCompare(a.hasCmp, b.hasCmp)
		case jb.o.hasStore:
			c = bytes.Compare(a.cmp, b.cmp)
		default:
			c = bytes.Compare(cString(a.cmp), cString(b.cmp))
		}
	case jb.o.hasStore:
		c = bytes.Compare(jb.vector[a.i], jb.vector[b.i])
	default:
		c = bytes.Compare(cString(jb.vector[a.i]), cString(jb.vector[b.i]))
	}
	if jb.o.desc {
		return -c
	}
	return c
}

func boolCompare(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// parseScore reads a number as C's strtod does where Redis calls it: the
// text up to the first NUL, leading white space skipped, decimal or hex,
// "inf" and "infinity"; it fails on anything left over, on an overflow or
// underflow (ERANGE) and on NaN. The empty text is 0.
func parseScore(b []byte) (float64, bool) {
	b = cString(b)
	if len(b) == 0 {
		return 0, true
	}
	s := b
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	if len(s) == 0 || bytes.IndexByte(s, '_') >= 0 {
		return 0, false
	}
	text := string(s)
	body := text
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	if len(body) > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') && !bytes.ContainsAny(s, "pP") {
		text += "p0" // strtod takes hex without a binary exponent; Go does not
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	if f == 0 && nonZeroMantissa(body) {
		return 0, false // underflow to zero
	}
	if f != 0 && math.Abs(f) < 0x1p-1022 && !exactly(text, f) {
		return 0, false // rounded into the subnormals: ERANGE
	}
	return f, true
}

// exactly reports whether text is exactly the double f (strtod sets ERANGE
// for a subnormal result only when it had to round).
func exactly(text string, f float64) bool {
	bf, _, err := big.ParseFloat(text, 0, 4096, big.ToNearestEven)
	if err != nil || bf.Acc() != big.Exact {
		return false
	}
	g, acc := bf.Float64()
	return acc == big.Exact && g == f
}

// nonZeroMantissa reports whether a number's digits before its exponent
// are not all zeros.
func nonZeroMantissa(s string) bool {
	hex := len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')
	if hex {
		s = s[2:]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case !hex && (c == 'e' || c == 'E'), hex && (c == 'p' || c == 'P'):
			return false
		case c >= '1' && c <= '9', hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'):
			return true
		}
	}
	return false
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
