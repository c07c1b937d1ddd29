package io.skep.runtime.docker;

import java.util.regex.Pattern;

/** Docker's image reference grammar (distribution/reference): {@code [domain/]path[:tag][@digest]}. */
final class ImageReference {

    private static final String ALPHANUMERIC = "[a-z0-9]+";
    private static final String SEPARATOR = "(?:[._]|__|[-]+)";
    private static final String PATH_COMPONENT = ALPHANUMERIC + "(?:" + SEPARATOR + ALPHANUMERIC + ")*";
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String DOMAIN =
            "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*" + "|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?";
    private static final String NAME = "(?:" + DOMAIN + "/)?" + PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*";
    private static final String TAG = "[\\w][\\w.-]{0,127}";
    private static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
    private static final Pattern REFERENCE = Pattern.compile("(" + NAME + ")(?::" + TAG + ")?(?:@" + DIGEST + ")?");
    /** The longest name (without tag and digest) Docker accepts. */
    private static final int NAME_MAX = 255;

    private ImageReference() {}

    /** Why {@code image} is no valid reference, or {@code null} when it is one. */
    static String problem(String image) {
        var m = REFERENCE.matcher(image);
        if (!m.matches()) {
            String lower = image.toLowerCase(java.util.Locale.ROOT);
            if (!lower.equals(image) && REFERENCE.matcher(lower).matches()) {
                return "invalid reference format: repository name must be lowercase";
            }
            return "invalid reference format";
        }
        if (m.group(1).length() > NAME_MAX) {
            return "invalid reference format: repository name must not be more than " + NAME_MAX + " characters";
        }
        return null;
    }

    /**
     * The repository and the tag (or digest) of a valid reference, as the engine's pull takes them apart: the tag
     * {@code latest} where the reference names none.
     */
    static String[] repositoryAndTag(String image) {
        int at = image.indexOf('@');
        if (at >= 0) {
            String name = image.substring(0, at);
            int colon = name.lastIndexOf(':');
            if (colon > name.lastIndexOf('/')) {
                name = name.substring(0, colon); // name:tag@digest: the digest wins, as in the engine
            }
            return new String[] {name, image.substring(at + 1)};
        }
        int colon = image.lastIndexOf(':');
        if (colon > image.lastIndexOf('/')) {
            return new String[] {image.substring(0, colon), image.substring(colon + 1)};
        }
        return new String[] {image, "latest"};
    }

    /** Whether {@code image} names the process runtime's image {@code host}, as the docker CLI may write it. */
    static boolean isHost(String image) {
        String name = image.replaceFirst("^(docker\\.io/)?(library/)?", "");
        return name.equals("host") || name.equals("host:latest");
    }
}
