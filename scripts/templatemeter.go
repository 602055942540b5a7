package scripts

import (
	"bytes"
	"fmt"
	"sync"
	"text/template"
	"text/template/parse"

	"github.com/wismo/wismo/scripts/tplshape"
)

// Go's templates have no budget and no cancellation, so wismo gives a brand's template
// one the way it gives a condition one: by changing the program before it runs.
//
//   - Every {{range}} body starts with {{$wismo_step := wismo_step LINE}}, which counts an
//     iteration and checks the clock; over budget it returns an error, and text/template
//     stops at a function's error. A loop that writes nothing is stopped too.
//   - The builtins that make text (printf, print, println, html, js, urlquery) are
//     replaced by versions that refuse text that could pass the budget before making it:
//     `{{$a = printf "%s%s" $a $a}}` doubles without writing a byte.
//   - The output goes through a writer that fails past the field's limit; text/template
//     stops at the first write error.
//   - {{define}}, {{template}} and {{block}} are refused: they are the only way to recurse.
//   - {{range}} nests at most maxRangeDepth deep: html/template checks a range's body by
//     escaping it twice, so escaping costs 2^depth before the template runs at all (20
//     levels took 1.2 GB; found by FuzzTemplate).
//
// The functions reach the run's meter through the runSlot of the compiled template; a
// compiled template runs once at a time (a run takes microseconds; html/template cannot
// be cloned once it has run, and cloning before each run would escape it again each time).

// runSlot holds the meter of the run in progress of one compiled template.
type runSlot struct {
	mu sync.Mutex
	m  *meter
}

// builtins are the metered replacements of text/template's text-making builtins, given
// to a template before it is parsed (a template's own functions take precedence).
func (r *runSlot) builtins() template.FuncMap {
	return template.FuncMap{
		"printf": r.printf,
		"print": func(args ...any) (string, error) {
			return r.made(argsSize(args), func() string { return fmt.Sprint(args...) })
		},
		"println": func(args ...any) (string, error) {
			return r.made(argsSize(args)+2, func() string { return fmt.Sprintln(args...) })
		},
		"html": func(args ...any) (string, error) {
			return r.made(6*argsSize(args), func() string { return template.HTMLEscaper(args...) })
		},
		"js": func(args ...any) (string, error) {
			return r.made(6*argsSize(args), func() string { return template.JSEscaper(args...) })
		},
		"urlquery": func(args ...any) (string, error) {
			return r.made(3*argsSize(args), func() string { return template.URLQueryEscaper(args...) })
		},
	}
}

// step is wismo_step, inserted at the top of every {{range}} body.
func (r *runSlot) step(line int) (string, error) {
	return "", r.m.step(line)
}

// made makes text whose size is at most bound, if the budget has room for it, and
// charges what it made.
func (r *runSlot) made(bound int64, fn func() string) (string, error) {
	if err := r.m.room(bound); err != nil {
		return "", err
	}
	s := fn()
	return s, r.m.charge(len(s))
}

func (r *runSlot) printf(format string, args ...any) (string, error) {
	return r.made(printfBound(format, args), func() string { return fmt.Sprintf(format, args...) })
}

func argsSize(args []any) int64 {
	size, _ := argsMeasure(args)
	return size
}

func argsMeasure(args []any) (size, scalars int64) {
	for _, a := range args {
		s, n := measure(a, budgetText)
		size, scalars = size+s+1, scalars+n
	}
	return size, scalars
}

// printfBound is an upper bound of what fmt.Sprintf(format, args...) makes: the format,
// each verb's width and precision (fmt caps each at 1e6) applied to every scalar of every
// argument (a width pads each element of a list), and ten times the arguments' own text
// (%q and %x make it longer).
func printfBound(format string, args []any) int64 {
	size, scalars := argsMeasure(args)
	var pad, verbs int64
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		for i < len(format) && bytes.IndexByte([]byte("+-# 0"), format[i]) >= 0 {
			i++
		}
		for part := 0; part < 2 && i < len(format); part++ { // width, then precision
			if format[i] == '[' {
				for i < len(format) && format[i] != ']' {
					i++
				}
				i++
			}
			var n int64
			for i < len(format) && (format[i] >= '0' && format[i] <= '9' || format[i] == '*') {
				if format[i] == '*' {
					n = 1e6
				} else if n < 1e7 {
					n = n*10 + int64(format[i]-'0')
				}
				i++
			}
			pad += min(n, 1e6)
			if part == 0 && i < len(format) && format[i] == '.' {
				i++
				continue
			}
			break
		}
		verbs++
	}
	return int64(len(format)) + pad*(scalars+1) + 10*size + 64*verbs
}

