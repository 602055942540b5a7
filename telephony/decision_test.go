package telephony_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wismo/wismo/telephony"
)

// byNumber decides by the dialled number, as call control's number plan would.
type byNumber struct {
	decisions map[string]telephony.Decision
	last      atomic.Pointer[telephony.InboundCall]
}

func (b *byNumber) HandleInbound(_ context.Context, c *telephony.InboundCall) telephony.Decision {
	b.last.Store(c)
	return b.decisions[c.To]
}

// Each decision call control can return is answered with its own SIP response, seen by a
// real SIP caller (a second endpoint dialling over loopback UDP).
func TestDecisionsAnswerTheirSIPResponse(t *testing.T) {
	served := make(chan *telephony.Leg, 1)
	var rang atomic.Bool
	accept := telephony.Accept(func(ctx context.Context, leg *telephony.Leg, err error) {
		if err != nil {
			t.Errorf("answer: %v", err)
			return
		}
		served <- leg
		<-leg.Done() // the call is call control's until it ends
	})
	plan := &byNumber{decisions: map[string]telephony.Decision{
		"no-hotline": telephony.Reject(telephony.NoSuchNumber),
		"broken":     telephony.Reject(telephony.ServerFailure),
		"far-down":   telephony.Reject(telephony.Unavailable),
		"hotline":    accept,
		// "forgot": the zero Decision
	}}
	callee := startEndpoint(t, telephony.Config{}, nil, plan)
	caller := startEndpoint(t, telephony.Config{}, nil, nil)
	for _, tc := range []struct {
		to      string
		status  int
		outcome telephony.Outcome
	}{
		{"no-hotline", 404, telephony.Failed},
		{"broken", 500, telephony.Failed},
		{"far-down", 480, telephony.NoAnswer},
		{"forgot", 500, telephony.Failed},
		{"hotline", 200, telephony.Answered},
	} {
		t.Run(tc.to, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			rang.Store(false)
			leg, err := caller.Dial(ctx, telephony.DialRequest{To: "sip:" + tc.to + "@" + callee.Addr(),
				OnRinging: func() { rang.Store(true) }}, nil)
			if tc.status != 200 {
				var de *telephony.DialError
				if !errors.As(err, &de) || de.Status != tc.status {
					t.Fatalf("dial %s: %v, want %d", tc.to, err, tc.status)
				}
				if o, _ := telephony.OutcomeOf(err); o != tc.outcome {
					t.Fatalf("the caller reads %s, want %s", o, tc.outcome)
				}
				if rang.Load() {
					t.Fatal("a refused call rang first")
				}
				if !plan.last.Load().RingingAt().IsZero() {
					t.Fatal("a refused call has a ringing time")
				}
				return
			}
			if err != nil {
				t.Fatalf("dial %s: %v", tc.to, err)
			}
			defer leg.Hangup(context.Background(), "")
			if leg.Status != 200 {
				t.Fatalf("accepted call: status %d, want 200 OK", leg.Status)
			}
			var ours *telephony.Leg
			select {
			case ours = <-served:
			case <-ctx.Done():
				t.Fatal("the accepted call was never served")
			}
			rangAt := plan.last.Load().RingingAt()
			if ours.Status != 200 || rangAt.IsZero() || ours.AnsweredAt.Before(rangAt) {
				t.Fatalf("served leg: status %d, rang at %v, answered at %v", ours.Status, rangAt, ours.AnsweredAt)
			}
		})
	}
}

// An accepted call rings before it is answered, in that order on the wire (over TCP, where
// nothing reorders them): 180 Ringing, then 200 OK with the SDP answer.
func TestAcceptRingsThenAnswers(t *testing.T) {
	served := make(chan *telephony.Leg, 1)
	e := startEndpoint(t, telephony.Config{}, nil, &byNumber{decisions: map[string]telephony.Decision{
		"hotline": telephony.Accept(func(_ context.Context, leg *telephony.Leg, err error) {
			if err == nil {
				served <- leg
			}
		}),
	}})
	c, err := net.DialTimeout("tcp4", e.Addr(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	local := c.LocalAddr().String()
	body := "v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
	head := func(method string, cseq int, to string) string {
		return fmt.Sprintf("%s sip:hotline@%s;transport=tcp SIP/2.0\r\nVia: SIP/2.0/TCP %s;branch=z9hG4bK-accept-%s\r\nMax-Forwards: 70\r\n"+
			"From: <sip:caller@%s>;tag=c1\r\nTo: %s\r\nCall-ID: accept-order@test\r\nCSeq: %d %s\r\nContact: <sip:caller@%s;transport=tcp>\r\n",
			method, e.Addr(), local, method, local, to, cseq, method, local)
	}
	fmt.Fprintf(c, "%sContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s", head("INVITE", 1, "<sip:hotline@"+e.Addr()+">"), len(body), body)
	r := textproto.NewReader(bufio.NewReader(c))
	var got []string
	var toTag string
	for {
		line, err := r.ReadLine()
		if err != nil {
			t.Fatalf("responses so far %q: %v", got, err)
		}
		hdr, err := r.ReadMIMEHeader()
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := strconv.Atoi(hdr.Get("Content-Length")); n > 0 {
			if _, err := io.CopyN(io.Discard, r.R, int64(n)); err != nil {
				t.Fatal(err)
			}
		}
		if strings.HasPrefix(line, "SIP/2.0 100") {
			continue
		}
		got = append(got, line)
		if !strings.HasPrefix(line, "SIP/2.0 1") {
			toTag = hdr.Get("To")
			break
		}
	}
	if want := []string{"SIP/2.0 180 Ringing", "SIP/2.0 200 OK"}; !slices.Equal(got, want) {
		t.Fatalf("responses %q, want %q", got, want)
	}
	fmt.Fprintf(c, "%sContent-Length: 0\r\n\r\n", head("ACK", 1, toTag))
	var leg *telephony.Leg
	select {
	case leg = <-served:
	case <-time.After(5 * time.Second):
		t.Fatal("the answered call was not served")
	}
	fmt.Fprintf(c, "%sContent-Length: 0\r\n\r\n", head("BYE", 2, toTag)) // the caller hangs up
	select {
	case <-leg.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the caller's BYE did not end the leg")
	}
}
