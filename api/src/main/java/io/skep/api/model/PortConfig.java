package io.skep.api.model;

/** One published port of a service. */
public class PortConfig extends Extensible {
    public String name;
    public String protocol;
    public Long targetPort;
    public Long publishedPort;
    public String publishMode;
}
