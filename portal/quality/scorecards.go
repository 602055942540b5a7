package quality

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/recordings/review"
)

// formRows is how many criterion rows the scorecard form offers.
const formRows = 8

type scorecardsPage struct {
	Frame
	Cards []cardForm
	New   cardForm
}

// cardForm is a scorecard as a form: its criteria padded with empty rows.
type cardForm struct {
	review.Scorecard
	Rows []review.Criterion
	Used bool // retired versions are shown, not edited
}

func toForm(sc review.Scorecard) cardForm {
	f := cardForm{Scorecard: sc, Rows: append([]review.Criterion{}, sc.Criteria...)}
	for len(f.Rows) < formRows {
		f.Rows = append(f.Rows, review.Criterion{})
	}
	return f
}

// scorecards is /quality/scorecards: the brand's scorecards, current and retired; managers
// edit them (a scorecard a review used gets a new version).
func (p *pages) scorecards(c *fiber.Ctx) error {
	f, err := p.frameOf(c, "scorecards")
	if err != nil {
		return err
	}
	f.Done = doneText(p.loc(c), c)
	return p.showScorecards(c, f, review.Scorecard{PassMark: 80})
}

func (p *pages) showScorecards(c *fiber.Ctx, f Frame, draft review.Scorecard) error {
	list, err := p.o.Reviews.Scorecards(c.UserContext(), access.PrincipalOf(c).Scope, f.Brand.ID, true)
	if err != nil {
		return err
	}
	d := scorecardsPage{Frame: f, New: toForm(draft)}
	for _, sc := range list {
		d.Cards = append(d.Cards, toForm(sc))
	}
	return p.render(c, "quality_scorecards.html", "q.scorecards", d)
}

// saveScorecard is the scorecard form's post (id 0: a new one).
func (p *pages) saveScorecard(c *fiber.Ctx) error {
	f, err := p.frameOf(c, "scorecards")
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(c.FormValue("id"), 10, 64)
	in := review.ScorecardInput{Name: c.FormValue("name")}
	if in.PassMark, err = strconv.ParseFloat(strings.TrimSpace(c.FormValue("pass_mark")), 64); err != nil {
		in.PassMark = -1
	}
	names := c.Request().PostArgs().PeekMulti("criterion")
	weights := c.Request().PostArgs().PeekMulti("weight")
	for i, n := range names {
		name := strings.TrimSpace(string(n))
		if name == "" {
			continue // the form's empty rows
		}
		w := 0
		if i < len(weights) {
			w, _ = strconv.Atoi(strings.TrimSpace(string(weights[i])))
		}
		in.Criteria = append(in.Criteria, review.Criterion{Name: name, Weight: w})
	}
	_, err = p.o.Reviews.SaveScorecard(c.UserContext(), access.PrincipalOf(c).Scope, f.Brand.ID, id, in)
	switch {
	case errors.Is(err, input.ErrInvalid) || errors.Is(err, review.ErrRetired):
		f.Error = problem(err)
		c.Status(fiber.StatusUnprocessableEntity)
		return p.showScorecards(c, f, review.Scorecard{Name: in.Name, Criteria: in.Criteria, PassMark: in.PassMark})
	case errors.Is(err, review.ErrNotFound):
		return fiber.NewError(fiber.StatusNotFound, "no such scorecard")
	case err != nil:
		return err
	}
	return back(c, "/quality/scorecards", f.Brand.ID, "scorecard")
}
