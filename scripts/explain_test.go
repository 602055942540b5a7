package scripts

import (
	"context"
	"testing"

	"github.com/wismo/wismo/i18n"
)

// TestProblemsInWords: a brand manager's typo in a condition or a template is said in
// words with the nearest name the data has, in English and in Russian, not in the parser's
// words ("type scripts.RecipientEnv has no field has_phne", "unclosed action").
func TestProblemsInWords(t *testing.T) {
	sample := SampleData("http://wismo.test")
	for _, tc := range []struct {
		condition, template string
		en, ru              string
	}{
		{condition: `recipient.has_phne`, en: "there is no field has_phne in recipient; did you mean has_phone?",
			ru: "в recipient нет поля has_phne; может быть, has_phone?"},
		{condition: `recipent.has_phone && parcel.late`, en: "there is no name recipent; did you mean recipient?",
			ru: "имени recipent нет; может быть, recipient?"},
		{condition: `parcel.phase == 3`, en: "== does not work on text and a number: put text in quotes, numbers without",
			ru: "== не работает с текст и число: текст пишите в кавычках, числа без"},
		{condition: `parcel.late &&`, en: "the condition ends too early: something is missing after the last word or sign",
			ru: "условие обрывается: после последнего слова или знака чего-то не хватает"},
		{template: `Hi {{.parcel.id`, en: "a {{ is not closed: add }} after the variable or word",
			ru: "{{ не закрыта: добавьте }} после переменной или слова"},
		{template: `Your parcel {{.parcel.idd}}`, en: "there is no variable .parcel.idd; did you mean .parcel.id?",
			ru: "переменной .parcel.idd нет; может быть, .parcel.id?"},
		{template: `{{if .parcel.id}}x`, en: "the template ends inside {{if}}, {{range}} or {{with}}: add {{end}}",
			ru: "шаблон кончается внутри {{if}}, {{range}} или {{with}}: добавьте {{end}}"},
		{template: `{{prinf "%s" .parcel.id}}`, en: "there is no function prinf; did you mean printf?",
			ru: "функции prinf нет; может быть, printf?"},
	} {
		var p Problem
		if tc.condition != "" {
			_, pp := compileCondition(tc.condition)
			if pp == nil {
				t.Fatalf("%q compiled", tc.condition)
			}
			p = *pp
		} else {
			_, probs := compileContent(context.Background(), "sms", Content{SMS: tc.template}, sample)
			if len(probs) != 1 {
				t.Fatalf("%q: problems %v", tc.template, probs)
			}
			p = probs[0]
		}
		if p.Message != tc.en || p.Line != 1 {
			t.Errorf("%q%q: line %d %q, want line 1 %q", tc.condition, tc.template, p.Line, p.Message, tc.en)
		}
		if got := p.Text(i18n.New(i18n.RU, nil)); got != tc.ru {
			t.Errorf("%q%q in Russian: %q, want %q", tc.condition, tc.template, got, tc.ru)
		}
		if p.Key == "" {
			t.Errorf("%q%q: no catalog key for pages", tc.condition, tc.template)
		}
	}
}
