package telephonytest

import (
	"bufio"
	"fmt"
	"net"
	"net/textproto"
	"time"
)

// Options sends one OPTIONS (RFC 3261 §11) to server over network ("udp4" or "tcp4") from the
// loopback address local ("" for any) and returns the status line of the answer. UDP is
// tried three times: a datagram may drop on a busy machine.
func Options(network, local, server string) (string, error) {
	d := net.Dialer{Timeout: 3 * time.Second}
	if local != "" {
		ip := net.ParseIP(local)
		d.LocalAddr = &net.TCPAddr{IP: ip}
		if network == "udp4" {
			d.LocalAddr = &net.UDPAddr{IP: ip}
		}
	}
	c, err := d.Dial(network, server)
	if err != nil {
		return "", err
	}
	defer c.Close()
	tries := 1
	if network == "udp4" {
		tries = 3
	}
	for i := 1; ; i++ {
		line, err := OptionsOn(c)
		if err == nil || i == tries {
			return line, err
		}
	}
}

// OptionsOn sends one OPTIONS on the connection c and returns the status line of the answer.
func OptionsOn(c net.Conn) (string, error) {
	transport := "TCP"
	if _, ok := c.(*net.UDPConn); ok {
		transport = "UDP"
	}
	local, id := c.LocalAddr().String(), time.Now().UnixNano()
	msg := fmt.Sprintf("OPTIONS sip:wismo@%s SIP/2.0\r\nVia: SIP/2.0/%s %s;branch=z9hG4bK-opt%d;rport\r\n"+
		"Max-Forwards: 70\r\nFrom: <sip:probe@%s>;tag=p%d\r\nTo: <sip:wismo@%s>\r\nCall-ID: opt-%d@test\r\n"+
		"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", c.RemoteAddr(), transport, local, id, local, id, c.RemoteAddr(), id)
	c.SetDeadline(time.Now().Add(3 * time.Second))
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write([]byte(msg)); err != nil {
		return "", err
	}
	return textproto.NewReader(bufio.NewReader(c)).ReadLine()
}
