package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"intent/store"
)

// AddExamples implements store.Store: one transaction, so either all the
// examples are stored or none.
func (db *DB) AddExamples(ctx context.Context, examples []store.Example) (ids []int64, err error) {
	if len(examples) == 0 {
		return nil, nil
	}
	tx, err := db.w.BeginTx(ctx, nil)
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

// ListExamples implements store.Store. The page and the total come from
// one read transaction, hence one snapshot.
func (db *DB) ListExamples(ctx context.Context, f store.ExampleFilter) (page store.ExamplePage, err error) {
	if f.Limit <= 0 {
		return page, fmt.Errorf("store: list examples: limit %d must be positive", f.Limit)
	}
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return page, fmt.Errorf("store: list examples: %w", err)
	}
	defer tx.Rollback()
	const match = `(?1 = '' OR intent = ?1) AND (?4 = '' OR instr(lower(text), lower(?4)) > 0)`
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM examples WHERE `+match, f.Intent, nil, nil, f.Text).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("store: list examples: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, text, intent, source, created_at FROM examples
		WHERE `+match+` AND id > ?2 ORDER BY id LIMIT ?3`, f.Intent, f.After, f.Limit+1, f.Text)
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

// AllExamples implements store.Store.
func (db *DB) AllExamples(ctx context.Context) ([]store.Example, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, text, intent, source, created_at FROM examples ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: all examples: %w", err)
	}
	return scanExamples(rows)
}

// DeleteExample implements store.Store.
func (db *DB) DeleteExample(ctx context.Context, id int64) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM examples WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("store: delete example %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: delete example %d: %w", id, err)
	}
	if n == 0 {
		return store.NotFound("example %d", id)
	}
	return nil
}

func scanExamples(rows *sql.Rows) ([]store.Example, error) {
	defer rows.Close()
	var out []store.Example
	for rows.Next() {
		var e store.Example
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
