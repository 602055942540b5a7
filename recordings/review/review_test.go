package review

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/recordings/talk"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

func TestTotalWeightedAndPassMark(t *testing.T) {
	crit := []Criterion{{"Greeting", 1}, {"Solution", 3}}
	for _, tc := range []struct {
		scores []int
		mark   float64
		total  float64
		passed bool
	}{
		{[]int{5, 5}, 80, 100, true},
		{[]int{0, 0}, 0, 0, true},      // a pass mark of 0 passes everything
		{[]int{5, 3}, 70, 70, true},    // (1*5 + 3*3) / (4*5) = 14/20 = 70%: at the mark passes
		{[]int{4, 3}, 70, 65, false},   // 13/20
		{[]int{0, 5}, 80, 75, false},   // the heavy criterion alone: 15/20
		{[]int{1, 2}, 0, 35, true},     // 7/20
		{[]int{2, 4}, 70.1, 70, false}, // 14/20 just under the mark
	} {
		got, passed, err := Total(crit, tc.scores, tc.mark)
		if err != nil || got != tc.total || passed != tc.passed {
			t.Errorf("Total(%v, mark %v) = %v, %v, %v; want %v, %v", tc.scores, tc.mark, got, passed, err, tc.total, tc.passed)
		}
	}
	// One decimal: (1*1 + 2*2) / (3*5) = 33.33...% -> 33.3.
	if got, _, _ := Total([]Criterion{{"A", 1}, {"B", 2}}, []int{1, 2}, 0); got != 33.3 {
		t.Errorf("Total rounds to %v, want 33.3", got)
	}
	for _, bad := range [][]int{{5}, {5, 6}, {-1, 0}} {
		if _, _, err := Total(crit, bad, 50); !errors.Is(err, input.ErrInvalid) {
			t.Errorf("Total(%v): %v, want invalid", bad, err)
		}
	}
}

func TestScorecardCheckNamesFields(t *testing.T) {
	for _, tc := range []struct {
		in    ScorecardInput
		field string
	}{
		{ScorecardInput{Name: "", Criteria: []Criterion{{"A", 1}}, PassMark: 50}, "name"},
		{ScorecardInput{Name: "QA", PassMark: 50}, "criteria"},
		{ScorecardInput{Name: "QA", Criteria: []Criterion{{"A", 0}}, PassMark: 50}, "criteria[0].weight"},
		{ScorecardInput{Name: "QA", Criteria: []Criterion{{"A", 1}, {" ", 1}}, PassMark: 50}, "criteria[1].name"},
		{ScorecardInput{Name: "QA", Criteria: []Criterion{{"A", 1}, {"a", 1}}, PassMark: 50}, "criteria[1].name"},
		{ScorecardInput{Name: "QA", Criteria: []Criterion{{"A", 101}}, PassMark: 50}, "criteria[0].weight"},
		{ScorecardInput{Name: "QA", Criteria: []Criterion{{"A", 1}}, PassMark: 101}, "pass_mark"},
	} {
		err := tc.in.Check()
		var ve *input.ValidationError
		if !errors.As(err, &ve) || ve.Fields[0].Field != tc.field {
			t.Errorf("Check(%+v) = %v, want the field %s named", tc.in, err, tc.field)
		}
		if Errors.Kind(err).Status() != 422 {
			t.Errorf("%s: status %d, want 422", tc.field, Errors.Kind(err).Status())
		}
	}
	ok := ScorecardInput{Name: " QA ", Criteria: []Criterion{{" Greeting ", 1}}, PassMark: 80}
	if err := ok.Check(); err != nil || ok.Name != "QA" || ok.Criteria[0].Name != "Greeting" {
		t.Errorf("a good scorecard: %v, %+v", err, ok)
	}
}

