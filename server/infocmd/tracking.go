package infocmd

// TrackingSource is implemented by a Source with client tracking (CLIENT
// TRACKING: tracking_clients and the stats section's tracking_total_*);
// without it they are 0.
type TrackingSource interface {
	// TrackingCounts returns the numbers of tracking clients, of keys
	// tracked, of (key, client) pairs tracked and of broadcast prefixes.
	TrackingCounts() (clients, keys, items, prefixes int64)
}

func trackingCounts(src Source) (clients, keys, items, prefixes int64) {
	if t, ok := src.(TrackingSource); ok {
		return t.TrackingCounts()
	}
	return 0, 0, 0, 0
}
