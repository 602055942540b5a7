package scripts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/scripts/callscript"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// ScriptInput is a call script as a brand manager saves it. Old clients send Name and Body
// only: Body replaces the default variant, the others stay (with Language, Body replaces or
// adds the variant in that language). Clients that know variants send them all; Body is
// then ignored, so a script read back and saved again round-trips (callscript.Merge).
type ScriptInput struct {
	Name     string     `json:"name"`
	Body     ScriptBody `json:"body"`
	Language string     `json:"language,omitempty"`
	Variants []Variant  `json:"variants,omitempty"`
}

// SaveScript validates a call script and publishes it as a new version (of a new script
// when id is 0). Calls planned earlier keep the version they were planned with.
func (s *Service) SaveScript(ctx context.Context, brand, id int64, in ScriptInput, author string) (CallScript, error) {
	in.Name = strings.TrimSpace(in.Name)
	var cur []Variant // a new version keeps the variants it is not sent
	if id != 0 {
		c, err := s.Script(ctx, brand, id, 0)
		if err != nil {
			return CallScript{}, err
		}
		in.Name, cur = c.Name, c.Variants
	}
	var probs Problems
	if !validName(in.Name) {
		probs = append(probs, Problem{Field: "name", Message: "1 to 64 lower-case letters, digits, _ or -"})
	}
	vs, vprobs := callscript.Merge(callscript.Input{Body: in.Body, Language: in.Language, Variants: in.Variants}, cur)
	for _, vp := range vprobs {
		probs = append(probs, Problem{Field: vp.Field, Message: vp.Message})
	}
	run, cancel := context.WithTimeout(ctx, budgetRequest) // all the steps' runs together
	defer cancel()
	for i, v := range vs {
		vp := validateScript(run, v.Body, SampleData(s.opts.PublicURL))
		if len(in.Variants) > 0 { // name the variant the problem is in
			for j := range vp {
				vp[j].Field = fmt.Sprintf("variants[%d].body.%s", i, vp[j].Field)
			}
		}
		probs = append(probs, vp...)
	}
	if len(probs) > 0 {
		return CallScript{}, probs
	}
	err := s.db.WriteTx(ctx, func(tx store.Tx) error {
		var err error
		id, err = s.publishScript(ctx, tx, brand, id, in.Name, vs, author)
		return err
	})
	if store.IsUniqueViolation(err) {
		return CallScript{}, fmt.Errorf("%w: a script named %q exists: publish a new version of it", ErrConflict, in.Name)
	}
	if err != nil {
		return CallScript{}, fmt.Errorf("save script: %w", err)
	}
	return s.Script(ctx, brand, id, 0)
}

func (s *Service) publishScript(ctx context.Context, tx store.Tx, brand, id int64, name string, vs []Variant, author string) (int64, error) {
	now := s.now()
	if id == 0 {
		if err := tx.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO call_scripts (brand_id, name, version, created_at, updated_at)
			VALUES (?, ?, 0, ?, ?) RETURNING id`), brand, name, now, now).Scan(&id); err != nil {
			return 0, err
		}
	}
	var v int
	q := `SELECT version FROM call_scripts WHERE id = ? AND brand_id = ?`
	if s.db.Dialect == store.Postgres {
		q += ` FOR UPDATE`
	}
	if err := tx.QueryRowContext(ctx, s.db.Rebind(q), id, brand).Scan(&v); err != nil {
		return 0, err
	}
	v++
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO call_script_versions (script_id, version, body, author, created_at)
		VALUES (?, ?, ?, ?, ?)`), id, v, callscript.Encode(vs), author, now); err != nil {
		return 0, err
	}
	_, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE call_scripts SET version = ?, updated_at = ? WHERE id = ?`), v, now, id)
	return id, err
}

const scriptCols = `c.id, c.brand_id, c.name, v.version, v.body, v.author, c.created_at, c.updated_at`

func scanScript(row interface{ Scan(...any) error }) (CallScript, error) {
	var c CallScript
	var body string
	if err := row.Scan(&c.ID, &c.BrandID, &c.Name, &c.Version, &body, &c.Author, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	vs, err := callscript.Decode(body)
	if err != nil {
		return c, err
	}
	c.Body, c.Language, c.Variants = vs[0].Body, vs[0].Language, vs
	return c, nil
}

// Script returns one of brand's call scripts at a version (0: the published one).
func (s *Service) Script(ctx context.Context, brand, id int64, version int) (CallScript, error) {
	c, err := scanScript(s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT `+scriptCols+` FROM call_scripts c
		JOIN call_script_versions v ON v.script_id = c.id AND v.version = CASE WHEN ? > 0 THEN ? ELSE c.version END
		WHERE c.id = ? AND c.brand_id = ?`), version, version, id, brand))
	if errors.Is(err, sql.ErrNoRows) {
		return CallScript{}, fmt.Errorf("script %d version %d: %w", id, version, ErrNotFound)
	}
	if err != nil {
		return CallScript{}, fmt.Errorf("script %d: %w", id, err)
	}
	return c, nil
}

