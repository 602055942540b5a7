package scripts

import (
	"fmt"
	"testing"

	"github.com/wismo/wismo/tracking"
)

// TestBudgetErrorsAnswer422: a program over its budget is the brand manager's mistake,
// answered 422 with the field and the words, never 200 after minutes or 500.
func TestBudgetErrorsAnswer422(t *testing.T) {
	e := newEnv(t)
	a := newAPI(e)
	p := tracking.MakeS10("RB", 750001, "GB")
	e.parcel(p, "")
	for _, tt := range []struct {
		name, path string
		body       any
		field      string
		line       int
		message    string
	}{
		{"preview", "/api/v1/templates/preview", map[string]any{"channel": "sms", "content": Content{SMS: rangeBomb}},
			"sms_text", 0, "this template writes more than 16 KiB on the sample parcel; simplify it"},
		{"preview, a loop that writes nothing", "/api/v1/templates/preview", map[string]any{"channel": "email",
			"content": Content{Subject: "s", Text: rangeBombQuiet}}, "text_body", 2, "this template loops more than 20000 times on the sample parcel; simplify it"},
		{"preview on a parcel", "/api/v1/templates/preview", map[string]any{"channel": "sms", "parcel_id": p, "content": Content{SMS: onlyOnSample}},
			"sms_text", 2, "this template loops more than 20000 times with this parcel's data; simplify it"},
		{"save", "/api/v1/templates", TemplateInput{Name: "bomb", Channel: "sms", Language: "en", Content: Content{SMS: rangeBomb}},
			"sms_text", 0, "this template writes more than 16 KiB on the sample parcel; simplify it"},
		{"rule check", "/api/v1/rules/check", Rule{Name: "bomb", Trigger: "event", Action: "open_case", CaseType: "damage", Condition: doubling(30)},
			"condition", 1, "this condition needs more than 1 MiB of memory for text on the sample parcel; simplify it"},
		{"rule save", "/api/v1/rules", Rule{Name: "bomb", Trigger: "event", Action: "open_case", CaseType: "damage",
			Condition: "let r = 1..100;\nall(r, all(r,\n all(r, # > 0)))"}, "condition", 3, "this condition loops more than 20000 times on the sample parcel; simplify it"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out struct{ Problems []Problem }
			code := a.do("POST", tt.path, e.key, tt.body, &out)
			got := fmt.Sprintf("%d %+v", code, out.Problems)
			want := fmt.Sprintf("422 [%+v]", Problem{Field: tt.field, Line: tt.line, Message: tt.message})
			if got != want {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
		})
	}
}
