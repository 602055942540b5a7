package main

import (
	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/portal/quality"
	"github.com/wismo/wismo/recordings/review"
)

// qualityPart is the quality of calls (docs/quality-reviews.md): scorecards and reviews
// (recordings/review), the weekly review sample (job review-sampling), the talk thresholds
// and aggregates (recordings/talk's routes, mounted with the telephony part), the call export
// and the recordings' audit log, and their pages (portal/quality).
type qualityPart struct {
	reviews *review.Service
	pages   quality.Options
}

func (a *app) openQuality(t *telephonyPart) *qualityPart {
	svc := review.NewService(a.db, t.recs, t.talk, a.log)
	return &qualityPart{reviews: svc, pages: quality.Options{Access: a.access, Talk: t.talk, Reviews: svc}}
}

func (q *qualityPart) routes(r fiber.Router) {
	review.Routes(r, q.reviews)
	quality.Routes(r, q.pages)
}

func (q *qualityPart) job() job { return job{name: review.JobName, run: q.reviews.Run} }
