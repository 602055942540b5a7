// Package macros is a brand's named sets of case actions: a reply template, a status, an
// internal note and an assignment, which an agent applies to a case in one click from the
// case page. Brand managers keep them on the page /cases/macros and through the API
// /api/v1/macros. It owns the table case_macros.
package macros

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
)

// ErrNotFound is a macro that does not exist or is another brand's.
var ErrNotFound = cases.ErrNotFound

// Macro is a named set of case actions. Empty fields do nothing.
type Macro struct {
	ID         int64     `json:"id"`
	BrandID    int64     `json:"brand_id"`
	Name       string    `json:"name"`
	TemplateID int64     `json:"template_id,omitempty"` // reply with this brand template
	Status     string    `json:"status,omitempty"`      // open or waiting_customer
	Note       string    `json:"note,omitempty"`        // an internal note
	Assign     string    `json:"assign,omitempty"`      // "me", "none" or a user id
	UpdatedBy  string    `json:"updated_by,omitempty"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Statuses a macro may set (resolving needs a resolution code: that stays a choice).
var Statuses = []cases.CaseStatus{cases.StatusOpen, cases.StatusWaitingCustomer}

// Replier sends a case's customer a template (package conversation).
type Replier interface {
	Reply(ctx context.Context, scope access.Scope, actor cases.Actor, c *cases.Case, channel string, templateID int64) error
}

// Service keeps and applies macros.
type Service struct {
	db      *store.DB
	cases   *cases.CaseService
	replier Replier
	now     func() time.Time
}

// New returns the macro service; replier may be nil (macros with a template then fail).
func New(db *store.DB, cs *cases.CaseService, replier Replier) *Service {
	return &Service{db: db, cases: cs, replier: replier, now: func() time.Time { return time.Now().UTC() }}
}

const cols = `id, brand_id, name, COALESCE(template_id, 0), status, note, assign, updated_by, updated_at`

func scan(r interface{ Scan(...any) error }) (Macro, error) {
	var m Macro
	err := r.Scan(&m.ID, &m.BrandID, &m.Name, &m.TemplateID, &m.Status, &m.Note, &m.Assign, &m.UpdatedBy, &m.UpdatedAt)
	m.UpdatedAt = m.UpdatedAt.UTC()
	return m, err
}

// List returns brand's macros by name.
func (s *Service) List(ctx context.Context, scope access.Scope, brand int64) ([]Macro, error) {
	if !scope.AllowsBrand(brand) {
		return nil, fmt.Errorf("brand %d: %w", brand, ErrNotFound)
	}
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT `+cols+` FROM case_macros WHERE brand_id = ? ORDER BY name`), brand)
	if err != nil {
		return nil, fmt.Errorf("list macros: %w", err)
	}
	defer rows.Close()
	out := []Macro{}
	for rows.Next() {
		m, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Get returns a macro visible to scope.
func (s *Service) Get(ctx context.Context, scope access.Scope, id int64) (Macro, error) {
	m, err := scan(s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT `+cols+` FROM case_macros WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !scope.AllowsBrand(m.BrandID)) {
		return Macro{}, fmt.Errorf("macro %d: %w", id, ErrNotFound)
	}
	return m, err
}

// validate checks a macro's fields, naming each that is wrong.
func (m *Macro) validate() error {
	m.Name, m.Note, m.Assign, m.Status = strings.TrimSpace(m.Name), strings.TrimSpace(m.Note), strings.TrimSpace(m.Assign), strings.TrimSpace(m.Status)
	errs := []*input.FieldError{input.Text("name", m.Name, input.MaxShort), input.Text("note", m.Note, cases.MaxNoteChars)}
	if m.Name == "" {
		errs = append(errs, input.Errorf("name", "is required"))
	}
	if m.Status != "" {
		_, fe := input.OneOf("status", m.Status, Statuses)
		errs = append(errs, fe)
	}
	if m.Assign != "" && m.Assign != "me" && m.Assign != "none" {
		if n, err := strconv.ParseInt(m.Assign, 10, 64); err != nil || n <= 0 {
			errs = append(errs, input.Errorf("assign", `must be "me", "none" or a user id`))
		}
	}
	if m.TemplateID < 0 {
		errs = append(errs, input.Errorf("template_id", "must be a template id"))
	}
	return input.Invalid(errs...)
}

// Save creates (id 0) or replaces a macro of brand.
func (s *Service) Save(ctx context.Context, scope access.Scope, actor string, brand, id int64, m Macro) (Macro, error) {
	if !scope.AllowsBrand(brand) {
		return Macro{}, fmt.Errorf("brand %d: %w", brand, ErrNotFound)
	}
	if err := m.validate(); err != nil {
		return Macro{}, err
	}
	if id != 0 {
		if old, err := s.Get(ctx, scope, id); err != nil || old.BrandID != brand {
			return Macro{}, fmt.Errorf("macro %d: %w", id, ErrNotFound)
		}
	}
	m.BrandID, m.UpdatedBy, m.UpdatedAt = brand, actor, s.now()
	tpl := any(nil)
	if m.TemplateID > 0 {
		tpl = m.TemplateID
	}
	err := s.db.WriteTx(ctx, func(tx store.Tx) error {
		if id == 0 {
			return tx.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO case_macros (brand_id, name, template_id, status, note, assign, updated_by, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), brand, m.Name, tpl, m.Status, m.Note, m.Assign, actor, m.UpdatedAt).Scan(&m.ID)
		}
		m.ID = id
		_, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE case_macros SET name = ?, template_id = ?, status = ?, note = ?, assign = ?,
			updated_by = ?, updated_at = ? WHERE id = ? AND brand_id = ?`), m.Name, tpl, m.Status, m.Note, m.Assign, actor, m.UpdatedAt, id, brand)
		return err
	})
	if err != nil && store.IsUniqueViolation(err) {
		return Macro{}, input.Invalid(input.Errorf("name", "the brand has a macro %q already", m.Name))
	}
	if err != nil {
		return Macro{}, fmt.Errorf("save macro: %w", err)
	}
	return m, nil
}

// Delete removes a macro visible to scope.
func (s *Service) Delete(ctx context.Context, scope access.Scope, id int64) error {
	m, err := s.Get(ctx, scope, id)
	if err != nil {
		return err
	}
	return s.db.WriteTx(ctx, func(tx store.Tx) error {
		_, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM case_macros WHERE id = ? AND brand_id = ?`), m.ID, m.BrandID)
		return err
	})
}

