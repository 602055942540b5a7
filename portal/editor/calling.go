package editor

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/portal"
)

// The calling page edits when each channel may reach a recipient (on the recipient's own
// clock) and the call-attempt algorithm: how many attempts, how far apart, how many a day,
// what to wait after each outcome, and which results end the sequence.

var weekDays = []struct{ key, label string }{
	{"mon", "ed.day.mon"}, {"tue", "ed.day.tue"}, {"wed", "ed.day.wed"}, {"thu", "ed.day.thu"}, {"fri", "ed.day.fri"}, {"sat", "ed.day.sat"}, {"sun", "ed.day.sun"},
}

var windowChannels = []struct {
	ch    dialer.Channel
	label string
}{{dialer.Call, "ed.ch.call"}, {dialer.SMS, "ed.ch.sms"}, {dialer.Email, "ed.ch.email"}} // catalog keys

type callingPage struct {
	editorFrame
	Channels []channelWeek
	Alg      algorithmForm
	Errors   fieldErrors
	Error    string
	typed    map[string]string // the windows as typed, kept on errors
}

type channelWeek struct {
	Channel, Label string
	Days           []dayField
	Errs           []string
}

type dayField struct {
	Name, Label, Value string
	Errs               []string
}

type algorithmForm struct {
	MaxAttempts, DailyCap, Spacing, Retry, Stop string
}

// weekFields shows a week as one text field per day: "09:00-13:00, 14:00-21:00".
func weekFields(ch dialer.Channel, wk dialer.Week) []dayField {
	var m map[string][]string
	b, _ := json.Marshal(wk)
	json.Unmarshal(b, &m) //nolint:errcheck // a Week marshals to this shape
	out := make([]dayField, len(weekDays))
	for i, d := range weekDays {
		out[i] = dayField{Name: "win." + string(ch) + "." + d.key, Label: d.label, Value: strings.Join(m[d.key], ", ")}
	}
	return out
}

func algorithmFields(a dialer.Algorithm) algorithmForm {
	keys := make([]string, 0, len(a.Retry))
	for k := range a.Retry {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var retry strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&retry, "%s = %s\n", k, shortDuration(time.Duration(a.Retry[k])))
	}
	return algorithmForm{MaxAttempts: strconv.Itoa(a.MaxAttempts), DailyCap: strconv.Itoa(a.DailyCap),
		Spacing: shortDuration(time.Duration(a.Spacing)), Retry: retry.String(), Stop: strings.Join(a.Stop, ", ")}
}

func (e *editor) showCalling(c *fiber.Ctx, p callingPage, w dialer.Windows, status int) error {
	for _, ch := range windowChannels {
		cw := channelWeek{Channel: string(ch.ch), Label: ch.label, Days: weekFields(ch.ch, w.For(ch.ch)), Errs: p.Errors["win."+string(ch.ch)]}
		for i := range cw.Days {
			if v, ok := p.typed[cw.Days[i].Name]; ok {
				cw.Days[i].Value = v
			}
			cw.Days[i].Errs = p.Errors[cw.Days[i].Name]
		}
		p.Channels = append(p.Channels, cw)
	}
	c.Status(status)
	return portal.RenderPage(c, e.page, "editor_calling.html", portal.PageLocale(c, e.page).T("ed.calling_windows_and_attempts")+" · "+p.Brand.Name, p)
}

func (e *editor) calling(c *fiber.Ctx) error {
	f, w, a, err := e.callingNow(c)
	if err != nil {
		return err
	}
	return e.showCalling(c, callingPage{editorFrame: f, Alg: algorithmFields(a)}, w, fiber.StatusOK)
}

