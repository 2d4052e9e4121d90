package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
)

//go:embed ui
var files embed.FS

// CSP is the Content-Security-Policy of every file of the interface: only
// this origin's scripts, styles, images and API; no inline script or
// style, no plugin, no framing, no form posted elsewhere.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Asset is one embedded file.
type Asset struct {
	Name        string // its name under ui/, served at /ui/<name> (index.html at /)
	ContentType string
	Body        []byte
	ETag        string // a strong validator: the body's SHA-256, quoted
}

var assets = load()

func load() map[string]*Asset {
	out := map[string]*Asset{}
	err := fs.WalkDir(files, "ui", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		name := p[len("ui/"):]
		ct := mime.TypeByExtension(path.Ext(name))
		switch path.Ext(name) {
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".svg":
			ct = "image/svg+xml"
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		sum := sha256.Sum256(b)
		out[name] = &Asset{Name: name, ContentType: ct, Body: b, ETag: `"` + hex.EncodeToString(sum[:16]) + `"`}
		return nil
	})
	if err != nil {
		panic("web: reading the embedded files: " + err.Error()) // cannot happen: embed checked them at build
	}
	return out
}

// Lookup returns the file served at /ui/<name>.
func Lookup(name string) (*Asset, bool) {
	a, ok := assets[name]
	return a, ok && name != "index.html"
}

// Index is the page served at /.
func Index() *Asset { return assets["index.html"] }

// Names lists the embedded files, sorted.
func Names() []string {
	out := make([]string, 0, len(assets))
	for n := range assets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Size is the total size of the embedded files in bytes.
func Size() int {
	n := 0
	for _, a := range assets {
		n += len(a.Body)
	}
	return n
}

// Headers sets the security and caching headers of a file of the
// interface. Files are revalidated on every load (no-cache with the ETag):
// a new binary's interface is never mixed with an old one's.
func Headers(h http.Header, a *Asset) {
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Type", a.ContentType)
	h.Set("ETag", a.ETag)
}
