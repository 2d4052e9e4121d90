package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// tokenAuth guards the mutating endpoints. It keeps only the SHA-256 of
// the configured token: comparing two hashes of equal length in constant
// time reveals neither the token nor its length through timing.
type tokenAuth struct {
	sum [sha256.Size]byte
	set bool
}

func newTokenAuth(token string) tokenAuth {
	if token == "" {
		return tokenAuth{}
	}
	return tokenAuth{sum: sha256.Sum256([]byte(token)), set: true}
}

// check reports whether the Authorization header carries the token.
func (a tokenAuth) check(header string) (present, ok bool) {
	scheme, tok, found := strings.Cut(strings.TrimSpace(header), " ")
	tok = strings.TrimSpace(tok)
	if !found || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return false, false
	}
	sum := sha256.Sum256([]byte(tok))
	return true, subtle.ConstantTimeCompare(sum[:], a.sum[:]) == 1
}

// requireToken lets a request through only with "Authorization: Bearer
// <token>" matching API_TOKEN (or --token-file). With no token configured
// the endpoint is disabled: 403, saying how to enable it. A missing or
// wrong token is 401 with a WWW-Authenticate challenge (RFC 6750). The
// token is never logged.
func (s *server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.auth.set {
			writeError(w, r, s.log, errorf(kindForbidden,
				"%s %s is disabled: set API_TOKEN (or --token-file) to enable this endpoint, then send \"Authorization: Bearer <token>\"",
				r.Method, truncate(r.URL.Path, 200)))
			return
		}
		present, ok := s.auth.check(r.Header.Get("Authorization"))
		switch {
		case !present:
			w.Header().Set("WWW-Authenticate", `Bearer realm="intent"`)
			writeError(w, r, s.log, errorf(kindUnauthorized, `missing token: send "Authorization: Bearer <token>" with the server's API_TOKEN`))
		case !ok:
			w.Header().Set("WWW-Authenticate", `Bearer realm="intent", error="invalid_token"`)
			writeError(w, r, s.log, errorf(kindUnauthorized, "invalid token"))
		default:
			next.ServeHTTP(w, r)
		}
	})
}
