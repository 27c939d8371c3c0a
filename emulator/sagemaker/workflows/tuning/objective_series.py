"""Each running trial's intermediate objective values, read from CloudWatch, where SageMaker
publishes them.

A training job's metric definitions turn every matching log line into a CloudWatch datapoint
as the job runs (namespace /aws/sagemaker/TrainingJobs, one series per job under the dimension
TrainingJobName, one per host under Host): that is where a tuning job reads the objective
epoch by epoch, as AWS's early stopping does. The emulator's CloudWatch is moto's backend, which
the MetricSink (backing/moto_services.py) writes into; moto keeps the datapoints in a list in
the order they were put, so a reader keeps its place in that list and each poll reads only
the points added since (GetMetricStatistics would scan every point the emulator holds on
each call, and merge the points of one second into one).
"""

from moto.cloudwatch.models import MetricDatum, cloudwatch_backends

from ....backing.moto_services import MetricSink

NAMESPACE = "/aws/sagemaker/TrainingJobs"  # where SageMaker publishes training jobs' metrics
JOB_DIMENSION = "TrainingJobName"


class ObjectiveSeries:
    """values[trial] = the objective's values in the order the trial printed them."""

    def __init__(self, metrics: MetricSink):
        self._metrics = metrics
        self._position = len(self._datapoints())  # a trial created from now on has no point before
        self.values: dict[str, list[float]] = {}

    def _datapoints(self) -> list:
        return cloudwatch_backends[self._metrics.account_id][self._metrics.region].metric_data

    def read(self, objectives: dict[str, str]) -> None:
        """Take the new points of the trials named (trial name -> objective metric name)."""
        datapoints = self._datapoints()
        if len(datapoints) < self._position:  # a fresh backend (moto reset): read it whole
            self._position = 0
        end = len(datapoints)  # others append meanwhile: what comes after `end` is read next time
        new, self._position = datapoints[self._position:end], end
        for point in new:
            if not isinstance(point, MetricDatum) or point.namespace != NAMESPACE:
                continue
            job = next((d.value for d in point.dimensions if d.name == JOB_DIMENSION), None)
            if job in objectives and point.name == objectives[job]:
                self.values.setdefault(job, []).append(point.value)
