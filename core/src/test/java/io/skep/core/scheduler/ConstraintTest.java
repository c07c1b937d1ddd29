package io.skep.core.scheduler;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConstraintTest {
    private final Map<String, String> node =
            Map.of("node.hostname", "Worker1", "node.role", "manager", "node.labels.az", "eu-1");

    @Test
    void equalityAndInequality() {
        assertTrue(Constraint.parse("node.role==manager").matches(node));
        assertTrue(Constraint.parse("node.hostname == worker1").matches(node), "hostnames ignore case");
        assertFalse(Constraint.parse("node.labels.az==EU-1").matches(node), "labels compare exactly");
        assertTrue(Constraint.parse("node.labels.az!=eu-2").matches(node));
        assertFalse(Constraint.parse("node.labels.rack==1").matches(node), "a missing label does not equal");
        assertTrue(Constraint.parse("node.labels.rack!=1").matches(node));
    }

    @Test
    void malformedConstraintsNameThemselves() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Constraint.parse("node.role=manager"));
        assertTrue(e.getMessage().contains("node.role=manager"));
        e = assertThrows(IllegalArgumentException.class, () -> Constraint.parse("node.colour==red"));
        assertTrue(e.getMessage().contains("unknown key node.colour"));
    }
}
