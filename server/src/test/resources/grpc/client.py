"""A gRPC client for the interop tests (Debian's python3-grpcio): runs every call kind against a
target and prints one line per result. usage: client.py HOST:PORT [CA_PEM]"""
import hashlib
import os
import sys

import grpc

BIG = 16 << 20


def ident(b):
    return b


def main():
    target = sys.argv[1]
    options = [('grpc.max_receive_message_length', BIG), ('grpc.max_send_message_length', BIG)]
    if len(sys.argv) > 2:
        creds = grpc.ssl_channel_credentials(root_certificates=open(sys.argv[2], 'rb').read())
        channel = grpc.secure_channel(target, creds, options=options)
    else:
        channel = grpc.insecure_channel(target, options=options)
    uu = lambda m: channel.unary_unary(m, request_serializer=ident, response_deserializer=ident)

    resp, call = uu('/test.Echo/Unary').with_call(b'hello', metadata=(('x-meta', 'm1'),), timeout=10)
    md = dict(call.initial_metadata())
    tr = dict(call.trailing_metadata())
    print('unary', resp.decode(), md.get('x-echo-meta'), tr.get('x-trailer'), flush=True)

    ss = channel.unary_stream('/test.Echo/ServerStream', request_serializer=ident, response_deserializer=ident)
    print('server_stream', ','.join(m.decode() for m in ss(b'5', timeout=10)), flush=True)

    cs = channel.stream_unary('/test.Echo/ClientStream', request_serializer=ident, response_deserializer=ident)
    print('client_stream', cs(iter([b'a', b'b', b'c']), timeout=10).decode(), flush=True)

    bd = channel.stream_stream('/test.Echo/Bidi', request_serializer=ident, response_deserializer=ident)
    print('bidi', ','.join(m.decode() for m in bd(iter([b'x', b'y', b'z']), timeout=10)), flush=True)

    for method in ('Fail', 'FailFast'):
        try:
            uu('/test.Echo/' + method)(b'thing', timeout=10)
            print('error', method, 'none', flush=True)
        except grpc.RpcError as e:
            print('error', method, e.code().name, e.details(), flush=True)

    try:
        uu('/test.Echo/Slow')(b'late', timeout=0.5)
        print('deadline none', flush=True)
    except grpc.RpcError as e:
        print('deadline', e.code().name, flush=True)

    big = os.urandom(4 << 20)
    got = uu('/test.Echo/Unary')(big, timeout=30)
    print('big', len(got), hashlib.sha256(got).hexdigest() == hashlib.sha256(big).hexdigest(), flush=True)

    try:
        uu('/test.Dead/Unary')(b'x', timeout=10)
        print('unavailable none', flush=True)
    except grpc.RpcError as e:
        print('unavailable', e.code().name, e.details(), flush=True)

    print('health', uu('/grpc.health.v1.Health/Check')(b'', timeout=10).hex(), flush=True)


if __name__ == '__main__':
    main()
