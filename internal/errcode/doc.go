// Package errcode gives library errors a code (not found, conflict,
// invalid...) where they arise, so that the HTTP layer turns codes into
// statuses in one table and the library never knows about HTTP.
package errcode
