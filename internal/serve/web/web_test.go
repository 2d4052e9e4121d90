package web

import (
	"regexp"
	"strings"
	"testing"
)

// maxSize bounds the embedded interface: it ships in every api binary.
const maxSize = 100 << 10

func TestAssets(t *testing.T) {
	if Index() == nil {
		t.Fatal("no index.html")
	}
	total := Size()
	t.Logf("%d files, %d bytes: %s", len(Names()), total, strings.Join(Names(), " "))
	if total > maxSize {
		t.Errorf("the interface is %d bytes, over %d", total, maxSize)
	}
	// Every file the page and the modules refer to is embedded, and every
	// embedded file is used.
	used := map[string]bool{"index.html": true}
	ref := regexp.MustCompile(`(?:src|href)="/ui/([^"]+)"|from '\./([^']+)'`)
	for _, name := range Names() {
		for _, m := range ref.FindAllStringSubmatch(string(assets[name].Body), -1) {
			f := m[1] + m[2]
			used[f] = true
			if _, ok := Lookup(f); !ok {
				t.Errorf("%s refers to %s, which is not embedded", name, f)
			}
		}
	}
	for _, name := range Names() {
		if !used[name] {
			t.Errorf("%s is embedded but nothing refers to it", name)
		}
	}
	if _, ok := Lookup("index.html"); ok {
		t.Error("index.html is served at / only")
	}
}

// The interface works offline and keeps to its Content-Security-Policy:
// no external address, no inline script or style, and data only ever
// rendered as text.
func TestAssetsAreSelfContainedAndSafe(t *testing.T) {
	external := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}`)
	for _, name := range Names() {
		body := string(assets[name].Body)
		for _, m := range external.FindAllString(body, -1) {
			if m != "http://www.w3.org" { // the SVG namespace: a name, never fetched
				t.Errorf("%s refers to an external address: %s", name, m)
			}
		}
		for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setAttribute('style'", "@import", "url("} {
			if strings.Contains(body, bad) {
				t.Errorf("%s uses %s", name, bad)
			}
		}
	}
	index := string(Index().Body)
	if regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`).MatchString(index) || strings.Contains(index, "<style") ||
		regexp.MustCompile(`\sstyle=|\son[a-z]+=`).MatchString(index) {
		t.Error("index.html has an inline script, style or event handler")
	}
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(CSP, d) {
			t.Errorf("the CSP lacks %s", d)
		}
	}
	if strings.Contains(CSP, "unsafe") {
		t.Error("the CSP allows something unsafe")
	}
}
