// Package jobs runs training tasks for the model server: a request is
// validated into a Plan with every default filled in, queued in the store,
// claimed atomically by the one worker, trained by the one training
// pipeline (model/pipeline), and published through the version registry
// with the default decided before the version appears. Task state moves
// through queued, preprocessing, training, then trained or failed.
package jobs
