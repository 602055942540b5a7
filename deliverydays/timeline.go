package deliverydays

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/tracking"
)

var _ cases.TimelineSource = (*Service)(nil)

// Summary is the choice in the agents' words: "Customer chose delivery on Tue 08.12.2026 in
// an automated call (call 17)".
func (c Choice) Summary() string {
	verb := "chose"
	if c.Planned {
		verb = "confirmed"
	}
	day := c.Date
	if d, err := time.Parse(time.DateOnly, c.Date); err == nil {
		day = d.Format("Mon 02.01.2006")
	}
	s := fmt.Sprintf("Customer %s delivery on %s %s", verb, day, viaWords[c.Via])
	if c.CallID != 0 {
		s += " (call " + strconv.FormatInt(c.CallID, 10) + ")"
	}
	if c.By != "" && c.By != "customer:"+c.Via {
		s += ", recorded by " + c.By
	}
	return s
}

// TimelineFor puts the customers' choices of delivery days on case and parcel timelines
// (cases.TimelineSource): one "choice" entry each, the choice as its data.
func (s *Service) TimelineFor(ctx context.Context, scope access.Scope, parcelIDs []string) ([]cases.TimelineEntry, error) {
	var out []cases.TimelineEntry
	for _, id := range parcelIDs {
		brand, err := tracking.Owner(ctx, s.db, scope, id)
		if errors.Is(err, tracking.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		list, err := s.History(ctx, brand, id)
		if err != nil {
			return nil, err
		}
		for _, c := range list {
			out = append(out, cases.TimelineEntry{At: c.At, Kind: "choice", Summary: c.Summary(), Actor: c.By,
				Ref: "choice:" + strconv.FormatInt(c.ID, 10), Data: c.View()})
		}
	}
	return out, nil
}

// ChoiceView is a choice as the API shows it.
type ChoiceView struct {
	ParcelID   string    `json:"parcel_id"`
	Date       string    `json:"date"`
	Weekday    string    `json:"weekday"`
	Via        string    `json:"via"`
	CallID     int64     `json:"call_id,omitempty"`
	At         time.Time `json:"at"`
	Planned    bool      `json:"planned"`
	CaseNumber string    `json:"case_number,omitempty"`
	By         string    `json:"by"`
}

// View is the choice as the API shows it.
func (c Choice) View() ChoiceView {
	return ChoiceView{ParcelID: c.ParcelID, Date: c.Date, Weekday: weekdayName(c.Weekday), Via: c.Via, CallID: c.CallID,
		At: c.At, Planned: c.Planned, CaseNumber: c.CaseNumber, By: c.By}
}

func weekdayName(wd time.Weekday) string {
	return [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}[wd]
}
