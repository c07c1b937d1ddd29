package io.skep.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** What every object in the store has: an ID, a version, and when it was created and last written. */
@JsonPropertyOrder({"ID", "Version", "CreatedAt", "UpdatedAt"})
public abstract class StoredObject {
    @JsonProperty("ID")
    public String id;

    public Version version = new Version();
    public String createdAt;
    public String updatedAt;

    /** The version index this object was read at; an update names it to detect a concurrent write. */
    public long versionIndex() {
        return version == null ? 0 : version.index;
    }
}
