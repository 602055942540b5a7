// Package feedback makes the customers' side of the demo (ratings, replies by SMS and e-mail,
// delivery-day choices, abandoned predictive calls) through the domains' services. It sits
// apart from package demo because inbound imports conversation and scripts, whose tests
// load the demo.
package feedback

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/csat"
	"github.com/wismo/wismo/deliverydays"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/inbound"
)

// FeedbackSummary says what Feedback made.
type FeedbackSummary struct {
	DeliveryRatings int `json:"delivery_ratings"`
	ServiceRatings  int `json:"service_ratings"`
	InboundMessages int `json:"inbound_messages"`
	Review          int `json:"review"`
	DayChoices      int `json:"day_choices"`
	PredictiveCalls int `json:"predictive_calls"`
	Abandoned       int `json:"abandoned"`
}

// Feedback gives the features about the customers' side something real to show, after
// Workspace, all through the domains' own services: ratings of deliveries and of the demo
// agent's resolved cases (csat), customers writing back by SMS and e-mail onto demo cases and
// one unknown sender in the review queue (inbound, with every brand's SMS number and address),
// delivery days chosen on the tracking page and by an automated call (deliverydays), and
// predictive campaigns whose call history has abandoned calls, one campaign under the 3%
// limit and one over it (the dashboard's "Abandoned outbound calls"). now is the demo's clock.
func Create(ctx context.Context, d demo.WorkspaceDeps, seed int64, now time.Time) (FeedbackSummary, error) {
	var sum FeedbackSummary
	now = now.UTC().Truncate(time.Second)
	r := rand.New(rand.NewPCG(uint64(seed), 0xfeed))
	brands, err := demo.BrandIDs(ctx, d.DB)
	if err != nil {
		return sum, err
	}
	var agentID int64
	if err := d.DB.SQL.QueryRowContext(ctx, d.DB.Rebind(`SELECT id FROM users WHERE email = ?`), demo.AgentEmail).Scan(&agentID); err != nil {
		return sum, fmt.Errorf("demo feedback: the demo agent: %w", err)
	}
	steps := []struct {
		what string
		fn   func() error
	}{
		{"ratings", func() error { return demoRatings(ctx, d, r, brands, agentID, now, &sum) }},
		{"inbound", func() error { return demoInbound(ctx, d, brands, &sum) }},
		{"delivery days", func() error { return demoDays(ctx, d, brands, &sum) }},
		{"abandoned calls", func() error { return demoAbandons(ctx, d, r, brands, agentID, now, &sum) }},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return sum, fmt.Errorf("demo %s: %w", s.what, err)
		}
	}
	d.Log.Info("demo feedback created", "delivery_ratings", sum.DeliveryRatings, "service_ratings", sum.ServiceRatings,
		"inbound_messages", sum.InboundMessages, "review", sum.Review, "day_choices", sum.DayChoices,
		"predictive_calls", sum.PredictiveCalls, "abandoned", sum.Abandoned)
	return sum, nil
}

