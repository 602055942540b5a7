package quality

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/recordings/review"
	"github.com/wismo/wismo/recordings/talk"
)

type queuePage struct {
	Frame
	Queued, Done []review.Review
}

// queue is /quality/queue: the brand's calls waiting for review, oldest first, and the
// latest reviews.
func (p *pages) queue(c *fiber.Ctx) error {
	f, err := p.frameOf(c, "queue")
	if err != nil {
		return err
	}
	scope := access.PrincipalOf(c).Scope
	d := queuePage{Frame: f}
	if d.Queued, err = p.o.Reviews.List(c.UserContext(), scope, review.Viewer{}, review.Filter{Status: review.StatusQueued, BrandID: f.Brand.ID, Limit: 200}); err != nil {
		return err
	}
	if d.Done, err = p.o.Reviews.List(c.UserContext(), scope, review.Viewer{}, review.Filter{Status: review.StatusDone, BrandID: f.Brand.ID, Limit: 50}); err != nil {
		return err
	}
	return p.render(c, "quality_queue.html", "q.queue", d)
}

type callPage struct {
	Frame
	Call       review.CallFacts
	Agent      string
	AudioURL   string
	StripURL   string
	Review     *review.Review
	Scorecards []review.Scorecard
	Card       *review.Scorecard
	Lines      []criterionLine
	Comment    string
	MaxScore   int
	Talk       *talkFacts
	CanExport  bool
}

// talkFacts are the call's talk analytics in the viewer's words, flags by the brand's
// thresholds.
type talkFacts struct {
	Share, LongestSilence, Overtalk, Interruptions string
	Flags                                          []string
}

// criterionLine is one criterion of the form with its chosen score.
type criterionLine struct {
	review.Criterion
	N      int // 1-based, for labels' ids
	Scores []scoreOption
}

type scoreOption struct {
	Value    int
	Selected bool
}

// callPage is /quality/calls/{id}: the call's player and talk strip (a click seeks), its
// review if any, and the scorecard form.
func (p *pages) callPage(c *fiber.Ctx) error {
	d, err := p.loadCall(c)
	if err != nil {
		return err
	}
	d.Done = doneText(p.loc(c), c)
	return p.render(c, "quality_call.html", "q.review_call", d)
}

func (p *pages) loadCall(c *fiber.Ctx) (callPage, error) {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	pr := access.PrincipalOf(c)
	ctx := c.UserContext()
	call, err := p.o.Reviews.Call(ctx, pr.Scope, id)
	if errors.Is(err, review.ErrNotFound) {
		return callPage{}, fiber.NewError(fiber.StatusNotFound, p.loc(c).T("q.no_call"))
	}
	if err != nil {
		return callPage{}, err
	}
	f, err := p.frameOf(c, "queue")
	if err != nil {
		return callPage{}, err
	}
	for _, b := range f.Brands {
		if b.ID == call.BrandID {
			f.Brand = b
		}
	}
	d := callPage{Frame: f, Call: call, MaxScore: review.MaxScore}
	recs, err := p.o.Reviews.Recordings(ctx, pr.Scope, id)
	if err != nil {
		return d, err
	}
	if len(recs) > 0 {
		d.AudioURL = fmt.Sprintf("/api/v1/recordings/%d/audio", recs[0])
		d.StripURL = fmt.Sprintf("/api/v1/calls/%d/talk.svg?recording=%d", id, recs[0])
	}
	if got, err := p.o.Talk.ForCall(ctx, pr.Scope, id); err == nil && got[0].Error == "" {
		m, l := got[0].Metrics, p.loc(c)
		sec := func(ms int64) string { return l.T("q.seconds", "n", strconv.FormatFloat(float64(ms)/1000, 'f', 1, 64)) }
		d.Talk = &talkFacts{Share: strconv.FormatFloat(m.AgentShare*100, 'f', 0, 64) + "%", LongestSilence: sec(m.LongestSilenceMS),
			Overtalk: sec(m.OvertalkMS), Interruptions: strconv.Itoa(m.CustomerInterruptions + m.AgentInterruptions), Flags: m.Flags}
	} else if err != nil && !errors.Is(err, talk.ErrNotFound) {
		return d, err
	}
	d.CanExport = review.May(pr, review.AuditRoles)
	if rv, err := p.o.Reviews.OfCall(ctx, pr.Scope, review.Viewer{}, id); err == nil {
		d.Review, d.Agent, d.Comment = &rv, rv.Agent, rv.Comment
	} else if !errors.Is(err, review.ErrNotFound) {
		return d, err
	}
	if d.Agent == "" && call.AgentID != 0 {
		d.Agent = "#" + strconv.FormatInt(call.AgentID, 10)
	}
	if d.Scorecards, err = p.o.Reviews.Scorecards(ctx, pr.Scope, call.BrandID, false); err != nil {
		return d, err
	}
	pick, _ := strconv.ParseInt(c.Query("scorecard", c.FormValue("scorecard_id")), 10, 64)
	var chosen []int
	if d.Review != nil && d.Review.Status == review.StatusDone && (pick == 0 || pick == d.Review.ScorecardID) {
		pick, chosen = d.Review.ScorecardID, d.Review.Scores
	}
	for i := range d.Scorecards {
		if d.Scorecards[i].ID == pick || (pick == 0 && i == 0) {
			d.Card = &d.Scorecards[i]
		}
	}
	if d.Card != nil {
		for i, cr := range d.Card.Criteria {
			line := criterionLine{Criterion: cr, N: i + 1}
			for v := review.MaxScore; v >= 0; v-- {
				sel := (i < len(chosen) && chosen[i] == v) || (i >= len(chosen) && v == review.MaxScore)
				line.Scores = append(line.Scores, scoreOption{Value: v, Selected: sel})
			}
			d.Lines = append(d.Lines, line)
		}
	}
	return d, nil
}

