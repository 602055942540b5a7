package cases

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// Limits of case inputs.
const (
	MaxCaseParcels = 20
	MaxNoteChars   = 10000
)

var queueRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// CaseInput is the JSON body of POST /api/v1/cases.
type CaseInput struct {
	Parcels    []string      `json:"parcels"`
	Type       string        `json:"type"`
	Priority   string        `json:"priority,omitempty"`
	Source     string        `json:"source,omitempty"`
	Subject    string        `json:"subject,omitempty"`
	Contact    *ContactInput `json:"contact,omitempty"`
	Queue      string        `json:"queue,omitempty"`
	AssigneeID *int64        `json:"assignee_id,omitempty"`
	Note       string        `json:"note,omitempty"`
}

// ContactInput is the customer a case is with; empty fields are left empty (an omitted
// contact is the main parcel's recipient).
type ContactInput struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// CasePatch is the JSON body of PATCH /api/v1/cases/{number}: only the fields present change.
type CasePatch struct {
	Type           *string       `json:"type,omitempty"`
	Priority       *string       `json:"priority,omitempty"`
	Status         *string       `json:"status,omitempty"`
	ResolutionCode *string       `json:"resolution_code,omitempty"`
	Subject        *string       `json:"subject,omitempty"`
	Contact        *ContactInput `json:"contact,omitempty"`
	Queue          *string       `json:"queue,omitempty"`
	AssigneeID     *int64        `json:"assignee_id,omitempty"` // 0 unassigns
	AddParcels     []string      `json:"add_parcels,omitempty"`
	Note           string        `json:"note,omitempty"`
}

// toContact validates a contact; phones are read as numbers of country when national.
func (in ContactInput) toContact(country string) (Contact, []*input.FieldError) {
	c := Contact{Name: strings.TrimSpace(in.Name)}
	errs := []*input.FieldError{input.Text("contact.name", c.Name, input.MaxShort)}
	if ph := strings.TrimSpace(in.Phone); ph != "" {
		e164, err := geo.NormalizePhone(ph, country)
		if err != nil {
			errs = append(errs, input.Errorf("contact.phone", "%v", err))
		}
		c.Phone = e164
	}
	if em := strings.TrimSpace(in.Email); em != "" {
		addr, err := mail.ParseAddress(em)
		if err != nil || addr.Address != em || len(em) > 254 {
			errs = append(errs, input.Errorf("contact.email", "%q is not an email address", em))
		}
		c.Email = strings.ToLower(em)
	}
	return c, errs
}

// toCase validates an input and resolves its parcels in scope. It returns the case (without
// number or SLA yet) and its main parcel.
func (in CaseInput) toCase(ctx context.Context, db *store.DB, q store.Tx, scope access.Scope) (*Case, *tracking.Parcel, error) {
	c := &Case{Subject: strings.TrimSpace(in.Subject), Queue: strings.TrimSpace(in.Queue), AssigneeID: in.AssigneeID}
	var errs []*input.FieldError
	var fe *input.FieldError
	if c.Type, fe = input.OneOf("type", in.Type, CaseTypes); fe != nil {
		errs = append(errs, fe)
	}
	c.Priority = PriorityNormal
	if in.Priority != "" {
		if c.Priority, fe = input.OneOf("priority", in.Priority, Priorities); fe != nil {
			errs = append(errs, fe)
		}
	}
	c.Source = SourceAgent
	if _, _, isPost := scope.Post(); isPost {
		c.Source = SourcePartnerPost
	}
	if in.Source != "" {
		if c.Source, fe = input.OneOf("source", in.Source, Sources); fe != nil {
			errs = append(errs, fe)
		}
	}
	errs = append(errs, input.Text("subject", c.Subject, input.MaxShort), input.Text("note", in.Note, MaxNoteChars))
	if c.Queue != "" && !queueRE.MatchString(c.Queue) {
		errs = append(errs, input.Errorf("queue", "must be lower-case letters, digits, _ or - (up to 64), got %q", c.Queue))
	}
	if in.AssigneeID != nil && *in.AssigneeID <= 0 {
		errs = append(errs, input.Errorf("assignee_id", "must be a user id"))
	}
	parcels, perrs, err := resolveParcels(ctx, db, q, scope, "parcels", in.Parcels, 0)
	if err != nil {
		return nil, nil, err
	}
	errs = append(errs, perrs...)
	if err := input.Invalid(errs...); err != nil {
		return nil, nil, err
	}
	main := parcels[0]
	c.BrandID = main.BrandID
	for _, p := range parcels {
		c.ParcelIDs = append(c.ParcelIDs, p.ID)
	}
	if in.Contact == nil {
		c.Contact = Contact{Name: main.Recipient.Name, Phone: main.Recipient.Phone, Email: main.Recipient.Email}
	} else {
		var cerrs []*input.FieldError
		c.Contact, cerrs = in.Contact.toContact(main.DestinationCountry)
		if err := input.Invalid(cerrs...); err != nil {
			return nil, nil, err
		}
	}
	return c, main, nil
}

