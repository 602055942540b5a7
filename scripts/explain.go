package scripts

import (
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/scripts/suggest"
)

// A brand manager reads these errors in the editor, not a Go programmer: the parser's words
// ("unclosed action", "type scripts.RecipientEnv has no field has_phne") are said in words,
// with the nearest name the data has. Each explained Problem carries a catalog key and its
// arguments (i18n/catalog/<lang>/scriptproblem.json) so that a page says it in the reader's
// language; Message is the English text for API clients and logs.

// Text is the problem in the reader's language: the catalog's text of its key when it has
// one, else its Message.
func (p Problem) Text(l i18n.Locale) string {
	if p.Key == "" || !i18n.Default().Has(p.Key) {
		return p.Message
	}
	args := make([]any, 0, 2*len(p.Args))
	names := make([]string, 0, len(p.Args))
	for k := range p.Args {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		args = append(args, k, argText(l, p.Args[k]))
	}
	return l.T(p.Key, args...)
}

// argText is an argument in the reader's words: the kinds of values are translated, names
// from the data stay as written.
func argText(l i18n.Locale, v string) string {
	key := "scriptproblem.kind." + strings.ReplaceAll(v, "/", "_")
	if i18n.Default().Has(key) {
		return l.T(key)
	}
	return v
}

// said sets p's key, arguments and English message from the catalog.
func (p *Problem) said(key string, args ...string) {
	p.Key = "scriptproblem." + key
	p.Args = map[string]string{}
	for i := 0; i+1 < len(args); i += 2 {
		p.Args[args[i]] = args[i+1]
	}
	p.Message = p.Text(i18n.New(i18n.EN, nil))
}

// conditionShapes are the expr errors said in words.
var conditionShapes = sync.OnceValue(func() map[string]*regexp.Regexp {
	return map[string]*regexp.Regexp{
		"no_field":   regexp.MustCompile(`^type scripts\.(\w+) has no field (\w+)`),
		"no_name":    regexp.MustCompile(`^unknown name (\w+)`),
		"mismatched": regexp.MustCompile(`^invalid operation: (\S+) \(mismatched types (\S+) and (\S+)\)`),
		"ends_early": regexp.MustCompile(`^unexpected token EOF`),
	}
})

// explainCondition says an expr compile message in words.
func explainCondition(p *Problem) {
	s := conditionShapes()
	msg := p.Message
	if m := s["no_field"].FindStringSubmatch(msg); m != nil {
		object, fields := envObject(m[1])
		if object == "" {
			return
		}
		if near := suggest.Nearest(m[2], fields); near != "" {
			p.said("no_field_near", "name", m[2], "object", object, "near", near)
		} else {
			p.said("no_field", "name", m[2], "object", object, "fields", strings.Join(fields, ", "))
		}
		return
	}
	if m := s["no_name"].FindStringSubmatch(msg); m != nil {
		names := append(envNames(reflect.TypeOf(Env{})), allowedBuiltins()...)
		if near := suggest.Nearest(m[1], names); near != "" {
			p.said("no_name_near", "name", m[1], "near", near)
		} else {
			p.said("no_name", "name", m[1], "names", strings.Join(envNames(reflect.TypeOf(Env{})), ", "))
		}
		return
	}
	if m := s["mismatched"].FindStringSubmatch(msg); m != nil {
		p.said("mismatched", "op", m[1], "left", kindWord(m[2]), "right", kindWord(m[3]))
		return
	}
	if s["ends_early"].MatchString(msg) {
		p.said("ends_early")
	}
}

// kindWord names an expr type for a brand manager.
func kindWord(t string) string {
	switch {
	case t == "string":
		return "text"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "float"), strings.HasPrefix(t, "uint"):
		return "number"
	case t == "bool":
		return "yes/no"
	case strings.HasPrefix(t, "[]"):
		return "list"
	}
	return t
}

// envObject is the name a condition uses for one of Env's types ("RecipientEnv" ->
// "recipient") and the fields it has.
func envObject(typeName string) (string, []string) {
	env := reflect.TypeOf(Env{})
	for i := range env.NumField() {
		f := env.Field(i)
		t := f.Type
		if t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Name() == typeName {
			return f.Tag.Get("expr"), envNames(t)
		}
	}
	return "", nil
}

// envNames are the expr names of a struct's fields.
func envNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		if n := t.Field(i).Tag.Get("expr"); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// templateShapes are the text/template parse errors said in words.
var templateShapes = sync.OnceValue(func() map[string]*regexp.Regexp {
	return map[string]*regexp.Regexp{
		"unclosed":    regexp.MustCompile(`^unclosed action`),
		"missing_end": regexp.MustCompile(`^unexpected EOF`),
		"stray_end":   regexp.MustCompile(`^unexpected \{\{(end|else)\}\}`),
		"no_function": regexp.MustCompile(`^function "([^"]+)" not defined`),
		"no_variable": regexp.MustCompile(`^unknown variable (\S+)`),
	}
})

// templateFuncs are the functions a template may call: text/template's own and wismo's
// metered ones (templatemeter.go), for "did you mean".
var templateFuncs = []string{"and", "or", "not", "len", "index", "slice", "eq", "ne", "lt", "le", "gt", "ge",
	"printf", "print", "println", "html", "js", "urlquery"}

// explainTemplate says a template problem in words; sample is the data a template reads.
func explainTemplate(p *Problem, sample Data) {
	s := templateShapes()
	msg := p.Message
	switch {
	case s["unclosed"].MatchString(msg):
		p.said("unclosed")
	case s["missing_end"].MatchString(msg):
		p.said("missing_end")
	case s["stray_end"].MatchString(msg):
		p.said("stray_end", "word", "{{"+s["stray_end"].FindStringSubmatch(msg)[1]+"}}")
	case s["no_function"].MatchString(msg):
		name := s["no_function"].FindStringSubmatch(msg)[1]
		if near := suggest.Nearest(name, templateFuncs); near != "" {
			p.said("no_function_near", "name", name, "near", near)
		} else {
			p.said("no_function", "name", name)
		}
	case s["no_variable"].MatchString(msg):
		path := s["no_variable"].FindStringSubmatch(msg)[1]
		if near := nearestPath(path, sample); near != "" {
			p.said("no_variable_near", "name", path, "near", near)
		} else {
			p.said("no_variable", "name", path)
		}
	}
}

// nearestPath is the data path nearest to a dotted path that the data lacks: the first
// step that is missing replaced by its nearest sibling (".parcel.idd" -> ".parcel.id").
func nearestPath(path string, d Data) string {
	steps := strings.Split(strings.TrimPrefix(path, "."), ".")
	var cur any = map[string]any(d)
	for i, k := range steps {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		next, ok := m[k]
		if ok {
			cur = next
			continue
		}
		keys := make([]string, 0, len(m))
		for name := range m {
			keys = append(keys, name)
		}
		sort.Strings(keys)
		near := suggest.Nearest(k, keys)
		if near == "" {
			return ""
		}
		out := append(append([]string{}, steps[:i]...), near)
		if _, ok := m[near].(map[string]any); !ok || i == len(steps)-1 {
			return "." + strings.Join(out, ".")
		}
		return "." + strings.Join(append(out, steps[i+1:]...), ".")
	}
	return ""
}
