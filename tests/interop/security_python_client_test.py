"""The archive's security as a client in another language sees it.

Makes a CA, certificates and role tokens with deploy/certs.sh, starts real
store_server (mutual TLS, trusting ingest and query by their certificates'
common names and the operators' tokens), ingest_server and query_server
(TLS, tokens) on free loopback ports, and from python3-grpcio with
grpc.ssl_channel_credentials and "authorization: Bearer" metadata checks:
every identity against every RPC of Ingest, Query and Store; that a refused
call stores nothing and never repeats a token; certificates from another CA,
expired ones and plaintext refused; a replaced certificate served without a
restart; health open and reflection off.
"""
import os
import socket
import ssl
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.getcwd(), "tests/interop"))
import interop_support  # noqa: E402
from interop_support import ServerProcess, load_module, store_article  # noqa: E402

WORK = interop_support.make_work_dir("security_interop_")
GENERATED = interop_support.generate_stubs(
    WORK, interop_support.ARCHIVE_PROTOS +
    [interop_support.HEALTH_PROTO, interop_support.REFLECTION_PROTO])

import grpc  # noqa: E402
from archive.v1 import (article_pb2, ingest_pb2, ingest_pb2_grpc, query_pb2,  # noqa: E402
                        query_pb2_grpc, store_pb2, store_pb2_grpc)
health_pb2 = load_module(
    "health_pb2", os.path.join(GENERATED, "grpc/health/v1/health_pb2.py"))
reflection_pb2 = load_module(
    "reflection_pb2",
    os.path.join(GENERATED, "grpc/reflection/v1alpha/reflection_pb2.py"))

CERTS_SH = os.path.join(interop_support.RUNFILES, "deploy/certs.sh")
TIMEOUT = 10  # seconds, for every call
# What no forbidden call may leave behind: its articles all name this source.
FORBIDDEN_SOURCE = "forbidden.example"
# A token of the right shape that no tokens file knows.
UNKNOWN_TOKEN = "f" * 64

# Who calls: the role its token has (None: no token), and which client
# certificate it presents where the server asks for one. "client" has no
# role anywhere; "ingest" is a service by its common name at the store.
IDENTITIES = {
    "crawler": ("crawler", "client"),
    "reader": ("reader", "client"),
    "admin": ("admin", "client"),
    "service": ("service", "client"),
    "service-certificate": (None, "ingest"),
    "none": (None, "client"),
    "unknown": ("unknown", "client"),
}

# The roles each service admits (common/auth.h), and the identities that
# have a role there at all: tokens everywhere (the store's file has every
# token of certs.sh, as deploy/local/up.sh gives it), certificates only where
# the server verifies them (the store, with --tls_client_ca).
ALLOWED = {
    "archive.v1.Ingest": {"crawler", "admin"},
    "archive.v1.Query": {"reader", "admin"},
    "archive.v1.Store": {"service", "service-certificate", "admin"},
}
KNOWN = {
    "archive.v1.Ingest": {"crawler", "reader", "admin", "service"},
    "archive.v1.Query": {"crawler", "reader", "admin", "service"},
    "archive.v1.Store": {"crawler", "reader", "admin", "service", "service-certificate"},
}
NEEDS = {
    "archive.v1.Ingest": "needs the crawler or admin role",
    "archive.v1.Query": "needs the reader or admin role",
    "archive.v1.Store": "needs the admin or service role",
}


def read(path, mode="rb"):
    with open(path, mode) as f:
        return f.read()


def make_certificates(out, *names, tokens=False):
    subprocess.check_call([CERTS_SH, "--out=" + out] + (["--tokens"] if tokens else []) +
                          list(names), stderr=subprocess.DEVNULL)


