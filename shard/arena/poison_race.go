//go:build race

package arena

// poisonFreed: race-detector builds (every test run of make test) fill a
// freed cell so that a read after Free shows up as garbage in tests.
const poisonFreed = true
