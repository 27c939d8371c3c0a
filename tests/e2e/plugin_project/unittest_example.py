"""The README's unittest example, run by tests/e2e/test_testing_plugin.py with `python -m
unittest` on the emulator $SAGEMAKER_EMULATOR_URL names. Both tests make the same model: the
second can only because isolated() removed the first one's."""

import unittest

from emulator.testing import Emulator

IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.6-cpu-py312"


class ModelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emulator = Emulator().start()  # or `with Emulator() as emulator:` in a script
        cls.addClassCleanup(cls.emulator.stop)

    def setUp(self):
        self.enterContext(self.emulator.isolated())  # what a test makes goes when it ends

    def make_model(self):
        sm = self.emulator.client("sagemaker")
        sm.create_model(ModelName="m", ExecutionRoleArn="arn:aws:iam::123456789012:role/R",
                        PrimaryContainer={"Image": IMAGE})
        return sm.describe_model(ModelName="m")

    def test_a_model(self):
        self.assertEqual(self.make_model()["ModelName"], "m")

    def test_the_same_model_again(self):  # possible: isolated() removed the other test's
        self.assertEqual(self.make_model()["ModelName"], "m")


if __name__ == "__main__":
    unittest.main()
