package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"intent/store"
)

// exampleColumns are read by scanExamples.
const exampleColumns = `id, key, text, intent, source, created_at`

// AddExamples implements store.Store: one transaction, so either all the
// examples are stored or none. The transaction holds the write lock from
// its start (IMMEDIATE), so looking for a taken key or a waiting text
// before inserting is not racy.
func (db *DB) AddExamples(ctx context.Context, examples []store.Example) (ids []int64, err error) {
	if len(examples) == 0 {
		return nil, nil
	}
	if err := store.BatchConflict(examples); err != nil {
		return nil, err
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
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO examples (key, text, intent, source, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`)
	if err != nil {
		return nil, fmt.Errorf("store: add examples: %w", err)
	}
	defer stmt.Close()
	at := formatTime(now())
	ids = make([]int64, len(examples))
	for i, e := range examples {
		if err := conflict(ctx, tx, e); err != nil {
			return nil, err
		}
		if err := stmt.QueryRowContext(ctx, nullString(e.Key), e.Text, nullString(e.Intent), e.Source, at).Scan(&ids[i]); err != nil {
			return nil, fmt.Errorf("store: add example %d: %w", i, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: add examples: %w", err)
	}
	return ids, nil
}

// conflict is the store.ErrConflict error of adding e, if it has one: its
// key is taken, or it is a question without key nor intent whose text
// already waits without key.
func conflict(ctx context.Context, tx *sql.Tx, e store.Example) error {
	var id int64
	var err error
	switch {
	case e.Key != "":
		err = tx.QueryRowContext(ctx, `SELECT id FROM examples WHERE key = ?`, e.Key).Scan(&id)
		if err == nil {
			return store.Conflict("key %q is taken by example %d", e.Key, id)
		}
	case e.Intent == "":
		err = tx.QueryRowContext(ctx, `SELECT id FROM examples WHERE intent IS NULL AND key IS NULL AND text = ?`, e.Text).Scan(&id)
		if err == nil {
			return store.Conflict("the question %q already waits for a label: example %d", e.Text, id)
		}
	default:
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return fmt.Errorf("store: add examples: %w", err)
}

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// exampleMatch is the WHERE clause of ListExamples, over the arguments
// ?1 intent, ?4 text, ?5 labeling.
const exampleMatch = `(?1 = '' OR intent = ?1) AND (?4 = '' OR instr(lower(text), lower(?4)) > 0)
	AND CASE ?5 WHEN 0 THEN intent IS NOT NULL WHEN 1 THEN intent IS NULL ELSE 1 END`

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
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM examples WHERE `+exampleMatch, f.Intent, nil, nil, f.Text, int(f.Labeling)).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("store: list examples: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+exampleColumns+` FROM examples
		WHERE `+exampleMatch+` AND id > ?2 ORDER BY id LIMIT ?3`, f.Intent, f.After, f.Limit+1, f.Text, int(f.Labeling))
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
	rows, err := db.r.QueryContext(ctx, `SELECT `+exampleColumns+` FROM examples WHERE intent IS NOT NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: all examples: %w", err)
	}
	return scanExamples(rows)
}

// Example implements store.Store.
func (db *DB) Example(ctx context.Context, id int64) (store.Example, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+exampleColumns+` FROM examples WHERE id = ?`, id)
	if err != nil {
		return store.Example{}, fmt.Errorf("store: example %d: %w", id, err)
	}
	got, err := scanExamples(rows)
	if err != nil {
		return store.Example{}, err
	}
	if len(got) == 0 {
		return store.Example{}, store.NotFound("example %d", id)
	}
	return got[0], nil
}

// ExampleByKey implements store.Store.
func (db *DB) ExampleByKey(ctx context.Context, key string) (store.Example, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+exampleColumns+` FROM examples WHERE key = ?`, key)
	if err != nil {
		return store.Example{}, fmt.Errorf("store: example %q: %w", key, err)
	}
	got, err := scanExamples(rows)
	if err != nil {
		return store.Example{}, err
	}
	if len(got) == 0 {
		return store.Example{}, store.NotFound("no example has key %q", key)
	}
	return got[0], nil
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

// DeleteExamples implements store.Store.
func (db *DB) DeleteExamples(ctx context.Context, f store.DeleteFilter) (int, error) {
	if f.Empty() {
		return 0, errors.New("store: delete examples: the filter is empty (it would delete every example)")
	}
	res, err := db.w.ExecContext(ctx, `DELETE FROM examples WHERE (?1 = '' OR intent = ?1) AND (?2 = '' OR source = ?2)`, f.Intent, f.Source)
	if err != nil {
		return 0, fmt.Errorf("store: delete examples: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: delete examples: %w", err)
	}
	return int(n), nil
}

func scanExamples(rows *sql.Rows) ([]store.Example, error) {
	defer rows.Close()
	var out []store.Example
	for rows.Next() {
		var e store.Example
		var key, intent, at sql.NullString
		if err := rows.Scan(&e.ID, &key, &e.Text, &intent, &e.Source, &at); err != nil {
			return nil, fmt.Errorf("store: read examples: %w", err)
		}
		e.Key, e.Intent = key.String, intent.String
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
