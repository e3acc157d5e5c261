package glob

import (
	"strings"
	"testing"
	"time"
)

// matchCase is one verified expectation. Every case in these tables was
// checked against redis-server 7.0.15 (KEYS for case-sensitive cases, COMMAND
// LIST FILTERBY PATTERN for nocase ones); TestAgainstRedis re-checks them when
// ANAXTEST_REDIS_ADDR points at a live server.
type matchCase struct {
	pattern, s string
	nocase     bool
	want       bool
}

// caseSensitive cases are checked with KEYS (which is case-sensitive).
var caseSensitive = []matchCase{
	// Literals, '?' and '*'.
	{"hello", "hello", false, true},
	{"hello", "hell", false, false},
	{"hello", "helloo", false, false},
	{"hello", "Hello", false, false},
	{"h?llo", "hallo", false, true},
	{"h?llo", "hllo", false, false},
	{"?", "x", false, true},
	{"?", "xy", false, false},
	{"??", "x", false, false},
	{"*", "anything", false, true},
	{"**", "a", false, true},
	{"**", "", false, false}, // a pattern never matches the empty string
	{"?*", "", false, false},
	{"h*llo", "hllo", false, true},
	{"h*llo", "heeeello", false, true},
	{"h*llo", "heeeelloo", false, false},
	{"*llo", "hello", false, true},
	{"hel*", "hel", false, true},
	{"hel**", "hel", false, true},
	{"hel*?", "hel", false, false},
	{"a*b*c", "abc", false, true},
	{"a*b*c", "aXbYc", false, true},
	{"a*b*c", "aXbYcZ", false, false},
	{"a*b*c", "acb", false, false},
	{"*a*b", "ba", false, false},
	{"*ab", "aab", false, true},
	{"*ab", "aba", false, false},
	{"*a", "aba", false, true},
	{"*?*?*", "ab", false, true},
	{"*?*?*", "a", false, false},
	{"user:*:name", "user:1000:name", false, true},
	{"user:*:name", "user:1000:email", false, false},
	// Bracket classes.
	{"h[ae]llo", "hallo", false, true},
	{"h[ae]llo", "hello", false, true},
	{"h[ae]llo", "hillo", false, false},
	{"h[^e]llo", "hallo", false, true},
	{"h[^e]llo", "hello", false, false},
	{"h[a-b]llo", "hbllo", false, true},
	{"h[a-b]llo", "hcllo", false, false},
	{"h[b-a]llo", "hallo", false, true}, // reversed range
	{"[a-c-e]", "-", false, true},       // the range a-c, then '-' and 'e' as literals
	{"[a-c-e]", "e", false, true},
	{"[a-c-e]", "d", false, false},
	{"[-a]", "-", false, true},
	{"[a-]", "a", false, true},  // range ']'..'a', class still open: unterminated
	{"[a-]", "]", false, true},  // ']' is the range's upper end
	{"[a-]", "^", false, true},  // between ']' (93) and 'a' (97)
	{"[a-]", "b", false, false}, // outside the range
	{"[a-]b", "ab", false, false},
	{"[]", "]", false, false},    // "[]" is an empty class
	{"[]a]", "a]", false, false}, // ']' closes at once: an empty class, then "a]"
	{"[]a]", "]", false, false},
	{"[^]", "x", false, true}, // negated empty class matches any byte
	{"[^]x", "ax", false, true},
	{"[", "[", false, false}, // unterminated empty class matches nothing
	{"[^", "x", false, true}, // unterminated negated empty class
	{"[^", "xy", false, false},
	{"[abc", "b", false, true}, // unterminated class takes the rest
	{"[abc", "bc", false, false},
	{"a[", "a", false, false},
	{"x[\\]]y", "x]y", false, true},   // escaped ']' inside a class
	{"x[\\]]y", "x\\y", false, false}, //
	{"[\\", "\\", false, true},        // lone '\' at the end of a class is literal
	{"[\\-]", "-", false, true},
	{"[\\-]", "\\", false, false},
	{"[a\\-z]", "b", false, false}, // escaped '-' is not a range
	{"[a\\-z]", "-", false, true},
	{"[*]", "*", false, true},
	{"[?]", "a", false, false},
	{"[[]", "[", false, true},
	{"[a-z]*[0-9]", "abc9", false, true},
	{"[a-z]*[0-9]", "abc", false, false},
	// Escapes outside classes.
	{"\\*", "*", false, true},
	{"\\*", "a", false, false},
	{"a\\?b", "a?b", false, true},
	{"a\\?b", "axb", false, false},
	{"\\[a]", "[a]", false, true},
	{"\\a", "a", false, true},
	{"a\\", "a\\", false, true}, // trailing '\' is a literal backslash
	{"a\\", "a", false, false},
	{"\\\\", "\\", false, true},
	{"*\\*", "ab*", false, true},
	{"*\\*", "ab", false, false},
	// Bytes above 0x7f compare as signed chars in ranges.
	{"[a-\xff]", "\xff", false, true},
	{"[a-\xff]", "\x01", false, true},
	{"[a-\xff]", "b", false, false},
	{"[a-\xff]", "\x80", false, false},
	{"[\x80-\xff]", "\x90", false, true},
	{"[\x80-\xff]", "a", false, false},
	{"[\x01-\x7f]", "\x80", false, false},
	{"\xe4\xbd\xa0*", "\xe4\xbd\xa0\xe5\xa5\xbd", false, true},
	{"?", "\xe4\xbd\xa0", false, false}, // '?' is one byte, not one rune
	{"a\x00b", "a\x00b", false, true},
	{"a?b", "a\x00b", false, true},
}

