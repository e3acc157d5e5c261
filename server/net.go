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

// addrIsLoopback reports whether a is a TCP address on a loopback
// interface: a client connecting from this host.
func addrIsLoopback(a net.Addr) bool {
	t, ok := a.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}