// queryStrings reads rows of n text columns.
func queryStrings(ctx context.Context, d demo.WorkspaceDeps, n int, q string, args ...any) ([][]string, error) {
	rows, err := d.DB.SQL.QueryContext(ctx, d.DB.Rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		row := make([]string, n)
		ptrs := make([]any, n)
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// ratingsPerBrand is how many delivered parcels of each brand are rated.
const ratingsPerBrand = 12

// deliveryScores are the scores given in turn: mostly 4 and 5, some 1 to 3.
var deliveryScores = []int{5, 5, 4, 5, 3, 5, 4, 5, 5, 1, 4, 5, 2, 5, 4, 5}

// ratingComments are the comments by score and language ("" in the list: no comment).
var ratingComments = map[int]map[string][]string{
	5: {"en": {"", "Fast and well packed, thank you!", ""}, "ru": {"", "Быстро и аккуратно, спасибо!", ""}},
	4: {"en": {"", "Took a few days longer than promised, but all fine."}, "ru": {"", "Шла на пару дней дольше обещанного, но всё хорошо."}},
	3: {"en": {"The courier did not call before coming."}, "ru": {"Курьер не позвонил перед приездом."}},
	2: {"en": {"Stuck in customs for a week, nobody told me why."}, "ru": {"Неделю стояла на таможне, никто не объяснил почему."}},
	1: {"en": {"The box was torn and I had to go to the post office twice."}, "ru": {"Коробка порвана, пришлось дважды ходить на почту."}},
}

// demoRatings rates delivered parcels of every brand (credited to the brand, the destination's
// post, region and the origin) and the resolved cases of the demo agent, over the last 6 days
// (the dashboard's default week).
func demoRatings(ctx context.Context, d demo.WorkspaceDeps, r *rand.Rand, brands []int64, agentID int64, now time.Time, sum *FeedbackSummary) error {
	svc := csat.New(d.DB)
	at := now
	svc.SetClock(func() time.Time { return at })
	k := 0
	for _, b := range brands {
		rows, err := queryStrings(ctx, d, 1, `SELECT id FROM parcels WHERE brand_id = ? AND phase = 'delivered' ORDER BY id`, b)
		if err != nil {
			return err
		}
		r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		for _, row := range rows[:min(ratingsPerBrand, len(rows))] {
			p, err := d.Parcels.Parcel(ctx, access.Brands(b), row[0])
			if err != nil {
				return err
			}
			score := deliveryScores[k%len(deliveryScores)]
			k++
			lang := "en"
			if p.DestinationCountry == "RU" {
				lang = "ru"
			}
			cs := ratingComments[score][lang]
			at = now.Add(-time.Duration(1+r.IntN(6*24)) * time.Hour)
			if _, err := svc.Rate(ctx, csat.Subject{BrandID: b, ParcelID: p.ID, OriginCountry: p.OriginCountry,
				DestinationCountry: p.DestinationCountry, Region: p.Recipient.Region}, score, cs[r.IntN(len(cs))]); err != nil {
				return err
			}
			sum.DeliveryRatings++
		}
	}
	// The service: the demo agent's resolved and closed cases, with a few more resolved ones
	// given to the agent so the agent's table has a figure.
	extra, err := queryStrings(ctx, d, 2, `SELECT number, brand_id FROM cases WHERE status = 'resolved' AND assignee_id IS NULL
		AND merged_into IS NULL ORDER BY id LIMIT 6`)
	if err != nil {
		return err
	}
	for _, x := range extra {
		brand, _ := strconv.ParseInt(x[1], 10, 64)
		if _, err := d.Cases.Update(ctx, access.Brands(brand), cases.Actor{Label: "user:" + demo.AgentEmail}, x[0], brand,
			cases.CasePatch{AssigneeID: &agentID}); err != nil {
			return fmt.Errorf("case %s: %w", x[0], err)
		}
	}
	done, err := queryStrings(ctx, d, 3, `SELECT c.number, c.brand_id, MIN(cp.parcel_id) FROM cases c JOIN case_parcels cp ON cp.case_id = c.id
		WHERE c.assignee_id = ? AND c.status IN ('resolved', 'closed') GROUP BY c.id, c.number, c.brand_id ORDER BY c.id`, agentID)
	if err != nil {
		return err
	}
	serviceScores := []int{5, 4, 5, 5, 2, 5, 4, 5, 3, 5}
	serviceComments := map[int]string{2: "Had to explain everything twice.", 3: "Solved, but it took a while.",
		5: "The agent sorted it out on the first call."}
	for i, x := range done {
		brand, _ := strconv.ParseInt(x[1], 10, 64)
		p, err := d.Parcels.Parcel(ctx, access.Brands(brand), x[2])
		if err != nil {
			return err
		}
		score := serviceScores[i%len(serviceScores)]
		at = now.Add(-time.Duration(1+r.IntN(5*24)) * time.Hour)
		if _, err := svc.Rate(ctx, csat.Subject{BrandID: brand, ParcelID: p.ID, CaseNumber: x[0], OriginCountry: p.OriginCountry,
			DestinationCountry: p.DestinationCountry, Region: p.Recipient.Region}, score, serviceComments[score]); err != nil {
			return fmt.Errorf("case %s: %w", x[0], err)
		}
		sum.ServiceRatings++
	}
	return nil
}

// inboundNumber and inboundAddress are brand i's SMS number and inbound address.
func inboundNumber(i int) string { return "+7800555020" + strconv.Itoa(i+1) }

func inboundAddress(i int) string {
	mailboxes := demo.Mailboxes()
	return "support@" + strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(mailboxes[i%len(mailboxes)], "orders."), "shop."), "dispatch.") + ".example"
}

