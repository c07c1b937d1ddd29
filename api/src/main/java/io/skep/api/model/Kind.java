package io.skep.api.model;

/** The kinds of objects the store keeps. */
public enum Kind {
    CLUSTER(Cluster.class),
    NODE(Node.class),
    SERVICE(Service.class),
    TASK(Task.class),
    NETWORK(Network.class);

    private final Class<? extends StoredObject> type;

    Kind(Class<? extends StoredObject> type) {
        this.type = type;
    }

    public Class<? extends StoredObject> type() {
        return type;
    }

    public static Kind of(StoredObject object) {
        for (Kind kind : values()) {
            if (kind.type == object.getClass()) {
                return kind;
            }
        }
        throw new IllegalArgumentException("not a stored kind: " + object.getClass());
    }

    /** The lower-case name used in messages ("service w not found"). */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
