// Package textkey computes the key names are searched by: the name folded (lower case, ё
// as е, Latin accents removed) followed by a Latin "skeleton" of it (Cyrillic
// transliterated, spelling variants merged: Alexey, Aleksei and Алексей all become
// "aleksei"). The key is defined here once, as character maps and ordered replacements, and
// computed three ways that tests keep equal: in Go (queries, Meilisearch documents, and
// SQLite's index triggers, which call the Go function wismo_search_key registered with the
// driver), in PostgreSQL (the SQL function wismo_search_key of the migrations, built from
// these tables by SQLPostgres), and as a plain-SQL SQLite expression (SQLSQLite) for the
// migration's one-time backfill.
//
// It owns no table, and one name stored outside the code: the SQL function wismo_search_key
// that the search triggers of migrations 00003 and 00005 call (their comments name
// cases/searchkey.go, this file's old path: landed migrations are never edited).
package textkey

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"unicode"

	sqlite "github.com/glebarez/go-sqlite"
)

// rep is one replacement step.
type rep struct{ from, to string }

// foldFrom and foldTo map single characters: upper-case Cyrillic to lower case, ё to е, and
// Latin letters with diacritics to their base letter (upper case too, so a database whose
// lower() knows only ASCII folds the same).
var foldFrom, foldTo = func() (string, string) {
	var from, to []rune
	up, low := []rune("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯІЇЄҐЎӘҒҚҢӨҰҮҺ"), []rune("абвгдеежзийклмнопрстуфхцчшщъыьэюяіїєґўәғқңөұүһ")
	from, to = append(from, up...), append(to, low...)
	from, to = append(from, 'ё'), append(to, 'е')
	for _, a := range []struct {
		base   rune
		marked string
	}{
		{'a', "àáâãäåāăąÀÁÂÃÄÅĀĂĄ"}, {'c', "çćčĉċÇĆČĈĊ"}, {'d', "ďđĎĐ"}, {'e', "èéêëēĕėęěÈÉÊËĒĔĖĘĚ"},
		{'g', "ğĝġģĞĜĠĢ"}, {'i', "ìíîïīĭįıÌÍÎÏĪĬĮİ"}, {'l', "łľĺļŁĽĹĻ"}, {'n', "ñńňņÑŃŇŅ"},
		{'o', "òóôõöøōŏőÒÓÔÕÖØŌŎŐ"}, {'r', "řŕŗŘŔŖ"}, {'s', "śšşŝșŚŠŞŜȘ"}, {'t', "ťţțŤŢȚ"},
		{'u', "ùúûüūŭůűųÙÚÛÜŪŬŮŰŲ"}, {'y', "ýÿŷÝŸŶ"}, {'z', "źžżŹŽŻ"},
	} {
		for _, m := range a.marked {
			from, to = append(from, m), append(to, a.base)
		}
	}
	return string(from), string(to)
}()

// foldMulti are the folds of one letter into two.
var foldMulti = []rep{{"ß", "ss"}, {"æ", "ae"}, {"Æ", "ae"}, {"œ", "oe"}, {"Œ", "oe"}}

// translitMulti and translitFrom/translitTo spell folded Cyrillic (Russian, Belarusian,
// Ukrainian, Kazakh letters) in Latin letters; ъ and ь are dropped.
var (
	translitMulti = []rep{{"щ", "shch"}, {"ж", "zh"}, {"х", "kh"}, {"ц", "ts"}, {"ч", "ch"}, {"ш", "sh"}, {"ю", "yu"}, {"я", "ya"}}
	translitFrom  = "абвгдезийклмнопрстуфыэіїєґўәғқңөұүһ"
	translitTo    = "abvgdeziyklmnoprstufyeiieguagknouuh"
	translitDrop  = "ъь"
)

// skeletonSteps merge Latin spelling variants of one name: transliteration schemes (kh/h,
// x/ks, y/i/j, yo/e), German and French spellings (ue/u, w/v, sch); then doubled letters
// a-z become single (collapseDoubles).
var skeletonSteps = []rep{{"shch", "sh"}, {"sch", "sh"}, {"tch", "ch"}, {"kh", "h"}, {"ck", "k"}, {"ph", "f"}, {"x", "ks"},
	{"w", "v"}, {"tz", "c"}, {"ts", "c"}, {"ye", "e"}, {"yo", "e"}, {"ue", "u"}, {"oe", "o"}, {"ae", "a"}, {"j", "i"}, {"y", "i"}}

// runeMap returns a strings.Map function that maps from[i] to to[i] and drops drop.
func runeMap(from, to, drop string) func(rune) rune {
	m := map[rune]rune{}
	t := []rune(to)
	for i, r := range []rune(from) {
		m[r] = t[i]
	}
	for _, r := range drop {
		m[r] = -1
	}
	return func(r rune) rune {
		if v, ok := m[r]; ok {
			return v
		}
		return r
	}
}

