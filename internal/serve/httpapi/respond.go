package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"

	"intent/internal/jsonx"
	"intent/internal/serve/versions"
	"intent/model"
)

// writeJSON encodes v into a buffer first and only then writes the status
// and the body, so an encoding failure is a clean 500 rather than a 200
// with half a body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	bp := getBuf()
	defer putBuf(bp)
	buf := bytes.NewBuffer((*bp)[:0])
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false) // answers are not HTML: "<token>" stays readable
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":"internal error: cannot encode the response"}` + "\n")
	}
	*bp = buf.Bytes()
	writeBody(w, status, *bp)
}

// writeBody writes an already encoded JSON body.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["X-Content-Type-Options"] = nosniff
	w.WriteHeader(status)
	w.Write(body)
}

// Shared header values, so setting them does not allocate.
var (
	jsonContentType = []string{"application/json; charset=utf-8"}
	nosniff         = []string{"nosniff"}
)

// bufPool holds response buffers. Buffers that grew past maxPooledBuf (a
// large batch answer) are dropped rather than kept alive forever.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

const maxPooledBuf = 64 << 10

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) > maxPooledBuf {
		return
	}
	*b = (*b)[:0]
	bufPool.Put(b)
}

// The answers of /intent are written by the appenders below rather than by
// encoding/json: the format is fixed and small, and a hand-written appender
// into a pooled buffer does not allocate. The exact bytes are
//
//	{"intent": 26, "probability": "0.73356545"}
//	{"intent": 26, "probability": "0.73356545", "ranking": [{"intent": 26, "probability": "0.73356545"}, ...]}
//	{"results": [<answer>, <answer>, ...]}
//
// each followed by a newline, as encoding/json's Encoder would end it.

// appendAnswer appends one answer: the best intent and, when ranking is not
// empty, the ranking.
func appendAnswer(b []byte, v *versions.Version, best model.Prediction, ranking []model.Prediction) []byte {
	b = appendPrediction(b, v, best, false)
	if len(ranking) > 0 {
		b = append(b, `, "ranking": [`...)
		for i, p := range ranking {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendPrediction(b, v, p, true)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendPrediction appends {"intent": .., "probability": ".."}; when
// closed is false the closing brace is left for the caller.
func appendPrediction(b []byte, v *versions.Version, p model.Prediction, closed bool) []byte {
	b = append(b, `{"intent": `...)
	if p.Class == model.FallbackClass {
		b = append(b, v.FallbackJSON...)
	} else {
		b = append(b, v.IntentJSON[p.Class]...)
	}
	b = append(b, `, "probability": "`...)
	b = strconv.AppendFloat(b, p.Probability, 'f', 8, 64)
	b = append(b, '"')
	if closed {
		b = append(b, '}')
	}
	return b
}

// appendJSONString is jsonx.AppendString, named for the answers written here.
var appendJSONString = jsonx.AppendString
