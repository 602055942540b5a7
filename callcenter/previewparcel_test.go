package callcenter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
	"github.com/wismo/wismo/tracking"
)

// keptSink is a desk page that only keeps what it is sent.
type keptSink struct {
	mu   sync.Mutex
	msgs []msg
}

func (s *keptSink) send(m msg) error {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
	return nil
}
func (s *keptSink) close(string) {}

// A preview call about another brand's parcel is refused before anything is dialled, in the
// words used for a parcel that does not exist, through the API, the desk page and the
// domain call alike (issue 13, defect 10). Before, the call was placed and logged with the
// other brand's parcel, whose data the agent's screen pop then showed.
func TestPreviewCallRefusesAnotherBrandsParcel(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	log := storetest.Logger(t)
	acc := access.NewService(db)
	parcels := tracking.NewService(db, log, nil)
	brandA, _, err := acc.CreateBrand(ctx, "Shop A")
	if err != nil {
		t.Fatal(err)
	}
	brandB, _, err := acc.CreateBrand(ctx, "Shop B")
	if err != nil {
		t.Fatal(err)
	}
	own, foreign, unknown := tracking.MakeS10("RR", 810001, "GB"), tracking.MakeS10("RR", 810002, "GB"), tracking.MakeS10("RR", 810003, "GB")
	for _, p := range []struct {
		id    string
		brand int64
	}{{own, brandA.ID}, {foreign, brandB.ID}} {
		in := tracking.ParcelInput{ID: p.id, ServiceLevel: "standard", Kind: "packet", WeightKg: 0.4, OriginCountry: "GB",
			DestinationCountry: "RU", Recipient: tracking.RecipientInput{Name: "Ivan Petrov", Phone: customerE164}}
		res, err := parcels.UpsertParcels(ctx, access.Brands(p.brand), []tracking.ParcelItem{{Input: in}})
		if err != nil || res[0].Status != tracking.StatusAccepted {
			t.Fatalf("parcel %s: %+v %v", p.id, res, err)
		}
	}

	c, agents := softphoneCenter(t, Config{}, db, acc, parcels, log)

	if _, err := acc.CreateUser(ctx, "agent@a.test", "a login password 1", access.RoleAgent, []int64{brandA.ID}); err != nil {
		t.Fatal(err)
	}
	sess, err := acc.Login(ctx, "agent@a.test", "a login password 1")
	if err != nil {
		t.Fatal(err)
	}
	if err := agents.SetState(ctx, sess.User.ID, Available); err != nil {
		t.Fatal(err)
	}
	page := &keptSink{}
	desk := c.phones.deskOf(sess.User.ID, sess.User)
	desk.attach(ctx, page) // the agent's desk page is open: the agent can be rung

	app := fiber.New()
	app.Use(access.Authenticate(acc))
	Routes(app, c)
	post := func(parcel string) (int, string) {
		body := fmt.Sprintf(`{"to": %q, "brand_id": %d, "parcel_id": %q}`, customerE164, brandA.ID, parcel)
		req := httptest.NewRequest("POST", "/api/v1/agent/calls", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Cookie", access.SessionCookie+"="+sess.Token)
		req.Header.Set(access.CSRFHeader, sess.CSRF)
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, strings.ReplaceAll(string(b), parcel, "<id>")
	}
	stForeign, foreignAnswer := post(foreign)
	stUnknown, unknownAnswer := post(unknown)
	if stForeign != fiber.StatusUnprocessableEntity || stForeign != stUnknown || foreignAnswer != unknownAnswer {
		t.Fatalf("POST /api/v1/agent/calls with another brand's parcel: %d %q; with an unknown one: %d %q; want the same 422",
			stForeign, foreignAnswer, stUnknown, unknownAnswer)
	}
	if err := desk.handle(ctx, inbound{Type: "dial", To: customerE164, BrandID: brandA.ID, ParcelID: foreign}); err == nil ||
		!strings.Contains(err.Error(), "no parcel") {
		t.Errorf("the desk page dialled about another brand's parcel: %v", err)
	}
	if _, err := c.Preview(ctx, OutboundRequest{AgentID: sess.User.ID, BrandID: brandA.ID, ParcelID: foreign, To: customerE164}); !errors.Is(err, ErrUnknownParcel) {
		t.Errorf("Preview about another brand's parcel: %v, want ErrUnknownParcel", err)
	}
	var calls int
	if err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM calls`).Scan(&calls); err != nil || calls != 0 {
		t.Errorf("%d calls placed (%v), want none", calls, err)
	}
	// The brand's own parcel, in any spelling, is the call's parcel.
	if id, err := c.parcelOf(ctx, brandA.ID, strings.ToLower(own[:2]+" "+own[2:])); err != nil || id != own {
		t.Errorf("own parcel: %q %v", id, err)
	}
}

// softphoneCenter is a call center with the browser softphone on, attached to a SIP engine on
// loopback that runs until the test ends.
func softphoneCenter(t *testing.T, cfg Config, db *store.DB, acc *access.Service, parcels *tracking.Service, log *slog.Logger) (*Center, *Agents) {
	t.Helper()
	agents := NewAgents(db, "wismo", acc)
	c := NewCenter(cfg, db, agents, nil, parcels, log, nil)
	if _, err := c.EnableSoftphone(SoftphoneConfig{}); err != nil {
		t.Fatal(err)
	}
	port := telephonytest.FreePort(t, "udp") &^ 1
	ctx, cancel := context.WithCancel(context.Background())
	eng, err := telephony.New(ctx, telephony.Config{ListenAddr: "127.0.0.1:0", RTPPortMin: port, RTPPortMax: port + 20,
		NoRTPTimeout: time.Minute}, log, agents, c)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	c.Attach(ctx, eng)
	go eng.Serve(ctx)
	t.Cleanup(func() { cancel(); eng.Close() })
	return c, agents
}
