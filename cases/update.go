package cases

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
)

// Update applies a patch to a case visible to scope.
func (s *CaseService) Update(ctx context.Context, scope access.Scope, actor Actor, number string, brandID int64, p CasePatch) (*Case, error) {
	return s.change(ctx, scope, number, brandID, s.updateFn(ctx, scope, actor, p))
}

// updateFn is the change a patch makes.
func (s *CaseService) updateFn(ctx context.Context, scope access.Scope, actor Actor, p CasePatch) changeFn {
	return func(tx store.Tx, c *Case, cfg SLAConfig, now time.Time) ([]logEntry, []outbox.Entry, error) {
		var logs []logEntry
		var changed []string
		var errs []*input.FieldError
		if p.Type != nil && CaseType(*p.Type) != c.Type {
			t, fe := input.OneOf("type", *p.Type, CaseTypes)
			errs = append(errs, fe)
			if fe == nil {
				c.Type = t
				c.redue(cfg)
				changed = append(changed, "type")
			}
		}
		if p.Priority != nil && Priority(*p.Priority) != c.Priority {
			pr, fe := input.OneOf("priority", *p.Priority, Priorities)
			errs = append(errs, fe)
			c.Priority = pr
			changed = append(changed, "priority")
		}
		if p.Subject != nil {
			c.Subject = strings.TrimSpace(*p.Subject)
			errs = append(errs, input.Text("subject", c.Subject, input.MaxShort))
			changed = append(changed, "subject")
		}
		if p.Contact != nil {
			ct, cerrs := p.Contact.toContact(c.DestinationCountry)
			errs = append(errs, cerrs...)
			c.Contact = ct
			changed = append(changed, "contact")
		}
		errs = append(errs, input.Text("note", p.Note, MaxNoteChars))
		if p.ResolutionCode != nil && p.Status == nil {
			errs = append(errs, input.Errorf("resolution_code", "is set only together with status resolved"))
		}
		var to CaseStatus
		if p.Status != nil {
			var fe *input.FieldError
			to, fe = input.OneOf("status", *p.Status, CaseStatuses)
			errs = append(errs, fe)
		}
		if err := input.Invalid(errs...); err != nil {
			return nil, nil, err
		}
		al, err := s.assign(ctx, tx, c, actor, p, now)
		if err != nil {
			return nil, nil, err
		}
		if al != nil {
			logs = append(logs, *al)
			changed = append(changed, "assignment")
		}
		if len(p.AddParcels) > 0 {
			added, err := s.addParcels(ctx, tx, scope, c, p.AddParcels)
			if err != nil {
				return nil, nil, err
			}
			logs = append(logs, logEntry{At: now, Kind: "updated", Actor: actor.Label, Summary: "parcels added: " + strings.Join(added, ", "),
				Data: map[string]any{"parcels": added}})
			changed = append(changed, "parcels")
		}
		var msgs []outbox.Entry
		if len(changed) > 0 {
			logs = append(logs, logEntry{At: now, Kind: "updated", Actor: actor.Label, Summary: "changed " + strings.Join(changed, ", "),
				Data: map[string]any{"fields": changed}})
			msgs = append(msgs, caseMessage(TopicCaseUpdated, c, ""))
		}
		if p.Status != nil && to != c.Status {
			from := c.Status
			code := ""
			if p.ResolutionCode != nil {
				code = *p.ResolutionCode
			}
			codes, err := resolutionCodes(ctx, s.db, tx, c.BrandID)
			if err != nil {
				return nil, nil, err
			}
			if err := c.changeStatus(to, code, codes, cfg.Calendar, now); err != nil {
				return nil, nil, err
			}
			c.responded(actor, now)
			extra := ""
			if code != "" {
				extra = " (" + code + ")"
			}
			logs = append(logs, statusLog(actor, from, to, now, extra))
			msgs = append(msgs, caseMessage(TopicCaseStatusChanged, c, from))
		}
		if p.Note != "" {
			logs = append(logs, logEntry{At: now, Kind: "note", Actor: actor.Label, Summary: p.Note})
			c.responded(actor, now)
		}
		return logs, msgs, nil
	}
}

// redue recomputes the due times of clocks not yet met, for a changed case type.
func (c *Case) redue(cfg SLAConfig) {
	pol := cfg.policy(c.Type)
	if c.FirstResponseAt == nil {
		if due, ok := cfg.Calendar.Add(c.CreatedAt, time.Duration(pol.FirstResponseMinutes)*time.Minute); ok {
			c.SLA.FirstResponseDue = &due
		}
	}
	if c.ResolvedAt == nil {
		if due, ok := cfg.Calendar.Add(c.CreatedAt, time.Duration(pol.ResolutionMinutes)*time.Minute); ok {
			c.SLA.ResolutionDue = &due
		}
	}
}

// assign applies the patch's assignee and queue.
func (s *CaseService) assign(ctx context.Context, tx store.Tx, c *Case, actor Actor, p CasePatch, now time.Time) (*logEntry, error) {
	changed := false
	if p.Queue != nil && strings.TrimSpace(*p.Queue) != c.Queue {
		q := strings.TrimSpace(*p.Queue)
		if q != "" && !queueRE.MatchString(q) {
			return nil, input.Invalid(input.Errorf("queue", "must be lower-case letters, digits, _ or - (up to 64), got %q", q))
		}
		c.Queue, changed = q, true
	}
	if p.AssigneeID != nil {
		switch id := *p.AssigneeID; {
		case id == 0 && c.AssigneeID != nil:
			c.AssigneeID, changed = nil, true
		case id < 0:
			return nil, input.Invalid(input.Errorf("assignee_id", "must be a user id, or 0 to unassign"))
		case id > 0 && (c.AssigneeID == nil || *c.AssigneeID != id):
			if err := checkAssignee(ctx, s.db, tx, c.BrandID, id); err != nil {
				return nil, err
			}
			c.AssigneeID, changed = &id, true
		}
	}
	if !changed {
		return nil, nil
	}
	who := "nobody"
	if c.AssigneeID != nil {
		who = fmt.Sprintf("user %d", *c.AssigneeID)
	}
	return &logEntry{At: now, Kind: "assigned", Actor: actor.Label, Summary: fmt.Sprintf("assigned to %s, queue %q", who, c.Queue),
		Data: map[string]any{"assignee_id": c.AssigneeID, "queue": c.Queue}}, nil
}

// addParcels links more parcels of the case's brand to it.
func (s *CaseService) addParcels(ctx context.Context, tx store.Tx, scope access.Scope, c *Case, ids []string) ([]string, error) {
	ps, errs, err := resolveParcels(ctx, s.db, tx, scope, "add_parcels", ids, c.BrandID)
	if err != nil {
		return nil, err
	}
	if err := input.Invalid(errs...); err != nil {
		return nil, err
	}
	var added []string
	for _, p := range ps {
		if slices.Contains(c.ParcelIDs, p.ID) {
			continue
		}
		if len(c.ParcelIDs) >= MaxCaseParcels {
			return nil, input.Invalid(input.Errorf("add_parcels", "a case names at most %d parcels", MaxCaseParcels))
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO case_parcels (case_id, parcel_id) VALUES (?, ?)`), c.ID, p.ID); err != nil {
			return nil, fmt.Errorf("add parcel: %w", err)
		}
		c.ParcelIDs = append(c.ParcelIDs, p.ID)
		added = append(added, p.ID)
	}
	return added, nil
}
