"""The emulator's one interface to S3 (fetch channels and model data, upload artifacts,
checkpoints, captures and async answers), by s3:// URI. Everything above goes through it, so
another S3 backend is another implementation of this class.
"""

import contextlib
import json
import os
from pathlib import Path, PurePosixPath

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

_MISSING_CODES = {"NoSuchKey", "NoSuchBucket", "404", "NotFound"}


class BadS3Uri(ValueError):
    pass


class ObjectMissing(LookupError):
    """The bucket or the object a URI names does not exist."""


@contextlib.contextmanager
def _missing_raised_as_such(what: str):
    try:
        yield
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _MISSING_CODES:
            raise ObjectMissing(f"{what} does not exist") from exc
        raise


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise BadS3Uri(f"not an s3:// URI: {uri}")
    bucket, _, key = uri[5:].partition("/")
    if not bucket:
        raise BadS3Uri(f"no bucket in {uri}")
    return bucket, key


def safe_join(root: Path, relative: str) -> Path:
    """root/relative, refusing anything that would land outside root."""
    target = (root / relative).resolve()
    if target != root.resolve() and root.resolve() not in target.parents:
        raise BadS3Uri(f"object key escapes its folder: {relative}")
    return target


class ObjectStore:
    def __init__(self, endpoint_url: str, region: str):
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region,
            aws_access_key_id="emulator", aws_secret_access_key="emulator",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3},
                          max_pool_connections=32))

    def ping(self) -> None:
        """Returns once S3 answers; raises what the client raises while it does not."""
        self.client.list_buckets()

    def list_keys(self, bucket: str, prefix: str) -> list[str]:
        keys = []
        with _missing_raised_as_such(f"s3://{bucket}"):
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                keys.extend(obj["Key"] for obj in page.get("Contents", []))
        return keys

    def read(self, uri: str) -> bytes:
        bucket, key = split_s3_uri(uri)
        with _missing_raised_as_such(uri):
            return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()

    def write(self, uri: str, body: bytes, content_type: str | None = None) -> None:
        bucket, key = split_s3_uri(uri)
        self.client.put_object(Bucket=bucket, Key=key, Body=body, **({"ContentType": content_type} if content_type else {}))

    def etag(self, uri: str) -> str:
        bucket, key = split_s3_uri(uri)
        with _missing_raised_as_such(uri):
            return self.client.head_object(Bucket=bucket, Key=key)["ETag"]

    def download_file(self, uri: str, target: Path) -> None:
        bucket, key = split_s3_uri(uri)
        with _missing_raised_as_such(uri):
            self.client.download_file(bucket, key, str(target))

    def prefix_objects(self, uri: str) -> list[tuple[str, str, str]]:
        """(bucket, key, path in the channel) for an S3Prefix data source.

        The prefix is stripped from each key (s3://b/data/train holding data/train/a.csv
        gives a.csv); a prefix that is itself an object's whole key gives its base name.
        """
        bucket, prefix = split_s3_uri(uri)
        objects = []
        for key in self.list_keys(bucket, prefix):
            if key.endswith("/"):
                continue
            relative = key[len(prefix):].lstrip("/") or PurePosixPath(key).name
            objects.append((bucket, key, relative))
        return objects

    def manifest_objects(self, uri: str) -> list[tuple[str, str, str]]:
        """Objects named by a ManifestFile: [{"prefix": "s3://b/p/"}, "rel/key", ...]."""
        manifest = json.loads(self.read(uri))
        if not isinstance(manifest, list) or not manifest or "prefix" not in manifest[0]:
            raise BadS3Uri(f"manifest {uri} must be a JSON list starting with {{\"prefix\": ...}}")
        m_bucket, m_prefix = split_s3_uri(manifest[0]["prefix"])
        return [(m_bucket, m_prefix + rel, rel) for rel in manifest[1:]]

    def download(self, objects: list[tuple[str, str, str]], dest: Path) -> int:
        dest.mkdir(parents=True, exist_ok=True)
        total = 0
        for bucket, key, rel in objects:
            target = safe_join(dest, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            self.download_file(f"s3://{bucket}/{key}", target)
            total += target.stat().st_size
        return total

    def upload_file(self, path: Path, uri: str) -> None:
        bucket, key = split_s3_uri(uri)
        self.client.upload_file(str(path), bucket, key)

    def upload_tree(self, root: Path, uri: str) -> None:
        """Every regular file under root to uri/<relative path>; symbolic links are skipped."""
        bucket, prefix = split_s3_uri(uri)
        prefix = prefix.rstrip("/") + "/" if prefix else ""
        for dirpath, _, files in os.walk(root):
            for name in files:
                path = Path(dirpath) / name
                if path.is_symlink():  # what a container links to is the host's file, not its own
                    continue
                self.client.upload_file(str(path), bucket, prefix + path.relative_to(root).as_posix())
