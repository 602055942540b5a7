package scripts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/scripts/elapsedrules"
	"github.com/wismo/wismo/tracking"
)

// Rule is a brand's trigger rule: on a trigger (optionally only for some codes), when the
// condition holds, do the action after an optional delay.
type Rule struct {
	ID         int64           `json:"id"`
	BrandID    int64           `json:"brand_id"`
	Name       string          `json:"name"`
	Enabled    bool            `json:"enabled"`
	Position   int             `json:"position"`
	Trigger    string          `json:"trigger"`
	Codes      []string        `json:"codes"`
	Condition  string          `json:"condition"`
	Action     string          `json:"action"`
	Template   string          `json:"template,omitempty"`    // sms, email: the template's name
	CampaignID int64           `json:"campaign_id,omitempty"` // call
	CaseType   string          `json:"case_type,omitempty"`   // open_case
	Note       string          `json:"note,omitempty"`        // open_case
	Delay      dialer.Duration `json:"delay"`
	N          int             `json:"n,omitempty"` // elapsed-time triggers: days or attempts (elapsedrules)
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// topicOf returns the outbox topic that feeds a trigger. Codes filter each trigger: event
// codes (event), phases entered (phase), outcomes or dispositions (call_outcome), case types
// (case_opened), statuses entered (case_status), SLA timers (case_sla_breached).
func topicOf(trigger string) (string, bool) {
	switch trigger {
	case "event", "phase":
		return "tracking.event", true
	case "call_outcome":
		return dialer.TopicCallOutcome, true
	case "case_opened":
		return cases.TopicCaseOpened, true
	case "case_status":
		return cases.TopicCaseStatusChanged, true
	case "case_sla_breached":
		return cases.TopicCaseSLABreached, true
	}
	return "", false
}

// Limits that keep a brand's condition small when compiled: its source length and the
// nodes of its syntax tree. What a run may cost is budget.go's.
const (
	maxConditionNodes = 400
	maxConditionLen   = 2000
)

// allowedBuiltins are the only functions a condition may call; expr's others (now, date,
// JSON, base64, repeat...) are disabled.
func allowedBuiltins() []string {
	return []string{"len", "all", "any", "none", "one", "count", "filter", "map",
		"lower", "upper", "trim", "hasPrefix", "hasSuffix", "abs", "min", "max", "round", "floor", "ceil", "int", "float", "string"}
}

// compileCondition type-checks a condition against Env: it must be a boolean expression
// that calls only the allowed functions. The empty condition is always true. The program
// it returns is the metered one (conditionmeter.go), for evaluate.
func compileCondition(src string) (*vm.Program, *Problem) {
	if strings.TrimSpace(src) == "" {
		src = "true"
	}
	if len(src) > maxConditionLen {
		return nil, &Problem{Field: "condition", Message: fmt.Sprintf("longer than %d characters", maxConditionLen)}
	}
	opts := []expr.Option{expr.AsBool(), expr.MaxNodes(maxConditionNodes), expr.DisableAllBuiltins()}
	for _, b := range allowedBuiltins() {
		opts = append(opts, expr.EnableBuiltin(b))
	}
	if _, err := expr.Compile(src, append(opts, expr.Env(Env{}))...); err != nil {
		return nil, conditionProblem(err)
	}
	p, err := expr.Compile(src, append(opts, meteredFunctions()...)...)
	if err != nil {
		return nil, conditionProblem(err) // a defect of meterPatch: the condition compiled unmetered
	}
	return p, nil
}

func conditionProblem(err error) *Problem {
	pr := &Problem{Field: "condition", Message: err.Error()}
	var fe *file.Error
	if errors.As(err, &fe) {
		pr.Line, pr.Column, pr.Message = fe.Line, fe.Column+1, fe.Message
	}
	explainCondition(pr)
	return pr
}

// evaluate runs a compiled condition on env within a run's budget. A budget that runs out
// is a *BudgetError (errors.Is ErrBudget) with the condition's line; the end of ctx is
// ctx's error.
func evaluate(ctx context.Context, p *vm.Program, env Env) (bool, error) {
	machine := vm.VM{MemoryBudget: budgetElements}
	out, err := machine.Run(p, meteredEnv{Env: env, Meter: newMeter(ctx)})
	if err != nil {
		return false, runError(err)
	}
	b, _ := out.(bool)
	return b, nil
}

// trySample runs a compiled condition on the sample parcel: a condition that cannot run
// within its budget there is refused before it is saved, in words.
func trySample(ctx context.Context, p *vm.Program, trigger string) *Problem {
	_, err := evaluate(ctx, p, sampleEnv(trigger))
	var be *BudgetError
	if !errors.As(err, &be) {
		return nil // other failures depend on the data: the rule skips the news it fails on
	}
	return &Problem{Field: "condition", Line: be.Line, Message: "this condition " + be.Error() + " on the sample parcel; simplify it", cause: be}
}

// validate checks a rule's fields (not what they refer to: the store does that).
func (r *Rule) validate(ctx context.Context) Problems {
	var p Problems
	add := func(field, msg string) { p = append(p, Problem{Field: field, Message: msg}) }
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" || len(r.Name) > 200 {
		add("name", "1 to 200 characters")
	}
	if _, ok := topicOf(r.Trigger); !ok && !elapsedrules.Is(r.Trigger) {
		add("trigger", "must be "+strings.Join(Triggers(), ", "))
	}
	for i, c := range r.Codes {
		r.Codes[i] = strings.TrimSpace(c)
		if r.Trigger == "event" {
			r.Codes[i] = strings.ToUpper(r.Codes[i])
			if _, ok := tracking.LookupEventCode(r.Codes[i]); !ok {
				add("codes", fmt.Sprintf("%q is not a UPU event code wismo knows", c))
			}
		}
	}
	for _, pr := range elapsedrules.Check(r.Trigger, r.N, r.Codes, time.Duration(r.Delay)) {
		add(pr.Field, pr.Message)
	}
	if prog, prob := compileCondition(r.Condition); prob != nil {
		p = append(p, *prob)
	} else if prob := trySample(ctx, prog, r.Trigger); prob != nil {
		p = append(p, *prob)
	}
	switch r.Action {
	case "sms", "email":
		if !validName(r.Template) {
			add("template", "an "+r.Action+" action names a template")
		}
	case "call":
		if r.CampaignID <= 0 {
			add("campaign_id", "a call action names a campaign")
		}
	case "open_case":
		if !slices.Contains(caseTypes(), r.CaseType) {
			add("case_type", "must be one of "+strings.Join(caseTypes(), ", "))
		}
	default:
		add("action", "must be sms, email, call or open_case")
	}
	if d := time.Duration(r.Delay); d < 0 || d > 7*24*time.Hour {
		add("delay", "between 0 and 168h")
	}
	return p
}

// caseTypes are the case types the cases domain knows.
func caseTypes() []string {
	return []string{string(cases.TypeNonReceipt), string(cases.TypeDamage), string(cases.TypeMissingContents),
		string(cases.TypeDeliveredNotReceived), string(cases.TypeCustoms), string(cases.TypeDeliveryChange),
		string(cases.TypeReturn), string(cases.TypeComplaint), string(cases.TypeFeedback)}
}

// fires reports whether a rule's trigger and codes match; code is the event code, phase
// entered, outcome/disposition, case type or status of the news.
func (r *Rule) fires(kind string, codes ...string) bool {
	if !r.Enabled || r.Trigger != kind {
		return false
	}
	if len(r.Codes) == 0 {
		return true
	}
	for _, c := range codes {
		if c != "" && slices.Contains(r.Codes, c) {
			return true
		}
	}
	return false
}