// Apply applies macro id to a case: the assignment, status and note in one change (the
// case's version in ctx guards it, see cases.IfVersion), then the reply.
func (s *Service) Apply(ctx context.Context, scope access.Scope, actor cases.Actor, number string, brand, id int64) (*cases.Case, error) {
	m, err := s.Get(ctx, scope, id)
	if err != nil {
		return nil, input.Invalid(input.Errorf("macro", "no macro %d", id))
	}
	var p cases.CasePatch
	switch m.Assign {
	case "":
	case "me":
		p.AssigneeID = &actor.UserID
	case "none":
		zero := int64(0)
		p.AssigneeID = &zero
	default:
		n, _ := strconv.ParseInt(m.Assign, 10, 64)
		p.AssigneeID = &n
	}
	if m.Status != "" {
		p.Status = &m.Status
	}
	p.Note = m.Note
	cur, _, err := s.cases.Case(ctx, scope, number, brand)
	if err != nil {
		return nil, err
	}
	if cur.BrandID != m.BrandID {
		return nil, input.Invalid(input.Errorf("macro", "macro %q is another brand's", m.Name))
	}
	c, err := s.cases.Update(ctx, scope, actor, number, cur.BrandID, p)
	if err != nil {
		return nil, err
	}
	if m.TemplateID > 0 {
		if s.replier == nil {
			return nil, fmt.Errorf("macro %q replies, but replies are not set up", m.Name)
		}
		if err := s.replier.Reply(cases.IfVersion(ctx, c.Version), scope, actor, c, "", m.TemplateID); err != nil {
			return nil, err
		}
	}
	return c, nil
}
