package callsections_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/monitor"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/portal/callpages"
	"github.com/wismo/wismo/portal/callsections"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/recordings/review"
	"github.com/wismo/wismo/recordings/talk"
	"github.com/wismo/wismo/recordings/transcribe"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking/trackingtest"
)

const password = "correct horse battery"

// A recorded, reviewed, transcribed and monitored call of brand A, with the sections wired as
// serve wires them.
type env struct {
	*trackingtest.Env
	app  *fiber.App
	call int64
	ids  map[string]int64
}

func newEnv(t *testing.T) *env {
	e := &env{Env: trackingtest.New(t), ids: map[string]int64{}}
	ctx := context.Background()
	for _, u := range []struct {
		email string
		role  access.Role
		brand int64
	}{{"agent@a.example", access.RoleAgent, e.BrandA}, {"other@a.example", access.RoleAgent, e.BrandA},
		{"sup@a.example", access.RoleSupervisor, e.BrandA}, {"mgr@a.example", access.RoleBrandManager, e.BrandA},
		{"sup@b.example", access.RoleSupervisor, e.BrandB}} {
		usr, err := e.Access.CreateUser(ctx, u.email, password, u.role, []int64{u.brand})
		if err != nil {
			t.Fatal(err)
		}
		e.ids[u.email] = usr.ID
	}
	calls := callcenter.NewCallLog(e.DB)
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	answered, ended := t0.Add(time.Second), t0.Add(90*time.Second)
	call := callcenter.Call{Direction: callcenter.Inbound, Mode: callcenter.ModeHotline, BrandID: e.BrandA, From: "+79131234567",
		To: "+74951112233", StartedAt: t0, AnsweredAt: &answered, EndedAt: &ended, Outcome: callcenter.Answered,
		HangupSide: callcenter.LegCustomer, AgentID: e.ids["agent@a.example"]}
	if err := calls.Create(ctx, &call); err != nil {
		t.Fatal(err)
	}
	e.call = call.ID
	var rec int64
	if err := e.DB.SQL.QueryRowContext(ctx, e.DB.Rebind(`INSERT INTO recordings (call_id, brand_id, path, duration_ms, started_at)
		VALUES (?, ?, 'x.wav', 90000, ?) RETURNING id`), call.ID, e.BrandA, t0).Scan(&rec); err != nil {
		t.Fatal(err)
	}
	call.RecordingID = rec
	if err := calls.Update(ctx, &call); err != nil {
		t.Fatal(err)
	}
	for _, g := range []callcenter.Leg{
		{Kind: callcenter.LegCustomer, From: "+79131234567", To: "+74951112233", StartedAt: t0, AnsweredAt: &answered, EndedAt: &ended, Outcome: callcenter.Answered, HangupSide: callcenter.LegCustomer},
		{Kind: callcenter.LegAgent, AgentID: e.ids["agent@a.example"], StartedAt: t0, AnsweredAt: &answered, EndedAt: &ended, Outcome: callcenter.Answered, HangupSide: callcenter.LegCustomer},
	} {
		g.CallID = call.ID
		if err := calls.AddLeg(ctx, &g); err != nil {
			t.Fatal(err)
		}
		if err := calls.UpdateLeg(ctx, &g); err != nil {
			t.Fatal(err)
		}
	}
	// The transcript as the transcripts job stores it.
	for _, s := range []struct {
		side string
		segs []transcribe.Segment
	}{{"customer", []transcribe.Segment{{StartMS: 300, EndMS: 2400, Text: "the courier was rude"}}},
		{"agent", []transcribe.Segment{{StartMS: 2600, EndMS: 4700, Text: "can you call me back tomorrow"}}}} {
		segs, _ := json.Marshal(s.segs)
		if _, err := e.DB.SQL.ExecContext(ctx, e.DB.Rebind(`INSERT INTO call_transcripts (recording_id, call_id, brand_id, side, text, segments, transcribed_at)
			VALUES (?,?,?,?,?,?,?)`), rec, call.ID, e.BrandA, s.side, s.segs[0].Text, string(segs), ended); err != nil {
			t.Fatal(err)
		}
	}
	// A supervisor listened, then whispered.
	modes, _ := json.Marshal([]monitor.ModeChange{{Mode: "listen", At: t0.Add(10 * time.Second)}, {Mode: "whisper", At: t0.Add(20 * time.Second)}})
	if _, err := e.DB.SQL.ExecContext(ctx, e.DB.Rebind(`INSERT INTO monitor_sessions (brand_id, call_id, user_id, mode, modes, started_at, ended_at)
		VALUES (?,?,?,'whisper',?,?,?)`), e.BrandA, call.ID, e.ids["sup@a.example"], string(modes), t0.Add(10*time.Second), t0.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	log := storetest.Logger(t)
	recs := recordings.NewService(e.DB, t.TempDir(), log)
	tk := talk.NewService(e.DB, log)
	reviews := review.NewService(e.DB, recs, tk, log)
	card, err := reviews.SaveScorecard(ctx, access.Brands(e.BrandA), e.BrandA, 0, review.ScorecardInput{Name: "Hotline basics",
		Criteria: []review.Criterion{{Name: "Greeting", Weight: 1}, {Name: "Resolution", Weight: 3}}, PassMark: 70})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reviews.Score(ctx, access.Brands(e.BrandA), e.ids["sup@a.example"], call.ID, review.ScoreInput{ScorecardID: card.ID,
		Scores: []int{review.MaxScore, review.MaxScore}, Comment: "calm and clear"}); err != nil {
		t.Fatal(err)
	}
	if err := recs.Audit(ctx, recordings.AuditEntry{BrandID: e.BrandA, RecordingID: rec, CallID: call.ID, UserID: e.ids["mgr@a.example"],
		Action: "download", Detail: "user:mgr@a.example", At: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	mon, err := monitor.New(context.Background(), e.DB, nil, nil, callcenter.SoftphoneConfig{}, log)
	if err != nil {
		t.Fatal(err)
	}
	sections := callsections.Sections(callsections.Options{Access: e.Access, Monitor: mon,
		Transcripts: transcribe.NewService(e.DB, nil, log), Reviews: reviews})
	e.app = portal.New(portal.Deps{Log: log, DB: e.DB, Access: e.Access, Cases: e.Tracking, PublicURL: "http://127.0.0.1:8080",
		Routes: []func(fiber.Router){func(r fiber.Router) {
			talk.StripRoute(r, tk) // the strip under the player (empty lanes: not analysed)
			callpages.Routes(r, callpages.Options{Access: e.Access, Calls: calls, Sections: sections})
		}}})
	return e
}

// page is the call page as email sees it in lang.
func (e *env) page(t *testing.T, email, lang string) (int, string) {
	t.Helper()
	cookies := map[string]string{"lang": lang}
	if st, body, _ := browsertest.Login(t, e.app, cookies, email, password, ""); st != http.StatusSeeOther {
		t.Fatalf("login %s: %d %s", email, st, body)
	}
	st, page, _ := browsertest.Request(t, e.app, cookies, "GET", "/calls/"+strconv.FormatInt(e.call, 10), nil)
	return st, html.UnescapeString(page)
}

// Each role sees the sections it may: supervisors the monitoring log, managers the
// recording's audit, the call's own agent their scored review; everyone the transcript; in
// English and Russian. Another brand's supervisor gets 404 and none of it.
func TestCallPageSectionsByRoleInBothLanguages(t *testing.T) {
	e := newEnv(t)
	const (
		review     = `id="call-review"`
		transcript = `id="call-transcript"`
		monitoring = `id="call-monitor"`
		audit      = `id="call-audit"`
		link       = `href="/quality/calls/`
	)
	for _, tc := range []struct {
		who, lang  string
		has, lacks []string
	}{
		{"sup@a.example", "en", []string{review, "100.0%", "Passed", "calm and clear", link, transcript, "the courier was rude", "can you call me back tomorrow",
			monitoring, "sup@a.example", "listened", "whispered"}, []string{audit}},
		{"sup@a.example", "ru", []string{"Оценка качества", "Зачёт", "Расшифровка", "Клиент", "Прослушивание", "слушал", "подсказывал"}, []string{audit}},
		{"mgr@a.example", "en", []string{review, link, transcript, audit, "Who played the recording", "downloaded", "mgr@a.example"}, []string{monitoring}},
		{"mgr@a.example", "ru", []string{"Кто слушал запись", "скачал"}, []string{monitoring}},
		{"agent@a.example", "en", []string{review, "100.0%", transcript}, []string{monitoring, audit, link}},
		{"other@a.example", "en", []string{transcript}, []string{review, monitoring, audit}},
	} {
		st, page := e.page(t, tc.who, tc.lang)
		if st != http.StatusOK {
			t.Fatalf("%s %s: %d %s", tc.who, tc.lang, st, page)
		}
		for _, want := range tc.has {
			if !strings.Contains(page, want) {
				t.Errorf("%s (%s): the call page lacks %q", tc.who, tc.lang, want)
			}
		}
		for _, not := range tc.lacks {
			if strings.Contains(page, not) {
				t.Errorf("%s (%s): the call page shows %q", tc.who, tc.lang, not)
			}
		}
	}
	if st, page := e.page(t, "sup@b.example", "en"); st != http.StatusNotFound || strings.Contains(page, "courier") || strings.Contains(page, "sup@a.example") {
		t.Fatalf("another brand's supervisor: %d", st)
	}
}
