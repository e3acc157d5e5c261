package keycmd

import "github.com/anaxdb/anax/server/command"

// Keyspace events of the commands that write to another database than the
// command's (MOVE, COPY ... DB) or in Redis's order of several events.

// notifyIn reports event on key of database db.
func notifyIn(x *command.Exec, db int, class command.NotifyClass, event string, key []byte) {
	cur := x.DBIndex
	x.DBIndex = db
	x.Notify(class, event, key)
	x.DBIndex = cur
}

// notifyRename reports a RENAME on one shard, in Redis's order: Redis
// deletes a destination that exists and adds the key anew ("new", which
// the shard reports itself for a destination that did not exist), then
// says "rename_from" and "rename_to".
func notifyRename(x *command.Exec, existed bool, src, dst []byte) {
	if existed {
		x.Notify(command.NotifyNew, "new", dst)
	}
	x.Notify(command.NotifyGeneric, "rename_from", src)
	x.Notify(command.NotifyGeneric, "rename_to", dst)
}

// notifyCopy reports a COPY onto dst in database db; existed says whether
// it replaced a key (which Redis deletes and adds anew).
func notifyCopy(x *command.Exec, existed bool, dst []byte, db int) {
	if existed {
		notifyIn(x, db, command.NotifyNew, "new", dst)
	}
	notifyIn(x, db, command.NotifyGeneric, "copy_to", dst)
}
