package callcenter

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// TestInviteCarriesNoInjectedHeaders: a caller id with a line break that reached the database
// without the API (a row from before it checked, or written by hand) does not forge headers
// in the INVITE wismo sends to the trunk: the trunk, reading the datagram as it arrived,
// finds no P-Asserted-Identity and a From with the trunk's default caller id.
func TestInviteCarriesNoInjectedHeaders(t *testing.T) {
	storetest.OnePass(t)
	trunk := telephonytest.StartTrunk(t, telephonytest.TrunkOptions{Status: 486})
	w := newWorld(t, telephony.Trunk{URI: "sip:" + trunk.Addr}, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const evil = "+7999\r\nP-Asserted-Identity: <sip:evil@x>\r\nX-Injected: yes"
	if _, err := w.db.SQL.ExecContext(ctx, w.db.Rebind(`INSERT INTO brand_telephony (brand_id, caller_id, recording_notice, hotline_open, hotline_close, time_zone)
		VALUES (?, ?, ?, ?, ?, ?)`), w.brand, evil, false, "00:00", "24:00", "UTC"); err != nil {
		t.Fatal(err)
	}
	agentID, _ := w.agent("agent1", agentTone)
	if _, err := w.center.Preview(ctx, OutboundRequest{AgentID: agentID, BrandID: w.brand, To: customerE164}); err != nil {
		t.Fatal(err)
	}
	invites := trunk.RawInvites()
	if len(invites) == 0 {
		t.Fatal("the trunk received no INVITE")
	}
	for _, inv := range invites {
		head, _, _ := strings.Cut(inv, "\r\n\r\n")
		from := ""
		for _, line := range strings.Split(head, "\r\n")[1:] {
			name, value, _ := strings.Cut(line, ":")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "p-asserted-identity", "x-injected":
				t.Errorf("the INVITE to the trunk carries an injected header %q:\n%s", line, head)
			case "from", "f":
				from = strings.TrimSpace(value)
			}
		}
		if !strings.HasPrefix(from, "<sip:wismo@") {
			t.Errorf("From %q, want the default caller id wismo in place of the broken one:\n%s", from, head)
		}
	}
}
