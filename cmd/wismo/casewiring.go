package main

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/search"
)

// How often the case tracker's background jobs run.
const (
	slaSweepEvery = 30 * time.Second
	webhookEvery  = 2 * time.Second
)

// casesPart is the case tracker and search as serve wires them: their routes, their jobs,
// and the case service other domains plug into (timeline sources, OpenFromRule).
type casesPart struct {
	svc    *cases.CaseService
	search *search.Search
	meili  *search.MeiliBackend // nil with embedded search
}

// caseService returns the case tracker over the app's database.
func (a *app) caseService() *cases.CaseService {
	return cases.NewCaseService(a.db, a.log, a.cfg.PublicURL)
}

// searchBackend is Meilisearch when WISMO_SEARCH_URL is set, else the embedded index.
func (a *app) searchBackend() (search.Backend, *search.MeiliBackend) {
	if a.cfg.SearchURL == "" {
		return search.NewEmbeddedBackend(a.db), nil
	}
	m := search.NewMeiliBackend(a.cfg.SearchURL, a.cfg.SearchKey, a.db)
	return m, m
}

// openCases builds the case tracker and the search.
func (a *app) openCases() *casesPart {
	backend, meili := a.searchBackend()
	a.log.Info("search backend", "backend", backend.Name())
	return &casesPart{svc: a.caseService(), search: search.New(a.db, backend), meili: meili}
}

// routes mounts the case and search API (the search box's page is portal's /search).
func (p *casesPart) routes(r fiber.Router) {
	cases.CaseRoutes(r, p.svc)
	search.Routes(r, p.search)
}

// jobs are the SLA sweep, the escalation webhooks and, with Meilisearch, the outbox feed.
func (p *casesPart) jobs(a *app) []job {
	out := []job{
		{name: "case-sla-sweep", run: func(ctx context.Context) { p.svc.RunSLA(ctx, slaSweepEvery) }},
		{name: "case-escalation-webhooks", run: func(ctx context.Context) { p.svc.RunWebhooks(ctx, webhookEvery) }},
	}
	if p.meili != nil {
		out = append(out, job{name: "search-meilisearch-feed", run: func(ctx context.Context) { p.meili.RunMeiliFeed(ctx, a.log, a.outbox) }})
	}
	return out
}
