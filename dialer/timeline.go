package dialer

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
)

// TimelineFor returns the contacts of parcels as timeline entries for the case tracker:
// one "contact" entry per SMS or email (at its latest step, with its status), and one "call"
// entry per call attempt (with its outcome and disposition once known). It implements
// cases.TimelineSource.
func (s *Service) TimelineFor(ctx context.Context, scope access.Scope, parcelIDs []string) ([]cases.TimelineEntry, error) {
	var out []cases.TimelineEntry
	for _, id := range parcelIDs {
		list, err := s.Contacts(ctx, scope, id)
		if err != nil {
			return nil, err
		}
		for _, c := range list {
			if c.Channel == Call {
				out = append(out, callEntries(c)...)
				continue
			}
			at := c.PlannedAt
			if n := len(c.Log); n > 0 {
				at = c.Log[n-1].At
			}
			summary := fmt.Sprintf("%s %s", c.Channel, c.Status)
			if c.Status == StatusPlanned {
				summary += " for " + c.DueLocal
			}
			out = append(out, cases.TimelineEntry{At: at, Kind: "contact", Summary: summary, Actor: "dialer",
				Ref: "contact:" + strconv.FormatInt(c.ID, 10), Data: c})
		}
	}
	return out, nil
}

// callEntries are a call sequence's attempts; a sequence not yet attempted is one planned entry.
func callEntries(c Contact) []cases.TimelineEntry {
	ref := "contact:" + strconv.FormatInt(c.ID, 10)
	type attempt struct {
		Contact     int64  `json:"contact_id"`
		Attempt     int    `json:"attempt"`
		CampaignID  int64  `json:"campaign_id,omitempty"`
		Outcome     string `json:"outcome,omitempty"`
		Disposition string `json:"disposition,omitempty"`
		Status      string `json:"status"`
	}
	var out []cases.TimelineEntry
	byTry := map[int]int{} // try -> index in out
	for _, l := range c.Log {
		if l.Try == 0 {
			continue
		}
		i, seen := byTry[l.Try]
		if !seen {
			i = len(out)
			byTry[l.Try] = i
			out = append(out, cases.TimelineEntry{At: l.At, Kind: "call", Actor: "dialer", Ref: ref,
				Summary: fmt.Sprintf("call attempt %d", l.Try), Data: attempt{Contact: c.ID, Attempt: l.Try, CampaignID: c.CampaignID, Status: l.Kind}})
		}
		a := out[i].Data.(attempt)
		a.Status = l.Kind
		if l.Kind == "outcome" {
			a.Outcome, a.Disposition = l.Detail, ""
			if o, d, ok := strings.Cut(l.Detail, "/"); ok {
				a.Outcome, a.Disposition = o, d
			}
			out[i].Summary = fmt.Sprintf("call attempt %d: %s", l.Try, l.Detail)
			if l.Actor != "" {
				out[i].Actor = l.Actor
			}
		}
		out[i].Data = a
	}
	if len(out) == 0 {
		out = append(out, cases.TimelineEntry{At: c.PlannedAt, Kind: "call", Actor: "dialer", Ref: ref,
			Summary: fmt.Sprintf("call %s for %s", c.Status, c.DueLocal), Data: attempt{Contact: c.ID, CampaignID: c.CampaignID, Status: string(c.Status)}})
	}
	return out
}
