package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"intent/store"
)

// exampleColumns are read by scanExamples.
const exampleColumns = `id, key, text, intent, source, created_at`

// AddExamples implements store.Store: one transaction, so either all the
// examples are stored or none. Taken keys and waiting texts are looked for
// first, to name them; the UNIQUE indexes catch a concurrent writer that
// takes one meanwhile. The inserts go in one batch (one round trip); each
// returns its id, in order.
func (db *DB) AddExamples(ctx context.Context, examples []store.Example) ([]int64, error) {
	if len(examples) == 0 {
		return nil, nil
	}
	if err := store.BatchConflict(examples); err != nil {
		return nil, err
	}
	at := now()
	ids := make([]int64, len(examples))
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if err := conflicts(ctx, tx, examples); err != nil {
			return err
		}
		b := &pgx.Batch{}
		for _, e := range examples {
			b.Queue(`INSERT INTO examples (key, text, intent, source, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
				nullString(e.Key), e.Text, nullString(e.Intent), e.Source, at)
		}
		res := tx.SendBatch(ctx, b)
		for i, e := range examples {
			if err := res.QueryRow().Scan(&ids[i]); err != nil {
				res.Close()
				if pe, ok := errors.AsType[*pgconn.PgError](err); ok && pe.Code == "23505" { // unique_violation
					if e.Key != "" && pe.ConstraintName == "examples_key" {
						return store.Conflict("key %q is taken by an example added meanwhile", e.Key)
					}
					return store.Conflict("the question %q already waits for a label", e.Text)
				}
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

// conflicts is the store.ErrConflict error of the first of examples whose
// key is taken, or that is a question without key nor intent whose text
// already waits without key; nil when there is none.
func conflicts(ctx context.Context, tx pgx.Tx, examples []store.Example) error {
	var keys, texts []string
	for _, e := range examples {
		switch {
		case e.Key != "":
			keys = append(keys, e.Key)
		case e.Intent == "":
			texts = append(texts, e.Text)
		}
	}
	taken := func(query string, values []string) (map[string]int64, error) {
		out := map[string]int64{}
		if len(values) == 0 {
			return out, nil
		}
		rows, err := tx.Query(ctx, query, values)
		if err != nil {
			return nil, fmt.Errorf("store: add examples: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var v string
			var id int64
			if err := rows.Scan(&v, &id); err != nil {
				return nil, fmt.Errorf("store: add examples: %w", err)
			}
			out[v] = id
		}
		return out, rows.Err()
	}
	byKey, err := taken(`SELECT key, id FROM examples WHERE key = ANY($1)`, keys)
	if err != nil {
		return err
	}
	byText, err := taken(`SELECT text, id FROM examples WHERE intent IS NULL AND key IS NULL AND text = ANY($1)`, texts)
	if err != nil {
		return err
	}
	for _, e := range examples {
		if id, ok := byKey[e.Key]; ok && e.Key != "" {
			return store.Conflict("key %q is taken by example %d", e.Key, id)
		}
		if id, ok := byText[e.Text]; ok && e.Key == "" && e.Intent == "" {
			return store.Conflict("the question %q already waits for a label: example %d", e.Text, id)
		}
	}
	return nil
}

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// exampleMatch is the WHERE clause selecting the examples of f.Labeling,
// f.Intent and f.Text (those not empty), with its arguments numbered from
// $n on.
// Text matches as SQLite's instr(lower(text), lower(?)) does: a substring,
// ignoring the case of ASCII letters only (PostgreSQL's lower() would fold
// other letters too, by the database's locale).
func exampleMatch(f store.ExampleFilter, n int) (string, []any) {
	where, args := []string{"TRUE"}, []any{}
	switch f.Labeling {
	case store.OnlyLabeled:
		where = append(where, "intent IS NOT NULL")
	case store.OnlyUnlabeled:
		where = append(where, "intent IS NULL")
	}
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
		rows, err := tx.Query(ctx, `SELECT `+exampleColumns+` FROM examples
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
	rows, err := db.pool.Query(ctx, `SELECT `+exampleColumns+` FROM examples WHERE intent IS NOT NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: all examples: %w", err)
	}
	return scanExamples(rows)
}

// Example implements store.Store.
func (db *DB) Example(ctx context.Context, id int64) (store.Example, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+exampleColumns+` FROM examples WHERE id = $1`, id)
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
	rows, err := db.pool.Query(ctx, `SELECT `+exampleColumns+` FROM examples WHERE key = $1`, key)
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
	tag, err := db.pool.Exec(ctx, `DELETE FROM examples WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: delete example %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return store.NotFound("example %d", id)
	}
	return nil
}

// DeleteExamples implements store.Store.
func (db *DB) DeleteExamples(ctx context.Context, f store.DeleteFilter) (int, error) {
	if f.Empty() {
		return 0, errors.New("store: delete examples: the filter is empty (it would delete every example)")
	}
	tag, err := db.pool.Exec(ctx, `DELETE FROM examples WHERE ($1 = '' OR intent = $1) AND ($2 = '' OR source = $2)`, f.Intent, f.Source)
	if err != nil {
		return 0, fmt.Errorf("store: delete examples: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

func scanExamples(rows pgx.Rows) ([]store.Example, error) {
	defer rows.Close()
	var out []store.Example
	for rows.Next() {
		var e store.Example
		var key, intent *string
		var at time.Time
		if err := rows.Scan(&e.ID, &key, &e.Text, &intent, &e.Source, &at); err != nil {
			return nil, fmt.Errorf("store: read examples: %w", err)
		}
		if key != nil {
			e.Key = *key
		}
		if intent != nil {
			e.Intent = *intent
		}
		e.CreatedAt = at.UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read examples: %w", err)
	}
	return out, nil
}
