package command

// Limits are the settings that pick a value's encoding or bound its size,
// read by nearly every write. The server publishes them as one immutable
// struct, replaced whenever one of them changes, so a command reads them
// with one load rather than a lookup by name each (three of those were a
// fifth of an SADD).
type Limits struct {
	HashListpackEntries int64 // hash-max-listpack-entries
	HashListpackValue   int64 // hash-max-listpack-value
	ListListpackSize    int64 // list-max-listpack-size
	SetIntsetEntries    int64 // set-max-intset-entries
	SetListpackEntries  int64 // set-max-listpack-entries
	SetListpackValue    int64 // set-max-listpack-value
	ZSetListpackEntries int64 // zset-max-listpack-entries
	ZSetListpackValue   int64 // zset-max-listpack-value
	StreamNodeMaxBytes  int64 // stream-node-max-bytes
	StreamNodeMaxEntry  int64 // stream-node-max-entries
	HLLSparseMaxBytes   int64 // hll-sparse-max-bytes
	ProtoMaxBulkLen     int64 // proto-max-bulk-len
}

// LimitSettings names the settings Limits holds, in field order.
var LimitSettings = []string{
	"hash-max-listpack-entries", "hash-max-listpack-value", "list-max-listpack-size",
	"set-max-intset-entries", "set-max-listpack-entries", "set-max-listpack-value",
	"zset-max-listpack-entries", "zset-max-listpack-value",
	"stream-node-max-bytes", "stream-node-max-entries", "hll-sparse-max-bytes", "proto-max-bulk-len",
}

// LimitsFrom builds Limits from a getter of the settings by name.
func LimitsFrom(get func(name string) int64) *Limits {
	v := make([]int64, len(LimitSettings))
	for i, name := range LimitSettings {
		v[i] = get(name)
	}
	return &Limits{
		HashListpackEntries: v[0], HashListpackValue: v[1], ListListpackSize: v[2],
		SetIntsetEntries: v[3], SetListpackEntries: v[4], SetListpackValue: v[5],
		ZSetListpackEntries: v[6], ZSetListpackValue: v[7],
		StreamNodeMaxBytes: v[8], StreamNodeMaxEntry: v[9], HLLSparseMaxBytes: v[10], ProtoMaxBulkLen: v[11],
	}
}
