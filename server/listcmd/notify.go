package listcmd

import "github.com/anaxdb/anax/server/command"

// Keyspace events of the list commands, with Redis's names.

func pushEvent(head bool) string {
	if head {
		return "lpush"
	}
	return "rpush"
}

func popEvent(head bool) string {
	if head {
		return "lpop"
	}
	return "rpop"
}

// notifyRemoved reports elements removed from the list under key (event),
// then the key's deletion when that emptied it (Redis's
// listElementsRemoved).
func notifyRemoved(x *command.Exec, event string, key []byte, gone bool) {
	x.Notify(command.NotifyList, event, key)
	if gone {
		x.Notify(command.NotifyGeneric, "del", key)
	}
}
