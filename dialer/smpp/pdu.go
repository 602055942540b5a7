// Package smpp is wismo's SMPP 3.4 client (an ESME): it binds as a transceiver, submits
// short messages with a window of outstanding requests, splits long text into concatenated
// parts (UDH), keeps the link alive with enquire_link, reconnects with backoff, and hands
// delivery receipts and mobile-originated messages (deliver_sm) to a handler. It is written
// in-house because no Go SMPP library is available here; it follows "Short Message Peer to
// Peer Protocol Specification v3.4", 12-Oct-1999, Issue 1.2 (section numbers below).
package smpp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Command ids (§5.1.2.1).
const (
	GenericNack         uint32 = 0x80000000
	BindTransceiver     uint32 = 0x00000009
	BindTransceiverResp uint32 = 0x80000009
	SubmitSM            uint32 = 0x00000004
	SubmitSMResp        uint32 = 0x80000004
	DeliverSM           uint32 = 0x00000005
	DeliverSMResp       uint32 = 0x80000005
	Unbind              uint32 = 0x00000006
	UnbindResp          uint32 = 0x80000006
	EnquireLink         uint32 = 0x00000015
	EnquireLinkResp     uint32 = 0x80000015
)

// Command statuses wismo acts on (§5.1.3, table 5-2).
const (
	StatusOK          uint32 = 0x00000000
	StatusInvCmdID    uint32 = 0x00000003
	StatusMsgQFull    uint32 = 0x00000014
	StatusThrottled   uint32 = 0x00000058
	StatusTempAppErr  uint32 = 0x00000064 // ESME_RX_T_APPN: the ESME cannot take it now
	StatusInvPassword uint32 = 0x0000000E
)

// Optional parameter tags (§5.3.2).
const (
	tagReceiptedMessageID uint16 = 0x001E
	tagMessagePayload     uint16 = 0x0424
	tagMessageState       uint16 = 0x0427
	tagSARMsgRefNum       uint16 = 0x020C // concatenation by TLVs (§5.3.2.22-24)
	tagSARTotalSegments   uint16 = 0x020E
	tagSARSegmentSeqnum   uint16 = 0x020F
)

const (
	headerLen = 16
	maxPDU    = 64 << 10 // far above any real PDU; guards against a corrupt length
)

// pdu is one protocol data unit: the 16-octet header (§3.2) and the body.
type pdu struct {
	Command, Status, Seq uint32
	Body                 []byte
}

func (p pdu) bytes() []byte {
	b := make([]byte, headerLen, headerLen+len(p.Body))
	binary.BigEndian.PutUint32(b[0:], uint32(headerLen+len(p.Body)))
	binary.BigEndian.PutUint32(b[4:], p.Command)
	binary.BigEndian.PutUint32(b[8:], p.Status)
	binary.BigEndian.PutUint32(b[12:], p.Seq)
	return append(b, p.Body...)
}

// readPDU reads one PDU; a length outside 16..64 KiB means the stream is corrupt.
func readPDU(r io.Reader) (pdu, error) {
	var h [headerLen]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return pdu{}, err
	}
	n := binary.BigEndian.Uint32(h[0:])
	if n < headerLen || n > maxPDU {
		return pdu{}, fmt.Errorf("smpp: command_length %d out of range", n)
	}
	p := pdu{Command: binary.BigEndian.Uint32(h[4:]), Status: binary.BigEndian.Uint32(h[8:]), Seq: binary.BigEndian.Uint32(h[12:])}
	p.Body = make([]byte, n-headerLen)
	if _, err := io.ReadFull(r, p.Body); err != nil {
		return pdu{}, err
	}
	return p, nil
}

// builder appends the fields of a PDU body.
type builder struct{ b []byte }

func (w *builder) cstring(s string) { w.b = append(append(w.b, s...), 0) }
func (w *builder) octet(v byte)     { w.b = append(w.b, v) }
func (w *builder) raw(v []byte)     { w.b = append(w.b, v...) }

// parser reads the fields of a PDU body; the first error sticks.
type parser struct {
	b   []byte
	off int
	err error
}

var errShort = errors.New("smpp: PDU body too short")

func (r *parser) cstring() string {
	if r.err != nil {
		return ""
	}
	for i := r.off; i < len(r.b); i++ {
		if r.b[i] == 0 {
			s := string(r.b[r.off:i])
			r.off = i + 1
			return s
		}
	}
	r.err = errShort
	return ""
}

func (r *parser) octet() byte {
	if r.err != nil || r.off >= len(r.b) {
		r.err = errShort
		return 0
	}
	r.off++
	return r.b[r.off-1]
}

func (r *parser) bytes(n int) []byte {
	if r.err != nil || r.off+n > len(r.b) {
		r.err = errShort
		return nil
	}
	r.off += n
	return r.b[r.off-n : r.off]
}

// tlvs reads the optional parameters that follow the mandatory ones (§3.2.4).
func (r *parser) tlvs() map[uint16][]byte {
	out := map[uint16][]byte{}
	for r.err == nil && r.off+4 <= len(r.b) {
		tag := binary.BigEndian.Uint16(r.b[r.off:])
		n := int(binary.BigEndian.Uint16(r.b[r.off+2:]))
		r.off += 4
		if v := r.bytes(n); r.err == nil {
			out[tag] = v
		}
	}
	return out
}
