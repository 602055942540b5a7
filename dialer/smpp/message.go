package smpp

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/wismo/wismo/dialer/gsm"
)

// Data codings (§5.2.19).
const (
	codingDefault = 0x00 // SMSC default alphabet: GSM 03.38, one septet per octet
	codingASCII   = 0x01
	codingLatin1  = 0x03
	codingUCS2    = 0x08
)

const esmUDHI = 0x40 // esm_class: the short message begins with a user data header (§5.2.12)

// address returns the TON and NPI (§5.2.5, §5.2.6) for an address as wismo writes it:
// "+79131234567" is international/ISDN (sent without the plus), an alphanumeric sender
// is alphanumeric/unknown, anything else unknown/ISDN.
func address(a string) (ton, npi byte, digits string) {
	if d, ok := strings.CutPrefix(a, "+"); ok {
		return 1, 1, d
	}
	for _, r := range a {
		if !unicode.IsDigit(r) {
			return 5, 0, a
		}
	}
	return 0, 1, a
}

// submitBody builds a submit_sm body (§4.4.1) for one part. udh, when set, leads the short
// message and sets UDHI in esm_class.
func submitBody(source, dest string, coding byte, udh, payload []byte, receipt bool) []byte {
	var w builder
	w.cstring("") // service_type: SMSC default
	ton, npi, src := address(source)
	w.octet(ton)
	w.octet(npi)
	w.cstring(src)
	ton, npi, dst := address(dest)
	w.octet(ton)
	w.octet(npi)
	w.cstring(dst)
	var esm byte
	if udh != nil {
		esm = esmUDHI
	}
	w.octet(esm)
	w.octet(0)    // protocol_id
	w.octet(0)    // priority_flag
	w.cstring("") // schedule_delivery_time: now
	w.cstring("") // validity_period: SMSC default
	var reg byte
	if receipt {
		reg = 1 // SMSC delivery receipt on final outcome, success or failure (§5.2.17)
	}
	w.octet(reg)
	w.octet(0) // replace_if_present_flag
	w.octet(coding)
	w.octet(0) // sm_default_msg_id
	w.octet(byte(len(udh) + len(payload)))
	w.raw(udh)
	w.raw(payload)
	return w.b
}

// concatUDH is the user data header of part seq of total (3GPP TS 23.040 §9.2.3.24.1:
// IEI 0x00, concatenated short messages, 8-bit reference).
func concatUDH(ref byte, total, seq int) []byte {
	return []byte{0x05, 0x00, 0x03, ref, byte(total), byte(seq)}
}

// Deliver is a deliver_sm from the SMSC: a delivery receipt or a mobile-originated message.
type Deliver struct {
	Source      string   // the handset, E.164 with a plus when the SMSC says international
	Destination string   // our address
	Receipt     *Receipt // set for delivery receipts
	Text        string   // a mobile-originated message's text
	// Part is set when the message is one part of a concatenated one (a user data header's
	// IEI 0x00 or 0x08, or the sar_* TLVs); Text is then this part's text only.
	Part *Part
}

// Part says which part of a concatenated message a deliver_sm carries.
type Part struct {
	Ref        int // the reference shared by the parts (8 or 16 bits)
	Total, Seq int // Seq counts from 1
}

// concatPart reads the concatenation information element of a user data header (3GPP TS
// 23.040 §9.2.3.24.1 and .8): nil when the header has none.
func concatPart(udh []byte) *Part {
	for i := 0; i+1 < len(udh); {
		iei, n := udh[i], int(udh[i+1])
		v := udh[i+2 : min(i+2+n, len(udh))]
		switch {
		case iei == 0x00 && len(v) == 3 && v[1] > 0:
			return &Part{Ref: int(v[0]), Total: int(v[1]), Seq: int(v[2])}
		case iei == 0x08 && len(v) == 4 && v[2] > 0:
			return &Part{Ref: int(v[0])<<8 | int(v[1]), Total: int(v[2]), Seq: int(v[3])}
		}
		i += 2 + n
	}
	return nil
}

// sarPart reads the sar_* TLVs (§5.3.2.22-24): nil when they are not all there.
func sarPart(tlv map[uint16][]byte) *Part {
	ref, tot, seq := tlv[tagSARMsgRefNum], tlv[tagSARTotalSegments], tlv[tagSARSegmentSeqnum]
	if len(ref) != 2 || len(tot) != 1 || len(seq) != 1 || tot[0] == 0 {
		return nil
	}
	return &Part{Ref: int(ref[0])<<8 | int(ref[1]), Total: int(tot[0]), Seq: int(seq[0])}
}

