package httpapi

import (
	_ "embed"
	"net/http"
	"sync/atomic"

	"github.com/gorilla/mux"
)

// openAPI describes this API in OpenAPI 3.1: every route with its
// parameters, request bodies, answers and errors. It is written by hand;
// openapi_test.go fails when a route is missing from it or it names one
// the router does not have, and checks real answers against its schemas.
//
//go:embed openapi.json
var openAPI []byte

// handleOpenAPI answers GET /openapi.json with the document.
func handleOpenAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeBody(w, http.StatusOK, openAPI)
	})
}

// routerBuilt, when set, is called with every router (*server).router
// builds: the OpenAPI test walks the routes of a server made by New.
var routerBuilt atomic.Pointer[func(*mux.Router)]
