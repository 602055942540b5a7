package scripts

import (
	"context"
	"errors"
	htmltemplate "html/template"
	"strings"
	"testing"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/tracking"
)

// The template of issue 13: 10^8 iterations writing 1 GB, and the same loop writing nothing.
const (
	rangeBomb      = `{{range 10000}}{{range 10000}}xxxxxxxxxx{{end}}{{end}}`
	rangeBombQuiet = "Hello\n{{range 10000}}{{range 10000}}{{end}}{{end}}"
	// onlyOnSample is fine on the sample parcel and a bomb on every other.
	onlyOnSample = `{{if eq .parcel.id "RB123456785GB"}}{{.parcel.id}}{{else}}` + rangeBombQuiet + `{{end}}`
)

func oneProblem(t *testing.T, err error, field string, line int, message string) {
	t.Helper()
	var probs Problems
	if !errors.As(err, &probs) || len(probs) != 1 || probs[0].Field != field || probs[0].Line != line || probs[0].Message != message {
		t.Fatalf("got %v, want %s line %d: %s", err, field, line, message)
	}
}

// TestNestedRangeTemplateIsRefused: preview and save refuse the loops in words, with little
// memory used, and so does a call script.
func TestNestedRangeTemplateIsRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var err error
	used := allocated(func() {
		_, err = e.svc.Preview(ctx, access.Brands(e.brand), e.brand, "sms", Content{SMS: rangeBomb}, "")
	})
	oneProblem(t, err, "sms_text", 0, "this template writes more than 16 KiB on the sample parcel; simplify it")
	if used > 64<<20 {
		t.Fatalf("the preview allocated %d MiB", used>>20)
	}
	_, err = e.svc.SaveTemplate(ctx, e.brand, 0, TemplateInput{Name: "bomb", Channel: "email", Language: "en",
		Content: Content{Subject: "s", Text: "t", HTML: rangeBombQuiet}}, "me")
	oneProblem(t, err, "html_body", 2, "this template loops more than 20000 times on the sample parcel; simplify it")
	_, err = e.svc.SaveScript(ctx, e.brand, 0, ScriptInput{Name: "bomb", Body: ScriptBody{Start: "a",
		Steps: []Step{{ID: "a", Say: rangeBombQuiet, End: &Ending{Disposition: "reached"}}}}}, "me")
	oneProblem(t, err, "steps[0].say", 2, "this template loops more than 20000 times on the sample parcel; simplify it")
}

// TestOverBudgetTemplateFailsAtSend: a template that passed on the sample but loops without
// end on a real parcel returns an error when it is filled for a message, a preview or a
// call; the rule's SMS is not planned and the consumer goes on.
func TestOverBudgetTemplateFailsAtSend(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.svc.EnsureStandardFlow(ctx, e.brand); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SaveTemplate(ctx, e.brand, 0, TemplateInput{Name: "trap", Channel: "sms", Language: "ru",
		Content: Content{SMS: onlyOnSample}}, "me"); err != nil {
		t.Fatalf("fine on the sample: %v", err)
	}
	if _, err := e.svc.SaveRule(ctx, e.brand, 0, Rule{Name: "trap", Enabled: true, Position: 1, Trigger: "event", Codes: []string{"EDD"},
		Action: "sms", Template: "trap"}); err != nil {
		t.Fatal(err)
	}
	p := tracking.MakeS10("RB", 740001, "GB")
	e.parcel(p, "")
	e.events(ev(p, "EDD", "2026-11-20T05:30:00Z"))
	e.consume()
	if got := e.contacts(p); len(got) != 1 || !strings.Contains(got[0].Body, "в сортировочном центре") {
		t.Fatalf("only the standard SMS is planned: %+v", got)
	}

	_, err := e.svc.Preview(ctx, access.Brands(e.brand), e.brand, "sms", Content{SMS: onlyOnSample}, p)
	oneProblem(t, err, "sms_text", 2, "this template loops more than 20000 times with this parcel's data; simplify it")

	fields, probs := compileContent(ctx, "sms", Content{SMS: onlyOnSample}, SampleData(""))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	d := SampleData("")
	d["parcel"].(map[string]any)["id"] = p
	_, err = render(ctx, "sms", fields, d)
	if !errors.Is(err, ErrBudget) {
		t.Fatalf("render: %v", err)
	}

	s, err := e.svc.SaveScript(ctx, e.brand, 0, ScriptInput{Name: "trap", Body: ScriptBody{Start: "a",
		Steps: []Step{{ID: "a", Say: onlyOnSample, End: &Ending{Disposition: "reached"}}}}}, "me")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.RunScript(ctx, access.Brands(e.brand), e.brand, s.ID, 0, p)
	oneProblem(t, err, "a", 2, "this template loops more than 20000 times with this parcel's data; simplify it")
}

