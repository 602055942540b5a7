package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/recordings/talk"
	"github.com/wismo/wismo/recordings/transcribe"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// isolationRoute is how the isolation test calls one route as brand B on brand A's objects.
type isolationRoute struct {
	// public is why anyone may call the route: it shows no brand's data, or only what the
	// holder of a link (a tracking number, an unsubscribe token) may see. Public routes are
	// not called.
	public string
	// path is the request with brand A's ids in braces ({parcel}, {case}, {brandA}...); empty
	// means the registered path.
	path string
	// body is a valid request body (JSON), with braces like path.
	body string
	// list marks a list filtered by the caller's scope: it may answer 200, but never with
	// brand A's objects in it.
	list bool
	// stream marks an event stream: its first event is read, then the connection closed.
	stream bool
	// file sends the body as a multipart form with a small text file in "file".
	file bool
	// items marks a batch API that answers 200 with one result per item: every item must be
	// rejected.
	items bool
	// also lists other refusals that are right for this route besides 403 and 404: 400 or 422
	// naming the field that holds A's id.
	also []int
}

// isolationRoutes is every route of the app. A new route fails TestEveryRouteRefusesAnotherBrand
// until it is added here, with a body and brand A's ids, or as public with the reason.
func isolationRoutes() map[string]isolationRoute {
	routes := baseRoutes()
	// The editors: each kind's pages on brand A's brand and objects, forms posted as JSON.
	for kind, extra := range map[string]string{"templates": "preview", "scripts": "", "rules": "check"} {
		obj := "{" + strings.TrimSuffix(kind, "s") + "}"
		pre, page := "/editor/:brand<int>/"+kind, "/editor/{brandA}/"+kind
		routes["GET "+pre+"/new"] = isolationRoute{path: page + "/new"}
		routes["POST "+pre] = isolationRoute{path: page, body: "{}"}
		routes["GET "+pre+"/:id<int>"] = isolationRoute{path: page + "/" + obj}
		routes["POST "+pre+"/:id<int>"] = isolationRoute{path: page + "/" + obj, body: "{}"}
		routes["POST "+pre+"/:id<int>/rollback"] = isolationRoute{path: page + "/" + obj + "/rollback", body: "{}"}
		routes["GET "+pre+"/:id<int>/diff"] = isolationRoute{path: page + "/" + obj + "/diff"}
		if extra != "" {
			routes["POST "+pre+"/"+extra] = isolationRoute{path: page + "/" + extra, body: "{}"}
		}
	}
	return routes
}

// isolationTables are the tables a refused request must leave as they were: every domain's.
// (sessions and api_keys are left out: using a session extends it.)
var isolationTables = []string{"brands", "posts", "users", "user_brands", "transit_standards", "parcels", "events",
	"event_history", "outbox", "comms_settings", "templates", "template_versions", "call_scripts",
	"call_script_versions", "campaigns", "rules", "rule_versions", "contacts", "contact_log", "opt_outs",
	"rule_case_requests", "case_counters", "cases", "case_parcels", "case_log", "case_attachments",
	"business_calendars", "sla_policies", "post_webhooks", "escalations", "agent_states",
	"brand_telephony", "hotline_queues", "hotline_numbers", "calls", "call_legs", "recordings",
	"callback_requests", "outbox_dead_letters", "case_resolution_codes", "case_conversation", "case_macros",
	"call_cases", "callbacks", "parcel_choices", "campaign_pacing", "inbound_settings", "inbound_messages", "inbound_sms_parts", "ratings", "eta_lane_stats", "parcel_updates", "brand_looks", "ivr_prompts", "pickup_points", "elapsed_due", "elapsed_rule_arming", "customs_duties", "call_talk", "call_transfers", "recording_audit", "agent_routing", "queue_routing", "brand_transfers", "talk_thresholds", "scorecards", "review_settings", "call_reviews", "recording_retention", "recording_holds", "call_transcripts", "cc_service_levels", "agent_state_log", "monitor_sessions"}

