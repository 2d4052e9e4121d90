package pipeline

import (
	"context"

	"intent/model"
	"intent/model/dataset"
)

// Check reads job's data (Data and Examples) and checks it exactly as Run
// does before splitting, without training: the data report Run's Checked
// hook receives, whether the data is usable or not. Only a source that
// cannot be read at all is an error.
func Check(ctx context.Context, job Job) (*model.DataInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	show := job.ShowPath
	if show == nil {
		show = func(p string) string { return p }
	}
	examples, info, rejected, err := load(job, show)
	if err != nil {
		return nil, err
	}
	check := dataset.Check(examples, rejected, MinPerIntent)
	info.Check = &check
	return info, nil
}
