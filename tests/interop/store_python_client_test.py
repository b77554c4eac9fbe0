"""store_server answers a client generated from proto/ for another language.

Generates Python stubs from proto/ with Debian's protoc and grpc_python_plugin,
starts a real store_server on a free loopback port, and drives Put, Get, Scan
and Stats, plus grpc.health.v1 and server reflection, from python3-grpcio.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.getcwd(), "tests/interop"))
import interop_support  # noqa: E402
from interop_support import load_module, store_article  # noqa: E402

WORK = interop_support.make_work_dir("interop_")
GENERATED = interop_support.generate_stubs(
    WORK, interop_support.ARCHIVE_PROTOS +
    [interop_support.HEALTH_PROTO, interop_support.REFLECTION_PROTO])

import grpc  # noqa: E402
from archive.v1 import article_pb2, store_pb2, store_pb2_grpc  # noqa: E402
health_pb2 = load_module(
    "health_pb2", os.path.join(GENERATED, "grpc/health/v1/health_pb2.py"))
reflection_pb2 = load_module(
    "reflection_pb2",
    os.path.join(GENERATED, "grpc/reflection/v1alpha/reflection_pb2.py"))


class StoreInteropTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = interop_support.ServerProcess(
            "store/store_server", ["--db=" + os.path.join(WORK, "db")], WORK, "store")
        cls.channel = grpc.insecure_channel(cls.server.address)
        grpc.channel_ready_future(cls.channel).result(timeout=30)
        cls.store = store_pb2_grpc.StoreStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.server.stop()

    def test_put_get_scan_stats(self):
        first = store_article("aawsat.com", "Python title", "Python body.", 1673568000)
        copy = store_article("mirror.net", "Python title", "Python body.", 1673568000)
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
        bad = store_article("aawsat.com", "T", "B", 1673568000)
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
