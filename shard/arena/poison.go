//go:build !race

package arena

// poisonFreed is off outside race-detector builds: filling a cell on every
// Free costs a write of its whole size.
const poisonFreed = false
