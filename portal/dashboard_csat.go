package portal

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/csat"
	"github.com/wismo/wismo/i18n"
)

// CSAT on the supervisor dashboard (docs/csat.md): the customers' ratings given or changed in
// the period, as a headline tile each for deliveries and for resolved requests, and tables by
// brand, partner post (the destination country's), region and agent. CSAT is the share of
// ratings of 4 or 5.

// addCSAT adds the CSAT tiles and tables to the page (nothing when ratings are not wired).
func addCSAT(ctx context.Context, d Deps, p *dashboardPage, scope access.Scope, from, to time.Time, loc i18n.Locale) error {
	if d.Ratings == nil {
		return nil
	}
	sum, err := d.Ratings.Summary(ctx, scope, from, to)
	if err != nil {
		return err
	}
	p.Totals = append(p.Totals,
		kpiTile{loc.T("dash.csat_delivery"), orDash(csatPct(sum.Delivery)), loc.T("dash.csat_note", "n", sum.Delivery.Ratings, "mean", dec(sum.Delivery.Mean()))},
		kpiTile{loc.T("dash.csat_service"), orDash(csatPct(sum.Service)), loc.T("dash.csat_note", "n", sum.Service.Ratings, "mean", dec(sum.Service.Mean()))})
	for _, t := range csatTables(sum, loc) {
		p.Tables = append(p.Tables, t.limited().forReader(loc))
	}
	return nil
}

func csatPct(g csat.Group) string {
	if g.Ratings == 0 {
		return ""
	}
	return pct(g.CSAT())
}

func csatTables(sum csat.Summary, loc i18n.Locale) []table {
	mk := func(name, title, by string, groups []csat.Group, label func(csat.Group) string) table {
		t := table{Name: name, Title: loc.T(title), Head: []string{loc.T(by), loc.T("dash.csat_ratings"), loc.T("dash.csat"), loc.T("dash.csat_mean")},
			Num: []bool{false, true, true, true}, Empty: loc.T("dash.csat_none")}
		groups = slices.Clone(groups)
		slices.SortStableFunc(groups, func(a, b csat.Group) int { return b.Ratings - a.Ratings })
		for _, g := range groups {
			t.Rows = append(t.Rows, []string{label(g), strconv.Itoa(g.Ratings), csatPct(g), dec(g.Mean())})
		}
		return t
	}
	name := func(g csat.Group) string { return g.Name }
	post := func(g csat.Group) string {
		if p, ok := postOf[g.Key]; ok {
			return countryName(g.Key, string(loc.Lang)) + " · " + p[map[bool]int{false: 0, true: 1}[loc.Lang == "ru"]]
		}
		return countryName(g.Key, string(loc.Lang))
	}
	region := func(g csat.Group) string { return regionName(g.Key, loc) }
	agent := func(g csat.Group) string { return orDash(g.Name) }
	return []table{
		mk("csat-brands", "dash.csat_by_brand", "dash.csat_brand", sum.Brands, name),
		mk("csat-posts", "dash.csat_by_post", "dash.csat_post", sum.Posts, post),
		mk("csat-regions", "dash.csat_by_region", "dash.region", sum.Regions, region),
		mk("csat-agents", "dash.csat_by_agent", "dash.agent", sum.Agents, agent),
	}
}