// caseInsensitive cases are checked with COMMAND LIST FILTERBY PATTERN, which
// matches command names with nocase.
var caseInsensitive = []matchCase{
	{"GET", "get", true, true},
	{"G?T", "get", true, true},
	{"g*", "get", true, true},
	{"*ET", "get", true, true},
	{"[F-H]et", "get", true, true},
	{"[f-h]ET", "get", true, true},
	{"[^G]et", "get", true, false},
	{"[G]et", "get", true, true},
	{"[\\G]et", "get", true, false}, // escaped byte in a class is case-sensitive
	{"[\\g]et", "get", true, true},
	{"\\Get", "get", true, true},      // escaped byte outside a class folds
	{"[Z-a]uth", "auth", true, false}, // swapped then lowered: z..a is empty
	{"[a-Z]uth", "auth", true, false},
	{"[A-a]uth", "auth", true, true},
	{"client|*", "client|kill", true, true},
	{"CLIENT|K*", "client|kill", true, true},
	{"client", "client|kill", true, false},
}

func TestMatchTable(t *testing.T) {
	f := func(tc matchCase) {
		t.Helper()
		if got := Match([]byte(tc.pattern), []byte(tc.s), tc.nocase); got != tc.want {
			t.Errorf("Match(%q, %q, nocase=%v) = %v, want %v", tc.pattern, tc.s, tc.nocase, got, tc.want)
		}
		if got := MatchString(tc.pattern, tc.s, tc.nocase); got != tc.want {
			t.Errorf("MatchString(%q, %q, nocase=%v) = %v, want %v", tc.pattern, tc.s, tc.nocase, got, tc.want)
		}
		if got := refMatch([]byte(tc.pattern), []byte(tc.s), tc.nocase); got != tc.want {
			t.Errorf("reference(%q, %q, nocase=%v) = %v, want %v", tc.pattern, tc.s, tc.nocase, got, tc.want)
		}
	}
	for _, tc := range caseSensitive {
		f(tc)
	}
	for _, tc := range caseInsensitive {
		f(tc)
	}
}

func TestEmpty(t *testing.T) {
	f := func(pattern, s string, want bool) {
		t.Helper()
		if got := MatchString(pattern, s, false); got != want {
			t.Errorf("MatchString(%q, %q) = %v, want %v", pattern, s, got, want)
		}
	}
	f("", "", true)
	f("", "a", false)
	f("*", "", false)
	f("?", "", false)
	f("[^", "", false)
}

// TestStarGroupLimit checks Redis's cut-off at 1000 nested stars: verified with
// KEYS against a 3000-byte key of 'a's ("*a" x 900 matches, x 1001 does not).
func TestStarGroupLimit(t *testing.T) {
	s := strings.Repeat("a", 3000)
	f := func(pattern string, want bool) {
		t.Helper()
		if got := MatchString(pattern, s, false); got != want {
			t.Errorf("%d-byte pattern: got %v, want %v", len(pattern), got, want)
		}
	}
	f(strings.Repeat("*a", 900), true)
	f(strings.Repeat("*a", 1000), true)
	f(strings.Repeat("*a", 1000)+"*", true) // the 1001st group is trailing
	f(strings.Repeat("*a", 1001), false)
	f(strings.Repeat("*a", 2500), false)
	f(strings.Repeat("a*", 1000)+"a", true)
	f(strings.Repeat("a*", 1001)+"a", false)
	f(strings.Repeat("**a", 1000), true)   // consecutive stars are one group
	f(strings.Repeat("\\*a", 2000), false) // escaped stars are not groups
	if !MatchString(strings.Repeat("\\*a", 1500), strings.Repeat("*a", 1500), false) {
		t.Errorf("escaped stars should match literally")
	}
}

