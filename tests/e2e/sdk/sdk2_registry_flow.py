"""The SageMaker Python SDK 2.x's Model Registry path, unchanged: Model.register() into a
model package group (the SDK looks the group up with Search and creates it), then the
ModelPackage it returns .deploy()s (the SDK approves the version first) and predicts.
Run with nothing but the environment `sagemaker-emulator env` prints; prints one JSON line."""

import json
import sys

import boto3
import sagemaker
from sagemaker.deserializers import JSONDeserializer
from sagemaker.model import Model
from sagemaker.predictor import Predictor
from sagemaker.serializers import JSONSerializer

image, model_data, group, role = sys.argv[1:5]
# register() needs the session given (deploy() would make one; register() does not).
model = Model(image_uri=image, model_data=model_data, role=role, predictor_cls=Predictor,
              sagemaker_session=sagemaker.Session())
package = model.register(content_types=["application/json"], response_types=["application/json"],
                         inference_instances=["ml.m5.large"], transform_instances=["ml.m5.large"],
                         model_package_group_name=group, description="registered by the SDK",
                         customer_metadata_properties={"stage": "test"})
sm = boto3.client("sagemaker")
registered = sm.describe_model_package(ModelPackageName=package.model_package_arn)

predictor = package.deploy(initial_instance_count=1, instance_type="ml.m5.large")
predictor.serializer, predictor.deserializer = JSONSerializer(), JSONDeserializer()
prediction = predictor.predict([[1, 2, 3], [4, 5, 6]])
deployed = sm.describe_model_package(ModelPackageName=package.model_package_arn)
model_desc = sm.describe_model(ModelName=package.name)
predictor.delete_model()  # before the endpoint: it finds the model through the endpoint's config
predictor.delete_endpoint()

print()  # deploy()'s progress dots end without a newline
print(json.dumps({"arn": package.model_package_arn, "registered_status": registered["ModelApprovalStatus"],
                  "description": registered.get("ModelPackageDescription"),
                  "metadata": registered.get("CustomerMetadataProperties"),
                  "container": registered["InferenceSpecification"]["Containers"][0],
                  "deployed_status": deployed["ModelApprovalStatus"],
                  "model_containers": model_desc.get("Containers") or [model_desc["PrimaryContainer"]],
                  "prediction": prediction}))
