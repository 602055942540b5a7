package callcenter

import "github.com/wismo/wismo/callcenter/announce"

// announcements finds the audio to play (package announce: a brand's own, the site's, the
// shipped default).
type announcements = announce.Dir

// Announcement names.
const (
	AnnNotice = "notice" // "this call is recorded", played to the customer first
	AnnQueue  = "queue"  // looped while a hotline caller waits
	AnnClosed = "closed" // outside hours or after the maximum wait: we will call you back
)

var ringback = announce.Ringback
