package scripts

import (
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"text/template/parse"
)

// maxTemplate bounds a template's source.
const maxTemplate = 20000

// compiled is one parsed template field, metered (templatemeter.go).
type compiled struct {
	field  string
	maxOut int // bytes it may write
	text   *template.Template
	html   *htmltemplate.Template
	run    *runSlot
}

func (c compiled) tree() *parse.Tree {
	if c.html != nil {
		return c.html.Tree
	}
	return c.text.Tree
}

// trees are the field's template and those it defines, its own first.
func (c compiled) trees() []*parse.Tree {
	var out []*parse.Tree
	if c.tree() != nil {
		out = append(out, c.tree())
	}
	add := func(name string, t *parse.Tree) {
		if name != c.field && t != nil {
			out = append(out, t)
		}
	}
	if c.html != nil {
		for _, t := range c.html.Templates() {
			add(t.Name(), t.Tree)
		}
	} else {
		for _, t := range c.text.Templates() {
			add(t.Name(), t.Tree)
		}
	}
	return out
}

// execute fills the field with d within a run's budget; a budget that runs out is a
// *BudgetError (the line of the loop for steps).
func (c compiled) execute(ctx context.Context, d Data) (out string, err error) {
	w := &cappedWriter{limit: c.maxOut}
	c.run.mu.Lock()
	c.run.m = newMeter(ctx)
	defer func() {
		c.run.m = nil
		c.run.mu.Unlock()
		if r := recover(); r != nil { // text/template re-panics runtime errors; a brand's template must not take the node down
			out, err = "", fmt.Errorf("template %s failed: %v", c.field, r)
		}
	}()
	if c.html != nil {
		err = c.html.Execute(w, d)
	} else {
		err = c.text.Execute(w, d)
	}
	return w.buf.String(), err
}

// compileField parses src as a text/template (html/template when html), with
// missingkey=error, and reports what is wrong with it against the sample data: a syntax
// error, a call of another template, a variable the data does not have (also in branches
// the sample would not take), or a failure to execute within the budget — each with its
// line. The compiled field writes at most maxOut bytes.
func compileField(ctx context.Context, field, src string, html bool, maxOut int, sample Data) (compiled, Problems) {
	c := compiled{field: field, maxOut: maxOut, run: new(runSlot)}
	if len(src) > maxTemplate {
		return c, Problems{{Field: field, Message: fmt.Sprintf("longer than %d characters", maxTemplate)}}
	}
	var err error
	if html {
		c.html, err = htmltemplate.New(field).Option("missingkey=error").Funcs(c.run.builtins()).Parse(src)
	} else {
		c.text, err = template.New(field).Option("missingkey=error").Funcs(c.run.builtins()).Parse(src)
	}
	if err != nil {
		p := problemOf(field, err)
		explainTemplate(&p, sample)
		return c, Problems{p}
	}
	if probs := refuseShapes(field, c.trees()); len(probs) > 0 {
		return c, probs
	}
	if c.tree() == nil || c.tree().Root == nil {
		return c, nil
	}
	var probs Problems
	walkFields(c.tree(), c.tree().Root, func(n parse.Node, path []string) {
		if !hasPath(sample, path) {
			line, col := position(c.tree(), n)
			p := Problem{Field: field, Line: line, Column: col, Message: "unknown variable ." + strings.Join(path, ".")}
			explainTemplate(&p, sample)
			probs = append(probs, p)
		}
	})
	if len(probs) > 0 {
		return c, probs
	}
	// The step function is added after parsing, so a template cannot call it by name.
	meterRanges(c.tree(), c.tree().Root)
	if c.html != nil {
		c.html.Funcs(htmltemplate.FuncMap{"wismo_step": c.run.step})
	} else {
		c.text.Funcs(template.FuncMap{"wismo_step": c.run.step})
	}
	if _, err := c.execute(ctx, sample); err != nil {
		p := runProblem(field, err, "on the sample parcel")
		explainTemplate(&p, sample)
		return c, Problems{p}
	}
	return c, nil
}

// runProblem is a failed run of a field as a Problem: in words for a budget that ran out
// (where: "on the sample parcel"), else as problemOf says it.
func runProblem(field string, err error, where string) Problem {
	p := problemOf(field, err)
	var be *BudgetError
	if errors.As(err, &be) {
		if be.Line > 0 {
			p.Line, p.Column = be.Line, 0
		}
		p.Message, p.cause = "this template "+be.Error()+" "+where+"; simplify it", be
	}
	return p
}

// walkFields calls fn for each field chain read from the data root (.a.b.c). Inside
// {{with}} and {{range}} the dot moves, so chains there are left to execution.
func walkFields(t *parse.Tree, n parse.Node, fn func(parse.Node, []string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkFields(t, c, fn)
		}
	case *parse.ActionNode:
		walkFields(t, n.Pipe, fn)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, cmd := range n.Cmds {
			for _, arg := range cmd.Args {
				walkFields(t, arg, fn)
			}
		}
	case *parse.FieldNode:
		fn(n, n.Ident)
	case *parse.IfNode:
		walkFields(t, n.Pipe, fn)
		walkFields(t, n.List, fn)
		walkFields(t, n.ElseList, fn)
	case *parse.WithNode:
		walkFields(t, n.Pipe, fn)
		walkFields(t, n.ElseList, fn)
	case *parse.RangeNode:
		walkFields(t, n.Pipe, fn)
		walkFields(t, n.ElseList, fn)
	}
}

// hasPath reports whether the sample data has the nested keys of path.
func hasPath(d Data, path []string) bool {
	var cur any = map[string]any(d)
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[k]; !ok {
			return false
		}
	}
	return true
}

func position(t *parse.Tree, n parse.Node) (int, int) {
	loc, _ := t.ErrorContext(n) // "name:line:col"
	parts := strings.Split(loc, ":")
	if len(parts) < 3 {
		return 0, 0
	}
	line, _ := strconv.Atoi(parts[len(parts)-2])
	col, _ := strconv.Atoi(parts[len(parts)-1])
	return line, col
}

// errorShapes are the two shapes of template errors, compiled once:
//
//	template: sms:2:14: executing "sms" at <.parcel.idd>: map has no entry for key "idd"
//	template: sms:2: unexpected "}" in operand
var errorShapes = sync.OnceValues(func() (*regexp.Regexp, *regexp.Regexp) {
	return regexp.MustCompile(`:(\d+):(\d+): executing "[^"]*" at <([^>]*)>: (.*)$`),
		regexp.MustCompile(`template: [^:]+:(\d+):(?:(\d+):)? ?(.*)$`)
})

// problemOf turns a text/template or html/template error into a Problem with its line.
func problemOf(field string, err error) Problem {
	msg := err.Error()
	execErr, parseErr := errorShapes()
	if m := execErr.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		what := m[4]
		if strings.HasPrefix(what, "map has no entry for key") {
			what = "unknown variable " + m[3]
		} else {
			what = m[3] + ": " + what
		}
		return Problem{Field: field, Line: line, Column: col, Message: what}
	}
	if m := parseErr.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		return Problem{Field: field, Line: line, Column: col, Message: m[3]}
	}
	return Problem{Field: field, Message: msg}
}
