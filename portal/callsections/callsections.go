// Package callsections is what other domains add to the call page /calls/{id}
// (portal/callpages' Options.Sections): the call's monitoring log (callcenter/monitor; to
// supervisors and admins), its transcript (recordings/transcribe; drawn as the case page
// draws it, portal/transcriptview), its quality review (recordings/review: the score,
// passed or failed, a link to /quality/calls/{id}) and its recordings' audit log (who played,
// downloaded or exported them; to brand managers and admins).
//
// Every read goes through the viewer's scope; callpages has already answered another
// brand's call with 404. The sections' templates are in portal/templates/call_sections.html.
package callsections

import (
	"context"
	"errors"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/monitor"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/portal/callpages"
	"github.com/wismo/wismo/portal/transcriptview"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/recordings/review"
	"github.com/wismo/wismo/recordings/transcribe"
)

// MonitorLog is the monitoring log (monitor.Service).
type MonitorLog interface {
	Sessions(ctx context.Context, scope access.Scope, callID int64, limit int) ([]monitor.Session, error)
}

// Transcripts reads a call's transcripts (transcribe.Service).
type Transcripts interface {
	ForCall(ctx context.Context, scope access.Scope, callID int64) ([]transcribe.Transcript, error)
}

// Reviews reads a call's review, its recordings and their audit log (review.Service).
type Reviews interface {
	OfCall(ctx context.Context, scope access.Scope, v review.Viewer, callID int64) (review.Review, error)
	Recordings(ctx context.Context, scope access.Scope, call int64) ([]int64, error)
	AuditLog(ctx context.Context, scope access.Scope, recording int64, limit int) ([]recordings.AuditEntry, error)
}

// Options are the services the sections read; a nil one leaves its section out.
type Options struct {
	Access      *access.Service
	Monitor     MonitorLog
	Transcripts Transcripts
	Reviews     Reviews
}

// Sections are the call page's sections in the order they show: review, transcript,
// monitoring, audit.
func Sections(o Options) []callpages.Section {
	var out []callpages.Section
	if o.Reviews != nil {
		out = append(out, o.review)
	}
	if o.Transcripts != nil {
		out = append(out, o.transcript)
	}
	if o.Monitor != nil {
		out = append(out, o.monitoring)
	}
	if o.Reviews != nil {
		out = append(out, o.audit)
	}
	return out
}

// monitorRoles see the monitoring log (as the monitoring API allows); auditRoles see the
// recordings' audit log (review.AuditRoles).
var monitorRoles = []access.Role{access.RoleSupervisor, access.RoleAdmin}

func hasRole(v access.Principal, roles []access.Role) bool {
	return v.User != nil && slices.Contains(roles, v.User.Role)
}

// names maps the brand's staff ids to their e-mails.
func (o Options) names(ctx context.Context, scope access.Scope, brand int64) (func(id int64, fallback string) string, error) {
	people := map[int64]string{}
	if o.Access != nil && brand != 0 {
		staff, err := o.Access.BrandStaff(ctx, scope, brand)
		if err != nil {
			return nil, err
		}
		for _, s := range staff {
			people[s.ID] = s.Email
		}
	}
	return func(id int64, fallback string) string {
		if n := people[id]; n != "" {
			return n
		}
		return fallback
	}, nil
}

type monitorRow struct {
	Who       string
	StartedAt time.Time
	EndedAt   *time.Time
	Modes     []monitor.ModeChange
}

// monitoring is who listened to, whispered on or barged into the call, and when.
func (o Options) monitoring(ctx context.Context, v access.Principal, L i18n.Locale, call callcenter.Call) (template.HTML, error) {
	if !hasRole(v, monitorRoles) {
		return "", nil
	}
	list, err := o.Monitor.Sessions(ctx, v.Scope, call.ID, 200)
	if err != nil && !errors.Is(err, monitor.ErrNoCall) {
		return "", err
	}
	name, err := o.names(ctx, v.Scope, call.BrandID)
	if err != nil {
		return "", err
	}
	rows := make([]monitorRow, 0, len(list))
	for _, s := range list {
		rows = append(rows, monitorRow{Who: name(s.UserID, "#"+strconv.FormatInt(s.UserID, 10)), StartedAt: s.StartedAt, EndedAt: s.EndedAt, Modes: s.Modes})
	}
	return portal.RenderPart(L, "call-monitor", rows)
}

// transcript is the dialogue of the call's recording, drawn as on the case page.
func (o Options) transcript(ctx context.Context, v access.Principal, L i18n.Locale, call callcenter.Call) (template.HTML, error) {
	if call.RecordingID == 0 {
		return "", nil
	}
	ts, err := o.Transcripts.ForCall(ctx, v.Scope, call.ID)
	if err != nil && !errors.Is(err, transcribe.ErrNotFound) {
		return "", err
	}
	return portal.RenderPart(L, "call-transcript", transcriptview.Of(ts, call.RecordingID))
}

type reviewPart struct {
	Review   *review.Review
	CallID   int64
	CanScore bool // supervisors, managers, admins: the link to the review page
}

// review is the call's quality review: the score and whether it passed (agents: only their
// own scored reviews, as the review API shows them).
func (o Options) review(ctx context.Context, v access.Principal, L i18n.Locale, call callcenter.Call) (template.HTML, error) {
	if call.RecordingID == 0 {
		return "", nil
	}
	d := reviewPart{CallID: call.ID, CanScore: hasRole(v, review.ScorerRoles)}
	r, err := o.Reviews.OfCall(ctx, v.Scope, review.ViewerOf(v), call.ID)
	switch {
	case err == nil:
		d.Review = &r
	case !errors.Is(err, review.ErrNotFound):
		return "", err
	case !d.CanScore:
		return "", nil // an agent sees nothing of a review not scored or not theirs
	}
	return portal.RenderPart(L, "call-review", d)
}

type auditRow struct {
	recordings.AuditEntry
	Who string
}

// audit is who played, downloaded or exported the call's recordings, newest first.
func (o Options) audit(ctx context.Context, v access.Principal, L i18n.Locale, call callcenter.Call) (template.HTML, error) {
	if !hasRole(v, review.AuditRoles) || call.RecordingID == 0 {
		return "", nil
	}
	recs, err := o.Reviews.Recordings(ctx, v.Scope, call.ID)
	if err != nil {
		return "", err
	}
	name, err := o.names(ctx, v.Scope, call.BrandID)
	if err != nil {
		return "", err
	}
	rows := []auditRow{}
	for _, id := range recs {
		list, err := o.Reviews.AuditLog(ctx, v.Scope, id, 200)
		if err != nil {
			return "", err
		}
		for _, e := range list {
			who := name(e.UserID, strings.TrimPrefix(e.Detail, "user:"))
			if who == "" {
				who = L.T("q.system")
			}
			rows = append(rows, auditRow{AuditEntry: e, Who: who})
		}
	}
	return portal.RenderPart(L, "call-audit", rows)
}
