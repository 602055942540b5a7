package scripts

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm/runtime"
)

// A condition is compiled twice. The first compile checks it against Env alone, so a brand
// manager's mistakes read as they always did. The second, which runs, passes the checked
// tree through meterPatch: every operation whose cost expr's own memory budget does not
// count (it counts arrays, maps and ranges, not text, and has no clock) becomes a call of
// a wismo function that charges the run's meter first. The meter reaches those functions
// as a field of meteredEnv that conditions cannot name: it is not in Env, so the first
// compile refuses `wismo_budget` like any unknown name.

// meterName is the meter's name inside a metered condition.
const meterName = "wismo_budget"

// meteredEnv is what a compiled condition runs on: the rules' data and the run's meter.
type meteredEnv struct {
	Env
	Meter *meter `expr:"wismo_budget"`
}

// maxPattern bounds a regular expression built while a condition runs (`a matches b` with
// b not a constant): Go compiles it on every evaluation, in memory proportional to it.
const maxPattern = 1000

// meterPatch rewrites a type-checked condition so that its costs are charged as they
// happen. expr calls Visit after each node's children, with types from the check.
type meterPatch struct{}

// Visit implements ast.Visitor.
func (meterPatch) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.BinaryNode:
		switch n.Operator {
		case "+": // runtime.Add: numbers, or text whose size doubles with each `a = a + a`
			if !isNumber(n.Left.Type()) || !isNumber(n.Right.Type()) {
				ast.Patch(node, meteredCall("wismo_add", n.Left, n.Right))
			}
		case "matches":
			if _, constant := n.Right.(*ast.StringNode); !constant { // constants compile once, with the condition
				ast.Patch(node, meteredCall("wismo_matches", n.Left, n.Right))
			}
		}
	case *ast.BuiltinNode:
		switch n.Name {
		case "upper", "lower": // copies of their argument
			ast.Patch(node, meteredCall("wismo_text", n))
		case "string": // fmt's %v of anything: of a list of long texts, longer than all of them
			ast.Patch(node, meteredCall("wismo_string", n.Arguments...))
		}
	case *ast.PredicateNode: // the body of all, any, none, one, count, filter, map...
		ast.Patch(&n.Node, meteredCall("wismo_step", n.Node))
	}
}

func meteredCall(name string, args ...ast.Node) *ast.CallNode {
	return &ast.CallNode{Callee: &ast.IdentifierNode{Value: name}, Arguments: append([]ast.Node{&ast.IdentifierNode{Value: meterName}}, args...)}
}

func isNumber(t reflect.Type) bool {
	if t == nil {
		return false
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// meteredFunctions are the functions meterPatch calls; each takes the meter first.
func meteredFunctions() []expr.Option {
	return []expr.Option{
		expr.Function("wismo_add", meteredAdd, new(func(*meter, any, any) any)),
		expr.Function("wismo_matches", meteredMatches, new(func(*meter, any, any) bool)),
		expr.Function("wismo_text", meteredText, new(func(*meter, string) string)),
		expr.Function("wismo_string", meteredString, new(func(*meter, any) string)),
		expr.Function("wismo_step", meteredStep, new(func(*meter, any) any)),
		expr.Patch(meterPatch{}),
		expr.Env(meteredEnv{}),
	}
}

// meteredAdd is runtime.Add with text charged before it is made.
func meteredAdd(p ...any) (any, error) {
	m := p[0].(*meter)
	if a, ok := p[1].(string); ok {
		if b, ok := p[2].(string); ok {
			if err := m.charge(len(a) + len(b)); err != nil {
				return nil, err
			}
			return a + b, nil
		}
	}
	return runtime.Add(p[1], p[2]), nil
}

// meteredMatches is expr's `matches` for a pattern made at run time, of bounded length.
func meteredMatches(p ...any) (any, error) {
	m := p[0].(*meter)
	if runtime.IsNil(p[1]) || runtime.IsNil(p[2]) {
		return false, nil
	}
	s, ok1 := p[1].(string)
	pattern, ok2 := p[2].(string)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("matches needs text on both sides, not %T and %T", p[1], p[2])
	}
	if len(pattern) > maxPattern {
		return nil, fmt.Errorf("a regular expression made while the condition runs is longer than %d characters", maxPattern)
	}
	if err := m.clock(0); err != nil {
		return nil, err
	}
	return regexp.MatchString(pattern, s)
}

// meteredText charges the text upper and lower made (at most a few times their argument,
// which was charged or is the parcel's data).
func meteredText(p ...any) (any, error) {
	s, _ := p[1].(string)
	if err := p[0].(*meter).charge(len(s)); err != nil {
		return nil, err
	}
	return s, nil
}

// meteredString is expr's string(): refused before formatting when the text could exceed
// the budget, charged after.
func meteredString(p ...any) (any, error) {
	m := p[0].(*meter)
	if err := m.room(textSize(p[1], budgetText)); err != nil {
		return nil, err
	}
	s := fmt.Sprintf("%v", p[1])
	return s, m.charge(len(s))
}

// meteredStep counts one iteration of a predicate and passes its value on.
func meteredStep(p ...any) (any, error) {
	return p[1], p[0].(*meter).step(0)
}

// runError is what a metered condition's failed run returns: a *BudgetError with the
// condition's line when a budget ran out (the meter's own, or expr's element budget, which
// panics with "memory budget exceeded"), else expr's error as it is.
func runError(err error) error {
	var fe *file.Error
	if !errors.As(err, &fe) {
		return err
	}
	var be *BudgetError
	switch {
	case errors.As(err, &be):
	case fe.Message == "memory budget exceeded":
		be = &BudgetError{Resource: ResElements, Limit: budgetElements}
	default:
		return err
	}
	be.Line = fe.Line
	return be
}
