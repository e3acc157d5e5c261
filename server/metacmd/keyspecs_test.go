package metacmd

import (
	"math/rand/v2"
	"testing"

	"github.com/anaxdb/anax/server/cmdmeta"
)

// TestKeysFromSpecsNeverPanics runs every command's key specs over random
// command lines (counts, keywords and plain words, short and long lines):
// a client's COMMAND GETKEYS may send anything. Every key position found
// must lie inside the line.
func TestKeysFromSpecsNeverPanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"0", "1", "2", "3", "-1", "99999999999999999999", "x", "STREAMS", "STORE", "storedist", "keys", "get", ""}
	for _, c := range cmdmeta.All() {
		if len(c.KeySpecs) == 0 {
			continue
		}
		for range 300 {
			args := [][]byte{[]byte(c.Name)}
			for range rng.IntN(9) {
				args = append(args, []byte(words[rng.IntN(len(words))]))
			}
			for _, partial := range []bool{false, true} {
				keys, _ := keysFromSpecs(c.KeySpecs, args, partial)
				for _, k := range keys {
					if k.pos < 1 || k.pos >= len(args) {
						t.Fatalf("%s %q: key position %d outside the line", c.Name, args, k.pos)
					}
				}
			}
		}
	}
}
