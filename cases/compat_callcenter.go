package cases

import "github.com/wismo/wismo/tracking"

// Tracking's names as package callcenter still spells them (cases.X) after tracking moved out
// of this package (issue 14). callcenter is being changed on another branch at the same time;
// once both have landed, run
//
//	perl -pi -e 's/\bcases\.(ParcelView|MakeS10|NewService|Service|ParcelInput|ParcelItem|RecipientInput|StatusAccepted|ErrNotFound|ParseS10)\b/tracking.$1/g' callcenter/*.go
//
// (then goimports) and delete this file. Nothing else may use these.
type (
	ParcelView     = tracking.ParcelView
	Service        = tracking.Service
	ParcelInput    = tracking.ParcelInput
	ParcelItem     = tracking.ParcelItem
	RecipientInput = tracking.RecipientInput
)

// See above.
var (
	MakeS10    = tracking.MakeS10
	NewService = tracking.NewService
)

// See above.
const StatusAccepted = tracking.StatusAccepted
