package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

// rawSubmit is the SMSC's raw rate with a minimal client: one connection, bind, then
// submit_sm written as fast as a window of `window` outstanding allows, receipts answered,
// nothing else — no encoding choice, no splitting, no per-message bookkeeping.
func rawSubmit(ctx context.Context, addr string, n, window int) (float64, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Minute)) // bounded
	var wmu sync.Mutex
	w := bufio.NewWriter(conn)
	send := func(cmd, seq uint32, body []byte, flush bool) error {
		wmu.Lock()
		defer wmu.Unlock()
		var h [16]byte
		binary.BigEndian.PutUint32(h[0:], uint32(16+len(body)))
		binary.BigEndian.PutUint32(h[4:], cmd)
		binary.BigEndian.PutUint32(h[12:], seq)
		w.Write(h[:])
		w.Write(body)
		if flush {
			return w.Flush()
		}
		return nil
	}
	r := bufio.NewReader(conn)
	read := func() (cmd, status, seq uint32, body []byte, err error) {
		var h [16]byte
		if _, err = io.ReadFull(r, h[:]); err != nil {
			return
		}
		body = make([]byte, binary.BigEndian.Uint32(h[0:])-16)
		_, err = io.ReadFull(r, body)
		return binary.BigEndian.Uint32(h[4:]), binary.BigEndian.Uint32(h[8:]), binary.BigEndian.Uint32(h[12:]), body, err
	}
	if err := send(0x09, 1, []byte("wismo\x00secret\x00\x00\x34\x00\x00\x00"), true); err != nil {
		return 0, err
	}
	if cmd, status, _, _, err := read(); err != nil || cmd != 0x80000009 || status != 0 {
		return 0, fmt.Errorf("bind: %#x %#x %v", cmd, status, err)
	}
	slots := make(chan struct{}, window)
	acked := make(chan error, 1)
	go func() {
		got := 0
		for got < n {
			cmd, status, seq, _, err := read()
			if err != nil {
				acked <- err
				return
			}
			switch cmd {
			case 0x80000004: // submit_sm_resp
				if status != 0 {
					acked <- fmt.Errorf("submit_sm_resp status %#x", status)
					return
				}
				got++
				<-slots
			case 0x00000005: // deliver_sm: a receipt
				send(0x80000005, seq, []byte{0}, true)
			}
		}
		acked <- nil
	}()
	start := time.Now()
	for i := range n {
		slots <- struct{}{}
		if err := send(0x04, uint32(i+2), rawSubmitBody(phone(i), text(i)), len(slots) == window || i == n-1); err != nil {
			return 0, err
		}
	}
	if err := <-acked; err != nil {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

func rawSubmitBody(to, text string) []byte {
	var b []byte
	b = append(b, 0)             // service_type
	b = append(b, 5, 0)          // source TON alphanumeric
	b = append(b, "SHOP\x00"...) //
	b = append(b, 1, 1)          // destination international, ISDN
	b = append(b, strings.TrimPrefix(to, "+")+"\x00"...)
	b = append(b, 0, 0, 0, 0, 0)   // esm_class, protocol_id, priority, schedule, validity
	b = append(b, 1, 0, 0, 0)      // registered_delivery, replace, data_coding, default msg
	b = append(b, byte(len(text))) //
	return append(b, text...)      // GSM 03.38 and ASCII agree on these characters
}