// world is a database with brands One and Two, One's agents Ann and Bob, supervisor Sue and
// manager Max, Two's supervisor Tom, and the services.
type world struct {
	t                 *testing.T
	db                *store.DB
	one, two          access.Brand
	ann, bob, sue     access.User
	max, tom          access.User
	svc               *Service
	recs              *recordings.Service
	talk              *talk.Service
	ctx               context.Context
	wav               string
	scopeOne, scopeTw access.Scope
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, db: storetest.Open(t), ctx: context.Background()}
	acc := access.NewService(w.db)
	var err error
	if w.one, _, err = acc.CreateBrand(w.ctx, "One"); err != nil {
		t.Fatal(err)
	}
	if w.two, _, err = acc.CreateBrand(w.ctx, "Two"); err != nil {
		t.Fatal(err)
	}
	user := func(email string, role access.Role, brand int64) access.User {
		u, err := acc.CreateUser(w.ctx, email, "a long password 1", role, []int64{brand})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	w.ann, w.bob = user("ann@one.test", access.RoleAgent, w.one.ID), user("bob@one.test", access.RoleAgent, w.one.ID)
	w.sue, w.max = user("sue@one.test", access.RoleSupervisor, w.one.ID), user("max@one.test", access.RoleBrandManager, w.one.ID)
	w.tom = user("tom@two.test", access.RoleSupervisor, w.two.ID)
	log := storetest.Logger(t)
	w.recs = recordings.NewService(w.db, t.TempDir(), log)
	w.talk = talk.NewService(w.db, log)
	w.svc = NewService(w.db, w.recs, w.talk, log)
	w.scopeOne, w.scopeTw = access.Brands(w.one.ID), access.Brands(w.two.ID)
	w.wav = filepath.Join(t.TempDir(), "call.wav")
	wv, err := media.CreateWAV(w.wav, 8000, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := wv.WriteSamples(make([]int16, 2*8000)); err != nil {
		t.Fatal(err)
	}
	if err := wv.Close(); err != nil {
		t.Fatal(err)
	}
	return w
}

// call inserts an answered (or not) call of brand by agent at, recorded when recorded.
func (w *world) call(brand, agent int64, at time.Time, outcome string, recorded bool) int64 {
	w.t.Helper()
	var id int64
	var agentArg any
	if agent != 0 {
		agentArg = agent
	}
	if err := w.db.SQL.QueryRowContext(w.ctx, w.db.Rebind(`INSERT INTO calls (direction, brand_id, agent_id, outcome, started_at) VALUES ('inbound', ?, ?, ?, ?) RETURNING id`),
		brand, agentArg, outcome, at).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	if recorded {
		var rec int64
		if err := w.db.SQL.QueryRowContext(w.ctx, w.db.Rebind(`INSERT INTO recordings (call_id, brand_id, path, duration_ms, started_at, finished_at) VALUES (?, ?, ?, 1000, ?, ?) RETURNING id`),
			id, brand, w.wav, at, at).Scan(&rec); err != nil {
			w.t.Fatal(err)
		}
		if _, err := w.db.SQL.ExecContext(w.ctx, w.db.Rebind(`UPDATE calls SET recording_id = ? WHERE id = ?`), rec, id); err != nil {
			w.t.Fatal(err)
		}
	}
	return id
}

func (w *world) scorecard(brand int64, in ScorecardInput) Scorecard {
	w.t.Helper()
	sc, err := w.svc.SaveScorecard(w.ctx, access.Brands(brand), brand, 0, in)
	if err != nil {
		w.t.Fatal(err)
	}
	return sc
}

var qa = ScorecardInput{Name: "QA", Criteria: []Criterion{{"Greeting", 1}, {"Solution", 3}}, PassMark: 70}

// TestScorecardFrozenOnceUsed: an unused scorecard changes in place; once a review used it, a
// change is a new version and the old review keeps the old criteria, total and pass mark;
// the retired version cannot be changed or scored with; another brand cannot see it.
func TestScorecardFrozenOnceUsed(t *testing.T) {
	w := newWorld(t)
	sc := w.scorecard(w.one.ID, qa)
	in := qa
	in.PassMark = 60
	got, err := w.svc.SaveScorecard(w.ctx, w.scopeOne, 0, sc.ID, in)
	if err != nil || got.ID != sc.ID || got.PassMark != 60 || got.Version != 1 {
		t.Fatalf("unused scorecard changed: %+v, %v; want the same row, pass mark 60", got, err)
	}
	call := w.call(w.one.ID, w.ann.ID, time.Now(), "answered", true)
	rv, err := w.svc.Score(w.ctx, w.scopeOne, w.sue.ID, call, ScoreInput{ScorecardID: sc.ID, Scores: []int{5, 3}, Comment: "good"})
	if err != nil || rv.Total != 70 || !rv.Passed || rv.Reviewer != "sue@one.test" || rv.Agent != "ann@one.test" {
		t.Fatalf("Score = %+v, %v; want 70%% passed, by Sue, of Ann", rv, err)
	}
	in = ScorecardInput{Name: "QA", Criteria: []Criterion{{"Greeting", 1}, {"Solution", 1}, {"Closing", 2}}, PassMark: 90}
	v2, err := w.svc.SaveScorecard(w.ctx, w.scopeOne, 0, sc.ID, in)
	if err != nil || v2.ID == sc.ID || v2.Version != 2 || v2.Family != sc.ID || !v2.Active {
		t.Fatalf("used scorecard changed: %+v, %v; want version 2 of family %d", v2, err, sc.ID)
	}
	old, err := w.svc.OfCall(w.ctx, w.scopeOne, Viewer{}, call)
	if err != nil || len(old.Criteria) != 2 || old.PassMark != 60 || old.Total != 70 {
		t.Errorf("the old review after the change: %+v, %v; want its 2 criteria, pass mark 60, total 70", old, err)
	}
	if _, err := w.svc.SaveScorecard(w.ctx, w.scopeOne, 0, sc.ID, in); !errors.Is(err, ErrRetired) {
		t.Errorf("changing the retired version: %v, want ErrRetired", err)
	}
	if _, err := w.svc.Score(w.ctx, w.scopeOne, w.sue.ID, call, ScoreInput{ScorecardID: sc.ID, Scores: []int{5, 5}}); !errors.Is(err, input.ErrInvalid) {
		t.Errorf("scoring with the retired version: %v, want invalid", err)
	}
	cur, err := w.svc.Scorecards(w.ctx, w.scopeOne, w.one.ID, false)
	if err != nil || len(cur) != 1 || cur[0].ID != v2.ID {
		t.Errorf("current scorecards %+v, %v; want only version 2", cur, err)
	}
	if _, err := w.svc.Scorecard(w.ctx, w.scopeTw, v2.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("brand Two reads One's scorecard: %v", err)
	}
	if _, err := w.svc.SaveScorecard(w.ctx, w.scopeTw, 0, v2.ID, in); !errors.Is(err, ErrNotFound) {
		t.Errorf("brand Two changes One's scorecard: %v", err)
	}
	// Two's scorecard cannot score One's call, and Two cannot score it at all.
	two := w.scorecard(w.two.ID, qa)
	if _, err := w.svc.Score(w.ctx, w.scopeOne, w.sue.ID, call, ScoreInput{ScorecardID: two.ID, Scores: []int{5, 5}}); !errors.Is(err, input.ErrInvalid) {
		t.Errorf("scoring with another brand's scorecard: %v, want invalid", err)
	}
	if _, err := w.svc.Score(w.ctx, w.scopeTw, w.tom.ID, call, ScoreInput{ScorecardID: two.ID, Scores: []int{5, 5}}); !errors.Is(err, ErrNotFound) {
		t.Errorf("brand Two scores One's call: %v, want not found", err)
	}
}

// TestWeeklySampleIdempotentPerAgent: the week's sample takes N answered recorded calls of
// each agent of the week (not unanswered, unrecorded, other weeks' or already reviewed
// calls), per brand's size; a second run queues nothing; a bigger size tops it up.
func TestWeeklySampleIdempotentPerAgent(t *testing.T) {
	w := newWorld(t)
	monday := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC) // 2026-W49
	if err := w.svc.SetSampleSize(w.ctx, w.one.ID, 2); err != nil {
		t.Fatal(err)
	}
	var annCalls, bobCalls []int64
	for i := range 5 {
		annCalls = append(annCalls, w.call(w.one.ID, w.ann.ID, monday.Add(time.Duration(i)*13*time.Hour), "answered", true))
	}
	bobCalls = append(bobCalls, w.call(w.one.ID, w.bob.ID, monday.Add(30*time.Hour), "answered", true))
	w.call(w.one.ID, w.bob.ID, monday.Add(31*time.Hour), "no_answer", true)        // not answered
	w.call(w.one.ID, w.bob.ID, monday.Add(32*time.Hour), "answered", false)        // not recorded
	w.call(w.one.ID, w.bob.ID, monday.AddDate(0, 0, 7), "answered", true)          // next week
	w.call(w.one.ID, w.bob.ID, monday.Add(-time.Minute), "answered", true)         // last week
	tomCall := w.call(w.two.ID, w.tom.ID, monday.Add(time.Hour), "answered", true) // brand Two: default 3, one call
	n, err := w.svc.SampleWeek(w.ctx, monday.Add(50*time.Hour))                    // any time in the week names it
	if err != nil || n != 4 {
		t.Fatalf("first sample queued %d (%v), want 4: 2 of Ann's, Bob's one, Tom's one", n, err)
	}
	if n, err := w.svc.SampleWeek(w.ctx, monday); err != nil || n != 0 {
		t.Fatalf("second sample queued %d (%v), want 0", n, err)
	}
	queued := func(scope access.Scope, agent int64) []int64 {
		list, err := w.svc.List(w.ctx, scope, Viewer{}, Filter{Status: StatusQueued, AgentID: agent})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range list {
			if r.Week != "2026-W49" {
				t.Errorf("queued review %+v: week %q, want 2026-W49", r, r.Week)
			}
			ids = append(ids, r.CallID)
		}
		return ids
	}
	ann := queued(w.scopeOne, w.ann.ID)
	if len(ann) != 2 || !slices.Contains(annCalls, ann[0]) || !slices.Contains(annCalls, ann[1]) {
		t.Errorf("Ann's sample %v, want 2 of %v", ann, annCalls)
	}
	if bob := queued(w.scopeOne, w.bob.ID); !slices.Equal(bob, bobCalls) {
		t.Errorf("Bob's sample %v, want %v (only his answered recorded call of the week)", bob, bobCalls)
	}
	if tom := queued(w.scopeTw, 0); !slices.Equal(tom, []int64{tomCall}) {
		t.Errorf("brand Two's queue %v, want [%d]", tom, tomCall)
	}
	if one := queued(w.scopeOne, 0); len(one) != 3 {
		t.Errorf("brand One's queue %v, want 3 calls (none of Two's)", one)
	}
	// Scoring one of Ann's keeps her at 2 for the week; a size of 4 tops her up to 4.
	sc := w.scorecard(w.one.ID, qa)
	if _, err := w.svc.Score(w.ctx, w.scopeOne, w.sue.ID, ann[0], ScoreInput{ScorecardID: sc.ID, Scores: []int{5, 5}}); err != nil {
		t.Fatal(err)
	}
	if n, _ := w.svc.SampleWeek(w.ctx, monday); n != 0 {
		t.Errorf("after a review the sample queued %d more, want 0", n)
	}
	if err := w.svc.SetSampleSize(w.ctx, w.one.ID, 4); err != nil {
		t.Fatal(err)
	}
	if n, _ := w.svc.SampleWeek(w.ctx, monday); n != 2 {
		t.Errorf("size 4 queued %d more, want 2 of Ann's", n)
	}
	if err := w.svc.SetSampleSize(w.ctx, w.one.ID, 51); !errors.Is(err, input.ErrInvalid) {
		t.Errorf("size 51: %v, want invalid", err)
	}
}

