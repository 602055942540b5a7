package cases_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/search"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// caseAPI is the parcel, case and search API of e behind real authentication.
func caseAPI(e *casestest.Env) *fiber.App {
	return e.API(func(r fiber.Router) {
		cases.CaseRoutes(r, e.Cases)
		search.Routes(r, search.New(e.DB, search.NewEmbeddedBackend(e.DB)))
	})
}

func multipartFile(t *testing.T, name string, data []byte) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

func TestCaseAPI(t *testing.T) {
	e := casestest.New(t)
	app := caseAPI(e)
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))

	var created cases.CaseView
	if st := trackingtest.Call(t, app, "POST", "/api/v1/cases", e.KeyA, "", []byte(`{"parcels": ["RB123456785GB"], "type": "damage",
		"priority": "high", "note": "the box arrived wet"}`), &created); st != 201 || created.Number != "BA-000001" || len(created.Timeline) != 2 {
		t.Fatalf("open: %d %+v", st, created)
	}
	var bad struct {
		Error struct {
			Status int                `json:"status"`
			Fields []input.FieldError `json:"fields"`
		} `json:"error"`
	}
	if st := trackingtest.Call(t, app, "POST", "/api/v1/cases", e.KeyA, "", []byte(`{"parcels": [], "type": "lost", "colour": "red"}`), &bad); st != 422 ||
		len(bad.Error.Fields) != 1 || bad.Error.Fields[0].Field != "colour" {
		t.Fatalf("unknown field: %d %+v", st, bad)
	}
	if st := trackingtest.Call(t, app, "POST", "/api/v1/cases", e.KeyA, "", []byte(`{"parcels": [], "type": "lost"}`), &bad); st != 422 || len(bad.Error.Fields) != 2 {
		t.Fatalf("invalid case: %d %+v", st, bad)
	}
	if st := trackingtest.Call(t, app, "GET", "/api/v1/cases/BA-000001", e.KeyB, "", nil, nil); st != 404 {
		t.Fatalf("brand B reads brand A's case: %d", st)
	}
	if st := trackingtest.Call(t, app, "PATCH", "/api/v1/cases/BA-000001", e.KeyA, "", []byte(`{"status": "closed"}`), nil); st != 409 {
		t.Fatalf("new to closed: %d", st)
	}
	if st := trackingtest.Call(t, app, "PATCH", "/api/v1/cases/BA-000001", e.PostKeyGB, "", []byte(`{"status": "open"}`), nil); st != 403 {
		t.Fatalf("a post patches a case: %d", st)
	}
	var patched cases.CaseView
	if st := trackingtest.Call(t, app, "PATCH", "/api/v1/cases/ba-000001", e.KeyA, "", []byte(`{"status": "open", "queue": "damage"}`), &patched); st != 200 ||
		patched.Status != cases.StatusOpen || patched.Queue != "damage" {
		t.Fatalf("patch: %d %+v", st, patched)
	}

	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)
	body, ct := multipartFile(t, "../../photo.png", png)
	var att cases.AttachmentView
	if st := trackingtest.Call(t, app, "POST", "/api/v1/cases/BA-000001/attachments", e.KeyA, ct, body, &att); st != 201 || att.ContentType != "image/png" || att.Filename != "photo.png" {
		t.Fatalf("attach PNG: %d %+v", st, att)
	}
	body, ct = multipartFile(t, "invoice.pdf", []byte("<html><script>alert(1)</script></html>"))
	if st := trackingtest.Call(t, app, "POST", "/api/v1/cases/BA-000001/attachments", e.KeyA, ct, body, nil); st != 415 {
		t.Fatalf("HTML named .pdf: %d", st)
	}
	body, ct = multipartFile(t, "big.txt", bytes.Repeat([]byte("a"), cases.MaxAttachmentBytes+1))
	if st := trackingtest.Call(t, app, "POST", "/api/v1/cases/BA-000001/attachments", e.KeyA, ct, body, nil); st != 413 {
		t.Fatalf("too big: %d", st)
	}
	req := httptest.NewRequest("GET", fmt.Sprintf("/api/v1/cases/BA-000001/attachments/%d", att.ID), nil)
	req.Header.Set("Authorization", "Bearer "+e.KeyA)
	resp, err := app.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !bytes.Equal(got, png) || resp.Header.Get("Content-Type") != "image/png" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %q", resp.StatusCode, resp.Header)
	}

	var search struct {
		Hits []search.Hit `json:"hits"`
	}
	if st := trackingtest.Call(t, app, "GET", "/api/v1/search?q=rb%201234%205678%205%20gb", e.KeyA, "", nil, &search); st != 200 || len(search.Hits) == 0 ||
		search.Hits[0].ID != "RB123456785GB" || search.Hits[0].OpenCases != 1 {
		t.Fatalf("search: %d %+v", st, search)
	}
	if trackingtest.Call(t, app, "GET", "/api/v1/search?q=RB123456785GB", e.KeyB, "", nil, &search); len(search.Hits) != 0 {
		t.Fatalf("brand B finds brand A's parcel: %+v", search.Hits)
	}

	var sla cases.SLAConfigJSON
	if st := trackingtest.Call(t, app, "GET", "/api/v1/sla", e.KeyA, "", nil, &sla); st != 200 || sla.TimeZone != cases.DefaultSLAZone || len(sla.Policies) != len(cases.CaseTypes) {
		t.Fatalf("sla: %d %+v", st, sla)
	}
	if st := trackingtest.Call(t, app, "PUT", "/api/v1/sla", e.KeyA, "", []byte(`{"time_zone": "Mars/Base", "hours": {}}`), &bad); st != 422 {
		t.Fatalf("bad SLA: %d", st)
	}
	if st := trackingtest.Call(t, app, "PUT", "/api/v1/sla", e.KeyA, "", []byte(`{"time_zone": "Asia/Novosibirsk",
		"hours": {"mon": [["08:00","20:00"]], "tue": [["08:00","20:00"]], "wed": [["08:00","20:00"]], "thu": [["08:00","20:00"]],
		"fri": [["08:00","20:00"]], "sat": [["10:00","16:00"]], "sun": [["10:00","16:00"]]}, "holidays": ["2027-01-01"],
		"policies": [{"case_type": "damage", "first_response_minutes": 30, "resolution_minutes": 600}]}`), &sla); st != 200 ||
		sla.Policies[1].FirstResponseMinutes != 30 {
		t.Fatalf("set SLA: %d %+v", st, sla)
	}

	postID, _, _ := e.PostGB.Post()
	var hook struct{ Secret string }
	if st := trackingtest.Call(t, app, "PUT", fmt.Sprintf("/api/v1/posts/%d/webhook", postID), e.KeyA, "", []byte(`{"url": "http://127.0.0.1:1/hook"}`), nil); st != 403 {
		t.Fatalf("a brand sets a post's webhook: %d", st)
	}
	if st := trackingtest.Call(t, app, "PUT", fmt.Sprintf("/api/v1/posts/%d/webhook", postID), e.PostKeyGB, "", []byte(`{"url": "http://127.0.0.1:1/hook"}`), &hook); st != 200 || hook.Secret == "" {
		t.Fatalf("set webhook: %d %+v", st, hook)
	}
	var esc cases.CaseView
	if st := trackingtest.Call(t, app, "POST", "/api/v1/cases/BA-000001/escalate", e.KeyA, "", []byte(`{"to": "origin", "message": "wet box"}`), &esc); st != 200 ||
		esc.Status != cases.StatusWaitingPartnerPost || len(esc.Escalations) != 1 {
		t.Fatalf("escalate: %d %+v", st, esc)
	}
	answer := fmt.Sprintf("/api/v1/escalations/%d/answer", esc.Escalations[0].ID)
	if st := trackingtest.Call(t, app, "POST", answer, e.KeyA, "", []byte(`{"message": "done"}`), nil); st != 404 {
		t.Fatalf("a brand answers for the post: %d", st)
	}
	var ans struct{ Status cases.CaseStatus }
	if st := trackingtest.Call(t, app, "POST", answer, e.PostKeyGB, "", []byte(`{"message": "the item was wet at acceptance"}`), &ans); st != 200 || ans.Status != cases.StatusOpen {
		t.Fatalf("answer: %d %+v", st, ans)
	}
	var list struct {
		Cases []cases.CaseView `json:"cases"`
	}
	if st := trackingtest.Call(t, app, "GET", "/api/v1/cases?status=open&type=damage", e.KeyA, "", nil, &list); st != 200 || len(list.Cases) != 1 {
		t.Fatalf("list: %d %+v", st, list)
	}
	var tl struct {
		Timeline []cases.TimelineEntry `json:"timeline"`
	}
	if st := trackingtest.Call(t, app, "GET", "/api/v1/parcels/RB123456785GB/timeline", e.KeyA, "", nil, &tl); st != 200 || len(tl.Timeline) < 5 {
		t.Fatalf("parcel timeline: %d %d entries", st, len(tl.Timeline))
	}
}
