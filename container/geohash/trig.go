package geohash

import (
	"math"
)

// Redis takes sine, cosine and arcsine from the C library (glibc on Linux),
// whose results are the correctly rounded ones but for about one argument
// in 500-1000 (measured on glibc 2.36). Go's math package is off by an ulp
// far more often (a third of Redis's distances came out different in their
// last bit with it), so these are correctly rounded instead (but for
// astronomically rare cases): double-double evaluations, about 10^-30
// relative, rounded once. A distance then differs from Redis's in its last
// bit only where glibc itself is not correctly rounded (TestRedisSearches
// counts them).

// dd is an unevaluated sum hi + lo with |lo| <= ulp(hi)/2.
type dd struct{ hi, lo float64 }

func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	return dd{s, (a - (s - bb)) + (b - bb)}
}

func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func twoProd(a, b float64) dd {
	p := a * b
	return dd{p, math.FMA(a, b, -p)}
}

func (x dd) add(y dd) dd {
	s := twoSum(x.hi, y.hi)
	t := twoSum(x.lo, y.lo)
	s = quickTwoSum(s.hi, s.lo+t.hi)
	return quickTwoSum(s.hi, s.lo+t.lo)
}

func (x dd) neg() dd { return dd{-x.hi, -x.lo} }

func (x dd) mul(y dd) dd {
	p := twoProd(x.hi, y.hi)
	p.lo += x.hi*y.lo + x.lo*y.hi
	return quickTwoSum(p.hi, p.lo)
}

func (x dd) mulF(y float64) dd {
	p := twoProd(x.hi, y)
	p.lo += x.lo * y
	return quickTwoSum(p.hi, p.lo)
}

func (x dd) div(y dd) dd {
	q1 := x.hi / y.hi
	r := x.add(y.mulF(q1).neg())
	q2 := r.hi / y.hi
	r = r.add(y.mulF(q2).neg())
	q3 := r.hi / y.hi
	return quickTwoSum(q1, q2).add(dd{q3, 0})
}

func (x dd) round() float64 { return x.hi + x.lo }

// piOver2 is π/2 in three parts (about 160 bits), for argument reduction.
var piOver2 = [3]float64{
	1.5707963267948966, 6.123233995736766e-17, -1.4973849048591698e-33,
}

// Taylor coefficients 1/n! as double-doubles, and the table of sin and cos
// at j/64 for j in [0, 51] (0.797 > π/4), both computed once from exact
// rationals by the double-double series.
var (
	invFact  [24]dd
	tableSin [52]dd
	tableCos [52]dd
)

func init() {
	f := dd{1, 0}
	for n := 1; n < len(invFact); n++ {
		f = f.mulF(float64(n))
		invFact[n] = dd{1, 0}.div(f)
	}
	invFact[0] = dd{1, 0}
	for j := range tableSin {
		tableSin[j], tableCos[j] = sinCosSeries(dd{float64(j) / 64, 0})
	}
}

// sinCosSeries sums the alternating Taylor series of sin and cos of x
// (|x| < 1) in double-double.
func sinCosSeries(x dd) (sin, cos dd) {
	x2 := x.mul(x)
	// Horner from the highest terms: sin = x(1 - x²/3!(1 - ...)),
	// written as sums of signed 1/n! terms.
	s := dd{}
	for n := 23; n >= 3; n -= 2 {
		term := invFact[n]
		if (n/2)%2 == 1 {
			term = term.neg()
		}
		s = s.add(term).mul(x2)
	}
	sin = s.add(dd{1, 0}).mul(x)
	c := dd{}
	for n := 22; n >= 2; n -= 2 {
		term := invFact[n]
		if (n/2)%2 == 1 {
			term = term.neg()
		}
		c = c.add(term).mul(x2)
	}
	cos = c.add(dd{1, 0})
	return sin, cos
}

// kernel returns sin and cos of r (|r.hi| <= π/4 + a little) in
// double-double: a table point j/64 and the short series of the rest.
func kernel(r dd) (sin, cos dd) {
	neg := r.hi < 0
	if neg {
		r = r.neg()
	}
	j := int(r.hi*64 + 0.5)
	t := quickTwoSum(r.hi-float64(j)/64, r.lo) // the subtraction is exact
	t2 := t.mul(t)
	// |t| <= 1/128: sin to t^11, cos to t^12, far below 2^-106.
	s := invFact[11].neg()
	s = s.mul(t2).add(invFact[9])
	s = s.mul(t2).add(invFact[7].neg())
	s = s.mul(t2).add(invFact[5])
	s = s.mul(t2).add(invFact[3].neg())
	s = s.mul(t2).add(dd{1, 0}).mul(t)
	c := invFact[12]
	c = c.mul(t2).add(invFact[10].neg())
	c = c.mul(t2).add(invFact[8])
	c = c.mul(t2).add(invFact[6].neg())
	c = c.mul(t2).add(invFact[4])
	c = c.mul(t2).add(invFact[2].neg())
	c = c.mul(t2).add(dd{1, 0})
	sj, cj := tableSin[j], tableCos[j]
	sin = sj.mul(c).add(cj.mul(s))
	cos = cj.mul(c).add(sj.mul(s).neg())
	if neg {
		sin = sin.neg()
	}
	return sin, cos
}