// Receipt is an SMSC delivery receipt (§2.11, Appendix B).
type Receipt struct {
	MessageID string
	Stat      string // DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD, UNKNOWN, REJECTD
	Err       string
}

// Delivered and Failed classify a receipt; one that is neither is intermediate.
func (r Receipt) Delivered() bool { return r.Stat == "DELIVRD" }

// Failed reports a final receipt that is not a delivery.
func (r Receipt) Failed() bool {
	switch r.Stat {
	case "EXPIRED", "DELETED", "UNDELIV", "REJECTD":
		return true
	}
	return false
}

// messageStates maps message_state values (§5.2.28) to receipt stats.
func messageState(v byte) string {
	switch v {
	case 2:
		return "DELIVRD"
	case 3:
		return "EXPIRED"
	case 4:
		return "DELETED"
	case 5:
		return "UNDELIV"
	case 6:
		return "ACCEPTD"
	case 8:
		return "REJECTD"
	}
	return "UNKNOWN"
}

// parseDeliver reads a deliver_sm body (§4.6.1). esm_class bits 2-5 say a receipt
// (0x04: SMSC delivery receipt) from a mobile-originated message (0x00).
func parseDeliver(body []byte) (Deliver, error) {
	r := parser{b: body}
	r.cstring() // service_type
	srcTON := r.octet()
	r.octet()
	src := r.cstring()
	r.octet()
	r.octet()
	dst := r.cstring()
	esm := r.octet()
	r.octet()   // protocol_id
	r.octet()   // priority_flag
	r.cstring() // schedule_delivery_time
	r.cstring() // validity_period
	r.octet()   // registered_delivery
	r.octet()   // replace_if_present_flag
	coding := r.octet()
	r.octet() // sm_default_msg_id
	sm := r.bytes(int(r.octet()))
	tlv := r.tlvs()
	if r.err != nil {
		return Deliver{}, r.err
	}
	if len(sm) == 0 {
		sm = tlv[tagMessagePayload]
	}
	d := Deliver{Source: src, Destination: dst, Part: sarPart(tlv)}
	if esm&esmUDHI != 0 && len(sm) > 0 && int(sm[0])+1 <= len(sm) {
		if p := concatPart(sm[1 : int(sm[0])+1]); p != nil {
			d.Part = p
		}
		sm = sm[int(sm[0])+1:]
	}
	if d.Part != nil && (d.Part.Total < 2 || d.Part.Seq < 1 || d.Part.Seq > d.Part.Total) {
		d.Part = nil // a "concatenated" message of one part, or a part out of range: take it as it is
	}
	if srcTON == 1 && src != "" && !strings.HasPrefix(src, "+") {
		d.Source = "+" + src
	}
	text := decodeText(coding, sm)
	if esm&0x3C == 0x04 {
		rc := parseReceiptText(text)
		if id, ok := tlv[tagReceiptedMessageID]; ok {
			rc.MessageID = strings.TrimRight(string(id), "\x00")
		}
		if st, ok := tlv[tagMessageState]; ok && len(st) == 1 {
			rc.Stat = messageState(st[0])
		}
		d.Receipt = &rc
		return d, nil
	}
	d.Text = text
	return d, nil
}

func decodeText(coding byte, b []byte) string {
	switch coding {
	case codingUCS2:
		return gsm.DecodeUCS2(b)
	case codingLatin1:
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r)
	case codingASCII:
		return string(b)
	}
	return gsm.DecodeGSM7(b)
}

// parseReceiptText reads "id:... sub:... dlvrd:... submit date:... done date:... stat:...
// err:... text:..." (Appendix B); fields it does not find stay empty.
func parseReceiptText(s string) Receipt {
	var rc Receipt
	field := func(name string) string {
		i := strings.Index(s, name+":")
		if i < 0 {
			return ""
		}
		v := s[i+len(name)+1:]
		if j := strings.IndexByte(v, ' '); j >= 0 {
			v = v[:j]
		}
		return v
	}
	rc.MessageID, rc.Stat, rc.Err = field("id"), strings.ToUpper(field("stat")), field("err")
	if n, err := strconv.Atoi(rc.Err); err == nil && n == 0 {
		rc.Err = ""
	}
	return rc
}
