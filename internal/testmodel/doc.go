// Package testmodel trains, once per test binary, the tiny models that the
// tests of several packages share: three intents of eight phrasings, with
// integer labels ("numeric") or string labels ("string").
package testmodel
