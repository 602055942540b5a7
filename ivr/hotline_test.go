package ivr

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// TestHotlineMenuAPI (issue 19.1): a brand manager saves the hotline's greeting, menu and keys
// per language and hears the preview (greeting, a sample status, the menu); a wrong key,
// placeholder or a text over the budget is refused naming the field; another brand's manager
// and an agent can neither read, save nor preview it.
func TestHotlineMenuAPI(t *testing.T) {
	do, a, prompts := promptAPI(t)
	q := "?brand=" + strconv.FormatInt(a, 10)
	code, body, _ := do("PUT", "/api/v1/ivr/prompts/hotline"+q,
		`{"lang": "ru", "greeting": "Здравствуйте, это {brand}.", "keys": {"again": "1", "other_days": "2", "sms": "5", "agent": "9"}}`, "a")
	if code != 200 {
		t.Fatalf("save: %d %s", code, body)
	}
	code, body, _ = do("GET", "/api/v1/ivr/prompts/hotline"+q, "", "a")
	var got struct{ Menus []HotlineMenu }
	json.Unmarshal(body, &got)
	if code != 200 || len(got.Menus) != 2 || got.Menus[1].Keys.SMS != "5" || !got.Menus[1].Custom || got.Menus[1].Greeting == "" ||
		got.Menus[0].Custom || got.Menus[0].Keys != DefaultHotlineKeys {
		t.Fatalf("read: %d %s", code, body)
	}
	for body, field := range map[string]string{
		`{"lang": "de"}`: `"field":"lang"`,
		`{"lang": "en", "greeting": "Hi {parcel}"}`:                                           `"field":"greeting"`,
		`{"lang": "en", "menu": "Press {confirm}"}`:                                           `"field":"menu"`,
		`{"lang": "en", "menu": "` + strings.Repeat("a", MaxTextRunes+1) + `"}`:               `"field":"menu"`,
		`{"lang": "en", "keys": {"again": "1", "other_days": "2", "sms": "1", "agent": "0"}}`: `"field":"keys.sms"`,
		`{"lang": "en", "keys": {"again": "#", "other_days": "2", "sms": "3", "agent": "0"}}`: `"field":"keys.again"`,
	} {
		if code, out, _ := do("PUT", "/api/v1/ivr/prompts/hotline"+q, body, "a"); code != 422 || !strings.Contains(string(out), field) {
			t.Errorf("%s: %d %s, want 422 naming %s", body, code, out, field)
		}
	}
	for _, who := range []string{"b", "agent"} {
		for _, r := range [][3]string{{"GET", "/api/v1/ivr/prompts/hotline" + q, ""}, {"GET", "/api/v1/ivr/prompts/hotline/preview" + q + "&lang=ru", ""},
			{"PUT", "/api/v1/ivr/prompts/hotline" + q, `{"lang": "en", "greeting": "mine"}`}} {
			if code, _, _ := do(r[0], r[1], r[2], who); code != 404 && code != 403 {
				t.Errorf("%s: %s %s: %d", who, r[0], r[1], code)
			}
		}
	}
	code, wav, src := do("GET", "/api/v1/ivr/prompts/hotline/preview"+q+"&lang=ru", "", "a")
	if code != 200 || CheckWAV(wav) != nil {
		t.Fatalf("preview: %d %v", code, CheckWAV(wav))
	}
	if prompts.CanSynthesize() {
		_, ch, _ := media.ParseWAV("preview", wav)
		if Source(src) != SourceSynth || len(ch[0]) < 5*8000 || media.RMS(ch[0]) < 300 {
			t.Fatalf("preview %s is %.1f s, RMS %.0f: not greeting, status and menu spoken", src, float64(len(ch[0]))/8000, media.RMS(ch[0]))
		}
	}
	if code, _, _ := do("GET", "/api/v1/ivr/prompts/hotline/preview"+q+"&lang=en&greeting=Hi+{name}", "", "a"); code != 422 {
		t.Fatalf("a typed greeting with an unknown placeholder previewed: %d", code)
	}
}

// TestHotlineMenuText: the standard menu names only the options the caller has, with the
// brand's keys; a brand's own menu is spoken whole with its placeholders filled.
func TestHotlineMenuText(t *testing.T) {
	m := HotlineMenu{Lang: "en", Keys: HotlineKeys{Again: "1", OtherDays: "2", SMS: "7", Agent: "0"}}
	if got := m.MenuText("Acme", menuOffer{}); strings.Contains(got, "delivery day") || strings.Contains(got, "text message") ||
		!strings.Contains(got, "Press 1") || !strings.Contains(got, "Press 0") {
		t.Errorf("a caller who is not the recipient: %q", got)
	}
	if got := m.MenuText("Acme", FullMenu); !strings.Contains(got, "Press 2 to choose another delivery day") || !strings.Contains(got, "Press 7 to receive") {
		t.Errorf("the recipient: %q", got)
	}
	m.Menu, m.Greeting = "{brand}: {sms} for the link, {agent} for us.", "Hello from {brand}!"
	if got := m.MenuText("Acme", menuOffer{}); got != "Acme: 7 for the link, 0 for us." {
		t.Errorf("the brand's menu: %q", got)
	}
	if got := m.GreetingText("Acme"); got != "Hello from Acme!" {
		t.Errorf("the brand's greeting: %q", got)
	}
	if got := (HotlineMenu{Lang: "ru"}).GreetingText("Пиксель"); got != "Вас приветствует Пиксель." {
		t.Errorf("the standard Russian greeting: %q", got)
	}
}

