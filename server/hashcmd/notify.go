package hashcmd

import (
	"github.com/anaxdb/anax/server/command"
	"github.com/anaxdb/anax/shard"
)

// notifyFieldsGone reports fields removed from the hash under key (event),
// then the key's deletion when that emptied it, as Redis's HDEL does.
func notifyFieldsGone(x *command.Exec, db *shard.DB, event string, key []byte) {
	x.Notify(command.NotifyHash, event, key)
	if _, ok := db.Peek(key); !ok {
		x.Notify(command.NotifyGeneric, "del", key)
	}
}
