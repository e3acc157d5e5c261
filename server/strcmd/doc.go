// Package strcmd is the strings family (Redis's t_string.c): GET, SET and
// their kin, counters, ranges, MGET/MSET/MSETNX and LCS. MGET and MSET split
// over the shards of their keys; MSETNX and LCS run as a Cross (cross.go)
// when their keys span shards.
package strcmd
