package branding_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/branding"
	"github.com/wismo/wismo/store/storetest"
)

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{200, 30, 30, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func fields(p branding.Problems) map[string]string {
	out := map[string]string{}
	for _, pr := range p {
		out[pr.Field] = pr.Key
	}
	return out
}

// A manager's look is checked field by field: the page stays readable (contrast) and shows
// only plain text, links to web shops and dialable numbers.
func TestCheckLook(t *testing.T) {
	good := branding.Look{ShopURL: " https://shop.example/ru ", Hotline: "+7 (495) 123-45-67", Bar: "#1F3A5F", Accent: "#0b5cad",
		Hours: map[string]string{"en": "Mon-Fri 9-21", "ru": "Пн-Пт 9-21"}, Footer: map[string]string{"en": "Line one\r\nLine two"},
		Words: branding.Words{"ru": {"event.EMH": "Курьер не дозвонился"}}}
	l, probs := branding.Check(good)
	if len(probs) > 0 {
		t.Fatalf("a good look: %v", probs)
	}
	if l.ShopURL != "https://shop.example/ru" || l.Bar != "#1f3a5f" || l.Footer["en"] != "Line one\nLine two" {
		t.Errorf("cleaned: %+v", l)
	}
	if tel, ok := branding.TelURI(l.Hotline); !ok || tel != "tel:+74951234567" {
		t.Errorf("tel = %q", tel)
	}
	for _, tc := range []struct {
		look        branding.Look
		field, want string
	}{
		{branding.Look{ShopURL: "javascript:alert(1)"}, "shop_url", "br.err_url"},
		{branding.Look{ShopURL: "shop.example"}, "shop_url", "br.err_url"},
		{branding.Look{Hotline: "call us"}, "hotline", "br.err_phone"},
		{branding.Look{Hotline: "123"}, "hotline", "br.err_phone"},
		{branding.Look{Bar: "red"}, "bar", "br.err_colour"},
		{branding.Look{Accent: "#ffff00"}, "accent", "br.err_accent_contrast"}, // yellow links on white
		{branding.Look{Accent: "#2b5cd9;}"}, "accent", "br.err_colour"},        // no CSS through a colour
		{branding.Look{Footer: map[string]string{"ru": strings.Repeat("я", branding.MaxFooter+1)}}, "footer_ru", "br.err_too_long"},
		{branding.Look{Hours: map[string]string{"en": "9\x00-21"}}, "hours_en", "br.err_text"},
		{branding.Look{Words: branding.Words{"en": {"badid": "x"}}}, "words_en", "br.err_words_key"}, // a format string, not a customer word
		{branding.Look{Words: branding.Words{"en": {"event.NOPE": "x"}}}, "words_en", "br.err_words_key"},
		{branding.Look{Words: branding.Words{"ru": {"event.EMH": strings.Repeat("я", branding.MaxWord+1)}}}, "words_ru", "br.err_words_long"},
		{branding.Look{Words: branding.Words{"de": {"event.EMH": "x"}}}, "words_de", "br.err_words_lang"},
	} {
		_, probs := branding.Check(tc.look)
		if got := fields(probs)[tc.field]; got != tc.want {
			t.Errorf("%+v: %s problem %q, want %q (all: %v)", tc.look, tc.field, got, tc.want, probs)
		}
	}
	// Every header colour gets a readable text colour (dark or white).
	for _, bar := range []string{"#000000", "#ffffff", "#777777", "#ff0000", "#1f3a5f", "#ffd700"} {
		if ink, r := branding.BarInk(bar); r < branding.MinContrast {
			t.Errorf("%s: text %s at %.2f:1", bar, ink, r)
		}
	}
	if got := branding.Stylesheet(".track", branding.Look{Bar: "#1f3a5f", Accent: "#0b5cad"}); !strings.Contains(got, ".track{--accent:#0b5cad;--bar:#1f3a5f;--bar-ink:#ffffff}") {
		t.Errorf("stylesheet: %s", got)
	}
}

// The logo is checked by its content, whatever its name or claimed type.
func TestCheckLogo(t *testing.T) {
	if img, p := branding.CheckLogo(pngOf(t, 120, 40)); p != nil || img.Type != "image/png" || img.Width != 120 || img.Height != 40 {
		t.Errorf("a PNG: %+v %v", img, p)
	}
	// A lossless WebP's header: 200x50.
	webp := []byte("RIFF\x00\x00\x00\x00WEBPVP8L\x00\x00\x00\x00\x2f")
	bits := uint32(199) | uint32(49)<<14
	webp = append(webp, byte(bits), byte(bits>>8), byte(bits>>16), byte(bits>>24))
	webp = append(webp, make([]byte, 10)...)
	if img, p := branding.CheckLogo(webp); p != nil || img.Type != "image/webp" || img.Width != 200 || img.Height != 50 {
		t.Errorf("a WebP: %+v %v", img, p)
	}
	clean := `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><title>Shop</title>
<defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/></linearGradient></defs><rect width="120" height="40" fill="url(#g)"/></svg>`
	if img, p := branding.CheckLogo([]byte(clean)); p != nil || img.Type != "image/svg+xml" || img.Width != 120 || img.Height != 40 {
		t.Errorf("a clean SVG: %+v %v", img, p)
	}
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"huge pixels":      {pngOf(t, 3000, 20), "br.err_logo_pixels"},
		"tiny":             {pngOf(t, 8, 8), "br.err_logo_pixels"},
		"too many bytes":   {append(pngOf(t, 20, 20), make([]byte, branding.MaxLogoBytes)...), "br.err_logo_size"},
		"html named .png":  {[]byte("<html><script>alert(1)</script></html>"), "br.err_logo_type"},
		"gif":              {[]byte("GIF89a\x10\x00\x10\x00"), "br.err_logo_type"},
		"truncated png":    {pngOf(t, 20, 20)[:20], "br.err_logo_broken"},
		"svg script":       {[]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><script>alert(1)</script></svg>`), "br.err_logo_svg"},
		"svg onload":       {[]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" onload="alert(1)"/>`), "br.err_logo_svg"},
		"svg remote image": {[]byte(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20"><use xlink:href="https://evil.example/x.svg#a"/></svg>`), "br.err_logo_svg"},
		"svg foreign html": {[]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><foreignObject><p>hi</p></foreignObject></svg>`), "br.err_logo_svg"},
		"svg remote style": {[]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><rect style="fill:url( 'https://evil.example/a' )"/></svg>`), "br.err_logo_svg"},
		"svg entities":     {[]byte(`<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><text>&a;</text></svg>`), "br.err_logo_svg"},
		"svg no size":      {[]byte(`<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>`), "br.err_logo_pixels"},
	} {
		if _, p := branding.CheckLogo(tc.data); p == nil || p.Key != tc.want || p.Field != "logo" {
			t.Errorf("%s: %+v, want %s", name, p, tc.want)
		}
	}
}

