package main

import "github.com/wismo/wismo/recordings/talk"

// talkJob analyses finished call recordings into talk analytics (call_talk; package
// recordings/talk; docs/talk-analytics.md).
func talkJob(t *talk.Service) job { return job{name: talk.JobName, run: t.Run} }
