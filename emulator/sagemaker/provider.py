"""The SageMaker API: one method per operation, named as the operation is (snake_case).

Each method takes the validated request (a dict shaped as the botocore input shape) and
returns the output shape's dict; HTTP, JSON and error wire formats are the gateway's. The
provider only gathers the methods of the parts that serve them: each job kind's
JobOperations, hosting's InferenceApi, Tagging, Searcher.
"""


class SageMakerProvider:
    def __init__(self, parts: list):
        """parts: each has methods(), its operations' method names -> methods."""
        self._methods = {}
        for part in parts:
            for name, method in part.methods().items():
                if name in self._methods:
                    raise ValueError(f"two parts serve {name}")
                self._methods[name] = method

    def __getattr__(self, name: str):
        try:
            return self.__dict__["_methods"][name]
        except KeyError:
            raise AttributeError(name) from None

    def operations(self) -> list[str]:
        """The method names served, e.g. create_training_job."""
        return sorted(self._methods)
