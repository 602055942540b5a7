package transcribe

import "github.com/prometheus/client_golang/prometheus"

// NewSidesCounter is wismo_transcript_sides_total{outcome}: sides of recordings stored by the
// job, "transcribed" or "failed" (the engine's error stored); register it once and hand it to
// Service.Count.
func NewSidesCounter() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wismo_transcript_sides_total",
		Help: "Sides of call recordings the transcripts job stored, by outcome: transcribed, failed (the engine's error is stored)."},
		[]string{"outcome"})
}

// Count makes the service count the sides it stores on c.
func (s *Service) Count(c *prometheus.CounterVec) { s.sides = c }

func (s *Service) counted(rows []Transcript) {
	if s.sides == nil {
		return
	}
	for _, t := range rows {
		outcome := "transcribed"
		if t.Error != "" {
			outcome = "failed"
		}
		s.sides.WithLabelValues(outcome).Inc()
	}
}
