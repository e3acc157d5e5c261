// Package hashcmd is the hashes family (Redis's t_hash.c, command half):
// HSET, HGET and their kin, counters, HRANDFIELD and HSCAN, and field
// expiry (expire.go: Redis 7.4's HEXPIRE family, KeyDB's EXPIREMEMBER
// family; the shard half is shard/hash_ttl.go). Every command
// names one key, so each runs whole on that key's shard; the type API
// (listpack or table, conversion, cells) is shard/hash.go.
//
// Argument checks come in Redis's order, which decides which error a
// client sees when several apply: for example HINCRBY parses its
// increment before it looks at the key, and HSCAN parses its cursor, then
// looks the key up, then parses its options (so a bad option on a missing
// key is no error).
package hashcmd
