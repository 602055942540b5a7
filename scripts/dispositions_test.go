package scripts

import (
	"context"
	"slices"
	"testing"
)

// After a call the agent chooses from the standard dispositions and the brand's own words,
// the ones its call scripts end with; another brand's words are not offered.
func TestDispositionsAreStandardPlusTheBrandsOwn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other, _, err := e.acc.CreateBrand(ctx, "Other Shop")
	if err != nil {
		t.Fatal(err)
	}
	script := func(word string) ScriptInput {
		return ScriptInput{Name: "cod-check-" + word, Body: ScriptBody{Start: "ask", Steps: []Step{
			{ID: "ask", Say: "Will you pay cash on delivery?", Question: &Question{Text: "Pays?", Options: []Option{
				{Answer: "yes", End: &Ending{Disposition: "reached"}},
				{Answer: "no", End: &Ending{Disposition: word}},
			}}},
		}}}
	}
	if _, err := e.svc.SaveScript(ctx, e.brand, 0, script("cod_refused"), "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SaveScript(ctx, other.ID, 0, script("other_shop_word"), "test"); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Dispositions(ctx, e.brand)
	if err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(standardDispositions), "cod_refused")
	if !slices.Equal(got, want) {
		t.Fatalf("dispositions %v, want %v", got, want)
	}
}