// TestTemplatesCannotRecurseOrGrowText: {{define}}, {{template}} and {{block}} are refused;
// the builtins that make text are metered even when nothing is written.
func TestTemplatesCannotRecurseOrGrowText(t *testing.T) {
	ctx := context.Background()
	sample := SampleData("")
	calls := "{{template}} and {{block}} are not allowed in a brand's template: write the text where it is needed"
	for _, tt := range []struct {
		src, message string
		line         int
	}{
		{`{{define "x"}}{{template "x" .}}{{end}}{{template "x" .}}`, calls, 1},
		{"Hi\n{{template \"sms_text\" .}}", calls, 2},
		{`{{block "x" .}}{{template "x" .}}{{end}}`, calls, 1},
		{"Hi\n\n{{define \"x\"}}unused{{end}}", "{{define}} is not allowed in a brand's template: write the text where it is needed", 3},
		{"\n{{define \"x\"}}{{end}}", "{{define}} is not allowed in a brand's template: write the text where it is needed", 2},
		{`{{define "x"}}y{{end}}`, "{{define}} is not allowed in a brand's template: write the text where it is needed", 1},
		{`{{$a := "xxxxxxxx"}}{{range 40}}{{$a = printf "%s%s" $a $a}}{{end}}{{len $a}}`,
			"this template needs more than 1 MiB of memory for text on the sample parcel; simplify it", 1},
		{`{{$a := "<<<<<<<<"}}{{range 20}}{{$a = html $a $a}}{{end}}`, "this template needs more than 1 MiB of memory for text on the sample parcel; simplify it", 1},
		{`{{$a := "<<<<<<<<"}}{{range 20}}{{$a = js $a $a}}{{end}}`, "this template needs more than 1 MiB of memory for text on the sample parcel; simplify it", 1},
		{`{{$a := "        "}}{{range 20}}{{$a = urlquery $a $a}}{{end}}`, "this template needs more than 1 MiB of memory for text on the sample parcel; simplify it", 1},
		{`{{printf "%01000000d%01000000d" 1 2}}`, "this template needs more than 1 MiB of memory for text on the sample parcel; simplify it", 1},
		{`{{printf "%20000d" 1}}`, "this template writes more than 16 KiB on the sample parcel; simplify it", 0},
		{`{{printf "%-1000000s|" (slice .parcel.id 0 1) (slice .parcel.id 0 1)}}`, "this template needs more than 1 MiB of memory for text on the sample parcel; simplify it", 1},
	} {
		for _, html := range []bool{false, true} {
			_, probs := compileField(ctx, "sms_text", tt.src, html, maxOutSMS, sample)
			oneProblem(t, probs, "sms_text", tt.line, tt.message)
		}
	}
	// html/template escapes a range's body twice to check it, so nesting costs 2^depth
	// before the template runs: twenty levels allocated 1.2 GB.
	deep := strings.Repeat("{{range 2}}", 20) + "<b>x</b>" + strings.Repeat("{{end}}", 20)
	used := allocated(func() {
		_, probs := compileField(ctx, "html_body", deep, true, maxOutHTML, sample)
		oneProblem(t, probs, "html_body", 1, "{{range}} inside {{range}} goes 5 deep here: a brand's template nests loops at most 4 deep")
	})
	if used > 16<<20 {
		t.Fatalf("refusing deep ranges allocated %d MiB", used>>20)
	}
	if _, probs := compileField(ctx, "html_body", strings.Repeat("{{range 2}}", 4)+"<b>x</b>"+strings.Repeat("{{end}}", 4), true, maxOutHTML, sample); len(probs) > 0 {
		t.Fatalf("four deep: %v", probs)
	}

	// What templates really do comes out as without the meter: builtins, ranges, escaping.
	src := `{{range $k, $v := .cod}}{{$k}}={{printf "%6v" $v}};{{end}} {{print .parcel.id 7}} <a href="?q={{urlquery .recipient.name}}">{{html "<b>"}}</a>` +
		`<script>var n = "{{js .recipient.name}}";</script>{{println "x"}}`
	var want strings.Builder
	if err := htmltemplate.Must(htmltemplate.New("x").Parse(src)).Execute(&want, sample); err != nil {
		t.Fatal(err)
	}
	c, probs := compileField(ctx, "html_body", src, true, maxOutHTML, sample)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if out, err := c.execute(ctx, sample); err != nil || out != want.String() {
		t.Fatalf("%q %v, want %q", out, err, want.String())
	}
}
