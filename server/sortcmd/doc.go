// Package sortcmd is SORT and SORT_RO (Redis's sort.c): sorting a list, set
// or sorted set by its elements or by other keys' values (BY weight_*,
// BY obj_*->field), fetching other keys' values per element (GET), a LIMIT
// window, and STORE into a list.
//
// The other keys a pattern names may live on any shard. A SORT whose
// pattern keys can only fall on the sorted key's shard (no pattern, a
// constant one, or a hash tag that routes there) runs there, whole (Run),
// or, when its STORE destination is elsewhere, as a Cross whose read does
// all the work on the source's shard. A SORT whose patterns may reach other
// shards runs as a transaction that locks every shard whole
// (command.Cross.Reaches): the source's shard copies out the elements, each
// shard looks up the pattern keys it holds (Cross.Fetch), the coordinator
// sorts and replies, and the destination's shard stores the result, all
// inside that one transaction. docs/architecture.md ("### SORT") says why.
package sortcmd
