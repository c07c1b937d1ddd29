package io.skep.core.api;

/**
 * A request refused before it reached a route (a body over its cap, a malformed request line or header): answered in
 * its turn among the connection's requests, with {@code status} and Docker's {@code {"message": ...}}, and then the
 * connection is closed, since what follows it on the wire cannot be read.
 */
record Refusal(int status, String message) {}
