// Package testrepo lays out models folders for tests: tiny models
// (package testmodel) or one trained on the bundled sample, written as
// versions through modelrepo.
package testrepo
