package ivr

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/input"
)

// The hotline's self-service menu is kept in ivr_prompts beside the robocall's prompt: a row
// per language named PromptHotlineGreeting (the greeting's text) and one named
// PromptHotlineMenu (the menu's text and its key map, HotlineKeys in keymap).
const (
	PromptHotlineGreeting = "hotline_greeting"
	PromptHotlineMenu     = "hotline_menu"
)

// HotlineKeys says which key does what in the hotline's menu after the status.
type HotlineKeys struct {
	Again     string `json:"again"`      // the status and the menu again
	OtherDays string `json:"other_days"` // another delivery day (the recipient's number only)
	SMS       string `json:"sms"`        // the tracking link by SMS (the recipient's number only)
	Agent     string `json:"agent"`      // the queue
}

// DefaultHotlineKeys are the keys of a brand that set none.
var DefaultHotlineKeys = HotlineKeys{Again: "1", OtherDays: "2", SMS: "3", Agent: "0"}

// HotlineMenu is a brand's hotline greeting and menu in one language. Empty texts are the
// catalog's: the greeting "Welcome to {brand}.", and a menu made of the options this caller
// has (2 only for the recipient's number and a parcel with other days...).
type HotlineMenu struct {
	Lang      string      `json:"lang"`
	Greeting  string      `json:"greeting"`
	Menu      string      `json:"menu"`
	Keys      HotlineKeys `json:"keys"`
	Custom    bool        `json:"custom"` // the brand saved its own
	UpdatedBy string      `json:"updated_by,omitempty"`
	UpdatedAt time.Time   `json:"updated_at,omitzero"`
}

// Placeholders the greeting and the menu may use.
var (
	GreetingPlaceholders = []string{"brand"}
	MenuPlaceholders     = []string{"brand", "again", "other_days", "sms", "agent"}
)

// Validate checks a menu as a brand manager saves it (the budget of docs/ivr.md: MaxTextRunes
// per text); the error names the field.
func (m HotlineMenu) Validate(loc i18n.Locale) *input.FieldError {
	if _, ok := voices[m.Lang]; !ok {
		return &input.FieldError{Field: "lang", Message: loc.T("ivr.err.lang")}
	}
	for _, f := range []struct {
		field, text string
		allowed     []string
	}{{"greeting", m.Greeting, GreetingPlaceholders}, {"menu", m.Menu, MenuPlaceholders}} {
		if f.text == "" {
			continue
		}
		if err := CheckText(f.text); err != nil {
			return &input.FieldError{Field: f.field, Message: loc.T("ivr.err.text", "max", MaxTextRunes)}
		}
		for _, name := range placeholdersIn(f.text) {
			if !contains(f.allowed, name) {
				return &input.FieldError{Field: f.field, Message: loc.T("ivr.err.placeholder", "name", "{"+name+"}")}
			}
		}
	}
	seen := map[string]bool{}
	for _, k := range []struct{ field, key string }{{"keys.again", m.Keys.Again}, {"keys.other_days", m.Keys.OtherDays},
		{"keys.sms", m.Keys.SMS}, {"keys.agent", m.Keys.Agent}} {
		if len(k.key) != 1 || k.key[0] < '0' || k.key[0] > '9' {
			return &input.FieldError{Field: k.field, Message: loc.T("ivr.err.key")}
		}
		if seen[k.key] {
			return &input.FieldError{Field: k.field, Message: loc.T("ivr.err.key_twice", "key", k.key)}
		}
		seen[k.key] = true
	}
	return nil
}

