package setcmd

import (
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// storeEvent is the keyspace event of each STORE command.
var storeEvent = map[op]string{
	opInterStore: "sinterstore",
	opUnionStore: "sunionstore",
	opDiffStore:  "sdiffstore",
}

// notifyRemoved reports members removed from the set under key (event),
// then the key's deletion when that emptied it, as Redis's SREM does.
func notifyRemoved(x *command.Exec, db *shard.DB, event string, key []byte) {
	x.Notify(command.NotifySet, event, key)
	if _, ok := db.Peek(key); !ok {
		x.Notify(command.NotifyGeneric, "del", key)
	}
}
