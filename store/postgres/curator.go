package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"intent/store"
)

var _ store.Curator = (*DB)(nil)

// RelabelExample implements store.Curator.
func (db *DB) RelabelExample(ctx context.Context, id int64, intent string) (store.Example, error) {
	if intent == "" {
		return store.Example{}, fmt.Errorf("store: relabel example %d: empty intent", id)
	}
	rows, err := db.pool.Query(ctx, `UPDATE examples SET intent = $1 WHERE id = $2
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

// AddUnlabeled implements store.Curator: one transaction, one batch; a
// text already waiting without key is skipped (the partial UNIQUE index
// examples_waiting_text).
func (db *DB) AddUnlabeled(ctx context.Context, texts []string, source string) (added int, err error) {
	if len(texts) == 0 {
		return 0, nil
	}
	for i, text := range texts {
		if text == "" {
			return 0, fmt.Errorf("store: add unlabeled: text %d is empty", i)
		}
	}
	at := now()
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, text := range texts {
			b.Queue(`INSERT INTO examples (text, source, created_at) VALUES ($1, $2, $3)
				ON CONFLICT (text) WHERE intent IS NULL AND key IS NULL DO NOTHING`, text, source, at)
		}
		res := tx.SendBatch(ctx, b)
		for i := range texts {
			tag, err := res.Exec()
			if err != nil {
				res.Close()
				return fmt.Errorf("store: add unlabeled %d: %w", i, err)
			}
			added += int(tag.RowsAffected())
		}
		if err := res.Close(); err != nil {
			return fmt.Errorf("store: add unlabeled: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// Unlabeled implements store.Curator.
func (db *DB) Unlabeled(ctx context.Context) ([]store.Unlabeled, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, key, text, source, created_at FROM examples WHERE intent IS NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: unlabeled: %w", err)
	}
	defer rows.Close()
	var out []store.Unlabeled
	for rows.Next() {
		var u store.Unlabeled
		var key *string
		var at time.Time
		if err := rows.Scan(&u.ID, &key, &u.Text, &u.Source, &at); err != nil {
			return nil, fmt.Errorf("store: unlabeled: %w", err)
		}
		if key != nil {
			u.Key = *key
		}
		u.CreatedAt = at.UTC()
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unlabeled: %w", err)
	}
	return out, nil
}

// LabelUnlabeled implements store.Curator: one UPDATE of a waiting
// question. Of two servers labeling the same question at once, the second
// waits for the first's row lock, then finds it labeled, updates nothing
// and gets ErrNotFound.
func (db *DB) LabelUnlabeled(ctx context.Context, id int64, intent, source string) (store.Example, error) {
	if intent == "" {
		return store.Example{}, fmt.Errorf("store: label question %d: empty intent", id)
	}
	rows, err := db.pool.Query(ctx, `UPDATE examples SET intent = $1, source = $2 WHERE id = $3 AND intent IS NULL
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
	tag, err := db.pool.Exec(ctx, `DELETE FROM examples WHERE intent IS NULL AND ($1::bigint = 0 OR id = $1)`, id)
	if err != nil {
		return 0, fmt.Errorf("store: delete unlabeled: %w", err)
	}
	n := int(tag.RowsAffected())
	if n == 0 && id != 0 {
		return 0, store.NotFound("unlabeled question %d", id)
	}
	return n, nil
}
