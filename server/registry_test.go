package server

import (
	"strings"
	"testing"

	"github.com/anaxdb/anax/server/command"
)

// TestMultiKeyCommandsCrossShards checks that every command whose keys may
// live on several shards says how it runs there: split into per-shard
// pieces, or as a Cross. A command with neither would answer an error
// whenever its keys happened to span shards.
func TestMultiKeyCommandsCrossShards(t *testing.T) {
	s := newBareServer(t, "4")
	for _, c := range s.cmdList {
		specs := append([]*command.Spec{c}, c.Subcommands...)
		for _, sp := range specs {
			if sp.Flags&(command.FlagAllShards|command.FlagLoop) != 0 || sp.Conn != nil {
				continue
			}
			if maxKeys(sp) <= 1 {
				continue
			}
			if !sp.Splits() && sp.Cross == nil {
				t.Errorf("%s: its keys may span shards, but it neither splits (Multi) nor has a Cross", sp.Name)
			}
		}
	}
}

// maxKeys is the most keys sp finds in argument lists of up to 8 words,
// with each of its subcommands' names tried as the second word.
func maxKeys(sp *command.Spec) int {
	most := 0
	words := []string{"x"}
	for _, sub := range sp.Subcommands {
		words = append(words, sub.Name[strings.IndexByte(sub.Name, '|')+1:])
	}
	for _, second := range words {
		for n := 1; n <= 8; n++ {
			args := [][]byte{[]byte(sp.Name)}
			for i := 1; i < n; i++ {
				args = append(args, []byte("k"))
			}
			if n > 1 {
				args[1] = []byte(second)
			}
			most = max(most, len(sp.KeyIndexes(args, nil)))
		}
	}
	return most
}
