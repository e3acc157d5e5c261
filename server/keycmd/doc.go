// Package keycmd is the keyspace family (Redis's db.c, expire.c and the OBJECT, DUMP and
// RESTORE parts of object.c and cluster.c): commands that act on keys
// whatever their type, and on whole databases.
//
// Routing (see command.Exec and server/txexec.go): single-key commands run
// on the key's shard; DEL, EXISTS, TOUCH and UNLINK are split over the
// shards of their keys, and RENAME and COPY run as a Cross (cross.go), when
// their keys span shards; KEYS, RANDOMKEY, DBSIZE, FLUSHDB, FLUSHALL and
// SWAPDB are command.FlagAllShards and run on every shard, each seeing its
// own through x.Shards(), their pieces' results combined by command.Merge;
// SCAN runs on the shard its cursor names. Every numbered database of a key lives on the
// same shard (routing ignores the database), so MOVE and COPY ... DB stay
// on the key's shard. KEYS and SCAN are in scan.go; OBJECT, DUMP and
// RESTORE in object.go.
package keycmd
