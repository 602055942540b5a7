// Package migrations holds wismo's schema as numbered goose SQL migrations, one folder per
// SQL dialect, embedded into the binary. Files are never edited once landed: a change to the
// schema is a new file.
package migrations

import "embed"

// FS holds sqlite/*.sql and postgres/*.sql.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
