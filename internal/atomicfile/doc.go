// Package atomicfile writes files so that a reader, or a restart after a
// crash, sees either the old content or the complete new one, never a torn
// write: temporary file in the same folder, fsync, rename, fsync of the
// folder.
package atomicfile