// unknownSender is the review queue's demo sender: a number none of the demo parcels has
// (the demo's phones are Russian mobiles and the other destinations' formats; 555 01xx is
// fictional in North America).
const unknownSender = "+12025550142"

// demoInbound gives every brand an SMS number and an inbound address, then lets customers
// write back: SMS replies and e-mail onto open demo cases, one SMS about a parcel without a
// case (a new case, source sms), and an SMS from a number the brand does not know (the review
// queue).
func demoInbound(ctx context.Context, d demo.WorkspaceDeps, brandList []int64, sum *FeedbackSummary) error {
	svc := inbound.New(d.DB, d.Log, inbound.Options{Cases: d.Cases})
	for i, b := range brandList {
		if _, err := svc.SetSettings(ctx, access.Brands(b), b, inbound.Settings{SMSNumber: inboundNumber(i),
			MailAddress: inboundAddress(i), ReopenDays: inbound.DefaultReopenDays}); err != nil {
			return err
		}
	}
	number := func(brand string) string {
		for i, b := range brandList {
			if strconv.FormatInt(b, 10) == brand {
				return inboundNumber(i)
			}
		}
		return ""
	}
	address := func(brand string) string {
		for i, b := range brandList {
			if strconv.FormatInt(b, 10) == brand {
				return inboundAddress(i)
			}
		}
		return ""
	}
	// A phone or address only one parcel of the brand has, so the reply finds that parcel.
	const onlyPhone = `NOT EXISTS (SELECT 1 FROM parcels q WHERE q.brand_id = p.brand_id AND q.recipient_phone = p.recipient_phone AND q.id <> p.id)`
	const onlyEmail = `NOT EXISTS (SELECT 1 FROM parcels q WHERE q.brand_id = p.brand_id AND q.recipient_email = p.recipient_email AND q.id <> p.id)`
	open := `SELECT c.number, c.brand_id, p.recipient_phone, p.recipient_email, p.destination_country FROM cases c
		JOIN case_parcels cp ON cp.case_id = c.id JOIN parcels p ON p.id = cp.parcel_id
		WHERE c.status IN ('new', 'open', 'waiting_customer') AND c.merged_into IS NULL AND `
	var smsCases [][]string // one per brand
	for _, b := range brandList {
		rows, err := queryStrings(ctx, d, 5, open+`c.brand_id = ? AND p.recipient_phone <> '' AND `+onlyPhone+` ORDER BY c.id LIMIT 1`, b)
		if err != nil {
			return err
		}
		smsCases = append(smsCases, rows...)
	}
	smsTexts := map[string][]string{
		"en": {"Hi, I'm at work until 6pm, can the courier come after that?", "Thanks, got the message. Is it still coming this week?",
			"I paid the duty already, why is it still held?"},
		"ru": {"Здравствуйте, я на работе до 18:00, курьер может приехать позже?", "Спасибо, сообщение получила. Посылка точно будет на этой неделе?",
			"Пошлину я уже оплатил, почему посылку всё ещё держат?"},
	}
	lang := func(country string) string {
		if country == "RU" || country == "KZ" || country == "BY" {
			return "ru"
		}
		return "en"
	}
	count := func(m inbound.Message) error {
		switch m.Outcome {
		case inbound.OutcomeCase, inbound.OutcomeCaseOpened, inbound.OutcomeCaseReopened:
			sum.InboundMessages++
		case inbound.OutcomeReview:
			sum.InboundMessages++
			sum.Review++
		default:
			return fmt.Errorf("the demo message from %s went to %s (%s)", m.Sender, m.Outcome, m.Detail)
		}
		return nil
	}
	for i, c := range smsCases {
		m, err := svc.HandleSMS(ctx, c[2], number(c[1]), smsTexts[lang(c[4])][i%3])
		if err != nil {
			return err
		}
		if err := count(m); err != nil {
			return err
		}
	}
	// E-mail onto open cases: one answering with the case number in the subject, one without.
	mailCases, err := queryStrings(ctx, d, 5, open+`p.recipient_email <> '' AND `+onlyEmail+` ORDER BY c.id DESC LIMIT 2`)
	if err != nil {
		return err
	}
	for i, c := range mailCases {
		subject := "Re: [" + c[0] + "] Your request"
		body := "Hello,\r\n\r\nthe parcel still has not arrived. I can pick it up at the post office myself if that is faster.\r\n\r\nBest regards"
		if i == 1 {
			subject = "My order"
			body = "Hello,\r\n\r\ncould you please tell me when my order will be delivered? I am away next week.\r\n\r\nThank you"
		}
		raw := "From: " + c[3] + "\r\nTo: " + address(c[1]) + "\r\nSubject: " + subject + "\r\nMessage-ID: <demo-" + strconv.Itoa(i) + "-" +
			strings.ToLower(c[0]) + "@mail.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
		m, err := svc.HandleMail(ctx, inbound.Mail{EnvelopeFrom: c[3], To: []string{address(c[1])}, Raw: []byte(raw)})
		if err != nil {
			return err
		}
		if err := count(m); err != nil {
			return err
		}
	}
	// A parcel without a case: the customer's SMS opens one (source sms).
	fresh, err := queryStrings(ctx, d, 3, `SELECT p.brand_id, p.recipient_phone, p.destination_country FROM parcels p
		WHERE p.phase NOT IN ('registered', 'delivered', 'returning', 'returned', 'cancelled') AND p.recipient_phone <> '' AND `+onlyPhone+`
		AND NOT EXISTS (SELECT 1 FROM case_parcels cp WHERE cp.parcel_id = p.id) ORDER BY p.id LIMIT 1`)
	if err != nil {
		return err
	}
	for _, f := range fresh {
		text := map[string]string{"en": "Where is my parcel? The tracking has not changed for days.",
			"ru": "Где моя посылка? Статус не меняется уже несколько дней."}[lang(f[2])]
		m, err := svc.HandleSMS(ctx, f[1], number(f[0]), text)
		if err != nil {
			return err
		}
		if err := count(m); err != nil {
			return err
		}
	}
	// A sender the first brand does not know: the review queue.
	if len(brandList) > 0 {
		m, err := svc.HandleSMS(ctx, unknownSender, inboundNumber(0), "Hello, this is Anna from the new address, is my order on its way? I changed my phone.")
		if err != nil {
			return err
		}
		if err := count(m); err != nil {
			return err
		}
	}
	return nil
}

