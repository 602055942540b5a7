package i18n

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// names are the placeholders of a text, sorted.
func names(s string) []string {
	ns := placeholder.FindAllString(s, -1)
	sort.Strings(ns)
	return slices.Compact(ns)
}

// The shipped catalog: every key in both languages, every plural with its language's forms,
// the same placeholders in every language and form (a translator who drops {number} loses
// the reader the case number).
func TestCatalogIsCompleteInEveryLanguage(t *testing.T) {
	if err := DefaultErr(); err != nil {
		t.Fatal(err)
	}
	c := Default()
	keys := map[string]bool{}
	for _, l := range Langs {
		for k := range c.msgs[l] {
			keys[k] = true
		}
	}
	for k := range keys {
		var want []string
		for i, l := range Langs {
			m, ok := c.msgs[l][k]
			if !ok {
				other := Langs[(i+1)%len(Langs)]
				t.Errorf("%q is in %s (%s) but not in %s", k, other, c.where[other][k], l)
				continue
			}
			texts := []string{m.Text}
			if m.Forms != nil {
				texts = nil
				for _, f := range Forms(l) {
					if m.Forms[f] == "" {
						t.Errorf("%s %q (%s): plural form %q is missing", l, k, c.where[l][k], f)
					}
					texts = append(texts, m.Forms[f])
				}
			}
			for _, text := range texts {
				got := names(text)
				if m.Forms != nil {
					got = slices.DeleteFunc(got, func(s string) bool { return s == "{n}" })
				}
				if strings.TrimSpace(text) == "" && m.Forms == nil {
					t.Errorf("%s %q (%s) is empty", l, k, c.where[l][k])
				}
				if want == nil {
					want = got
				} else if !slices.Equal(got, want) {
					t.Errorf("%s %q (%s) has placeholders %v, other texts of the key have %v", l, k, c.where[l][k], got, want)
				}
			}
		}
	}
}

func TestLoadRefusesDuplicatesAndStrangers(t *testing.T) {
	_, err := Load(fstest.MapFS{
		"en/a.json": {Data: []byte(`{"x": "1"}`)},
		"en/b.json": {Data: []byte(`{"x": "2"}`)},
	})
	if err == nil || !strings.Contains(err.Error(), `key "x" is also in`) {
		t.Errorf("a key in two files: %v", err)
	}
	_, err = Load(fstest.MapFS{"de/a.json": {Data: []byte(`{}`)}})
	if err == nil || !strings.Contains(err.Error(), "not a language") {
		t.Errorf("a folder of another language: %v", err)
	}
	_, err = Load(fstest.MapFS{"ru/a.json": {Data: []byte(`{"x": `)}})
	if err == nil || !strings.Contains(err.Error(), "ru/a.json") {
		t.Errorf("broken JSON is named: %v", err)
	}
}

func TestRussianPluralCategories(t *testing.T) {
	for n, want := range map[int64]string{0: Many, 1: One, 2: Few, 4: Few, 5: Many, 11: Many, 12: Many, 14: Many,
		21: One, 22: Few, 25: Many, 101: One, 111: Many, 112: Many, 122: Few, 1000: Many, 1001: One} {
		if got := Category(RU, n); got != want {
			t.Errorf("ru %d: %s, want %s", n, got, want)
		}
	}
	if Category(EN, 1) != One || Category(EN, 0) != Other || Category(EN, 21) != Other {
		t.Error("English: only 1 is one")
	}
}

