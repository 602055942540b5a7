// Package deskcase joins the agent's desk and the cases: a case opened from a call (the
// desk's "Open a case from this call", or a wrap-up that opens one), or a call's note added
// to a case the agent names, with the call linked to the case (table call_cases, owned
// here). The call is read through the call log and the case written through the case
// tracker, each within the caller's scope: an agent links only calls and cases of their
// brands.
//
//	POST /api/v1/calls/{id}/cases  {"type": "non_receipt_or_delay", "note": "..."}  opens a case (201)
//	POST /api/v1/calls/{id}/cases  {"number": "MM-000123", "note": "..."}           adds the note to it (200)
//	GET  /api/v1/calls/{id}/cases                                                  the cases linked to the call
package deskcase

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
)

// Service links calls and cases.
type Service struct {
	db    *store.DB
	calls *callcenter.CallLog
	cases *cases.CaseService
}

// New returns the service over the call log and the case tracker of db.
func New(db *store.DB, calls *callcenter.CallLog, cs *cases.CaseService) *Service {
	return &Service{db: db, calls: calls, cases: cs}
}

// ErrNoCall is a call that does not exist or that the scope may not see.
var ErrNoCall = errors.New("no such call")

// Request is what the desk asks: a new case of Type, or the case Number, with the note.
type Request struct {
	Type   string `json:"type"`
	Number string `json:"number"`
	Note   string `json:"note"`
}

// Result is the linked case and whether it was opened now.
type Result struct {
	Number  string `json:"number"`
	Created bool   `json:"created"`
	URL     string `json:"url"`
}

// Link opens a case from call id (or adds the note to the case Number) and links the call to
// it. The new case is about the call's parcel, from source "call", for the call's brand.
func (s *Service) Link(ctx context.Context, p access.Principal, id int64, in Request) (Result, error) {
	call, err := s.calls.Get(ctx, p.Scope, id)
	if errors.Is(err, callcenter.ErrNotFound) {
		return Result{}, fmt.Errorf("call %d: %w", id, ErrNoCall)
	}
	if err != nil {
		return Result{}, err
	}
	if call.BrandID == 0 {
		return Result{}, input.Invalid(input.Errorf("call", "this call was matched to no brand: open the case from the parcel"))
	}
	actor := cases.ActorOf(p)
	note := strings.TrimSpace(in.Note)
	var c *cases.Case
	created := false
	switch number := strings.TrimSpace(in.Number); {
	case number != "":
		if note == "" && call.Outcome == "" { // linked while it rings: from the case page's call
			note = fmt.Sprintf("Call %d (%s).", call.ID, call.Direction)
		} else if note == "" {
			note = fmt.Sprintf("Call %d (%s, %s).", call.ID, call.Direction, call.Outcome)
		}
		c, err = s.cases.AddNote(ctx, p.Scope, actor, number, call.BrandID, note)
	default:
		if call.ParcelID == "" {
			return Result{}, input.Invalid(input.Errorf("call", "this call is about no parcel: open the case from the parcel's page"))
		}
		// The call log answered within p.Scope: its brand is one of the caller's.
		c, err = s.cases.Open(ctx, access.Brands(call.BrandID), actor, cases.CaseInput{Parcels: []string{call.ParcelID},
			Type: in.Type, Source: string(cases.SourceCall), Note: note})
		created = true
	}
	if err != nil {
		return Result{}, err
	}
	_, err = s.db.SQL.ExecContext(ctx, s.db.Rebind(`INSERT INTO call_cases (call_id, case_id, brand_id, actor, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (call_id, case_id) DO NOTHING`), call.ID, c.ID, c.BrandID, actor.Label, time.Now().UTC())
	if err != nil {
		return Result{}, fmt.Errorf("link call %d to case %s: %w", call.ID, c.Number, err)
	}
	return Result{Number: c.Number, Created: created, URL: "/cases/" + c.Number}, nil
}

// Linked lists the numbers of the cases call id is linked to, oldest link first.
func (s *Service) Linked(ctx context.Context, scope access.Scope, id int64) ([]string, error) {
	if _, err := s.calls.Get(ctx, scope, id); errors.Is(err, callcenter.ErrNotFound) {
		return nil, fmt.Errorf("call %d: %w", id, ErrNoCall)
	} else if err != nil {
		return nil, err
	}
	where, args := scope.SQL("k.brand_id", "", "")
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT c.number FROM call_cases k JOIN cases c ON c.id = k.case_id
		WHERE k.call_id = ? AND `+where+` ORDER BY k.created_at, c.id`), append([]any{id}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
