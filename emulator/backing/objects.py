"""The emulator's own S3 client: fetch channels, upload artifacts and checkpoints."""

import json
import os
from pathlib import Path, PurePosixPath

import boto3
from botocore.config import Config


class BadS3Uri(ValueError):
    pass


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

    def list_keys(self, bucket: str, prefix: str) -> list[str]:
        keys = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys.extend(obj["Key"] for obj in page.get("Contents", []))
        return keys

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
        bucket, key = split_s3_uri(uri)
        manifest = json.loads(self.client.get_object(Bucket=bucket, Key=key)["Body"].read())
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
            self.client.download_file(bucket, key, str(target))
            total += target.stat().st_size
        return total

    def upload_file(self, path: Path, uri: str) -> None:
        bucket, key = split_s3_uri(uri)
        self.client.upload_file(str(path), bucket, key)

    def upload_tree(self, root: Path, uri: str) -> None:
        bucket, prefix = split_s3_uri(uri)
        prefix = prefix.rstrip("/") + "/" if prefix else ""
        for dirpath, _, files in os.walk(root):
            for name in files:
                path = Path(dirpath) / name
                self.client.upload_file(str(path), bucket, prefix + path.relative_to(root).as_posix())
