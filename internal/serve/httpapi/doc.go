// Package httpapi is the model server's HTTP layer: routes, middleware,
// handlers, the one table that turns error codes (package errcode) into
// statuses, the strict JSON reader, and answer formatting. New builds the
// whole surface over the version registry (package versions) and, when
// given, the job runner (package jobs); handlers parse the request, call
// them or the store, and format the answer. The api command wires it.
package httpapi
