package io.skep.bench.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.bench.docker.EngineApi.Response;
import io.skep.bench.docker.Snapshot.Container;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineApiTest {

    private static Response parse(String raw) throws IOException {
        return Response.parse(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void responsesPlainAndChunked() throws IOException {
        Response plain = parse("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[]\n");
        assertEquals(200, plain.status());
        assertEquals("[]\n", new String(plain.body(), StandardCharsets.UTF_8));

        Response chunked = parse("HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4\r\n{\"me\r\nb;x=1\r\nssage\":\"no\"\r\n1\r\n}\r\n0\r\n\r\n");
        assertEquals(404, chunked.status());
        assertEquals("{\"message\":\"no\"}", new String(chunked.body(), StandardCharsets.UTF_8));

        assertThrows(IOException.class, () -> parse("HTTP/1.1 200 OK\r\n"));
        assertThrows(IOException.class, () -> parse("SSH-2.0-OpenSSH\r\n\r\n"));
        assertThrows(IOException.class, () -> parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nab"));
    }

    @Test
    void theEngineIsAUnixSocket() {
        assertEquals(Path.of("/var/run/docker.sock"), EngineApi.socketOf("unix:///var/run/docker.sock"));
        assertThrows(IllegalArgumentException.class, () -> EngineApi.socketOf("tcp://127.0.0.1:2375"));
        assertThrows(IllegalArgumentException.class, () -> EngineApi.socketOf("unix://"));
    }

    @Test
    void containersAndWhatTheStepsSeeInThem() throws IOException {
        List<Container> containers = EngineApi.containersOf("""
                [{"Id":"a","State":"running","ImageID":"sha256:v1","Labels":{}},
                 {"Id":"b","State":"running","ImageID":"sha256:v2"},
                 {"Id":"c","State":"exited","ImageID":"sha256:v1"},
                 {"Id":"d","State":"created","ImageID":"sha256:v2"}]""");
        assertEquals(new Container("a", "running", "sha256:v1"), containers.getFirst());
        assertEquals(new Snapshot(2, 1, 4), Snapshot.of(containers, "sha256:v1"));
        assertEquals(new Snapshot(2, 1, 4), Snapshot.of(containers, "sha256:v2"));
        assertThrows(IOException.class, () -> EngineApi.containersOf("{\"message\":\"x\"}"));

        Step.Shape shape = new Step.Shape(2, 4, 2);
        assertTrue(Step.CREATE.done(new Snapshot(2, 2, 3), shape)); // an exited one left does not matter
        assertFalse(Step.CREATE.done(new Snapshot(3, 2, 3), shape)); // one more running than asked
        assertFalse(Step.SCALE.done(new Snapshot(4, 3, 4), shape)); // one running another image
        assertTrue(Step.UPDATE.done(new Snapshot(4, 4, 9), shape));
        assertFalse(Step.REMOVE.done(new Snapshot(0, 0, 1), shape)); // an exited container is still there
        assertTrue(Step.REMOVE.done(new Snapshot(0, 0, 0), shape));
        assertEquals(3, Step.UPDATE.progress(new Snapshot(4, 3, 7)));
        assertEquals(7, Step.REMOVE.progress(new Snapshot(4, 3, 7)));
        assertEquals("update 4 to v2, 2 at a time", Step.UPDATE.label(shape));
    }
}
