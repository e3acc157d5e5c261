package rdb

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestUniq: uniq finds the first repeat as a map would, before and after
// it turns to its map, with the caller reusing the bytes it adds.
func TestUniq(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 2000 {
		n := rng.IntN(3 * uniqFew)
		var u uniq
		seen := map[string]bool{}
		buf := make([]byte, 0, 32)
		for i := range n {
			buf = fmt.Appendf(buf[:0], "m%d", rng.IntN(2*n+1))
			if round%7 == 0 {
				buf = buf[:0] // the empty string too
			}
			want := !seen[string(buf)]
			seen[string(buf)] = true
			if got := u.add(buf); got != want {
				t.Fatalf("round %d, string %d %q: new %v, want %v", round, i, buf, got, want)
			}
			if !want {
				break
			}
		}
	}
}
