//go:build race

package server

// raceEnabled: the race detector is on, under which sync.Pool drops a
// share of what is put back, so allocation counts are not checked.
const raceEnabled = true
