"""C++ libraries for the .proto files under proto/, built with Debian's protoc
and grpc_cpp_plugin (packages protobuf-compiler and protobuf-compiler-grpc).

Import paths are relative to the package holding the .proto files, so
proto/archive/v1/store.proto is imported as "archive/v1/store.proto" and its
header is included as "archive/v1/store.pb.h".
"""

def archive_cc_proto_library(name, src, deps = [], proto_deps = [], grpc = False):
    """One .proto file's C++ library.

    Args:
      name: the cc_library's name.
      src: the .proto file, relative to the calling package.
      deps: archive_cc_proto_library targets of the files it imports.
      proto_deps: the .proto files it imports (for protoc's inputs).
      grpc: also generate the service's gRPC stubs.
    """
    base = src[:-len(".proto")]
    outs = [base + ".pb.h", base + ".pb.cc"]
    if grpc:
        outs += [base + ".grpc.pb.h", base + ".grpc.pb.cc"]
    root = native.package_name() or "."
    grpc_flags = ""
    if grpc:
        grpc_flags = " --grpc_out=$(GENDIR)/{root} --plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin".format(root = root)
    native.genrule(
        name = name + "_gen",
        srcs = [src] + proto_deps,
        outs = outs,
        cmd = "/usr/bin/protoc --proto_path={root} --cpp_out=$(GENDIR)/{root}{grpc} {src}".format(
            root = root,
            grpc = grpc_flags,
            src = src,
        ),
    )
    native.cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        includes = ["."],
        deps = deps + ["//third_party:protobuf"] + (["//third_party:grpcpp"] if grpc else []),
    )
