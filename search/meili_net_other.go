//go:build !linux

package search

import "net"

// quickAck does nothing where TCP_QUICKACK does not exist.
func quickAck(*net.TCPConn) {}
