//go:build !race

package dashtable

// raceEnabled scales randomized tests down under the (slow) race detector.
const raceEnabled = false