// TestTrends: scores per agent and per week, averaged; agents see only their own line.
func TestTrends(t *testing.T) {
	w := newWorld(t)
	sc := w.scorecard(w.one.ID, qa)
	score := func(agent int64, at time.Time, scores ...int) {
		w.svc.now = func() time.Time { return at }
		call := w.call(w.one.ID, agent, at, "answered", true)
		if _, err := w.svc.Score(w.ctx, w.scopeOne, w.sue.ID, call, ScoreInput{ScorecardID: sc.ID, Scores: scores}); err != nil {
			t.Fatal(err)
		}
	}
	w49 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	score(w.ann.ID, w49, 5, 5)                  // 100
	score(w.ann.ID, w49.Add(time.Hour), 5, 3)   // 70
	score(w.ann.ID, w49.AddDate(0, 0, 7), 0, 0) // 0, W50
	score(w.bob.ID, w49, 4, 3)                  // 65
	from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	got, err := w.svc.Trends(w.ctx, w.scopeOne, Viewer{}, 0, TrendByAgent, from, to)
	if err != nil || len(got) != 2 {
		t.Fatalf("Trends = %+v, %v; want Ann and Bob", got, err)
	}
	ann := got[0]
	if ann.Label != "ann@one.test" || ann.Reviews != 3 || ann.Average != 56.7 || ann.Passed != 2 || len(ann.Weeks) != 2 ||
		ann.Weeks[0] != (WeekScore{"2026-W49", 85, 2, 2}) || ann.Weeks[1] != (WeekScore{"2026-W50", 0, 1, 0}) {
		t.Errorf("Ann's trend %+v; want 3 reviews averaging 56.7: W49 85 (2 passed), W50 0", ann)
	}
	mine, err := w.svc.Trends(w.ctx, w.scopeOne, Viewer{UserID: w.bob.ID, OwnOnly: true}, 0, TrendByAgent, from, to)
	if err != nil || len(mine) != 1 || mine[0].Label != "bob@one.test" || mine[0].Average != 65 {
		t.Errorf("Bob's own trends %+v, %v; want only his 65", mine, err)
	}
	q, err := w.svc.Trends(w.ctx, w.scopeOne, Viewer{}, 0, TrendByQueue, from, to)
	if err != nil || len(q) != 1 || q[0].Key != "" || q[0].Reviews != 4 {
		t.Errorf("per queue %+v, %v; want one group of 4 without a queue", q, err)
	}
	if other, _ := w.svc.Trends(w.ctx, w.scopeTw, Viewer{}, 0, TrendByAgent, from, to); len(other) != 0 {
		t.Errorf("brand Two sees One's trends: %+v", other)
	}
}

