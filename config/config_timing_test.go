package config

import "testing"

func BenchmarkInt(b *testing.B) {
	c := New()
	b.ReportAllocs()
	for b.Loop() {
		c.Int("proto-max-bulk-len")
	}
}

func BenchmarkIntFunc(b *testing.B) {
	read := New().IntFunc("proto-max-bulk-len")
	b.ReportAllocs()
	for b.Loop() {
		read()
	}
}

func BenchmarkGetAll(b *testing.B) {
	c := New()
	b.ReportAllocs()
	for b.Loop() {
		c.Get("*")
	}
}

func BenchmarkSet(b *testing.B) {
	c := New()
	pairs := kv("maxmemory", "1gb", "hz", "20")
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Set(pairs); err != nil {
			b.Fatal(err)
		}
	}
}
