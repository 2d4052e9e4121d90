// Package client is a small typed client for the intent API (the api
// command): one question (GET /intent), a batch (POST /intent) and the
// readiness probe.
//
//	c := client.New("http://localhost:4002", nil)
//	r, err := c.Intent(ctx, "risques poisson cru pendant la grossesse ?")
//	// r.Intent == "26", r.Probability == 0.73...
//
// Intents are returned as text whatever their JSON type (the server sends a
// number when every label is an integer). A non-2xx answer is an *Error
// carrying the status and the server's message. A Client is safe for
// concurrent use.
package client
