package modelrepo

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"

	"intent/internal/errcode"
)

// LabelsFile, in a models root, maps labels ("stable", "ckpt_3") to the
// versions they name, as JSON. It is written atomically under the folder's
// lock.
const LabelsFile = "LABELS"

// labelPattern is what a label may look like: not a number (a number is a
// version), no path characters.
var labelPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]{0,63}$`)

// CheckLabel refuses a label that cannot name a version.
func CheckLabel(label string) error {
	if !labelPattern.MatchString(label) {
		return errcode.New(errcode.Invalid, "label %q: use a letter or _ then letters, digits, _, . or - (at most 64; a number is a version, not a label)", errcode.Truncate(label, 70))
	}
	return nil
}

// Labels reads the labels; none is an empty map.
func (r *Repo) Labels() (map[string]int, error) {
	b, err := os.ReadFile(filepath.Join(r.root, LabelsFile))
	if err != nil {
		if isNotExist(err) {
			return map[string]int{}, nil
		}
		return nil, fmt.Errorf("modelrepo: read the labels: %w", err)
	}
	out := map[string]int{}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("modelrepo: the labels file %s is damaged: %v", LabelsFile, err)
	}
	return out, nil
}

// SetLabel points label at version n (which must exist), moving it if it
// named another version.
func (r *Repo) SetLabel(label string, n int) error {
	if err := CheckLabel(label); err != nil {
		return err
	}
	unlock, err := r.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if st, err := os.Stat(r.Dir(n)); err != nil || !st.IsDir() {
		return errcode.New(errcode.NotFound, "unknown model version %d", n)
	}
	labels, err := r.Labels()
	if err != nil {
		return err
	}
	labels[label] = n
	return r.writeLabels(labels)
}

// DeleteLabel removes label; NotFound when there is none.
func (r *Repo) DeleteLabel(label string) error {
	unlock, err := r.lock()
	if err != nil {
		return err
	}
	defer unlock()
	labels, err := r.Labels()
	if err != nil {
		return err
	}
	if _, ok := labels[label]; !ok {
		return errcode.New(errcode.NotFound, "no label %q", errcode.Truncate(label, 70))
	}
	delete(labels, label)
	return r.writeLabels(labels)
}

func (r *Repo) writeLabels(labels map[string]int) error {
	b, err := json.MarshalIndent(labels, "", "  ")
	if err != nil {
		return err
	}
	return writeFile("labels", filepath.Join(r.root, LabelsFile), append(b, '\n'))
}

// labelsOf lists the labels naming version n, sorted.
func labelsOf(labels map[string]int, n int) []string {
	var out []string
	for l, v := range labels {
		if v == n {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// ParseRef reads a version reference: a version number or a label.
func ParseRef(ref string) (n int, label string) {
	if v, ok := versionName(ref); ok {
		return v, ""
	}
	return 0, ref
}
