"""One module per step type: each turns the step's resolved arguments into the calls a user
would make (through SageMakerApi) and reads the step's properties from the Describe answer.
STEP_TYPES maps a definition's step Type to the function that runs one attempt of it."""

from . import callback, condition, create_model, fail, lambda_, processing, register_model, training, transform, \
    tuning, unsupported
from ..definition import NOT_EMULATED

STEP_TYPES = {
    "Processing": processing.run,
    "Training": training.run,
    "Transform": transform.run,
    "Tuning": tuning.run,
    "Model": create_model.run,
    "RegisterModel": register_model.run,
    "Condition": condition.run,
    "Fail": fail.run,
    "Callback": callback.run,
    "Lambda": lambda_.run,
    **{kind: unsupported.run for kind in NOT_EMULATED},
}
