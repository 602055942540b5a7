package cases

// Hooks for the external tests (package cases_test): they build on casestest, which an
// internal test cannot import.

// EscalationPayload is the JSON body of an escalation webhook.
type EscalationPayload = escalationPayload

// MaxWebhookAttempts is how often a webhook is tried before the escalation fails.
const MaxWebhookAttempts = maxWebhookAttempts

// SortTimeline orders timeline entries as the timeline shows them.
var SortTimeline = sortTimeline