// saveCalling saves the windows or the algorithm (op=windows|algorithm). Errors come back
// beside the fields with the user's input kept.
func (e *editor) saveCalling(c *fiber.Ctx) error {
	f, w, a, err := e.callingNow(c)
	if err != nil {
		return err
	}
	ctx, brand := c.UserContext(), f.Brand.ID
	p := callingPage{editorFrame: f, Alg: algorithmFields(a), Errors: fieldErrors{}, typed: map[string]string{}}
	switch c.FormValue("op") {
	case "windows":
		set := dialer.Windows{}
		for _, ch := range windowChannels {
			days := map[string][]string{}
			for _, d := range weekDays {
				name := "win." + string(ch.ch) + "." + d.key
				v := strings.TrimSpace(c.FormValue(name))
				p.typed[name] = v
				parts := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
				if parts == nil {
					parts = []string{}
				}
				days[d.key] = parts
				one, _ := json.Marshal(map[string][]string{d.key: parts})
				var probe dialer.Week
				if err := json.Unmarshal(one, &probe); err != nil {
					p.Errors[name] = append(p.Errors[name], err.Error()+` (write times like "09:00-13:00, 14:00-21:00"; empty: closed)`)
				}
			}
			all, _ := json.Marshal(days)
			var wk dialer.Week
			if err := json.Unmarshal(all, &wk); err == nil {
				set[ch.ch] = wk
			}
		}
		if len(p.Errors) == 0 {
			if _, err := e.dialer.SetWindows(ctx, brand, set); err != nil {
				if !errors.Is(err, dialer.ErrInvalid) {
					return err
				}
				msg := strings.TrimPrefix(err.Error(), dialer.ErrInvalid.Error()+": ")
				ch, rest, _ := strings.Cut(msg, ": ")
				p.Errors["win."+ch] = append(p.Errors["win."+ch], rest)
			}
		}
		if len(p.Errors) > 0 {
			p.Error = portal.PageLocale(c, e.page).T("ed.err_windows")
			return e.showCalling(c, p, w, fiber.StatusUnprocessableEntity)
		}
	case "algorithm":
		p.Alg = algorithmForm{MaxAttempts: strings.TrimSpace(c.FormValue("max_attempts")), DailyCap: strings.TrimSpace(c.FormValue("daily_cap")),
			Spacing: strings.TrimSpace(c.FormValue("spacing")), Retry: formText(c, "retry"), Stop: strings.TrimSpace(c.FormValue("stop"))}
		alg, fe := parseAlgorithmForm(p.Alg, portal.PageLocale(c, e.page))
		if len(fe) == 0 {
			if err := e.dialer.SetAlgorithm(ctx, brand, alg); err != nil {
				if !errors.Is(err, dialer.ErrInvalid) {
					return err
				}
				fe = algorithmProblem(err)
			}
		}
		if len(fe) > 0 {
			p.Errors, p.Error = fe, portal.PageLocale(c, e.page).T("ed.err_algorithm")
			return e.showCalling(c, p, w, fiber.StatusUnprocessableEntity)
		}
	default:
		return fiber.NewError(fiber.StatusBadRequest, "op must be windows or algorithm")
	}
	return c.Redirect(f.Base+"/calling?updated=1", fiber.StatusSeeOther)
}

// parseAlgorithmForm reads the algorithm's fields, naming each that cannot be read.
func parseAlgorithmForm(f algorithmForm, loc i18n.Locale) (dialer.Algorithm, fieldErrors) {
	fe := fieldErrors{}
	a := dialer.Algorithm{Retry: map[string]dialer.Duration{}, Stop: []string{}}
	var err error
	if a.MaxAttempts, err = strconv.Atoi(f.MaxAttempts); err != nil {
		fe["max_attempts"] = []string{loc.T("ed.err_1_20")}
	}
	if a.DailyCap, err = strconv.Atoi(f.DailyCap); err != nil {
		fe["daily_cap"] = []string{loc.T("ed.err_1_20")}
	}
	if d, err := time.ParseDuration(f.Spacing); err != nil {
		fe["spacing"] = []string{loc.T("ed.err_spacing")}
	} else {
		a.Spacing = dialer.Duration(d)
	}
	for i, line := range strings.Split(f.Retry, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(strings.NewReplacer(":", "=").Replace(line), "=")
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if !ok || err != nil || strings.TrimSpace(k) == "" {
			fe["retry"] = append(fe["retry"], loc.T("ed.err_retry_line", "line", i+1))
			continue
		}
		a.Retry[strings.TrimSpace(k)] = dialer.Duration(d)
	}
	a.Stop = append(a.Stop, strings.FieldsFunc(f.Stop, func(r rune) bool { return r == ',' || r == ' ' })...)
	return a, fe
}

// algorithmProblem puts the dialer's validation message beside the field it names.
func algorithmProblem(err error) fieldErrors {
	msg := strings.TrimPrefix(err.Error(), dialer.ErrInvalid.Error()+": ")
	for _, f := range []string{"max_attempts", "daily_cap", "spacing", "retry", "stop"} {
		if strings.HasPrefix(msg, f) {
			return fieldErrors{f: {msg}}
		}
	}
	return fieldErrors{"": {msg}}
}

// shortDuration writes 2h rather than 2h0m0s, and 1h30m rather than 1h30m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// callingNow is the calling page's frame with the brand's windows and algorithm as stored.
func (e *editor) callingNow(c *fiber.Ctx) (editorFrame, dialer.Windows, dialer.Algorithm, error) {
	f, err := e.frame(c, "calling")
	if err != nil {
		return f, dialer.Windows{}, dialer.Algorithm{}, err
	}
	w, err := e.dialer.Windows(c.UserContext(), f.Brand.ID)
	if err != nil {
		return f, w, dialer.Algorithm{}, err
	}
	a, err := e.dialer.Algorithm(c.UserContext(), f.Brand.ID)
	return f, w, a, err
}
