package io.skep.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Checks the bodies of {@code swarm init}, {@code swarm join} and {@code swarm update}: every field of Docker's
 * {@code SwarmSpec} and of the init and join requests, its JSON type, its range, the size of its strings and lists.
 * Most of a swarm spec is kept as sent (skep acts on a few fields), so the checks read the JSON itself. Every refusal
 * names the field, as Swarm's do.
 */
final class SwarmSpecValidator {
    /** Swarm's floor for {@code CAConfig.NodeCertExpiry}. */
    static final Duration MIN_NODE_CERT_EXPIRY = Duration.ofHours(1);

    private static final Set<String> AVAILABILITY = Set.of("active", "pause", "drain");

    private SwarmSpecValidator() {}

    /** A {@code SwarmSpec}: the body of {@code swarm update}, the {@code Spec} of {@code swarm init}. */
    static void spec(JsonNode spec, String prefix) {
        if (spec.isMissingNode() || spec.isNull()) {
            return;
        }
        if (!spec.isObject()) {
            throw FieldChecks.invalid(
                    prefix.isEmpty() ? "swarm spec" : prefix.substring(0, prefix.length() - 1),
                    "expected an object, got " + FieldChecks.shown(spec));
        }
        FieldChecks.text(spec, "Name", prefix + "Name", RequestLimits.NAME_LENGTH);
        labels(spec, "Labels", prefix + "Labels");

        JsonNode orchestration = FieldChecks.object(spec, "Orchestration", prefix + "Orchestration");
        FieldChecks.integer(
                orchestration,
                "TaskHistoryRetentionLimit",
                prefix + "Orchestration.TaskHistoryRetentionLimit",
                0,
                RequestLimits.TASK_HISTORY);

        JsonNode raft = FieldChecks.object(spec, "Raft", prefix + "Raft");
        FieldChecks.integer(raft, "SnapshotInterval", prefix + "Raft.SnapshotInterval", 0, Long.MAX_VALUE);
        FieldChecks.integer(raft, "KeepOldSnapshots", prefix + "Raft.KeepOldSnapshots", 0, Integer.MAX_VALUE);
        FieldChecks.integer(
                raft, "LogEntriesForSlowFollowers", prefix + "Raft.LogEntriesForSlowFollowers", 0, Long.MAX_VALUE);
        FieldChecks.integer(raft, "ElectionTick", prefix + "Raft.ElectionTick", 0, Integer.MAX_VALUE);
        FieldChecks.integer(raft, "HeartbeatTick", prefix + "Raft.HeartbeatTick", 0, Integer.MAX_VALUE);

        JsonNode dispatcher = FieldChecks.object(spec, "Dispatcher", prefix + "Dispatcher");
        FieldChecks.duration(dispatcher, "HeartbeatPeriod", prefix + "Dispatcher.HeartbeatPeriod");

        JsonNode ca = FieldChecks.object(spec, "CAConfig", prefix + "CAConfig");
        FieldChecks.duration(ca, "NodeCertExpiry", prefix + "CAConfig.NodeCertExpiry");
        long expiry = ca.path("NodeCertExpiry").asLong(0);
        if (expiry != 0 && expiry < MIN_NODE_CERT_EXPIRY.toNanos()) {
            throw FieldChecks.invalid(
                    prefix + "CAConfig.NodeCertExpiry",
                    "minimum certificate expiry time is " + "1h0m0s, got " + Duration.ofNanos(expiry));
        }
        JsonNode external = ca.path("ExternalCAs");
        if (!external.isMissingNode() && !external.isNull()) {
            if (!external.isArray()) {
                throw FieldChecks.invalid(
                        prefix + "CAConfig.ExternalCAs", "expected a list, got " + FieldChecks.shown(external));
            }
            FieldChecks.entries(external.size(), prefix + "CAConfig.ExternalCAs");
            for (int i = 0; i < external.size(); i++) {
                String field = prefix + "CAConfig.ExternalCAs[" + i + "]";
                JsonNode e = external.get(i);
                if (!e.isObject()) {
                    throw FieldChecks.invalid(field, "expected an object, got " + FieldChecks.shown(e));
                }
                FieldChecks.text(e, "Protocol", field + ".Protocol", RequestLimits.NAME_LENGTH);
                FieldChecks.text(e, "URL", field + ".URL", RequestLimits.NAME_LENGTH);
                FieldChecks.text(e, "CACert", field + ".CACert", RequestLimits.VALUE_LENGTH);
                labels(e, "Options", field + ".Options");
            }
        }
        FieldChecks.text(ca, "SigningCACert", prefix + "CAConfig.SigningCACert", RequestLimits.VALUE_LENGTH);
        FieldChecks.text(ca, "SigningCAKey", prefix + "CAConfig.SigningCAKey", RequestLimits.VALUE_LENGTH);
        FieldChecks.integer(ca, "ForceRotate", prefix + "CAConfig.ForceRotate", 0, Long.MAX_VALUE);

        JsonNode defaults = FieldChecks.object(spec, "TaskDefaults", prefix + "TaskDefaults");
        JsonNode logDriver = FieldChecks.object(defaults, "LogDriver", prefix + "TaskDefaults.LogDriver");
        FieldChecks.text(logDriver, "Name", prefix + "TaskDefaults.LogDriver.Name", RequestLimits.NAME_LENGTH);
        labels(logDriver, "Options", prefix + "TaskDefaults.LogDriver.Options");

        JsonNode encryption = FieldChecks.object(spec, "EncryptionConfig", prefix + "EncryptionConfig");
        FieldChecks.bool(encryption, "AutoLockManagers", prefix + "EncryptionConfig.AutoLockManagers");
    }

