package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/textkey"
)

// The kinds of query, in report order, with what each is.
var kinds = []struct{ name, what string }{
	{"id_exact", "S10 id as printed (`RB123456785GB`)"},
	{"id_typed", "S10 id lower case with spaces (`rb 1234 5678 5 gb`)"},
	{"id_partial", "the eight serial digits alone (`12345678`)"},
	{"id_typo", "S10 id with one serial digit wrong"},
	{"phone", "phone in national format (`8 (913) 123-45-67`)"},
	{"email", "email address"},
	{"name_cyrillic", "recipient's name as written in Cyrillic"},
	{"name_latin", "Cyrillic name typed in Latin letters, passport transliteration (`Petrova Iuliia`)"},
	{"name_prefix", "surname's first four letters and the first name (`Петр Иван`)"},
	{"case_number", "case number (`MM-000123`)"},
}

// query is one query and what makes an answer right.
type query struct {
	kind, q string
	brand   int64
	want    target
}

// target is the item a query was made from.
type target struct {
	kind, id, phone, email, name string
}

type querySet map[string][]query

func (qs querySet) counts() map[string]int {
	out := map[string]int{}
	for k, v := range qs {
		out[k] = len(v)
	}
	return out
}

// sampleQueries draws the same targets every run (ordered by a hash of their id and the seed)
// and writes each kind's queries from them.
func sampleQueries(ctx context.Context, db *store.DB, o options) (querySet, error) {
	r := rand.New(rand.NewPCG(uint64(o.seed), 0x5ea7c4))
	qs := querySet{}
	n := o.queries
	pick := func(where string) ([]target, []int64, error) {
		rows, err := db.SQL.QueryContext(ctx, fmt.Sprintf(`SELECT id, brand_id, recipient_phone, recipient_email, recipient_name
			FROM parcels WHERE %s ORDER BY md5(id || '%d') LIMIT %d`, where, o.seed, n))
		if err != nil {
			return nil, nil, err
		}
		defer rows.Close()
		var ts []target
		var brands []int64
		for rows.Next() {
			t := target{kind: "parcel"}
			var b int64
			if err := rows.Scan(&t.id, &b, &t.phone, &t.email, &t.name); err != nil {
				return nil, nil, err
			}
			ts, brands = append(ts, t), append(brands, b)
		}
		return ts, brands, rows.Err()
	}
	add := func(kind string, where string, make func(t target) string) error {
		ts, brands, err := pick(where)
		if err != nil {
			return fmt.Errorf("sample %s: %w", kind, err)
		}
		for i, t := range ts {
			if q := make(t); q != "" {
				qs[kind] = append(qs[kind], query{kind: kind, q: q, brand: brands[i], want: t})
			}
		}
		return nil
	}
	cyrillic := `recipient_name ~ '^[А-ЯЁа-яё]+ [А-ЯЁа-яё]+'`
	steps := []struct {
		kind, where string
		make        func(t target) string
	}{
		{"id_exact", "true", func(t target) string { return t.id }},
		{"id_typed", "true", func(t target) string {
			id := strings.ToLower(t.id)
			return id[:2] + " " + id[2:6] + " " + id[6:10] + " " + id[10:11] + " " + id[11:]
		}},
		{"id_partial", "true", func(t target) string { return t.id[2:10] }},
		{"id_typo", "true", func(t target) string {
			b := []byte(t.id)
			p := 2 + r.IntN(8)
			b[p] = '0' + byte((int(b[p]-'0')+1+r.IntN(9))%10)
			return string(b)
		}},
		{"phone", "recipient_phone <> ''", func(t target) string { return national(t.phone) }},
		{"email", "recipient_email <> ''", func(t target) string { return t.email }},
		{"name_cyrillic", cyrillic, func(t target) string { return t.name }},
		{"name_latin", cyrillic, func(t target) string { return icao(firstWords(t.name, 2)) }},
		{"name_prefix", cyrillic, func(t target) string {
			w := strings.Fields(t.name)
			if utf8.RuneCountInString(w[0]) <= 4 {
				return ""
			}
			return string([]rune(w[0])[:4]) + " " + w[1]
		}},
	}
	for _, s := range steps {
		if err := add(s.kind, s.where, s.make); err != nil {
			return nil, err
		}
	}
	rows, err := db.SQL.QueryContext(ctx, fmt.Sprintf(`SELECT number, brand_id FROM cases ORDER BY md5(number || '%d') LIMIT %d`, o.seed, n))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		q := query{kind: "case_number", want: target{kind: "case"}}
		if err := rows.Scan(&q.want.id, &q.brand); err != nil {
			return nil, err
		}
		q.q = q.want.id
		qs["case_number"] = append(qs["case_number"], q)
	}
	return qs, rows.Err()
}

func firstWords(s string, n int) string {
	w := strings.Fields(s)
	return strings.Join(w[:min(n, len(w))], " ")
}

// national writes an E.164 number the way people at home write it.
func national(e164 string) string {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return e164
	}
	return phonenumbers.Format(num, phonenumbers.NATIONAL)
}

// icaoLetters is ICAO 9303 transliteration, as printed in Russian passports (and typed by
// customers at foreign shops' checkouts).
var icaoLetters = map[rune]string{'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z",
	'и': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
	'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "ie", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iu", 'я': "ia"}

func icao(s string) string {
	var b strings.Builder
	upper := true
	for _, r := range strings.ToLower(s) {
		l, ok := icaoLetters[r]
		if !ok {
			l = string(r)
		}
		if upper && l != "" {
			l = strings.ToUpper(l[:1]) + l[1:]
		}
		upper = r == ' '
		b.WriteString(l)
	}
	return b.String()
}

// right reports whether a first hit answers a query. Ids and case numbers must be the item
// itself; phones and emails any item with them. Names: a corpus of a million has hundreds
// of Ivan Petrovs, so any item whose name matches every word as typed (the folded word or
// its Latin skeleton, whole; for name_prefix the start of a word) is right.
func right(q query, h result) bool {
	switch q.kind {
	case "phone":
		return h.phone == q.want.phone
	case "email":
		return h.email == q.want.email
	case "case_number":
		return h.kind == "case" && h.id == q.want.id
	case "name_cyrillic", "name_latin", "name_prefix":
		have := strings.Fields(textkey.Key(h.name))
		words := strings.Fields(textkey.Key(q.q))
		half := len(words) / 2 // the key is the folded words, then their skeletons
		for i := 0; i < half; i++ {
			if !hasWord(have, words[i], q.kind == "name_prefix") && !hasWord(have, words[half+i], q.kind == "name_prefix") {
				return false
			}
		}
		return half > 0
	}
	return h.kind == "parcel" && h.id == q.want.id
}

func hasWord(have []string, w string, prefix bool) bool {
	for _, h := range have {
		if h == w || (prefix && strings.HasPrefix(h, w)) {
			return true
		}
	}
	return false
}
