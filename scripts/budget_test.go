package scripts

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/tracking"
)

// doubling is issue 13's rule: each let doubles a text, to 8 GiB at a30; expr's own
// memory budget does not count string +.
func doubling(n int) string {
	var b strings.Builder
	b.WriteString(`let a0="xxxxxxxx"; `)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "let a%d=a%d+a%d; ", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "len(a%d)>0", n)
	return b.String()
}

// allocated is what fn allocated, in bytes, whatever the collector freed meanwhile.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func budgetErr(t *testing.T, err error, want Resource) *BudgetError {
	t.Helper()
	var be *BudgetError
	if !errors.As(err, &be) || !errors.Is(err, ErrBudget) || be.Resource != want {
		t.Fatalf("error %v, want the %s budget", err, want)
	}
	return be
}

// TestDoublingConditionIsRefusedAndStopped: the rule that took a node down is refused when
// checked or saved, in words; run anyway (saved before the budgets existed), it stops at
// its budget with an error, having allocated little.
func TestDoublingConditionIsRefusedAndStopped(t *testing.T) {
	ctx := context.Background()
	src := doubling(30)
	r := Rule{Name: "bomb", Trigger: "event", Action: "open_case", CaseType: "damage", Condition: src}
	probs := CheckRule(ctx, r)
	if len(probs) != 1 || probs[0].Field != "condition" || probs[0].Line != 1 ||
		probs[0].Message != "this condition needs more than 1 MiB of memory for text on the sample parcel; simplify it" {
		t.Fatalf("check: %+v", probs)
	}
	prog, prob := compileCondition(src)
	if prob != nil {
		t.Fatal(prob)
	}
	var err error
	used := allocated(func() { _, err = evaluate(ctx, prog, Env{}) })
	budgetErr(t, err, ResText)
	if used > 16<<20 {
		t.Fatalf("the stopped condition allocated %d MiB", used>>20)
	}
}

// TestNestedPredicatesStopAtTheStepBudget: loops inside loops that allocate nothing are
// counted in full; the sample's three contacts let the rule be saved, a parcel with fifty
// stops it at run time.
func TestNestedPredicatesStopAtTheStepBudget(t *testing.T) {
	ctx := context.Background()
	src := `all(contacts, all(contacts, all(contacts, all(contacts, .channel != "fax"))))`
	if probs := CheckRule(ctx, Rule{Name: "n", Trigger: "event", Action: "open_case", CaseType: "damage", Condition: src}); len(probs) > 0 {
		t.Fatalf("81 iterations on the sample refused: %v", probs)
	}
	prog, _ := compileCondition(src)
	env := Env{Contacts: make([]ContactEnv, 50)} // 50^4 = 6.25 million iterations
	ok, err := evaluate(ctx, prog, env)
	budgetErr(t, err, ResSteps)
	if ok {
		t.Fatal("held")
	}
	// Ranges made in the condition count the same way, and are refused at the check.
	probs := CheckRule(ctx, Rule{Name: "r", Trigger: "event", Action: "open_case", CaseType: "damage",
		Condition: "let r = 1..300;\nall(r, all(r, all(r, # > 0)))"})
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "loops more than 20000 times on the sample parcel") {
		t.Fatalf("range loops: %+v", probs)
	}
}

// TestConditionClockAndTextFunctions: the clock is read every eight iterations and at
// every metered operation; string(), upper() and run-time patterns are metered too.
func TestConditionClockAndTextFunctions(t *testing.T) {
	late, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	prog, _ := compileCondition(`any(contacts, .channel == "sms")`)
	calls := make([]ContactEnv, 8)
	_, err := evaluate(late, prog, Env{Contacts: calls})
	budgetErr(t, err, ResTime)
	if ok, err := evaluate(late, prog, Env{Contacts: calls[:7]}); ok || err != nil {
		t.Fatalf("seven iterations do not read the clock: %v %v", ok, err)
	}

	ctx := context.Background()
	for _, tt := range []struct {
		src  string
		want Resource
	}{
		{doubling(15) + ` && len(string(map(1..50, a15))) > 0`, ResText}, // 50 x 256 KiB, refused before formatting
		{doubling(14) + ` && len(upper(a14) + upper(a14) + upper(a14) + upper(a14) + upper(a14) + upper(a14) + upper(a14) + upper(a14)) > 0`, ResText},
		{`let a = 1..60000; let b = 1..60000; len(a) + len(b) > 0`, ResElements},
	} {
		prog, prob := compileCondition(tt.src)
		if prob != nil {
			t.Fatal(prob)
		}
		_, err := evaluate(ctx, prog, Env{})
		budgetErr(t, err, tt.want)
	}
	prog, prob := compileCondition(doubling(8) + ` && "x" matches a8`)
	if prob != nil {
		t.Fatal(prob)
	}
	if _, err := evaluate(ctx, prog, Env{}); err == nil || !strings.Contains(err.Error(), "longer than 1000 characters") {
		t.Fatalf("a 2 KiB pattern made at run time: %v", err)
	}
	// What conditions really do still works, on the metered program.
	prog, _ = compileCondition(`upper(parcel.destination_country + "-" + string(parcel.events)) == "RU-3" && "ab" + "c" matches "^abc$" && 1 + 2 == 3`)
	if ok, err := evaluate(ctx, prog, Env{Parcel: ParcelEnv{DestinationCountry: "ru", Events: 3}}); !ok || err != nil {
		t.Fatalf("%v %v", ok, err)
	}
	// The meter is out of a condition's reach.
	if _, prob := compileCondition(`wismo_budget != nil`); prob == nil || !strings.Contains(prob.Message, "there is no name wismo_budget") {
		t.Fatalf("%+v", prob)
	}
}

// TestRulesConsumerSurvivesAnOverBudgetRule: a rule that passes its check on the sample
// (which has cash on delivery) but doubles text on a parcel without is skipped with an
// error when the news comes; the other rules plan their contacts and memory stays small.
func TestRulesConsumerSurvivesAnOverBudgetRule(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.svc.EnsureStandardFlow(ctx, e.brand); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SaveRule(ctx, e.brand, 0, Rule{Name: "bomb", Enabled: true, Position: 1, Trigger: "event", Codes: []string{"EDD"},
		Condition: "parcel.has_cod || (" + doubling(30) + ")", Action: "open_case", CaseType: "damage"}); err != nil {
		t.Fatalf("the rule is fine on the sample parcel: %v", err)
	}
	p := tracking.MakeS10("RB", 730001, "GB")
	e.parcel(p, "")
	e.events(ev(p, "EDD", "2026-11-20T05:30:00Z"))
	used := allocated(e.consume)
	if got := e.contacts(p); len(got) != 1 || !strings.Contains(got[0].Body, "в сортировочном центре") {
		t.Fatalf("the standard SMS: %+v", got)
	}
	if used > 64<<20 {
		t.Fatalf("consuming one event allocated %d MiB", used>>20)
	}
	var n int
	e.db.SQL.QueryRow(`SELECT COUNT(*) FROM rule_case_requests`).Scan(&n)
	if n != 0 {
		t.Fatalf("the over-budget rule acted: %d case requests", n)
	}
}
