package io.skep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skep.client.ApiPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code skep swarm}: manage the swarm. */
@Command(
        name = "swarm",
        customSynopsis = "skep swarm COMMAND",
        description = "Manage the swarm",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
            SwarmCommand.Init.class,
            SwarmCommand.Join.class,
            SwarmCommand.JoinToken.class,
            SwarmCommand.Update.class,
            SwarmCommand.Leave.class,
            SwarmCommand.UnlockKey.class,
            SwarmCommand.Unlock.class,
            SwarmCommand.Ca.class
        })
final class SwarmCommand extends CommandGroup {

    /**
     * {@code POST /swarm/update} as the docker CLI sends it: the swarm's version as read, the spec, which join
     * tokens to rotate, and whether to rotate the managers' unlock key.
     */
    static void update(
            ApiCommand cmd,
            JsonNode swarm,
            JsonNode spec,
            boolean rotateWorker,
            boolean rotateManager,
            boolean rotateUnlockKey) {
        cmd.api()
                .post(
                        ApiPath.of("/swarm/update")
                                .query("version", Json.number(swarm, "Version", "Index"))
                                .query("rotateWorkerToken", rotateWorker)
                                .query("rotateManagerToken", rotateManager)
                                .query("rotateManagerUnlockKey", rotateUnlockKey),
                        spec);
    }

    /** Docker's words around an unlock key. */
    static void printUnlockKey(ApiCommand cmd, String unlockKey) {
        cmd.out()
                .printf(
                        "To unlock a swarm manager after it restarts, run the `skep swarm unlock`%n"
                                + "command and provide the following key:%n%n    %s%n%n"
                                + "Remember to store this key in a password manager, since without it you%n"
                                + "will not be able to restart the manager.%n",
                        unlockKey);
    }

    /** The addresses of swarm init and join, as the docker CLI sends them. */
    static final class AddressOptions {
        @Option(
                names = "--advertise-addr",
                paramLabel = "ADDR",
                description = "Advertised address (format: \"<ip>[:port]\")")
        String advertiseAddr = "";

        @Option(
                names = "--listen-addr",
                paramLabel = "ADDR",
                description = "Listen address (format: \"<ip>[:port]\") (default: the daemon's --listen-addr, "
                        + "0.0.0.0:2377)")
        String listenAddr = "";

        @Option(
                names = "--data-path-addr",
                paramLabel = "ADDR",
                description = "Address or interface to use for data path traffic")
        String dataPathAddr = "";

        void put(ObjectNode body) {
            body.put("ListenAddr", listenAddr);
            body.put("AdvertiseAddr", advertiseAddr);
            body.put("DataPathAddr", dataPathAddr);
        }
    }

    /** An {@code --availability} as the daemon takes it (lower case), or "" when not given; docker's error otherwise. */
    static String availability(String given) {
        if (given == null) {
            return "";
        }
        String avail = given.toLowerCase(Locale.ROOT);
        if (!avail.equals("active") && !avail.equals("pause") && !avail.equals("drain")) {
            throw new CliException(
                    "invalid availability \"" + given + "\", only active, pause and drain are supported");
        }
        return avail;
    }

    /** {@code skep swarm join --token T HOST:PORT}: POST /swarm/join, then docker's line saying as what. */
    @Command(
            name = "join",
            customSynopsis = "skep swarm join [OPTIONS] HOST:PORT",
            description = "Join a swarm as a node and/or manager")
    static final class Join extends ApiCommand {

        @Option(
                names = "--token",
                paramLabel = "TOKEN",
                required = true,
                description = "Token for entry into the swarm")
        String token;

        @Mixin
        AddressOptions addresses;

        @Option(
                names = "--availability",
                paramLabel = "STATE",
                description = "Availability of the node (\"active\", \"pause\", \"drain\")")
        String availability;

        @Parameters(paramLabel = "HOST:PORT", description = "A manager's address")
        String remote;

