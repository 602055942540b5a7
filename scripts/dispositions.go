package scripts

import (
	"context"
	"slices"
)

// standardDispositions are the answered-call dispositions every brand has
// (docs/architecture.md, "Calls, outcomes and dispositions").
var standardDispositions = []string{"reached", "callback_requested", "wrong_number", "refused", "voicemail"}

// Dispositions is the brand's list an agent chooses from after a call: the standard ones,
// then the brand's own words that its current call scripts end with, in name order.
func (s *Service) Dispositions(ctx context.Context, brand int64) ([]string, error) {
	list, err := s.Scripts(ctx, brand)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(standardDispositions)
	var own []string
	add := func(e *Ending) {
		if e != nil && e.Disposition != "" && !slices.Contains(out, e.Disposition) && !slices.Contains(own, e.Disposition) {
			own = append(own, e.Disposition)
		}
	}
	for _, sc := range list {
		for _, st := range sc.Body.Steps {
			add(st.End)
			if st.Question != nil {
				for _, o := range st.Question.Options {
					add(o.End)
				}
			}
		}
	}
	slices.Sort(own)
	return append(out, own...), nil
}
