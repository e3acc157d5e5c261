// Package geocmd is the geo family (Redis's geo.c, command half): GEOADD,
// GEOPOS, GEODIST, GEOHASH, and the searches GEOSEARCH, GEOSEARCHSTORE,
// GEORADIUS, GEORADIUSBYMEMBER and their _RO forms.
//
// A geo index is a sorted set whose scores are 52-bit interleaved geohashes
// (container/geohash computes them, and everything else geo.c and
// geohash_helper.c compute, bit for bit); the commands read and write it
// through the sorted-set API of shard/zset.go, so GEOADD is ZADD with
// computed scores and a search is a few score ranges of the set.
//
// Argument checks come in Redis's order, which decides which error a
// client sees when several apply: a search looks its key up and checks its
// type first, then parses its options (FROMMEMBER reads the member as it is
// parsed), then checks the options against each other, and only then
// answers a missing key.
//
// GEOSEARCHSTORE, and GEORADIUS and GEORADIUSBYMEMBER with STORE or
// STOREDIST, write a second key. When it lives on another shard the command
// runs as a command.Cross: the source's shard parses and searches and hands
// the coordinator the points found as Go values, and the destination's
// shard writes them.
package geocmd
