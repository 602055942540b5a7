package outbox

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/wismo/wismo/store"
)

// Transient marks a handler's error as not the messages' fault (a dependency that is down or
// overloaded): the batch is tried again after a pause, and the failure does not count
// towards setting a message aside. Errors of the database itself are recognised without it
// (store.IsTransient).
func Transient(err error) error {
	if err == nil {
		return nil
	}
	return transientError{err}
}

type transientError struct{ err error }

func (e transientError) Error() string { return e.err.Error() }
func (e transientError) Unwrap() error { return e.err }

// PanicError is a handler's panic, recovered: it fails the attempt like an error does.
// Error names the panic and where it happened; Stack, kept with a dead letter, has the
// frames from the panic to the handler's call.
type PanicError struct {
	Value any
	Where string // file:line of the frame that panicked
	Stack string
}

func (e *PanicError) Error() string {
	if e.Where == "" {
		return fmt.Sprintf("panic: %v", e.Value)
	}
	return fmt.Sprintf("panic: %v (at %s)", e.Value, e.Where)
}

// errorText is err as a failure record keeps it: a panic with its stack.
func errorText(err error) string {
	var pe *PanicError
	if errors.As(err, &pe) && pe.Stack != "" {
		return err.Error() + "\n" + pe.Stack
	}
	return err.Error()
}

// call runs fn, turning a panic into a *PanicError. A Go runtime fatal error (out of memory,
// a concurrent map write) cannot be recovered: the process ends, and the attempt record
// written before the call counts it at the next turn.
func call(ctx context.Context, fn Handler, tx store.Tx, msgs []Message) (err error) {
	defer func() {
		if p := recover(); p != nil {
			stack := handlerStack(debug.Stack())
			err = &PanicError{Value: p, Where: panicSite(stack), Stack: stack}
		}
	}()
	return fn(ctx, tx, msgs)
}

// handlerStack keeps the frames of a panic's stack from the panic to the call of the
// handler: the ones that say where the handler failed.
func handlerStack(stack []byte) string {
	s := string(stack)
	if i := strings.Index(s, "panic("); i >= 0 {
		s = s[i:]
	}
	if i := strings.Index(s, "github.com/wismo/wismo/outbox.call("); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// panicSite is the file:line of the first frame below panic() in a handlerStack: each frame
// is a function line and a tab-indented "file:line +0x.." line.
func panicSite(stack string) string {
	lines := strings.Split(stack, "\n")
	if len(lines) < 4 {
		return ""
	}
	site, _, _ := strings.Cut(strings.TrimSpace(lines[3]), " ")
	return site
}

// reason says why a failed attempt does not count against its messages, or "" when it does.
// Not the messages' fault: the consumer stopping (its context ended), a transient database
// error, and errors the handler marked Transient.
func reason(ctx context.Context, err error) string {
	var te transientError
	switch {
	case ctx.Err() != nil:
		return "the consumer is stopping"
	case errors.As(err, &te):
		return "the handler marked the error transient"
	case store.IsTransient(err):
		return "a transient database error"
	}
	return ""
}
