//go:build !linux

package cases

import "net"

// quickAck does nothing where TCP_QUICKACK does not exist.
func quickAck(*net.TCPConn) {}
