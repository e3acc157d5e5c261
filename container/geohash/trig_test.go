package geohash

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

const bigPrec = 320

// piOver2Digits is π/2 to 120 digits.
const piOver2Digits = "1.57079632679489661923132169163975144209858469968755291048747229615390820314310449931401741267105853399107404326"

func bigSinCos(x *big.Float) (s, c *big.Float) {
	x2 := new(big.Float).SetPrec(bigPrec).Mul(x, x)
	ts := new(big.Float).SetPrec(bigPrec).Set(x)
	tc := new(big.Float).SetPrec(bigPrec).SetInt64(1)
	s = new(big.Float).SetPrec(bigPrec).Set(ts)
	c = new(big.Float).SetPrec(bigPrec).Set(tc)
	for k := int64(1); k < 80; k++ {
		ts.Mul(ts, x2).Quo(ts, new(big.Float).SetInt64(2*k*(2*k+1))).Neg(ts)
		s.Add(s, ts)
		tc.Mul(tc, x2).Quo(tc, new(big.Float).SetInt64((2*k-1)*2*k)).Neg(tc)
		c.Add(c, tc)
	}
	return s, c
}

// crSinCos is the correctly rounded sin and cos of x (|x| < 8).
func crSinCos(x float64) (float64, float64) {
	s, c := bigSinCos(new(big.Float).SetPrec(bigPrec).SetFloat64(x))
	fs, _ := s.Float64()
	fc, _ := c.Float64()
	return fs, fc
}

func crAsin(x float64) float64 {
	X := new(big.Float).SetPrec(bigPrec).SetFloat64(x)
	y := new(big.Float).SetPrec(bigPrec).SetFloat64(math.Asin(x))
	for range 5 {
		s, c := bigSinCos(y)
		s.Sub(s, X).Quo(s, c)
		y.Sub(y, s)
	}
	f, _ := y.Float64()
	return f
}

func TestPiOver2Parts(t *testing.T) {
	want, _, _ := big.ParseFloat(piOver2Digits, 10, bigPrec, big.ToNearestEven)
	rest := new(big.Float).SetPrec(bigPrec).Set(want)
	for i, p := range piOver2 {
		f, _ := rest.Float64()
		if f != p {
			t.Errorf("part %d = %v, want %v", i, p, f)
		}
		rest.Sub(rest, new(big.Float).SetFloat64(f))
	}
}

// TestTrigCorrectlyRounded checks sin, cos and asin against 320-bit
// results over the arguments the geo code meets (radians within a few π,
// arcsine arguments in [0, 1]).
func TestTrigCorrectlyRounded(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n := 500
	if testing.Short() {
		n = 100
	}
	for i := range n {
		x := (r.Float64()*2 - 1) * 5
		switch i % 4 {
		case 1:
			x *= 1e-3
		case 2:
			x = math.Pi/2*float64(r.IntN(5)-2) + (r.Float64()-0.5)*1e-6
		}
		ws, wc := crSinCos(x)
		if got := sin(x); got != ws {
			t.Errorf("sin(%v) = %v, want %v", x, got, ws)
		}
		if got := cos(x); got != wc {
			t.Errorf("cos(%v) = %v, want %v", x, wc, got)
		}
		y := r.Float64()
		switch i % 3 {
		case 1:
			y *= 1e-4
		case 2:
			y = 1 - y*1e-6
		}
		if got, want := asin(y), crAsin(y); got != want {
			t.Errorf("asin(%v) = %v, want %v", y, got, want)
		}
	}
	for _, z := range []float64{0, math.Copysign(0, -1)} {
		if math.Float64bits(sin(z)) != math.Float64bits(z) || math.Float64bits(asin(z)) != math.Float64bits(z) || cos(z) != 1 {
			t.Errorf("trig of %v", z)
		}
	}
	if asin(1) != math.Pi/2 || !math.IsNaN(asin(1.0000000000000002)) {
		t.Error("asin at 1 and beyond")
	}
}
