package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Example is one labeled question.
type Example struct {
	ID        int64
	Text      string
	Intent    string
	Source    string // who added it ("api", an annotation tool, ...); may be empty
	CreatedAt time.Time
}

// ExampleFilter selects a page of examples.
type ExampleFilter struct {
	Intent string // only this intent; empty means all
	After  int64  // only ids greater than this (the previous page's Next)
	Limit  int    // at most this many; must be positive
}

// ExamplePage is one page of examples in id order.
type ExamplePage struct {
	Examples []Example
	Total    int   // examples matching the filter's intent, all pages together
	Next     int64 // pass as After for the next page; 0 on the last page
}

// AddExamples stores examples in one transaction and returns their ids in
// order. Either all are stored or none. CreatedAt is set to now; ID is
// ignored. When AddExamples returns nil the examples are durable.
func (s *Store) AddExamples(ctx context.Context, examples []Example) (ids []int64, err error) {
	if len(examples) == 0 {
		return nil, nil
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: add examples: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO examples (text, intent, source, created_at) VALUES (?, ?, ?, ?) RETURNING id`)
	if err != nil {
		return nil, fmt.Errorf("store: add examples: %w", err)
	}
	defer stmt.Close()
	at := formatTime(now())
	ids = make([]int64, len(examples))
	for i, e := range examples {
		if err := stmt.QueryRowContext(ctx, e.Text, e.Intent, e.Source, at).Scan(&ids[i]); err != nil {
			return nil, fmt.Errorf("store: add example %d: %w", i, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: add examples: %w", err)
	}
	return ids, nil
}

// ListExamples returns one page of examples, ordered by id, and the total
// number matching f.Intent. The page and the total come from one snapshot.
func (s *Store) ListExamples(ctx context.Context, f ExampleFilter) (page ExamplePage, err error) {
	if f.Limit <= 0 {
		return page, fmt.Errorf("store: list examples: limit %d must be positive", f.Limit)
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return page, fmt.Errorf("store: list examples: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM examples WHERE (?1 = '' OR intent = ?1)`, f.Intent).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("store: list examples: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, text, intent, source, created_at FROM examples
		WHERE (?1 = '' OR intent = ?1) AND id > ?2 ORDER BY id LIMIT ?3`, f.Intent, f.After, f.Limit+1)
	if err != nil {
		return page, fmt.Errorf("store: list examples: %w", err)
	}
	page.Examples, err = scanExamples(rows)
	if err != nil {
		return page, err
	}
	if len(page.Examples) > f.Limit {
		page.Examples = page.Examples[:f.Limit]
		page.Next = page.Examples[f.Limit-1].ID
	}
	return page, nil
}

// AllExamples returns every example in id order, for training.
func (s *Store) AllExamples(ctx context.Context) ([]Example, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, text, intent, source, created_at FROM examples ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: all examples: %w", err)
	}
	return scanExamples(rows)
}

// DeleteExample removes one example; ErrNotFound when there is none with id.
func (s *Store) DeleteExample(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM examples WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("store: delete example %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: delete example %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("example %d: %w", id, ErrNotFound)
	}
	return nil
}

func scanExamples(rows *sql.Rows) ([]Example, error) {
	defer rows.Close()
	var out []Example
	for rows.Next() {
		var e Example
		var at sql.NullString
		if err := rows.Scan(&e.ID, &e.Text, &e.Intent, &e.Source, &at); err != nil {
			return nil, fmt.Errorf("store: read examples: %w", err)
		}
		t, err := parseTime(at)
		if err != nil {
			return nil, err
		}
		e.CreatedAt = t
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read examples: %w", err)
	}
	return out, nil
}
