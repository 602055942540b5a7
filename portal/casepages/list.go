package casepages

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/portal"
)

// listPage is the /cases page's data.
type listPage struct {
	Views     []viewTab
	Query     cases.ViewQuery
	Brands    []access.Brand
	Assignees []access.Staff
	Types     []cases.CaseType
	Statuses  []cases.CaseStatus
	Sources   []cases.Source
	Sorts     []cases.Sort
	Rows      []listRow
	Next      string // the next page's URL ("" on the last)
	First     string // the first page's URL when this is not it
	Now       time.Time
}

type viewTab struct {
	View    cases.View
	Count   cases.ViewCount
	Href    string
	Current bool
}

type listRow struct {
	cases.CaseView
	Href, Brand, Assignee string
	Due                   *time.Time
	Breached              bool
}

// parseQuery reads the view, filters, sort and cursor of /cases; a wrong value is a 422
// naming the parameter.
func parseQuery(c *fiber.Ctx, me int64) (cases.ViewQuery, error) {
	q := cases.ViewQuery{View: cases.ViewMine, Sort: cases.SortDue, Me: me, After: c.Query("after"), Limit: 50,
		Country: strings.ToUpper(strings.TrimSpace(c.Query("country"))), Region: strings.ToUpper(strings.TrimSpace(c.Query("region")))}
	var errs []*input.FieldError
	var fe *input.FieldError
	if v := c.Query("view"); v != "" {
		q.View, fe = input.OneOf("view", v, cases.Views)
		errs = append(errs, fe)
	}
	if v := c.Query("sort"); v != "" {
		q.Sort, fe = input.OneOf("sort", v, cases.Sorts)
		errs = append(errs, fe)
	}
	if v := c.Query("type"); v != "" {
		q.Type, fe = input.OneOf("type", v, cases.CaseTypes)
		errs = append(errs, fe)
	}
	if v := c.Query("status"); v != "" {
		q.Status, fe = input.OneOf("status", v, cases.CaseStatuses)
		errs = append(errs, fe)
	}
	if v := c.Query("source"); v != "" {
		q.Source, fe = input.OneOf("source", v, cases.Sources)
		errs = append(errs, fe)
	}
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"brand", &q.BrandID}, {"assignee", &q.AssigneeID}} {
		if v := c.Query(f.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				errs = append(errs, input.Errorf(f.name, "must be an id from the list"))
			}
			*f.dst = n
		}
	}
	if q.Country != "" && len(q.Country) != 2 {
		errs = append(errs, input.Errorf("country", "must be a two-letter country code"))
	}
	return q, input.Invalid(errs...)
}

// href is the /cases URL of q with view v and cursor after.
func href(q cases.ViewQuery, v cases.View, after string) string {
	vals := url.Values{"view": {string(v)}, "sort": {string(q.Sort)}}
	set := func(k, v string) {
		if v != "" {
			vals.Set(k, v)
		}
	}
	id := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	set("brand", id(q.BrandID))
	set("assignee", id(q.AssigneeID))
	set("type", string(q.Type))
	set("status", string(q.Status))
	set("source", string(q.Source))
	set("country", q.Country)
	set("region", q.Region)
	set("after", after)
	return "/cases?" + vals.Encode()
}

func (p *pages) list(c *fiber.Ctx) error {
	pr := access.PrincipalOf(c)
	L := p.locale(c)
	var me int64
	if pr.User != nil {
		me = pr.User.ID
	}
	q, err := parseQuery(c, me)
	if err != nil {
		return fiber.NewError(fiber.StatusUnprocessableEntity, err.Error())
	}
	ctx := c.UserContext()
	page, err := p.o.Cases.ViewPage(ctx, pr.Scope, q)
	if errors.Is(err, cases.ErrBadCursor) {
		return c.Redirect(href(q, q.View, ""), fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	counts, err := p.o.Cases.CountViews(ctx, pr.Scope, q)
	if err != nil {
		return err
	}
	brands, err := p.o.Access.Brands(ctx, pr.Scope)
	if err != nil {
		return err
	}
	data := listPage{Query: q, Brands: brands, Types: cases.CaseTypes, Statuses: cases.CaseStatuses, Sources: cases.Sources,
		Sorts: cases.Sorts, Now: time.Now()}
	brandName := map[int64]string{}
	people := map[int64]string{}
	for _, b := range brands {
		brandName[b.ID] = b.Name
		as, err := p.o.Access.BrandStaff(ctx, pr.Scope, b.ID)
		if err != nil {
			return err
		}
		for _, a := range as {
			if _, seen := people[a.ID]; !seen {
				people[a.ID] = a.Email
				data.Assignees = append(data.Assignees, a)
			}
		}
	}
	for _, v := range cases.Views {
		data.Views = append(data.Views, viewTab{View: v, Count: counts[v], Href: href(q, v, ""), Current: v == q.View})
	}
	for _, cv := range page.Cases {
		row := listRow{CaseView: cv, Href: portal.CaseURL(cv.Number, cv.BrandID), Brand: brandName[cv.BrandID], Due: cv.SLA.Resolution.Due,
			Breached: cv.SLA.Resolution.State == cases.SLABreached || cv.SLA.FirstResponse.State == cases.SLABreached}
		if cv.AssigneeID != nil {
			row.Assignee = people[*cv.AssigneeID]
		}
		data.Rows = append(data.Rows, row)
	}
	if page.Next != "" {
		data.Next = href(q, q.View, page.Next)
	}
	if q.After != "" {
		data.First = href(q, q.View, "")
	}
	return portal.RenderPage(c, p.page, "cases.html", L.T("cases.title"), data)
}
