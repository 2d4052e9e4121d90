// Package modelrepo owns the models folder on disk: one numbered folder
// per version (models/<n>/model.bin, report.json, confusion.csv,
// valid.jsonl, and HELD when the version must not become the default by
// itself), the pin file DEFAULT naming the default version, the
// high-water mark .highest, and the leftovers of interrupted writes.
//
// It is the only code that knows this layout. Every change is atomic and
// durable before it is visible: a version folder appears complete or not
// at all (written under a hidden name, synced, renamed), its number is
// recorded as used before it appears (so no number is ever reused, even
// after a failed or deleted publish), and the decision whether it becomes
// the default is on disk before it appears, so that a crash at any instant
// never lets a server serve, as the default, a version nobody approved.
// Writers in several processes are serialized by an advisory lock on the
// folder.
package modelrepo
