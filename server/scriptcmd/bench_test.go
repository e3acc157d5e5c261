package scriptcmd

import "testing"

// BenchmarkLoop is the interpreter's speed on a tight loop (the kill
// signal is checked before every instruction).
func BenchmarkLoop(b *testing.B) {
	st := New(1).newState()
	for i := 0; i < b.N; i++ {
		if _, err := evalChunk(b, st, "local n = 0 for i = 1, 100000 do n = n + i end return n"); err != nil {
			b.Fatal(err)
		}
	}
}
