package httpapi

import "os"

// fileExists reports whether path is a regular file (or a link to one).
func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}
