package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/wismo/wismo/branding"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/demo/carrier"
	"github.com/wismo/wismo/demo/feedback"
	"github.com/wismo/wismo/demo/floor"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/recordings"
)

// demoLoad is one load of the demo data. `wismo serve --demo` (into an empty database) and
// `wismo demo` both load through loadDemoData, so both give the same data.
type demoLoad struct {
	Parcels int
	Cases   int // < 0: a tenth of Parcels
	Seed    int64
	Now     time.Time
	// ParcelProgress and CaseProgress, when set, are told how far the parcels and the cases
	// are (the CLI's progress bars).
	ParcelProgress, CaseProgress func(done, total int)
}

// loadDemoData loads the demo: brands, users and parcels (demo.Run), cases about a tenth of
// the parcels (demo.Cases), the demo agent's workspace, the customers' feedback and the floor
// (demoWorkspace), and the first brand's look. It returns the summary and the cases opened.
func (a *app) loadDemoData(ctx context.Context, o demoLoad) (demo.Summary, int, error) {
	sum, err := demo.Run(ctx, demo.Options{Parcels: o.Parcels, Seed: o.Seed, Now: o.Now, Progress: o.ParcelProgress}, a.access, a.cases, a.log)
	if err != nil {
		return sum, 0, fmt.Errorf("demo data: %w", err)
	}
	if o.Cases < 0 {
		o.Cases = o.Parcels / 10
	}
	cs := a.caseService()
	n, err := demo.Cases(ctx, demo.CaseOptions{Cases: o.Cases, Seed: o.Seed, Now: o.Now, Progress: o.CaseProgress}, a.db, cs, a.log)
	if err != nil {
		return sum, n, fmt.Errorf("demo cases: %w", err)
	}
	if err := a.demoWorkspace(ctx, cs, o.Seed, o.Now); err != nil {
		return sum, n, err
	}
	if err := demo.Looks(ctx, branding.New(a.db), sum); err != nil { // the first brand's tracking page in its look
		return sum, n, err
	}
	return sum, n, nil
}

// demoWorkspace gives the demo agent a campaign, a recorded call history and cases of their
// own (demo.Workspace), after the SLA clocks of the demo cases are brought up to date, then
// the customers' side (demo/feedback): ratings, replies, delivery days, abandoned calls; then
// the floor (demo/floor).
func (a *app) demoWorkspace(ctx context.Context, cs *cases.CaseService, seed int64, now time.Time) error {
	if _, err := cs.SweepSLA(ctx); err != nil {
		return fmt.Errorf("demo workspace: %w", err)
	}
	dl, err := dialer.New(a.db, a.log, dialer.Options{})
	if err != nil {
		return err
	}
	deps := demo.WorkspaceDeps{DB: a.db, Parcels: a.cases, Cases: cs, Calls: callcenter.NewCallLog(a.db),
		Recordings: recordings.NewService(a.db, filepath.Join(a.cfg.DataDir, "recordings"), a.log), Dialer: dl, Log: a.log,
		Voice: carrier.Clip}
	// The floor (demo/floor): the hotline queue first, so the history's hotline calls are in it.
	if deps.HotlineQueue, err = floor.Queue(ctx, a.db, a.log); err != nil {
		return err
	}
	if _, err = demo.Workspace(ctx, deps, seed, now); err != nil {
		return fmt.Errorf("demo workspace: %w", err)
	}
	// Ratings, customers' replies, delivery-day choices and abandoned predictive calls.
	if _, err = feedback.Create(ctx, deps, seed+1, now); err != nil {
		return fmt.Errorf("demo feedback: %w", err)
	}
	// Routing, queue calls, transfers, monitoring, transcripts, reviews, retention (demo/floor).
	if _, err = floor.Create(ctx, deps, now); err != nil {
		return err
	}
	return nil
}
