package rdb

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/anaxdb/anax/container/listpack"
)

// TestListpackZSetAsPacked: reading a listpack sorted set directly gives
// what reading its elements and then the pairs gives (the path of
// ziplists), for integer scores beyond 2^53 too, text scores, members
// that are integers, repeats and odd counts.
func TestListpackZSetAsPacked(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	scores := []string{"0", "-1", "1.5", "inf", "-inf", "nan", "1e400", "x", "9007199254740993", "-9223372036854775808", "12345678901234567"}
	for round := range 3000 {
		lp := listpack.New()
		n := rng.IntN(12)
		for i := range n {
			if i%2 == 0 {
				lp.Append(fmt.Appendf(nil, "%d", rng.IntN(2*n+1)))
			} else if rng.IntN(2) == 0 {
				lp.Append([]byte(scores[rng.IntN(len(scores))]))
			} else {
				lp.AppendInt(rng.Int64() >> rng.IntN(64))
			}
		}
		body := AppendString(nil, lp.Bytes(), false)
		d := decoder{b: body}
		got, _, gerr := d.listpackZSet()
		d2 := decoder{b: body}
		var want []ZMember
		flat, werr := d2.packed(TypeZSetListpack)
		if werr == nil {
			want, werr = packedZSet(flat)
		}
		if (gerr == nil) != (werr == nil) || len(got) != len(want) {
			t.Fatalf("round %d: %d members (%v), want %d (%v)", round, len(got), gerr, len(want), werr)
		}
		for i := range got {
			if string(got[i].Member) != string(want[i].Member) || math.Float64bits(got[i].Score) != math.Float64bits(want[i].Score) {
				t.Fatalf("round %d, member %d: %q %v, want %q %v", round, i, got[i].Member, got[i].Score, want[i].Member, want[i].Score)
			}
		}
	}
}
