package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"intent/store"
)

// AddExamples implements store.Store: one transaction, so either all the
// examples are stored or none. The inserts go in one batch (one round
// trip); each returns its id, in order.
func (db *DB) AddExamples(ctx context.Context, examples []store.Example) ([]int64, error) {
	if len(examples) == 0 {
		return nil, nil
	}
	at := now()
	ids := make([]int64, len(examples))
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, e := range examples {
			b.Queue(`INSERT INTO examples (text, intent, source, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
				e.Text, e.Intent, e.Source, at)
		}
		res := tx.SendBatch(ctx, b)
		for i := range examples {
			if err := res.QueryRow().Scan(&ids[i]); err != nil {
				res.Close()
				return fmt.Errorf("store: add example %d: %w", i, err)
			}
		}
		if err := res.Close(); err != nil {
			return fmt.Errorf("store: add examples: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// exampleMatch is the WHERE clause selecting the examples of f.Intent and
// f.Text (those not empty), with its arguments numbered from $n on.
// Text matches as SQLite's instr(lower(text), lower(?)) does: a substring,
// ignoring the case of ASCII letters only (PostgreSQL's lower() would fold
// other letters too, by the database's locale).
func exampleMatch(f store.ExampleFilter, n int) (string, []any) {
	where, args := []string{"TRUE"}, []any{}
	if f.Intent != "" {
		where = append(where, fmt.Sprintf("intent = $%d", n+len(args)))
		args = append(args, f.Intent)
	}
	if f.Text != "" {
		where = append(where, fmt.Sprintf("strpos(translate(text, '%s', '%s'), $%d) > 0", upperASCII, lowerASCII, n+len(args)))
		args = append(args, asciiLower(f.Text))
	}
	return strings.Join(where, " AND "), args
}

const (
	upperASCII = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lowerASCII = "abcdefghijklmnopqrstuvwxyz"
)

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// ListExamples implements store.Store. The page and the total come from
// one REPEATABLE READ transaction, hence one snapshot.
func (db *DB) ListExamples(ctx context.Context, f store.ExampleFilter) (page store.ExamplePage, err error) {
	if f.Limit <= 0 {
		return page, fmt.Errorf("store: list examples: limit %d must be positive", f.Limit)
	}
	err = pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		match, args := exampleMatch(f, 1)
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM examples WHERE `+match, args...).Scan(&page.Total); err != nil {
			return fmt.Errorf("store: list examples: %w", err)
		}
		match, args = exampleMatch(f, 3)
		rows, err := tx.Query(ctx, `SELECT id, text, intent, source, created_at FROM examples
			WHERE `+match+` AND id > $1 ORDER BY id LIMIT $2`, append([]any{f.After, f.Limit + 1}, args...)...)
		if err != nil {
			return fmt.Errorf("store: list examples: %w", err)
		}
		page.Examples, err = scanExamples(rows)
		return err
	})
	if err != nil {
		return store.ExamplePage{}, err
	}
	if len(page.Examples) > f.Limit {
		page.Examples = page.Examples[:f.Limit]
		page.Next = page.Examples[f.Limit-1].ID
	}
	return page, nil
}

// AllExamples implements store.Store.
func (db *DB) AllExamples(ctx context.Context) ([]store.Example, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, text, intent, source, created_at FROM examples ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: all examples: %w", err)
	}
	return scanExamples(rows)
}

// DeleteExample implements store.Store.
func (db *DB) DeleteExample(ctx context.Context, id int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM examples WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: delete example %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return store.NotFound("example %d", id)
	}
	return nil
}

func scanExamples(rows pgx.Rows) ([]store.Example, error) {
	defer rows.Close()
	var out []store.Example
	for rows.Next() {
		var e store.Example
		var at time.Time
		if err := rows.Scan(&e.ID, &e.Text, &e.Intent, &e.Source, &at); err != nil {
			return nil, fmt.Errorf("store: read examples: %w", err)
		}
		e.CreatedAt = at.UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read examples: %w", err)
	}
	return out, nil
}