// fingerprint hashes every row of the isolation tables.
func fingerprint(t *testing.T, db *sql.DB) string {
	t.Helper()
	h := sha256.New()
	for _, table := range isolationTables {
		rows, err := db.Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					vals[i] = string(b)
				}
			}
			lines = append(lines, fmt.Sprint(vals...))
		}
		rows.Close()
		sort.Strings(lines)
		fmt.Fprintf(h, "%s\n%s\n", table, strings.Join(lines, "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// isolationWorld is the wired app with brand A's objects and brand B's credentials.
type isolationWorld struct {
	a         *app
	web       *fiber.App
	ids       map[string]string // placeholders: brand A's ids
	keyA      string
	keyB      string
	sessionsB map[access.Role]*access.Session // brand B's staff, by role
	location  string                          // the Location of the last answer
	base      string                          // the app on a loopback listener, for event streams
}

// multipartFile is the body that call sends as a multipart form with a text file.
const multipartFile = "\x00multipart"

// call sends one request as a brand's key ("Bearer ...") or a session (cookie and CSRF).
func (w *isolationWorld) call(t *testing.T, method, path, body, key string, sess *access.Session) (int, []byte) {
	t.Helper()
	var rd io.Reader
	ctype := "application/json"
	if body == multipartFile {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		f, _ := mw.CreateFormFile("file", "note.txt")
		f.Write([]byte("brand B's note")) //nolint:errcheck // a bytes.Buffer
		mw.Close()
		body, ctype = buf.String(), mw.FormDataContentType()
	}
	if form, ok := strings.CutPrefix(body, "form:"); ok { // a page's form
		body, ctype = form, "application/x-www-form-urlencoded"
	}
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if sess != nil {
		req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: sess.Token})
		req.Header.Set(access.CSRFHeader, sess.CSRF)
	}
	resp, err := w.web.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	w.location = resp.Header.Get("Location")
	return resp.StatusCode, raw
}

// firstEvent reads an event stream over a real loopback connection up to its first event
// (the stream itself runs for most of a minute), then hangs up.
func (w *isolationWorld) firstEvent(t *testing.T, method, path, _, key string, sess *access.Session) (int, []byte) {
	t.Helper()
	if w.base == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go w.web.Listener(ln)                                        //nolint:errcheck // ends with the test's Shutdown
		t.Cleanup(func() { w.web.ShutdownWithTimeout(time.Second) }) //nolint:errcheck // the test is over
		w.base = "http://" + ln.Addr().String()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, w.base+path, nil)
	req.Header.Set("Accept", "text/event-stream")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if sess != nil {
		req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: sess.Token})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	w.location = resp.Header.Get("Location")
	var out bytes.Buffer
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if sc.Text() == "" && bytes.Contains(out.Bytes(), []byte("data:")) {
			break // the first event is whole
		}
	}
	return resp.StatusCode, out.Bytes()
}