// TestPickDisambiguatesKeyedDigits: of the parcels sharing the keyed serial and check digit,
// the one whose recipient has the caller's number (and then the caller may change it), else
// the one last scanned in the caller's country, else the most recently updated.
func TestPickDisambiguatesKeyedDigits(t *testing.T) {
	view := func(id, phone, country string) tracking.ParcelView {
		return tracking.ParcelView{ID: id, Recipient: tracking.RecipientView{Phone: phone},
			Events: []tracking.EventView{{Code: "EMD", Country: country}}}
	}
	ps := []tracking.ParcelView{view("RA123456785GB", "+441134960000", "GB"), view("RB123456785CN", "+79131234567", "CN"),
		view("RC123456785RU", "+79130000009", "RU")}
	for _, c := range []struct {
		from, want string
		matched    bool
	}{
		{"+79131234567", "RB123456785CN", true},  // the recipient's number
		{"+79139999999", "RC123456785RU", false}, // a Russian number: last scanned in Russia
		{"+12025550123", "RA123456785GB", false}, // neither: the most recently updated
		{"anonymous", "RA123456785GB", false},
	} {
		if p, m := pick(ps, c.from); p.ID != c.want || m != c.matched {
			t.Errorf("%s: %s matched %v, want %s %v", c.from, p.ID, m, c.want, c.matched)
		}
	}
}

// TestStatusSaysTomorrow: the expected day is today, tomorrow or a date in the recipient's zone;
// a day gone by is not said.
func TestStatusSaysTomorrow(t *testing.T) {
	now := time.Date(2026, 12, 6, 22, 30, 0, 0, time.UTC) // already the 7th in Novosibirsk
	s := &SelfService{Now: func() time.Time { return now }}
	p := tracking.ParcelView{Recipient: tracking.RecipientView{TimeZone: "Asia/Novosibirsk"}}
	en, ru := i18n.New(i18n.EN, time.UTC), i18n.New(i18n.RU, time.UTC)
	for _, c := range []struct {
		loc  i18n.Locale
		date string
		want string
	}{{en, "2026-12-07", "today."}, {en, "2026-12-08", "tomorrow."}, {ru, "2026-12-08", "завтра."}, {en, "2026-12-10", "on Thursday 10 December."}, {en, "2026-12-06", ""}} {
		if got := s.when(c.loc, p, day(c.date)); got != c.want {
			t.Errorf("%s: %q, want %q", c.date, got, c.want)
		}
	}
}

// TestBusyPoolGivesTheGenericFragment: the synthesiser's pool is busy (one worker, held by a
// run that hangs): a caller's status does not wait for it past FragmentWait; they hear the
// generic fragment made at start (here: in the disk cache), and with no generic fragment
// either, the shipped chime.
func TestBusyPoolGivesTheGenericFragment(t *testing.T) {
	dir := t.TempDir()
	hang := filepath.Join(dir, "hang.sh")
	os.WriteFile(hang, []byte("#!/bin/sh\nexec sleep 30\n"), 0o755)
	prompts, _ := New(Config{Dir: dir, Espeak: hang, Sox: hang, Workers: 1, Timeout: time.Minute, Log: slog.New(slog.DiscardHandler)})
	busy, stop := context.WithCancel(context.Background())
	defer stop()
	go prompts.Synthesize(busy, "en", "A long text that holds the only worker.")
	for i := 0; i < 100 && prompts.Runs() == 0; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	db := storetest.Open(t)
	brand := addBrand(t, db, "Acme")
	s := &SelfService{Settings: NewSettings(db), Prompts: prompts, FragmentWait: 200 * time.Millisecond}
	p := tracking.ParcelView{ID: "RB123456785GB", Events: []tracking.EventView{{Code: "EMG", Location: "Rostov-on-Don"}}}
	en := i18n.New(i18n.EN, time.UTC)
	start := time.Now()
	if a := s.status(context.Background(), brand, "en", en, p); len(a) != len(Fallback()) {
		t.Fatalf("no generic fragment and a busy pool: %d samples, want the chime's %d", len(a), len(Fallback()))
	}
	generic := make([]int16, 4000)
	for i := range generic {
		generic[i] = int16(3000 * math.Sin(float64(i)))
	}
	os.WriteFile(filepath.Join(dir, "cache", Key("en", en.T("ivr.self.status_generic"))+".wav"), WAV(generic), 0o644)
	if a := s.status(context.Background(), brand, "en", en, p); len(a) != len(generic) {
		t.Fatalf("a busy pool: %d samples, want the generic fragment's %d", len(a), len(generic))
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("the status waited %s for a busy pool", took)
	}
}
