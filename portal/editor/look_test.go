package editor

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// postMultipart sends a form with a file as a browser does (enctype multipart/form-data).
func (b *browser) postMultipart(path string, fields map[string]string, file string, data []byte) reply {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		w.WriteField(k, v) //nolint:errcheck
	}
	if file != "" {
		fw, _ := w.CreateFormFile(file, "logo.png")
		fw.Write(data) //nolint:errcheck
	}
	w.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := b.app.Test(req, -1)
	if err != nil {
		b.t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(out), resp.Header}
}

// A brand manager sets the tracking page's look: field errors beside the fields in the
// manager's language with the input kept, a preview in the typed colours without saving, a
// logo upload checked by content, and the tracking page in the saved look.
func TestEditorLook(t *testing.T) {
	e := newEditorEnv(t)
	mgr := e.manager("mgr@a.example")
	base := "/editor/" + strconv.FormatInt(e.brandA, 10) + "/look"
	r, token := e.page(mgr, base)
	if !strings.Contains(r.body, `aria-current="page">Tracking page</a>`) || !strings.Contains(r.body, "event.EMH") {
		t.Fatalf("look page: %.500s", r.body)
	}
	bad := url.Values{"_csrf": {token}, "op": {"save"}, "accent": {"#ffff00"}, "bar": {"blue"}, "hotline": {"call us"},
		"shop_url": {"shop.example"}, "words_en": {"{not json"}, "words_ru": {`{"badid": "x"}`}, "footer_en": {"Kept as typed"}}
	r = mgr.do("POST", base, bad)
	for _, want := range []string{`id="accent-err"`, "Too light for links and buttons: contrast 1.0:1", `id="bar-err"`, `id="hotline-err"`,
		`id="shop_url-err"`, `id="words_en-err"`, `id="words_ru-err"`, "badid is not a customer word", ">Kept as typed</textarea>", `aria-invalid="true"`} {
		if r.status != 422 || !strings.Contains(r.body, want) {
			t.Errorf("bad look: %d, lacks %s", r.status, want)
		}
	}
	r = mgr.do("POST", base+"?lang=ru", bad)
	if !strings.Contains(r.body, "Слишком светлый для ссылок и кнопок") || !strings.Contains(r.body, "Укажите номер телефона") {
		t.Errorf("Russian field errors: %.300s", r.body)
	}
	// Preview: the typed colours as a stylesheet, nothing saved.
	r = mgr.do("POST", base+"?lang=en", url.Values{"_csrf": {token}, "op": {"preview"}, "bar": {"#1f3a5f"}, "accent": {"#0b5cad"}, "hotline": {"+7 495 123-45-67"}})
	if r.status != 200 || !strings.Contains(r.body, "not saved yet") || !strings.Contains(r.body, "look/preview.css?bar=%231f3a5f&amp;accent=%230b5cad") {
		t.Errorf("preview: %d %.300s", r.status, r.body)
	}
	css := mgr.do("GET", base+"/preview.css?bar=%231f3a5f&accent=%23ffff00", nil)
	if !strings.Contains(css.body, ".brand-preview{--bar:#1f3a5f;--bar-ink:#ffffff}") {
		t.Errorf("preview css (the unreadable accent left out): %s", css.body)
	}
	if r, _ := e.page(mgr, base); strings.Contains(r.body, `value="#1f3a5f"`) {
		t.Error("the preview saved the look")
	}
	// Save with a logo (multipart); a file that is not an image is refused beside the field.
	fields := map[string]string{"_csrf": token, "op": "save", "bar": "#1F3A5F", "accent": "#0b5cad", "hotline": "+7 495 123-45-67",
		"shop_url": "https://shop-a.example", "hours_en": "Mon-Fri 9-21", "hours_ru": "Пн-Пт 9-21", "words_en": `{"event.EMH": "Our courier missed you"}`}
	if r := mgr.postMultipart(base, fields, "logo", []byte("<html>not a logo</html>")); r.status != 422 || !strings.Contains(r.body, "Upload a PNG, JPEG, WebP or SVG image") {
		t.Errorf("a bad logo: %d", r.status)
	}
	var img bytes.Buffer
	png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 200, 50))) //nolint:errcheck
	if r := mgr.postMultipart(base, fields, "logo", img.Bytes()); r.status != 303 || !strings.HasSuffix(location(r), "/look?updated=1") {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	r, _ = e.page(mgr, base)
	if !strings.Contains(r.body, `value="#1f3a5f"`) || !strings.Contains(r.body, "/logo?v=1") || !strings.Contains(r.body, "Our courier missed you") {
		t.Errorf("saved look: %.500s", r.body)
	}
	page := mgr.do("GET", "/track/RB123456785GB", nil)
	if !strings.Contains(page.body, "/style.css?v=1") || !strings.Contains(page.body, "shop-a.example") {
		t.Errorf("tracking page after saving: %.500s", page.body)
	}
	// Another brand's manager does not reach this brand's look.
	if r := e.manager("mgr@b.example").do("GET", base, nil); r.status != 404 {
		t.Errorf("brand B's manager on brand A's look: %d", r.status)
	}
}
