package io.pingora4j.server.plugins.directory;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * What a file lookup found, computed off the event loop: the status, the fields and the body
 * bytes (the whole file, or one range). Immutable once built.
 *
 * @param length the representation's length for Content-Length on HEAD (the body is then empty)
 */
record StaticFile(int status, List<String[]> fields, ByteBuffer body, long length) {
}
