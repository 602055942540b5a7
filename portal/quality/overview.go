package quality

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/recordings/talk"
)

type overviewPage struct {
	Frame
	By, From, To string
	Groupings    []string
	Groups       []aggRow
	Thresholds   talk.ThresholdsJSON
	Sample       int
	SampleDef    bool
	Retention    *retentionForm // managers: the recordings' retention
}

// aggRow is an aggregate with its numbers written for the page.
type aggRow struct {
	talk.Aggregate
	Share, Silence, Overtalk, Interruptions string
}

// overview is /quality: the talk analytics per agent, brand, campaign or queue over a date
// range, and the brand's thresholds and weekly sample (managers change them). Agents go to
// their own reviews.
func (p *pages) overview(c *fiber.Ctx) error {
	pr := access.PrincipalOf(c)
	f, err := p.frameOf(c, "overview")
	if err != nil {
		return err
	}
	if pr.User != nil && pr.User.Role == access.RoleAgent {
		return c.Redirect("/quality/mine", fiber.StatusSeeOther)
	}
	l := p.loc(c)
	f.Done = doneText(l, c)
	d := overviewPage{Frame: f, By: c.Query("by", talk.ByAgent), Groupings: talk.Groupings}
	from, to, err := talk.DateRange(c.Query("from"), c.Query("to"), time.Now())
	if err != nil {
		d.Error = problem(err)
		from, to, _ = talk.DateRange("", "", time.Now())
	}
	d.From, d.To = from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly)
	groups, err := p.o.Talk.Aggregate(c.UserContext(), pr.Scope, f.Brand.ID, d.By, from, to)
	var ve *input.ValidationError
	if errors.As(err, &ve) {
		d.Error, d.By = problem(err), talk.ByAgent
		groups, err = p.o.Talk.Aggregate(c.UserContext(), pr.Scope, f.Brand.ID, d.By, from, to)
	}
	if err != nil {
		return err
	}
	for _, g := range groups {
		r := aggRow{Aggregate: g, Share: strconv.FormatFloat(g.AvgAgentShare*100, 'f', 0, 64) + "%",
			Silence:       l.T("q.seconds", "n", strconv.FormatFloat(g.AvgSilenceMS/1000, 'f', 1, 64)),
			Overtalk:      l.T("q.seconds", "n", strconv.FormatFloat(g.AvgOvertalkMS/1000, 'f', 1, 64)),
			Interruptions: strconv.FormatFloat(g.AvgInterruptions, 'f', 1, 64)}
		if r.Label == "" {
			r.Label = l.T("q.none")
		}
		d.Groups = append(d.Groups, r)
	}
	th, def, err := p.o.Talk.BrandThresholds(c.UserContext(), f.Brand.ID)
	if err != nil {
		return err
	}
	d.Thresholds = th.JSON(f.Brand.ID, def)
	if d.Sample, d.SampleDef, err = p.o.Reviews.SampleSize(c.UserContext(), f.Brand.ID); err != nil {
		return err
	}
	if d.Retention, err = p.retentionOf(c, f); err != nil {
		return err
	}
	return p.render(c, "quality.html", "q.title", d)
}

// saveThresholds is the thresholds form of /quality.
func (p *pages) saveThresholds(c *fiber.Ctx) error {
	f, err := p.frameOf(c, "overview")
	if err != nil {
		return err
	}
	dead, _ := strconv.ParseInt(c.FormValue("dead_air_seconds"), 10, 64)
	share, _ := strconv.Atoi(c.FormValue("agent_talk_share_percent"))
	th, err := talk.ParseThresholds(dead, share)
	if err != nil {
		return fiber.NewError(fiber.StatusUnprocessableEntity, problem(err))
	}
	if err := p.o.Talk.SetThresholds(c.UserContext(), f.Brand.ID, th); err != nil {
		return err
	}
	return back(c, "/quality", f.Brand.ID, "thresholds")
}

// saveSample is the weekly sample form of /quality.
func (p *pages) saveSample(c *fiber.Ctx) error {
	f, err := p.frameOf(c, "overview")
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.FormValue("sample_per_week"))
	if err != nil {
		n = -1
	}
	if err := p.o.Reviews.SetSampleSize(c.UserContext(), f.Brand.ID, n); err != nil {
		if errors.Is(err, input.ErrInvalid) {
			return fiber.NewError(fiber.StatusUnprocessableEntity, problem(err))
		}
		return err
	}
	return back(c, "/quality", f.Brand.ID, "sample")
}
