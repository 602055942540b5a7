package scripts

import (
	"context"
	"strings"
	"testing"

	"github.com/wismo/wismo/branding"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/trackwords"
)

// TestMessagesSpeakTheTrackCatalog: a message template says the parcel's latest event in the
// tracking page's customer words (.parcel.status_words), in the recipient's language, with the
// brand's overrides (brand_looks.words) in front.
func TestMessagesSpeakTheTrackCatalog(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	looks := branding.New(e.db)
	if _, err := looks.Save(ctx, e.brand, branding.Change{Look: branding.Look{Words: branding.Words{"ru": {"event.EDD": "Посылка у нас на складе"}}}}, "me"); err != nil {
		t.Fatal(err)
	}
	e.svc.opts.Words = trackwords.NewCache(looks)
	if err := e.svc.EnsureStandardFlow(ctx, e.brand); err != nil {
		t.Fatal(err)
	}
	list, err := e.svc.Templates(ctx, e.brand)
	if err != nil {
		t.Fatal(err)
	}
	for _, tpl := range list {
		if tpl.Name == "sorting_center" {
			if _, err := e.svc.SaveTemplate(ctx, e.brand, tpl.ID, TemplateInput{Content: Content{SMS: "[{{.parcel.status_words}}]{{.parcel.status_detail}}"}}, "me"); err != nil {
				t.Fatal(err)
			}
		}
	}
	ru, en := tracking.MakeS10("RB", 740001, "GB"), tracking.MakeS10("RB", 740002, "GB")
	e.parcel(ru, "")
	e.parcel(en, "", func(in *tracking.ParcelInput) { in.Recipient.Language = "en" })
	e.events(ev(ru, "EDD", "2026-11-20T05:30:00Z"), ev(en, "EDD", "2026-11-20T05:30:00Z"))
	e.consume()
	for id, want := range map[string]string{ru: "[Посылка у нас на складе]", en: "[The parcel arrived at a sorting centre]"} {
		got := e.contacts(id)
		if len(got) != 1 || got[0].Body != want {
			t.Errorf("%s: %+v, want the SMS %q", id, got, want)
		}
	}
	// Without the brand's words, the catalog's.
	d := dataFor(tracking.ParcelView{Recipient: tracking.RecipientView{Language: "ru"}, Events: []tracking.EventView{{Code: "EDD"}}}, nil, "", "", nil)
	if got := d["parcel"].(map[string]any)["status_words"]; got != "Посылка прибыла в сортировочный центр" {
		t.Errorf("catalog words: %q", got)
	}
	if !strings.Contains(SampleData("http://x")["parcel"].(map[string]any)["status_detail"].(string), "Никого не было дома") {
		t.Errorf("the sample parcel's words: %+v", SampleData("http://x")["parcel"])
	}
}
