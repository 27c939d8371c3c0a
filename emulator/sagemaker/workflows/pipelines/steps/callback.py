"""Callback step: sends the SQS message AWS sends to the step's SqsQueueUrl (a queue of the
emulator's SQS), then waits for SendPipelineExecutionStepSuccess (with output parameters) or
SendPipelineExecutionStepFailure carrying the message's token.

The message body: {"token": <10 characters>, "pipelineExecutionArn": ..., "arguments": <the
step's arguments, evaluated>, "status": "Executing"}. When the execution is asked to stop
while the step waits, a second message with "status": "Stopping" goes to the queue and the
step keeps waiting for its answer, as on AWS. Output parameters arrive as text and are read as
their declared OutputType (String, Integer, Boolean, Float).
"""

import json

from .....backing.moto_services import QueueMissing
from .base import FAILED, SUCCEEDED, Outcome, random_token

_TYPES = {"String": str, "Integer": int, "Float": float,
          "Boolean": lambda text: {"true": True, "false": False}[text.lower()]}


def run(attempt):
    url = attempt.step.raw.get("SqsQueueUrl", "")
    arguments = attempt.resolve(attempt.step.arguments)
    token = random_token()
    message = {"token": token, "pipelineExecutionArn": attempt.execution_arn, "arguments": arguments}
    metadata = {"Callback": {"CallbackToken": token, "SqsQueueUrl": url}}
    answers = attempt.callbacks.expect(token, attempt.execution_arn)
    try:
        attempt.report(status="Executing", metadata=metadata)  # before the message: its reader may answer at once
        try:
            attempt.queues.send(url, json.dumps({**message, "status": "Executing"}))
        except QueueMissing as error:
            return Outcome.failed(f"ClientError: the callback message could not be sent to {url}: {error}",
                                  metadata=metadata)
        stopping_sent = False
        while (answer := answers.take(attempt.poll_seconds)) is None:
            attempt.check_open()
            if attempt.stop_requested.is_set() and not stopping_sent:
                stopping_sent = True
                attempt.report(status="Stopping")
                try:
                    attempt.queues.send(url, json.dumps({**message, "status": "Stopping"}))
                except QueueMissing:
                    pass  # the queue went meanwhile: the step still waits for its answer
    finally:
        attempt.callbacks.forget(token)
    if answer.failure_reason is not None:
        return Outcome(FAILED, metadata=metadata, failure_reason=answer.failure_reason or None)
    return _succeeded(attempt.step.outputs, answer.outputs, metadata)


def _succeeded(declared: list[dict], given: list[dict], metadata: dict) -> Outcome:
    values = {o["Name"]: o["Value"] for o in given}
    properties = {}
    for output in declared:
        name, kind = output.get("OutputName"), output.get("OutputType", "String")
        if name not in values:
            continue
        try:
            properties[name] = _TYPES.get(kind, str)(values[name])
        except (ValueError, KeyError):
            return Outcome.failed(f"ClientError: output parameter {name} = '{values[name]}' is not a {kind}",
                                  metadata=metadata)
    metadata = {"Callback": {**metadata["Callback"], "OutputParameters": given}}
    return Outcome(SUCCEEDED, properties={"OutputParameters": properties}, metadata=metadata)
