// Package versions is the model server's registry of loaded model
// versions. Requests read an immutable snapshot through an atomic pointer
// and never lock; changes (a reload of the models folder, a pin, a
// deletion, a publish) build a new snapshot under a mutex. The default is
// the pinned version, else the newest version that is not held (the rule
// of package modelrepo), so a version nobody approved never answers by
// default. At most --keep versions stay in memory; a request for another
// one loads it on demand and unloads the least recently used.
package versions
