package io.skep.api.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceSpecTest {

    private static ServiceSpec spec(String image, String runtimeLabel) {
        ServiceSpec s = new ServiceSpec();
        s.taskTemplate = new TaskSpec();
        s.taskTemplate.containerSpec = new TaskSpec.ContainerSpec();
        s.taskTemplate.containerSpec.image = image;
        if (runtimeLabel != null) {
            s.labels = Map.of(ServiceSpec.RUNTIME_LABEL, runtimeLabel);
        }
        return s;
    }

    @Test
    void theRuntimeIsTheNamedOneElseProcessForTheHostImageElseTheNodesDefault() {
        assertEquals("docker", spec("host", "docker").runtime(), "a named runtime wins");
        assertEquals("process", spec("host", null).runtime());
        assertEquals("process", spec("host:latest", null).runtime(), "as the docker CLI sends it");
        assertEquals("process", spec("docker.io/library/host:latest", null).runtime());
        assertNull(spec("busybox:1", null).runtime(), "the node's default");
        assertNull(spec("hostname", null).runtime());
    }

    @Test
    void unknownFieldsSurviveARoundTrip() {
        String json = "{\"Name\":\"w\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"host\",\"Init\":false,"
                + "\"DNSConfig\":{}},\"ForceUpdate\":0},\"Mode\":{\"Global\":{}},\"Future\":[1,2]}";
        ServiceSpec s = Json.read(json.getBytes(), ServiceSpec.class);
        assertEquals(
                Json.read(json.getBytes(), com.fasterxml.jackson.databind.JsonNode.class),
                Json.read(Json.bytes(s), com.fasterxml.jackson.databind.JsonNode.class));
    }
}
