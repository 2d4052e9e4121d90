package jobs

import (
	"context"

	"intent/internal/errcode"
	"intent/model/pipeline"
)

// Check is the data report of p's data without training: what the
// data_report of a task for p would say (sources, counts per intent,
// rejected rows and why, whether the data is usable). A source that
// cannot be read is an Invalid error naming it.
func (t *Service) Check(ctx context.Context, p Plan) (DataReport, error) {
	r := &execution{svc: t, ctx: ctx, plan: p}
	job, err := r.job() // p was validated (Plan): what fails here is internal
	if err != nil {
		return DataReport{}, err
	}
	info, err := pipeline.Check(ctx, job)
	if err != nil {
		if ctx.Err() != nil {
			return DataReport{}, err
		}
		return DataReport{}, errcode.New(errcode.Invalid, "%s", fieldError(err).Error())
	}
	return DataReport{Sources: info.Sources, Format: info.Format, StoredExamples: len(job.Examples), Report: *info.Check}, nil
}
