package command

import "slices"

// Values is a list of byte strings, some possibly missing, kept end to end
// in one buffer: how a piece of a split command hands its values (MGET) or
// names (KEYS) to the coordinator, with no pointer per value.
type Values struct {
	data []byte
	ends []int // where each value ends in data; -1 - end for a missing one
}

// Append adds v, or a missing value when !found.
func (vs *Values) Append(v []byte, found bool) {
	if !found {
		vs.ends = append(vs.ends, -1-len(vs.data))
		return
	}
	vs.data = append(vs.data, v...)
	vs.ends = append(vs.ends, len(vs.data))
}

// Reset empties vs, keeping its buffers.
func (vs *Values) Reset() { vs.data, vs.ends = vs.data[:0], vs.ends[:0] }

// Capacity is the bytes vs's buffers hold.
func (vs *Values) Capacity() int { return cap(vs.data) + 8*cap(vs.ends) }

// Reserve makes room for n more values of size bytes in all.
func (vs *Values) Reserve(n, size int) {
	vs.ends = slices.Grow(vs.ends, n)
	vs.data = slices.Grow(vs.data, size)
}

// Len is the number of values.
func (vs *Values) Len() int { return len(vs.ends) }

// Size is the values' total length in bytes.
func (vs *Values) Size() int { return len(vs.data) }

// At returns value i and whether it is present.
func (vs *Values) At(i int) ([]byte, bool) {
	start := 0
	if i > 0 {
		start = vs.ends[i-1]
		if start < 0 {
			start = -1 - start
		}
	}
	end := vs.ends[i]
	if end < 0 {
		return nil, false
	}
	return vs.data[start:end:end], true
}