        @Override
        protected int run() {
            ObjectNode body = Json.object();
            addresses.put(body);
            body.putArray("RemoteAddrs").add(remote);
            body.put("JoinToken", token);
            body.put("Availability", availability(availability));
            api().post("/swarm/join", body);
            JsonNode info = api().get("/info").body();
            boolean manager =
                    info != null && info.path("Swarm").path("ControlAvailable").asBoolean(false);
            out().println(manager ? "This node joined a swarm as a manager." : "This node joined a swarm as a worker.");
            return 0;
        }
    }

    /** {@code skep swarm init}: POST /swarm/init, then the join command (docker's text, with skep). */
    @Command(name = "init", customSynopsis = "skep swarm init [OPTIONS]", description = "Initialize a swarm")
    static final class Init extends ApiCommand {

        @Mixin
        AddressOptions addresses;

        @Option(
                names = "--force-new-cluster",
                arity = "0..1",
                description = "Force create a new cluster from current state")
        boolean forceNewCluster;

        @Option(
                names = "--availability",
                paramLabel = "STATE",
                description = "Availability of the node (\"active\", \"pause\", \"drain\")")
        String availability;

        @Option(
                names = "--autolock",
                arity = "0..1",
                description = "Enable manager autolocking (requiring an unlock key to start a stopped manager)")
        boolean autolock;

        @Option(
                names = "--default-addr-pool",
                paramLabel = "CIDR",
                split = ",",
                description = "default address pool in CIDR format (default [])")
        List<String> defaultAddrPool = new ArrayList<>();

        @Option(
                names = "--default-addr-pool-mask-length",
                paramLabel = "N",
                description = "default address pool subnet mask length (default 24)")
        int defaultAddrPoolMaskLength = 24;

        @Override
        protected int run() {
            String avail = availability(availability);
            ObjectNode body = Json.object();
            addresses.put(body);
            body.put("DataPathPort", 0);
            body.put("ForceNewCluster", forceNewCluster);
            ObjectNode spec = body.putObject("Spec");
            spec.putNull("Labels");
            spec.putObject("Orchestration");
            ObjectNode raft = spec.putObject("Raft");
            raft.put("ElectionTick", 0);
            raft.put("HeartbeatTick", 0);
            spec.putObject("Dispatcher");
            spec.putObject("CAConfig");
            spec.putObject("TaskDefaults");
            spec.putObject("EncryptionConfig").put("AutoLockManagers", autolock);
            body.put("AutoLockManagers", autolock);
            body.put("Availability", avail);
            body.set("DefaultAddrPool", Json.stringArray(defaultAddrPool));
            body.put("SubnetSize", defaultAddrPoolMaskLength);

            JsonNode answer = api().post("/swarm/init", body).body();
            String nodeId = answer == null ? "" : answer.isTextual() ? answer.asText() : Json.text(answer, "NodeID");
            out().printf("Swarm initialized: current node (%s) is now a manager.%n%n", nodeId);

            JsonNode node = api().get(ApiPath.of("/nodes/{}", nodeId)).body();
            JsonNode swarm = api().get("/swarm").body();
            if (Json.has(node, "ManagerStatus")) {
                out().printf(
                                "To add a worker to this swarm, run the following command:%n%n"
                                        + "    skep swarm join --token %s %s%n%n",
                                Json.text(swarm, "JoinTokens", "Worker"), Json.text(node, "ManagerStatus", "Addr"));
            }
            out().println("To add a manager to this swarm, run 'skep swarm join-token manager' and follow the "
                    + "instructions.");
            if (autolock) {
                String unlockKey = Json.text(api().get("/swarm/unlockkey").body(), "UnlockKey");
                if (!unlockKey.isEmpty()) {
                    out().println();
                    printUnlockKey(this, unlockKey);
                }
            }
            return 0;
        }
    }

    /**
     * {@code skep swarm join-token [-q] [--rotate] (worker|manager)}: the join command of a role (docker's text),
     * the token alone with -q; --rotate replaces the role's token first.
     */
    @Command(
            name = "join-token",
            customSynopsis = "skep swarm join-token [OPTIONS] (worker|manager)",
            description = "Manage join tokens")
    static final class JoinToken extends ApiCommand {