// demoDays lets customers choose another delivery day for two movable parcels: one on the
// tracking page, one in an automated call. Each opens a delivery_change case.
func demoDays(ctx context.Context, d demo.WorkspaceDeps, brandList []int64, sum *FeedbackSummary) error {
	svc := deliverydays.New(d.DB, d.Cases)
	vias := []string{deliverydays.ViaWeb, deliverydays.ViaRobocall}
	for _, b := range brandList {
		if len(vias) == 0 {
			break
		}
		rows, err := queryStrings(ctx, d, 1, `SELECT p.id FROM parcels p WHERE p.brand_id = ?
			AND p.phase IN ('at_delivery_office', 'out_for_delivery', 'delivery_attempted', 'ready_for_pickup')
			AND NOT EXISTS (SELECT 1 FROM case_parcels cp WHERE cp.parcel_id = p.id) ORDER BY p.id LIMIT 10`, b)
		if err != nil {
			return err
		}
		for _, row := range rows {
			days, err := svc.Days(ctx, b, row[0])
			if err != nil {
				return err
			}
			pick := ""
			for _, day := range days {
				if !day.Planned && pick == "" {
					pick = day.Date // the first other day offered
				}
			}
			if pick == "" {
				continue // returning, or no other day to offer
			}
			if _, err := svc.Choose(ctx, b, row[0], pick, vias[0], 0); err != nil {
				return fmt.Errorf("parcel %s: %w", row[0], err)
			}
			sum.DayChoices++
			vias = vias[1:]
			break
		}
	}
	return nil
}

