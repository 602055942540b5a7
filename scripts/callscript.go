package scripts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wismo/wismo/scripts/callscript"
)

// CallScript is a brand's script for agents on calls of a campaign: ordered steps of what
// the agent says (with the same variables as templates), questions with answer options
// that branch, and the disposition each ending records; one variant per language
// (package callscript has the shape and the language rules).
type CallScript struct {
	ID        int64      `json:"id"`
	BrandID   int64      `json:"brand_id"`
	Name      string     `json:"name"`
	Version   int        `json:"version"`
	Body      ScriptBody `json:"body"`               // the default variant (on a run: the chosen one)
	Language  string     `json:"language,omitempty"` // Body's language ("" on one-language scripts saved before variants)
	Variants  []Variant  `json:"variants,omitempty"` // every variant, the default first
	Offered   []string   `json:"offered,omitempty"`  // on a run: the languages the agent can switch to
	Author    string     `json:"author,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// The script's shape, under the names this package has always used.
type (
	ScriptBody = callscript.Body
	Step       = callscript.Step
	Question   = callscript.Question
	Option     = callscript.Option
	Ending     = callscript.Ending
	Variant    = callscript.Variant
)

// validateScript checks a script's shape (callscript.Body.Check) and runs each step's text
// on the sample data within its budget; unreachable steps are named once all else is right.
func validateScript(ctx context.Context, b ScriptBody, sample Data) Problems {
	var p Problems
	for _, cp := range b.Check() {
		p = append(p, Problem{Field: cp.Field, Message: cp.Message})
	}
	if len(b.Steps) == 0 || len(b.Steps) > 200 {
		return p
	}
	for i, st := range b.Steps {
		if strings.TrimSpace(st.Say) == "" {
			continue
		}
		f := fmt.Sprintf("steps[%d].say", i)
		if _, probs := compileField(ctx, f, st.Say, false, maxOutSay, sample); len(probs) > 0 {
			p = append(p, probs...)
		}
	}
	if len(p) == 0 {
		for _, cp := range b.Unreachable() {
			p = append(p, Problem{Field: cp.Field, Message: cp.Message})
		}
	}
	return p
}

// fillScript renders every step's text with d, for the agent on the call, each within its
// budget.
func fillScript(ctx context.Context, b ScriptBody, d Data, sample Data) (ScriptBody, error) {
	out := ScriptBody{Start: b.Start, Steps: make([]Step, len(b.Steps))}
	for i, st := range b.Steps {
		cp, probs := compileField(ctx, st.ID, st.Say, false, maxOutSay, sample)
		if len(probs) > 0 {
			return out, probs
		}
		text, err := cp.execute(ctx, d)
		if err != nil {
			return out, Problems{runProblem(st.ID, err, "with this parcel's data")}
		}
		st.Say = strings.TrimSpace(text)
		out.Steps[i] = st
	}
	return out, nil
}