        @Option(
                names = {"-q", "--quiet"},
                description = "Only display token")
        boolean quiet;

        @Option(names = "--rotate", description = "Rotate join token")
        boolean rotate;

        @Parameters(index = "0", paramLabel = "(worker|manager)")
        String role;

        @Override
        protected int run() {
            boolean worker = "worker".equals(role);
            boolean manager = "manager".equals(role);
            if (!worker && !manager) {
                throw new CliException("unknown role " + role);
            }
            if (rotate) {
                JsonNode swarm = api().get("/swarm").body();
                update(this, swarm, swarm.get("Spec"), worker, manager, false);
                if (!quiet) {
                    out().printf("Successfully rotated %s join token.%n%n", role);
                }
            }
            JsonNode swarm = api().get("/swarm").body();
            String token = Json.text(swarm, "JoinTokens", worker ? "Worker" : "Manager");
            if (quiet) {
                out().println(token);
                return 0;
            }
            String nodeId = Json.text(api().get("/info").body(), "Swarm", "NodeID");
            JsonNode node = api().get(ApiPath.of("/nodes/{}", nodeId)).body();
            if (Json.has(node, "ManagerStatus")) {
                out().printf(
                                "To add a %s to this swarm, run the following command:%n%n"
                                        + "    skep swarm join --token %s %s%n%n",
                                role, token, Json.text(node, "ManagerStatus", "Addr"));
            }
            return 0;
        }
    }

    /** {@code skep swarm update}: the flags given, merged into the swarm's spec; docker's "Swarm updated.". */
    @Command(name = "update", customSynopsis = "skep swarm update [OPTIONS]", description = "Update the swarm")
    static final class Update extends ApiCommand {

        @Option(
                names = "--task-history-limit",
                paramLabel = "INT",
                description = "Task history retention limit (default 5)")
        String taskHistoryLimit;

        @Option(
                names = "--dispatcher-heartbeat",
                paramLabel = "DURATION",
                description = "Dispatcher heartbeat period (ns|us|ms|s|m|h) (default 5s)")
        String dispatcherHeartbeat;

        @Option(
                names = "--cert-expiry",
                paramLabel = "DURATION",
                description = "Validity period for node certificates (ns|us|ms|s|m|h) (default 2160h0m0s)")
        String certExpiry;

        @Option(
                names = "--autolock",
                arity = "0..1",
                paramLabel = "BOOL",
                description = "Change manager autolocking setting (true|false)")
        Boolean autolock;

        @Override
        protected int run() {
            JsonNode swarm = api().get("/swarm").body();
            ObjectNode spec = Json.at(swarm, "Spec").isObject()
                    ? ((ObjectNode) Json.at(swarm, "Spec")).deepCopy()
                    : Json.object();
            if (taskHistoryLimit != null) {
                spec.withObjectProperty("Orchestration")
                        .put(
                                "TaskHistoryRetentionLimit",
                                ServiceOptions.unsigned(this, "--task-history-limit", taskHistoryLimit));
            }
            if (dispatcherHeartbeat != null) {
                spec.withObjectProperty("Dispatcher")
                        .put(
                                "HeartbeatPeriod",
                                ServiceOptions.duration(this, "--dispatcher-heartbeat", dispatcherHeartbeat));
            }
            if (certExpiry != null) {
                spec.withObjectProperty("CAConfig")
                        .put("NodeCertExpiry", ServiceOptions.duration(this, "--cert-expiry", certExpiry));
            }
            boolean wasLocked = Json.at(swarm, "Spec")
                    .path("EncryptionConfig")
                    .path("AutoLockManagers")
                    .asBoolean(false);
            if (autolock != null) {
                spec.withObjectProperty("EncryptionConfig").put("AutoLockManagers", autolock);
            }
            update(this, swarm, spec, false, false, false);
            out().println("Swarm updated.");
            if (Boolean.TRUE.equals(autolock) && !wasLocked) {
                String unlockKey = Json.text(api().get("/swarm/unlockkey").body(), "UnlockKey");
                if (!unlockKey.isEmpty()) {
                    printUnlockKey(this, unlockKey);
                }
            }
            return 0;
        }
    }

