"""The XGBoost algorithm's channels, content types and data files (containers/xgboost; no image needed:
the readers use pandas and scikit-learn, which the emulator's venv has too)."""

import numpy as np
import pytest

from sagemaker_emulator_xgboost import channels, data
from sagemaker_emulator_xgboost.hyperparameters import UserError

FILE_CHANNEL = {"TrainingInputMode": "File", "S3DistributionType": "FullyReplicated", "RecordWrapperType": "None"}


def test_content_types_name_formats():
    assert channels.content_format("text/csv") == channels.CSV
    assert channels.content_format("text/csv; label_size=1") == channels.CSV
    assert channels.content_format("CSV") == channels.CSV
    assert channels.content_format("text/x-libsvm") == channels.LIBSVM
    assert channels.content_format(None) == channels.LIBSVM
    with pytest.raises(UserError, match="Optional parameter label_size must be equal to 1"):
        channels.content_format("text/csv;label_size=2")
    with pytest.raises(UserError, match=r"^application/json is not an accepted ContentType: csv, libsvm, "):
        channels.content_format("application/json")


def test_channels_as_the_container_checks_them():
    validated = channels.validate_channels({"train": {"ContentType": "text/csv", **FILE_CHANNEL},
                                            "validation": dict(FILE_CHANNEL)})
    assert validated["validation"]["ContentType"] == "text/libsvm"  # the default when a channel names none
    with pytest.raises(UserError, match="^Missing required channel: train$"):
        channels.validate_channels({"validation": {"ContentType": "text/csv", **FILE_CHANNEL}})
    with pytest.raises(UserError, match="^Extraneous channel found: test$"):
        channels.validate_channels({"train": {"ContentType": "text/csv", **FILE_CHANNEL},
                                    "test": {"ContentType": "text/csv", **FILE_CHANNEL}})
    with pytest.raises(UserError, match="^Channel configuration for 'train' channel is not supported: "):
        channels.validate_channels({"train": {**FILE_CHANNEL, "ContentType": "text/libsvm",
                                              "TrainingInputMode": "Pipe"}})


def test_data_files_skip_hidden_ones(tmp_path):
    (tmp_path / "part-1.csv").write_text("1,2\n")
    (tmp_path / "_SUCCESS").write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "part-2.csv").write_text("3,4\n")
    assert channels.data_files(str(tmp_path)) == [str(tmp_path / "part-1.csv"), str(tmp_path / "sub" / "part-2.csv")]
    (tmp_path / ".hidden").write_text("")
    with pytest.raises(UserError, match="Hidden file found in the data path!"):
        channels.check_no_hidden_files(str(tmp_path))


def test_a_file_that_is_not_libsvm_is_refused_by_its_first_lines(tmp_path):
    good, bad = tmp_path / "good.libsvm", tmp_path / "bad.libsvm"
    good.write_text("1 0:0.5 3:1.5\n0 1:2\n")
    bad.write_text("label,f1,f2\n1,2,3\n")
    channels.check_file_format(str(good), channels.LIBSVM)
    with pytest.raises(UserError, match=r"^First line 'label,f1,f2\n...' of file 'bad.libsvm' is not 'LIBSVM' format"):
        channels.check_file_format(str(bad), channels.LIBSVM)


def test_csv_reads_label_first_and_weights_second(tmp_path):
    (tmp_path / "a.csv").write_text("1.5,10,20\n2.5,11,\n")
    (tmp_path / "b.csv").write_text("3.5,12,22\n")
    files = [str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]
    features, labels, weights = data.read_csv_files(files, csv_weights=0)
    assert labels.tolist() == [1.5, 2.5, 3.5] and weights is None
    assert features[0].tolist() == [10, 20] and np.isnan(features[1, 1])  # an empty field is missing
    features, labels, weights = data.read_csv_files(files, csv_weights=1)
    assert weights.tolist() == [10, 11, 12] and features.shape == (3, 1)


def test_libsvm_keeps_indices_as_they_are(tmp_path):
    (tmp_path / "a.libsvm").write_text("1 1:0.5 3:2\n0 2:1\n")
    features, labels, _ = data.read_libsvm_files([str(tmp_path / "a.libsvm")])
    assert labels.tolist() == [1, 0]
    assert features.toarray().tolist() == [[0, 0.5, 0, 2], [0, 0, 1, 0]]  # column 0 is empty, as in xgboost
