// Package httpapi is the model server's HTTP layer: routes, middleware,
// handlers, the one table that turns error codes into statuses, the strict
// JSON reader, and answer formatting. Handlers parse the request, call the
// version registry, the job runner or the store, and format the answer;
// Run wires them from the command line (package main in api/ only calls it).
package httpapi