var (
	foldRune     = runeMap(foldFrom, foldTo, "")
	translitRune = runeMap(translitFrom, translitTo, translitDrop)
)

func applySteps(s string, steps []rep) string {
	for _, st := range steps {
		if strings.Contains(s, st.from) {
			s = strings.ReplaceAll(s, st.from, st.to)
		}
	}
	return s
}

// collapseDoubles turns each pair of equal letters a-z into one, left to right (as
// PostgreSQL's regexp_replace(s, '([a-z])\1', '\1', 'g') does).
func collapseDoubles(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		b = append(b, c)
		if c >= 'a' && c <= 'z' && i+1 < len(s) && s[i+1] == c {
			i++
		}
	}
	return string(b)
}

// Fold lower-cases a name, merges ё into е and strips Latin diacritics.
func Fold(s string) string {
	return applySteps(strings.Map(foldRune, strings.ToLower(s)), foldMulti)
}

// Translit spells a folded text's Cyrillic in Latin letters.
func Translit(folded string) string {
	return strings.Map(translitRune, applySteps(folded, translitMulti))
}

// Skeleton returns the Latin skeleton of a folded text.
func Skeleton(folded string) string {
	return collapseDoubles(applySteps(Translit(folded), skeletonSteps))
}

// Key returns the key a name is searched by: its folded words, then their Latin
// skeletons ("Фёдорова Юлия" gives "федорова юлия fedorova iulia"). It is what
// the index stores for a name.
func Key(name string) string {
	f := Fold(name)
	return f + " " + Skeleton(f)
}

func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// sqlReplaces wraps expr in one replace() per step.
func sqlReplaces(expr string, steps []rep) string {
	var b strings.Builder
	for range steps {
		b.WriteString("replace(")
	}
	b.WriteString(expr)
	for _, st := range steps {
		b.WriteString("," + sqlQuote(st.from) + "," + sqlQuote(st.to) + ")")
	}
	return b.String()
}

// SQLPostgres is the body of PostgreSQL's wismo_search_key(text) (the migration's), with
// translate() for the character maps and the folded name computed once.
func SQLPostgres(expr string) string {
	fold := sqlReplaces("translate(lower("+expr+"), "+sqlQuote(foldFrom)+", "+sqlQuote(foldTo)+")", foldMulti)
	tr := "translate(" + sqlReplaces("f", translitMulti) + ", " + sqlQuote(translitFrom+translitDrop) + ", " + sqlQuote(translitTo) + ")"
	skel := "regexp_replace(" + sqlReplaces(tr, skeletonSteps) + `, '([a-z])\1', '\1', 'g')`
	return "SELECT f || ' ' || " + skel + " FROM (SELECT " + fold + " AS f) AS folded"
}

// SQLSQLite is Key in SQLite's plain SQL, which has no translate(): one
// replace() per character. It is slow and runs once, in the migration that fills the index
// with the parcels stored before it; triggers call the registered Go function instead.
func SQLSQLite(expr string) string {
	var fold []rep
	to := []rune(foldTo)
	for i, r := range []rune(foldFrom) {
		fold = append(fold, rep{string(r), string(to[i])})
	}
	fold = append(fold, foldMulti...)
	var tr []rep
	tt := []rune(translitTo)
	tr = append(tr, translitMulti...)
	for i, r := range []rune(translitFrom) {
		tr = append(tr, rep{string(r), string(tt[i])})
	}
	for _, r := range translitDrop {
		tr = append(tr, rep{string(r), ""})
	}
	var dbl []rep
	for c := 'a'; c <= 'z'; c++ {
		dbl = append(dbl, rep{string([]rune{c, c}), string(c)})
	}
	f := sqlReplaces("lower("+expr+")", fold)
	return f + " || ' ' || " + sqlReplaces(sqlReplaces(sqlReplaces(f, tr), skeletonSteps), dbl)
}

// Words splits a folded text into words (letters and digits).
func Words(folded string) []string {
	return strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// SQLiteErr is the error, if any, of registering wismo_search_key(name) with the SQLite
// driver: the embedded index's triggers call it, at Go speed, where the same key in plain SQL
// took one replace() per character and made parcel writes several times slower. The driver's
// functions are process-wide and must exist before a connection opens, so this runs at
// package initialisation — the one thing this package sets up there. Every program that
// writes parcels or cases links this package (tracking imports it for that reason alone); a
// program that did not would get "no such function: wismo_search_key" from SQLite on its
// first parcel.
var SQLiteErr = sqlite.RegisterDeterministicScalarFunction("wismo_search_key", 1,
	func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case nil:
			return nil, nil
		case string:
			return Key(v), nil
		case []byte:
			return Key(string(v)), nil
		}
		return nil, fmt.Errorf("wismo_search_key: %T is not text", args[0])
	})