// predictiveDispositions are the wrap-ups of the answered predictive calls, in turn.
var predictiveDispositions = []string{callcenter.DispReached, callcenter.DispReached, callcenter.DispCallbackRequested,
	callcenter.DispReached, callcenter.DispReached, callcenter.DispRefused, callcenter.DispReached, callcenter.DispWrongNumber}

// demoAbandons creates a predictive campaign for the first two brands and its calls of the
// last 30 days: the first brand's paced well (under 3% abandoned), the second's pressed too
// hard on its first day (over 3%).
func demoAbandons(ctx context.Context, d demo.WorkspaceDeps, r *rand.Rand, brandList []int64, agentID int64, now time.Time, sum *FeedbackSummary) error {
	plans := []struct {
		name                string
		answered, abandoned int
		days                int
	}{
		{"Delivery day: confirm by phone", 70, 1, 20},
		{"Customs duty: remind before the deadline", 40, 3, 2},
	}
	for i, pl := range plans {
		if i >= len(brandList) {
			break
		}
		b := brandList[i]
		c, err := d.Dialer.SaveCampaign(ctx, b, dialer.Campaign{Name: pl.name, Mode: "predictive", AMD: "hangup"})
		if err != nil {
			return err
		}
		if _, err := d.Dialer.SetCampaignStatus(ctx, b, c.ID, "paused"); err != nil {
			return err
		}
		phones, err := queryStrings(ctx, d, 2, `SELECT id, recipient_phone FROM parcels WHERE brand_id = ? AND recipient_phone <> ''
			AND phase NOT IN ('delivered', 'returning', 'returned', 'cancelled') ORDER BY id LIMIT ?`, b, pl.answered+pl.abandoned)
		if err != nil {
			return err
		}
		stride := max(len(phones)/max(pl.abandoned, 1), 1)
		for k, ph := range phones {
			outcome := callcenter.Answered
			if k%stride == stride/2 && k/stride < pl.abandoned { // spread over the history
				outcome = callcenter.Abandoned
			}
			start := now.Add(-time.Duration(1+r.IntN(pl.days*24*60)) * time.Minute)
			call := callcenter.Call{Direction: callcenter.Outbound, Mode: callcenter.ModePredictive, BrandID: b, ParcelID: ph[0],
				CampaignRef: strconv.FormatInt(c.ID, 10), From: demo.HotlineNumber, To: ph[1], StartedAt: start,
				SIPCallID: "demo-pd-" + strconv.FormatInt(c.ID, 10) + "-" + strconv.Itoa(k)}
			if err := d.Calls.Create(ctx, &call); err != nil {
				return err
			}
			ring, answered := start.Add(time.Second), start.Add(time.Duration(5+r.IntN(15))*time.Second)
			end := answered.Add(time.Duration(40+r.IntN(200)) * time.Second)
			call.RingingAt, call.AnsweredAt, call.EndedAt, call.Outcome, call.SIPStatus = &ring, &answered, &end, outcome, 200
			call.HangupSide, call.AgentID = callcenter.LegCustomer, agentID
			if outcome == callcenter.Abandoned {
				end = answered.Add(12 * time.Second) // the brand's recorded message
				call.AgentID, call.HangupSide = 0, callcenter.SideSystem
			}
			if err := d.Calls.Update(ctx, &call); err != nil {
				return err
			}
			if outcome == callcenter.Answered { // the agent's wrap-up, as the dashboard's answer rate reads it
				disp := predictiveDispositions[k%len(predictiveDispositions)]
				if err := d.Calls.SetDisposition(ctx, access.Brands(b), call.ID, disp); err != nil {
					return err
				}
			}
			sum.PredictiveCalls++
			if outcome == callcenter.Abandoned {
				sum.Abandoned++
			}
		}
	}
	return nil
}
