// Package web is the api's web interface: plain HTML, CSS and JavaScript
// modules under ui/, embedded in the binary (no build step, no CDN, no
// external fonts), so it works offline. It only serves files: the pages
// drive the server through its public JSON API, as any client would.
//
// The HTTP layer (package httpapi) mounts it: the page at / and its files
// at /ui/<name>, each answered with the headers of Headers, a strict
// Content-Security-Policy among them (no inline script or style: data is
// rendered with textContent, never as HTML).
package web