    /** {@code POST /swarm/init}: Docker's {@code InitRequest}. */
    static void initRequest(JsonNode body) {
        object(body, "swarm init request");
        addresses(body);
        FieldChecks.bool(body, "ForceNewCluster", "ForceNewCluster");
        FieldChecks.oneOf(body, "Availability", AVAILABILITY, "Availability");
        FieldChecks.integer(body, "DataPathPort", "DataPathPort", 0, 65535);
        FieldChecks.integer(body, "SubnetSize", "SubnetSize", 0, 32);
        FieldChecks.texts(body, "DefaultAddrPool", "DefaultAddrPool", RequestLimits.NAME_LENGTH);
        addressPools(body);
        spec(body.path("Spec"), "Spec.");
    }

    /**
     * {@code DefaultAddrPool} and {@code SubnetSize} ({@code --default-addr-pool}, {@code
     * --default-addr-pool-mask-length}): IPv4 prefixes that overlap none of the others, each able to hold a subnet.
     */
    private static void addressPools(JsonNode body) {
        long size = body.path("SubnetSize").asLong(0) == 0
                ? 24
                : body.path("SubnetSize").asLong();
        java.util.List<io.skep.api.model.Cidr> pools = new java.util.ArrayList<>();
        for (int i = 0; i < body.path("DefaultAddrPool").size(); i++) {
            String field = "DefaultAddrPool[" + i + "]";
            io.skep.api.model.Cidr pool;
            try {
                pool = io.skep.api.model.Cidr.parse(
                        body.get("DefaultAddrPool").get(i).asText());
            } catch (IllegalArgumentException e) {
                throw FieldChecks.invalid(field, e.getMessage());
            }
            if (pool.bits() < 8) {
                throw FieldChecks.invalid(field, "a pool's prefix length is 8 or more, got " + pool);
            }
            if (size < pool.bits()) {
                throw FieldChecks.invalid(
                        "SubnetSize", "a /" + size + " subnet does not fit in the address pool " + pool);
            }
            for (io.skep.api.model.Cidr other : pools) {
                if (other.overlaps(pool)) {
                    throw FieldChecks.invalid(field, pool + " overlaps the pool " + other);
                }
            }
            pools.add(pool);
        }
        if (size > 30) {
            throw FieldChecks.invalid("SubnetSize", "a subnet's prefix length is at most 30, got " + size);
        }
    }

    /** {@code POST /swarm/join}: Docker's {@code JoinRequest}. */
    static void joinRequest(JsonNode body) {
        object(body, "swarm join request");
        addresses(body);
        FieldChecks.texts(body, "RemoteAddrs", "RemoteAddrs", RequestLimits.NAME_LENGTH);
        FieldChecks.text(body, "JoinToken", "JoinToken", RequestLimits.NAME_LENGTH);
        FieldChecks.oneOf(body, "Availability", AVAILABILITY, "Availability");
    }

    private static void addresses(JsonNode body) {
        FieldChecks.text(body, "ListenAddr", "ListenAddr", RequestLimits.NAME_LENGTH);
        FieldChecks.text(body, "AdvertiseAddr", "AdvertiseAddr", RequestLimits.NAME_LENGTH);
        FieldChecks.text(body, "DataPathAddr", "DataPathAddr", RequestLimits.NAME_LENGTH);
    }

    private static void object(JsonNode body, String what) {
        if (!body.isObject()) {
            throw ApiException.badRequest(
                    "invalid " + what + ": expected a JSON object, got " + FieldChecks.shown(body));
        }
    }

    /** A map of strings: labels, driver options. */
    private static void labels(JsonNode parent, String name, String field) {
        JsonNode labels = FieldChecks.object(parent, name, field);
        if (labels.isMissingNode() || labels.isNull()) {
            return;
        }
        FieldChecks.entries(labels.size(), field);
        for (Map.Entry<String, JsonNode> e : labels.properties()) {
            String entry = field + "[" + FieldChecks.shown(e.getKey()) + "]";
            if (!e.getValue().isTextual()) {
                throw FieldChecks.invalid(entry, "expected a string, got " + FieldChecks.shown(e.getValue()));
            }
            FieldChecks.text(e.getValue().asText(), RequestLimits.VALUE_LENGTH, entry);
            FieldChecks.text(e.getKey(), RequestLimits.NAME_LENGTH, field + " key");
        }
    }
}
