"""Request bodies to DMatrix, as the container parses them for prediction (both modes).

CSV: features only (no label), rows split on newlines, the delimiter sniffed from the first
line (a letter or digit means ","), empty fields missing. LIBSVM: the `index:value` pairs of
each line (a leading label, if any, is ignored), indices as they are.
"""

import csv

import numpy as np


def csv_to_dmatrix(text):
    import xgboost as xgb

    text = text.decode("utf-8") if isinstance(text, (bytes, bytearray)) else text
    sniffed = csv.Sniffer().sniff(text.split("\n")[0][:512]).delimiter
    delimiter = "," if sniffed.isalnum() else sniffed
    rows = [["nan" if field == "" else field for field in line.split(delimiter)] for line in text.split("\n")]
    return xgb.DMatrix(np.array(rows).astype(float))


def libsvm_to_dmatrix(text):
    import xgboost as xgb
    from scipy.sparse import csr_matrix

    text = text.decode("utf-8") if isinstance(text, (bytes, bytearray)) else text
    rows, cols, values = [], [], []
    for row, line in enumerate(text.split("\n")):
        for item in line.split(" "):
            if ":" in item:
                index, value = item.split(":")[:2]
                rows.append(row)
                cols.append(int(index))
                values.append(float(value))
    return xgb.DMatrix(csr_matrix((np.array(values), (np.array(rows), np.array(cols, dtype=int)))))
