package server

import "net"

// haveIPv6 reports whether the loopback IPv6 address can be bound.
func haveIPv6() bool {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	ln.Close()
	return true
}
