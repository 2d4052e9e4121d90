package store

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// State is where a training task stands.
type State string

// The states of a task: Queued, then Preprocessing, Training, and finally
// Trained or Failed.
const (
	Queued        State = "queued"
	Preprocessing State = "preprocessing"
	Training      State = "training"
	Trained       State = "trained"
	Failed        State = "failed"
)

// Finished reports whether s is a final state.
func (s State) Finished() bool { return s == Trained || s == Failed }

// ReasonRestarted is the error a server gives the tasks it fails with
// MarkInterrupted at start.
const ReasonRestarted = "interrupted: the server restarted"

// Task is one training task. The JSON columns are kept as raw JSON: their
// shape belongs to the caller.
type Task struct {
	ID         string
	State      State
	Stage      string  // what is running now, e.g. "fit"
	Progress   float64 // 0..1, over the whole task
	Request    json.RawMessage
	DataReport json.RawMessage // nil until preprocessing produced it
	Result     json.RawMessage // nil until the task ends
	Timings    json.RawMessage // nil until a stage finished
	Callback   json.RawMessage // nil unless SetCallback wrote it
	Error      string          // why it failed
	Owner      string          // the server that claimed it (ClaimNext); empty until then
	CreatedAt  time.Time
	StartedAt  time.Time // zero while queued
	FinishedAt time.Time // zero until trained or failed
}

// NewTaskID returns 16 random hex digits.
func NewTaskID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("store: task id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
