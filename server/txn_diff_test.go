package server_test

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/anaxdb/anax/internal/servertest"
)

// TestRandomCommandsMatchRedis sends the same seeded random stream of
// multi-key commands, MULTI/EXEC blocks and single-key commands to Anax
// with 4 shards and to redis-server, one at a time and then in pipelines,
// and compares every reply byte for byte. Eight keys spread over the shards, so most multi-key commands span
// shards and take the split, gather and EXEC paths.
func TestRandomCommandsMatchRedis(t *testing.T) {
	redisAddr := servertest.StartRedis(t)
	anaxAddr := servertest.Start(t, "--threads", "4")
	a, r := servertest.Dial(t, anaxAddr), servertest.Dial(t, redisAddr)
	rng := rand.New(rand.NewSource(7))
	keys := []string{"a", "b", "c", "d", "{t}e", "{t}f", "g:1", "h:2"}
	key := func() string { return keys[rng.Intn(len(keys))] }
	val := func() string { return fmt.Sprint(rng.Intn(20)) }
	command := func() []string {
		switch rng.Intn(16) {
		case 0:
			return []string{"SET", key(), val()}
		case 1:
			return []string{"GET", key()}
		case 2:
			return []string{"MSET", key(), val(), key(), val(), key(), val()}
		case 3:
			return []string{"MGET", key(), key(), key(), key()}
		case 4:
			return []string{"DEL", key(), key(), key()}
		case 5:
			return []string{"EXISTS", key(), key(), key()}
		case 6:
			return []string{"INCR", key()}
		case 7:
			return []string{"RENAME", key(), key()}
		case 8:
			return []string{"RENAMENX", key(), key()}
		case 9:
			return []string{"COPY", key(), key(), "REPLACE"}
		case 10:
			return []string{"MSETNX", key(), val(), key(), val()}
		case 11:
			return []string{"APPEND", key(), val()}
		case 12:
			return []string{"DBSIZE"}
		case 13:
			return []string{"EXPIRE", key(), "1000"}
		case 14:
			return []string{"TTL", key()}
		default:
			return []string{"LCS", key(), key()}
		}
	}
	step := func(cmd []string) {
		t.Helper()
		a.Send(servertest.Encode(cmd...))
		ga, err := a.ReadErr()
		if err != nil {
			t.Fatalf("%q: anax: %v", cmd, err)
		}
		if gr := r.Do(cmd...); ga != gr {
			t.Fatalf("%q:\n  anax:  %q\n  redis: %q", cmd, ga, gr)
		}
	}
	for i := 0; i < 1500; i++ {
		if rng.Intn(4) == 0 {
			step([]string{"MULTI"})
			for n := rng.Intn(6); n >= 0; n-- {
				step(command())
			}
			step([]string{"EXEC"})
			continue
		}
		step(command())
	}
	// The same commands in pipelines, whose runs of commands spanning
	// shards are squashed into one transaction each (squash.go).
	for i := 0; i < 300; i++ {
		var cmds [][]string
		for n := 1 + rng.Intn(40); n > 0; n-- {
			if rng.Intn(10) == 0 {
				cmds = append(cmds, []string{"MULTI"}, command(), command(), []string{"EXEC"})
				continue
			}
			cmds = append(cmds, command())
		}
		var req []byte
		for _, cmd := range cmds {
			req = append(req, servertest.Encode(cmd...)...)
		}
		a.Send(req)
		r.Send(req)
		for _, cmd := range cmds {
			ga, err := a.ReadErr()
			if err != nil {
				t.Fatalf("%q: anax: %v", cmd, err)
			}
			if gr := r.Read(); ga != gr {
				t.Fatalf("pipeline %d, %q:\n  anax:  %q\n  redis: %q", i, cmd, ga, gr)
			}
		}
	}
}
