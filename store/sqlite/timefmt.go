package sqlite

import (
	"database/sql"
	"fmt"
	"time"
)

// timeLayout is how times are stored: fixed width, UTC, ordered as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

func parseTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: bad time %q in the database: %w", s.String, err)
	}
	return t, nil
}

// now is the clock, rounded as stored so that what a write returns equals
// what a later read gives.
func now() time.Time { return time.Now().UTC().Round(0) }
