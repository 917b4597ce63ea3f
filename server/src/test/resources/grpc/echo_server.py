"""A gRPC origin for the interop tests (Debian's python3-grpcio): generic handlers over raw bytes,
so no protoc or generated code is needed. usage: echo_server.py [PORT] (default: a free one).
Prints "PORT n" once it listens on 127.0.0.1:n."""
import sys
import time
from concurrent import futures

import grpc

BIG = 16 << 20


def ident(b):
    return b


def unary(req, ctx):
    md = dict(ctx.invocation_metadata())
    if 'x-meta' in md:
        ctx.send_initial_metadata((('x-echo-meta', md['x-meta']),))
        ctx.set_trailing_metadata((('x-trailer', 'bye-' + md['x-meta']),))
    return req


def server_stream(req, ctx):
    for i in range(int(req.decode())):
        yield b'msg-%d' % i


def client_stream(requests, ctx):
    return b'|'.join(requests)


def bidi(requests, ctx):
    for m in requests:
        yield b'echo-' + m


def fail(req, ctx):
    ctx.send_initial_metadata((('x-before', 'error'),))  # headers first: the status goes in the trailers
    ctx.abort(grpc.StatusCode.NOT_FOUND, 'thing not found: ' + req.decode())


def fail_fast(req, ctx):
    ctx.abort(grpc.StatusCode.PERMISSION_DENIED, 'no entry')  # a trailers-only answer


def slow(req, ctx):
    time.sleep(3)
    return req


def check(req, ctx):
    return b'\x08\x01'  # HealthCheckResponse{status: SERVING}


def main():
    u = lambda f: grpc.unary_unary_rpc_method_handler(f, request_deserializer=ident, response_serializer=ident)
    echo = {
        'Unary': u(unary),
        'Fail': u(fail),
        'FailFast': u(fail_fast),
        'Slow': u(slow),
        'ServerStream': grpc.unary_stream_rpc_method_handler(server_stream, request_deserializer=ident,
                                                             response_serializer=ident),
        'ClientStream': grpc.stream_unary_rpc_method_handler(client_stream, request_deserializer=ident,
                                                             response_serializer=ident),
        'Bidi': grpc.stream_stream_rpc_method_handler(bidi, request_deserializer=ident, response_serializer=ident),
    }
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16),
                         options=[('grpc.max_receive_message_length', BIG), ('grpc.max_send_message_length', BIG)])
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler('test.Echo', echo),
                                     grpc.method_handlers_generic_handler('grpc.health.v1.Health', {'Check': u(check)})))
    port = server.add_insecure_port('127.0.0.1:' + (sys.argv[1] if len(sys.argv) > 1 else '0'))
    server.start()
    print('PORT', port, flush=True)
    server.wait_for_termination()


if __name__ == '__main__':
    main()
