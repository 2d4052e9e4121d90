package httpapi

import (
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"

	"github.com/gorilla/mux"

	"intent/internal/serve/versions"
	"intent/modelrepo"
)

// The named models, in the spirit of TensorFlow Serving: /v1/models lists
// them; /v1/models/{name}/... offers, for each model (the default one
// included, as "default"), what /models/... offers for the default model,
// plus labels, reset and the model file's download. A model is created by
// an upload or a training task naming it.

// namedJSON is one model in GET /v1/models.
type namedJSON struct {
	Name     string         `json:"name"`
	Default  *int           `json:"default"`
	Versions []int          `json:"versions"`
	Labels   map[string]int `json:"labels"`
}

func handleNamedModels(set *versions.Set) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out := struct {
			Models []namedJSON `json:"models"`
		}{Models: []namedJSON{}}
		for _, name := range set.Names() {
			reg, err := set.Get(name)
			if err != nil {
				continue // reset meanwhile
			}
			s := reg.Snapshot()
			j := namedJSON{Name: name, Versions: s.FolderNumbers(), Labels: s.Labels}
			if j.Labels == nil {
				j.Labels = map[string]int{}
			}
			if s.Default != nil {
				j.Default = &s.Default.N
			}
			out.Models = append(out.Models, j)
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// named runs the handler h builds for the model of {name}; create makes a
// model that does not exist yet (an upload into it).
func named(set *versions.Set, log *slog.Logger, create bool, h func(*versions.Registry) http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := mux.Vars(r)["name"]
		reg, err := set.Get(name)
		if err != nil && create {
			reg, err = set.Create(r.Context(), name)
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		h(reg).ServeHTTP(w, r)
	})
}

func handleSetLabel(reg *versions.Registry, lim Limits, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := readVersionBody(w, r, lim)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		if err := reg.SetLabel(mux.Vars(r)["label"], n); err != nil {
			writeError(w, r, log, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]map[string]int{"labels": reg.Snapshot().Labels})
	})
}

func handleDeleteLabel(reg *versions.Registry, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := reg.DeleteLabel(mux.Vars(r)["label"]); err != nil {
			writeError(w, r, log, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]map[string]int{"labels": reg.Snapshot().Labels})
	})
}

func handleLabels(reg *versions.Registry) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		labels := reg.Snapshot().Labels
		if labels == nil {
			labels = map[string]int{}
		}
		writeJSON(w, http.StatusOK, map[string]map[string]int{"labels": labels})
	})
}

func handleReset(set *versions.Set, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := mux.Vars(r)["name"]
		n, err := set.Reset(r.Context(), name)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"model": name, "removed_versions": n})
	})
}

// handleDownload answers GET /v1/models/{name}/versions/{n}/model.bin: the
// model file as stored, a saved state to load elsewhere (POST it back).
func handleDownload(reg *versions.Registry, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := versionParam(r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		f := reg.Snapshot().Folder(n)
		if f == nil || f.Dir == "" {
			writeError(w, r, log, errorf(kindNotFound, "unknown model version %d (versions: %s)", n, versions.JoinInts(reg.Snapshot().FolderNumbers())))
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="model-`+strconv.Itoa(n)+`.bin"`)
		http.ServeFile(w, r, filepath.Join(f.Dir, modelrepo.ModelFile))
	})
}

// namedRoutes registers /v1/models and /v1/models/{name}/...
func (s *server) namedRoutes(handle func(path string, h http.Handler, methods ...string)) {
	set, log := s.set, s.log
	get := func(h func(*versions.Registry) http.Handler) http.Handler { return named(set, log, false, h) }
	handle("/v1/models", handleNamedModels(set), http.MethodGet)
	handle("/v1/models/{name}", get(handleModels), http.MethodGet)
	handle("/v1/models/{name}", s.requireToken(named(set, log, true, func(reg *versions.Registry) http.Handler {
		return handleUpload(reg, s.upload, log)
	})), http.MethodPost)
	handle("/v1/models/{name}", s.requireToken(handleReset(set, log)), http.MethodDelete)
	handle("/v1/models/{name}/default", get(handleDefault), http.MethodGet)
	handle("/v1/models/{name}/default", s.requireToken(get(func(reg *versions.Registry) http.Handler { return handlePin(reg, s.limits, log) })), http.MethodPut)
	handle("/v1/models/{name}/default", s.requireToken(get(func(reg *versions.Registry) http.Handler { return handleUnpin(reg, log) })), http.MethodDelete)
	handle("/v1/models/{name}/versions/{n}", get(func(reg *versions.Registry) http.Handler { return handleModel(reg, log) }), http.MethodGet)
	handle("/v1/models/{name}/versions/{n}", s.requireToken(get(func(reg *versions.Registry) http.Handler { return handleDeleteModel(reg, log) })), http.MethodDelete)
	handle("/v1/models/{name}/versions/{n}/model.bin", get(func(reg *versions.Registry) http.Handler { return handleDownload(reg, log) }), http.MethodGet)
	handle("/v1/models/{name}/labels", get(handleLabels), http.MethodGet)
	handle("/v1/models/{name}/labels/{label}", s.requireToken(get(func(reg *versions.Registry) http.Handler { return handleSetLabel(reg, s.limits, log) })), http.MethodPut)
	handle("/v1/models/{name}/labels/{label}", s.requireToken(get(func(reg *versions.Registry) http.Handler { return handleDeleteLabel(reg, log) })), http.MethodDelete)
}
