package command

// NotifyClass is a class of keyspace notifications: one letter of
// notify-keyspace-events each, with Redis's values (those of
// config.Int("notify-keyspace-events"), whose K and E bits are 1 and 2).
type NotifyClass uint16

const (
	NotifyGeneric NotifyClass = 1 << 2  // g: DEL, EXPIRE, RENAME, COPY, RESTORE... (type-less)
	NotifyString  NotifyClass = 1 << 3  // $
	NotifyList    NotifyClass = 1 << 4  // l
	NotifySet     NotifyClass = 1 << 5  // s
	NotifyHash    NotifyClass = 1 << 6  // h
	NotifyZSet    NotifyClass = 1 << 7  // z
	NotifyExpired NotifyClass = 1 << 8  // x: a key reclaimed by expiry
	NotifyEvicted NotifyClass = 1 << 9  // e: a key evicted by maxmemory
	NotifyStream  NotifyClass = 1 << 10 // t
	NotifyKeyMiss NotifyClass = 1 << 11 // m: a read found no key
	NotifyModule  NotifyClass = 1 << 13 // d
	NotifyNew     NotifyClass = 1 << 14 // n: a key was created
)

// Notify reports a keyspace event on key of x's database: event is Redis's
// event name ("set", "lpush", "expire"...), class its class. A family calls
// it after each write it makes, as Redis's commands call
// notifyKeyspaceEvent, on the shard that made the write.
func (x *Exec) Notify(class NotifyClass, event string, key []byte) {
	x.Env.Notify(x, class, event, key)
}
