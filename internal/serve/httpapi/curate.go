package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"intent/internal/serve/jobs"
	"intent/internal/serve/versions"
	"intent/store"
)

// Curating data by hand (the web interface's Data and Label pages, or any
// client): relabeling an example, the datasets of the data folder, and the
// labeling queue (label.go). They need a database that is a store.Curator.

// curateRoutes registers the curating endpoints; auth guards the ones that
// change something.
// The labeling queue ranks with the versions of reg.
func (t *tasksAPI) curateRoutes(handle func(path string, h http.Handler, methods ...string), auth func(http.Handler) http.Handler, reg *versions.Registry) {
	handle("/examples/by-key/{key}", auth(t.handleRelabel()), http.MethodPatch)
	handle("/examples/{id}", auth(t.handleRelabel()), http.MethodPatch)
	// A stored example predicted as GET /intent would (examples.go).
	handle("/examples/by-key/{key}/predict", t.handlePredictExample(), http.MethodGet)
	handle("/examples/{id}/predict", t.handlePredictExample(), http.MethodGet)
	handle("/datasets", t.handleDatasets(), http.MethodGet)
	handle("/check", t.handleCheck(), http.MethodPost)
	handle("/label/pool", auth(t.handleAddPool()), http.MethodPost)
	handle("/label/pool", auth(t.handleClearPool()), http.MethodDelete)
	handle("/label/queue", t.handleQueue(reg), http.MethodGet)
	handle("/label/queue/{id}", auth(t.handleLabel()), http.MethodPost)
	handle("/label/queue/{id}", auth(t.handleSkip()), http.MethodDelete)
}

// curator returns the database as a store.Curator, or a 403 error saying
// that this database cannot do what was asked.
func (t *tasksAPI) curator(what string) (store.Curator, error) {
	if c, ok := t.db.(store.Curator); ok {
		return c, nil
	}
	return nil, errorf(kindForbidden, "%s is not available with this server's database", what)
}

// idParam reads a positive integer path variable.
func idParam(r *http.Request, name, what string) (int64, error) {
	s := mux.Vars(r)[name]
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errorf(kindInvalid, "%s id must be a positive integer, got %q", what, truncate(s, 20))
	}
	return id, nil
}

// relabelRequest is the body of PATCH /examples/{id}.
type intentBody struct {
	Intent json.RawMessage `json:"intent"`
}

// readIntentBody reads {"intent": 26} (a number or a string), the body of
// a relabel and of labeling a queued question.
func readIntentBody(w http.ResponseWriter, r *http.Request) (string, error) {
	var req intentBody
	if err := readBody(w, r, maxExamplesBody, &req, `{"intent": 26}`, false); err != nil {
		return "", err
	}
	intent, err := intentOf(req.Intent)
	if err != nil {
		return "", errorf(kindInvalid, "%v", err)
	}
	return intent, nil
}

// exampleID is the numeric id of /examples/{id} or /examples/by-key/{key}.
func (t *tasksAPI) exampleID(r *http.Request) (int64, string, error) {
	id, key, err := exampleRef(r)
	if err != nil || key == "" {
		return id, key, err
	}
	e, err := t.db.ExampleByKey(r.Context(), key)
	if err != nil {
		return 0, key, storeError(err, refName(0, key))
	}
	return e.ID, key, nil
}

// readPlan reads a POST /train body (also POST /check's) and plans it.
func (t *tasksAPI) readPlan(w http.ResponseWriter, r *http.Request) (jobs.Plan, error) {
	var req jobs.Request
	if err := readBody(w, r, maxTrainBody, &req, jobs.RequestShape, true); err != nil {
		return jobs.Plan{}, err
	}
	return t.jobs.Plan(req)
}

// handleRelabel answers PATCH /examples/{id} and PATCH
// /examples/by-key/{key} {"intent": 26}: 200 with the example as GET
// /examples shows it, or 404. An unlabeled example so gets its label.
func (t *tasksAPI) handleRelabel() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, key, err := t.exampleID(r)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		intent, err := readIntentBody(w, r)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		c, err := t.curator("relabeling")
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		e, err := c.RelabelExample(r.Context(), id, intent)
		if err != nil {
			writeError(w, r, t.log, storeError(err, refName(id, key)))
			return
		}
		writeJSON(w, http.StatusOK, newExampleJSON(e))
	})
}

// datasetsJSON is the answer of GET /datasets.
type datasetsJSON struct {
	Datasets []jobs.Dataset `json:"datasets"`
}

// handleDatasets answers GET /datasets: what POST /train's and POST
// /check's "dataset" (or "data") and POST /label/pool's "data" can name,
// the Posos folders and data files at the top of the data folder (not the
// database, not hidden files; jobs.Datasets):
//
//	{"datasets": [{"path": "sample", "format": "posos", "labeled": true, "unlabeled": true}, ...]}
func (t *tasksAPI) handleDatasets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		all, err := jobs.Datasets(t.jobs.DataDir())
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		writeJSON(w, http.StatusOK, datasetsJSON{Datasets: all})
	})
}

// handleCheck answers POST /check with the body of POST /train (its
// "data" or "dataset", the columns and "use_examples"; the options and
// the callback are checked and otherwise ignored): the data report a
// training task would start with, without training. 200 whether the data
// is usable or not ("usable", "problems"): a plugin's "is it applicable"
// call.
func (t *tasksAPI) handleCheck() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := t.readPlan(w, r)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		rep, err := t.jobs.Check(r.Context(), p)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		writeJSON(w, http.StatusOK, rep)
	})
}
