// Package review is the quality review of calls (issue 20 item 2; docs/quality-reviews.md):
// brands' scorecards (criteria with weights and a pass mark, frozen once a review uses them),
// supervisors' reviews of calls (a score of 0-5 per criterion and a comment; the total is the
// weighted share of the best score, in percent, and passes at the scorecard's pass mark), the
// weekly sample of each agent's answered recorded calls queued for review (job
// review-sampling, idempotent), agents' read of their own reviews, scores over time per agent
// and per queue, and the export of one call with everything known about it.
//
// Every read is filtered by the caller's access.Scope; every write acts for the brand of the
// call or scorecard it touches, which the caller's scope must allow (another brand's is
// ErrNotFound, in the words of one that does not exist).
package review

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/wismo/wismo/apierr"
	"github.com/wismo/wismo/input"
)

// MaxScore is the best score of one criterion; scores are whole numbers 0-MaxScore.
const MaxScore = 5

// Review states.
const (
	StatusQueued = "queued" // sampled, waiting for a supervisor
	StatusDone   = "done"   // scored
)

// Sentinel errors, mapped by Errors.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
	ErrRetired   = errors.New("scorecard retired: a newer version replaced it")
)

// Errors maps the package's errors to HTTP answers.
var Errors = apierr.Mapper{
	{Err: ErrNotFound, Kind: apierr.NotFound},
	{Err: ErrForbidden, Kind: apierr.Forbidden},
	{Err: ErrRetired, Kind: apierr.Conflict},
	{Err: input.ErrInvalid, Kind: apierr.Invalid},
}

// Criterion is one line of a scorecard.
type Criterion struct {
	Name   string `json:"name"`
	Weight int    `json:"weight"` // 1-100, relative to the other criteria
}

// Scorecard is a brand's review form. A scorecard a review used is frozen: saving it makes
// the next version (same Family) and retires this one.
type Scorecard struct {
	ID        int64       `json:"id"`
	BrandID   int64       `json:"brand_id"`
	Family    int64       `json:"family"` // the first version's id
	Version   int         `json:"version"`
	Name      string      `json:"name"`
	Criteria  []Criterion `json:"criteria"`
	PassMark  float64     `json:"pass_mark"` // percent, 0-100
	Active    bool        `json:"active"`
	CreatedAt time.Time   `json:"created_at"`
}

// ScorecardInput is what a brand manager sends.
type ScorecardInput struct {
	BrandID  int64       `json:"brand_id,omitempty"`
	Name     string      `json:"name"`
	Criteria []Criterion `json:"criteria"`
	PassMark float64     `json:"pass_mark"`
}

// Check validates a scorecard, naming each field at fault.
func (in *ScorecardInput) Check() error {
	var fes []*input.FieldError
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len([]rune(in.Name)) > 100 {
		fes = append(fes, input.Errorf("name", "must be 1-100 characters"))
	}
	if len(in.Criteria) == 0 || len(in.Criteria) > 20 {
		fes = append(fes, input.Errorf("criteria", "must have 1-20 criteria, got %d", len(in.Criteria)))
	}
	seen := map[string]bool{}
	for i := range in.Criteria {
		c := &in.Criteria[i]
		c.Name = strings.TrimSpace(c.Name)
		f := fmt.Sprintf("criteria[%d]", i)
		if c.Name == "" || len([]rune(c.Name)) > 200 {
			fes = append(fes, input.Errorf(f+".name", "must be 1-200 characters"))
		} else if seen[strings.ToLower(c.Name)] {
			fes = append(fes, input.Errorf(f+".name", "%q is already a criterion of this scorecard", c.Name))
		}
		seen[strings.ToLower(c.Name)] = true
		if c.Weight < 1 || c.Weight > 100 {
			fes = append(fes, input.Errorf(f+".weight", "must be 1-100, got %d", c.Weight))
		}
	}
	if math.IsNaN(in.PassMark) || in.PassMark < 0 || in.PassMark > 100 {
		fes = append(fes, input.Errorf("pass_mark", "must be 0-100 percent"))
	}
	if len(fes) > 0 {
		return input.Invalid(fes...)
	}
	return nil
}

// Total is the weighted total of scores on criteria, in percent of the best possible (one
// decimal), and whether it reaches passMark. Scores are 0-MaxScore, one per criterion.
func Total(criteria []Criterion, scores []int, passMark float64) (float64, bool, error) {
	if len(scores) != len(criteria) {
		return 0, false, input.Invalid(input.Errorf("scores", "must have one score per criterion (%d), got %d", len(criteria), len(scores)))
	}
	var fes []*input.FieldError
	var got, best float64
	for i, c := range criteria {
		if scores[i] < 0 || scores[i] > MaxScore {
			fes = append(fes, input.Errorf(fmt.Sprintf("scores[%d]", i), "must be 0-%d, got %d", MaxScore, scores[i]))
		}
		got += float64(c.Weight * scores[i])
		best += float64(c.Weight * MaxScore)
	}
	if len(fes) > 0 {
		return 0, false, input.Invalid(fes...)
	}
	if best == 0 {
		return 0, false, nil
	}
	total := math.Round(got/best*1000) / 10
	return total, total >= passMark, nil
}

// Review is one call's review: queued by the sample or scored.
type Review struct {
	ID            int64       `json:"id"`
	BrandID       int64       `json:"brand_id"`
	CallID        int64       `json:"call_id"`
	AgentID       int64       `json:"agent_id,omitempty"`
	Agent         string      `json:"agent,omitempty"` // the agent's e-mail
	QueueID       int64       `json:"queue_id,omitempty"`
	Week          string      `json:"week,omitempty"` // the sampled week, e.g. 2026-W49
	Status        string      `json:"status"`
	ScorecardID   int64       `json:"scorecard_id,omitempty"`
	ScorecardName string      `json:"scorecard,omitempty"`
	Criteria      []Criterion `json:"criteria,omitempty"` // the scorecard version's, as scored
	ReviewerID    int64       `json:"reviewer_id,omitempty"`
	Reviewer      string      `json:"reviewer,omitempty"`
	Scores        []int       `json:"scores,omitempty"`
	Comment       string      `json:"comment,omitempty"`
	Total         float64     `json:"total"`
	Passed        bool        `json:"passed"`
	PassMark      float64     `json:"pass_mark,omitempty"`
	CallStartedAt time.Time   `json:"call_started_at"`
	QueuedAt      time.Time   `json:"queued_at"`
	ReviewedAt    *time.Time  `json:"reviewed_at,omitempty"`
}

// ScoreInput is a supervisor's review of a call.
type ScoreInput struct {
	ScorecardID int64  `json:"scorecard_id"`
	Scores      []int  `json:"scores"`
	Comment     string `json:"comment"`
}

// Viewer is who reads: agents read only their own scored reviews.
type Viewer struct {
	UserID  int64
	OwnOnly bool // an agent: only reviews of their own calls, only scored ones
}

// Week is the ISO week of t (UTC) as "2026-W49" and the Monday it starts on.
func Week(t time.Time) (string, time.Time) {
	t = t.UTC()
	y, w := t.ISOWeek()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	return fmt.Sprintf("%d-W%02d", y, w), monday
}
