package main

// testToken is the bearer token the end-to-end servers are started with.
const testToken = "s3cret-t0ken-for-tests"
