package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"intent/store"
)

// RelabelExample implements store.Curator.
func (db *DB) RelabelExample(ctx context.Context, id int64, intent string) (store.Example, error) {
	if intent == "" {
		return store.Example{}, fmt.Errorf("store: relabel example %d: empty intent", id)
	}
	rows, err := db.w.QueryContext(ctx, `UPDATE examples SET intent = ? WHERE id = ?
		RETURNING `+exampleColumns, intent, id)
	if err != nil {
		return store.Example{}, fmt.Errorf("store: relabel example %d: %w", id, err)
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

// AddUnlabeled implements store.Curator: one transaction; a text already
// waiting without key is skipped (the partial UNIQUE index
// examples_waiting_text).
func (db *DB) AddUnlabeled(ctx context.Context, texts []string, source string) (added int, err error) {
	if len(texts) == 0 {
		return 0, nil
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: add unlabeled: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO examples (text, source, created_at) VALUES (?, ?, ?)
		ON CONFLICT (text) WHERE intent IS NULL AND key IS NULL DO NOTHING`)
	if err != nil {
		return 0, fmt.Errorf("store: add unlabeled: %w", err)
	}
	defer stmt.Close()
	at := formatTime(now())
	for i, text := range texts {
		if text == "" {
			return 0, fmt.Errorf("store: add unlabeled: text %d is empty", i)
		}
		res, err := stmt.ExecContext(ctx, text, source, at)
		if err != nil {
			return 0, fmt.Errorf("store: add unlabeled %d: %w", i, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("store: add unlabeled %d: %w", i, err)
		}
		added += int(n)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: add unlabeled: %w", err)
	}
	return added, nil
}

// Unlabeled implements store.Curator.
func (db *DB) Unlabeled(ctx context.Context) ([]store.Unlabeled, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, key, text, source, created_at FROM examples WHERE intent IS NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: unlabeled: %w", err)
	}
	defer rows.Close()
	var out []store.Unlabeled
	for rows.Next() {
		var u store.Unlabeled
		var key, at sql.NullString
		if err := rows.Scan(&u.ID, &key, &u.Text, &u.Source, &at); err != nil {
			return nil, fmt.Errorf("store: unlabeled: %w", err)
		}
		u.Key = key.String
		if u.CreatedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unlabeled: %w", err)
	}
	return out, nil
}

// LabelUnlabeled implements store.Curator: one UPDATE of a waiting
// question.
func (db *DB) LabelUnlabeled(ctx context.Context, id int64, intent, source string) (store.Example, error) {
	if intent == "" {
		return store.Example{}, fmt.Errorf("store: label question %d: empty intent", id)
	}
	rows, err := db.w.QueryContext(ctx, `UPDATE examples SET intent = ?, source = ? WHERE id = ? AND intent IS NULL
		RETURNING `+exampleColumns, intent, source, id)
	if err != nil {
		return store.Example{}, fmt.Errorf("store: label question %d: %w", id, err)
	}
	got, err := scanExamples(rows)
	if err != nil {
		return store.Example{}, err
	}
	if len(got) == 0 {
		return store.Example{}, store.NotFound("unlabeled question %d", id)
	}
	return got[0], nil
}

// DeleteUnlabeled implements store.Curator.
func (db *DB) DeleteUnlabeled(ctx context.Context, id int64) (int, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM examples WHERE intent IS NULL AND (?1 = 0 OR id = ?1)`, id)
	if err != nil {
		return 0, fmt.Errorf("store: delete unlabeled: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: delete unlabeled: %w", err)
	}
	if n == 0 && id != 0 {
		return 0, store.NotFound("unlabeled question %d", id)
	}
	return int(n), nil
}

var _ store.Curator = (*DB)(nil)
