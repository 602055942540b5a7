package ivr

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

func addBrand(t *testing.T, db *store.DB, name string) int64 {
	t.Helper()
	var id int64
	if err := db.SQL.QueryRowContext(context.Background(), db.Rebind(`INSERT INTO brands (name, created_at) VALUES (?, ?) RETURNING id`),
		name, time.Now().UTC()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// promptAPI is the prompt API for brand A's manager ("a"), brand B's ("b") and an agent of
// brand A ("agent"): do(method, path, body, who) answers the status, the body and the
// X-Prompt-Source.
type promptDo func(method, path, body, who string) (int, []byte, string)

func promptAPI(t *testing.T) (promptDo, int64, *Prompts) {
	db := storetest.Open(t)
	a, b := addBrand(t, db, "Acme"), addBrand(t, db, "Other")
	prompts, _ := New(Config{Dir: t.TempDir(), Log: storetest.Logger(t)})
	app := fiber.New()
	app.Use(func(c *fiber.Ctx) error {
		u := access.User{ID: 1, Email: "m@a", Role: access.RoleBrandManager, BrandIDs: []int64{a}}
		if c.Get("X-Who") == "b" {
			u = access.User{ID: 2, Email: "m@b", Role: access.RoleBrandManager, BrandIDs: []int64{b}}
		}
		if c.Get("X-Who") == "agent" {
			u.Role = access.RoleAgent
		}
		access.SetPrincipal(c, access.SessionPrincipal(access.Session{User: u}))
		return c.Next()
	})
	Routes(app, NewSettings(db), prompts)
	do := func(method, path, body, who string) (int, []byte, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Who", who)
		resp, err := app.Test(req, 30000)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, out, resp.Header.Get("X-Prompt-Source")
	}
	return do, a, prompts
}

// TestPromptEditorAPI: a brand manager saves the robocall text and keys per language, hears
// the preview (speech with the sample parcel's date), a wrong key or placeholder is refused
// naming the field, and another brand's manager can neither read nor preview it.
func TestPromptEditorAPI(t *testing.T) {
	do, a, prompts := promptAPI(t)
	q := "?brand=" + strconv.FormatInt(a, 10)
	code, body, _ := do("PUT", "/api/v1/ivr/prompts/robocall"+q,
		`{"lang": "ru", "text": "Это {brand}. Посылка {parcel} приедет {date}. Нажмите {confirm}.", "keys": {"confirm": "5", "other_days": "6", "agent": "9"}}`, "a")
	if code != 200 {
		t.Fatalf("save: %d %s", code, body)
	}
	code, body, _ = do("GET", "/api/v1/ivr/prompts/robocall"+q, "", "a")
	var got struct{ Prompts []PromptText }
	json.Unmarshal(body, &got)
	if code != 200 || len(got.Prompts) != 2 || got.Prompts[1].Keys.Confirm != "5" || !got.Prompts[1].Custom || got.Prompts[0].Custom ||
		got.Prompts[0].Keys != DefaultKeys {
		t.Fatalf("read: %d %s", code, body)
	}
	for body, field := range map[string]string{
		`{"lang": "de", "text": "Hallo"}`:                                           `"field":"lang"`,
		`{"lang": "en", "text": "Hi {name}"}`:                                       `"field":"text"`,
		`{"lang": "en", "text": "` + strings.Repeat("a", MaxTextRunes+1) + `"}`:     `"field":"text"`,
		`{"lang": "en", "keys": {"confirm": "1", "other_days": "1", "agent": "0"}}`: `"field":"keys.other_days"`,
		`{"lang": "en", "keys": {"confirm": "*", "other_days": "2", "agent": "0"}}`: `"field":"keys.confirm"`,
	} {
		if code, out, _ := do("PUT", "/api/v1/ivr/prompts/robocall"+q, body, "a"); code != 422 || !strings.Contains(string(out), field) {
			t.Errorf("%s: %d %s, want 422 naming %s", body, code, out, field)
		}
	}
	// Another brand's manager, and an agent, are refused.
	for _, who := range []string{"b", "agent"} {
		if code, _, _ := do("GET", "/api/v1/ivr/prompts/robocall/preview"+q+"&lang=ru", "", who); code != 404 && code != 403 {
			t.Errorf("%s previewed brand A's prompt: %d", who, code)
		}
		if code, _, _ := do("PUT", "/api/v1/ivr/prompts/robocall"+q, `{"lang": "en", "text": "mine"}`, who); code != 404 && code != 403 {
			t.Errorf("%s saved brand A's prompt: %d", who, code)
		}
	}
	code, wav, src := do("GET", "/api/v1/ivr/prompts/robocall/preview"+q+"&lang=ru", "", "a")
	if code != 200 || CheckWAV(wav) != nil {
		t.Fatalf("preview: %d %v", code, CheckWAV(wav))
	}
	want := SourceSynth
	if !prompts.CanSynthesize() {
		want = SourceFallback
	}
	if Source(src) != want {
		t.Fatalf("preview source %s, want %s", src, want)
	}
	_, ch, _ := media.ParseWAV("preview", wav)
	if want == SourceSynth && (len(ch[0]) < 3*8000 || media.RMS(ch[0]) < 300) {
		t.Fatalf("preview is %.1f s, RMS %.0f: not the spoken prompt", float64(len(ch[0]))/8000, media.RMS(ch[0]))
	}
	// An unsaved text is previewed as typed.
	if code, wav, _ := do("POST", "/api/v1/ivr/prompts/robocall/preview"+q, `{"lang": "en", "text": "Hello from {brand}."}`, "a"); code != 200 || CheckWAV(wav) != nil {
		t.Fatalf("unsaved preview: %d", code)
	}
}

// TestRenderFillsTheParcel: the text speaks the brand, the tracking number sign by sign and the
// day in the recipient's language, with the brand's keys.
func TestRenderFillsTheParcel(t *testing.T) {
	d := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)
	f := Fields{Brand: "Acme", Parcel: "RA12", Date: d}
	cat := defaultCatalog()
	ru := PromptText{Lang: "ru", Keys: DefaultKeys}.Render(cat, f)
	if !strings.Contains(ru, "вторник, 8 декабря") || !strings.Contains(ru, "R A 1 2") || !strings.Contains(ru, "Нажмите 1") {
		t.Errorf("ru: %s", ru)
	}
	en := PromptText{Lang: "en", Text: "{brand}: {date}, press {confirm}", Keys: KeyMap{Confirm: "7", OtherDays: "2", Agent: "0"}}.Render(cat, f)
	if en != "Acme: Tuesday 8 December, press 7" {
		t.Errorf("en: %s", en)
	}
}
