package scripts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wismo/wismo/dialer/gsm"
)

// Template is a brand's SMS or email template in one language, with its published version.
type Template struct {
	ID        int64     `json:"id"`
	BrandID   int64     `json:"brand_id"`
	Name      string    `json:"name"`
	Channel   string    `json:"channel"`
	Language  string    `json:"language"`
	Version   int       `json:"version"`
	Content   Content   `json:"content"`
	SMSInfo   *gsm.Info `json:"sms_info,omitempty"` // encoding and segments of the sample rendering
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Content is what a template version says: the SMS text, or the email's subject, text
// body (text/template) and HTML body (html/template).
type Content struct {
	SMS     string `json:"sms_text,omitempty"`
	Subject string `json:"subject,omitempty"`
	Text    string `json:"text_body,omitempty"`
	HTML    string `json:"html_body,omitempty"`
}

// Version is one published version of a template.
type Version struct {
	Version   int       `json:"version"`
	Content   Content   `json:"content"`
	Author    string    `json:"author,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Rendered is a template filled in for one recipient.
type Rendered struct {
	Subject string    `json:"subject,omitempty"`
	Text    string    `json:"text"`
	HTML    string    `json:"html,omitempty"`
	SMSInfo *gsm.Info `json:"sms_info,omitempty"`
}

// validName is what template, script and rule names look like (rules refer to templates
// by name): 1 to 64 lower-case letters, digits, _ or -, starting with a letter or digit.
func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || i > 0 && (r == '_' || r == '-')) {
			return false
		}
	}
	return true
}

// checkHeader validates a template's name, channel and language.
func checkHeader(name, channel, lang string) Problems {
	var p Problems
	if !validName(name) {
		p = append(p, Problem{Field: "name", Message: "1 to 64 lower-case letters, digits, _ or -"})
	}
	if channel != "sms" && channel != "email" {
		p = append(p, Problem{Field: "channel", Message: "must be sms or email"})
	}
	if len(lang) < 2 || len(lang) > 8 || strings.ToLower(lang) != lang {
		p = append(p, Problem{Field: "language", Message: "an ISO 639-1 code in lower case, such as en or ru"})
	}
	return p
}

// compileContent checks every field a channel needs against the sample data, running each
// within its budget.
func compileContent(ctx context.Context, channel string, c Content, sample Data) ([]compiled, Problems) {
	type field struct {
		name, src string
		html, req bool
		maxOut    int
	}
	var fields []field
	if channel == "sms" {
		fields = []field{{"sms_text", c.SMS, false, true, maxOutSMS}}
	} else {
		fields = []field{{"subject", c.Subject, false, true, maxOutSubject}, {"text_body", c.Text, false, true, maxOutText},
			{"html_body", c.HTML, true, false, maxOutHTML}}
	}
	var out []compiled
	var probs Problems
	for _, f := range fields {
		if strings.TrimSpace(f.src) == "" {
			if f.req {
				probs = append(probs, Problem{Field: f.name, Message: "must not be empty"})
			}
			out = append(out, compiled{field: f.name})
			continue
		}
		cp, p := compileField(ctx, f.name, f.src, f.html, f.maxOut, sample)
		probs = append(probs, p...)
		out = append(out, cp)
	}
	return out, probs
}

// render fills compiled content with data, each field within its budget. A field that
// fails is a Problems of one, so that the edge answers 422 with the field.
func render(ctx context.Context, channel string, fields []compiled, d Data) (Rendered, error) {
	var r Rendered
	for _, f := range fields {
		if f.text == nil && f.html == nil {
			continue
		}
		s, err := f.execute(ctx, d)
		if err != nil && ctx.Err() != nil && !errors.Is(err, ErrBudget) {
			return r, ctx.Err()
		}
		if err != nil {
			return r, Problems{runProblem(f.field, err, "with this parcel's data")}
		}
		switch f.field {
		case "sms_text", "text_body":
			r.Text = strings.TrimSpace(s)
		case "subject":
			r.Subject = strings.Join(strings.Fields(s), " ") // a header has one line
		case "html_body":
			r.HTML = s
		}
	}
	if channel == "sms" {
		info := gsm.Analyze(r.Text)
		r.SMSInfo = &info
	}
	return r, nil
}

// Render validates content against the sample data and fills it with d, every run within
// its budget.
func Render(ctx context.Context, channel string, c Content, d Data, sample Data) (Rendered, error) {
	fields, probs := compileContent(ctx, channel, c, sample)
	if len(probs) > 0 {
		return Rendered{}, probs
	}
	return render(ctx, channel, fields, d)
}

// Error makes a Problem an error (a rendering failure of one field).
func (p Problem) Error() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s line %d: %s", p.Field, p.Line, p.Message)
	}
	return p.Field + ": " + p.Message
}