// score is the scorecard form's post: the review is stored and the page shown again with it,
// or the form comes back with what to fix (422).
func (p *pages) score(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	pr := access.PrincipalOf(c)
	in := review.ScoreInput{Comment: c.FormValue("comment")}
	in.ScorecardID, _ = strconv.ParseInt(c.FormValue("scorecard_id"), 10, 64)
	for _, v := range c.Request().PostArgs().PeekMulti("score") {
		n, err := strconv.Atoi(string(v))
		if err != nil {
			n = -1
		}
		in.Scores = append(in.Scores, n)
	}
	rv, err := p.o.Reviews.Score(c.UserContext(), pr.Scope, review.ViewerOf(pr).UserID, id, in)
	switch {
	case errors.Is(err, review.ErrNotFound):
		return fiber.NewError(fiber.StatusNotFound, p.loc(c).T("q.no_call"))
	case errors.Is(err, input.ErrInvalid):
		d, lerr := p.loadCall(c)
		if lerr != nil {
			return lerr
		}
		d.Error, d.Comment = problem(err), in.Comment
		c.Status(fiber.StatusUnprocessableEntity)
		return p.render(c, "quality_call.html", "q.review_call", d)
	case err != nil:
		return err
	}
	return back(c, fmt.Sprintf("/quality/calls/%d", id), rv.BrandID, "review")
}

type minePage struct {
	Frame
	Reviews []review.Review
	Trend   []trendRow
}

// mine is /quality/mine: the viewer's own scored reviews (an agent sees no one else's) and
// their scores per week.
func (p *pages) mine(c *fiber.Ctx) error {
	f, err := p.frameOf(c, "mine")
	if err != nil {
		return err
	}
	pr := access.PrincipalOf(c)
	v := review.Viewer{UserID: review.ViewerOf(pr).UserID, OwnOnly: true}
	d := minePage{Frame: f}
	if d.Reviews, err = p.o.Reviews.List(c.UserContext(), pr.Scope, v, review.Filter{Limit: 100}); err != nil {
		return err
	}
	from, to := yearRange()
	trend, err := p.o.Reviews.Trends(c.UserContext(), pr.Scope, v, 0, review.TrendByAgent, from, to)
	if err != nil {
		return err
	}
	d.Trend = trendRows(p.loc(c), trend)
	return p.render(c, "quality_mine.html", "q.mine", d)
}
