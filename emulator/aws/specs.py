"""botocore's service models, loaded once: the single source of API truth."""

from functools import lru_cache

import botocore.loaders
import botocore.model


@lru_cache(maxsize=None)
def service_model(service: str) -> botocore.model.ServiceModel:
    loader = botocore.loaders.Loader()
    return botocore.model.ServiceModel(loader.load_service_model(service, "service-2"), service)


def operation_model(service: str, operation: str) -> botocore.model.OperationModel:
    return service_model(service).operation_model(operation)
