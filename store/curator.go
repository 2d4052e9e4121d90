package store

import (
	"context"
	"time"
)

// Curator is what a backend offers beyond Store for curating data by hand
// (the web interface's Data and Label pages): relabeling an example, the
// text filter of ListExamples (ExampleFilter.Text), and the pool of
// questions waiting for a label (the examples without an intent). A backend that has them implements it;
// callers check with a type assertion and refuse these operations, rather
// than doing them wrong, on a backend that does not. A backend that is not
// a Curator ignores ExampleFilter.Text, so callers must not set it then.
//
// The conformance suite (storetest) checks a Curator's behaviour too.
type Curator interface {
	// RelabelExample sets the intent of example id and returns the example;
	// ErrNotFound when there is none. An empty intent is refused. An
	// unlabeled example so gets its label and leaves the pool.
	RelabelExample(ctx context.Context, id int64, intent string) (Example, error)

	// AddUnlabeled adds questions to the pool of unlabeled questions (as
	// examples without intent or key), from source, in one transaction, and
	// returns how many were added: a text already waiting without a key is
	// not added twice. Empty texts are refused.
	AddUnlabeled(ctx context.Context, texts []string, source string) (int, error)
	// Unlabeled returns every waiting question in id order: the examples
	// without an intent, with a key or not.
	Unlabeled(ctx context.Context) ([]Unlabeled, error)
	// LabelUnlabeled labels the waiting question id with intent (and sets
	// its source), which takes it out of the pool, and returns the example:
	// the same id and key. ErrNotFound when no such question waits; an
	// empty intent is refused.
	LabelUnlabeled(ctx context.Context, id int64, intent, source string) (Example, error)
	// DeleteUnlabeled removes the waiting question id, or every waiting
	// question when id is 0, and returns how many were removed;
	// ErrNotFound when id is not 0 and no such question waits.
	DeleteUnlabeled(ctx context.Context, id int64) (int, error)
}

// Unlabeled is a question waiting for a label: an example without an
// intent, in the pool the labeling queue ranks by uncertainty. Labeling it
// (LabelUnlabeled, or RelabelExample) gives it an intent, which takes it
// out of the pool.
type Unlabeled struct {
	ID        int64
	Key       string // the caller's identifier, when it was added with one
	Text      string
	Source    string // where it came from (an uploaded file's name, a dataset path); may be empty
	CreatedAt time.Time
}