func TestTextsAndPlurals(t *testing.T) {
	c, err := Load(fstest.MapFS{
		"en/t.json": {Data: []byte(`{"case.assigned": "Case {number} assigned to {agent}", "cases": {"one": "{n} case", "other": "{n} cases"}}`)},
		"ru/t.json": {Data: []byte(`{"case.assigned": "Обращение {number} назначено: {agent}", "cases": {"one": "{n} обращение", "few": "{n} обращения", "many": "{n} обращений", "other": "{n} обращения"}}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	en, ru := New(EN, nil).With(c), New(RU, nil).With(c)
	for _, tc := range []struct{ got, want string }{
		{en.T("case.assigned", "number", "MM-000123", "agent", "Anna"), "Case MM-000123 assigned to Anna"},
		{ru.T("case.assigned", "number", "MM-000123", "agent", "Анна"), "Обращение MM-000123 назначено: Анна"},
		{en.N("cases", 1), "1 case"},
		{en.N("cases", 1200), "1,200 cases"},
		{ru.N("cases", 1), "1 обращение"},
		{ru.N("cases", 3), "3 обращения"},
		{ru.N("cases", 11), "11 обращений"},
		{ru.N("cases", 1021), "1\u00a0021 обращение"},
		{ru.T("no.such.key"), "no.such.key"},
		{en.T("case.assigned", "number", "7"), "Case 7 assigned to {agent}"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestFormatsPerLocale(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	nsk, _ := time.LoadLocation("Asia/Novosibirsk")
	at := time.Date(2026, 12, 6, 11, 5, 0, 0, time.UTC)
	en, ru := New(EN, msk), New(RU, msk)
	for _, tc := range []struct{ got, want string }{
		{ru.DateTime(at), "06.12.2026 14:05 MSK"},
		{en.DateTime(at), "6 Dec 2026 14:05 MSK"},
		{New(RU, nsk).DateTime(at), "06.12.2026 18:05 UTC+7"},
		{New(EN, nil).DateTime(at), "6 Dec 2026 11:05 UTC"},
		{ru.Number(1234567), "1\u00a0234\u00a0567"},
		{en.Number(-1234567), "-1,234,567"},
		{ru.Money("1200", "RUB"), "1\u00a0200,00\u00a0₽"},
		{en.Money("1200.5", "rub"), "₽1,200.50"},
		{en.Money("15", "BYN"), "BYN 15.00"},
		{ru.Duration(2*time.Hour + 5*time.Minute + 3*time.Second), "2 часа 5 минут"},
		{en.Duration(26 * time.Hour), "1 day 2 hours"},
		{en.Duration(2*24*time.Hour + 5*time.Minute), "2 days"},
		{ru.Duration(21 * time.Minute), "21 минута"},
		{en.Until(at.Add(90*time.Minute), at), "in 1 hour 30 minutes"},
		{ru.Until(at.Add(-3*24*time.Hour), at), "3 дня назад"},
		{en.Duration(0), "less than a second"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct {
		accept string
		prefs  []string
		want   Lang
	}{
		{"ru-RU,ru;q=0.9,en;q=0.8", nil, RU},
		{"de-DE,en;q=0.5,ru;q=0.7", nil, RU},
		{"de", nil, EN},
		{"ru", []string{"en"}, EN},
		{"en", []string{"", "xx", "ru"}, RU},
		{"", nil, EN},
		{"ru;q=0", nil, EN},
	} {
		if got := Negotiate(tc.accept, tc.prefs...); got != tc.want {
			t.Errorf("Negotiate(%q, %q) = %s, want %s", tc.accept, tc.prefs, got, tc.want)
		}
	}
}

func TestNumberText(t *testing.T) {
	ru, en := New(RU, nil), New(EN, nil)
	for _, c := range []struct{ in, ru, en string }{
		{"1234567", "1\u00a0234\u00a0567", "1,234,567"}, {"93.3%", "93,3%", "93.3%"}, {"-1234.50", "-1\u00a0234,50", "-1,234.50"},
		{"12", "12", "12"}, {"", "", ""}, {"—", "—", "—"}, {"1:05", "1:05", "1:05"}, {"2h 05m", "2h 05m", "2h 05m"}, {"1.", "1.", "1."},
	} {
		if got := ru.NumberText(c.in); got != c.ru {
			t.Errorf("ru %q: %q, want %q", c.in, got, c.ru)
		}
		if got := en.NumberText(c.in); got != c.en {
			t.Errorf("en %q: %q, want %q", c.in, got, c.en)
		}
	}
}
