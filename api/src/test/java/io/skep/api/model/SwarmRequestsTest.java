package io.skep.api.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Docker's {@code POST /swarm/init} and {@code /swarm/join} bodies as the typed requests read them. */
class SwarmRequestsTest {

    @Test
    void theDockerClisInitBodyIsReadFieldByField() {
        // as `docker swarm init --advertise-addr 127.0.0.1 --autolock` sends it
        SwarmInitRequest r = Json.read(
                ("{\"ListenAddr\":\"0.0.0.0:2377\",\"AdvertiseAddr\":\"127.0.0.1\",\"DataPathAddr\":\"\","
                                + "\"DataPathPort\":0,\"ForceNewCluster\":false,\"Spec\":{\"Labels\":null,"
                                + "\"Orchestration\":{},\"Raft\":{\"ElectionTick\":0,\"HeartbeatTick\":0},"
                                + "\"Dispatcher\":{},\"CAConfig\":{},\"TaskDefaults\":{},"
                                + "\"EncryptionConfig\":{\"AutoLockManagers\":true}},\"AutoLockManagers\":true,"
                                + "\"Availability\":\"drain\",\"DefaultAddrPool\":[\"10.10.0.0/16\"],\"SubnetSize\":24}")
                        .getBytes(),
                SwarmInitRequest.class);
        assertEquals("0.0.0.0:2377", r.listenAddr);
        assertEquals("127.0.0.1", r.advertiseAddr);
        assertEquals("", r.dataPathAddr);
        assertEquals(0L, r.dataPathPort);
        assertEquals(Boolean.FALSE, r.forceNewCluster);
        assertTrue(r.autoLockManagers);
        assertEquals("drain", r.availability);
        assertEquals(List.of("10.10.0.0/16"), r.defaultAddrPool);
        assertEquals(24L, r.subnetSize);
        assertNull(r.spec.labels);
        assertEquals(Map.of("AutoLockManagers", true), r.spec.other().get("EncryptionConfig"), "kept as sent");
        assertEquals(
                Map.of("ElectionTick", 0, "HeartbeatTick", 0), r.spec.other().get("Raft"));
    }

    @Test
    void anEmptyInitBodyLeavesEveryFieldToTheDefaults() {
        SwarmInitRequest r = Json.read("{}".getBytes(), SwarmInitRequest.class);
        assertNull(r.listenAddr);
        assertNull(r.spec);
        assertNull(r.forceNewCluster);
        assertFalse(r.autoLockManagers);
    }

    @Test
    void autoLockManagersIsReadAsLenientlyAsEver() {
        assertTrue(init("{\"AutoLockManagers\":\"true\"}").autoLockManagers);
        assertTrue(init("{\"AutoLockManagers\":1}").autoLockManagers);
        assertFalse(init("{\"AutoLockManagers\":\"yes\"}").autoLockManagers);
        assertFalse(init("{\"AutoLockManagers\":{}}").autoLockManagers);
        assertFalse(init("{\"AutoLockManagers\":null}").autoLockManagers);
        assertTrue(Json.string(init("{\"AutoLockManagers\":true}")).contains("\"AutoLockManagers\":true"));
    }

    @Test
    void theDockerClisJoinBodyIsReadFieldByField() {
        SwarmJoinRequest r = Json.read(
                ("{\"ListenAddr\":\"0.0.0.0:2377\",\"AdvertiseAddr\":\"\",\"DataPathAddr\":\"\","
                                + "\"RemoteAddrs\":[\"10.0.0.1:2377\"],\"JoinToken\":\"SWMTKN-1-abc\","
                                + "\"Availability\":\"\"}")
                        .getBytes(),
                SwarmJoinRequest.class);
        assertEquals("0.0.0.0:2377", r.listenAddr);
        assertEquals("", r.advertiseAddr);
        assertEquals("", r.dataPathAddr);
        assertEquals(List.of("10.0.0.1:2377"), r.remoteAddrs);
        assertEquals("SWMTKN-1-abc", r.joinToken);
        assertEquals("", r.availability);
    }

    private static SwarmInitRequest init(String json) {
        return Json.read(json.getBytes(), SwarmInitRequest.class);
    }
}
