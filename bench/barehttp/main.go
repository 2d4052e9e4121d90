// Command barehttp is the ceiling the API is measured against: a bare
// net/http handler answering a fixed /intent JSON, no routing, no model.
// `make bench` runs it beside the real api in the same load test, so the
// ratio between the two is meaningful on a shared, noisy machine.
package main

import (
	"flag"
	"log"
	"net/http"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4003", "listen address")
	flag.Parse()
	body := []byte(`{"intent": 26, "probability": "0.73356545"}` + "\n")
	http.HandleFunc("/intent", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
