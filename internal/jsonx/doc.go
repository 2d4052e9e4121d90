// Package jsonx appends JSON strings to byte slices without reflection,
// for the server's hot paths (answers are built in pooled buffers).
package jsonx
