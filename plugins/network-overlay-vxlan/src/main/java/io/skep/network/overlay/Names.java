package io.skep.network.overlay;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of what the driver makes for one node. Interface names fit Linux's IFNAMSIZ (at most 15 characters);
 * namespace names carry the node's tag, since named namespaces ({@code /var/run/netns}) are shared by every node of
 * a host, while interface names need only be unique in their namespace.
 *
 * @param nodeTag the node's mark in namespace names: its ID, lower-cased and cut to {@value #TAG_LENGTH}
 *                characters of {@code [a-z0-9]}, or a hash of it when it has none
 */
record Names(String nodeTag) {

    /** Named namespaces live here ({@code ip netns add}). */
    static final Path NETNS_DIR = Path.of("/var/run/netns");

    /** The bridge of a network, in the network's namespace. */
    static final String BRIDGE = "br0";

    /** The network's end of its gateway link (a veth pair to the node's namespace), in the network's namespace. */
    static final String GATEWAY_LINK = "gw0";

    /** The prefix of the node's ends of the gateway links: what the node's rules match all of them by. */
    static final String NODE_LINK_PREFIX = "sg-";

    static final int TAG_LENGTH = 12;
    private static final String NAMESPACE_PREFIX = "skep-ov-";
    /** How many hex digits of a task ID's hash name its veth ends: 40 bits, so collisions need a million tasks. */
    private static final int TASK_HASH_DIGITS = 10;

    static Names forNode(String nodeId) {
        String tag = nodeId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        if (tag.isEmpty()) {
            tag = hash(nodeId);
        }
        return new Names(tag.substring(0, Math.min(TAG_LENGTH, tag.length())));
    }

    /** The network namespace of a network on this node: {@code skep-ov-<vxlan id>-<node tag>}. */
    String namespace(int vxlanId) {
        return NAMESPACE_PREFIX + vxlanId + "-" + nodeTag;
    }

    /** That namespace as a file. */
    Path namespacePath(int vxlanId) {
        return NETNS_DIR.resolve(namespace(vxlanId));
    }

    /** The VXLAN ID of one of this node's network namespaces, or empty for any other namespace. */
    OptionalInt vxlanIdOf(String namespace) {
        Matcher m = Pattern.compile(Pattern.quote(NAMESPACE_PREFIX) + "(\\d{1,8})-" + Pattern.quote(nodeTag))
                .matcher(namespace);
        return m.matches() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }

    /** The VXLAN device of a network: {@code vx-<vxlan id>}, at most 11 characters. */
    static String vxlan(int vxlanId) {
        return "vx-" + vxlanId;
    }

    /** The node's end of a network's gateway link: {@code sg-<vxlan id>}, at most 11 characters. */
    static String nodeLink(int vxlanId) {
        return NODE_LINK_PREFIX + vxlanId;
    }

    /**
     * The nftables table of a network's way out in the node's namespace: named as the network's namespace, so
     * that the node's tag tells its tables from another node's sharing the namespace.
     */
    String nodeTable(int vxlanId) {
        return namespace(vxlanId);
    }

    /** The nftables table of a network's services in a task's namespace: {@code skep-lb-<vxlan id>}. */
    static String serviceTable(int vxlanId) {
        return "skep-lb-" + vxlanId;
    }

    /** A task's veth end on the network's bridge: {@code ve-<hash of the task ID>}, 13 characters. */
    static String bridgeEnd(String taskId) {
        return "ve-" + hash(taskId);
    }

    /**
     * The name a task's veth end has in the network's namespace before it moves to the task's namespace (where it
     * is renamed): {@code vt-<hash of the task ID>}, 13 characters.
     */
    static String taskEndBeforeMove(String taskId) {
        return "vt-" + hash(taskId);
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, TASK_HASH_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