// resolveParcels reads the parcels of ids visible to scope, all of one brand (brand, when
// not 0, is that brand). Unknown, foreign or repeated parcels are field errors.
func resolveParcels(ctx context.Context, db *store.DB, q store.Tx, scope access.Scope, field string, ids []string, brand int64) ([]*tracking.Parcel, []*input.FieldError, error) {
	if len(ids) == 0 && brand == 0 {
		return nil, []*input.FieldError{input.Errorf(field, "names at least one parcel (S10 id)")}, nil
	}
	if len(ids) > MaxCaseParcels {
		return nil, []*input.FieldError{input.Errorf(field, "names at most %d parcels, got %d", MaxCaseParcels, len(ids))}, nil
	}
	var out []*tracking.Parcel
	var errs []*input.FieldError
	seen := map[string]bool{}
	for i, raw := range ids {
		f := fmt.Sprintf("%s[%d]", field, i)
		id, err := tracking.ParseS10(raw)
		if err != nil {
			errs = append(errs, input.Errorf(f, "%v", err))
			continue
		}
		if seen[id] {
			errs = append(errs, input.Errorf(f, "%s is listed twice", id))
			continue
		}
		seen[id] = true
		p, err := tracking.ReadParcel(ctx, db, q, scope, id)
		switch {
		case tracking.IsNotFound(err):
			errs = append(errs, input.Errorf(f, "no parcel %s for this account", id))
			continue
		case err != nil:
			return nil, nil, err
		}
		if brand == 0 {
			brand = p.BrandID
		}
		if p.BrandID != brand {
			errs = append(errs, input.Errorf(f, "%s belongs to another brand than the case", id))
			continue
		}
		out = append(out, p)
	}
	return out, errs, nil
}

// checkAssignee verifies that a user exists, is enabled and may work on the brand's cases.
func checkAssignee(ctx context.Context, db *store.DB, q store.Tx, brandID, userID int64) error {
	var role string
	err := q.QueryRowContext(ctx, db.Rebind(`SELECT role FROM users WHERE id = ? AND disabled_at IS NULL`), userID).Scan(&role)
	if isNoRows(err) {
		return input.Invalid(input.Errorf("assignee_id", "no user %d", userID))
	}
	if err != nil {
		return fmt.Errorf("check assignee: %w", err)
	}
	if role == string(access.RoleAdmin) {
		return nil
	}
	var n int
	if err := q.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM user_brands WHERE user_id = ? AND brand_id = ?`), userID, brandID).Scan(&n); err != nil {
		return fmt.Errorf("check assignee: %w", err)
	}
	if n == 0 {
		return input.Invalid(input.Errorf("assignee_id", "user %d does not work for brand %d", userID, brandID))
	}
	return nil
}

// CaseView is a case as the API returns it. The detail view adds the timeline, escalations
// and attachments.
type CaseView struct {
	Number             string           `json:"number"`
	BrandID            int64            `json:"brand_id"`
	Parcels            []string         `json:"parcels"`
	Type               CaseType         `json:"type"`
	Priority           Priority         `json:"priority"`
	Status             CaseStatus       `json:"status"`
	Source             Source           `json:"source"`
	Subject            string           `json:"subject,omitempty"`
	Contact            Contact          `json:"contact"`
	AssigneeID         *int64           `json:"assignee_id,omitempty"`
	Queue              string           `json:"queue,omitempty"`
	ResolutionCode     string           `json:"resolution_code,omitempty"`
	CreatedBy          string           `json:"created_by"`
	CreatedAt          time.Time        `json:"created_at"`
	UpdatedAt          time.Time        `json:"updated_at"`
	FirstResponseAt    *time.Time       `json:"first_response_at,omitempty"`
	ResolvedAt         *time.Time       `json:"resolved_at,omitempty"`
	ClosedAt           *time.Time       `json:"closed_at,omitempty"`
	SLA                SLAView          `json:"sla"`
	AllowedTransitions []CaseStatus     `json:"allowed_transitions"`
	Escalations        []EscalationView `json:"escalations,omitempty"`
	Attachments        []AttachmentView `json:"attachments,omitempty"`
	Timeline           []TimelineEntry  `json:"timeline,omitempty"`
	// Version is the case's version: the ETag of GET and PATCH answers, for If-Match.
	Version int64 `json:"version"`
	// MergedInto is the number of the case this duplicate was merged into.
	MergedInto string `json:"merged_into,omitempty"`
}

// View renders a case with its evaluated SLA clocks.
func (c *Case) View(sla SLAView) CaseView {
	allowed := AllowedTransitions(c.Status)
	if allowed == nil {
		allowed = []CaseStatus{}
	}
	return CaseView{Number: c.Number, BrandID: c.BrandID, Parcels: c.ParcelIDs, Type: c.Type, Priority: c.Priority,
		Status: c.Status, Source: c.Source, Subject: c.Subject, Contact: c.Contact, AssigneeID: c.AssigneeID, Queue: c.Queue,
		ResolutionCode: c.ResolutionCode, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		FirstResponseAt: c.FirstResponseAt, ResolvedAt: c.ResolvedAt, ClosedAt: c.ClosedAt, SLA: sla, AllowedTransitions: allowed,
		Version: c.Version}
}
