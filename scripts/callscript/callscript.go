// Package callscript is the shape of a brand's call script, apart from its texts' template
// language (package scripts compiles and fills those): ordered steps of what the agent says,
// questions whose answers branch, the disposition each ending records, and one variant of
// all that per language, picked for each call by the recipient's language.
//
// It guarantees that a Body that passes Check has unique step ids, a start that exists,
// every branch pointing at a step, a disposition at every end; Unreachable names the steps
// no path reaches. Stored documents written before variants existed read as one variant
// with no language.
package callscript

import (
	"fmt"
	"slices"
	"strings"
)

// Body is one language's script: steps, run from Start.
type Body struct {
	Start string `json:"start"`
	Steps []Step `json:"steps"`
}

// Step is one step: the agent says Say, then asks Question (whose answers branch), or goes
// on to Next, or ends the call with End.
type Step struct {
	ID       string    `json:"id"`
	Say      string    `json:"say"`
	Question *Question `json:"question,omitempty"`
	Next     string    `json:"next,omitempty"`
	End      *Ending   `json:"end,omitempty"`
}

// Question is asked with a closed set of answers.
type Question struct {
	Text    string   `json:"text"`
	Options []Option `json:"options"`
}

// Option is one answer: it leads to another step, or ends the call.
type Option struct {
	Answer string  `json:"answer"`
	Label  string  `json:"label,omitempty"`
	Next   string  `json:"next,omitempty"`
	End    *Ending `json:"end,omitempty"`
}

// Ending is how a path through the script ends: the disposition the agent records
// (reached, wrong_number, callback_requested, refused, voicemail, or the brand's own word).
type Ending struct {
	Disposition string `json:"disposition"`
	Note        string `json:"note,omitempty"`
}

// Problem is one thing wrong with a script, at a field path such as steps[2].say.
type Problem struct {
	Field, Message string
}

func validWord(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// Check checks a script's shape: 1 to 200 steps, unique step ids, a known start, each step
// going somewhere (a question, a next step or an end), every branch pointing at a step that
// exists, a disposition at every end, something to say at every step. What the steps say
// is the caller's to compile; reachability is Unreachable's.
func (b Body) Check() []Problem {
	var p []Problem
	add := func(field, format string, args ...any) {
		p = append(p, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if len(b.Steps) == 0 || len(b.Steps) > 200 {
		add("steps", "a script has 1 to 200 steps")
		return p
	}
	ids := map[string]int{}
	for i, st := range b.Steps {
		if !validWord(st.ID) {
			add(fmt.Sprintf("steps[%d].id", i), "a step id is a lower-case word")
		} else if _, dup := ids[st.ID]; dup {
			add(fmt.Sprintf("steps[%d].id", i), "step %q appears twice", st.ID)
		}
		ids[st.ID] = i
	}
	if _, ok := ids[b.Start]; !ok {
		add("start", "start %q is not a step", b.Start)
	}
	checkEnd := func(field string, e *Ending) {
		if !validWord(e.Disposition) {
			add(field+".disposition", "every ending records a disposition (reached, wrong_number, callback_requested, refused, voicemail or the brand's own word)")
		}
	}
	checkNext := func(field, next string) {
		if _, ok := ids[next]; !ok {
			add(field, "goes to %q, which is not a step", next)
		}
	}
	for i, st := range b.Steps {
		f := fmt.Sprintf("steps[%d]", i)
		ways := 0
		if st.Question != nil {
			ways++
			if strings.TrimSpace(st.Question.Text) == "" || len(st.Question.Options) == 0 {
				add(f+".question", "a question has text and at least one answer")
			}
			for j, o := range st.Question.Options {
				of := fmt.Sprintf("%s.question.options[%d]", f, j)
				switch {
				case strings.TrimSpace(o.Answer) == "":
					add(of+".answer", "must not be empty")
				case (o.Next == "") == (o.End == nil):
					add(of, "an answer leads to a next step or ends the call, one of them")
				case o.End != nil:
					checkEnd(of+".end", o.End)
				default:
					checkNext(of+".next", o.Next)
				}
			}
		}
		if st.Next != "" {
			ways++
			checkNext(f+".next", st.Next)
		}
		if st.End != nil {
			ways++
			checkEnd(f+".end", st.End)
		}
		if ways != 1 {
			add(f, "a step asks a question, goes to a next step, or ends the call: exactly one of them")
		}
		if strings.TrimSpace(st.Say) == "" {
			add(f+".say", "must not be empty")
		}
	}
	return p
}

// Unreachable names the steps no path from Start reaches, as problems at their index.
func (b Body) Unreachable() []Problem {
	next := map[string][]string{}
	for _, st := range b.Steps {
		if st.Next != "" {
			next[st.ID] = append(next[st.ID], st.Next)
		}
		if st.Question != nil {
			for _, o := range st.Question.Options {
				if o.Next != "" {
					next[st.ID] = append(next[st.ID], o.Next)
				}
			}
		}
	}
	seen := map[string]bool{b.Start: true}
	queue := []string{b.Start}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, n := range next[cur] {
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	var out []Problem
	var named []string
	for i, st := range b.Steps {
		if !seen[st.ID] && !slices.Contains(named, st.ID) {
			named = append(named, st.ID)
			out = append(out, Problem{Field: fmt.Sprintf("steps[%d]", i), Message: fmt.Sprintf("step %q cannot be reached from start", st.ID)})
		}
	}
	return out
}
