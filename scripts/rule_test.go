package scripts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestConditionsAreTypeCheckedAndSandboxed: conditions compile against the rules' data,
// must be boolean, may call only the functions wismo offers, and stay small and cheap.
func TestConditionsAreTypeCheckedAndSandboxed(t *testing.T) {
	tests := []struct {
		cond    string
		ok      bool
		line    int
		message string
	}{
		{`parcel.has_cod && recipient.has_phone`, true, 0, ""},
		{`event.reason in ["ABSENT", "UNREACHABLE"] && !parcel.returning`, true, 0, ""},
		{`none(contacts, .template == "sorting_center") && len(contacts) < 5`, true, 0, ""},
		{`lower(parcel.destination_country) == "ru" && parcel.cod_amount > 1000`, true, 0, ""},
		{``, true, 0, ""},
		{`parcel.has_code`, false, 1, "there is no field has_code in parcel; did you mean has_cod?"},
		{`parcel.weight_kg + "x"`, false, 1, "+ does not work on a number and text"},
		{`parcel.phase`, false, 0, "expected bool"},
		{"parcel.has_cod &&\n  now().Hour() > 9", false, 2, "there is no name now"},
		{`fromJSON("{}") != nil`, false, 1, "there is no name fromJSON"},
		{`repeat("x", 1000000) != ""`, false, 1, "there is no name repeat"},
		{strings.Repeat("1 + ", 250) + "1 > 0", false, 0, "exceeds"},
		{strings.Repeat("parcel.has_cod && ", 200) + "true", false, 0, "longer than"},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			_, p := compileCondition(tt.cond)
			if tt.ok {
				if p != nil {
					t.Fatalf("rejected: %+v", p)
				}
				return
			}
			if p == nil {
				t.Fatal("accepted")
			}
			if p.Field != "condition" || (tt.line > 0 && p.Line != tt.line) || !strings.Contains(p.Message, tt.message) {
				t.Fatalf("problem %+v, want line %d %q", p, tt.line, tt.message)
			}
		})
	}
}

func TestConditionRunsOnPlainDataWithinItsBudget(t *testing.T) {
	p, prob := compileCondition(`parcel.has_cod && event.reason in ["UNPAID", "REFUSED"] && none(contacts, .channel == "call")`)
	if prob != nil {
		t.Fatal(prob)
	}
	env := Env{Parcel: ParcelEnv{HasCOD: true}, Event: EventEnv{Reason: "UNPAID"}}
	if ok, err := evaluate(context.Background(), p, env); err != nil || !ok {
		t.Fatalf("%v %v", ok, err)
	}
	env.Contacts = []ContactEnv{{Channel: "call"}}
	if ok, _ := evaluate(context.Background(), p, env); ok {
		t.Fatal("held with a call already made")
	}
	// A condition that allocates without bound is stopped by the memory budget.
	heavy, prob := compileCondition(`len(filter(1..10000000, # > 0)) > 0`)
	if prob != nil {
		t.Fatal(prob)
	}
	var be *BudgetError
	if _, err := evaluate(context.Background(), heavy, env); !errors.As(err, &be) || be.Resource != ResElements {
		t.Fatalf("the heavy condition ran: %v", err)
	}
}

func TestRuleValidation(t *testing.T) {
	r := Rule{Name: "x", Trigger: "event", Codes: []string{"edd", "XYZ"}, Action: "sms", Condition: "true"}
	probs := r.validate(context.Background())
	var fields []string
	for _, p := range probs {
		fields = append(fields, p.Field+": "+p.Message)
	}
	joined := strings.Join(fields, "\n")
	if !strings.Contains(joined, `"XYZ" is not a UPU event code`) || !strings.Contains(joined, "template") || r.Codes[0] != "EDD" {
		t.Fatalf("problems:\n%s (codes %v)", joined, r.Codes)
	}
	r = Rule{Name: "y", Trigger: "sometimes", Action: "open_case", CaseType: "unicorns"}
	if len(r.validate(context.Background())) != 2 {
		t.Fatalf("%v", r.validate(context.Background()))
	}
}
