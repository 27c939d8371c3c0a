"""Each running trial's intermediate objective values, read from CloudWatch, where SageMaker
publishes them.

A training job's metric definitions turn every matching log line into a CloudWatch datapoint
as the job runs (namespace /aws/sagemaker/TrainingJobs, one series per job under the dimension
TrainingJobName, one per host under Host): that is where a tuning job reads the objective
epoch by epoch, as AWS's early stopping does. The reader keeps its place in the emulator's
CloudWatch (MetricSink.points_since), so each poll reads only the points added since.
"""

from ....backing.moto_services import MetricSink

NAMESPACE = "/aws/sagemaker/TrainingJobs"  # where SageMaker publishes training jobs' metrics
JOB_DIMENSION = "TrainingJobName"


class ObjectiveSeries:
    """values[trial] = the objective's values in the order the trial printed them."""

    def __init__(self, metrics: MetricSink):
        self._metrics = metrics
        # A trial created from now on has no point before this one.
        self._position = metrics.points_since(0)[1]
        self.values: dict[str, list[float]] = {}

    def read(self, objectives: dict[str, str]) -> None:
        """Take the new points of the trials named (trial name -> objective metric name)."""
        points, self._position = self._metrics.points_since(self._position)
        for point in points:
            job = point.dimensions.get(JOB_DIMENSION)
            if point.namespace == NAMESPACE and job in objectives and point.name == objectives[job]:
                self.values.setdefault(job, []).append(point.value)
