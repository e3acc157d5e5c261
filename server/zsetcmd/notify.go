package zsetcmd

import "github.com/anaxdb/anax/server/command"

// Keyspace events of the sorted-set commands, with Redis's names.

func addEvent(incr bool) string {
	if incr {
		return "zincr"
	}
	return "zadd"
}

func popEvent(max bool) string {
	if max {
		return "zpopmax"
	}
	return "zpopmin"
}

// notifyRemoved reports members removed from the sorted set under key
// (event), then the key's deletion when that emptied it.
func notifyRemoved(x *command.Exec, event string, key []byte) {
	x.Notify(command.NotifyZSet, event, key)
	if _, ok := x.DB(key).Peek(key); !ok {
		x.Notify(command.NotifyGeneric, "del", key)
	}
}
