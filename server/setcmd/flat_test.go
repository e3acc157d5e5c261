package setcmd

import (
	"math/rand"
	"strconv"
	"testing"

	"github.com/anaxdb/anax/shard"
)

// TestMembers: add keeps the first of each member, in order, and has finds
// exactly what was added, through every growth of the index.
func TestMembers(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var s members
	seen := map[string]bool{}
	var order []string
	for i := range 20000 {
		m := strconv.Itoa(rng.Intn(8000))
		if i%7 == 0 {
			m = "" // the empty member is a member too
		}
		if got, want := s.add([]byte(m)), !seen[m]; got != want {
			t.Fatalf("add(%q) = %v, want %v", m, got, want)
		}
		if !seen[m] {
			seen[m] = true
			order = append(order, m)
		}
	}
	if s.len() != len(order) {
		t.Fatalf("len %d, want %d", s.len(), len(order))
	}
	for i, m := range order {
		if string(s.at(i)) != m {
			t.Fatalf("at(%d) = %q, want %q", i, s.at(i), m)
		}
	}
	for i := range 10000 {
		m := strconv.Itoa(i)
		if s.has([]byte(m)) != seen[m] {
			t.Fatalf("has(%q) = %v", m, !seen[m])
		}
	}
	// push after the index was built keeps it right.
	s.push([]byte("pushed"))
	if !s.has([]byte("pushed")) || s.add([]byte("pushed")) {
		t.Fatal("pushed member not found")
	}
}

// TestResultOrder: a result that was an intset when a string came lists
// the intset's members first, ascending; an intset lists all ascending.
func TestResultOrder(t *testing.T) {
	lim := shard.SetLimits{IntsetEntries: 512, ListpackEntries: 128, ListpackValue: 64}
	got := func(r *result) (out []string) {
		member := r.cursor()
		for i := range r.len() {
			out = append(out, string(member(i)))
		}
		return out
	}
	r := newResult(shard.EncIntset, lim)
	for _, m := range []string{"5", "-2", "300", "5", "z", "3", "a"} {
		r.add([]byte(m))
	}
	if want := []string{"-2", "5", "300", "z", "3", "a"}; r.t.enc != shard.EncListpack || !equal(got(r), want) {
		t.Fatalf("enc %d, members %q, want listpack %q", r.t.enc, got(r), want)
	}
	r = newResult(shard.EncIntset, lim)
	for _, m := range []string{"9", "-9223372036854775808", "0", "9223372036854775807"} {
		r.add([]byte(m))
	}
	if want := []string{"-9223372036854775808", "0", "9", "9223372036854775807"}; r.t.enc != shard.EncIntset || !equal(got(r), want) {
		t.Fatalf("enc %d, members %q, want intset %q", r.t.enc, got(r), want)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