    /** {@code skep swarm unlock-key [-q] [--rotate]}: the managers' unlock key, in docker's words. */
    @Command(
            name = "unlock-key",
            customSynopsis = "skep swarm unlock-key [OPTIONS]",
            description = "Manage the unlock key")
    static final class UnlockKey extends ApiCommand {

        @Option(
                names = {"-q", "--quiet"},
                description = "Only display token")
        boolean quiet;

        @Option(names = "--rotate", description = "Rotate unlock key")
        boolean rotate;

        @Override
        protected int run() {
            if (rotate) {
                JsonNode swarm = api().get("/swarm").body();
                if (!Json.at(swarm, "Spec")
                        .path("EncryptionConfig")
                        .path("AutoLockManagers")
                        .asBoolean(false)) {
                    throw new CliException("cannot rotate because autolock is not turned on");
                }
                update(this, swarm, swarm.get("Spec"), false, false, true);
                if (!quiet) {
                    out().printf("Successfully rotated manager unlock key.%n%n");
                }
            }
            String unlockKey = Json.text(api().get("/swarm/unlockkey").body(), "UnlockKey");
            if (unlockKey.isEmpty()) {
                throw new CliException("no unlock key is set");
            }
            if (quiet) {
                out().println(unlockKey);
            } else {
                printUnlockKey(this, unlockKey);
            }
            return 0;
        }
    }

    /** {@code skep swarm unlock}: reads the unlock key (a prompt on a terminal) and unlocks this manager. */
    @Command(name = "unlock", customSynopsis = "skep swarm unlock", description = "Unlock swarm")
    static final class Unlock extends ApiCommand {

        @Override
        protected int run() {
            JsonNode info = api().get("/info").body();
            switch (Json.text(info, "Swarm", "LocalNodeState")) {
                case "locked" -> {}
                case "inactive" -> throw new CliException("This node is not part of a swarm");
                default -> throw new CliException("swarm is not locked");
            }
            String key;
            java.io.Console console = System.console();
            if (ctx().tty && console != null) {
                char[] typed = console.readPassword("Enter unlock key: ");
                key = typed == null ? "" : new String(typed);
            } else {
                try {
                    key = new String(ctx().in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    throw new CliException("cannot read the unlock key: " + e.getMessage());
                }
            }
            ObjectNode body = Json.object();
            body.put("UnlockKey", key.strip());
            api().post("/swarm/unlock", body);
            return 0;
        }
    }

    /**
     * {@code skep swarm ca [--rotate [--ca-cert F --ca-key F]] [-d] [-q]}: the swarm's root CA certificate; with
     * {@code --rotate}, a new root (made by the swarm, or the operator's own), then, as docker does, the progress of
     * every node's certificate and trust until the rotation is done, and the new root.
     */
    @Command(name = "ca", customSynopsis = "skep swarm ca [OPTIONS]", description = "Display and rotate the root CA")
    static final class Ca extends ApiCommand {

        @Option(
                names = "--rotate",
                description =
                        "Rotate the swarm CA - if no certificate or key are provided, new " + "ones will be generated")
        boolean rotate;

        @Option(
                names = "--ca-cert",
                paramLabel = "pem-file",
                description = "Path to the PEM-formatted root CA " + "certificate to use for the new cluster")
        java.nio.file.Path caCert;

        @Option(
                names = "--ca-key",
                paramLabel = "pem-file",
                description = "Path to the PEM-formatted root CA key to " + "use for the new cluster")
        java.nio.file.Path caKey;

        @Option(
                names = {"-d", "--detach"},
                description = "Exit immediately instead of waiting for the root rotation " + "to converge")
        boolean detach;

        @Option(
                names = {"-q", "--quiet"},
                description = "Suppress progress output")
        boolean quiet;

