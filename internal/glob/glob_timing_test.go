package glob

import (
	"strings"
	"testing"
)

func benchMatch(b *testing.B, pattern, s string, nocase bool) {
	p, sb := []byte(pattern), []byte(s)
	b.ReportAllocs()
	b.SetBytes(int64(len(sb)))
	for b.Loop() {
		Match(p, sb, nocase)
	}
}

func BenchmarkMatchStar(b *testing.B) { benchMatch(b, "*", "user:1000:profile", false) }

func BenchmarkMatchPrefix(b *testing.B) { benchMatch(b, "user:*", "user:1000:profile", false) }

func BenchmarkMatchMiddle(b *testing.B) {
	benchMatch(b, "user:*:profile", "user:1000:profile", false)
}

func BenchmarkMatchClass(b *testing.B) {
	benchMatch(b, "user:[0-9][0-9][0-9][0-9]:*e", "user:1000:profile", false)
}

func BenchmarkMatchNocase(b *testing.B) {
	benchMatch(b, "USER:*:PROFILE", "user:1000:profile", true)
}

func BenchmarkMatchMiss(b *testing.B) { benchMatch(b, "session:*", "user:1000:profile", false) }

// BenchmarkMatchPathological is the CVE-2022-36021 shape: 10,000 bytes of
// "*a" against 100,000 bytes that fail to match at the end.
func BenchmarkMatchPathological(b *testing.B) {
	benchMatch(b, strings.Repeat("*a", 999)+"*b", strings.Repeat("a", 100_000), false)
}

// BenchmarkMatchQuadratic is the worst case for a star matcher: one long
// segment that nearly matches at every position.
func BenchmarkMatchQuadratic(b *testing.B) {
	benchMatch(b, "*"+strings.Repeat("a", 100)+"b", strings.Repeat("a", 10_000), false)
}
