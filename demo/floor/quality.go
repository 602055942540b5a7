package floor

import (
	"context"
	"database/sql"
	"errors"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/recordings/retention"
	"github.com/wismo/wismo/recordings/review"
	"github.com/wismo/wismo/recordings/talk"
)

// Criteria are the demo scorecard's, with their weights.
var Criteria = []review.Criterion{{Name: "Greeting", Weight: 1}, {Name: "Identified the parcel", Weight: 2},
	{Name: "Resolved", Weight: 3}, {Name: "Polite", Weight: 1}}

// PassMark is the demo scorecard's, in percent.
const PassMark = 70

// quality gives every brand the scorecard and a sample of 2 calls per agent a week, then the
// supervisor scores two of the demo agent's recorded calls: one passes, one fails.
func quality(ctx context.Context, d demo.WorkspaceDeps, brands []int64, who people, sum *Summary) error {
	svc := review.NewService(d.DB, d.Recordings, talk.NewService(d.DB, d.Log), d.Log)
	cards := map[int64]int64{}
	for _, b := range brands {
		sc, err := svc.SaveScorecard(ctx, access.Brands(b), b, 0, review.ScorecardInput{Name: "Parcel call",
			Criteria: Criteria, PassMark: PassMark})
		if err != nil {
			return err
		}
		cards[b] = sc.ID
		sum.Scorecards++
		if err := svc.SetSampleSize(ctx, b, 2); err != nil {
			return err
		}
	}
	calls, err := agentCalls(ctx, d, who.agent)
	if err != nil {
		return err
	}
	scored := []review.ScoreInput{
		{Scores: []int{5, 4, 5, 5}, Comment: "Warm greeting, found the parcel by the phone number at once and explained the customs hold clearly."},
		{Scores: []int{3, 2, 1, 4}, Comment: "Did not ask for the tracking number; the customer had to call again. Check the parcel before promising a date."},
	}
	for i, in := range scored {
		k := len(calls) - 1 - i // the latest calls: the ones the transfers and monitoring left alone
		if k < 0 {
			break
		}
		c := calls[k]
		in.ScorecardID = cards[c.BrandID]
		if _, err := svc.Score(ctx, access.Brands(c.BrandID), who.supervisor, c.ID, in); err != nil {
			return err
		}
		sum.Reviews++
	}
	return nil
}

// retain: the first brand keeps recordings for 365 days, and a case of a recorded call's
// parcel (or any of its cases) is on legal hold.
func retain(ctx context.Context, d demo.WorkspaceDeps, brands []int64, sum *Summary) error {
	if len(brands) == 0 {
		return nil
	}
	b := brands[0]
	svc := retention.New(d.DB, d.Recordings, d.Log)
	if _, err := svc.SetDays(ctx, b, 365, SupervisorEmail); err != nil {
		return err
	}
	var caseID int64
	var id sql.NullInt64
	if err := d.DB.SQL.QueryRowContext(ctx, d.DB.Rebind(`SELECT MIN(cp.case_id) FROM case_parcels cp JOIN calls c ON c.parcel_id = cp.parcel_id
		JOIN cases k ON k.id = cp.case_id WHERE k.brand_id = ? AND c.recording_id IS NOT NULL`), b).Scan(&id); err != nil {
		return err
	}
	if !id.Valid {
		if err := d.DB.SQL.QueryRowContext(ctx, d.DB.Rebind(`SELECT MIN(id) FROM cases WHERE brand_id = ?`), b).Scan(&id); err != nil {
			return err
		}
	}
	if caseID = id.Int64; !id.Valid {
		return errors.New("no case of the first brand to hold")
	}
	if _, err := svc.PlaceHold(ctx, b, caseID, HoldReason, SupervisorEmail); err != nil {
		return err
	}
	sum.Holds++
	return nil
}
