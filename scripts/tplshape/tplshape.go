// Package tplshape finds the shapes of a parsed text/template that a brand's template may
// not have (package scripts refuses them before a template is saved): {{range}} nested too
// deep, and {{template}} or {{block}} calls; and how much text a value prints (Measure), for
// the templates' output budget. Split out of scripts, which is at its size limit.
package tplshape

import "text/template/parse"

// TooDeep returns the first {{range}} under n nested deeper than max.
func TooDeep(n parse.Node, max int) parse.Node {
	return find(n, 0, func(n parse.Node, depth int) bool {
		_, isRange := n.(*parse.RangeNode)
		return isRange && depth == max
	})
}

// TemplateCall returns the first {{template}} (or {{block}}) under n.
func TemplateCall(n parse.Node) parse.Node {
	return find(n, 0, func(n parse.Node, _ int) bool {
		_, isCall := n.(*parse.TemplateNode)
		return isCall
	})
}

// find returns the first node under n, in the lists and branches of its actions, that
// match accepts; depth is how many {{range}} bodies the node is in.
func find(n parse.Node, depth int, match func(parse.Node, int) bool) parse.Node {
	if match(n, depth) {
		return n
	}
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if f := find(c, depth, match); f != nil {
				return f
			}
		}
	case *parse.IfNode:
		return firstOf(find(n.List, depth, match), find(n.ElseList, depth, match))
	case *parse.WithNode:
		return firstOf(find(n.List, depth, match), find(n.ElseList, depth, match))
	case *parse.RangeNode:
		return firstOf(find(n.List, depth+1, match), find(n.ElseList, depth, match))
	}
	return nil
}

func firstOf(a, b parse.Node) parse.Node {
	if a != nil {
		return a
	}
	return b
}