// TestNoBlowup runs patterns that made Redis's old recursive matcher
// exponential (CVE-2022-36021) and checks that they finish quickly.
func TestNoBlowup(t *testing.T) {
	long := strings.Repeat("a", 100_000)
	patterns := []string{
		strings.Repeat("*a", 5000),                                    // 10,000 bytes
		strings.Repeat("*a", 999) + "*b",                              // just under the star limit, no match
		strings.Repeat("*?", 999) + "b",                               //
		strings.Repeat("a*", 999) + "b",                               //
		strings.Repeat("*[a-z]", 999) + "*[^a]",                       //
		"*" + strings.Repeat("?", 1000) + "*b",                        //
		strings.Repeat("*a", 30) + "*" + strings.Repeat("\\*a", 4000), // long literal tail
	}
	start := time.Now()
	for _, p := range patterns {
		if MatchString(p, long, false) {
			t.Errorf("pattern of %d bytes unexpectedly matched", len(p))
		}
		if MatchString(p, long, true) {
			t.Errorf("pattern of %d bytes unexpectedly matched (nocase)", len(p))
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("pathological patterns took %v", d)
	}
}

func TestZeroAllocs(t *testing.T) {
	p := []byte("*user:[0-9]*:na?e\\*")
	s := []byte("xuser:1234:name*")
	ps, ss := string(p), string(s)
	n := testing.AllocsPerRun(1000, func() {
		if !Match(p, s, false) || !MatchString(ps, ss, true) {
			t.Fatal("no match")
		}
	})
	if n != 0 {
		t.Fatalf("Match allocates %v times per call", n)
	}
}

// refMatch is a deliberately simple, recursive reading of Redis's rules (one
// recursion per star, class parsed into items first). It is exponential
// without the prune below, so the fuzz target keeps inputs short.
func refMatch(p, s []byte, nocase bool) bool {
	prune := false
	return refRec(p, s, nocase, 0, &prune)
}

func refRec(p, s []byte, nocase bool, depth int, prune *bool) bool {
	if depth > 1000 {
		return false
	}
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for ; len(s) > 0; s = s[1:] {
				if refRec(p[1:], s, nocase, depth+1, prune) {
					return true
				}
				// If the tail failed at every position, no earlier star
				// can help either.
				if *prune {
					return false
				}
			}
			*prune = true
			return false
		case '?':
			p = p[1:]
		case '[':
			items, neg, rest := refParseClass(p[1:])
			if refInClass(items, s[0], nocase) == neg {
				return false
			}
			p = rest
		default:
			if p[0] == '\\' && len(p) > 1 {
				p = p[1:]
			}
			a, b := p[0], s[0]
			if nocase {
				a, b = lower(a), lower(b)
			}
			if a != b {
				return false
			}
			p = p[1:]
		}
		s = s[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
		}
	}
	return len(p) == 0 && len(s) == 0
}

type refItem struct {
	lo, hi  int  // signed-char bounds, lo <= hi before case folding
	escaped bool // escaped byte: exact, case-sensitive
}

// refParseClass parses a class body (after '[') and returns its items, whether
// it is negated, and the pattern after it.
func refParseClass(p []byte) (items []refItem, neg bool, rest []byte) {
	if len(p) > 0 && p[0] == '^' {
		neg, p = true, p[1:]
	}
	for {
		switch {
		case len(p) >= 2 && p[0] == '\\':
			items = append(items, refItem{lo: signed(p[1]), hi: signed(p[1]), escaped: true})
			p = p[2:]
		case len(p) == 0:
			return items, neg, p
		case p[0] == ']':
			return items, neg, p[1:]
		case len(p) >= 3 && p[1] == '-':
			lo, hi := signed(p[0]), signed(p[2])
			if lo > hi {
				lo, hi = hi, lo
			}
			items = append(items, refItem{lo: lo, hi: hi})
			p = p[3:]
		default:
			items = append(items, refItem{lo: signed(p[0]), hi: signed(p[0])})
			p = p[1:]
		}
	}
}

func refInClass(items []refItem, c byte, nocase bool) bool {
	for _, it := range items {
		ch, lo, hi := signed(c), it.lo, it.hi
		if it.escaped {
			if ch == lo {
				return true
			}
			continue
		}
		if nocase {
			ch, lo, hi = lowerInt(ch), lowerInt(lo), lowerInt(hi)
		}
		if ch >= lo && ch <= hi {
			return true
		}
	}
	return false
}

func FuzzMatch(f *testing.F) {
	for _, tc := range caseSensitive {
		f.Add([]byte(tc.pattern), []byte(tc.s), false)
	}
	for _, tc := range caseInsensitive {
		f.Add([]byte(tc.pattern), []byte(tc.s), true)
	}
	f.Add([]byte("*a*b*[c-d]*\\"), []byte("xaybzcq\\"), false)
	f.Fuzz(func(t *testing.T, pattern, s []byte, nocase bool) {
		if len(pattern) > 64 || len(s) > 64 {
			return
		}
		got := Match(pattern, s, nocase)
		if want := refMatch(pattern, s, nocase); got != want {
			t.Fatalf("Match(%q, %q, nocase=%v) = %v, reference says %v", pattern, s, nocase, got, want)
		}
		if MatchString(string(pattern), string(s), nocase) != got {
			t.Fatalf("MatchString disagrees with Match on %q, %q", pattern, s)
		}
	})
}
