package glob

// maxStarGroups is the number of star groups Redis follows before giving up
// (its matcher returns "no match" once it recurses deeper than 1000 stars).
const maxStarGroups = 1000

// Match reports whether s matches the Redis glob pattern. With nocase, ASCII
// letters compare case-insensitively. See the package documentation for the
// exact semantics. Match does not allocate.
func Match(pattern, s []byte, nocase bool) bool {
	return match(pattern, s, nocase)
}

// MatchString is Match for strings; it does not allocate either.
func MatchString(pattern, s string, nocase bool) bool {
	return match(pattern, s, nocase)
}

// match is the one implementation behind Match and MatchString.
//
// The pattern is a sequence of star groups and single-byte tokens ('?', a
// bracket class, an escaped byte, a literal byte). Since each token consumes
// exactly one subject byte, the segment between two stars is best matched at
// its leftmost position: if the rest of the pattern cannot match after the
// leftmost placement, it cannot match after any later one either. So on a
// mismatch we only ever go back to the last star seen and let it swallow one
// more byte; earlier stars are never revisited.
func match[T string | []byte](p, s T, nocase bool) bool {
	if len(s) == 0 {
		// Redis's loop never starts on an empty subject: only the empty
		// pattern matches it ("*" does not).
		return len(p) == 0
	}
	pi, si := 0, 0
	starP := -1 // pattern index just past the last star group, -1 if none yet
	starS := 0  // subject index the last star group's tail is being tried at
	groups := 0
	for si < len(s) {
		if pi < len(p) {
			switch pc, c := p[pi], s[si]; pc {
			case '*':
				for pi < len(p) && p[pi] == '*' {
					pi++
				}
				if pi == len(p) {
					return true // a trailing star takes the rest of s
				}
				groups++
				if groups > maxStarGroups {
					return false
				}
				starP, starS = pi, si
				continue
			case '?':
				pi++
				si++
				continue
			case '[', '\\':
				if next, ok := matchToken(p, pi, c, nocase); ok {
					pi = next
					si++
					continue
				}
			default:
				if pc == c || nocase && lower(pc) == lower(c) {
					pi++
					si++
					continue
				}
			}
		}
		// Mismatch, or pattern exhausted with subject left over.
		if starP < 0 {
			return false
		}
		starS++
		pi, si = starP, starS
	}
	// The subject is used up: only stars may remain.
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// matchToken matches the single-byte token at p[pi] (not a star) against c.
// It returns the index just past the token and whether c matched. The index
// is only meaningful when c matched.
func matchToken[T string | []byte](p T, pi int, c byte, nocase bool) (int, bool) {
	switch p[pi] {
	case '?':
		return pi + 1, true
	case '[':
		return matchClass(p, pi+1, c, nocase)
	case '\\':
		if pi+1 < len(p) {
			pi++ // escaped byte; a lone trailing '\' is itself
		}
	}
	pc := p[pi]
	return pi + 1, pc == c || nocase && lower(pc) == lower(c)
}

// matchClass matches c against the bracket class whose body starts at p[i]
// (just after '['). It returns the index past the closing ']' (or len(p) for
// an unterminated class) and whether c is in the class.
func matchClass[T string | []byte](p T, i int, c byte, nocase bool) (int, bool) {
	neg := i < len(p) && p[i] == '^'
	if neg {
		i++
	}
	in := false
	for {
		switch {
		case i+1 < len(p) && p[i] == '\\':
			// Escaped byte: compared case-sensitively even with nocase,
			// as Redis does.
			i++
			if p[i] == c {
				in = true
			}
		case i < len(p) && p[i] == ']':
			return i + 1, in != neg
		case i >= len(p):
			// Unterminated: the class takes the rest of the pattern.
			return len(p), in != neg
		case i+2 < len(p) && p[i+1] == '-':
			// Range. Redis compares (signed) chars and swaps the ends
			// before lowering them.
			lo, hi, ch := signed(p[i]), signed(p[i+2]), signed(c)
			if lo > hi {
				lo, hi = hi, lo
			}
			if nocase {
				lo, hi, ch = lowerInt(lo), lowerInt(hi), lowerInt(ch)
			}
			if ch >= lo && ch <= hi {
				in = true
			}
			i += 2
		default:
			if p[i] == c || nocase && lower(p[i]) == lower(c) {
				in = true
			}
		}
		i++
	}
}

// signed returns b as C's (signed) char would promote it to int.
func signed(b byte) int { return int(int8(b)) }

// lower folds A-Z only, like tolower in the C locale.
func lower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

func lowerInt(x int) int {
	if x >= 'A' && x <= 'Z' {
		return x + 'a' - 'A'
	}
	return x
}
