package io.skep.api.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class JsonTest {
    private static JsonNode json(String text) {
        return Json.read(text.getBytes(), JsonNode.class);
    }

    @Test
    void aDigestIgnoresFieldOrderButNotContent() {
        assertEquals(
                Json.digest(json("{\"A\":1,\"B\":{\"C\":[1,2],\"D\":\"x\"}}")),
                Json.digest(json("{\"B\":{\"D\":\"x\",\"C\":[1,2]},\"A\":1}")));
        assertNotEquals(Json.digest(json("{\"C\":[1,2]}")), Json.digest(json("{\"C\":[2,1]}")), "array order counts");
        assertNotEquals(Json.digest(json("{\"A\":\"1\"}")), Json.digest(json("{\"A\":1}")), "a string is not a number");
        assertEquals(Json.digest(json("{\"A\":0}")), Json.digest(json("{\"A\":0.0}")), "a number is its value");
    }

    @Test
    void aServicesTemplateDigestFollowsTheTemplateAndTheRuntimeOnly() {
        Service s = new Service();
        s.spec = Json.read(
                "{\"Name\":\"w\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"}},\"Mode\":{\"Replicated\":{\"Replicas\":1}}}"
                        .getBytes(),
                ServiceSpec.class);
        s.digestTemplate();
        String before = s.templateDigest;
        s.spec.mode.replicated.replicas = 5L;
        s.digestTemplate();
        assertEquals(before, s.templateDigest, "a scale changes no task");
        s.spec.labels = java.util.Map.of(ServiceSpec.RUNTIME_LABEL, "process");
        s.digestTemplate();
        assertNotEquals(before, s.templateDigest, "another runtime makes other tasks");
    }
}
