package infocmd

// PubSubSource is implemented by a Source with Pub/Sub (the stats
// section's pubsub_* fields); without it they are 0.
type PubSubSource interface {
	// PubSubCounts returns the numbers of channels, patterns and shard
	// channels with at least one subscriber.
	PubSubCounts() (channels, patterns, shardChannels int64)
}

func pubsubCounts(src Source) (channels, patterns, shardChannels int64) {
	if p, ok := src.(PubSubSource); ok {
		return p.PubSubCounts()
	}
	return 0, 0, 0
}
