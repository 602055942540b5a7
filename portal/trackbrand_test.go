package portal

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/branding"
	"github.com/wismo/wismo/store"
)

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// brandedFixture is the portal with the brands' looks and a page cache.
func brandedFixture(t *testing.T) (*fixture, *branding.Service, *TrackCache) {
	t.Helper()
	var looks *branding.Service
	cache := newPageCache(DefaultTrackPageAge, time.Now, nil)
	f := newFixture(t, func(d *Deps) {
		looks = branding.New(d.DB.(*store.DB))
		d.Looks, d.TrackCache = looks, cache
	})
	return f, looks, cache
}

// The shop's look on its parcels' pages: name, logo, colours as a stylesheet, hotline to
// tap, link back to the shop, footer, its own words; another brand's parcel stays neutral.
func TestTrackingPageInTheShopsLook(t *testing.T) {
	f, looks, cache := brandedFixture(t)
	ctx := context.Background()
	f.do(t, "POST", "/api/v1/parcels", f.keyA, parcelJSON)
	f.do(t, "POST", "/api/v1/events", f.keyA, `{"events":[
		{"item_id":"RB123456785GB","code":"EMH","occurred_at":"2026-11-09T06:00:00Z","office":"RUNVSA","location":"Novosibirsk","country":"RU","reason":"ABSENT","action":"NOTICE_LEFT"}]}`)
	f.do(t, "POST", "/api/v1/parcels", f.keyB, strings.ReplaceAll(parcelJSON, "RB123456785GB", "RB000000000GB"))

	// Neutral before the brand sets anything (and cached).
	r := f.do(t, "GET", "/track/RB123456785GB", "", "")
	if r.status != 200 || !strings.Contains(r.body, "Brand A") || strings.Contains(r.body, "/track/brand/") || strings.Contains(r.body, "brandfoot") {
		t.Fatalf("neutral page: %d %.400s", r.status, r.body)
	}
	if _, err := looks.Save(ctx, f.brandA, branding.Change{Look: branding.Look{ShopURL: "https://shop-a.example", Hotline: "+7 495 123-45-67",
		Hours:  map[string]string{"en": "Mon-Fri 9:00-21:00", "ru": "Пн-Пт 9:00-21:00"},
		Footer: map[string]string{"en": "Shop A Ltd <b>bold</b>", "ru": "ООО «Магазин А»"}, Bar: "#1f3a5f", Accent: "#0b5cad",
		Words: branding.Words{"en": {"event.EMH": "Our courier missed you"}, "ru": {"event.EMH": "Наш курьер вас не застал"}}},
		NewLogo: testPNG(t, 120, 60)}, "manager"); err != nil {
		t.Fatal(err)
	}
	// The cached page is the neutral one until the look's message drops the brand's pages.
	if r := f.do(t, "GET", "/track/RB123456785GB", "", ""); strings.Contains(r.body, "shop-a.example") {
		t.Fatal("expected the stored page before the drop")
	}
	cache.DropBrand(f.brandA)
	r = f.do(t, "GET", "/track/RB123456785GB", "", "")
	for _, want := range []string{`<link rel="stylesheet" href="/track/brand/` + strconv.FormatInt(f.brandA, 10) + `/style.css?v=1">`,
		`<img class="logo" src="/track/brand/` + strconv.FormatInt(f.brandA, 10) + `/logo?v=1" width="80" height="40" alt="">`, "<span>Brand A</span>",
		`href="tel:&#43;74951234567"`, "&#43;7 495 123-45-67", "Mon-Fri 9:00-21:00", `href="https://shop-a.example"`, "Back to the shop",
		"Shop A Ltd &lt;b&gt;bold&lt;/b&gt;", "Our courier missed you", "Nobody was at home"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("branded page lacks %s", want)
		}
	}
	if strings.Contains(r.body, "The courier could not deliver") || strings.Contains(r.body, "style=") {
		t.Error("the brand's words did not replace the catalog's, or the page has inline style")
	}
	ru := f.do(t, "GET", "/track/RB123456785GB?lang=ru", "", "")
	for _, want := range []string{"Наш курьер вас не застал", "Пн-Пт 9:00-21:00", "ООО «Магазин А»", "Вернуться в магазин"} {
		if !strings.Contains(ru.body, want) {
			t.Errorf("Russian branded page lacks %s", want)
		}
	}
	// Brand B's parcel: neutral, none of A's look.
	if r := f.do(t, "GET", "/track/RB000000000GB", "", ""); strings.Contains(r.body, "shop-a.example") || strings.Contains(r.body, "/track/brand/") {
		t.Errorf("brand B's page shows brand A's look")
	}

	// The stylesheet: cacheable, revalidated by ETag.
	css := f.do(t, "GET", "/track/brand/"+strconv.FormatInt(f.brandA, 10)+"/style.css?v=1", "", "")
	if css.status != 200 || !strings.Contains(css.body, "--accent:#0b5cad") || !strings.Contains(css.body, "--bar:#1f3a5f;--bar-ink:#ffffff") ||
		!strings.HasPrefix(css.header.Get("Content-Type"), "text/css") || !strings.Contains(css.header.Get("Cache-Control"), "max-age") {
		t.Fatalf("stylesheet: %d %v %s", css.status, css.header, css.body)
	}
	if r := f.do(t, "GET", "/track/brand/"+strconv.FormatInt(f.brandA, 10)+"/style.css?v=1", "", "", "If-None-Match", css.header.Get("ETag")); r.status != 304 {
		t.Errorf("revalidated stylesheet: %d", r.status)
	}
	// The logo: its own type, a sandboxing CSP, 404 for a brand without one.
	logo := f.do(t, "GET", "/track/brand/"+strconv.FormatInt(f.brandA, 10)+"/logo?v=1", "", "")
	if logo.status != 200 || logo.header.Get("Content-Type") != "image/png" || logo.header.Get("Content-Security-Policy") != branding.LogoCSP ||
		logo.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("logo: %d %v", logo.status, logo.header)
	}
	if r := f.do(t, "GET", "/track/brand/"+strconv.FormatInt(f.brandB, 10)+"/logo", "", ""); r.status != 404 {
		t.Errorf("brand B's logo: %d", r.status)
	}
}