        @Override
        protected int run() {
            JsonNode swarm = api().get("/swarm").body();
            if (!rotate) {
                for (var given : java.util.Map.of("ca-cert", caCert != null, "ca-key", caKey != null)
                        .entrySet()) {
                    if (given.getValue()) {
                        throw new CliException(
                                "`--" + given.getKey() + "` flag requires the `--rotate` flag to update " + "the CA");
                    }
                }
                return trustRoot(swarm);
            }
            if (caCert != null && caKey == null) {
                throw new CliException("the --ca-cert flag requires that a --ca-key flag and/or --external-ca flag be "
                        + "provided as well");
            }
            ObjectNode spec = ((ObjectNode) Json.at(swarm, "Spec")).deepCopy();
            ObjectNode ca = spec.withObjectProperty("CAConfig");
            String cert = read(caCert);
            String key = read(caKey);
            ca.put("SigningCACert", cert);
            ca.put("SigningCAKey", key);
            if (cert.isEmpty() && key.isEmpty()) {
                ca.put("ForceRotate", ca.path("ForceRotate").asLong(0) + 1);
            }
            update(this, swarm, spec, false, false, false);
            if (detach) {
                return 0;
            }
            String shown = "";
            while (true) {
                JsonNode now = api().get("/swarm").body();
                JsonNode desired = Json.at(now, "TLSInfo");
                boolean inProgress = now.path("RootRotationInProgress").asBoolean(false);
                long certs = 0;
                long roots = 0;
                JsonNode nodes = api().get("/nodes").body();
                for (JsonNode n : nodes) {
                    JsonNode info = n.path("Description").path("TLSInfo");
                    if (info.path("CertIssuerPublicKey")
                                    .asText()
                                    .equals(desired.path("CertIssuerPublicKey").asText())
                            && info.path("CertIssuerSubject")
                                    .asText()
                                    .equals(desired.path("CertIssuerSubject").asText())) {
                        certs++;
                    }
                    if (info.path("TrustRoot")
                            .asText()
                            .equals(desired.path("TrustRoot").asText())) {
                        roots++;
                    }
                }
                boolean done = !inProgress && certs == nodes.size() && roots == nodes.size();
                String progress = "desired root digest: "
                        + digest(desired.path("TrustRoot").asText()) + "\n"
                        + "  rotated TLS certificates:  " + certs + "/" + nodes.size() + " nodes\n"
                        + "  rotated CA certificates:   " + (!inProgress && certs == nodes.size() ? roots : 0) + "/"
                        + nodes.size() + " nodes\n";
                if (!quiet && !progress.equals(shown)) {
                    out().print(progress);
                    shown = progress;
                }
                if (done) {
                    break;
                }
                try {
                    Thread.sleep(ctx().pollInterval.toMillis()); // docker's CLI polls as often
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CliException("interrupted: the rotation goes on in the background");
                }
            }
            return quiet ? 0 : trustRoot(api().get("/swarm").body());
        }

        private int trustRoot(JsonNode swarm) {
            String root = Json.text(swarm, "TLSInfo", "TrustRoot");
            if (root.isEmpty()) {
                throw new CliException("No CA information available");
            }
            out().println(root.strip());
            return 0;
        }

        private static String read(java.nio.file.Path file) {
            if (file == null) {
                return "";
            }
            try {
                return java.nio.file.Files.readString(file);
            } catch (java.io.IOException e) {
                throw new CliException("cannot read " + file + ": " + e.getMessage());
            }
        }

        private static String digest(String text) {
            try {
                return "sha256:"
                        + java.util.HexFormat.of()
                                .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                        .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** {@code skep swarm leave [--force]}: docker's "Node left the swarm.". */
    @Command(name = "leave", customSynopsis = "skep swarm leave [OPTIONS]", description = "Leave the swarm")
    static final class Leave extends ApiCommand {

        @Option(
                names = {"-f", "--force"},
                arity = "0..1",
                description = "Force this node to leave the swarm, ignoring warnings")
        boolean force;

        @Override
        protected int run() {
            api().post(ApiPath.of("/swarm/leave").query("force", force), null);
            out().println("Node left the swarm.");
            return 0;
        }
    }
}
