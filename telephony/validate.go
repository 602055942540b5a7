package telephony

import (
	"maps"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// newParser is sipgo's parser reading header parameters the way RFC 3261 §25.1 writes them:
// SEMI and EQUAL may have whitespace around them (SWS ";" SWS, SWS "=" SWS), so
// `from: <sip:a@b>  ;  tag = 98asjd8` carries the tag 98asjd8. sipgo keeps that whitespace in
// the parameter's name and value; a From tag written so is then not found, and the
// transaction layer refused RFC 4475's valid wsinv message (§3.1.1.1) with 400.
func newParser() *sip.Parser {
	parsers := maps.Clone(sip.DefaultHeadersParser())
	for _, name := range []string{"from", "f", "to", "t", "contact", "m", "via", "v"} {
		parsers[name] = trimmedParams(parsers[name])
	}
	return sip.NewParser(sip.WithHeadersParsers(parsers))
}

// trimmedParams wraps a header parser so that the header's parameters lose the whitespace
// around their names and values. The error passes through unchanged: for a header with
// several comma-separated values sipgo's parser returns the first value together with an
// error that says where the comma is.
func trimmedParams(parse sip.HeaderParser) sip.HeaderParser {
	return func(name []byte, text string) (sip.Header, error) {
		h, err := parse(name, text)
		switch h := h.(type) {
		case *sip.FromHeader:
			h.Params, h.Address.Host = trimParams(h.Params), strings.TrimSpace(h.Address.Host)
		case *sip.ToHeader:
			h.Params, h.Address.Host = trimParams(h.Params), strings.TrimSpace(h.Address.Host)
		case *sip.ContactHeader:
			h.Params, h.Address.Host = trimParams(h.Params), strings.TrimSpace(h.Address.Host)
		case *sip.ViaHeader:
			h.Params = trimParams(h.Params)
		}
		return h, err
	}
}

// trimParams trims each parameter and drops the empty ones a stray ";" leaves.
func trimParams(p sip.HeaderParams) sip.HeaderParams {
	out := p[:0]
	for _, kv := range p {
		kv.K, kv.V = strings.TrimSpace(kv.K), strings.TrimSpace(kv.V)
		if kv.K != "" {
			out = append(out, kv)
		}
	}
	return out
}

// allowed is what the endpoint answers; 405 responses list it (RFC 3261 §20.5, §21.4.6).
const allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, INFO"

// checked answers a request no handler should see before h runs (RFC 3261 §8.2: the UAS
// inspects the request before acting on it):
//   - a SIP version other than 2.0 gets 505 (§8.2, §21.5.7; RFC 4475 §3.1.2.16 badvers);
//   - a request without From, To or Call-ID gets 400 with a reason phrase naming what is
//     missing (§8.1.1: every request carries them; §21.4.1 asks the reason phrase to say why);
//   - a CSeq whose method is not the request's gets 400 (§8.1.1.5; RFC 4475 §3.1.2.8 mismatch01).
//
// sipgo's transaction layer answers a request without Via or CSeq with a plain 400 before
// any handler runs. Max-Forwards may be missing: RFC 2543 peers do not send it (RFC 4475
// §3.4.1 inv2543), and a UAS does not forward. An ACK gets no response (§17.1.1.3): a bad
// one is dropped.
func checked(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		code, reason := invalid(req)
		if code == 0 {
			req.SipVersion = "SIP/2.0" // §7.1: we answer in upper case whatever case it came in
			h(req, tx)
			return
		}
		if req.IsAck() {
			return
		}
		res := sip.NewResponseFromRequest(req, code, reason, nil)
		res.SipVersion = "SIP/2.0" // §7.1: we speak 2.0, whatever the request said
		tx.Respond(res)
	}
}

// invalid returns the status and reason phrase a request is refused with, or 0.
func invalid(req *sip.Request) (int, string) {
	if !strings.EqualFold(req.SipVersion, "SIP/2.0") { // §7.1: the version is case-insensitive
		return sip.StatusVersionNotSupported, "Version Not Supported: only SIP/2.0"
	}
	var missing []string
	if req.From() == nil {
		missing = append(missing, "From")
	}
	if req.To() == nil {
		missing = append(missing, "To")
	}
	if req.CallID() == nil {
		missing = append(missing, "Call-ID")
	}
	switch len(missing) {
	case 0:
	case 1:
		return sip.StatusBadRequest, "Missing " + missing[0] + " header"
	default:
		return sip.StatusBadRequest, "Missing " + strings.Join(missing, ", ") + " headers"
	}
	// sipgo upper-cases the request line's method but not CSeq's: compare without case.
	if cseq := req.CSeq(); cseq != nil && !strings.EqualFold(string(cseq.MethodName), string(req.Method)) {
		return sip.StatusBadRequest, "CSeq method " + string(cseq.MethodName) + " does not match the request method " + string(req.Method)
	}
	return 0, ""
}

// methodNotAllowed answers a method no handler takes, listing those we do (§21.4.6: a 405
// must carry Allow).
func methodNotAllowed(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, sip.StatusMethodNotAllowed, "Method Not Allowed", nil)
	res.AppendHeader(sip.NewHeader("Allow", allowed))
	tx.Respond(res)
}
