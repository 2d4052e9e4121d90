package httpapi

import (
	"intent/internal/serve/versions"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, in a registry of their own
// (not the global one) so that tests can build many servers.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	panics   prometheus.Counter
	inFlight prometheus.Gauge

	// series caches the children of requests and duration per label set:
	// WithLabelValues hashes its labels and allocates on every call.
	mu     sync.RWMutex
	series map[seriesKey]series
}

type seriesKey struct {
	route, method string
	code          int
}

type series struct {
	count prometheus.Counter
	dur   prometheus.Observer
}

func newMetrics(models *versions.Registry) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "intent_http_requests_total",
			Help: "HTTP requests answered, by route template, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "intent_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route template, method and status code.",
			Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method", "code"}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "intent_http_panics_total",
			Help: "Handler panics recovered into a 500 answer.",
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "intent_http_requests_in_flight",
			Help: "HTTP requests being answered.",
		}),
		series: make(map[seriesKey]series),
	}
	m.reg.MustRegister(m.requests, m.duration, m.panics, m.inFlight,
		modelCollector{models},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe records one answered request.
func (m *metrics) observe(route, method string, code int, d time.Duration) {
	k := seriesKey{route, method, code}
	m.mu.RLock()
	s, ok := m.series[k]
	m.mu.RUnlock()
	if !ok {
		c := strconv.Itoa(code)
		s = series{m.requests.WithLabelValues(route, method, c), m.duration.WithLabelValues(route, method, c)}
		m.mu.Lock()
		m.series[k] = s
		m.mu.Unlock()
	}
	s.count.Inc()
	s.dur.Observe(d.Seconds())
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// modelCollector reports the loaded versions from the registry at scrape
// time, so the metrics cannot drift from what the server actually serves.
type modelCollector struct{ models *versions.Registry }

var (
	modelInfoDesc = prometheus.NewDesc("intent_model_info",
		"A loaded model version (value 1); default=\"true\" marks the one answering when no version is asked.",
		[]string{"version", "default", "labels", "created", "data_hash", "program_version"}, nil)
	modelsLoadedDesc = prometheus.NewDesc("intent_models_loaded",
		"Number of model versions loaded.", nil, nil)
	modelsFailedDesc = prometheus.NewDesc("intent_models_failed",
		"Number of model versions that failed to load.", nil, nil)
)

func (c modelCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- modelInfoDesc
	ch <- modelsLoadedDesc
	ch <- modelsFailedDesc
}

func (c modelCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.models.Snapshot()
	for _, v := range s.Versions {
		ch <- prometheus.MustNewConstMetric(modelInfoDesc, prometheus.GaugeValue, 1,
			strconv.Itoa(v.N), strconv.FormatBool(v == s.Default), strconv.Itoa(v.Model.NumClasses()),
			v.Meta.CreatedAt.UTC().Format(time.RFC3339), v.Meta.DataHash, v.Meta.ProgramVersion)
	}
	ch <- prometheus.MustNewConstMetric(modelsLoadedDesc, prometheus.GaugeValue, float64(len(s.Versions)))
	ch <- prometheus.MustNewConstMetric(modelsFailedDesc, prometheus.GaugeValue, float64(len(s.Failed)))
}
