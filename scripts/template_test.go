package scripts

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wismo/wismo/dialer/gsm"
)

// TestTemplateValidation: what is wrong is named, with its line, before anything is saved.
func TestTemplateValidation(t *testing.T) {
	sample := SampleData("http://wismo.test")
	tests := []struct {
		name, channel string
		content       Content
		field         string
		line          int
		message       string
	}{
		{"there is no variable .idd", "sms", Content{SMS: "Hello {{.recipient.name}},\nparcel {{.parcel.idd}} is here"}, "sms_text", 2, "there is no variable .parcel.idd; did you mean .parcel.id?"},
		{"unknown variable in a branch the sample skips", "sms", Content{SMS: "{{if not .cod.present}}\n\n{{.cod.amont}}{{end}}"}, "sms_text", 3, "there is no variable .cod.amont; did you mean .cod.amount?"},
		{"unknown root", "email", Content{Subject: "x", Text: "line one\n{{.customer.name}}"}, "text_body", 2, "there is no variable .customer.name"},
		{"syntax error", "sms", Content{SMS: "one\ntwo {{.parcel.id}\nthree"}, "sms_text", 2, "bad character"},
		{"html body", "email", Content{Subject: "s", Text: "t", HTML: "<p>\n{{.parcel.weight}}</p>"}, "html_body", 2, "there is no variable .parcel.weight"},
		{"empty sms", "sms", Content{SMS: "  "}, "sms_text", 0, "must not be empty"},
		{"missing subject", "email", Content{Text: "t"}, "subject", 0, "must not be empty"},
		{"unknown variable inside with", "sms", Content{SMS: "{{with .parcel}}{{.idd}}{{end}}"}, "sms_text", 1, "there is no variable .idd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := compileContent(context.Background(), tt.channel, tt.content, sample)
			if len(probs) == 0 {
				t.Fatal("accepted")
			}
			p := probs[0]
			if p.Field != tt.field || p.Line != tt.line || !strings.Contains(p.Message, tt.message) {
				t.Fatalf("problem %+v, want %s line %d %q", p, tt.field, tt.line, tt.message)
			}
		})
	}
}

func TestRenderEscapesHTMLAndCountsSegments(t *testing.T) {
	d := SampleData("http://wismo.test")
	d["recipient"].(map[string]any)["first_name"] = `<script>alert(1)</script>`
	r, err := Render(context.Background(), "email", Content{Subject: "Hi {{.recipient.first_name}}", Text: "x", HTML: "<p>{{.recipient.first_name}}</p>"}, d, SampleData(""))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.HTML, "<script>") || !strings.Contains(r.HTML, "&lt;script&gt;") {
		t.Fatalf("HTML not escaped: %s", r.HTML)
	}
	r, err = Render(context.Background(), "sms", Content{SMS: "Посылка {{.parcel.id}}: {{.tracking_link}}"}, d, d)
	if err != nil || r.SMSInfo.Encoding != gsm.UCS2 || r.SMSInfo.Segments != 1 {
		t.Fatalf("%+v %v", r, err)
	}
	r, _ = Render(context.Background(), "sms", Content{SMS: strings.Repeat("Parcel {{.parcel.id}} ", 10)}, d, d)
	if r.SMSInfo.Encoding != gsm.GSM7 || r.SMSInfo.Segments != 2 {
		t.Fatalf("%+v", r.SMSInfo)
	}
}

// TestTemplateVersions: publishing adds versions; the old ones stay readable.
func TestTemplateVersions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tpl, err := e.svc.SaveTemplate(ctx, e.brand, 0, TemplateInput{Name: "hello", Channel: "sms", Language: "en", Content: Content{SMS: "v1 {{.parcel.id}}"}}, "me")
	if err != nil {
		t.Fatal(err)
	}
	if tpl.Version != 1 || tpl.SMSInfo == nil || tpl.SMSInfo.Segments != 1 {
		t.Fatalf("%+v", tpl)
	}
	if _, err := e.svc.SaveTemplate(ctx, e.brand, tpl.ID, TemplateInput{Content: Content{SMS: "v2 {{.parcel.idd}}"}}, "me"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("an invalid version was published: %v", err)
	}
	tpl2, err := e.svc.SaveTemplate(ctx, e.brand, tpl.ID, TemplateInput{Content: Content{SMS: "v2 {{.parcel.id}}"}}, "me")
	if err != nil || tpl2.Version != 2 || tpl2.Name != "hello" {
		t.Fatalf("%+v %v", tpl2, err)
	}
	old, err := e.svc.Template(ctx, e.brand, tpl.ID, 1)
	if err != nil || old.Content.SMS != "v1 {{.parcel.id}}" {
		t.Fatalf("version 1: %+v %v", old, err)
	}
	vs, _ := e.svc.TemplateVersions(ctx, e.brand, tpl.ID)
	if len(vs) != 2 || vs[0].Version != 2 {
		t.Fatalf("versions %+v", vs)
	}
	if _, err := e.svc.SaveTemplate(ctx, e.brand, 0, TemplateInput{Name: "hello", Channel: "sms", Language: "en", Content: Content{SMS: "x"}}, "me"); !errors.Is(err, ErrConflict) {
		t.Fatalf("a second template of one name: %v", err)
	}
}

func TestCallScriptValidation(t *testing.T) {
	sample := SampleData("")
	for _, v := range standardScript().Variants {
		if p := validateScript(context.Background(), v.Body, sample); len(p) > 0 {
			t.Fatalf("the standard script in %s: %v", v.Language, p)
		}
	}
	bad := ScriptBody{Start: "a", Steps: []Step{
		{ID: "a", Say: "Hi {{.recipient.name}}", Question: &Question{Text: "?", Options: []Option{
			{Answer: "yes", Next: "b"}, {Answer: "no", Next: "nowhere"}, {Answer: "later", End: &Ending{}}}}},
		{ID: "b", Say: "Bye {{.parcel.nope}}", End: &Ending{Disposition: "reached"}},
		{ID: "c", Say: "orphan", End: &Ending{Disposition: "reached"}},
	}}
	probs := validateScript(context.Background(), bad, sample)
	var got []string
	for _, p := range probs {
		got = append(got, p.Field+": "+p.Message)
	}
	joined := strings.Join(got, "\n")
	for _, want := range []string{`options[1].next: goes to "nowhere"`, `options[2].end.disposition`, `steps[1].say: there is no variable .parcel.nope`} {
		if !strings.Contains(joined, want) {
			t.Errorf("no problem %q in:\n%s", want, joined)
		}
	}
	ok := ScriptBody{Start: "a", Steps: []Step{{ID: "a", Say: "x", Next: "b"}, {ID: "b", Say: "y", End: &Ending{Disposition: "reached"}}, {ID: "c", Say: "z", End: &Ending{Disposition: "reached"}}}}
	if p := validateScript(context.Background(), ok, sample); len(p) != 1 || !strings.Contains(p[0].Message, "cannot be reached") {
		t.Fatalf("unreachable step: %v", p)
	}
}
