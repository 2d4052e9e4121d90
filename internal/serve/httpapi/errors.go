package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
)

// kind classifies what went wrong; statusOf maps it to an HTTP status.
type kind int

const (
	kindInternal     kind = iota // a bug or an unexpected failure: 500
	kindInvalid                  // the request is malformed: 400
	kindTooLarge                 // a query, body or list over its limit: 413
	kindNotFound                 // no such route or version: 404
	kindMethod                   // the route exists, not for this method: 405
	kindUnavailable              // no model loaded yet: 503
	kindConflict                 // the request contradicts the server's state: 409
	kindUnauthorized             // a token is needed: 401
	kindForbidden                // the operation is disabled: 403
	kindUnsupported              // a body of a media type the endpoint does not take: 415
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

// apiError is the error type of every handler. Msg is shown to the client;
// Err, when set, is only logged.
type apiError struct {
	Kind kind
	Msg  string
	Err  error
}

func (e *apiError) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *apiError) Unwrap() error { return e.Err }

// errorf builds an apiError of kind k with a client-facing message.
func errorf(k kind, format string, args ...any) *apiError {
	return &apiError{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

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
		ae = &apiError{Kind: kindInternal, Msg: "internal error", Err: err}
	}
	status := http.StatusInternalServerError
	if int(ae.Kind) < len(statusOf) && statusOf[ae.Kind] != 0 {
		status = statusOf[ae.Kind]
	}
	if status >= 500 && ae.Kind != kindUnavailable {
		log.LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.String("error", ae.Error()))
	}
	writeJSON(w, status, errorBody{Error: ae.Msg})
}
