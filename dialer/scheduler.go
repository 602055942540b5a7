package dialer

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/wismo/wismo/store"
)

// sweepEvery is how often the singleton sweeps run.
const sweepEvery = 5 * time.Second

// Run runs the dialer until ctx ends: the SMPP connection when SMS goes over SMPP, the
// claim job on every instance (one gocron interval job: on PostgreSQL several instances
// share the due contacts through FOR UPDATE SKIP LOCKED), and the singleton sweeps on the
// one instance elected through a PostgreSQL advisory lock held on a dedicated connection
// (gocron's Elector). On return, every send in flight has finished and been recorded, and
// the SMPP connection is unbound.
func (s *Service) Run(ctx context.Context) {
	lock, err := s.register(ctx)
	for err != nil {
		s.log.Error("dialer cannot start; retrying", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Second):
		}
		lock, err = s.register(ctx)
	}
	base := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	smsCtx, stopSMS := context.WithCancel(base)
	receiptsCtx, stopReceipts := context.WithCancel(base)
	var receiptsDone sync.WaitGroup
	receiptsDone.Add(1)
	go func() { defer receiptsDone.Done(); s.runReceipts(receiptsCtx) }()
	if s.smsc != nil {
		wg.Add(1)
		go func() { defer wg.Done(); s.smsc.Run(smsCtx) }()
	}
	w := s.newResultWriter()
	writerCtx, stopWriter := context.WithCancel(base)
	go w.run(writerCtx)

	local, err := gocron.NewScheduler(gocron.WithLogger(gocronLog{s.log}), gocron.WithStopTimeout(sendTimeout+10*time.Second))
	if err == nil {
		_, err = local.NewJob(gocron.DurationJob(s.opts.Interval), gocron.NewTask(func(jctx context.Context) {
			if _, err := s.drain(jctx, w); err != nil && jctx.Err() == nil {
				s.log.Error("claiming due contacts failed", "err", err)
			}
		}), gocron.WithName("dialer.claim"), gocron.WithSingletonMode(gocron.LimitModeReschedule), gocron.WithContext(ctx),
			gocron.WithStartAt(gocron.WithStartImmediately()))
	}
	var singles gocron.Scheduler
	if err == nil {
		opts := []gocron.SchedulerOption{gocron.WithLogger(gocronLog{s.log})}
		if lock != nil {
			opts = append(opts, gocron.WithDistributedElector(lock))
		}
		singles, err = gocron.NewScheduler(opts...)
	}
	if err == nil {
		_, err = singles.NewJob(gocron.DurationJob(sweepEvery), gocron.NewTask(func(jctx context.Context) { s.sweep(jctx, lock) }),
			gocron.WithName("dialer.sweep"), gocron.WithSingletonMode(gocron.LimitModeReschedule), gocron.WithContext(ctx))
	}
	if err != nil {
		s.log.Error("dialer scheduler cannot start", "err", err)
	} else {
		local.Start()
		singles.Start()
		s.log.Info("dialer running", "instance", s.instance, "interval", s.opts.Interval, "calls", s.calls != nil)
		<-ctx.Done()
		if err := local.Shutdown(); err != nil {
			s.log.Warn("dialer claim job shutdown", "err", err)
		}
		singles.Shutdown()
	}
	stopWriter()
	w.wait()
	stopSMS()
	wg.Wait()
	stopReceipts()
	receiptsDone.Wait()
	if lock != nil {
		lock.close()
	}
	if _, err := s.db.SQL.ExecContext(base, s.db.Rebind(`DELETE FROM dialer_instances WHERE id = ?`), s.instance); err != nil {
		s.log.Warn("unregister dialer instance", "err", err)
	}
}

// sweep is the singleton housekeeping: in-flight contacts of dead instances become
// `unknown`, receipts that came before their contact's ids are applied, calls the telephony
// engine never finished become `unknown`, and planned contacts missed by days (wismo was
// down) are cancelled rather than sent late.
func (s *Service) sweep(ctx context.Context, lock *lockConn) {
	if lock != nil && s.db.Dialect == store.Postgres {
		if err := s.reapDead(ctx, lock); err != nil && ctx.Err() == nil {
			s.log.Error("sweep: dead instances", "err", err)
		}
	}
	if err := s.applyPendingReceipts(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("sweep: receipts", "err", err)
	}
	now := s.now()
	if err := s.dispositionTimeouts(ctx, now); err != nil && ctx.Err() == nil {
		s.log.Error("sweep: answered calls without a disposition", "err", err)
	}
	if _, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`UPDATE contacts SET status = 'unknown', detail = 'no call outcome within 2 hours',
		done_at = ?, updated_at = ? WHERE status = 'calling' AND claimed_at < ? AND wrap_up_since IS NULL`), now, now, now.Add(-2*time.Hour)); err != nil && ctx.Err() == nil {
		s.log.Error("sweep: stuck calls", "err", err)
	}
	if _, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`UPDATE contacts SET status = 'cancelled', detail = 'missed: due more than 3 days ago',
		done_at = ?, updated_at = ? WHERE status = 'planned' AND due_at < ?`), now, now, now.Add(-72*time.Hour)); err != nil && ctx.Err() == nil {
		s.log.Error("sweep: missed contacts", "err", err)
	}
}

// gocronLog hands gocron's chatter to slog at debug level, its warnings and errors as such.
type gocronLog struct{ l *slog.Logger }

func (g gocronLog) Debug(msg string, args ...any) { g.l.Debug(msg, args...) }
func (g gocronLog) Info(msg string, args ...any)  { g.l.Debug(msg, args...) }
func (g gocronLog) Warn(msg string, args ...any)  { g.l.Warn(msg, args...) }
func (g gocronLog) Error(msg string, args ...any) { g.l.Error(msg, args...) }

// RunOnce claims and sends every due contact now and records the results: for tests,
// benchmarks and the CLI, without the scheduler.
func (s *Service) RunOnce(ctx context.Context) (int, error) {
	w := s.newResultWriter()
	wctx, stop := context.WithCancel(ctx)
	go w.run(wctx)
	n, err := s.drain(ctx, w)
	stop()
	w.wait()
	return n, err
}

// dispositionTimeouts decides the answered calls whose disposition did not come within
// Options.DispositionWait as answered without one (reached).
func (s *Service) dispositionTimeouts(ctx context.Context, now time.Time) error {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT id FROM contacts WHERE status = 'calling' AND wrap_up_since < ?`),
		now.Add(-s.opts.DispositionWait))
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err == nil {
			ids = append(ids, id)
		}
	}
	rows.Close()
	for _, id := range ids {
		if err := s.recordCallOutcome(ctx, id, "answered", "", "dialer: no disposition in "+s.opts.DispositionWait.String(), time.Time{}, false); err != nil {
			return err
		}
	}
	return rows.Err()
}