// reduce writes x as k·π/2 + r, |r| <= π/4 (about), r in double-double.
// It is exact enough for |x| up to about 2^20; beyond, ok is false.
func reduce(x float64) (r dd, k int, ok bool) {
	if math.Abs(x) <= math.Pi/4 {
		return dd{x, 0}, 0, true
	}
	if !(math.Abs(x) < 1<<20) {
		return dd{}, 0, false
	}
	kf := math.RoundToEven(x / piOver2[0])
	r = dd{x, 0}.add(twoProd(kf, piOver2[0]).neg())
	r = r.add(twoProd(kf, piOver2[1]).neg())
	r = r.add(dd{-kf * piOver2[2], 0})
	return r, int(kf), true
}

// fastKernel is kernel to about 2^-64 relative, mostly in plain double
// arithmetic: the leading terms exact (a table value plus a product made
// exact by FMA), the small corrections rounded.
func fastKernel(r dd) (sin, cos dd) {
	neg := r.hi < 0
	if neg {
		r = r.neg()
	}
	j := int(r.hi*64 + 0.5)
	th, tl := r.hi-float64(j)/64, r.lo // t = th + tl, th exact
	t := th + tl
	t2 := t * t
	st := t * t2 * (-1.0/6 + t2*(1.0/120+t2*(-1.0/5040+t2*(1.0/362880)))) // sin t - t
	ct := t2 * (-0.5 + t2*(1.0/24+t2*(-1.0/720+t2*(1.0/40320))))          // cos t - 1
	sj, cj := tableSin[j], tableCos[j]
	// sin r = sj·cos t + cj·sin t
	//       = (sj + cj·th) + (sj.lo + cj·tl + cj.lo·t + cj·st + sj·ct)
	m := twoProd(cj.hi, th)
	sin = twoSum(sj.hi, m.hi)
	sin.lo += m.lo + (sj.lo + cj.hi*tl + cj.lo*t + cj.hi*st + sj.hi*ct)
	// cos r = cj·cos t - sj·sin t
	//       = (cj - sj·th) + (cj.lo - sj·tl - sj.lo·t - sj·st + cj·ct)
	m = twoProd(sj.hi, th)
	cos = twoSum(cj.hi, -m.hi)
	cos.lo += -m.lo + (cj.lo - sj.hi*tl - sj.lo*t - sj.hi*st + cj.hi*ct)
	if neg {
		sin = sin.neg()
	}
	return sin, cos
}

// quadrant maps the sine and cosine of r to those of r + k·π/2.
func quadrant(s, c dd, k int) (dd, dd) {
	switch k & 3 {
	case 0:
		return s, c
	case 1:
		return c, s.neg()
	case 2:
		return s.neg(), c.neg()
	default:
		return c.neg(), s
	}
}

// settled rounds v if an error of 2^-60·|v| cannot change the rounding.
func settled(v dd) (float64, bool) {
	e := math.Abs(v.hi) * 0x1p-60
	a, b := v.hi+(v.lo+e), v.hi+(v.lo-e)
	return a, a == b
}

func sin(x float64) float64 {
	if x == 0 {
		return x // keeps -0
	}
	r, k, ok := reduce(x)
	if !ok {
		return math.Sin(x)
	}
	s, c := fastKernel(r)
	s, _ = quadrant(s, c, k)
	if v, ok := settled(s); ok {
		return v
	}
	s, c = kernel(r)
	s, _ = quadrant(s, c, k)
	return s.round()
}

func cos(x float64) float64 {
	r, k, ok := reduce(x)
	if !ok {
		return math.Cos(x)
	}
	s, c := fastKernel(r)
	_, c = quadrant(s, c, k)
	if v, ok := settled(c); ok {
		return v
	}
	s, c = kernel(r)
	_, c = quadrant(s, c, k)
	return c.round()
}

// asin refines Go's arcsine (within an ulp or two) by one Newton step on
// sin(y) = x, y -= (sin y - x) / cos y, with sin y to about 2^-64.
func asin(x float64) float64 {
	if x == 0 || !(math.Abs(x) < 1) {
		return math.Asin(x) // ±0, ±π/2 at ±1, NaN beyond
	}
	y := math.Asin(x)
	r, k, _ := reduce(y)
	s, c := fastKernel(r)
	s, c = quadrant(s, c, k)
	d := ((s.hi - x) + s.lo) / c.hi
	if v, ok := settled(twoSum(y, -d)); ok && math.Abs(c.hi) > 0x1p-8 {
		return v
	}
	s, c = kernel(r)
	s, c = quadrant(s, c, k)
	dv := s.add(dd{-x, 0}).div(c)
	return dd{y, 0}.add(dv.neg()).round()
}
