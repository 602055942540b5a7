package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/dialer/smpp"
	"github.com/wismo/wismo/dialer/smpp/smpptest"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// smppFigures are SMS per second into the Perl SMSC.
type smppFigures struct {
	Dialer  float64 // planned contacts through claim, SMPP and record (SQLite)
	Client  float64 // wismo's SMPP client with the window
	Window1 float64 // wismo's SMPP client with a window of one
	Raw     float64 // a minimal pipelined client with the same window
}

// smppRun measures each way of submitting into its own fresh SMSC.
func smppRun(ctx context.Context, o options) (smppFigures, error) {
	var f smppFigures
	var err error
	if f.Raw, err = withPeer(ctx, func(addr string) (float64, error) { return rawSubmit(ctx, addr, o.sms, o.window) }); err != nil {
		return f, fmt.Errorf("raw client: %w", err)
	}
	if f.Client, err = withPeer(ctx, func(addr string) (float64, error) { return clientSubmit(ctx, addr, o.sms, o.window) }); err != nil {
		return f, fmt.Errorf("wismo client: %w", err)
	}
	if f.Window1, err = withPeer(ctx, func(addr string) (float64, error) { return clientSubmit(ctx, addr, o.sms/5, 1) }); err != nil {
		return f, fmt.Errorf("wismo client, window 1: %w", err)
	}
	if f.Dialer, err = withPeer(ctx, func(addr string) (float64, error) { return dialerSubmit(ctx, o, addr) }); err != nil {
		return f, fmt.Errorf("dialer: %w", err)
	}
	return f, nil
}

func withPeer(ctx context.Context, fn func(addr string) (float64, error)) (float64, error) {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	peer, err := smpptest.Launch(pctx, "--quiet")
	if err != nil {
		return 0, err
	}
	defer peer.Stop()
	return fn(peer.Addr)
}

func text(i int) string {
	return fmt.Sprintf("Bench Shop: parcel RB%08dGB is at the sorting centre. Track it: http://127.0.0.1:8080/track/RB%08dGB", i, i)
}

// clientSubmit sends n single-part SMS through smpp.Client from enough goroutines to keep
// the window full, asking for receipts as the dialer does.
func clientSubmit(ctx context.Context, addr string, n, window int) (float64, error) {
	c := smpp.NewClient(smpp.Config{Addr: addr, SystemID: "wismo", Password: "secret", SourceAddr: "SHOP", Window: window,
		Handler: func(context.Context, smpp.Deliver) error { return nil }, Log: quiet()})
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { c.Run(cctx); close(done) }()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(10 * time.Second); !c.Bound(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("no bind within 10s")
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	next := make(chan int)
	start := time.Now()
	for range max(2*window, 8) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
				_, err := c.Submit(sctx, smpp.Message{To: phone(i), Text: text(i), Receipt: true})
				scancel()
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	elapsed := time.Since(start)
	select {
	case err := <-errs:
		return 0, err
	default:
	}
	return float64(n) / elapsed.Seconds(), nil
}

// dialerSubmit plans n SMS contacts due now and times the dialer (scheduler claims, SMPP
// channel, recording, receipts arriving meanwhile) until all are sent, on SQLite.
func dialerSubmit(ctx context.Context, o options, addr string) (float64, error) {
	db, drop, err := freshDB(ctx, o, store.SQLite)
	if err != nil {
		return 0, err
	}
	defer drop()
	acc := access.NewService(db)
	brand, _, err := acc.CreateBrand(ctx, "Bench Shop")
	if err != nil {
		return 0, err
	}
	n := o.sms
	ids, err := loadParcels(ctx, tracking.NewService(db, quiet(), nil), brand.ID, n)
	if err != nil {
		return 0, err
	}
	dl, err := dialer.New(db, quiet(), dialer.Options{Interval: 20 * time.Millisecond, Batch: 500, Concurrency: 4 * o.window,
		SMPP: &smpp.Config{Addr: addr, SystemID: "wismo", Password: "secret", SourceAddr: "SHOP", Window: o.window}})
	if err != nil {
		return 0, err
	}
	if _, err := dl.SetWindows(ctx, brand.ID, dialer.Windows{dialer.SMS: allDay()}); err != nil {
		return 0, err
	}
	reqs := make([]dialer.Request, n)
	for i, id := range ids {
		reqs[i] = dialer.Request{BrandID: brand.ID, ParcelID: id, Channel: dialer.SMS, To: phone(i), TimeZone: "Europe/Moscow", Body: text(i), NotBefore: time.Now()}
	}
	if err := db.WriteTx(ctx, func(tx store.Tx) error { return dl.Plan(ctx, tx, reqs) }); err != nil {
		return 0, err
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	start := time.Now()
	go func() { dl.Run(rctx); close(done) }()
	defer func() { cancel(); <-done }()
	for deadline := start.Add(10 * time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if count(ctx, db, `SELECT COUNT(*) FROM contacts WHERE status IN ('sent', 'delivered')`) == n {
			break
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("not all %d SMS sent within 10 minutes", n)
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
