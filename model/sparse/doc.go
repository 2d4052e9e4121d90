// Package sparse holds the compressed sparse vectors and row matrices that the
// encoder produces and the linear classifier consumes.
//
// A Vector is an index slice and a value slice of equal length, indices
// strictly increasing. A Matrix stores many rows back to back (CSR layout) so
// that a training pass walks memory in order instead of chasing one slice
// header per document. Nothing here ever allocates documents x features.
package sparse
