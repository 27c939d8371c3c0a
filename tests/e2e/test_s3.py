"""The S3 API as a SageMaker user's code uses it: many buckets, big uploads, ranged reads."""

import uuid

import pytest


def test_many_buckets_each_take_writes(s3):
    # Every bucket is a SeaweedFS collection; with its defaults a few dozen exhausted the
    # volume slots and PutObject answered InternalError.
    names = [f"many-{uuid.uuid4().hex[:8]}-{i}" for i in range(40)]
    for name in names:
        s3.create_bucket(Bucket=name)
        s3.put_object(Bucket=name, Key="k", Body=name.encode())
    assert [s3.get_object(Bucket=n, Key="k")["Body"].read() for n in names] == [n.encode() for n in names]


def test_multipart_upload_and_ranged_get(s3):
    bucket = f"mpu-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    parts = [bytes([i]) * (5 * 1024 * 1024) for i in range(2)] + [b"tail"]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big.bin")
    etags = [s3.upload_part(Bucket=bucket, Key="big.bin", UploadId=upload["UploadId"], PartNumber=n + 1,
                            Body=body)["ETag"] for n, body in enumerate(parts)]
    s3.complete_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=upload["UploadId"], MultipartUpload={
        "Parts": [{"PartNumber": n + 1, "ETag": e} for n, e in enumerate(etags)]})
    whole = b"".join(parts)
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == len(whole)
    assert head["ETag"].strip('"').endswith("-3")  # AWS's multipart ETag shape
    start = 5 * 1024 * 1024 - 2
    ranged = s3.get_object(Bucket=bucket, Key="big.bin", Range=f"bytes={start}-{start + 5}")
    assert ranged["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert ranged["Body"].read() == whole[start:start + 6]


def test_missing_bucket_and_key_answer_as_aws(s3):
    with pytest.raises(s3.exceptions.ClientError) as info:
        s3.head_bucket(Bucket=f"absent-{uuid.uuid4().hex[:8]}")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(s3.exceptions.NoSuchBucket):
        s3.get_object(Bucket=f"absent-{uuid.uuid4().hex[:8]}", Key="k")
    bucket = f"keys-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=bucket, Key="nope")


def test_a_request_in_absolute_form_reaches_the_object(emulator, s3):
    """`GET http://host/bucket/key HTTP/1.1` (what a client sends through a proxy) must be
    served like the origin form: HTTP/1.1 servers accept both."""
    import urllib3

    bucket = f"absolute-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="dir/key.txt", Body=b"found")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "dir/key.txt"})
    answer = urllib3.ProxyManager(emulator.url).request("GET", url)
    assert (answer.status, answer.data) == (200, b"found")


def test_list_buckets_names_every_bucket_and_pages(s3):
    prefix = f"listed-{uuid.uuid4().hex[:8]}-"
    names = [f"{prefix}{i}" for i in range(3)]
    for name in names:
        s3.create_bucket(Bucket=name)
    listed = s3.list_buckets()
    mine = [b for b in listed["Buckets"] if b["Name"] in names]
    assert [b["Name"] for b in mine] == names  # sorted by name, as S3 lists them
    assert all(b["CreationDate"].year >= 2026 for b in mine)
    assert len(listed["Owner"]["ID"]) == 64
    first = s3.list_buckets(Prefix=prefix, MaxBuckets=2)
    assert [b["Name"] for b in first["Buckets"]] == names[:2] and first["ContinuationToken"] == names[1]
    rest = s3.list_buckets(Prefix=prefix, MaxBuckets=2, ContinuationToken=first["ContinuationToken"])
    assert [b["Name"] for b in rest["Buckets"]] == names[2:] and "ContinuationToken" not in rest
