package ivr

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
)

// PromptRobocall is the name of the robocall's prompt.
const PromptRobocall = "robocall"

// KeyMap says which key does what in the robocall.
type KeyMap struct {
	Confirm   string `json:"confirm"`    // delivery on the planned day
	OtherDays string `json:"other_days"` // list other days, each by its own key
	Agent     string `json:"agent"`      // to an agent through the brand's hotline queue
}

// DefaultKeys are the keys of a brand that set none.
var DefaultKeys = KeyMap{Confirm: "1", OtherDays: "2", Agent: "0"}

// PromptText is a brand's robocall prompt in one language.
type PromptText struct {
	Lang      string    `json:"lang"`
	Text      string    `json:"text"` // '' = the catalog's default
	Keys      KeyMap    `json:"keys"`
	Custom    bool      `json:"custom"` // the brand saved its own
	UpdatedBy string    `json:"updated_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Placeholders a prompt's text may use.
var Placeholders = []string{"brand", "parcel", "date", "confirm", "other_days", "agent"}

// Validate checks a prompt as a brand manager saves it; the error names the field.
func (p PromptText) Validate(loc i18n.Locale) *input.FieldError {
	if _, ok := voices[p.Lang]; !ok {
		return &input.FieldError{Field: "lang", Message: loc.T("ivr.err.lang")}
	}
	if p.Text != "" {
		if err := CheckText(p.Text); err != nil {
			return &input.FieldError{Field: "text", Message: loc.T("ivr.err.text", "max", MaxTextRunes)}
		}
		for _, name := range placeholdersIn(p.Text) {
			if !contains(Placeholders, name) {
				return &input.FieldError{Field: "text", Message: loc.T("ivr.err.placeholder", "name", "{"+name+"}")}
			}
		}
	}
	seen := map[string]string{}
	for _, k := range []struct{ field, key string }{{"keys.confirm", p.Keys.Confirm}, {"keys.other_days", p.Keys.OtherDays}, {"keys.agent", p.Keys.Agent}} {
		if len(k.key) != 1 || k.key[0] < '0' || k.key[0] > '9' {
			return &input.FieldError{Field: k.field, Message: loc.T("ivr.err.key")}
		}
		if _, dup := seen[k.key]; dup {
			return &input.FieldError{Field: k.field, Message: loc.T("ivr.err.key_twice", "key", k.key)}
		}
		seen[k.key] = k.field
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// placeholdersIn lists the {name}s of text.
func placeholdersIn(text string) []string {
	var out []string
	for {
		open := strings.IndexByte(text, '{')
		if open < 0 {
			return out
		}
		end := strings.IndexByte(text[open:], '}')
		if end < 0 {
			return append(out, text[open+1:])
		}
		out = append(out, text[open+1:open+end])
		text = text[open+end+1:]
	}
}

// Fields are the parcel's data a prompt speaks.
type Fields struct {
	Brand  string
	Parcel string    // the tracking number, spoken digit by digit
	Date   time.Time // the planned delivery day
}

// SpokenDate is a day as a prompt says it: "Tuesday 8 December", "вторник, 8 декабря".
func SpokenDate(loc i18n.Locale, d time.Time) string {
	return loc.T("ivr.spoken_date", "weekday", loc.T("ivr.weekday."+strconv.Itoa(int(d.Weekday()))),
		"day", strconv.Itoa(d.Day()), "month", loc.T("ivr.month."+strconv.Itoa(int(d.Month()))))
}

// spell writes a tracking number so the synthesiser reads it sign by sign.
func spell(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Render fills the prompt's placeholders with the parcel's fields, in the prompt's language;
// the result is cut to MaxTextRunes (the budget of what one call may make a synthesiser say).
func (p PromptText) Render(cat *i18n.Catalog, f Fields) string {
	loc := i18n.New(i18n.Lang(p.Lang), time.UTC).With(cat)
	text := p.Text
	if text == "" {
		text = loc.T("ivr.robocall.default")
	}
	r := strings.NewReplacer("{brand}", f.Brand, "{parcel}", spell(f.Parcel), "{date}", SpokenDate(loc, f.Date),
		"{confirm}", p.Keys.Confirm, "{other_days}", p.Keys.OtherDays, "{agent}", p.Keys.Agent)
	out := []rune(r.Replace(text))
	if len(out) > MaxTextRunes {
		out = out[:MaxTextRunes]
	}
	return string(out)
}

// Settings keeps brands' prompt texts and key maps (table ivr_prompts).
type Settings struct {
	db  *store.DB
	now func() time.Time
}

// NewSettings makes Settings on db.
func NewSettings(db *store.DB) *Settings { return &Settings{db: db, now: time.Now} }

// Prompt returns brand's prompt name in lang: the saved one, or the default text and keys.
func (s *Settings) Prompt(ctx context.Context, brand int64, name, lang string) (PromptText, error) {
	p := PromptText{Lang: lang, Keys: DefaultKeys}
	var keys string
	var at store.NullTime
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT text, keymap, updated_by, updated_at FROM ivr_prompts
		WHERE brand_id = ? AND name = ? AND lang = ?`), brand, name, lang).Scan(&p.Text, &keys, &p.UpdatedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("ivr: prompt %s/%s of brand %d: %w", name, lang, brand, err)
	}
	p.Custom, p.UpdatedAt = true, at.Time
	if keys != "" {
		if err := json.Unmarshal([]byte(keys), &p.Keys); err != nil {
			return p, fmt.Errorf("ivr: key map of brand %d: %w", brand, err)
		}
	}
	return p, nil
}

// Save stores brand's prompt (validated by the caller).
func (s *Settings) Save(ctx context.Context, brand int64, name string, p PromptText, actor string) error {
	keys, _ := json.Marshal(p.Keys)
	now := s.now().UTC()
	_, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`INSERT INTO ivr_prompts (brand_id, name, lang, text, keymap, updated_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (brand_id, name, lang) DO UPDATE SET text = excluded.text,
		keymap = excluded.keymap, updated_by = excluded.updated_by, updated_at = excluded.updated_at`),
		brand, name, p.Lang, p.Text, string(keys), actor, now)
	if err != nil {
		return fmt.Errorf("ivr: save prompt %s/%s of brand %d: %w", name, p.Lang, brand, err)
	}
	return nil
}

// BrandName is the brand's name as prompts say it.
func (s *Settings) BrandName(ctx context.Context, brand int64) (string, error) {
	var name string
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT name FROM brands WHERE id = ?`), brand).Scan(&name)
	if err != nil {
		return "", fmt.Errorf("ivr: brand %d: %w", brand, err)
	}
	return name, nil
}

// DefaultText is the catalog's text of the prompt's language: what plays when the brand
// wrote none.
func (p PromptText) DefaultText() string {
	return i18n.New(i18n.Lang(p.Lang), time.UTC).T("ivr.robocall.default")
}