def make_expired_certificate(ca_dir, out, name, san):
    """A certificate for `name` signed by the CA in `ca_dir`, valid only on
    2020-01-01: `openssl x509 -req` (OpenSSL 3.0) cannot date a certificate
    in the past, `openssl ca` can, with this minimal configuration."""
    os.makedirs(out)
    open(os.path.join(out, "index.txt"), "w").close()
    with open(os.path.join(out, "serial"), "w") as f:
        f.write("01\n")
    config = os.path.join(out, "ca.cnf")
    with open(config, "w") as f:
        f.write("[ca]\ndefault_ca = expired\n"
                "[expired]\ndatabase = %s/index.txt\nnew_certs_dir = %s\n"
                "serial = %s/serial\ndefault_md = sha256\npolicy = anything\n"
                "x509_extensions = usage\n"
                "[anything]\ncommonName = supplied\n"
                "[usage]\nsubjectAltName = %s\n"
                "extendedKeyUsage = serverAuth,clientAuth\n" % (out, out, out, san))
    key = os.path.join(out, name + "-key.pem")
    cert = os.path.join(out, name + ".pem")
    csr = os.path.join(out, name + ".csr")
    subprocess.check_call(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj",
                           "/CN=" + name, "-keyout", key, "-out", csr],
                          stderr=subprocess.DEVNULL)
    subprocess.check_call(["openssl", "ca", "-batch", "-notext", "-config", config,
                           "-cert", os.path.join(ca_dir, "ca.pem"),
                           "-keyfile", os.path.join(ca_dir, "ca-key.pem"),
                           "-startdate", "20200101000000Z", "-enddate", "20200102000000Z",
                           "-in", csr, "-out", cert],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def serial_of(cert_path):
    out = subprocess.check_output(["openssl", "x509", "-in", cert_path, "-noout", "-serial"])
    return int(out.decode().strip().split("=", 1)[1], 16)


def served_serial(address, ca_path):
    """The serial of the certificate `address` serves, verified against
    `ca_path` and its IP name (ssl.SSLError when it does not verify)."""
    host, port = address.rsplit(":", 1)
    context = ssl.create_default_context(cafile=ca_path)
    context.set_alpn_protocols(["h2"])
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            return int(tls.getpeercert()["serialNumber"], 16)


def credentials(certs, ca="ca.pem", cert=None):
    """TLS credentials trusting `certs`/`ca`, presenting `cert` (a name made
    by certs.sh) when given."""
    if cert is None:
        return grpc.ssl_channel_credentials(read(os.path.join(certs, ca)))
    return grpc.ssl_channel_credentials(read(os.path.join(certs, ca)),
                                        read(os.path.join(certs, cert + "-key.pem")),
                                        read(os.path.join(certs, cert + ".pem")))


def health_check(channel, service=""):
    check = channel.unary_unary(
        "/grpc.health.v1.Health/Check",
        request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
        response_deserializer=health_pb2.HealthCheckResponse.FromString)
    return check(health_pb2.HealthCheckRequest(service=service), timeout=TIMEOUT).status


def serving(address, creds):
    """Whether a fresh channel with `creds` gets SERVING from `address`."""
    with grpc.secure_channel(address, creds) as channel:
        try:
            return health_check(channel) == health_pb2.HealthCheckResponse.SERVING
        except grpc.RpcError:
            return False


class SecurityInteropTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs = os.path.join(WORK, "certs")
        make_certificates(cls.certs, "localhost:IP:127.0.0.1", "ingest", "query", "client",
                          tokens=True)
        cls.tokens = {role: read(os.path.join(cls.certs, "tokens", role), "r").strip()
                      for role in ("crawler", "reader", "admin", "service")}
        cls.tokens["unknown"] = UNKNOWN_TOKEN
        store_tokens = os.path.join(WORK, "store_auth_tokens")
        with open(store_tokens, "w") as f:
            f.write(read(os.path.join(cls.certs, "auth_tokens"), "r"))
            f.write("service cn:ingest\nservice cn:query\n")

        def c(name):
            return os.path.join(cls.certs, name)

        tls = ["--tls_cert=" + c("localhost.pem"), "--tls_key=" + c("localhost-key.pem")]
        cls.servers = []
        cls.store = cls.start(
            "store/store_server", "store",
            tls + ["--tls_client_ca=" + c("ca.pem"), "--auth_tokens=" + store_tokens,
                   "--db=" + os.path.join(WORK, "db"), "--sync=false", "--workers=2"])
        cls.store.wait_until(lambda: serving(cls.store.address, credentials(
            cls.certs, cert="client")))
        for binary, name in (("ingest/ingest_server", "ingest"),
                             ("query/query_server", "query")):
            server = cls.start(
                binary, name,
                tls + ["--auth_tokens=" + c("auth_tokens"), "--stores=" + cls.store.address,
                       "--store_tls_ca=" + c("ca.pem"), "--store_tls_cert=" + c(name + ".pem"),
                       "--store_tls_key=" + c(name + "-key.pem")])
            server.wait_until(lambda: serving(server.address, credentials(cls.certs)))
            setattr(cls, name, server)
        cls.channels = {}
        # One article every reading RPC can find.
        cls.seed = ingest_pb2_grpc.IngestStub(cls.channel(cls.ingest, "client")).Submit(
            ingest_pb2.SubmitRequest(article=article_pb2.Article(
                source="seed.example", title="Seed article about Zanzibar",
                body="Every role that may read finds this seed.")),
            timeout=TIMEOUT, metadata=cls.metadata("admin"))
        assert cls.seed.outcome == article_pb2.OUTCOME_STORED, cls.seed

    @classmethod
    def tearDownClass(cls):
        for channel in cls.channels.values():
            channel.close()
        for server in reversed(cls.servers):
            server.stop()

    @classmethod
    def start(cls, binary, name, args):
        server = ServerProcess(binary, args, WORK, name)
        cls.servers.append(server)
        return server

    @classmethod
    def channel(cls, server, cert):
        key = (server.address, cert)
        if key not in cls.channels:
            cls.channels[key] = grpc.secure_channel(server.address,
                                                    credentials(cls.certs, cert=cert))
        return cls.channels[key]

    @classmethod
    def metadata(cls, role):
        return None if role is None else [("authorization", "Bearer " + cls.tokens[role])]

    def stubs(self, identity):
        """(Ingest, Query, Store stubs, metadata) as `identity` calls."""
        role, cert = IDENTITIES[identity]
        return (ingest_pb2_grpc.IngestStub(self.channel(self.ingest, cert)),
                query_pb2_grpc.QueryStub(self.channel(self.query, cert)),
                store_pb2_grpc.StoreStub(self.channel(self.store, cert)),
                self.metadata(role))

    def admin_store(self):
        return self.stubs("admin")[2], self.metadata("admin")

    def assert_refused(self, service, identity, call):
        """`call` fails as `identity` must be refused by `service`, and the
        message repeats no token."""
        with self.assertRaises(grpc.RpcError) as caught:
            call()
        error = caught.exception
        where = "%s as %s: %s" % (service, identity, error.details())
        if identity in KNOWN[service]:
            self.assertEqual(error.code(), grpc.StatusCode.PERMISSION_DENIED, where)
            self.assertIn(NEEDS[service], error.details(), where)
        else:
            self.assertEqual(error.code(), grpc.StatusCode.UNAUTHENTICATED, where)
        for token in self.tokens.values():
            self.assertNotIn(token, error.details(), where)
            for key, value in (error.trailing_metadata() or ()):
                self.assertNotIn(token, str(value), where)

    def check_every_identity(self, service, rpcs):
        """Runs each of `rpcs` (name -> function(identity, allowed)) as every
        identity: an allowed call must succeed (the function checks its
        answer), any other be refused."""
        for identity in IDENTITIES:
            allowed = identity in ALLOWED[service]
            for name, rpc in rpcs.items():
                with self.subTest(rpc=name, identity=identity):
                    if allowed:
                        rpc(identity, True)
                    else:
                        self.assert_refused(service, identity, lambda: rpc(identity, False))

    def assert_nothing_forbidden_stored(self):
        """Neither the query server nor the store holds an article of a
        forbidden call, as a reader and an operator see it."""
        _, query, _, reader = self.stubs("reader")
        sources = query.ListSources(query_pb2.ListSourcesRequest(), timeout=TIMEOUT,
                                    metadata=reader)
        self.assertNotIn(FORBIDDEN_SOURCE, [s.source for s in sources.sources])
        store, admin = self.admin_store()
        stats = store.Stats(store_pb2.StatsRequest(), timeout=TIMEOUT, metadata=admin)
        self.assertNotIn(FORBIDDEN_SOURCE, [s.source for s in stats.sources])
        return ({s.source: s.article_count for s in sources.sources}, stats)

    def test_every_identity_against_every_ingest_rpc(self):
        source = "ingest-roles.example"

        def article(identity, allowed, rpc, n=0):
            return article_pb2.Article(
                source=source if allowed else FORBIDDEN_SOURCE,
                title="%s number %d by %s" % (rpc, n, identity),
                body="Sent to ingest %s as %s, article %d of its call." % (rpc, identity, n))

        def submit(identity, allowed):
            ingest, _, _, metadata = self.stubs(identity)
            reply = ingest.Submit(
                ingest_pb2.SubmitRequest(article=article(identity, allowed, "Submit")),
                timeout=TIMEOUT, metadata=metadata)
            self.assertEqual(reply.outcome, article_pb2.OUTCOME_STORED, reply)

        def submit_stream(identity, allowed):
            ingest, _, _, metadata = self.stubs(identity)
            requests = [ingest_pb2.SubmitRequest(
                article=article(identity, allowed, "SubmitStream", n)) for n in range(2)]
            replies = list(ingest.SubmitStream(iter(requests), timeout=TIMEOUT,
                                               metadata=metadata))
            self.assertEqual([r.outcome for r in replies], [article_pb2.OUTCOME_STORED] * 2)

        self.check_every_identity("archive.v1.Ingest",
                                  {"Submit": submit, "SubmitStream": submit_stream})
        counts, _ = self.assert_nothing_forbidden_stored()
        # Three articles for each identity allowed to submit.
        self.assertEqual(counts.get(source), 3 * len(ALLOWED["archive.v1.Ingest"]))

    def test_every_identity_against_every_query_rpc(self):
        seed = self.seed.id

        def get_article(identity, allowed):
            _, query, _, metadata = self.stubs(identity)
            got = query.GetArticle(query_pb2.GetArticleRequest(id=seed), timeout=TIMEOUT,
                                   metadata=metadata)
            self.assertEqual(got.title, "Seed article about Zanzibar")

        def list_articles(identity, allowed):
            _, query, _, metadata = self.stubs(identity)
            page = query.ListArticles(query_pb2.ListArticlesRequest(source="seed.example"),
                                      timeout=TIMEOUT, metadata=metadata)
            self.assertEqual([a.id for a in page.articles], [seed])

        def search_articles(identity, allowed):
            _, query, _, metadata = self.stubs(identity)
            found = query.SearchArticles(query_pb2.SearchArticlesRequest(query="zanzibar"),
                                         timeout=TIMEOUT, metadata=metadata)
            self.assertEqual([h.article.id for h in found.hits], [seed])

        def list_sources(identity, allowed):
            _, query, _, metadata = self.stubs(identity)
            sources = query.ListSources(query_pb2.ListSourcesRequest(), timeout=TIMEOUT,
                                        metadata=metadata)
            self.assertIn("seed.example", [s.source for s in sources.sources])

        def get_stats(identity, allowed):
            _, query, _, metadata = self.stubs(identity)
            stats = query.GetStats(query_pb2.GetStatsRequest(), timeout=TIMEOUT,
                                   metadata=metadata)
            self.assertGreaterEqual(stats.article_count, 1)
            self.assertEqual(stats.store_count, 1)

        self.check_every_identity("archive.v1.Query", {
            "GetArticle": get_article, "ListArticles": list_articles,
            "SearchArticles": search_articles, "ListSources": list_sources,
            "GetStats": get_stats})

    def test_every_identity_against_every_store_rpc(self):
        source = "store-roles.example"
        seed = self.seed.id
        admin_store, admin = self.admin_store()
        # What a forbidden Delete would remove.
        victim = store_article("victim.example", "Victim", "Nobody may delete it.", 1700000000)
        admin_store.Put(store_pb2.PutRequest(items=[store_pb2.PutItem(article=victim)]),
                        timeout=TIMEOUT, metadata=admin)

        def put(identity, allowed):
            _, _, store, metadata = self.stubs(identity)
            article = store_article(source if allowed else FORBIDDEN_SOURCE,
                                    "Put by " + identity, "Put straight into the store as " +
                                    identity + ".", 1700000000)
            reply = store.Put(store_pb2.PutRequest(items=[store_pb2.PutItem(article=article)]),
                              timeout=TIMEOUT, metadata=metadata)
            self.assertEqual([r.outcome for r in reply.results], [article_pb2.OUTCOME_STORED])

        def get(identity, allowed):
            _, _, store, metadata = self.stubs(identity)
            got = store.Get(store_pb2.GetRequest(id=seed), timeout=TIMEOUT, metadata=metadata)
            self.assertEqual(got.id, seed)

        def scan(identity, allowed):
            _, _, store, metadata = self.stubs(identity)
            page = store.Scan(store_pb2.ScanRequest(source="seed.example"), timeout=TIMEOUT,
                              metadata=metadata)
            self.assertEqual([a.id for a in page.articles], [seed])

        def search(identity, allowed):
            _, _, store, metadata = self.stubs(identity)
            found = store.Search(store_pb2.SearchRequest(terms=["zanzibar"]), timeout=TIMEOUT,
                                 metadata=metadata)
            self.assertEqual([h.article.id for h in found.hits], [seed])

        def stats(identity, allowed):
            _, _, store, metadata = self.stubs(identity)
            reply = store.Stats(store_pb2.StatsRequest(), timeout=TIMEOUT, metadata=metadata)
            self.assertIn("seed.example", [s.source for s in reply.sources])

        def find_similar(identity, allowed):
            _, _, store, metadata = self.stubs(identity)
            reply = store.FindSimilar(
                store_pb2.FindSimilarRequest(queries=[store_pb2.SimilarityQuery(id=seed)],
                                             min_resemblance=0.8),
                timeout=TIMEOUT, metadata=metadata)
            self.assertTrue(reply.results[0].holds_id)

        def verify(identity, allowed):
            _, _, store, metadata = self.stubs(identity)
            reply = store.Verify(store_pb2.VerifyRequest(), timeout=TIMEOUT, metadata=metadata)
            self.assertGreaterEqual(reply.checked, 2)
            self.assertEqual(list(reply.damaged), [])

        def delete(identity, allowed):
            _, _, store, metadata = self.stubs(identity)
            if not allowed:
                store.Delete(store_pb2.DeleteRequest(ids=[victim.id]), timeout=TIMEOUT,
                             metadata=metadata)
                return
            doomed = store_article("doomed.example", "Deleted by " + identity,
                                   "Put to be deleted by " + identity + ".", 1700000000)
            admin_store.Put(store_pb2.PutRequest(items=[store_pb2.PutItem(article=doomed)]),
                            timeout=TIMEOUT, metadata=admin)
            reply = store.Delete(store_pb2.DeleteRequest(ids=[doomed.id]), timeout=TIMEOUT,
                                 metadata=metadata)
            self.assertEqual(reply.deleted, 1)

        self.check_every_identity("archive.v1.Store", {
            "Put": put, "Get": get, "Scan": scan, "Search": search, "Stats": stats,
            "FindSimilar": find_similar, "Verify": verify, "Delete": delete})
        _, stats_reply = self.assert_nothing_forbidden_stored()
        counts = {s.source: s.article_count for s in stats_reply.sources}
        self.assertEqual(counts.get(source), len(ALLOWED["archive.v1.Store"]))
        self.assertEqual(counts.get("doomed.example", 0), 0)
        self.assertEqual(counts.get("victim.example"), 1)
        self.assertEqual(admin_store.Get(store_pb2.GetRequest(id=victim.id), timeout=TIMEOUT,
                                         metadata=admin).title, "Victim")

    def test_a_crawler_token_cannot_put_into_a_store(self):
        admin_store, admin = self.admin_store()
        before = admin_store.Stats(store_pb2.StatsRequest(), timeout=TIMEOUT, metadata=admin)
        _, _, store, crawler = self.stubs("crawler")
        bypass = store_article("bypass.example", "Straight to the store",
                               "A crawler going around ingest's checks.", 1700000000)
        with self.assertRaises(grpc.RpcError) as caught:
            store.Put(store_pb2.PutRequest(items=[store_pb2.PutItem(article=bypass)]),
                      timeout=TIMEOUT, metadata=crawler)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        self.assertIn("needs the admin or service role; this is crawler's",
                      caught.exception.details())
        self.assertNotIn(self.tokens["crawler"], caught.exception.details())
        after = admin_store.Stats(store_pb2.StatsRequest(), timeout=TIMEOUT, metadata=admin)
        self.assertEqual((after.article_count, after.total_bytes),
                         (before.article_count, before.total_bytes))
        with self.assertRaises(grpc.RpcError) as missing:
            admin_store.Get(store_pb2.GetRequest(id=bypass.id), timeout=TIMEOUT,
                            metadata=admin)
        self.assertEqual(missing.exception.code(), grpc.StatusCode.NOT_FOUND)

    def test_refusals_are_logged_with_the_peer_and_no_log_holds_a_token(self):
        # Each server logs at most one refusal a second: two rounds, a second
        # apart, of one refused call a server.
        rounds = [
            [("crawler", "archive.v1.Query"), ("reader", "archive.v1.Ingest"),
             ("unknown", "archive.v1.Store")],
            [("service", "archive.v1.Ingest"), ("unknown", "archive.v1.Query"),
             ("crawler", "archive.v1.Store")],
        ]
        calls = {
            "archive.v1.Ingest": lambda stubs: stubs[0].Submit(
                ingest_pb2.SubmitRequest(article=article_pb2.Article(
                    source=FORBIDDEN_SOURCE, title="Logged", body="Refused, and logged.")),
                timeout=TIMEOUT, metadata=stubs[3]),
            "archive.v1.Query": lambda stubs: stubs[1].GetStats(
                query_pb2.GetStatsRequest(), timeout=TIMEOUT, metadata=stubs[3]),
            "archive.v1.Store": lambda stubs: stubs[2].Stats(
                store_pb2.StatsRequest(), timeout=TIMEOUT, metadata=stubs[3]),
        }
        for number, calls_of_round in enumerate(rounds):
            if number > 0:
                time.sleep(1.1)
            for identity, service in calls_of_round:
                stubs = self.stubs(identity)
                self.assert_refused(service, identity, lambda: calls[service](stubs))
        for server in (self.ingest, self.query, self.store):
            log = server.log()
            self.assertIn("refused a call from ipv4:127.0.0.1:", log, server.name)
            for role, token in self.tokens.items():
                self.assertNotIn(token, log, "%s's token in %s's log" % (role, server.name))

    def assert_refused_at_handshake(self, creds, reason):
        """A call to the mutual-TLS store with `creds` and the admin token
        fails before any call is admitted: UNAVAILABLE, the store logging
        the failed handshake and `reason`."""
        logged = len(self.store.log())
        with grpc.secure_channel(self.store.address, creds) as channel:
            with self.assertRaises(grpc.RpcError) as caught:
                store_pb2_grpc.StoreStub(channel).Stats(
                    store_pb2.StatsRequest(), timeout=TIMEOUT, metadata=self.metadata("admin"))
        self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAVAILABLE,
                         caught.exception.details())
        give_up = time.monotonic() + 5
        while reason not in self.store.log()[logged:] and time.monotonic() < give_up:
            time.sleep(0.05)
        self.assertIn("Handshake failed", self.store.log()[logged:])
        self.assertIn(reason, self.store.log()[logged:])

    def test_a_certificate_from_another_ca_is_refused_at_the_handshake(self):
        other = os.path.join(WORK, "other_ca")
        make_certificates(other, "ingest")  # the name the store trusts, another CA
        self.assert_refused_at_handshake(
            grpc.ssl_channel_credentials(read(os.path.join(self.certs, "ca.pem")),
                                         read(os.path.join(other, "ingest-key.pem")),
                                         read(os.path.join(other, "ingest.pem"))),
            "certificate verify failed")

    def test_no_client_certificate_is_refused_at_the_handshake(self):
        self.assert_refused_at_handshake(credentials(self.certs),
                                         "peer did not return a certificate")

    def test_an_expired_client_certificate_is_refused(self):
        cert, key = make_expired_certificate(self.certs, os.path.join(WORK, "expired_client"),
                                             "ingest", "DNS:ingest")
        self.assertNotEqual(subprocess.call(
            ["openssl", "verify", "-CAfile", os.path.join(self.certs, "ca.pem"), cert],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), 0)
        self.assert_refused_at_handshake(
            grpc.ssl_channel_credentials(read(os.path.join(self.certs, "ca.pem")),
                                         read(key), read(cert)),
            "certificate verify failed")

    def test_an_expired_server_certificate_is_refused(self):
        cert, key = make_expired_certificate(self.certs, os.path.join(WORK, "expired_server"),
                                             "localhost", "DNS:localhost,IP:127.0.0.1")
        server = ServerProcess("store/store_server",
                               ["--tls_cert=" + cert, "--tls_key=" + key,
                                "--db=" + os.path.join(WORK, "expired_db"), "--sync=false"],
                               WORK, "expired_store")
        try:
            server.wait_until(lambda: "listening on" in server.log())
            with grpc.secure_channel(server.address, credentials(self.certs)) as channel:
                with self.assertRaises(grpc.RpcError) as caught:
                    health_check(channel)
            self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAVAILABLE)
            with self.assertRaises(ssl.SSLCertVerificationError) as verify:
                served_serial(server.address, os.path.join(self.certs, "ca.pem"))
            self.assertIn("expired", str(verify.exception))
        finally:
            server.stop()

    def test_a_plaintext_client_gets_an_error_not_a_hang(self):
        for server in (self.ingest, self.query, self.store):
            with grpc.insecure_channel(server.address) as channel:
                started = time.monotonic()
                with self.assertRaises(grpc.RpcError) as caught:
                    health_check(channel)  # a deadline of TIMEOUT seconds
                elapsed = time.monotonic() - started
            self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAVAILABLE, server.name)
            self.assertLess(elapsed, 3, server.name)

    def test_a_replaced_certificate_is_served_without_a_restart(self):
        old = os.path.join(WORK, "rotate_old")
        new = os.path.join(WORK, "rotate_new")
        live = os.path.join(WORK, "rotate_live")
        make_certificates(old, "localhost:IP:127.0.0.1")
        make_certificates(new, "localhost:IP:127.0.0.1")  # a CA of its own
        os.makedirs(live)
        for name in ("localhost.pem", "localhost-key.pem"):
            with open(os.path.join(live, name), "wb") as f:
                f.write(read(os.path.join(old, name)))
        server = ServerProcess(
            "store/store_server",
            ["--tls_cert=" + os.path.join(live, "localhost.pem"),
             "--tls_key=" + os.path.join(live, "localhost-key.pem"),
             "--db=" + os.path.join(WORK, "rotate_db"), "--sync=false"],
            WORK, "rotating_store")
        try:
            server.wait_until(lambda: serving(server.address, credentials(old)))
            self.assertEqual(served_serial(server.address, os.path.join(old, "ca.pem")),
                             serial_of(os.path.join(old, "localhost.pem")))
            self.assertFalse(serving(server.address, credentials(new)))

            # As docs/SECURITY.md says: the new files next to the old, then
            # each renamed over its old one.
            for name in ("localhost-key.pem", "localhost.pem"):
                staged = os.path.join(live, name + ".new")
                with open(staged, "wb") as f:
                    f.write(read(os.path.join(new, name)))
                os.replace(staged, os.path.join(live, name))
            give_up = time.monotonic() + 10
            while not serving(server.address, credentials(new)):
                self.assertLess(time.monotonic(), give_up,
                                "the new certificate is not served after 10 s:\n" +
                                server.log())
                time.sleep(0.1)
            self.assertEqual(served_serial(server.address, os.path.join(new, "ca.pem")),
                             serial_of(os.path.join(new, "localhost.pem")))
            self.assertFalse(serving(server.address, credentials(old)))
            self.assertTrue(server.running())  # the same process: no restart
        finally:
            server.stop()

    def test_health_answers_without_a_token(self):
        for server, cert in ((self.ingest, None), (self.query, None), (self.store, "client")):
            with grpc.secure_channel(server.address,
                                     credentials(self.certs, cert=cert)) as channel:
                for service in ("", "archive.v1." + server.name.capitalize()):
                    self.assertEqual(health_check(channel, service),
                                     health_pb2.HealthCheckResponse.SERVING,
                                     (server.name, service))

    def test_reflection_is_not_served_with_tokens_on(self):
        for server in (self.ingest, self.query, self.store):
            for identity in ("admin", "none"):
                role, cert = IDENTITIES[identity]
                info = self.channel(server, cert).stream_stream(
                    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                    request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
                    response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)
                with self.assertRaises(grpc.RpcError, msg=(server.name, identity)) as caught:
                    list(info(iter([reflection_pb2.ServerReflectionRequest(list_services="")]),
                              timeout=TIMEOUT, metadata=self.metadata(role)))
                self.assertEqual(caught.exception.code(), grpc.StatusCode.UNIMPLEMENTED,
                                 (server.name, identity))


if __name__ == "__main__":
    unittest.main(verbosity=2)
