package search

import (
	"net"
	"syscall"
)

// quickAck sets TCP_QUICKACK on a connection (see MeiliHTTPClient).
func quickAck(c *net.TCPConn) {
	if rc, err := c.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1) }) //nolint:errcheck // an optimisation
	}
}