// Scripts lists brand's call scripts at their published versions.
func (s *Service) Scripts(ctx context.Context, brand int64) ([]CallScript, error) {
	return s.listScripts(ctx, `c.brand_id = ? AND v.version = c.version ORDER BY c.name`, brand)
}

// ScriptVersions lists every version of a script, newest first.
func (s *Service) ScriptVersions(ctx context.Context, brand, id int64) ([]CallScript, error) {
	list, err := s.listScripts(ctx, `c.brand_id = ? AND c.id = ? ORDER BY v.version DESC`, brand, id)
	if err == nil && len(list) == 0 { // every script has a first version: this is not the brand's
		return nil, fmt.Errorf("call script %d: %w", id, ErrNotFound)
	}
	return list, err
}

func (s *Service) listScripts(ctx context.Context, where string, args ...any) ([]CallScript, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT `+scriptCols+` FROM call_scripts c
		JOIN call_script_versions v ON v.script_id = c.id WHERE `+where), args...)
	if err != nil {
		return nil, fmt.Errorf("list scripts: %w", err)
	}
	defer rows.Close()
	out := []CallScript{}
	for rows.Next() {
		c, err := scanScript(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RunScript returns a script version filled in with a parcel's data: what the agent desktop
// shows during the call. version 0 is the published one; a planned call names its own.
func (s *Service) RunScript(ctx context.Context, scope access.Scope, brand, id int64, version int, parcelID string) (CallScript, error) {
	return s.RunScriptIn(ctx, scope, brand, id, version, parcelID, "")
}

// RunScriptIn is RunScript in the variant the agent chose (lang; "" picks by the
// recipient's language, then the brand's default, then the script's default variant).
func (s *Service) RunScriptIn(ctx context.Context, scope access.Scope, brand, id int64, version int, parcelID, lang string) (CallScript, error) {
	c, err := s.Script(ctx, brand, id, version)
	if err != nil {
		return c, err
	}
	d, err := s.parcelData(ctx, scope, parcelID)
	if err != nil {
		return c, err
	}
	return s.runVariant(ctx, c, d, lang)
}

// parcelData is the template data of a parcel visible to scope, with its latest event.
func (s *Service) parcelData(ctx context.Context, scope access.Scope, parcelID string) (Data, error) {
	if s.opts.Parcels == nil {
		return nil, fmt.Errorf("no parcel reader: %w", ErrNotFound)
	}
	p, err := s.opts.Parcels.Parcel(ctx, scope, parcelID)
	if err != nil {
		return nil, fmt.Errorf("parcel %s: %w", parcelID, ErrNotFound)
	}
	var ev *tracking.EventView
	if n := len(p.Events); n > 0 {
		ev = &p.Events[n-1]
	}
	return dataFor(p, ev, s.brandName(ctx, p.BrandID), s.trackingLink(p.ID), s.opts.Words.Brand(ctx, p.BrandID, p.Recipient.Language)), nil
}

// scriptVersion is the published version of call script id inside q: 0 for no script (id 0)
// or one that no longer exists, as a campaign without a script dials without one.
func (s *Service) scriptVersion(ctx context.Context, q store.Tx, id int64) (int64, error) {
	if id == 0 {
		return 0, nil
	}
	var v sql.NullInt64
	err := q.QueryRowContext(ctx, s.db.Rebind(`SELECT version FROM call_scripts WHERE id = ?`), id).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v.Int64, err
}
