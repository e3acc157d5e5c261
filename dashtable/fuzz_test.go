package dashtable

import "testing"

// FuzzTable decodes fuzz bytes into operations and runs them against the map
// model. Byte 0 picks the hasher (including the degenerate ones); then each
// group of three bytes (op, a, b) is one operation on key a|(b&3)<<8, so keys
// collide often. A scan op advances the traversal one step, or runs it to the
// end (checking coverage) when a&7 == 7. A bulk insert adds up to 255 keys at
// once so that a short input still reaches splits and directory doubling.
func FuzzTable(f *testing.F) {
	f.Add([]byte{0, 2, 255, 0, 2, 255, 1, 2, 255, 2, 6, 0, 0, 3, 5, 0, 6, 0, 0})
	f.Add([]byte{1, 2, 200, 0, 2, 200, 1, 6, 0, 0, 5, 1, 1, 7, 9, 9, 6, 0, 0})
	f.Fuzz(runFuzzInput)
}

func runFuzzInput(t *testing.T, data []byte) {
	if len(data) == 0 {
		return
	}
	hs := hashers[int(data[0])%len(hashers)]
	md := newModel(t, hs.fn, 1)
	// Degenerate hashers put entries in the linear overflow list; a
	// bounded key space keeps each input fast.
	space := max(hs.keys, 1024)
	// Bound the work per input: the fuzzer grows inputs, and a finished
	// traversal costs O(entries).
	if len(data) > 3001 {
		data = data[:3001]
	}
	finishes := 0
	for data = data[1:]; len(data) >= 3; data = data[3:] {
		op, a, b := data[0], data[1], data[2]
		k := uint64(a) | uint64(b&3)<<8
		switch op % 8 {
		case 0, 1:
			md.insert(k)
		case 2:
			base := 1024 + uint64(b)*256
			for j := uint64(0); j < uint64(a); j++ {
				md.insert((base + j) % space)
			}
		case 3:
			md.del(k)
		case 4:
			md.find(k)
		case 5:
			md.update(k)
		case 6:
			md.scanStep()
			if a&7 == 7 && finishes < 4 { // finish the traversal, checking coverage
				finishes++
				for md.scanning {
					md.scanStep()
				}
			}
		case 7:
			if a == 0 && b == 0 {
				md.clear()
			} else {
				md.random()
			}
		}
		if md.t.Len() != len(md.m) {
			t.Fatalf("Len = %d; want %d", md.t.Len(), len(md.m))
		}
	}
	md.check()
}