// Save keeps a brand's look and its logo apart from other brands', grows the version the
// stylesheet's and logo's URLs carry, and says what is wrong without saving anything.
func TestSaveLook(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	acc := access.NewService(db)
	a, _, _ := acc.CreateBrand(ctx, "Shop A")
	b, _, _ := acc.CreateBrand(ctx, "Shop B")
	s := branding.New(db)
	if l, err := s.Get(ctx, a.ID); err != nil || l.Version != 0 || l.HasLogo() {
		t.Fatalf("no look yet: %+v %v", l, err)
	}
	logo := pngOf(t, 90, 30)
	l, err := s.Save(ctx, a.ID, branding.Change{Look: branding.Look{ShopURL: "https://a.example", Accent: "#0b5cad",
		Words: branding.Words{"en": {"event.EMH": "Our courier missed you"}}}, NewLogo: logo}, "m@a.example")
	if err != nil || l.Version != 1 || l.LogoW != 90 || l.Words["en"]["event.EMH"] != "Our courier missed you" {
		t.Fatalf("saved: %+v %v", l, err)
	}
	data, typ, v, ok, err := s.LogoImage(ctx, a.ID)
	if err != nil || !ok || typ != "image/png" || v != 1 || !bytes.Equal(data, logo) {
		t.Errorf("logo: %s v%d %v %v", typ, v, ok, err)
	}
	if _, _, _, ok, _ := s.LogoImage(ctx, b.ID); ok {
		t.Error("brand B has brand A's logo")
	}
	// A bad field: nothing saved, the problem named.
	_, err = s.Save(ctx, a.ID, branding.Change{Look: branding.Look{Accent: "#eeeeee"}}, "m@a.example")
	var probs branding.Problems
	if !errors.As(err, &probs) || fields(probs)["accent"] != "br.err_accent_contrast" || !strings.Contains(err.Error(), "contrast") {
		t.Fatalf("a light accent: %v", err)
	}
	if l, _ := s.Get(ctx, a.ID); l.Accent != "#0b5cad" || l.Version != 1 {
		t.Errorf("a refused change was saved: %+v", l)
	}
	// Removing the logo keeps the rest; the version grows.
	if l, err := s.Save(ctx, a.ID, branding.Change{Look: branding.Look{ShopURL: "https://a.example"}, RemoveLogo: true}, "m"); err != nil || l.HasLogo() || l.Version != 2 {
		t.Errorf("removed logo: %+v %v", l, err)
	}
	var n int
	if err := db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM outbox WHERE topic = ? AND brand_id = ?`), branding.TopicLookChanged, a.ID).Scan(&n); err != nil || n != 2 {
		t.Errorf("look-changed messages: %d %v", n, err)
	}
}