func (w *isolationWorld) fill(s string) string {
	for k, v := range w.ids {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// newIsolationWorld wires the whole app as serve does (every domain's routes), with brand A's
// parcel, event, case, standard flow (templates, scripts, rules, campaign) and a call, a
// partner post, and brand B's key and brand manager.
func newIsolationWorld(t *testing.T) *isolationWorld {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	t.Setenv("WISMO_DATABASE_URL", storetest.URL(t))
	t.Setenv("WISMO_DATA_DIR", t.TempDir())
	t.Setenv("WISMO_SIP_ADDR", "127.0.0.1:0")
	t.Setenv("WISMO_DEMO", "false")
	t.Setenv("WISMO_JOBS", "none")
	t.Setenv("WISMO_LOG_LEVEL", "error")
	cfg, _, err := parseFlags("serve", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.db.Close() })
	n, err := a.wire(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.tel.eng.Close() })
	w := &isolationWorld{a: a, web: n.web, ids: map[string]string{}}
	newBrand := func(name string) (access.Brand, string) {
		b, key, err := a.access.CreateBrand(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return b, key
	}
	brandA, keyA := newBrand("Alpha")
	brandB, keyB := newBrand("Beta")
	post, postKey, err := a.access.CreatePost(ctx, "GB", "Royal Mail")
	if err != nil {
		t.Fatal(err)
	}
	w.keyA, w.keyB = keyA, keyB
	w.sessionsB = map[access.Role]*access.Session{}
	for _, role := range []access.Role{access.RoleAgent, access.RoleSupervisor, access.RoleBrandManager} {
		email := string(role) + "@beta.test"
		if _, err := a.access.CreateUser(ctx, email, "a long password 1", role, []int64{brandB.ID}); err != nil {
			t.Fatal(err)
		}
		sess, err := a.access.Login(ctx, email, "a long password 1")
		if err != nil {
			t.Fatal(err)
		}
		w.sessionsB[role] = &sess
	}
	w.ids["brandA"] = strconv.FormatInt(brandA.ID, 10)
	w.ids["post"] = strconv.FormatInt(post.ID, 10)
	parcel := "RB123456785GB"
	w.ids["parcel"] = parcel
	mustJSON := func(method, path, body string, out any) {
		t.Helper()
		code, raw := w.call(t, method, path, body, keyA, nil)
		if code/100 != 2 {
			t.Fatalf("brand A: %s %s: %d %s", method, path, code, raw)
		}
		if out != nil {
			if err := json.Unmarshal(raw, out); err != nil {
				t.Fatalf("%s %s: %v: %s", method, path, err, raw)
			}
		}
	}
	p := trackingtest.Parcel(parcel)
	mustJSON("POST", "/api/v1/parcels", trackingtest.JSON(map[string]any{"parcels": []tracking.ParcelInput{p}}), nil)
	mustJSON("POST", "/api/v1/events", trackingtest.JSON(map[string]any{"events": []tracking.EventInput{trackingtest.Event(parcel, "EMA", "2026-12-01T10:00:00Z")}}), nil)
	var cs struct {
		ID     int64
		Number string
	}
	mustJSON("POST", "/api/v1/cases", `{"parcels": ["`+parcel+`"], "type": "non_receipt_or_delay", "source": "call", "note": "customer called"}`, &cs)
	w.ids["case"], w.ids["caseID"] = cs.Number, strconv.FormatInt(cs.ID, 10)
	var cs2 struct{ Number string }
	mustJSON("POST", "/api/v1/cases", `{"parcels": ["`+parcel+`"], "type": "damage", "source": "email", "note": "a duplicate"}`, &cs2)
	w.ids["case2"] = cs2.Number
	var tpl struct{ Templates []struct{ ID int64 } }
	mustJSON("GET", "/api/v1/templates", "", &tpl)
	var scr struct{ Scripts []struct{ ID int64 } }
	mustJSON("GET", "/api/v1/scripts", "", &scr)
	var rul struct{ Rules []struct{ ID int64 } }
	mustJSON("GET", "/api/v1/rules", "", &rul)
	var camps struct{ Campaigns []struct{ ID int64 } }
	mustJSON("GET", "/api/v1/campaigns", "", &camps)
	if len(tpl.Templates) == 0 || len(scr.Scripts) == 0 || len(rul.Rules) == 0 || len(camps.Campaigns) == 0 {
		t.Fatalf("brand A's standard flow: %+v %+v %+v %+v", tpl, scr, rul, camps)
	}
	w.ids["template"] = strconv.FormatInt(tpl.Templates[0].ID, 10)
	w.ids["script"] = strconv.FormatInt(scr.Scripts[0].ID, 10)
	w.ids["rule"] = strconv.FormatInt(rul.Rules[0].ID, 10)
	w.ids["campaign"] = strconv.FormatInt(camps.Campaigns[0].ID, 10)
	call := &callcenter.Call{Direction: "outbound", Mode: "preview", BrandID: brandA.ID, ParcelID: parcel,
		From: "sip:agent@wismo", To: "+79131234567", SIPCallID: "isolation-1", StartedAt: time.Now().UTC(), Outcome: callcenter.Answered}
	if err := callcenter.NewCallLog(a.db).Create(ctx, call); err != nil {
		t.Fatal(err)
	}
	w.ids["call"] = strconv.FormatInt(call.ID, 10)
	// Routing (callcenter/routing): brand A's agent and hotline queue.
	agentA, err := a.access.CreateUser(ctx, "agent@alpha.test", "a long password 1", access.RoleAgent, []int64{brandA.ID})
	if err != nil {
		t.Fatal(err)
	}
	var queueA int64
	if err := a.db.SQL.QueryRowContext(ctx, a.db.Rebind(`INSERT INTO hotline_queues (name, brand_id) VALUES ('Alpha support', ?) RETURNING id`), brandA.ID).Scan(&queueA); err != nil {
		t.Fatal(err)
	}
	w.ids["agentA"], w.ids["queueA"] = strconv.FormatInt(agentA.ID, 10), strconv.FormatInt(queueA, 10)
	rec, err := n.tel.recs.Start(ctx, call.ID, brandA.ID, call.StartedAt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.tel.recs.Finish(ctx, rec, brandA.ID); err != nil {
		t.Fatal(err)
	}
	w.ids["recording"] = strconv.FormatInt(rec.ID(), 10)
	if cnt, err := n.tel.talk.AnalyzePending(ctx, talk.Batch); err != nil || cnt != 1 {
		t.Fatalf("talk analytics of the recording: %d, %v", cnt, err)
	}
	var card struct{ ID int64 }
	mustJSON("POST", "/api/v1/scorecards", `{"name": "Ours", "criteria": [{"name": "Greeting", "weight": 1}, {"name": "Help", "weight": 2}], "pass_mark": 70}`, &card)
	w.ids["scorecard"] = strconv.FormatInt(card.ID, 10)
	var rv struct{ ID int64 }
	mustJSON("PUT", "/api/v1/calls/"+w.ids["call"]+"/review", `{"scorecard_id": `+w.ids["scorecard"]+`, "scores": [5, 4], "comment": "ours"}`, &rv)
	w.ids["callreview"] = strconv.FormatInt(rv.ID, 10)
	if cnt, err := transcribe.NewService(a.db, saysHello{}, a.log).TranscribePending(ctx, transcribe.Batch); err != nil || cnt != 1 {
		t.Fatalf("transcript of the recording: %d, %v", cnt, err)
	}
	var att struct{ ID int64 }
	mustJSON("POST", "/api/v1/cases/"+cs.Number+"/attachments", multipartFile, &att)
	w.ids["attachment"] = strconv.FormatInt(att.ID, 10)
	var macro struct{ ID int64 }
	mustJSON("POST", "/api/v1/macros", `{"name": "Ours", "note": "checked the parcel"}`, &macro)
	w.ids["macro"] = strconv.FormatInt(macro.ID, 10)
	// A contact whose fate a crash hid, and a dead letter of A's: rows as the dialer and the
	// outbox write them (no job runs here to make them).
	now := store.TimeArg(&call.StartedAt)
	var contact int64
	if err := a.db.SQL.QueryRowContext(ctx, a.db.Rebind(`INSERT INTO contacts (brand_id, parcel_id, channel, status,
		recipient, time_zone, not_before, due_at, created_at, updated_at)
		VALUES (?, ?, 'sms', 'unknown', '+79131234567', 'Asia/Novosibirsk', ?, ?, ?, ?) RETURNING id`),
		brandA.ID, parcel, now, now, now, now).Scan(&contact); err != nil {
		t.Fatal(err)
	}
	w.ids["contact"] = strconv.FormatInt(contact, 10)
	var letter int64
	if err := a.db.SQL.QueryRowContext(ctx, a.db.Rebind(`INSERT INTO outbox_dead_letters (consumer, message_id, part, topic,
		brand_id, item_id, payload, created_at, error, attempts, first_failed_at, last_failed_at, status, updated_at)
		VALUES ('scripts.rules', 1, 0, 'tracking.event', ?, ?, '{}', ?, 'failed', 3, ?, ?, 'dead', ?) RETURNING id`),
		brandA.ID, parcel, now, now, now, now).Scan(&letter); err != nil {
		t.Fatal(err)
	}
	w.ids["letter"] = strconv.FormatInt(letter, 10)
	var review int64 // a message of A's review queue, as package inbound records it
	if err := a.db.SQL.QueryRowContext(ctx, a.db.Rebind(`INSERT INTO inbound_messages (brand_id, channel, sender, recipient, outcome, body, created_at)
		VALUES (?, 'sms', '+15550001111', '+447700900123', 'review', 'who is this', ?) RETURNING id`), brandA.ID, now).Scan(&review); err != nil {
		t.Fatal(err)
	}
	w.ids["review"] = strconv.FormatInt(review, 10)
	w.ids["name"] = url.QueryEscape("Петров")
	// The post's webhook (never called: no jobs run), so that A's case can be escalated.
	if code, raw := w.call(t, "PUT", "/api/v1/posts/"+w.ids["post"]+"/webhook", `{"url": "https://example.com/hook"}`, postKey, nil); code/100 != 2 {
		t.Fatalf("post webhook: %d %s", code, raw)
	}
	var esc struct{ Escalations []struct{ ID int64 } }
	mustJSON("POST", "/api/v1/cases/"+cs.Number+"/escalate", `{"to": "origin"}`, &esc)
	if len(esc.Escalations) != 1 {
		t.Fatalf("brand A's escalation: %+v", esc)
	}
	w.ids["escalation"] = strconv.FormatInt(esc.Escalations[0].ID, 10)
	// Whole objects of A's for the PUT bodies, renamed as if B wanted them.
	var camp, rule map[string]any
	mustJSON("GET", "/api/v1/campaigns/"+w.ids["campaign"], "", &camp)
	mustJSON("GET", "/api/v1/rules/"+w.ids["rule"], "", &rule)
	w.ids["campaignJSON"] = renamed(t, camp, "campaign")
	w.ids["ruleJSON"] = renamed(t, rule, "rule")
	// B's own standard flow, installed by its first read, before the walk measures changes.
	for _, path := range []string{"/api/v1/templates", "/api/v1/scripts", "/api/v1/rules", "/api/v1/campaigns"} {
		if code, raw := w.call(t, "GET", path, "", keyB, nil); code != 200 {
			t.Fatalf("brand B: GET %s: %d %s", path, code, raw)
		}
	}
	return w
}

// TestEveryRouteRefusesAnotherBrand walks every route the app registers: brand B's API key and
// brand B's staff sessions (agent, supervisor, brand manager), aimed at brand A's objects, are refused (403 or 404, or the 4xx the
// route names) and change nothing; lists filtered by scope show none of A's objects. A route
// missing from isolationRoutes fails the test.
func TestEveryRouteRefusesAnotherBrand(t *testing.T) {
	w := newIsolationWorld(t)
	table := isolationRoutes()
	seen := map[string]bool{}
	var routes []fiber.Route
	for _, r := range w.web.GetRoutes(true) {
		k := r.Method + " " + r.Path
		if r.Method == fiber.MethodHead || r.Method == "USE" || seen[k] {
			continue
		}
		seen[k] = true
		routes = append(routes, r)
	}
	for k := range table {
		if !seen[k] {
			t.Errorf("%s is in isolationRoutes but the app has no such route: remove or rename it", k)
		}
	}
	markers := []string{w.ids["parcel"], w.ids["case"], "Alpha"} // A's parcel, case and brand name
	for _, r := range routes {
		k := r.Method + " " + r.Path
		rt, ok := table[k]
		if !ok {
			t.Errorf("%s is not in isolationRoutes (cmd/wismo/isolation_test.go): add it with a valid body and brand A's ids, or as public with the reason", k)
			continue
		}
		if rt.public != "" {
			continue
		}
		path := rt.path
		if path == "" {
			path = r.Path
		}
		path, body := w.fill(path), w.fill(rt.body)
		if rt.file {
			body = multipartFile
		}
		for _, as := range []struct {
			name string
			key  string
			sess *access.Session
		}{{"brand B's key", w.keyB, nil}, {"brand B's brand manager", "", w.sessionsB[access.RoleBrandManager]},
			{"brand B's supervisor", "", w.sessionsB[access.RoleSupervisor]}, {"brand B's agent", "", w.sessionsB[access.RoleAgent]}} {
			before := fingerprint(t, w.a.db.SQL)
			call := w.call
			if rt.stream {
				call = w.firstEvent
			}
			code, raw := call(t, r.Method, path, body, as.key, as.sess)
			after := fingerprint(t, w.a.db.SQL)
			refused := code == 403 || code == 404 || slices.Contains(rt.also, code)
			if as.sess == nil && (code == 401 || code == 303 && strings.HasPrefix(w.location, "/login")) {
				refused = true // a staff page does not take API keys: the key is sent to log in
			}
			switch {
			case rt.items && code == 200:
				refused = bytes.Contains(raw, []byte(`"rejected"`)) && !bytes.Contains(raw, []byte(`"accepted"`)) && !bytes.Contains(raw, []byte(`"updated"`))
			case rt.list && code/100 == 3: // to the caller's own page, not A's
				refused = !strings.HasPrefix(w.location, "/editor/"+w.ids["brandA"])
			case rt.list && code/100 == 2:
				refused = true
				for _, m := range markers {
					if bytes.Contains(raw, []byte(m)) {
						refused = false
					}
				}
			}
			if !refused {
				t.Errorf("%s as %s on brand A's objects (%s %s): %d %.300s", k, as.name, r.Method, path, code, raw)
			}
			if before != after && !rt.list {
				t.Errorf("%s as %s on brand A's objects (%s %s) changed the database (answered %d)", k, as.name, r.Method, path, code)
			}
		}
	}
	// Brand A's own key reaches the objects: the refusals above were about the brand, not
	// about ids that do not exist.
	for _, path := range []string{"/api/v1/parcels/{parcel}", "/api/v1/cases/{case}", "/api/v1/cases/{case}/attachments/{attachment}",
		"/api/v1/templates/{template}", "/api/v1/scripts/{script}/versions", "/api/v1/rules/{rule}", "/api/v1/campaigns/{campaign}",
		"/api/v1/calls/{call}", "/api/v1/calls/{call}/talk", "/api/v1/calls/{call}/talk.svg", "/api/v1/calls/{call}/transcript", "/api/v1/recordings/{recording}", "/api/v1/brands/{brandA}/telephony", "/api/v1/sla",
		"/api/v1/comms/windows", "/api/v1/brands/{brandA}/agents/{agentA}/routing", "/api/v1/hotline/queues/{queueA}/routing"} {
		if code, raw := w.call(t, "GET", w.fill(path), "", w.keyA, nil); code != 200 {
			t.Errorf("brand A reading its own %s: %d %.200s", path, code, raw)
		}
	}
	if _, err := w.a.access.CreateUser(context.Background(), "supervisor@alpha.test", "a long password 1", access.RoleSupervisor, []int64{parseID(w.ids["brandA"])}); err != nil {
		t.Fatal(err)
	}
	supA, err := w.a.access.Login(context.Background(), "supervisor@alpha.test", "a long password 1")
	if err != nil {
		t.Fatal(err)
	}
	if code, raw := w.call(t, "GET", w.fill("/api/v1/dead-letters/{letter}"), "", "", &supA); code != 200 {
		t.Errorf("brand A's supervisor reading A's dead letter: %d %.200s", code, raw)
	}
	if code, raw := w.call(t, "GET", "/api/v1/contacts?status=unknown", "", w.keyA, nil); code != 200 || !bytes.Contains(raw, []byte(`"id":`+w.ids["contact"])) {
		t.Errorf("brand A's contacts to review: %d %.200s", code, raw)
	}
}

// renamed returns obj (or obj[key], when the API wraps it) as JSON with a name of B's.
func renamed(t *testing.T, obj map[string]any, key string) string {
	t.Helper()
	if inner, ok := obj[key].(map[string]any); ok {
		obj = inner
	}
	obj["name"] = "taken by brand B"
	raw, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func parseID(s string) int64 {
	id, _ := strconv.ParseInt(s, 10, 64)
	return id
}

// saysHello is a speech engine that hears "hello" on every side (the isolation walk needs a
// stored transcript, not a real engine's words).
type saysHello struct{}

func (saysHello) Name() string { return "hello" }

func (saysHello) Transcribe(context.Context, []int16, int, string) (transcribe.Result, error) {
	return transcribe.Result{Text: "hello"}, nil
}
