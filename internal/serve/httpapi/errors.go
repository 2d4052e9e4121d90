package httpapi

import (
	"errors"
	"intent/internal/errcode"
	"log/slog"
	"net/http"
)

// kind is the code of an error (package errcode): errors are defined,
// with their code, in the package where they arise; statusOf turns the code
// into an HTTP status.
type kind = errcode.Code

const (
	kindInternal     = errcode.Internal
	kindInvalid      = errcode.Invalid
	kindTooLarge     = errcode.TooLarge
	kindNotFound     = errcode.NotFound
	kindMethod       = errcode.Method
	kindUnavailable  = errcode.Unavailable
	kindConflict     = errcode.Conflict
	kindUnauthorized = errcode.Unauthorized
	kindForbidden    = errcode.Forbidden
	kindUnsupported  = errcode.Unsupported
)

// statusOf is the one place where an error kind becomes an HTTP status.
var statusOf = [...]int{
	kindInternal:     http.StatusInternalServerError,
	kindInvalid:      http.StatusBadRequest,
	kindTooLarge:     http.StatusRequestEntityTooLarge,
	kindNotFound:     http.StatusNotFound,
	kindMethod:       http.StatusMethodNotAllowed,
	kindUnavailable:  http.StatusServiceUnavailable,
	kindConflict:     http.StatusConflict,
	kindUnauthorized: http.StatusUnauthorized,
	kindForbidden:    http.StatusForbidden,
	kindUnsupported:  http.StatusUnsupportedMediaType,
}

// apiError is the error type of every handler: Msg is shown to the
// client, Err only logged.
type apiError = errcode.Error

// errorf builds an error of kind k with a client-facing message.
var errorf = errcode.New

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error string `json:"error"`
}

// writeError answers err as {"error": "..."} with the status of its kind.
// Errors that are not an *apiError are internal: the client sees a generic
// message and the details go to the log.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{Code: kindInternal, Msg: "internal error", Err: err}
	}
	status := http.StatusInternalServerError
	if int(ae.Code) < len(statusOf) && statusOf[ae.Code] != 0 {
		status = statusOf[ae.Code]
	}
	if status >= 500 && ae.Code != kindUnavailable {
		log.LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.String("error", ae.Error()))
	}
	writeJSON(w, status, errorBody{Error: ae.Msg})
}