// cappedWriter collects a field's output up to its limit.
type cappedWriter struct {
	buf   bytes.Buffer
	limit int
}

func (w *cappedWriter) Write(p []byte) (int, error) {
	if w.buf.Len()+len(p) > w.limit {
		return 0, &BudgetError{Resource: ResOutput, Limit: int64(w.limit)}
	}
	return w.buf.Write(p)
}

// meterRanges puts a step at the top of the body of every {{range}} under n.
func meterRanges(t *parse.Tree, n parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			meterRanges(t, c)
		}
	case *parse.IfNode:
		meterRanges(t, n.List)
		meterRanges(t, n.ElseList)
	case *parse.WithNode:
		meterRanges(t, n.List)
		meterRanges(t, n.ElseList)
	case *parse.RangeNode:
		meterRanges(t, n.List)
		meterRanges(t, n.ElseList)
		if n.List != nil {
			n.List.Nodes = append([]parse.Node{stepAction(t, n)}, n.List.Nodes...)
		}
	}
}

// stepAction is {{$wismo_step := wismo_step LINE}} at the position of the range at: a
// declaration, which writes nothing and which html/template leaves unescaped.
func stepAction(t *parse.Tree, at *parse.RangeNode) *parse.ActionNode {
	line, _ := position(t, at)
	pos := at.Position()
	fn := parse.NewIdentifier("wismo_step").SetTree(t).SetPos(pos)
	arg := &parse.NumberNode{NodeType: parse.NodeNumber, Pos: pos, IsInt: true, Int64: int64(line), IsUint: true,
		Uint64: uint64(line), IsFloat: true, Float64: float64(line), Text: fmt.Sprint(line)}
	decl := &parse.VariableNode{NodeType: parse.NodeVariable, Pos: pos, Ident: []string{"$wismo_step"}}
	pipe := &parse.PipeNode{NodeType: parse.NodePipe, Pos: pos, Line: line, Decl: []*parse.VariableNode{decl},
		Cmds: []*parse.CommandNode{{NodeType: parse.NodeCommand, Pos: pos, Args: []parse.Node{fn, arg}}}}
	return &parse.ActionNode{NodeType: parse.NodeAction, Pos: pos, Line: line, Pipe: pipe}
}

// maxRangeDepth is how deep {{range}} may nest in a brand's template.
const maxRangeDepth = 4

// refuseShapes refuses {{template}}, {{block}} and {{define}} in a field's parsed trees
// (the field's own first): a template that calls a template can call itself, forever. It
// refuses ranges nested deeper than maxRangeDepth too.
func refuseShapes(field string, trees []*parse.Tree) Problems {
	for _, t := range trees {
		if n := tplshape.TooDeep(t.Root, maxRangeDepth); n != nil {
			line, col := position(t, n)
			return Problems{{Field: field, Line: line, Column: col,
				Message: fmt.Sprintf("{{range}} inside {{range}} goes %d deep here: a brand's template nests loops at most %d deep", maxRangeDepth+1, maxRangeDepth)}}
		}
	}
	for _, t := range trees {
		if n := tplshape.TemplateCall(t.Root); n != nil {
			line, col := position(t, n)
			return Problems{{Field: field, Line: line, Column: col,
				Message: "{{template}} and {{block}} are not allowed in a brand's template: write the text where it is needed"}}
		}
	}
	if len(trees) > 1 || len(trees) == 1 && trees[0].Name != field {
		t := trees[len(trees)-1]
		line, _ := position(t, t.Root)
		return Problems{{Field: field, Line: line, Message: "{{define}} is not allowed in a brand's template: write the text where it is needed"}}
	}
	return nil
}