// HotlineMenu returns brand's hotline greeting and menu in lang: the saved ones, or the
// defaults (empty texts, DefaultHotlineKeys).
func (s *Settings) HotlineMenu(ctx context.Context, brand int64, lang string) (HotlineMenu, error) {
	m := HotlineMenu{Lang: lang, Keys: DefaultHotlineKeys}
	g, err := s.Prompt(ctx, brand, PromptHotlineGreeting, lang)
	if err != nil {
		return m, err
	}
	m.Greeting = g.Text
	var keys string
	var at time.Time
	menu, err := s.Prompt(ctx, brand, PromptHotlineMenu, lang) // its keymap is read below, as HotlineKeys
	if err != nil {
		return m, err
	}
	m.Menu, m.Custom = menu.Text, g.Custom || menu.Custom
	m.UpdatedBy, at = menu.UpdatedBy, menu.UpdatedAt
	if g.UpdatedAt.After(at) {
		m.UpdatedBy, at = g.UpdatedBy, g.UpdatedAt
	}
	m.UpdatedAt = at
	if menu.Custom {
		if err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT keymap FROM ivr_prompts WHERE brand_id = ? AND name = ? AND lang = ?`),
			brand, PromptHotlineMenu, lang).Scan(&keys); err != nil {
			return m, fmt.Errorf("ivr: hotline menu of brand %d: %w", brand, err)
		}
		if keys != "" {
			if err := json.Unmarshal([]byte(keys), &m.Keys); err != nil {
				return m, fmt.Errorf("ivr: hotline keys of brand %d: %w", brand, err)
			}
		}
	}
	return m, nil
}

// SaveHotlineMenu stores brand's hotline greeting and menu (validated by the caller).
func (s *Settings) SaveHotlineMenu(ctx context.Context, brand int64, m HotlineMenu, actor string) error {
	if err := s.Save(ctx, brand, PromptHotlineGreeting, PromptText{Lang: m.Lang, Text: m.Greeting}, actor); err != nil {
		return err
	}
	keys, _ := json.Marshal(m.Keys)
	_, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`INSERT INTO ivr_prompts (brand_id, name, lang, text, keymap, updated_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (brand_id, name, lang) DO UPDATE SET text = excluded.text,
		keymap = excluded.keymap, updated_by = excluded.updated_by, updated_at = excluded.updated_at`),
		brand, PromptHotlineMenu, m.Lang, m.Menu, string(keys), actor, s.now().UTC())
	return err
}

// menuOffer is what this caller may do after the status.
type menuOffer struct{ days, sms bool }

// FullMenu offers every option (the editor's default text and the preview).
var FullMenu = menuOffer{days: true, sms: true}

// GreetingText is the greeting as spoken: the brand's text or the catalog's, {brand} filled.
func (m HotlineMenu) GreetingText(brand string) string {
	loc := i18n.New(i18n.Lang(m.Lang), time.UTC)
	text := m.Greeting
	if text == "" {
		text = loc.T("ivr.self.greeting")
	}
	return cut(strings.ReplaceAll(text, "{brand}", brand))
}

// MenuText is the menu as spoken: the brand's text whole (its placeholders filled with the
// keys), or the catalog's sentences of the options this caller has.
func (m HotlineMenu) MenuText(brand string, o menuOffer) string {
	loc := i18n.New(i18n.Lang(m.Lang), time.UTC)
	if m.Menu != "" {
		r := strings.NewReplacer("{brand}", brand, "{again}", m.Keys.Again, "{other_days}", m.Keys.OtherDays,
			"{sms}", m.Keys.SMS, "{agent}", m.Keys.Agent)
		return cut(r.Replace(m.Menu))
	}
	parts := []string{loc.T("ivr.self.opt_again", "key", m.Keys.Again)}
	if o.days {
		parts = append(parts, loc.T("ivr.self.opt_days", "key", m.Keys.OtherDays))
	}
	if o.sms {
		parts = append(parts, loc.T("ivr.self.opt_sms", "key", m.Keys.SMS))
	}
	parts = append(parts, loc.T("ivr.self.opt_agent", "key", m.Keys.Agent))
	return strings.Join(parts, " ")
}

// cut keeps text within MaxTextRunes (the budget of one spoken text).
func cut(text string) string {
	if r := []rune(text); len(r) > MaxTextRunes {
		return string(r[:MaxTextRunes])
	}
	return text
}
