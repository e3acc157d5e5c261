package command

// LRUClock is Redis's LRU clock at Unix time ms: Unix seconds on 24 bits,
// wrapping every 194 days. INFO shows it as lru_clock and DEBUG OBJECT an
// entry's access time on it as lru; it lives here because those are two
// families, and a family cannot import another.
func LRUClock(ms int64) int64 { return (ms / 1000) & (1<<24 - 1) }
