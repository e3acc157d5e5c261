package server_test

import (
	"strconv"
	"testing"

	"github.com/anaxdb/anax/internal/servertest"
)

// The set algebra with its keys on different shards of a 4-shard Anax,
// against redis-server: sets big enough to stay where they are (their
// candidates travel from shard to shard) and small ones that come with the
// reads, wrong types and missing keys among the keys, the destination
// among the sources, SDIFF's two algorithms, and MULTI/EXEC.

// setAlgebraKeys returns two keys on each of 4 shards: k[i] and k[4+i] on
// shard i.
func setAlgebraKeys() []string {
	return append(keysOnShards("ak", 4), keysOnShards("bk", 4)...)
}

func TestSetAlgebraAcrossShards(t *testing.T) {
	o := servertest.StartOracle(t)
	anax := servertest.Start(t, "--threads", "4")
	k := setAlgebraKeys()
	big0, big1, ints2, ints3, small1, big0b, str3 := k[0], k[1], k[2], k[3], k[5], k[4], k[7]
	dst2 := k[6]
	script := [][]string{
		{"FLUSHALL"}, saddMany(big0, "m", 0, 300), saddMany(big1, "m", 100, 150), saddMany(ints2, "", 0, 400),
		saddMany(ints3, "", 150, 450), {"SADD", small1, "m5", "m150", "m120", "7", "200", "zz"},
		saddMany(big0b, "m", 120, 200), {"SADD", big1, "7", "200", "250"}, {"SET", str3, "x"},
	}
	whole := func(cmd ...string) [][]string {
		return [][]string{cmd, {"SCARD", cmd[1]}, {"OBJECT", "ENCODING", cmd[1]}, {"SMEMBERS", cmd[1]}}
	}
	for _, op := range []string{"SINTER", "SUNION", "SDIFF"} {
		script = append(script, []string{op, big0, big1}, []string{op, big1, big0}, []string{op, big0, big1, big0b},
			[]string{op, small1, big0, big1}, []string{op, big0, small1}, []string{op, big1, ints2, ints3},
			[]string{op, ints2, ints3}, []string{op, ints3, ints2}, []string{op, big0, big0b, big0},
			[]string{op, big0, "nokey"}, []string{op, "nokey", big0}, []string{op, big0, str3}, []string{op, str3, big0},
			[]string{op, "nokey", str3}, []string{op, big0, big1, str3, small1})
	}
	for _, limit := range []string{"0", "1", "5", "51", "1000"} {
		script = append(script, []string{"SINTERCARD", "2", big0, big1, "LIMIT", limit},
			[]string{"SINTERCARD", "3", big0, big1, big0b, "LIMIT", limit},
			[]string{"SINTERCARD", "2", ints2, ints3, "LIMIT", limit},
			[]string{"SINTERCARD", "3", small1, big1, big0, "LIMIT", limit})
	}
	script = append(script, []string{"SINTERCARD", "2", big0, "nokey"}, []string{"SINTERCARD", "2", big0, str3},
		[]string{"SINTERCARD", "2", str3, "nokey"}, []string{"SINTERCARD", "3", big0, big1})
	for _, op := range []string{"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"} {
		script = append(script, whole(op, dst2, big0, big1)...)
		script = append(script, whole(op, dst2, ints2, ints3)...)
		script = append(script, whole(op, dst2, ints3, big1, small1)...)
		script = append(script, whole(op, dst2, small1, big1)...)
		// A wrong type among the keys leaves the destination as it was.
		script = append(script, []string{op, dst2, big0, str3}, []string{"SCARD", dst2},
			[]string{op, str3, big0, big1}, []string{"TYPE", str3}, []string{"SET", str3, "x"}, []string{op, dst2, "nokey", str3}, []string{"SCARD", dst2})
		// Missing keys.
		script = append(script, []string{op, dst2, big0, "nokey"}, []string{"EXISTS", dst2},
			[]string{op, dst2, "nokey", "nokey2"}, []string{"EXISTS", dst2}, []string{op, dst2, "nokey", big0},
			[]string{"EXISTS", dst2})
		// The destination among the sources, on its shard and not.
		script = append(script, []string{"COPY", big0, "{c}" + op}, []string{"COPY", big1, "{c}1" + op})
		script = append(script, whole(op, "{c}"+op, "{c}"+op, big1)...)
		script = append(script, whole(op, "{c}1"+op, big0b, "{c}1"+op, ints2)...)
		// A TTL goes with the old value.
		script = append(script, []string{"SADD", dst2, "old"}, []string{"EXPIRE", dst2, "100"},
			[]string{op, dst2, big0, big0b}, []string{"TTL", dst2}, []string{"SCARD", dst2})
	}
	// SDIFF's second algorithm (the first set much bigger than the others
	// together): the result's encoding is that of the whole first set.
	script = append(script, saddMany(k[1], "", 0, 100), []string{"SADD", k[1], "x", "y"},
		[]string{"SADD", k[2], "x"}, []string{"SADD", k[3], "y"}, []string{"SADD", k[4], "5"})
	script = append(script, whole("SDIFFSTORE", dst2, k[1], k[2], k[3], k[4], "nokey")...)
	script = append(script, whole("SDIFFSTORE", dst2, k[1], k[2], k[3], k[4], k[5])...)
	script = append(script, []string{"SDIFF", k[1], k[2], k[3], k[4]})
	// MULTI/EXEC across shards.
	script = append(script, []string{"MULTI"}, []string{"SINTERSTORE", dst2, big0, big1},
		[]string{"SINTERCARD", "2", big0, big1, "LIMIT", "3"}, []string{"SUNIONSTORE", big0b, big0b, big1},
		[]string{"SDIFFSTORE", k[1], big0, big0b, small1}, []string{"SINTERCARD", "2", dst2, big0b}, []string{"SINTERCARD", "2", big0, str3}, []string{"SUNIONSTORE", dst2, big1, str3},
		[]string{"SCARD", k[1]}, []string{"EXEC"})
	script = append(script, []string{"SMEMBERS", dst2}, []string{"SMEMBERS", big0b}, []string{"SMEMBERS", k[1]},
		[]string{"FLUSHALL"})
	a, r := servertest.Dial(t, anax), servertest.Dial(t, o.Addr)
	r.Do("FLUSHALL")
	compareSets(t, o, a, r, script)
}

