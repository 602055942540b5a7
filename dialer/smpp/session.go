package smpp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// session is one bound TCP connection to the SMSC. It dies once (kill); the client then
// makes a new one.
type session struct {
	conn    net.Conn
	timeout time.Duration

	wmu  sync.Mutex // one PDU at a time on the wire
	seq  atomic.Uint32
	last atomic.Int64 // unix nanos of the last PDU read: the link is alive

	window chan struct{} // a slot per outstanding submit_sm (the send window)

	pmu     sync.Mutex
	pending map[uint32]chan pdu

	once sync.Once
	dead chan struct{}
	err  error
}

func newSession(conn net.Conn, window int, timeout time.Duration) *session {
	s := &session{conn: conn, timeout: timeout, window: make(chan struct{}, window),
		pending: map[uint32]chan pdu{}, dead: make(chan struct{})}
	s.last.Store(time.Now().UnixNano())
	return s
}

// kill ends the session with err: the connection closes and every caller waiting for a
// response learns it will never come.
func (s *session) kill(err error) {
	s.once.Do(func() {
		s.err = err
		s.conn.Close()
		close(s.dead)
	})
}

// nextSeq returns the next sequence number, 1..0x7FFFFFFF (§3.2: sequence numbers are
// allocated by the originator and wrap).
func (s *session) nextSeq() uint32 {
	for {
		n := s.seq.Add(1) & 0x7FFFFFFF
		if n != 0 {
			return n
		}
	}
}

// write puts one PDU on the wire. An error kills the session.
func (s *session) write(p pdu) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.conn.SetWriteDeadline(time.Now().Add(s.timeout))
	if _, err := s.conn.Write(p.bytes()); err != nil {
		s.kill(fmt.Errorf("write: %w", err))
		return err
	}
	return nil
}

// errWritten means a request went out but its response never came: the SMSC may have acted on it.
var errWritten = errors.New("no response to a request that was sent")

// errNotWritten means a request never reached the wire.
var errNotWritten = errors.New("request not written")

// request sends a request and waits for its response, for at most the session timeout.
func (s *session) request(ctx context.Context, cmd uint32, body []byte) (pdu, error) {
	seq := s.nextSeq()
	ch := make(chan pdu, 1)
	s.pmu.Lock()
	s.pending[seq] = ch
	s.pmu.Unlock()
	defer func() {
		s.pmu.Lock()
		delete(s.pending, seq)
		s.pmu.Unlock()
	}()
	select {
	case <-s.dead:
		return pdu{}, errNotWritten
	default:
	}
	if err := s.write(pdu{Command: cmd, Seq: seq, Body: body}); err != nil {
		return pdu{}, fmt.Errorf("%w: %v", errNotWritten, err)
	}
	t := time.NewTimer(s.timeout)
	defer t.Stop()
	select {
	case resp := <-ch:
		return resp, nil
	case <-s.dead:
		return pdu{}, fmt.Errorf("%w: connection lost: %v", errWritten, s.err)
	case <-t.C:
		return pdu{}, fmt.Errorf("%w within %s", errWritten, s.timeout)
	case <-ctx.Done():
		return pdu{}, fmt.Errorf("%w: %v", errWritten, ctx.Err())
	}
}

// respond hands a response to the request waiting for it; late ones are dropped.
func (s *session) respond(p pdu) bool {
	s.pmu.Lock()
	ch, ok := s.pending[p.Seq]
	s.pmu.Unlock()
	if ok {
		ch <- p
	}
	return ok
}

// bind sends bind_transceiver (§4.1.5) and reads its response before anything else runs.
func (s *session) bind(systemID, password, systemType string) error {
	var w builder
	w.cstring(systemID)
	w.cstring(password)
	w.cstring(systemType)
	w.octet(0x34) // interface_version 3.4
	w.octet(0)
	w.octet(0)
	w.cstring("")
	if err := s.write(pdu{Command: BindTransceiver, Seq: s.nextSeq(), Body: w.b}); err != nil {
		return err
	}
	s.conn.SetReadDeadline(time.Now().Add(s.timeout))
	resp, err := readPDU(s.conn)
	s.conn.SetReadDeadline(time.Time{})
	if err != nil {
		return fmt.Errorf("bind: %w", err)
	}
	if resp.Command != BindTransceiverResp {
		return fmt.Errorf("bind: got command %#08x instead of bind_transceiver_resp", resp.Command)
	}
	if resp.Status != StatusOK {
		return &StatusError{Command: BindTransceiver, Status: resp.Status}
	}
	return nil
}
