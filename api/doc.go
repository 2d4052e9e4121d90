// Command api serves intent predictions over HTTP.
//
//	api --models models/ --addr :4002
//	curl -G http://localhost:4002/intent --data-urlencode "query=risques poisson cru pendant la grossesse ?"
//	{"intent": 26, "probability": "0.73356545"}
//
// # Configuration
//
// --models is a models folder holding version folders models/<n>/ (every
// valid version is loaded, at most --keep of the newest, and the newest
// answers by default), a single version folder, or a model file. --addr is
// the listen address. PORT (as :PORT) and MODELS_DIR from the environment
// replace the defaults; a flag given on the command line wins over both.
// --check asks /healthz of the server on --addr and exits 0 or 1: the
// Docker HEALTHCHECK of an image without curl. See --help for the limits,
// timeouts and log settings.
//
// # Endpoints
//
//	GET  /intent?query=Q[&top=K][&version=N]
//	     {"intent": 26, "probability": "0.73356545"}
//	     with top: {"intent": .., "probability": .., "ranking": [{"intent": .., "probability": ".."}, ...]}
//	POST /intent {"queries": ["..", ..], "top": K, "version": N}   (top and version optional)
//	     {"results": [<answer>, ...]} in the order of queries
//	GET  /healthz   200 while the process serves
//	GET  /readyz    200 {"status":"ready","default_version":N,"versions":[..]} once a model is loaded, else 503
//	GET  /metrics   Prometheus text format
//
// Model server (README.md has every request, answer and error):
//
//	GET    /models, /models/{n}       versions with state, metrics, report
//	PUT    /models/default            pin a version {"version": n}; DELETE unpins
//	POST   /models                    upload a model file as the next version
//	DELETE /models/{n}                remove a version (409 for the pinned default)
//	POST   /infer {"texts": [..]}     raw decision values and probabilities
//	POST   /test {"version": n}       predictions and labels of its validation split
//	POST   /examples, GET /examples, DELETE /examples/{id}   labeled questions (SQLite)
//	POST   /train                     start a training task: 202 {"task_id": ..}
//	GET    /status/{task_id}, /tasks  task state, progress, data report, result
//
// Mutating endpoints (POST/PUT/DELETE above except /intent, /infer and
// /test) need "Authorization: Bearer <API_TOKEN>"; without a configured
// token they answer 403.
//
// The intent is a JSON number when every label of the model is an integer,
// a string otherwise; the probability is the calibrated probability as a
// string with 8 decimals. Every answer ends with a newline.
//
// # Errors
//
// Every error is JSON {"error": "..."}:
//
//	400  missing, empty or blank query; invalid UTF-8; bad URL escape; top
//	     not in 1..number of intents; version not a positive integer;
//	     malformed or unknown-field JSON body; empty "queries"
//	404  unknown model version; unknown route
//	405  wrong method, with an Allow header
//	413  query over --max-query characters (10,000 by default, counted in
//	     Unicode code points); body over --max-body bytes (1 MiB); more than
//	     --max-batch queries (1,000)
//	500  a handler panicked: logged with its stack, the process keeps serving
//	503  no model loaded
//
// # Operations
//
// The access log (log/slog, JSON or text) records method, route template,
// status, duration and sizes, never the question. /metrics has
// intent_http_requests_total and intent_http_request_duration_seconds by
// route template, method and code, intent_http_requests_in_flight,
// intent_http_panics_total, intent_model_info{version,default,...},
// intent_models_loaded, intent_models_failed and the Go and process
// collectors, in a registry of the server's own.
//
// The models folder is rescanned every --reload-interval (500ms): a new
// version is loaded, checked with a probe prediction and swapped in
// atomically (requests read an immutable snapshot through an atomic
// pointer and never lock); a version that fails to load is logged, counted
// and not retried until its file changes, and the previous one keeps
// serving; a removed folder is unloaded.
//
// SIGINT and SIGTERM stop accepting connections and let requests in flight
// finish, for at most --shutdown-timeout.
//
// The code: main.go wires signals to run (run.go), which an end-to-end test
// starts on port 0; config.go holds the flags; routes.go lists every route
// and middleware; intent.go, health.go, models.go, infer.go, examples.go,
// tasks_http.go hold the handlers; registry.go the loaded versions; auth.go
// the token check; tasks*.go the training queue over the store package;
// errors.go the error type and its status table; respond.go the JSON
// writers.
package main
