package store

import "time"

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
	// Text keeps only examples whose text contains it, ignoring the case
	// of ASCII letters; empty means all. Only a Curator backend honors it.
	Text  string
	After int64 // only ids greater than this (the previous page's Next)
	Limit int   // at most this many; must be positive
}

// ExamplePage is one page of examples in id order.
type ExamplePage struct {
	Examples []Example
	Total    int   // examples matching the filter's intent and text, all pages together
	Next     int64 // pass as After for the next page; 0 on the last page
}
