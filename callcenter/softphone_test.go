package callcenter

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter/rtcapi"
)

// chromeOffer is the audio part of an offer Chrome makes with only PCMU and
// telephone-event left to agree on.
const chromeOffer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 0 126 110\r\n" +
	"a=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:126 telephone-event/8000\r\na=rtpmap:110 telephone-event/48000\r\n"

func TestOfferDTMF(t *testing.T) {
	if pt := rtcapi.OfferDTMF(chromeOffer); pt != 126 {
		t.Fatalf("telephone-event/8000 of Chrome's offer: %d, want 126", pt)
	}
	if pt := rtcapi.OfferDTMF("v=0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"); pt != 0 {
		t.Fatalf("no telephone-event: %d", pt)
	}
}

func TestICEServer(t *testing.T) {
	for _, tc := range []struct {
		in, url, user, pass string
	}{
		{"stun:stun.example.org:3478", "stun:stun.example.org:3478", "", ""},
		{"turn:agent:s3cret@turn.example.org:3478?transport=udp", "turn:turn.example.org:3478?transport=udp", "agent", "s3cret"},
		{"turns:u:p@turn.example.org:5349", "turns:turn.example.org:5349", "u", "p"},
	} {
		s := rtcapi.ICEServer(tc.in)
		pass, _ := s.Credential.(string)
		if len(s.URLs) != 1 || s.URLs[0] != tc.url || s.Username != tc.user || pass != tc.pass {
			t.Errorf("%s: %+v", tc.in, s)
		}
	}
}

// The softphone socket is for logged-in people on wismo's own pages.
func TestSoftphoneSocketRefusals(t *testing.T) {
	ctx := context.Background()
	acc, b, _, app := softphoneApp(t)
	if _, err := acc.CreateUser(ctx, "agent@example.com", "a login password 1", access.RoleAgent, []int64{b.ID}); err != nil {
		t.Fatal(err)
	}
	sess, err := acc.Login(ctx, "agent@example.com", "a login password 1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, cookie, origin string
		want                 int
	}{
		{"no session", "", "http://wismo.test", fiber.StatusUnauthorized},
		{"another site", sess.Token, "http://evil.example", fiber.StatusForbidden},
		{"no origin", sess.Token, "", fiber.StatusForbidden},
		{"not a websocket", sess.Token, "http://wismo.test", fiber.StatusUpgradeRequired},
	} {
		req := httptest.NewRequest(http.MethodGet, "http://wismo.test/api/v1/agent/softphone", nil)
		if tc.cookie != "" {
			req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: tc.cookie})
		}
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
		}
		res, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, res.StatusCode, tc.want)
		}
	}
}
