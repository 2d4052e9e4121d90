package jobs

import "intent/model/tune"

// Result is what a finished training leaves: the version it wrote, its
// metrics, and whether it became the default.
type Result struct {
	// Search, with a "search" request, is the configuration the search
	// chose.
	Search        *SearchResult `json:"search,omitempty"`
	Version       int           `json:"version,omitempty"`
	Metrics       *Metrics      `json:"metrics,omitempty"`
	Default       *bool         `json:"default,omitempty"`
	DefaultReason string        `json:"default_reason,omitempty"`
}

// Metrics are the versions.Headline numbers of a trained version on its
// validation split.
type Metrics struct {
	Accuracy     float64 `json:"accuracy"`
	MacroF1      float64 `json:"macro_f1"`
	MicroF1      float64 `json:"micro_f1"`
	WeightedF1   float64 `json:"weighted_f1"`
	ECEBefore    float64 `json:"ece_before"`
	ECEAfter     float64 `json:"ece_after"`
	NTrain       int     `json:"n_train"`
	NValid       int     `json:"n_valid"`
	NFeatures    int     `json:"n_features"`
	TrainSeconds float64 `json:"train_seconds"`
	// RefitOn, with options.refit, is how many questions the published
	// model was retrained on after these metrics were measured.
	RefitOn int `json:"refit_on,omitempty"`
}

// SearchResult is the outcome of a hyperparameter search.
type SearchResult struct {
	Best           tune.Params `json:"best"`
	Configurations int         `json:"configurations"`
	Seconds        float64     `json:"seconds"`
	Note           string      `json:"note"`
}
