package io.skep.api.model;

/** {@code Version.Index}: the Raft log index of the entry that last wrote the object. */
public class Version {
    public long index;

    public Version() {}

    public Version(long index) {
        this.index = index;
    }
}
