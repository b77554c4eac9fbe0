"""store_server answers a client generated from proto/ for another language.

Generates Python stubs from proto/ with Debian's protoc and grpc_python_plugin,
starts a real store_server on a free loopback port, and drives Put, Get, Scan
and Stats, plus grpc.health.v1 and server reflection, from python3-grpcio.
"""
import hashlib
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest

RUNFILES = os.getcwd()
WORK = tempfile.mkdtemp(prefix="interop_", dir=os.environ.get("TEST_TMPDIR"))


def generate_stubs():
    out = os.path.join(WORK, "gen")
    os.makedirs(out)
    protos = [
        ("proto", "archive/v1/article.proto"),
        ("proto", "archive/v1/store.proto"),
        ("third_party/grpc_health", "grpc/health/v1/health.proto"),
        ("third_party/grpc_reflection", "grpc/reflection/v1alpha/reflection.proto"),
    ]
    for root, path in protos:
        subprocess.check_call([
            "/usr/bin/protoc", "-I" + root, "-I/usr/include",
            "--python_out=" + out, "--grpc_out=" + out,
            "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin",
            path,
        ])
    sys.path.insert(0, out)
    return out


def load_module(name, path):
    """Imports a generated module by file: the grpc.* packages of the health
    and reflection protos would otherwise be shadowed by grpcio itself."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATED = generate_stubs()

import grpc  # noqa: E402
from archive.v1 import article_pb2, store_pb2, store_pb2_grpc  # noqa: E402
health_pb2 = load_module(
    "health_pb2", os.path.join(GENERATED, "grpc/health/v1/health_pb2.py"))
reflection_pb2 = load_module(
    "reflection_pb2",
    os.path.join(GENERATED, "grpc/reflection/v1alpha/reflection_pb2.py"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def article(source, title, body, seconds):
    digest = hashlib.sha256((title + "\n\n" + body).encode()).hexdigest()
    a = article_pb2.Article(source=source, title=title, body=body,
                            url="https://%s/a" % source,
                            content_digest=digest, id=digest[:32])
    a.published_at.seconds = seconds
    a.crawled_at.seconds = seconds + 60
    return a


class StoreInteropTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.address = "127.0.0.1:%d" % free_port()
        cls.log = open(os.path.join(WORK, "store.log"), "w")
        cls.server = subprocess.Popen(
            ["store/store_server", "--listen=" + cls.address,
             "--db=" + os.path.join(WORK, "db")],
            stdout=cls.log, stderr=subprocess.STDOUT)
        cls.channel = grpc.insecure_channel(cls.address)
        grpc.channel_ready_future(cls.channel).result(timeout=30)
        cls.store = store_pb2_grpc.StoreStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.server.terminate()
        cls.assert_exit = cls.server.wait(timeout=30)
        cls.log.close()

    def test_put_get_scan_stats(self):
        first = article("aawsat.com", "Python title", "Python body.", 1673568000)
        copy = article("mirror.net", "Python title", "Python body.", 1673568000)
        reply = self.store.Put(store_pb2.PutRequest(items=[
            store_pb2.PutItem(article=first), store_pb2.PutItem(article=copy)]),
            timeout=10)
        self.assertEqual([r.outcome for r in reply.results],
                         [article_pb2.OUTCOME_STORED, article_pb2.OUTCOME_DUPLICATE])
        self.assertEqual(reply.results[1].duplicate_of, first.id)

        got = self.store.Get(store_pb2.GetRequest(id=first.id), timeout=10)
        self.assertEqual(got.title, "Python title")
        self.assertEqual(len(got.sightings), 1)
        self.assertEqual(got.sightings[0].source, "mirror.net")

        page = self.store.Scan(store_pb2.ScanRequest(source="aawsat.com"), timeout=10)
        self.assertEqual([a.id for a in page.articles], [first.id])

        stats = self.store.Stats(store_pb2.StatsRequest(), timeout=10)
        self.assertGreaterEqual(stats.article_count, 1)
        self.assertIn("aawsat.com", [s.source for s in stats.sources])

    def test_bad_input_names_the_field(self):
        bad = article("aawsat.com", "T", "B", 1673568000)
        bad.body = "changed"
        with self.assertRaises(grpc.RpcError) as caught:
            self.store.Put(store_pb2.PutRequest(items=[store_pb2.PutItem(article=bad)]),
                           timeout=10)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("items[0].article.content_digest", caught.exception.details())

    def test_health(self):
        check = self.channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
            response_deserializer=health_pb2.HealthCheckResponse.FromString)
        for service in ("", "archive.v1.Store"):
            reply = check(health_pb2.HealthCheckRequest(service=service), timeout=10)
            self.assertEqual(reply.status, health_pb2.HealthCheckResponse.SERVING)

    def test_reflection(self):
        info = self.channel.stream_stream(
            "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
            request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
            response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)
        requests = [
            reflection_pb2.ServerReflectionRequest(list_services=""),
            reflection_pb2.ServerReflectionRequest(file_containing_symbol="archive.v1.Store"),
        ]
        replies = list(info(iter(requests), timeout=10))
        names = [s.name for s in replies[0].list_services_response.service]
        self.assertIn("archive.v1.Store", names)
        self.assertIn("grpc.health.v1.Health", names)
        files = replies[1].file_descriptor_response.file_descriptor_proto
        self.assertTrue(files)
        from google.protobuf import descriptor_pb2
        names = []
        for blob in files:
            fd = descriptor_pb2.FileDescriptorProto()
            fd.ParseFromString(blob)
            names.append(fd.name)
        self.assertIn("archive/v1/store.proto", names)


if __name__ == "__main__":
    unittest.main(verbosity=2)
