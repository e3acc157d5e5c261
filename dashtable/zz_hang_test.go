package dashtable

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

func TestZZHang(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		b := make([]byte, r.IntN(400))
		for j := range b {
			b[j] = byte(r.Uint32())
			if r.IntN(3) == 0 { b[j] = []byte{2, 6, 7, 255, 0}[r.IntN(5)] }
		}
		done := make(chan bool)
		go func() {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				os.WriteFile("/tmp/hang.bin", b, 0644)
				fmt.Printf("HANG %q\n", b)
				os.Exit(3)
			}
		}()
		runFuzzInput(t, b)
		close(done)
	}
}
