package editor

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/branding"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/ivr"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/scripts"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// editorEnv is the portal with the editors' services over a fresh database: brands A and
// B, a manager of each, a manager of both, and one parcel of brand A.
type editorEnv struct {
	t              *testing.T
	app            *fiber.App
	scripts        *scripts.Service
	dialer         *dialer.Service
	brandA, brandB int64
}

const editorPassword = "correct horse battery"

func newEditorEnv(t *testing.T) *editorEnv {
	t.Helper()
	db := storetest.Open(t)
	log := storetest.Logger(t)
	ctx := context.Background()
	acc := access.NewService(db)
	cs := tracking.NewService(db, log, nil)
	dl, err := dialer.New(db, log, dialer.Options{PublicURL: "http://127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	looks := branding.New(db)
	prompts, err := ivr.New(ivr.Config{Dir: t.TempDir(), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	sc := scripts.New(db, log, scripts.Options{PublicURL: "http://127.0.0.1:8080", Planner: dl, Parcels: cs, Brands: acc})
	app := portal.New(portal.Deps{Log: log, DB: db, Access: acc, Cases: cs, PublicURL: "http://127.0.0.1:8080",
		Looks: looks, Routes: []func(fiber.Router){func(r fiber.Router) {
			Routes(r, Options{Access: acc, Scripts: sc, Dialer: dl, Looks: looks, Prompts: ivr.NewSettings(db)})
			ivr.Routes(r, ivr.NewSettings(db), prompts)
		}}})
	a, keyA, _ := acc.CreateBrand(ctx, "Brand A")
	b, _, err := acc.CreateBrand(ctx, "Brand B")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		email  string
		brands []int64
		role   access.Role
	}{{"mgr@a.example", []int64{a.ID}, access.RoleBrandManager}, {"mgr@b.example", []int64{b.ID}, access.RoleBrandManager},
		{"mgr@ab.example", []int64{a.ID, b.ID}, access.RoleBrandManager}, {"sup@a.example", []int64{a.ID}, access.RoleSupervisor}} {
		if _, err := acc.CreateUser(ctx, u.email, editorPassword, u.role, u.brands); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int64{a.ID, b.ID} {
		if err := sc.EnsureStandardFlow(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	req := httptest.NewRequest("POST", "/api/v1/parcels", strings.NewReader(parcelJSON))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+keyA)
	if resp, err := app.Test(req, -1); err != nil || resp.StatusCode != 200 {
		t.Fatalf("ingest the parcel: %v %v", err, resp)
	}
	return &editorEnv{t: t, app: app, scripts: sc, dialer: dl, brandA: a.ID, brandB: b.ID}
}

// manager logs a manager in through the login form.
func (e *editorEnv) manager(email string) *browser {
	e.t.Helper()
	b := &browser{t: e.t, app: e.app, cookies: map[string]string{}}
	if r := b.login(email, editorPassword, ""); r.status != http.StatusSeeOther {
		e.t.Fatalf("login %s: %d %s", email, r.status, r.body)
	}
	return b
}

// page GETs a page and returns it with the CSRF token of its forms.
func (e *editorEnv) page(b *browser, path string) (reply, string) {
	e.t.Helper()
	r := b.do("GET", path, nil)
	m := csrfField.FindStringSubmatch(r.body)
	if r.status != 200 || m == nil {
		e.t.Fatalf("GET %s: want the page with a form, got %d %s", path, r.status, r.body)
	}
	return r, m[1]
}

func (e *editorEnv) template(brand int64, name, channel, lang string) scripts.Template {
	e.t.Helper()
	list, err := e.scripts.Templates(context.Background(), brand)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, t := range list {
		if t.Name == name && t.Channel == channel && t.Language == lang {
			return t
		}
	}
	e.t.Fatalf("brand %d has no %s template %s in %s", brand, channel, name, lang)
	return scripts.Template{}
}

// errorsFor returns the text of the error box beside a field.
func errorsFor(body, field string) string {
	re := regexp.MustCompile(`data-errors-for="` + regexp.QuoteMeta(field) + `"[^>]*>(.*?)</div>`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], " "))
}

// diffRow reports whether a diff page has a row of kind (del, ins, same) containing text.
func diffRow(body, kind, text string) bool {
	for _, row := range strings.Split(body, "<tr ")[1:] {
		row, _, _ = strings.Cut(row, "</tr>")
		if strings.HasPrefix(row, `class="`+kind+`"`) && strings.Contains(row, text) {
			return true
		}
	}
	return false
}

func location(r reply) string { return r.header.Get("Location") }

func TestEditorTemplatePublishDiffRollback(t *testing.T) {
	e := newEditorEnv(t)
	ctx := context.Background()
	mgr := e.manager("mgr@a.example")
	base := fmt.Sprintf("/editor/%d", e.brandA)
	if r := mgr.do("GET", "/editor", nil); r.status != http.StatusSeeOther || location(r) != base {
		t.Fatalf("a manager of one brand should land on it: %d %q", r.status, location(r))
	}
	overview, _ := e.page(mgr, base)
	tpl := e.template(e.brandA, "sorting_center", "sms", "en")
	if !strings.Contains(overview.body, fmt.Sprintf(`href="%s/templates/%d"`, base, tpl.ID)) {
		t.Fatalf("the overview should link the brand's templates: %s", overview.body)
	}
	edit := fmt.Sprintf("%s/templates/%d", base, tpl.ID)
	page, token := e.page(mgr, edit)
	if !strings.Contains(page.body, `id="sms-encoding">GSM-7`) || !strings.Contains(page.body, "Brand A: parcel") {
		t.Fatalf("the editor should show the sample preview with the brand's name and its encoding: %s", page.body)
	}

	// Preview on one of the brand's parcels.
	r := mgr.do("GET", edit+"?parcel=RB123456785GB", nil)
	if !strings.Contains(r.body, `<div class="sms-bubble" id="preview-text">Brand A: parcel RB123456785GB`) {
		t.Fatalf("preview on the parcel should show its id: %s", r.body)
	}

	// A template error is shown beside the field, with the user's text kept, and nothing is published.
	broken := "Parcel {{.parcel.id is here"
	r = mgr.do("POST", edit, url.Values{"_csrf": {token}, "sms_text": {broken}, "op": {"publish"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(errorsFor(r.body, "sms_text"), "line 1") ||
		!strings.Contains(r.body, ">"+html.EscapeString(broken)+"</textarea>") {
		t.Fatalf("a broken template: want 422 with the error beside sms_text and the text kept, got %d %q\n%s", r.status, errorsFor(r.body, "sms_text"), r.body)
	}
	if cur, _ := e.scripts.Template(ctx, e.brandA, tpl.ID, 0); cur.Version != 1 {
		t.Fatalf("a broken template must not be published: version %d", cur.Version)
	}

	// Publish version 2.
	newText := "{{.brand.name}}: your parcel {{.parcel.id}} reached the sorting centre. {{.tracking_link}}"
	r = mgr.do("POST", edit, url.Values{"_csrf": {token}, "sms_text": {newText}, "op": {"publish"}})
	if r.status != http.StatusSeeOther || location(r) != edit+"?saved=2" {
		t.Fatalf("publish: %d %q %s", r.status, location(r), r.body)
	}
	page = mgr.do("GET", location(r), nil)
	if !strings.Contains(page.body, "Published version 2.") || !strings.Contains(page.body, html.EscapeString(newText)) ||
		!strings.Contains(page.body, "Roll back to version 1") {
		t.Fatalf("after publishing: want the notice, the new text and version 1 in the history: %s", page.body)
	}
	if cur, _ := e.scripts.Template(ctx, e.brandA, tpl.ID, 0); cur.Version != 2 || cur.Content.SMS != newText {
		t.Fatalf("published: %+v", cur)
	}
	versions, _ := e.scripts.TemplateVersions(ctx, e.brandA, tpl.ID)
	if versions[0].Author != "mgr@a.example" {
		t.Fatalf("the version should name its author: %+v", versions[0])
	}

	// The diff shows the old line removed and the new one added.
	r = mgr.do("GET", edit+"/diff?from=1&to=2", nil)
	if r.status != 200 || !diffRow(r.body, "del", "is at the sorting centre") || !diffRow(r.body, "ins", "reached the sorting centre") ||
		diffRow(r.body, "ins", "is at the sorting centre") {
		t.Fatalf("diff: %d %s", r.status, r.body)
	}

	// Roll back to version 1: its text is published as version 3.
	r = mgr.do("POST", edit+"/rollback", url.Values{"_csrf": {token}, "version": {"1"}})
	if r.status != http.StatusSeeOther || location(r) != edit+"?saved=3&rolledback=1" {
		t.Fatalf("rollback: %d %q %s", r.status, location(r), r.body)
	}
	if cur, _ := e.scripts.Template(ctx, e.brandA, tpl.ID, 0); cur.Version != 3 || cur.Content.SMS != tpl.Content.SMS {
		t.Fatalf("after the rollback the first text should be published as version 3: %+v", cur)
	}
	if page := mgr.do("GET", location(r), nil); !strings.Contains(page.body, "Rolled back: version 1 is published again as version 3.") {
		t.Fatalf("rollback notice missing: %s", page.body)
	}
	if r := mgr.do("GET", edit+"/diff?from=1&to=3", nil); !strings.Contains(r.body, `id="no-changes"`) {
		t.Fatalf("version 3 should say what version 1 said: %s", r.body)
	}

	// Without its CSRF token a publish is refused.
	if r := mgr.do("POST", edit, url.Values{"sms_text": {"x"}}); r.status != http.StatusForbidden {
		t.Fatalf("POST without the CSRF token: want 403, got %d", r.status)
	}
}

func TestEditorNewTemplateKeepsInputOnErrors(t *testing.T) {
	e := newEditorEnv(t)
	mgr := e.manager("mgr@a.example")
	base := fmt.Sprintf("/editor/%d", e.brandA)
	_, token := e.page(mgr, base+"/templates/new?channel=email")
	r := mgr.do("POST", base+"/templates", url.Values{"_csrf": {token}, "name": {"Bad Name"}, "channel": {"email"}, "language": {"en"},
		"subject": {"<b>Hi</b> {{.parcel.id}}"}, "text_body": {""}, "op": {"publish"}})
	if r.status != http.StatusUnprocessableEntity || errorsFor(r.body, "name") == "" || !strings.Contains(r.body, `value="Bad Name"`) ||
		!strings.Contains(r.body, `value="&lt;b&gt;Hi&lt;/b&gt; {{.parcel.id}}"`) {
		t.Fatalf("a bad new template: want 422 with the name's error and the input kept (escaped): %d %q %s", r.status, errorsFor(r.body, "name"), r.body)
	}
	r = mgr.do("POST", base+"/templates", url.Values{"_csrf": {token}, "name": {"welcome"}, "channel": {"email"}, "language": {"ru"},
		"subject": {"Посылка {{.parcel.id}}"}, "text_body": {"Здравствуйте, {{.recipient.first_name}}!"}, "op": {"publish"}})
	if r.status != http.StatusSeeOther || !strings.HasSuffix(location(r), "?saved=1") {
		t.Fatalf("create: %d %q %s", r.status, location(r), r.body)
	}
	if got := e.template(e.brandA, "welcome", "email", "ru"); got.Content.Subject != "Посылка {{.parcel.id}}" {
		t.Fatalf("created: %+v", got)
	}
}

func TestEditorLivePreviewEndpoint(t *testing.T) {
	e := newEditorEnv(t)
	mgr := e.manager("mgr@a.example")
	base := fmt.Sprintf("/editor/%d", e.brandA)
	_, token := e.page(mgr, base)
	preview := func(body string, csrf string) (int, map[string]any) {
		req := httptest.NewRequest("POST", base+"/templates/preview", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		for k, v := range mgr.cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		resp, err := e.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out) //nolint:errcheck
		return resp.StatusCode, out
	}
	status, out := preview(`{"channel":"sms","content":{"sms_text":"Hello {{.parcel.id}}"}}`, token)
	info, _ := out["sms_info"].(map[string]any)
	if status != 200 || info["encoding"] != "GSM-7" || info["per_segment"] != float64(160) || info["segments"] != float64(1) {
		t.Fatalf("latin text: %d %v", status, out)
	}
	long := strings.Repeat("Посылка ждёт вас. ", 5) // 90 characters of Cyrillic: two UCS-2 parts
	status, out = preview(`{"channel":"sms","parcel_id":"RB123456785GB","content":{"sms_text":"`+long+`{{.parcel.id}}"}}`, token)
	info, _ = out["sms_info"].(map[string]any)
	if status != 200 || info["encoding"] != "UCS-2" || info["per_segment"] != float64(67) || info["segments"] != float64(2) ||
		!strings.HasSuffix(out["text"].(string), "RB123456785GB") {
		t.Fatalf("Cyrillic text on a parcel: want UCS-2 in 67-unit parts, got %d %v", status, out)
	}
	if status, out = preview(`{"channel":"sms","content":{"sms_text":"{{if}}"}}`, token); status != 200 || out["errors"] == nil {
		t.Fatalf("a broken template: want its errors, got %d %v", status, out)
	}
	if status, _ = preview(`{"channel":"sms","content":{"sms_text":"x"}}`, ""); status != http.StatusForbidden {
		t.Fatalf("preview without the CSRF header: want 403, got %d", status)
	}
}

// One brand's manager cannot reach another brand's editors or items by changing the URL.
func TestEditorCrossBrandRefused(t *testing.T) {
	e := newEditorEnv(t)
	ctx := context.Background()
	tplA := e.template(e.brandA, "sorting_center", "sms", "en")
	mgrB := e.manager("mgr@b.example")
	_, token := e.page(mgrB, fmt.Sprintf("/editor/%d", e.brandB))
	a, b := fmt.Sprintf("/editor/%d", e.brandA), fmt.Sprintf("/editor/%d", e.brandB)
	for _, path := range []string{a, a + "/templates/" + strconv.FormatInt(tplA.ID, 10), a + "/calling", a + "/rules/new",
		b + "/templates/" + strconv.FormatInt(tplA.ID, 10), b + "/templates/" + strconv.FormatInt(tplA.ID, 10) + "/diff?from=1&to=1",
		"/editor/999999"} {
		if r := mgrB.do("GET", path, nil); r.status != http.StatusNotFound || strings.Contains(r.body, tplA.Content.SMS) {
			t.Errorf("GET %s as brand B's manager: want 404, got %d", path, r.status)
		}
	}
	for _, path := range []string{a + "/templates/" + strconv.FormatInt(tplA.ID, 10), b + "/templates/" + strconv.FormatInt(tplA.ID, 10),
		b + "/templates/" + strconv.FormatInt(tplA.ID, 10) + "/rollback"} {
		if r := mgrB.do("POST", path, url.Values{"_csrf": {token}, "sms_text": {"hijacked"}, "version": {"1"}, "op": {"publish"}}); r.status != http.StatusNotFound {
			t.Errorf("POST %s as brand B's manager: want 404, got %d", path, r.status)
		}
	}
	if cur, _ := e.scripts.Template(ctx, e.brandA, tplA.ID, 0); cur.Version != 1 || cur.Content.SMS != tplA.Content.SMS {
		t.Fatalf("brand A's template changed: %+v", cur)
	}
	// Brand A's parcel is not a preview for brand B, even for a manager of both.
	both := e.manager("mgr@ab.example")
	if r := both.do("GET", "/editor", nil); r.status != 200 || !strings.Contains(r.body, `href="`+a+`"`) || !strings.Contains(r.body, `href="`+b+`"`) {
		t.Fatalf("a manager of two brands picks one: %d %s", r.status, r.body)
	}
	if r := both.do("GET", "/editor?brand="+strconv.FormatInt(e.brandB, 10), nil); location(r) != b {
		t.Fatalf("the brand picker should open brand B: %q", location(r))
	}
	tplB := e.template(e.brandB, "sorting_center", "sms", "en")
	r := both.do("GET", fmt.Sprintf("%s/templates/%d?parcel=RB123456785GB", b, tplB.ID), nil)
	if r.status != 200 || strings.Contains(r.body, "parcel RB123456785GB is at") || !strings.Contains(r.body, "No parcel RB123456785GB of Brand B") {
		t.Fatalf("brand A's parcel must not fill brand B's preview: %s", r.body)
	}
	// Supervisors (and agents) have no editors, even for their own brand.
	sup := e.manager("sup@a.example")
	if r := sup.do("GET", a+"/templates/"+strconv.FormatInt(tplA.ID, 10), nil); r.status != http.StatusForbidden || strings.Contains(r.body, tplA.Content.SMS) {
		t.Fatalf("a supervisor in the template editor: want 403, got %d", r.status)
	}
}

func TestEditorRuleConditionVersionsRollback(t *testing.T) {
	e := newEditorEnv(t)
	ctx := context.Background()
	mgr := e.manager("mgr@a.example")
	base := fmt.Sprintf("/editor/%d", e.brandA)
	_, token := e.page(mgr, base+"/rules/new")
	form := url.Values{"_csrf": {token}, "name": {"COD reminder"}, "enabled": {"1"}, "trigger": {"event"}, "codes": {"EMH"},
		"condition": {"parcel.has_cod &&"}, "action": {"sms"}, "template": {"pickup_ready"}, "delay": {"30m"}, "position": {"5"}}
	r := mgr.do("POST", base+"/rules", form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(errorsFor(r.body, "condition"), "line 1") ||
		!strings.Contains(r.body, ">parcel.has_cod &amp;&amp;</textarea>") || !strings.Contains(r.body, `value="COD reminder"`) {
		t.Fatalf("a broken condition: want 422 with the error beside it and the input kept: %d %q\n%s", r.status, errorsFor(r.body, "condition"), r.body)
	}
	// The same mistake read by a Russian viewer: the problem in Russian words, the nearest name
	// suggested, the position in Russian (issue 15 item 7).
	form.Set("condition", "parcel.has_cdo")
	if r := mgr.do("POST", base+"/rules?lang=ru", form); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(errorsFor(r.body, "condition"), "нет поля has_cdo; может быть, has_cod?") {
		t.Fatalf("a misspelt field for a Russian viewer: want the problem in Russian with the nearest name: %d %q", r.status, errorsFor(r.body, "condition"))
	}
	delete(mgr.cookies, "lang") // ?lang= is remembered: back to English for the rest
	form.Set("condition", "parcel.has_cod && parcel.nonsense > 1")
	if r := mgr.do("POST", base+"/rules", form); r.status != http.StatusUnprocessableEntity || !strings.Contains(errorsFor(r.body, "condition"), "nonsense") {
		t.Fatalf("an unknown field: want its name in the error: %d %q", r.status, errorsFor(r.body, "condition"))
	}
	form.Set("condition", "parcel.has_cod")
	form.Set("delay", "soon")
	if r := mgr.do("POST", base+"/rules", form); r.status != http.StatusUnprocessableEntity || !strings.Contains(errorsFor(r.body, "delay"), "duration") {
		t.Fatalf("a bad delay: %d %q", r.status, errorsFor(r.body, "delay"))
	}
	form.Set("delay", "30m")
	r = mgr.do("POST", base+"/rules", form)
	if r.status != http.StatusSeeOther || !strings.HasSuffix(location(r), "?saved=1") {
		t.Fatalf("save the rule: %d %q %s", r.status, location(r), r.body)
	}
	edit := strings.TrimSuffix(location(r), "?saved=1")
	id := parseID(edit[strings.LastIndex(edit, "/")+1:])
	form.Set("condition", "parcel.has_cod && parcel.cod_amount > 1000")
	if r := mgr.do("POST", edit, form); r.status != http.StatusSeeOther || location(r) != edit+"?saved=2" {
		t.Fatalf("save version 2: %d %q %s", r.status, location(r), r.body)
	}
	if r := mgr.do("GET", edit+"/diff?from=1&to=2", nil); !diffRow(r.body, "del", "  parcel.has_cod</pre>") ||
		!diffRow(r.body, "ins", "parcel.cod_amount &gt; 1000") {
		t.Fatalf("rule diff: %s", r.body)
	}
	if r := mgr.do("POST", edit+"/rollback", url.Values{"_csrf": {token}, "version": {"1"}}); r.status != http.StatusSeeOther || location(r) != edit+"?saved=3&rolledback=1" {
		t.Fatalf("rule rollback: %d %q %s", r.status, location(r), r.body)
	}
	if rule, _ := e.scripts.Rule(ctx, e.brandA, id); rule.Condition != "parcel.has_cod" || rule.Template != "pickup_ready" {
		t.Fatalf("after the rollback the rule should be as in version 1: %+v", rule)
	}

	// The live check answers per field.
	req := httptest.NewRequest("POST", base+"/rules/check", strings.NewReader(`{"name":"x","trigger":"event","action":"sms","template":"pickup_ready","condition":"recipient.has_phone &&& true"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", token)
	for k, v := range mgr.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		OK     bool
		Errors map[string][]string
	}
	json.NewDecoder(resp.Body).Decode(&out) //nolint:errcheck
	if out.OK || len(out.Errors["condition"]) == 0 {
		t.Fatalf("check: want the condition's error, got %+v", out)
	}

	// A rule of the standard flow gets its first state as version 1 when first edited.
	rules, _ := e.scripts.Rules(ctx, e.brandA)
	std := rules[0]
	if std.ID == id {
		std = rules[1]
	}
	page, _ := e.page(mgr, fmt.Sprintf("%s/rules/%d", base, std.ID))
	if !strings.Contains(page.body, "Current version 1.") {
		t.Fatalf("a standard rule starts at version 1: %s", page.body)
	}
}

// scriptForm is what the script editor's form posts for a body.
func scriptForm(token string, b scripts.ScriptBody) url.Values {
	f := url.Values{"_csrf": {token}, "start": {b.Start}, "steps": {strconv.Itoa(len(b.Steps))}, "op": {"publish"}}
	for i, st := range b.Steps {
		p := fmt.Sprintf("steps.%d.", i)
		f.Set(p+"id", st.ID)
		f.Set(p+"say", st.Say)
		switch {
		case st.Question != nil:
			f.Set(p+"kind", "question")
			f.Set(p+"question", st.Question.Text)
			f.Set(p+"options", strconv.Itoa(len(st.Question.Options)))
			for j, o := range st.Question.Options {
				q := fmt.Sprintf("%sopt.%d.", p, j)
				f.Set(q+"answer", o.Answer)
				f.Set(q+"label", o.Label)
				f.Set(q+"next", o.Next)
				if o.End != nil {
					f.Set(q+"disposition", o.End.Disposition)
				}
			}
		case st.End != nil:
			f.Set(p+"kind", "end")
			f.Set(p+"disposition", st.End.Disposition)
			f.Set(p+"note", st.End.Note)
		default:
			f.Set(p+"kind", "next")
			f.Set(p+"next", st.Next)
		}
	}
	return f
}

func TestEditorCallScript(t *testing.T) {
	e := newEditorEnv(t)
	ctx := context.Background()
	mgr := e.manager("mgr@a.example")
	base := fmt.Sprintf("/editor/%d", e.brandA)
	list, _ := e.scripts.Scripts(ctx, e.brandA)
	std := list[0]
	edit := fmt.Sprintf("%s/scripts/%d", base, std.ID)
	page, token := e.page(mgr, edit)
	if !strings.Contains(page.body, `name="steps.0.say"`) || !strings.Contains(page.body, "Publish version 2") {
		t.Fatalf("the script editor should show the steps as fields: %s", page.body)
	}

	// Adding a step redraws the form with one more block, unpublished.
	f := scriptForm(token, std.Body)
	f.Set("op", "add_step")
	r := mgr.do("POST", edit, f)
	n := len(std.Body.Steps)
	if r.status != 200 || !strings.Contains(r.body, fmt.Sprintf(`name="steps.%d.say"`, n)) || !strings.Contains(r.body, "Not published yet") {
		t.Fatalf("add a step: %d %s", r.status, r.body)
	}
	// Removing the first step leaves the others.
	f.Set("op", "remove_step:0")
	if r := mgr.do("POST", edit, f); r.status != 200 || !strings.Contains(r.body, `name="steps.0.id" value="`+std.Body.Steps[1].ID+`"`) ||
		strings.Contains(r.body, fmt.Sprintf(`name="steps.%d.say"`, n-1)) {
		t.Fatalf("remove the first step: want the second step first and one step fewer, got %d %s", r.status, r.body)
	}
	if cur, _ := e.scripts.Script(ctx, e.brandA, std.ID, 0); cur.Version != 1 {
		t.Fatalf("drafts must not publish: version %d", cur.Version)
	}

	// A branch to a missing step is shown beside that answer's field.
	bad := std.Body
	bad.Steps = append([]scripts.Step(nil), std.Body.Steps...)
	bad.Steps[len(bad.Steps)-1] = scripts.Step{ID: bad.Steps[len(bad.Steps)-1].ID, Say: "Bye", Next: "nowhere"}
	r = mgr.do("POST", edit, scriptForm(token, bad))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "nowhere") || !strings.Contains(r.body, "is not a step") {
		t.Fatalf("a branch to nowhere: want 422 naming it, got %d %s", r.status, r.body)
	}

	// Publish a change, then roll back.
	good := std.Body
	good.Steps = append([]scripts.Step(nil), std.Body.Steps...)
	good.Steps[0].Say = "Good morning from {{.brand.name}} about parcel {{.parcel.id}}."
	if r := mgr.do("POST", edit, scriptForm(token, good)); r.status != http.StatusSeeOther || location(r) != edit+"?saved=2" {
		t.Fatalf("publish the script: %d %q %s", r.status, location(r), r.body)
	}
	cur, _ := e.scripts.Script(ctx, e.brandA, std.ID, 0)
	if cur.Body.Steps[0].Say != good.Steps[0].Say || len(cur.Body.Steps) != len(std.Body.Steps) {
		t.Fatalf("published script: %+v", cur.Body)
	}
	if r := mgr.do("GET", edit+"/diff?from=1&to=2", nil); !strings.Contains(r.body, "Good morning from") {
		t.Fatalf("script diff: %s", r.body)
	}
	if r := mgr.do("POST", edit+"/rollback", url.Values{"_csrf": {token}, "version": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("script rollback: %d %s", r.status, r.body)
	}
	if cur, _ := e.scripts.Script(ctx, e.brandA, std.ID, 0); cur.Version != 3 || cur.Body.Steps[0].Say != std.Body.Steps[0].Say {
		t.Fatalf("after the rollback: %+v", cur)
	}
}

// The script editor edits one language variant at a time: a tab per variant, the Russian
// one published without touching the English one.
func TestEditorScriptVariants(t *testing.T) {
	e := newEditorEnv(t)
	ctx := context.Background()
	mgr := e.manager("mgr@a.example")
	list, _ := e.scripts.Scripts(ctx, e.brandA)
	std := list[0]
	edit := fmt.Sprintf("/editor/%d/scripts/%d", e.brandA, std.ID)
	page, token := e.page(mgr, edit+"?lang=ru")
	if !strings.Contains(page.body, "Здравствуйте, это служба доставки") || !strings.Contains(page.body, `href="`+edit+`?lang=en"`) ||
		!strings.Contains(page.body, `name="lang" value="ru"`) ||
		!strings.Contains(page.body, `aria-current="page">Русский</a>`) && !strings.Contains(page.body, `aria-current="page">Russian</a>`) {
		t.Fatalf("the Russian variant in the editor: %s", page.body)
	}
	if p, _ := e.page(mgr, fmt.Sprintf("/editor/%d/scripts/new", e.brandA)); !strings.Contains(p.body, `name="lang" value="en"`) {
		t.Fatalf("a new script is in the brand's default language: %s", p.body)
	}
	ru := std.Variant("ru").Body
	ru.Steps = append([]scripts.Step(nil), ru.Steps...)
	ru.Steps[0].Say = "Добрый день, это {{.brand.name}}, посылка {{.parcel.id}}."
	f := scriptForm(token, ru)
	f.Set("lang", "ru")
	if r := mgr.do("POST", edit, f); r.status != http.StatusSeeOther || location(r) != edit+"?saved=2&lang=ru" {
		t.Fatalf("publish the Russian variant: %d %q %s", r.status, location(r), r.body)
	}
	cur, _ := e.scripts.Script(ctx, e.brandA, std.ID, 0)
	if cur.Variant("ru").Body.Steps[0].Say != ru.Steps[0].Say || cur.Body.Steps[0].Say != std.Body.Steps[0].Say || cur.Language != "en" {
		t.Fatalf("after publishing Russian: %+v", cur.Variants)
	}
}

func TestEditorCallingWindowsAndAlgorithm(t *testing.T) {
	e := newEditorEnv(t)
	ctx := context.Background()
	mgr := e.manager("mgr@a.example")
	path := fmt.Sprintf("/editor/%d/calling", e.brandA)
	page, token := e.page(mgr, path)
	if !strings.Contains(page.body, `name="win.call.mon" value="09:00-21:00"`) {
		t.Fatalf("the default call window should show: %s", page.body)
	}
	win := url.Values{"_csrf": {token}, "op": {"windows"}}
	for _, ch := range []string{"call", "sms", "email"} {
		for _, d := range weekDays {
			win.Set("win."+ch+"."+d.key, "09:00-21:00")
		}
	}
	win.Set("win.call.sun", "")
	win.Set("win.call.sat", "10:00-25:00")
	r := mgr.do("POST", path, win)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="10:00-25:00"`) || !regexp.MustCompile(`name="win.call.sat"[^>]*aria-invalid="true"`).MatchString(r.body) {
		t.Fatalf("a bad window: want 422 with the day marked and the input kept: %d %s", r.status, r.body)
	}
	win.Set("win.call.sat", "10:00-14:00, 15:00-18:00")
	if r := mgr.do("POST", path, win); r.status != http.StatusSeeOther {
		t.Fatalf("save windows: %d %s", r.status, r.body)
	}
	w, _ := e.dialer.Windows(ctx, e.brandA)
	if sat := w[dialer.Call][6]; len(sat) != 2 || sat[0].Start != 600 || len(w[dialer.Call][0]) != 0 {
		t.Fatalf("saved call windows: %+v", w[dialer.Call])
	}

	alg := url.Values{"_csrf": {token}, "op": {"algorithm"}, "max_attempts": {"0"}, "spacing": {"2h"}, "daily_cap": {"2"},
		"retry": {"busy = 15m\nno_answer = 1h"}, "stop": {"reached, refused"}}
	r = mgr.do("POST", path, alg)
	if r.status != http.StatusUnprocessableEntity || !regexp.MustCompile(`name="max_attempts" value="0"[^>]*aria-invalid="true"`).MatchString(r.body) {
		t.Fatalf("bad attempts: %d %s", r.status, r.body)
	}
	alg.Set("max_attempts", "5")
	if r := mgr.do("POST", path, alg); r.status != http.StatusSeeOther {
		t.Fatalf("save algorithm: %d %s", r.status, r.body)
	}
	a, _ := e.dialer.Algorithm(ctx, e.brandA)
	if a.MaxAttempts != 5 || len(a.Stop) != 2 || a.Retry["no_answer"] != dialer.Duration(3600e9) {
		t.Fatalf("saved algorithm: %+v", a)
	}
}