// api serves the routes to a principal.
func (w *world) api(p access.Principal, method, url, body string) (int, string) {
	w.t.Helper()
	app := fiber.New()
	app.Use(func(c *fiber.Ctx) error { access.SetPrincipal(c, p); return c.Next() })
	Routes(app, w.svc)
	req := httptest.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := app.Test(req, -1)
	if err != nil {
		w.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func userP(u access.User) access.Principal {
	return access.Principal{Kind: "user", Scope: access.ScopeOf(&u), User: &u, Label: "user:" + u.Email}
}

// TestAPIRolesAndIsolation: a supervisor scores over the API; the agent reads their own
// review and not another agent's; agents cannot score; another brand gets 404s; a bad score
// is a 422 naming the field; managers keep scorecards, supervisors cannot.
func TestAPIRolesAndIsolation(t *testing.T) {
	w := newWorld(t)
	code, body := w.api(userP(w.max), "POST", "/api/v1/scorecards", `{"name":"QA","criteria":[{"name":"Greeting","weight":1},{"name":"Solution","weight":3}],"pass_mark":70}`)
	if code != 201 {
		t.Fatalf("manager creates a scorecard: %d %s", code, body)
	}
	var sc Scorecard
	json.Unmarshal([]byte(body), &sc)
	if code, body := w.api(userP(w.sue), "POST", "/api/v1/scorecards", `{"name":"QA2","criteria":[{"name":"A","weight":1}],"pass_mark":70}`); code != 403 {
		t.Errorf("supervisor creates a scorecard: %d %s, want 403", code, body)
	}
	if code, body := w.api(userP(w.max), "POST", "/api/v1/scorecards", `{"name":"QA2","criteria":[{"name":"A","weight":0}],"pass_mark":70}`); code != 422 || !strings.Contains(body, `"criteria[0].weight"`) {
		t.Errorf("weight 0: %d %s, want 422 naming criteria[0].weight", code, body)
	}
	annCall := w.call(w.one.ID, w.ann.ID, time.Now(), "answered", true)
	bobCall := w.call(w.one.ID, w.bob.ID, time.Now(), "answered", true)
	score := func(p access.Principal, call int64, body string) (int, string) {
		return w.api(p, "PUT", fmt.Sprintf("/api/v1/calls/%d/review", call), body)
	}
	good := fmt.Sprintf(`{"scorecard_id":%d,"scores":[5,3],"comment":"clear"}`, sc.ID)
	if code, body := score(userP(w.ann), annCall, good); code != 403 {
		t.Errorf("agent scores: %d %s, want 403", code, body)
	}
	if code, body := score(userP(w.tom), annCall, good); code != 404 {
		t.Errorf("brand Two's supervisor scores One's call: %d %s, want 404", code, body)
	}
	if code, body := score(userP(w.sue), annCall, fmt.Sprintf(`{"scorecard_id":%d,"scores":[5,9]}`, sc.ID)); code != 422 || !strings.Contains(body, `"scores[1]"`) {
		t.Errorf("score 9: %d %s, want 422 naming scores[1]", code, body)
	}
	if code, body := score(userP(w.sue), annCall, good); code != 200 || !strings.Contains(body, `"total":70`) || !strings.Contains(body, `"passed":true`) {
		t.Fatalf("supervisor scores: %d %s", code, body)
	}
	if code, _ := score(userP(w.sue), bobCall, fmt.Sprintf(`{"scorecard_id":%d,"scores":[1,1]}`, sc.ID)); code != 200 {
		t.Fatalf("supervisor scores Bob: %d", code)
	}
	code, body = w.api(userP(w.ann), "GET", "/api/v1/reviews", "")
	if code != 200 || !strings.Contains(body, fmt.Sprintf(`"call_id":%d`, annCall)) || strings.Contains(body, fmt.Sprintf(`"call_id":%d`, bobCall)) {
		t.Errorf("Ann's reviews: %d %s; want hers only", code, body)
	}
	if code, _ := w.api(userP(w.ann), "GET", fmt.Sprintf("/api/v1/calls/%d/review", bobCall), ""); code != 404 {
		t.Errorf("Ann reads Bob's review: %d, want 404", code)
	}
	if code, body := w.api(userP(w.ann), "GET", fmt.Sprintf("/api/v1/calls/%d/review", annCall), ""); code != 200 || !strings.Contains(body, `"comment":"clear"`) {
		t.Errorf("Ann reads her review: %d %s", code, body)
	}
	if code, body := w.api(userP(w.tom), "GET", fmt.Sprintf("/api/v1/calls/%d/review", annCall), ""); code != 404 {
		t.Errorf("brand Two reads One's review: %d %s, want 404", code, body)
	}
	if code, body := w.api(userP(w.tom), "GET", "/api/v1/reviews", ""); code != 200 || strings.Contains(body, `"call_id"`) {
		t.Errorf("brand Two lists reviews: %d %s, want none", code, body)
	}
	if code, body := w.api(userP(w.sue), "GET", "/api/v1/reviews?status=done", ""); code != 200 || strings.Count(body, `"call_id"`) != 2 {
		t.Errorf("Sue lists reviews: %d %s, want both", code, body)
	}
	if code, body := w.api(userP(w.max), "PUT", "/api/v1/review-settings", `{"sample_per_week":99}`); code != 422 || !strings.Contains(body, "sample_per_week") {
		t.Errorf("sample 99: %d %s, want 422 naming sample_per_week", code, body)
	}
}

// TestExportIsAZipAndAudited: a manager's export of a call holds call.json (the call, its
// review) and the recording's audio, and the audit log has an export row naming the
// manager; an agent cannot export, another brand gets 404 and no audit row.
func TestExportIsAZipAndAudited(t *testing.T) {
	w := newWorld(t)
	call := w.call(w.one.ID, w.ann.ID, time.Now(), "answered", true)
	sc := w.scorecard(w.one.ID, qa)
	if _, err := w.svc.Score(w.ctx, w.scopeOne, w.sue.ID, call, ScoreInput{ScorecardID: sc.ID, Scores: []int{5, 5}, Comment: "great"}); err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("/api/v1/calls/%d/export", call)
	if code, _ := w.api(userP(w.ann), "GET", url, ""); code != 403 {
		t.Errorf("agent exports: %d, want 403", code)
	}
	twoKey := access.Principal{Kind: "brand_key", Scope: w.scopeTw, Label: "key:two"}
	if code, _ := w.api(twoKey, "GET", url, ""); code != 404 {
		t.Errorf("brand Two's key exports: %d, want 404", code)
	}
	code, body := w.api(userP(w.max), "GET", url, "")
	if code != 200 {
		t.Fatalf("manager exports: %d %.300s", code, body)
	}
	z, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range z.File {
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		files[f.Name] = string(b)
	}
	doc := files["call.json"]
	if !strings.Contains(doc, `"comment": "great"`) || !strings.Contains(doc, `"outcome": "answered"`) || !strings.Contains(doc, `"legs": []`) {
		t.Errorf("call.json: %.1500s", doc)
	}
	var wav string
	for name, b := range files {
		if strings.HasPrefix(name, "recording-") {
			wav = b
		}
	}
	if len(wav) != 44+2*2*8000 {
		t.Errorf("the zip's recording is %d bytes, want the 1 s stereo WAV (%d); files %v", len(wav), 44+2*2*8000, len(files))
	}
	code, body = w.api(userP(w.max), "GET", "/api/v1/recording-audit", "")
	if code != 200 || strings.Count(body, `"action":"export"`) != 1 || !strings.Contains(body, "user:max@one.test") {
		t.Errorf("audit log: %d %s; want one export by Max", code, body)
	}
	if code, body := w.api(twoKey, "GET", "/api/v1/recording-audit", ""); code != 200 || strings.Contains(body, `"action"`) {
		t.Errorf("brand Two reads the audit log: %d %s, want none of One's rows", code, body)
	}
	if code, body := w.api(userP(w.tom), "GET", "/api/v1/recording-audit", ""); code != 403 {
		t.Errorf("a supervisor reads the audit log: %d %s, want 403", code, body)
	}
	if code, _ := w.api(userP(w.ann), "GET", "/api/v1/recording-audit", ""); code != 403 {
		t.Errorf("agent reads the audit log: %d, want 403", code)
	}
}