// TestSetAlgebraOrderAcrossShards compares byte for byte the replies whose
// order Redis defines (intsets, and SINTER walking the smallest set) with
// the sets on different shards.
func TestSetAlgebraOrderAcrossShards(t *testing.T) {
	o := servertest.StartOracle(t)
	anax := servertest.Start(t, "--threads", "4")
	k := setAlgebraKeys()
	odd := []string{"SADD", k[0]}
	for i := 1; i < 400; i += 2 {
		odd = append(odd, strconv.Itoa(i*7%401-200))
	}
	script := [][]string{
		odd, saddMany(k[1], "", -100, 300), {"SADD", k[2], "5", "-3", "77", "9"}, saddMany(k[3], "", 50, 100),
		{"SADD", k[4], "a", "b", "5", "77", "-3", "9", "11"},
		{"SINTER", k[0], k[1]}, {"SINTER", k[1], k[0]}, {"SINTER", k[2], k[0], k[1]}, {"SINTER", k[0], k[2]},
		{"SINTER", k[3], k[1]}, {"SINTER", k[2], k[4]}, {"SINTER", k[3], k[0], k[1]},
		{"SUNION", k[0], k[2]}, {"SUNION", k[2], k[3]}, {"SDIFF", k[1], k[0]}, {"SDIFF", k[0], k[1], k[2]},
		{"SDIFF", k[3], k[0]}, {"SDIFF", k[2], k[4]},
		{"SINTERSTORE", k[5], k[0], k[1]}, {"SMEMBERS", k[5]}, {"OBJECT", "ENCODING", k[5]},
		{"SINTERSTORE", k[5], k[4], k[2]}, {"SMEMBERS", k[5]}, {"OBJECT", "ENCODING", k[5]},
		{"SUNIONSTORE", k[6], k[2], k[3]}, {"SMEMBERS", k[6]}, {"OBJECT", "ENCODING", k[6]},
		{"SDIFFSTORE", k[7], k[1], k[0], k[3]}, {"SMEMBERS", k[7]}, {"OBJECT", "ENCODING", k[7]},
		{"FLUSHALL"},
	}
	o.Compare(t, anax, script)
}
